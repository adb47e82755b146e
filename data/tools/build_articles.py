"""Build data/articles.jsonl from data/tools/articles/*.txt.

Source format: a block per article, opened by "=== <id>", then "title: ...",
"summary: ...", a line "---" and the body, one paragraph per line. In the JSON the body's
paragraphs are joined with a newline.

Run from the repository root:  python data/tools/build_articles.py
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]


def parse(text: str) -> list[dict[str, str]]:
    articles = []
    for block in text.split("=== ")[1:]:
        head, _, body = block.partition("\n---\n")
        lines = head.splitlines()
        fields = dict(line.split(": ", 1) for line in lines[1:] if line.strip())
        paragraphs = [p.strip() for p in body.splitlines() if p.strip() and not p.startswith("#")]
        articles.append(
            {
                "id": lines[0].strip(),
                "title": fields["title"],
                "article": "\n".join(paragraphs),
                "summary": fields["summary"],
            }
        )
    return articles


def main() -> None:
    articles = []
    for path in sorted((DATA / "tools" / "articles").glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        articles.extend(parse("\n".join(lines)))
    with open(DATA / "articles.jsonl", "w", encoding="utf-8") as f:
        for art in articles:
            f.write(json.dumps(art, ensure_ascii=False) + "\n")
    print(f"wrote {len(articles)} articles")


if __name__ == "__main__":
    main()
