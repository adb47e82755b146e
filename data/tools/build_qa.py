"""Build data/qa.jsonl (SQuAD form) from data/tools/qa_source.txt and data/articles.jsonl.

Each context is one paragraph of an article. An answer must occur exactly once in its
context, unless the line gives a third field: the 0-based occurrence to use.

Run from the repository root, after build_articles.py:  python data/tools/build_qa.py
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]


def main() -> None:
    articles = {}
    for line in (DATA / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        art = json.loads(line)
        articles[art["id"]] = art
    rows, context, title = [], "", ""
    for line in (DATA / "tools" / "qa_source.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=== "):
            art_id, par = line[4:].split()
            title = articles[art_id]["title"]
            context = articles[art_id]["article"].split("\n")[int(par)]
            continue
        question, answer, *occurrence = (part.strip() for part in line.split("|||"))
        if not occurrence and context.count(answer) != 1:
            raise ValueError(f"answer {answer!r} occurs {context.count(answer)} times in: {context[:60]}...")
        start = -1
        for _ in range(int(occurrence[0]) + 1 if occurrence else 1):
            start = context.index(answer, start + 1)
        rows.append(
            {
                "id": f"qa{len(rows) + 1:03d}",
                "title": title,
                "context": context,
                "question": question,
                "answers": {"text": [answer], "answer_start": [start]},
            }
        )
    with open(DATA / "qa.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} questions over {len({r['context'] for r in rows})} contexts")


if __name__ == "__main__":
    main()
