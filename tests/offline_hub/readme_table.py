"""The stand-in table of tests/offline_hub/README.md: ``python -m tests.offline_hub.readme_table`` writes it.

The registry (src/nlpcourse/registry.py) holds each checkpoint's tier and stand-in description; the
README shows them between two markers, and a test fails when the two differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().with_name("README.md")
BEGIN = "<!-- stand-in table: written by python -m tests.offline_hub.readme_table from the registry -->"
END = "<!-- end of the stand-in table -->"


def table() -> str:
    """The Markdown table: one row per registry checkpoint, with its pinned revision, tier and stand-in."""
    from nlpcourse.registry import CHECKPOINTS

    rows = ["| id | tier | files | what the tests load |", "| --- | --- | --- | --- |"]
    for ckpt in CHECKPOINTS:
        pin = f" (@{ckpt.revision})" if ckpt.revision else ""
        note = ckpt.note.replace("|", "\\|")
        rows.append(f"| `{ckpt.id}`{pin} | {ckpt.standin} | {ckpt.dtype} | {note} |")
    return "\n".join(rows)


def with_table(text: str) -> str:
    """``text`` (the README) with the part between the markers replaced by :func:`table`."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"the README needs the lines {BEGIN!r} and {END!r} around the table")
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> int:
    README.write_text(with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the stand-in table of {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
