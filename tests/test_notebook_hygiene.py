"""Every stored notebook has the course's shape: see shared notebook-style rules in the README."""

from __future__ import annotations

import io
import re
import tokenize
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
# Learners never meet the offline stand-ins or the test run: lesson text speaks of the learner's run.
# 00_setup's offline section explains how the course is tested, so it may name them.
TEST_MACHINERY = re.compile(r"\bstand-?ins?\b|\btest[- ]runs?\b", re.IGNORECASE)
SOURCES = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py") if not p.name.startswith("00_"))

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


def mentions_of_test_machinery(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment in a notebook's paired .py that names a stand-in or the test run.

    In jupytext's percent format the markdown cells are comments too, so this reads both the lesson's
    prose and the code's comments; strings and code are not prose and are left alone. A phrase wrapped
    onto the next comment line ("the test" / "# run") counts on the line where it starts.
    """
    comments = {
        token.start[0]: token.string.rstrip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    found = []
    for line, text in comments.items():
        joined = text + " " + comments.get(line + 1, "").lstrip("# ")
        if any(m.start() < len(text) for m in TEST_MACHINERY.finditer(joined)):
            found.append((line, text))
    return found


def test_the_machinery_check_catches_a_bad_line():
    source = (
        "# %% [markdown]\n"
        "# Transformers suit understanding tasks.\n"  # "understanding" is not a stand-in
        "# The offline Test Run's small stand-in reaches 0.86.\n"
        "\n"
        "# %%\n"
        'label = "stand-in"  # the stand-ins: 0.85 against 0.74\n'
        "assert within > across  # this run's numbers are printed above\n"
        "# measured in the offline test\n"
        "# run, not on your machine\n"
    )
    assert mentions_of_test_machinery(source) == [
        (3, "# The offline Test Run's small stand-in reaches 0.86."),
        (6, "# the stand-ins: 0.85 against 0.74"),
        (8, "# measured in the offline test"),
    ]


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_lesson_text_never_mentions_the_stand_ins_or_the_test_run(path: Path):
    found = mentions_of_test_machinery(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: speak of the learner's run, not of the offline tests:\n" + "\n".join(
        f"  notebooks/{path.name}:{line}: {text.strip()}" for line, text in found
    )
