"""Rebuild every dataset in data/ from the hand-written sources in data/tools/, in order.

Run from the repository root:  python data/tools/build_all.py
"""

from __future__ import annotations

import runpy
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ORDER = ["build_reviews", "build_articles", "build_qa", "build_translations", "build_ner", "build_corpus"]

if __name__ == "__main__":
    for name in ORDER:
        runpy.run_path(str(TOOLS / f"{name}.py"), run_name="__main__")
