"""Build data/translations.jsonl from data/tools/translations_source.txt.

Source format: blocks separated by blank lines, each with one "en:" line, one or more
"fr:" lines and optional "de:" lines (each a reference translation).

Run from the repository root:  python data/tools/build_translations.py
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]


def main() -> None:
    text = (DATA / "tools" / "translations_source.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    pairs = []
    for block in "\n".join(lines).split("\n\n"):
        refs: dict[str, list[str]] = {}
        for line in block.strip().splitlines():
            lang, _, sentence = line.partition(": ")
            refs.setdefault(lang, []).append(sentence.strip())
        if not refs:
            continue
        row: dict[str, object] = {
            "id": f"tr{len(pairs) + 1:03d}",
            "en": refs.pop("en")[0],
            "fr": refs.pop("fr"),
        }
        if "de" in refs:
            row["de"] = refs.pop("de")
        if refs:
            raise ValueError(f"unknown language in block: {block!r}")
        pairs.append(row)
    with open(DATA / "translations.jsonl", "w", encoding="utf-8") as f:
        for row in pairs:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(pairs)} pairs, {sum('de' in p for p in pairs)} with German")


if __name__ == "__main__":
    main()
