"""sync-notebooks: the setup cell, badge and runtime line come from one definition each, and every
notebook and its paired jupytext source are what the command would write."""

from __future__ import annotations

import json
import os
import re
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
    header = next(line for line in readme.splitlines() if line.startswith("| Notebook |"))
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "Notebook", "Topics", "CPU time (2 cores)", "Peak memory", "GPU time", "Download"
    ], "README's chapter table: the columns sync_readme writes are CPU time, peak memory, GPU time"
    assert readme == sync.sync_readme(readme, sync.load_runtimes(RUNTIMES)), (
        "README's CPU/memory/GPU columns differ from benchmarks/runtimes.json; run `make sync`"
    )


def test_recorded_runtimes_are_of_existing_notebooks():
    """A notebook may be missing (it reads "not measured yet"); a recorded one that is gone is stale."""
    stale = set(sync.load_runtimes(RUNTIMES)) - {p.name for p in NOTEBOOKS}
    assert not stale, f"benchmarks/runtimes.json records notebooks that do not exist: {sorted(stale)}"


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
        "| Notebook | Topics | CPU time (2 cores) | Peak memory | GPU time | Download |\n"
        "| [03 · X](notebooks/03_x.ipynb) | t | – | – | – | 1 MB |\n"
    )
    runtimes = {"03_x.ipynb": {"cpu_s_real": 125.0, "peak_mb_real": 2345}}
    (tmp_path / "runtimes.json").write_text(json.dumps({"notebooks": runtimes}))
    return tmp_path


def test_sync_writes_badge_runtime_readme_and_pair(course: Path):
    nb_path = course / "notebooks" / "03_x.ipynb"
    changed = sync.sync_all(course / "notebooks", course / "README.md", course / "runtimes.json")
    assert set(changed) == {nb_path, nb_path.with_suffix(".py"), course / "README.md"}
    title = nbformat.read(nb_path, as_version=4).cells[0].source
    assert _meta.colab_badge("03_x.ipynb") in title and "https://old/x" not in title
    assert (
        "**Runtime:** about 2.1 min on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, "
        "peak memory about 2.3 GB; on a GPU not measured yet." in title.replace("\n", " ")
    )
    assert title.endswith("**Next:** more.") and "old words" not in title
    assert "| [03 · X](notebooks/03_x.ipynb) | t | 2.1 min | 2.3 GB | not measured yet | 1 MB |" in (
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


def bench_row(seconds: float, device: str = "cpu", completed: bool = True, failed: int = 0) -> dict:
    """One notebook of build/bench/results.json as tests/bench.py writes it."""
    return {
        "seconds": seconds * 2, "kernel_cpu_s": seconds, "peak_kernel_mb": 2100, "completed": completed,
        "slowest_cells": [],
        "failed_cells": [{"index": 3, "first_line": "assert x", "error": "AssertionError: "}] * failed,
        "torch": "2.13.0+cpu", "device": device, "cpu_cores": 2, "cpu_model": "AMD EPYC",
        "load_before": 1.0, "load_after": 1.2, "date": "2026-11-30 12:00 UTC",
    }


def test_record_copies_finished_bench_runs_and_keeps_the_others(tmp_path: Path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"notebooks": {
        "01_a.ipynb": bench_row(70.4, failed=2),  # failed cells: random weights, the time still counts
        "02_b.ipynb": bench_row(30.0, completed=False),  # the kernel died: not a measurement
        "04_d.ipynb": bench_row(12.0, device="cuda"),
    }}))
    target = tmp_path / "runtimes.json"
    before = {"measured": "old", "notebooks": {
        "01_a.ipynb": {"cpu_s": 7.4},  # a stand-in test-run time: replaced
        "02_b.ipynb": {"cpu_s_real": 9.0, "peak_mb_real": 800},
        "03_c.ipynb": {"cpu_s_real": 5.0, "peak_mb_real": 600},
    }}
    target.write_text(json.dumps(before))
    assert sync.record(results, target) == (["01_a.ipynb", "04_d.ipynb"], [])
    data = json.loads(target.read_text())
    assert data["notebooks"] == {
        "01_a.ipynb": {"cpu_s_real": 140.8, "peak_mb_real": 2100},  # the wall time
        "02_b.ipynb": {"cpu_s_real": 9.0, "peak_mb_real": 800},
        "03_c.ipynb": {"cpu_s_real": 5.0, "peak_mb_real": 600},
        "04_d.ipynb": {"gpu_s_real": 24.0},  # the wall time on a GPU
    }
    assert data["measured"]["cpu"].startswith("make bench, real-size configurations with random weights, "
                                              "2 cores of AMD EPYC, device cpu, torch 2.13.0+cpu")
    assert data["measured"]["cpu"].endswith(
        "wall time on otherwise idle cores and the kernel's peak resident memory")
    assert "device cuda" in data["measured"]["gpu"]


def test_record_refuses_cpu_runs_on_a_busy_machine(tmp_path: Path):
    """At a load of 11 on 2 cores a notebook's wall time was 3-5x its idle time: not a measurement."""
    results = tmp_path / "results.json"
    busy_cpu = {**bench_row(60.0), "load_before": 11.4, "load_after": 2.0}
    busy_gpu = {**bench_row(8.0, device="cuda"), "load_before": 11.4}  # a GPU's time hardly depends on it
    at_limit = {**bench_row(30.0), "load_before": 2.5, "load_after": 2.5}  # 1.25 per core
    results.write_text(json.dumps({"notebooks": {"01_a.ipynb": busy_cpu, "02_b.ipynb": busy_gpu,
                                                 "03_c.ipynb": at_limit}}))
    target = tmp_path / "runtimes.json"
    target.write_text(json.dumps({"notebooks": {"01_a.ipynb": {"cpu_s_real": 50.0, "peak_mb_real": 900}}}))
    assert sync.record(results, target) == (["02_b.ipynb", "03_c.ipynb"], ["01_a.ipynb"])
    data = json.loads(target.read_text())["notebooks"]
    assert data["01_a.ipynb"] == {"cpu_s_real": 50.0, "peak_mb_real": 900}  # the earlier idle measurement
    assert data["03_c.ipynb"]["cpu_s_real"] == 60.0


def test_a_notebook_without_a_real_size_measurement_reads_not_measured_yet(tmp_path: Path):
    runtimes = tmp_path / "runtimes.json"
    runtimes.write_text(json.dumps({"notebooks": {"08_h.ipynb": {"cpu_s": 30.0}}}))  # a stand-in time only
    loaded = sync.load_runtimes(runtimes)
    assert loaded["08_h.ipynb"] == sync.Runtime()
    readme = "| [09 · I](notebooks/09_i.ipynb) | t | 1 min | – | 2 MB |\n"  # not in runtimes, old columns
    unmeasured = " not measured yet |" * 3
    assert sync.sync_readme(readme, loaded) == f"| [09 · I](notebooks/09_i.ipynb) | t |{unmeasured} 2 MB |\n"
    line = sync.runtime_paragraph(sync.Runtime(), "09").replace("\n", " ")
    assert line.startswith("**Runtime:** not measured yet on [2 CPU cores](../benchmarks/cpu-2-cores.md) "
                           "with real-size models, peak memory not measured yet; on a GPU not measured yet.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_runtime_line_is_short_and_links_to_how_it_was_measured(path: Path):
    """Time, memory and download in one or two lines of text, and a link that resolves from notebooks/."""
    title = nbformat.read(path, as_version=4).cells[0].source
    paragraph = sync.RUNTIME_PARAGRAPH.search(title)
    assert paragraph, f"{path.name}: the title cell has no runtime line; run `make sync`"
    text = paragraph.group(0)
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links == [_meta.BENCH_LINK], f"{path.name}: the runtime line should link {_meta.BENCH_LINK} once"
    assert (path.parent / links[0]).resolve().is_file(), f"{links[0]} does not exist beside {path.name}"
    shown = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", text).replace("\n", " ")  # as the learner reads it
    assert len(shown) <= 2 * sync.WRAP, f"{path.name}: the runtime line is {len(shown)} characters: {shown}"
    for needed in ("**Runtime:**", "peak memory", "**Download:**"):
        assert needed in shown, f"{path.name}: the runtime line lacks {needed!r}"


def test_runtime_line_never_breaks_a_command():
    """Wrapping keeps a `code span` on one line, so a learner can copy the download command whole."""
    command = "`python -m nlpcourse download 06`"
    for padding in range(0, sync.WRAP - 1, 7):
        text = sync.fill("x" * padding + " " + command + " and more words after it.")
        assert any(command in line for line in text.splitlines()), text
        assert all(len(line) <= sync.WRAP for line in text.splitlines()), text


def test_format_mb():
    assert [sync.format_mb(x) for x in (None, 420.4, 999.6, 2345.0)] == [
        "not measured yet", "420 MB", "1.0 GB", "2.3 GB"
    ]


def test_readme_names_the_largest_measured_peak_memory():
    """The README's RAM advice follows the measurements: it names the largest recorded peak."""
    peaks = {name: r.peak_mb for name, r in sync.load_runtimes(RUNTIMES).items() if r.peak_mb is not None}
    assert peaks, "benchmarks/runtimes.json records no peak memory: run make bench, then make runtimes"
    largest = max(peaks, key=lambda name: peaks[name])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    advice = readme.split("**Memory a learner needs:**", 1)[1].split("\n\n", 1)[0].replace("\n", " ")
    assert f"{sync.format_mb(peaks[largest])} (chapter {largest[:2]})" in advice, (
        f"README's memory advice should name the largest peak, {sync.format_mb(peaks[largest])} of {largest}"
    )
