"""Notebook housekeeping: strip outputs before committing (nbstripout), build the student copies
(nbconvert's TagRemovePreprocessor)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat

__all__ = ["SOLUTION_TAG", "build_student", "is_solution", "remove_solutions", "strip_outputs"]

SOLUTION_TAG = "solution"
#: Editor and Colab metadata that nbstripout removes on top of outputs and execution counts; the
#: hygiene test allows nothing but ``kernelspec`` in a stored notebook's metadata.
EXTRA_KEYS = (
    "metadata.signature", "metadata.widgets", "metadata.language_info", "metadata.vscode",
    "metadata.colab", "metadata.accelerator", "metadata.gpuClass", "metadata.toc",
    "cell.metadata.collapsed", "cell.metadata.scrolled", "cell.metadata.ExecuteTime",
    "cell.metadata.execution", "cell.metadata.heading_collapsed", "cell.metadata.hidden",
    "cell.metadata.colab", "cell.metadata.id", "cell.metadata.outputId", "cell.metadata.editable",
    "cell.metadata.deletable", "cell.metadata.jp-MarkdownHeadingCollapsed",
)


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and editor metadata with nbstripout; keep ids and tags."""
    from nbstripout import strip_output

    return strip_output(nb, keep_output=False, keep_count=False, keep_id=True, extra_keys=list(EXTRA_KEYS))


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def remove_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop every cell tagged ``solution`` (the student copy keeps the exercise stubs)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, enabled=True)
    nb, _ = remover.preprocess(nb, {})
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
