"""Notebook housekeeping: strip outputs before committing, build the student copies."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat

__all__ = ["SOLUTION_TAG", "strip_outputs", "remove_solutions", "build_student"]

SOLUTION_TAG = "solution"
KEEP_METADATA = ("kernelspec", "language_info")


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and editor metadata; keep cell tags."""
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_METADATA}
    nb.metadata.setdefault(
        "kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"}
    )
    nb.metadata.pop("language_info", None)
    return nb


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def remove_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop every cell tagged ``solution`` (the student copy keeps the exercise stubs)."""
    nb.cells = [cell for cell in nb.cells if not is_solution(cell)]
    return nb


def strip_files(paths: Iterable[Path]) -> list[Path]:
    """Strip notebooks in place; return those that changed."""
    changed = []
    for path in paths:
        before = path.read_text(encoding="utf-8")
        nb = strip_outputs(nbformat.reads(before, as_version=4))
        after = nbformat.writes(nb) + "\n"
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed.append(path)
    return changed


def build_student(src: Path, dest: Path) -> list[Path]:
    """Write solution-free, output-free copies of ``src/*.ipynb`` into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(src.glob("*.ipynb")):
        nb = remove_solutions(strip_outputs(nbformat.read(path, as_version=4)))
        target = dest / path.name
        nbformat.write(nb, target)
        written.append(target)
    return written
