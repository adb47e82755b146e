"""Paths and loaders for the course datasets in ``data/``.

Every loader reads local files only, so it works offline. The datasets are described in
``data/README.md`` (the datasheet). Typical use in a notebook::

    from nlpcourse.data import load_reviews
    reviews = load_reviews()              # DatasetDict: train / validation / test
    reviews["train"].features["label"]    # ClassLabel(names=['negative', 'positive'])
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from datasets import ClassLabel, Dataset, DatasetDict, Features, Sequence, Value

__all__ = [
    "HARD_TYPES",
    "NER_LABELS",
    "REVIEW_LABELS",
    "corpus_path",
    "data_dir",
    "load_articles",
    "load_corpus",
    "load_ner",
    "load_qa",
    "load_reviews",
    "load_translations",
]

REVIEW_LABELS = ["negative", "positive"]
"""Label names of the reviews, in ClassLabel order (0 = negative, 1 = positive)."""

HARD_TYPES = ("negation", "contrast", "sarcasm", "mixed", "domain_flip")
"""Kinds of hard review (the ``hard_type`` column); ordinary reviews have ``""``."""

NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
"""BIO tags of the NER dataset, in ClassLabel order (the order of CoNLL-2003 as on the Hub)."""

ENV_VAR = "NLPCOURSE_DATA"
_MARKER = "reviews.csv"  # a folder counts as the data folder only if it holds this file


def data_dir() -> Path:
    """Return the folder holding the course datasets.

    Resolution order: the environment variable ``NLPCOURSE_DATA``; the repository's
    ``data/`` folder (next to ``src/``, i.e. a source checkout or an editable install);
    the copy packaged in the wheel at ``nlpcourse/_data``.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser().resolve()
        if not (path / _MARKER).is_file():
            raise FileNotFoundError(
                f"{ENV_VAR} is set to {path}, but that folder has no {_MARKER}. "
                f"Point {ENV_VAR} at the course's data/ folder, or unset it."
            )
        return path
    here = Path(__file__).resolve()
    candidates = [here.parents[2] / "data", here.parent / "_data"]
    for path in candidates:
        if (path / _MARKER).is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(
        f"Course data not found (looked in {tried}). Run the notebooks from a clone of the "
        f"course repository, or set {ENV_VAR} to the folder that holds {_MARKER}, e.g. "
        f"export {ENV_VAR}=/path/to/course/data"
    )


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    path = data_dir() / name
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_reviews() -> DatasetDict:
    """Short product, movie and restaurant reviews labelled negative/positive.

    Splits train/validation/test; columns ``id`` (int), ``text``, ``label``
    (ClassLabel negative/positive), ``domain`` (movies/products/restaurants), ``hard`` (bool)
    and ``hard_type`` (one of HARD_TYPES, or "" for ordinary reviews).
    """
    features = Features(
        {
            "id": Value("int64"),
            "text": Value("string"),
            "label": ClassLabel(names=REVIEW_LABELS),
            "domain": Value("string"),
            "hard": Value("bool"),
            "hard_type": Value("string"),
        }
    )
    splits: dict[str, dict[str, list[Any]]] = {
        name: {col: [] for col in features} for name in ("train", "validation", "test")
    }
    with open(data_dir() / "reviews.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            cols = splits[row["split"]]
            cols["id"].append(int(row["id"]))
            cols["text"].append(row["text"])
            cols["label"].append(REVIEW_LABELS.index(row["label"]))
            cols["domain"].append(row["domain"])
            cols["hard"].append(row["hard"] == "true")
            cols["hard_type"].append(row["hard_type"])
    return DatasetDict({name: Dataset.from_dict(cols, features=features) for name, cols in splits.items()})


def load_translations() -> DatasetDict:
    """English sentences with one or more French (and some German) reference translations.

    Single split "test"; columns ``id``, ``en`` (str), ``fr`` (list of str) and ``de``
    (list of str, empty where no German reference exists).
    """
    rows = [
        {"id": r["id"], "en": r["en"], "fr": r["fr"], "de": r.get("de", [])}
        for r in _read_jsonl("translations.jsonl")
    ]
    features = Features(
        {
            "id": Value("string"),
            "en": Value("string"),
            "fr": Sequence(Value("string")),
            "de": Sequence(Value("string")),
        }
    )
    return DatasetDict({"test": Dataset.from_list(rows, features=features)})


def load_articles() -> DatasetDict:
    """Short news-style articles with a reference summary; single split "test"."""
    features = Features({name: Value("string") for name in ("id", "title", "article", "summary")})
    return DatasetDict({"test": Dataset.from_list(_read_jsonl("articles.jsonl"), features=features)})


def load_qa() -> DatasetDict:
    """Extractive question answering in SQuAD form; single split "test".

    ``answers`` is a dict of lists: ``{"text": [...], "answer_start": [...]}`` with character
    offsets into ``context``.
    """
    features = Features(
        {
            "id": Value("string"),
            "title": Value("string"),
            "context": Value("string"),
            "question": Value("string"),
            "answers": {"text": Sequence(Value("string")), "answer_start": Sequence(Value("int32"))},
        }
    )
    return DatasetDict({"test": Dataset.from_list(_read_jsonl("qa.jsonl"), features=features)})


def load_ner() -> DatasetDict:
    """Sentences tagged with BIO labels over PER, ORG, LOC and MISC.

    Splits "train" and "test" (from the ``split`` field of each line); columns ``id``,
    ``tokens`` and ``ner_tags`` (a Sequence of ClassLabel with names NER_LABELS).
    """
    features = Features(
        {
            "id": Value("string"),
            "tokens": Sequence(Value("string")),
            "ner_tags": Sequence(ClassLabel(names=NER_LABELS)),
        }
    )
    rows = _read_jsonl("ner.jsonl")
    return DatasetDict(
        {
            split: Dataset.from_list(
                [{k: r[k] for k in ("id", "tokens", "ner_tags")} for r in rows if r["split"] == split],
                features=features,
            )
            for split in ("train", "test")
        }
    )


def corpus_path() -> Path:
    """Path of the plain-text corpus (one paragraph per line), e.g. for training tokenizers."""
    return data_dir() / "corpus.txt"


def load_corpus() -> list[str]:
    """The corpus as a list of paragraphs (non-empty lines)."""
    text = corpus_path().read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]
