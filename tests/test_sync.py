"""sync-notebooks: the setup cell, badge and runtime line come from one definition each, and every
notebook and its paired jupytext source are what the command would write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nlpcourse import _meta, sync

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUNTIMES = ROOT / "benchmarks" / "runtimes.json"
ids = [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_is_what_sync_writes(path: Path):
    stored = nbformat.read(path, as_version=4)
    runtime = sync.load_runtimes(RUNTIMES).get(path.name, sync.Runtime())
    expected = sync.sync_notebook(nbformat.read(path, as_version=4), path.name, runtime)
    assert stored.cells[0].source == expected.cells[0].source, (
        f"{path.name}: title cell differs from its badge/runtime definitions; run `make sync`"
    )
    code = [c.source for c in stored.cells if c.cell_type == "code"]
    assert code[0] == _meta.SETUP_CELL, f"{path.name}: setup cell differs from _meta.SETUP_CELL; `make sync`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_paired_source_is_in_sync(path: Path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no paired source {script.name}; run `make sync`"
    expected = sync.paired_source(nbformat.read(path, as_version=4))
    assert script.read_text(encoding="utf-8") == expected, (
        f"{script.name} and {path.name} differ; edit one and run `make sync`"
    )


def test_readme_times_are_the_recorded_ones():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == sync.sync_readme(readme, sync.load_runtimes(RUNTIMES)), (
        "README's CPU/GPU columns differ from benchmarks/runtimes.json; run `make sync`"
    )


def test_every_notebook_has_a_recorded_runtime():
    assert set(sync.load_runtimes(RUNTIMES)) == {p.name for p in NOTEBOOKS}


def make_notebook(path: Path, title: str, first_code: str = "x = 1") -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nb.cells = [
        nbformat.v4.new_markdown_cell(title),
        nbformat.v4.new_code_cell(_meta.SETUP_CELL),
        nbformat.v4.new_code_cell(first_code),
        nbformat.v4.new_code_cell("y = 2", metadata={"tags": ["solution"]}),
    ]
    nbformat.write(nb, path)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    old_badge = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://old/x)"
    make_notebook(
        tmp_path / "notebooks" / "03_x.ipynb",
        f"# 03 · X\n\n{old_badge}\n\nWhy.\n\n**Runtime:** CPU about 5 s; GPU: old words.\n\n**Next:** more.",
    )
    (tmp_path / "README.md").write_text(
        "| Notebook | Topics | CPU time | GPU time | Download |\n"
        "| [03 · X](notebooks/03_x.ipynb) | t | – | – | 1 MB |\n"
    )
    (tmp_path / "runtimes.json").write_text(json.dumps({"notebooks": {"03_x.ipynb": {"cpu_s": 125.0}}}))
    return tmp_path


def test_sync_writes_badge_runtime_readme_and_pair(course: Path):
    nb_path = course / "notebooks" / "03_x.ipynb"
    changed = sync.sync_all(course / "notebooks", course / "README.md", course / "runtimes.json")
    assert set(changed) == {nb_path, nb_path.with_suffix(".py"), course / "README.md"}
    title = nbformat.read(nb_path, as_version=4).cells[0].source
    assert _meta.colab_badge("03_x.ipynb") in title and "https://old/x" not in title
    assert "CPU about 2.1 min; GPU: not measured yet." in title.replace("\n", " ")
    assert title.endswith("**Next:** more.") and "old words" not in title
    assert "| [03 · X](notebooks/03_x.ipynb) | t | 2.1 min | not measured yet | 1 MB |" in (
        course / "README.md"
    ).read_text()
    script = nb_path.with_suffix(".py").read_text()
    assert script.startswith("# %% [markdown]\n# # 03 · X") and '# %% tags=["solution"]\ny = 2' in script
    # a second run changes nothing
    assert sync.sync_all(course / "notebooks", course / "README.md", course / "runtimes.json") == []


def test_an_edit_to_the_paired_source_reaches_the_notebook(course: Path):
    nb_path = course / "notebooks" / "03_x.ipynb"
    sync.sync_all(course / "notebooks", course / "README.md", course / "runtimes.json")
    ids_before = [c.id for c in nbformat.read(nb_path, as_version=4).cells]
    script = nb_path.with_suffix(".py")
    script.write_text(script.read_text().replace("x = 1", "x = 41 + 1"))
    os.utime(script, (nb_path.stat().st_mtime + 5,) * 2)
    assert nb_path in sync.sync_all(course / "notebooks", course / "README.md", course / "runtimes.json")
    nb = nbformat.read(nb_path, as_version=4)
    assert nb.cells[2].source == "x = 41 + 1"
    assert [c.id for c in nb.cells] == ids_before  # ids and tags survive the round trip
    assert nb.cells[3].metadata["tags"] == ["solution"] and set(nb.metadata) == {"kernelspec"}


def test_changing_the_repository_url_is_one_edit_plus_the_command(tmp_path: Path):
    """On a throwaway copy: edit REPO_URL in _meta.py, run the command, and every notebook follows."""
    copy = tmp_path / "course"
    for part in ("notebooks", "src", "benchmarks"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", copy / "README.md")
    meta = copy / "src" / "nlpcourse" / "_meta.py"
    meta.write_text(meta.read_text().replace(_meta.REPO_URL, "https://github.com/someone/fork"))
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    command = [sys.executable, "-m", "nlpcourse", "sync-notebooks"]
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in sorted((copy / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        text = path.read_text() + path.with_suffix(".py").read_text()
        assert _meta.REPO_URL not in text, path.name
        assert "github/someone/fork/blob/main/notebooks/" + path.name in text
        assert "nlpcourse @ git+https://github.com/someone/fork" in text


def test_record_copies_passed_times_only(tmp_path: Path):
    times = tmp_path / "times.json"
    times.write_text(
        json.dumps([
            {"notebook": "01_a.ipynb", "seconds": 7.4, "peak_kernel_mb": 1, "passed": True},
            {"notebook": "02_b.ipynb", "seconds": 3.0, "peak_kernel_mb": 1, "passed": False},
        ])
    )
    target = tmp_path / "runtimes.json"
    before = {"measured": "m", "notebooks": {"02_b.ipynb": {"cpu_s": 9.0, "gpu_s": 1.0}}}
    target.write_text(json.dumps(before))
    assert sync.record(times, target) == ["01_a.ipynb"]
    data = json.loads(target.read_text())
    assert data["measured"] == "m"
    assert data["notebooks"] == {"01_a.ipynb": {"cpu_s": 7.4}, "02_b.ipynb": {"cpu_s": 9.0, "gpu_s": 1.0}}
