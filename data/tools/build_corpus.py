"""Build data/corpus.txt: one paragraph per line.

Sources, in order: the essays in data/tools/corpus/*.txt (written for the course), the
articles in data/articles.jsonl (title, then body), the English side of
data/translations.jsonl (grouped five sentences to a paragraph) and every review in
data/reviews.csv (one review per line). Missing optional sources are skipped.

Run from the repository root:  python data/tools/build_corpus.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]


def essays() -> list[str]:
    lines: list[str] = []
    for path in sorted((DATA / "tools" / "corpus").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                lines.append(line.strip())
    return lines


def jsonl(name: str) -> list[dict]:
    path = DATA / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    paragraphs = essays()
    for art in jsonl("articles.jsonl"):
        paragraphs.append(art["title"])
        paragraphs.extend(p.strip() for p in art["article"].split("\n") if p.strip())
    english = [pair["en"] for pair in jsonl("translations.jsonl")]
    paragraphs.extend(" ".join(english[i : i + 5]) for i in range(0, len(english), 5))
    with open(DATA / "reviews.csv", encoding="utf-8", newline="") as f:
        paragraphs.extend(row["text"] for row in csv.DictReader(f))
    text = "\n".join(paragraphs) + "\n"
    (DATA / "corpus.txt").write_text(text, encoding="utf-8")
    print(f"wrote {len(paragraphs)} paragraphs, {len(text.split())} words to {DATA / 'corpus.txt'}")


if __name__ == "__main__":
    main()
