"""Build data/reviews.csv from the hand-written sources in data/tools/reviews/.

Each source file holds the reviews of one (domain, label) pair, one per line. A hard case
starts with "<hard_type> | ". Splits are assigned deterministically (seeded), stratified so
that every (split, domain) cell has as many positive as negative reviews and the hard
cases are spread over train, validation and test in proportion.

Run from the repository root:  python data/tools/build_reviews.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
SOURCES = DATA / "tools" / "reviews"
DOMAINS = ("movies", "products", "restaurants")
LABELS = ("negative", "positive")
HARD_TYPES = ("negation", "contrast", "sarcasm", "mixed", "domain_flip")
FRACTIONS = {"validation": 0.15, "test": 0.15}
SEED = 4


def read_source(path: Path) -> list[tuple[str, str]]:
    """Return (text, hard_type) pairs; hard_type is "" for ordinary reviews."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        hard_type, sep, text = line.partition(" | ")
        if not sep:
            hard_type, text = "", line
        if hard_type and hard_type not in HARD_TYPES:
            raise ValueError(f"{path.name}: unknown hard type {hard_type!r}")
        items.append((text.strip(), hard_type))
    return items


def allocate(n: int) -> dict[str, int]:
    """Split sizes for n items: validation and test rounded, train takes the rest."""
    sizes = {name: round(n * frac) for name, frac in FRACTIONS.items()}
    return {"train": n - sum(sizes.values()), **sizes}


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for domain in DOMAINS:
        groups = {label: read_source(SOURCES / f"{domain}_{label}.txt") for label in LABELS}
        n = min(len(items) for items in groups.values())
        for label, items in groups.items():
            hard = [it for it in items if it[1]]
            easy = [it for it in items if not it[1]]
            rng.shuffle(hard)
            rng.shuffle(easy)
            easy = easy[: n - len(hard)]  # equal size per label; surplus ordinary reviews dropped
            total, hard_sizes = allocate(n), allocate(len(hard))
            for split in ("train", "validation", "test"):
                take_hard, hard = hard[: hard_sizes[split]], hard[hard_sizes[split] :]
                k = total[split] - len(take_hard)
                take_easy, easy = easy[:k], easy[k:]
                for text, hard_type in take_hard + take_easy:
                    rows.append([text, label, domain, hard_type, split])
    rng.shuffle(rows)
    order = {"train": 0, "validation": 1, "test": 2}
    rows.sort(key=lambda r: order[r[4]])
    with open(DATA / "reviews.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "text", "label", "domain", "hard", "hard_type", "split"])
        for i, (text, label, domain, hard_type, split) in enumerate(rows, start=1):
            w.writerow([i, text, label, domain, "true" if hard_type else "false", hard_type, split])
    print(f"wrote {len(rows)} reviews to {DATA / 'reviews.csv'}")


if __name__ == "__main__":
    main()
