"""Every stored notebook has the course's shape: see shared notebook-style rules in the README."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from nlpcourse import _meta

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
# Older APIs that transformers 5 / datasets 5 removed; allowed only in prose that warns about them.
REMOVED_API = re.compile(
    r"evaluation_strategy|grouped_entities|return_all_scores|encode_plus|load_metric|no_cuda|"
    r"as_target_tokenizer|torch_dtype=|Trainer\([^)]*\btokenizer=|"
    r"pipeline\(\s*[\"'](summarization|translation|text2text-generation|question-answering|conversational)"
)
SKIP_REASONS = ("push_to_hub", "notebook_login", "login(")

ids = [p.name for p in NOTEBOOKS]


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks_numbered_without_gaps():
    assert NOTEBOOKS, "notebooks/ is empty"
    numbers = []
    for path in NOTEBOOKS:
        match = NAME.match(path.name)
        assert match, f"{path.name}: name notebooks NN_topic.ipynb (lower case, underscores)"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(len(numbers))), f"numbers must run 00, 01, ... without gaps: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_valid_nbformat4_without_outputs(path: Path):
    nb = load(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `make strip`"
    assert set(nb.metadata) <= {"kernelspec"}, (
        f"{path.name}: extra metadata {set(nb.metadata)}; run `make strip`"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_title_cell_with_badge_and_runtimes(path: Path):
    first = load(path).cells[0]
    assert first.cell_type == "markdown"
    number = path.name[:2]
    assert re.match(rf"# {number} · \S", first.source), f"{path.name}: title must start '# {number} · Topic'"
    assert _meta.colab_badge(path.name) in first.source, (
        f"{path.name}: badge must be {_meta.colab_badge(path.name)}"
    )
    for needed in ("You will learn", "Prerequisites", "Runtime"):
        assert needed in first.source, f"{path.name}: title cell lacks '{needed}'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_setup_cell_comes_first(path: Path):
    code = [c for c in load(path).cells if c.cell_type == "code"]
    assert code and code[0].source == _meta.SETUP_CELL, f"{path.name}: first code cell must be the setup cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_chapter_shape(path: Path):
    headings = [c.source for c in load(path).cells if c.cell_type == "markdown"]
    text = "\n".join(headings)
    for section in ("## Summary", "## Further reading"):
        assert section in text, f"{path.name}: missing '{section}'"
    if path.name != "00_setup.ipynb":
        assert "## Exercises" in text, f"{path.name}: missing '## Exercises'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_solutions_are_tagged_code_cells_and_skips_have_reasons(path: Path):
    for i, cell in enumerate(load(path).cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "solution" in tags:
            assert cell.cell_type == "code", f"{path.name} cell {i}: only code cells are solutions"
        if cell.cell_type == "code" and "NBVAL_SKIP" in cell.source:
            assert any(r in cell.source for r in SKIP_REASONS), (
                f"{path.name} cell {i}: NBVAL_SKIP is only for cells that cannot run in CI by nature"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_removed_api_outside_warnings(path: Path):
    for i, cell in enumerate(load(path).cells):
        for line in cell.source.splitlines():
            if REMOVED_API.search(line) and "older tutorials" not in line.lower():
                pytest.fail(f"{path.name} cell {i}: removed API in {line.strip()!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_hard_coded_cuda(path: Path):
    pattern = re.compile(r"\.cuda\(\)|device\s*=\s*[\"']cuda")
    for i, cell in enumerate(load(path).cells):
        if cell.cell_type == "code":
            assert not pattern.search(cell.source), f"{path.name} cell {i}: take the device from setup()"


def test_every_notebook_is_in_the_readme_chapter_table():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"](notebooks/{path.name})" in readme, f"README chapter table lacks {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_output_markers_that_do_nothing(path: Path):
    # --nbval-lax compares no outputs, so output markers would only be noise in what learners read
    for i, cell in enumerate(load(path).cells):
        for marker in ("NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT", "NBVAL_RAISES_EXCEPTION"):
            assert marker not in cell.source, f"{path.name} cell {i}: {marker} does nothing under --nbval-lax"
