"""make bench's pure parts: first lines, slowest cells, merging runs, the tables, choosing notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import bench


def row(seconds: float, device: str = "cpu", failed: list | None = None) -> dict:
    return {
        "seconds": seconds, "kernel_cpu_s": seconds * 1.5, "peak_kernel_mb": 1500, "completed": True,
        "device": device,
        "slowest_cells": [{"index": 4, "first_line": "trainer.train()", "seconds": seconds - 1}],
        "failed_cells": failed or [], "torch": "2.13.0+cpu", "cpu_cores": 2, "cpu_model": "AMD EPYC",
        "load_before": 1.25, "load_after": 2.0, "date": "2026-11-30 12:00 UTC",
    }


def test_first_line_skips_blank_and_comment_lines_and_shortens():
    assert bench.first_line("\n# a comment\n\nx = 1\ny = 2") == "x = 1"
    assert bench.first_line("# only a comment") == "# only a comment"
    assert bench.first_line("") == ""
    long = "y = " + "1 + " * 40 + "1"
    assert bench.first_line(long) == long[:77] + "..." and len(bench.first_line(long)) == 80


def test_slowest_cells_are_the_five_slowest_slowest_first_ties_in_order():
    cells = [{"index": i, "first_line": f"c{i}", "seconds": s} for i, s in enumerate([1, 9, 3, 9, 0.5, 7, 2])]
    assert [c["index"] for c in bench.slowest_cells(cells)] == [1, 3, 5, 2, 6]
    assert bench.slowest_cells(cells[:2]) == [cells[1], cells[0]]


def test_merge_replaces_the_notebooks_run_now_and_keeps_the_others():
    old = {"notebooks": {"07_b.ipynb": row(50), "06_a.ipynb": row(400)}}
    new = {"notebooks": {"06_a.ipynb": row(200), "08_c.ipynb": row(10)}}
    merged = bench.merge(old, new)
    assert list(merged["notebooks"]) == ["06_a.ipynb", "07_b.ipynb", "08_c.ipynb"]
    assert [r["seconds"] for r in merged["notebooks"].values()] == [200, 50, 10]
    assert bench.merge({}, new) == {"notebooks": new["notebooks"]}


def test_table_has_a_row_per_notebook_the_total_and_the_failed_cells():
    failed = [{"index": 12, "first_line": "assert acc > floor", "error": "AssertionError: 0.5"}]
    md = bench.table({"notebooks": {"06_a.ipynb": {**row(400, failed=failed), "skipped_cells": [67]},
                                    "07_b.ipynb": row(50)}})
    lines = md.splitlines()
    assert lines[2] == ("| 06_a.ipynb | cpu | 6.7 min | 10.0 min | 1.5 GB | 1 | 2.13.0+cpu | 2 | 1.2 / 2.0 "
                        "| 2026-11-30 12:00 UTC |")
    assert lines[3].startswith("| 07_b.ipynb | cpu | 50 s | 75 s | 1.5 GB | 0 |")
    assert lines[4] == "| total | | 7.5 min | 11.2 min | | | | | | |"
    assert "- cell 4 (399.0 s): `trainer.train()`" in lines
    assert "- cell 12 `assert acc > floor`: AssertionError: 0.5" in lines
    assert "Not run (marked `# NBVAL_SKIP`, as in the test run): cell 67" in lines
    assert sum("Not run" in line for line in lines) == 1


def test_report_keeps_the_runs_of_one_device_and_names_the_machine():
    results = {"notebooks": {"06_a.ipynb": row(400), "07_b.ipynb": row(50, device="cuda")}}
    md = bench.report(results)
    assert md.startswith("# What each notebook costs at real size (cpu, 2 cores)")
    assert "- torch: 2.13.0+cpu" in md and "- CPU: AMD EPYC, 2 cores" in md
    assert "06_a.ipynb" in md and "07_b.ipynb" not in md
    with pytest.raises(SystemExit, match="no mps run"):
        bench.report(results, device="mps")


def test_select_takes_numbers_and_refuses_unknown_ones(tmp_path: Path):
    for name in ("00_a.ipynb", "06_b.ipynb", "07_c.ipynb", "notes.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in bench.select([], tmp_path)] == ["00_a.ipynb", "06_b.ipynb", "07_c.ipynb"]
    assert [p.name for p in bench.select(["7", "06"], tmp_path)] == ["06_b.ipynb", "07_c.ipynb"]
    with pytest.raises(SystemExit, match="no notebook numbered 09"):
        bench.select(["09"], tmp_path)


def test_cells_marked_nbval_skip_are_blanked_and_keep_their_index():
    import nbformat

    code = nbformat.v4.new_code_cell
    cells = [nbformat.v4.new_markdown_cell("# NBVAL_SKIP in prose"), code("x = 1"),
             code("\n# NBVAL_SKIP\nnotebook_login()"), code("y = 2")]
    assert bench.skip_marked(cells) == [2]
    assert [c.source for c in cells] == [
        "# NBVAL_SKIP in prose", "x = 1", "# NBVAL_SKIP: not run by make bench", "y = 2"
    ]
