"""Build data/ner.jsonl from data/tools/ner_source.txt.

Source format: one sentence per line with entities marked as [text|TYPE]. Sentences are
tokenized with a small regular expression (punctuation and possessive 's split off,
abbreviations such as "Dr." and "U.S." kept whole) and tagged in the BIO scheme. Every
fifth sentence goes to the test split, the rest to train.

Run from the repository root:  python data/tools/build_ner.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
ENTITY = re.compile(r"\[([^\]|]+)\|(PER|ORG|LOC|MISC)\]")
TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|St|Prof|Ltd|Inc|Co)\.|\d+(?:[.,:]\d+)*|'s\b|\w+(?:-\w+)*|[^\w\s]"
)


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text)


def tag(sentence: str) -> tuple[list[str], list[str]]:
    tokens: list[str] = []
    tags: list[str] = []
    pos = 0
    for m in ENTITY.finditer(sentence):
        outside = tokenize(sentence[pos : m.start()])
        tokens += outside
        tags += ["O"] * len(outside)
        inside = tokenize(m.group(1))
        tokens += inside
        tags += [f"B-{m.group(2)}"] + [f"I-{m.group(2)}"] * (len(inside) - 1)
        pos = m.end()
    rest = tokenize(sentence[pos:])
    return tokens + rest, tags + ["O"] * len(rest)


def main() -> None:
    lines = [
        line.strip()
        for line in (DATA / "tools" / "ner_source.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    with open(DATA / "ner.jsonl", "w", encoding="utf-8") as f:
        for i, line in enumerate(lines):
            if "[" in ENTITY.sub("", line) or "]" in ENTITY.sub("", line):
                raise ValueError(f"malformed entity markup: {line}")
            tokens, tags = tag(line)
            row = {
                "id": f"ner{i + 1:03d}",
                "tokens": tokens,
                "ner_tags": tags,
                "split": "test" if i % 5 == 4 else "train",
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} sentences")


if __name__ == "__main__":
    main()
