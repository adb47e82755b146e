"""The per-notebook table (build/notebook-times.*) marks a notebook failed when any of its cells fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent
PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["tests", "notebooks"]
addopts = "--nbval-lax --nbval-current-env -p no:cacheprovider"
"""


def write_notebook(path: Path, *sources: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)


def project(root: Path) -> Path:
    """A project laid out like this one: tests/conftest.py beside notebooks/; returns notebooks/."""
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "tests").mkdir()
    for name in ("conftest.py", "notebook_times.py"):
        shutil.copy(HERE / name, root / "tests" / name)
    (root / "tests" / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (root / "notebooks").mkdir()
    return root / "notebooks"


def run_pytest(root: Path, *args: str) -> tuple[int, dict[str, dict], str, str]:
    """Run pytest there as `make test` does: exit code, JSON rows by notebook, Markdown table, log."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args], cwd=root, capture_output=True, text=True, timeout=300
    )
    rows = json.loads((root / "build/notebook-times.json").read_text())
    table = (root / "build/notebook-times.md").read_text()
    return result.returncode, {row["notebook"]: row for row in rows}, table, result.stdout + result.stderr


@pytest.mark.parametrize("workers", [[], ["-n", "2", "--dist", "loadfile"]], ids=["serial", "xdist"])
def test_a_failing_cell_marks_its_notebook_failed(tmp_path: Path, workers: list[str]):
    notebooks = project(tmp_path)
    write_notebook(notebooks / "01_passes.ipynb", "x = 1", "assert x == 1")
    # the failing cell is neither the first nor the last, as in the run that hid a failure
    write_notebook(notebooks / "02_fails.ipynb", "x = 1", "assert x == 2, 'fails on purpose'", "y = 3")
    # a kernel that holds 200 MB for a while: the peak must reach the table from an xdist worker too
    hold = ("import time", "block = b'x' * (200 * 2**20)", "time.sleep(1.5)")
    write_notebook(notebooks / "03_memory.ipynb", *hold)
    code, rows, table, log = run_pytest(tmp_path, *workers)
    assert code == 1, log
    assert {name: row["passed"] for name, row in rows.items()} == {
        "01_passes.ipynb": True,
        "02_fails.ipynb": False,
        "03_memory.ipynb": True,
    }, log
    assert rows["01_passes.ipynb"]["seconds"] > 0 and rows["02_fails.ipynb"]["seconds"] > 0
    assert rows["03_memory.ipynb"]["seconds"] >= 1.5, rows
    assert rows["03_memory.ipynb"]["peak_kernel_mb"] > 200, rows
    assert "| 02_fails.ipynb |" in table and table.count("| False |") == 1, table


def test_a_notebook_that_cannot_be_read_is_listed_as_failed(tmp_path: Path):
    (project(tmp_path) / "01_unreadable.ipynb").write_text("{ not json")
    code, rows, _, log = run_pytest(tmp_path)
    assert code == 2, log  # a collection error stops the run
    assert rows == {
        "01_unreadable.ipynb": {
            "notebook": "01_unreadable.ipynb",
            "seconds": 0.0,
            "peak_kernel_mb": 0,
            "passed": False,
        }
    }, log


def test_worker_scope_keeps_a_file_together_and_joins_notebooks_that_share_files():
    from tests.conftest import READS_FROM, worker_scope

    assert worker_scope("notebooks/05_x.ipynb::Cell 3") == "notebooks/05_x.ipynb"
    assert worker_scope("tests/test_a.py::test_b[1]") == "tests/test_a.py"
    for reader, writer in READS_FROM.items():
        assert worker_scope(f"notebooks/{reader}::Cell 0") == worker_scope(f"notebooks/{writer}::Cell 9")
        assert reader > writer, "the notebook that writes must come first in collection order"
