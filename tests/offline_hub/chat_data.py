"""Conversations built from the course data, for the instruction-tuned chat stand-in.

Each conversation is a list of ``{"role", "content"}`` messages whose last message is the assistant's
reply: a sentiment label (zero-shot, and one- or few-shot as earlier chat turns), a JSON object, a
French translation, a summary, an answer taken from a context, or "I don't know." when the context
does not hold the answer. Reviews come from the train split only; the first :data:`HELD_OUT_ARTICLES`
articles, :data:`HELD_OUT_TRANSLATIONS` translations and the questions on those articles are left out,
so that scores measured on them are not scores on training data.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

HELD_OUT_ARTICLES = 5
HELD_OUT_TRANSLATIONS = 10
SENTIMENT_INSTRUCTIONS = (
    "Is the sentiment of this review positive or negative? Answer with one word: positive or negative.",
    "Classify the review as positive or negative. Reply with one word.",
    "Is this review positive or negative?",
)
JSON_INSTRUCTION = (
    'Reply with a JSON object only, with the keys "sentiment" ("positive" or "negative") and "domain" '
    '("movies", "products" or "restaurants").'
)
QA_INSTRUCTION = (
    "Answer the question using only the context. If the context does not contain the answer, "
    "reply exactly: I don't know."
)
UNKNOWN = "I don't know."

Message = dict[str, str]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _user(text: str) -> Message:
    return {"role": "user", "content": text}


def _assistant(text: str) -> Message:
    return {"role": "assistant", "content": text}


def _sentiment(instruction: str, review: dict[str, str]) -> list[Message]:
    return [_user(f"{instruction}\n\nReview: {review['text']}"), _assistant(review["label"])]


def conversations(data: Path, seed: int = 0) -> list[list[Message]]:
    """Every training conversation, in a fixed shuffled order."""
    rng = random.Random(seed)
    with (data / "reviews.csv").open(newline="", encoding="utf-8") as fh:
        reviews = [r for r in csv.DictReader(fh) if r["split"] == "train"]
    out: list[list[Message]] = []
    for review in reviews:  # zero-shot
        out.append(_sentiment(rng.choice(SENTIMENT_INSTRUCTIONS), review))
    for _ in range(len(reviews) // 3):  # one- to four-shot, the examples as earlier turns
        instruction = rng.choice(SENTIMENT_INSTRUCTIONS)
        shots = rng.sample(reviews, rng.randint(2, 5))
        out.append([m for review in shots for m in _sentiment(instruction, review)])
    for review in rng.sample(reviews, len(reviews) // 3):
        reply = json.dumps({"sentiment": review["label"], "domain": review["domain"]})
        out.append([_user(f"{JSON_INSTRUCTION}\n\nReview: {review['text']}"), _assistant(reply)])
    for pair in _jsonl(data / "translations.jsonl")[HELD_OUT_TRANSLATIONS:]:
        out.append([_user(f"Translate into French: {pair['en']}"), _assistant(pair["fr"][0])])
    articles = _jsonl(data / "articles.jsonl")
    held_out = {a["title"] for a in articles[:HELD_OUT_ARTICLES]}
    for article in articles[HELD_OUT_ARTICLES:]:
        first = article["article"].split("\n")[0]  # the lead paragraph keeps the sequences short
        out.append([_user(f"Summarize this text in one sentence.\n\n{first}"),
                    _assistant(article["summary"].split(". ")[0].rstrip(".") + ".")])
    questions = [q for q in _jsonl(data / "qa.jsonl") if q["title"] not in held_out]
    for q in questions:
        other = rng.choice([o for o in questions if o["title"] != q["title"]])
        for context, answer in ((q["context"], q["answers"]["text"][0]), (other["context"], UNKNOWN)):
            prompt = f"{QA_INSTRUCTION}\n\nContext: {context}\n\nQuestion: {q['question']}"
            out.append([_user(prompt), _assistant(answer)])
    rng.shuffle(out)
    return out
