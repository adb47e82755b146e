"""Validation of the course datasets in data/ and of the loaders in nlpcourse.data."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from nlpcourse import data as nd

DATA = Path(__file__).resolve().parents[1] / "data"
DOMAINS = {"movies", "products", "restaurants"}
SPLITS = ("train", "validation", "test")
# The notebooks' demo sentences must not be training items.
DEMO_SENTENCES = [
    "I love this course, it is wonderful!",
    "This was a boring waste of time.",
    "I love to hate this course",
]


def read_jsonl(name: str) -> list[dict[str, Any]]:
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def normalize(text: str) -> str:
    return " ".join(words(text))


def near_duplicates(texts: list[str], n: int = 3, threshold: float = 0.5) -> list[tuple[float, str, str]]:
    """Pairs whose word n-gram sets have Jaccard similarity >= threshold.

    Only pairs sharing at least one n-gram can reach the threshold, so candidates come from an
    inverted index instead of comparing all pairs.
    """
    grams = []
    for text in texts:
        toks = words(text)
        grams.append({tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1))})
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    candidates = {pair for ids in index.values() for pair in combinations(ids, 2)}
    found = []
    for a, b in candidates:
        jaccard = len(grams[a] & grams[b]) / len(grams[a] | grams[b])
        if jaccard >= threshold:
            found.append((jaccard, texts[a], texts[b]))
    return sorted(found, reverse=True)


@pytest.fixture(scope="module")
def reviews() -> list[dict[str, str]]:
    with open(DATA / "reviews.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- reviews


def test_reviews_schema(reviews: list[dict[str, str]]) -> None:
    with open(DATA / "reviews.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["id", "text", "label", "domain", "hard", "hard_type", "split"]
    ids = [int(r["id"]) for r in reviews]
    assert len(set(ids)) == len(ids)
    for r in reviews:
        assert r["text"] == r["text"].strip() and r["text"], r
        assert r["label"] in nd.REVIEW_LABELS, r
        assert r["domain"] in DOMAINS, r
        assert r["split"] in SPLITS, r
        assert r["hard"] in ("true", "false"), r
        if r["hard"] == "true":
            assert r["hard_type"] in nd.HARD_TYPES, r
        else:
            assert r["hard_type"] == "", r


def test_reviews_are_short(reviews: list[dict[str, str]]) -> None:
    for r in reviews:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", r["text"]) if s]
        assert 1 <= len(sentences) <= 4, r["text"]
        assert 3 <= len(r["text"].split()) <= 60, r["text"]


def test_reviews_counts_and_split_ratio(reviews: list[dict[str, str]]) -> None:
    assert len(reviews) >= 1200
    share = Counter(r["split"] for r in reviews)
    assert 0.66 <= share["train"] / len(reviews) <= 0.74
    for split in ("validation", "test"):
        assert 0.13 <= share[split] / len(reviews) <= 0.17, share


def test_reviews_balanced_per_split_and_domain(reviews: list[dict[str, str]]) -> None:
    cells = Counter((r["split"], r["domain"], r["label"]) for r in reviews)
    for split in SPLITS:
        for domain in DOMAINS:
            pos, neg = cells[(split, domain, "positive")], cells[(split, domain, "negative")]
            assert pos == neg > 0, (split, domain, pos, neg)


def test_hard_cases(reviews: list[dict[str, str]]) -> None:
    hard = [r for r in reviews if r["hard"] == "true"]
    assert len(hard) >= 150
    by_type = Counter(r["hard_type"] for r in hard)
    assert set(by_type) == set(nd.HARD_TYPES)
    assert min(by_type.values()) >= 20, by_type
    for split in SPLITS:
        in_split = [r for r in hard if r["split"] == split]
        assert {r["hard_type"] for r in in_split} == set(nd.HARD_TYPES), split
        assert {r["domain"] for r in in_split} == DOMAINS, split
        assert len(in_split) >= 0.1 * sum(r["split"] == split for r in reviews), split
    # hard cases of both polarities, so that "hard" does not leak the label
    assert {
        r["label"] for r in hard if r["hard_type"] in ("negation", "contrast", "mixed", "domain_flip")
    } == {
        "negative",
        "positive",
    }


def test_reviews_no_near_duplicates(reviews: list[dict[str, str]]) -> None:
    texts = [r["text"] for r in reviews]
    norm = Counter(normalize(t) for t in texts)
    assert [t for t, c in norm.items() if c > 1] == []
    assert near_duplicates(texts)[:5] == []


def test_near_duplicate_check_detects_pairs() -> None:
    texts = [
        "The soup was cold and the bread was stale.",
        "The soup was cold and the bread was old.",
        "Fine.",
    ]
    assert len(near_duplicates(texts)) == 1


def test_demo_sentences_not_in_data(reviews: list[dict[str, str]]) -> None:
    corpus = normalize((DATA / "corpus.txt").read_text(encoding="utf-8"))
    texts = [normalize(r["text"]) for r in reviews]
    for demo in map(normalize, DEMO_SENTENCES):
        assert demo not in corpus
        assert not any(demo in t for t in texts)


def test_tfidf_baseline_is_not_trivial(reviews: list[dict[str, str]]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train = [r for r in reviews if r["split"] == "train"]
    test = [r for r in reviews if r["split"] == "test"]
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
    model.fit([r["text"] for r in train], [r["label"] for r in train])
    correct = [p == r["label"] for p, r in zip(model.predict([r["text"] for r in test]), test, strict=True)]
    overall = sum(correct) / len(correct)
    hard = [c for c, r in zip(correct, test, strict=True) if r["hard"] == "true"]
    hard_acc = sum(hard) / len(hard)
    assert 0.70 <= overall <= 0.90, overall
    assert hard_acc <= overall - 0.05, (hard_acc, overall)


# ---------------------------------------------------------------- translations, articles, QA, NER


def test_translations() -> None:
    rows = read_jsonl("translations.jsonl")
    assert len(rows) >= 80
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({normalize(r["en"]) for r in rows}) == len(rows)
    for r in rows:
        assert set(r) <= {"id", "en", "fr", "de"}, r
        assert isinstance(r["en"], str) and r["en"].strip(), r
        for lang in ("fr", "de"):
            refs = r.get(lang, [])
            assert isinstance(refs, list), r
            assert all(isinstance(s, str) and s.strip() and s != r["en"] for s in refs), r
        assert r["fr"], r


def test_articles() -> None:
    rows = read_jsonl("articles.jsonl")
    assert len(rows) >= 30
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["title"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == {"id", "title", "article", "summary"}, r["id"]
        assert 150 <= len(r["article"].split()) <= 350, r["id"]
        sentences = re.findall(r"[^.!?]+[.!?]+(?=\s|$)", r["summary"])
        assert 1 <= len(sentences) <= 3, (r["id"], r["summary"])
        assert len(r["summary"].split()) < len(r["article"].split()) / 3, r["id"]


def test_qa_spans_match() -> None:
    rows = read_jsonl("qa.jsonl")
    assert len(rows) >= 100
    assert len({r["context"] for r in rows}) >= 25
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == {"id", "title", "context", "question", "answers"}, r["id"]
        assert r["question"].endswith("?"), r["id"]
        answers = r["answers"]
        assert len(answers["text"]) == len(answers["answer_start"]) >= 1, r["id"]
        for text, start in zip(answers["text"], answers["answer_start"], strict=True):
            assert text and r["context"][start : start + len(text)] == text, (r["id"], text, start)


def bio_errors(tags: list[str]) -> list[str]:
    """Problems in a BIO tag sequence: unknown tags, or I-X not preceded by B-X / I-X."""
    errors, prev = [], "O"
    for i, tag in enumerate(tags):
        if tag not in nd.NER_LABELS:
            errors.append(f"{i}: unknown tag {tag}")
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            errors.append(f"{i}: {tag} after {prev}")
        prev = tag
    return errors


def test_bio_checker_catches_errors() -> None:
    assert bio_errors(["B-PER", "I-PER", "O", "B-LOC"]) == []
    assert bio_errors(["O", "I-PER"]) and bio_errors(["B-ORG", "I-LOC"]) and bio_errors(["B-XYZ"])


def test_ner() -> None:
    rows = read_jsonl("ner.jsonl")
    assert len(rows) >= 200
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert len(r["tokens"]) == len(r["ner_tags"]) > 0, r["id"]
        assert all(isinstance(t, str) and t and " " not in t for t in r["tokens"]), r["id"]
        assert bio_errors(r["ner_tags"]) == [], r["id"]
    splits = Counter(r["split"] for r in rows)
    assert set(splits) == {"train", "test"} and splits["test"] >= 30
    for split in splits:
        kinds = {t[2:] for r in rows if r["split"] == split for t in r["ner_tags"] if t != "O"}
        assert kinds == {"PER", "ORG", "LOC", "MISC"}, split


def test_corpus() -> None:
    text = (DATA / "corpus.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert all(line.strip() == line and line for line in lines)
    assert len(text.split()) >= 20_000
    for abbreviation in ("Dr.", "Mr.", "e.g.", "U.S.", "a.m.", "i.e."):
        # mid-sentence uses, which Punkt needs to learn the abbreviation
        assert len(re.findall(re.escape(abbreviation) + r" [a-z0-9A-Z]", text)) >= 5, abbreviation


# ---------------------------------------------------------------- loaders


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(nd.ENV_VAR, raising=False)
    assert (nd.data_dir() / "reviews.csv").is_file()
    monkeypatch.setenv(nd.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=nd.ENV_VAR):
        nd.data_dir()
    (tmp_path / "reviews.csv").write_text("id,text,label,domain,hard,hard_type,split\n", encoding="utf-8")
    assert nd.data_dir() == tmp_path.resolve()


def test_load_reviews(reviews: list[dict[str, str]]) -> None:
    ds = nd.load_reviews()
    assert list(ds) == list(SPLITS)
    features = ds["train"].features
    assert features["label"].names == ["negative", "positive"]
    assert set(features) == {"id", "text", "label", "domain", "hard", "hard_type"}
    assert features["hard"].dtype == "bool" and features["id"].dtype.startswith("int")
    for split in SPLITS:
        rows = [r for r in reviews if r["split"] == split]
        assert ds[split].num_rows == len(rows)
    first = ds["test"][0]
    source = next(r for r in reviews if int(r["id"]) == first["id"])
    assert first["text"] == source["text"]
    assert features["label"].int2str(first["label"]) == source["label"]
    assert first["hard"] == (source["hard"] == "true") and first["hard_type"] == source["hard_type"]


def test_load_ner() -> None:
    ds = nd.load_ner()
    assert set(ds) == {"train", "test"}
    tags = ds["train"].features["ner_tags"]
    assert tags.feature.names == nd.NER_LABELS
    assert ds["train"].num_rows + ds["test"].num_rows == len(read_jsonl("ner.jsonl"))
    row = ds["train"][0]
    assert len(row["tokens"]) == len(row["ner_tags"]) and all(isinstance(t, int) for t in row["ner_tags"])


def test_load_qa_translations_articles() -> None:
    qa = nd.load_qa()["test"]
    row = qa[0]
    start, text = row["answers"]["answer_start"][0], row["answers"]["text"][0]
    assert row["context"][start : start + len(text)] == text
    tr = nd.load_translations()["test"]
    assert tr.num_rows == len(read_jsonl("translations.jsonl"))
    assert isinstance(tr[0]["fr"], list) and isinstance(tr[0]["de"], list)
    arts = nd.load_articles()["test"]
    assert arts.column_names == ["id", "title", "article", "summary"]


def test_load_corpus() -> None:
    paragraphs = nd.load_corpus()
    assert nd.corpus_path().is_file()
    assert len(paragraphs) == len((DATA / "corpus.txt").read_text(encoding="utf-8").splitlines())
    assert all(p.strip() for p in paragraphs)
