"""Checks of a trained model's quality must be able to fail: every cell tagged ``quality`` failed when
``make bench`` ran its notebook with random weights (the real-size tier), and passes in the test run
(nbval runs it). ``benchmarks/quality-cells.json`` is the record ``make runtimes`` writes from the bench
results; a quality cell that is new or edited since then needs its notebook benched again.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests import bench

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "benchmarks" / bench.QUALITY_FILE
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RERUN = "run `make bench NOTEBOOKS={nn}` and `make runtimes` (or tag the cell only if it checks quality)"


def tagged(path: Path) -> list[dict]:
    """The notebook's quality cells, as ``bench.quality_cells`` records them (none failed yet)."""
    return bench.quality_cells(nbformat.read(path, as_version=4).cells, [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_quality_cell_failed_with_random_weights(path: Path) -> None:
    record = {c["key"]: c for c in json.loads(RECORD.read_text()).get(path.name, [])}
    for cell in tagged(path):
        seen = record.get(cell["key"])
        assert seen is not None, (
            f"{path.name} cell {cell['index']} `{cell['first_line']}` is tagged quality but has no "
            f"random-weight result in {RECORD.name}: {RERUN.format(nn=path.name[:2])}"
        )
        assert seen["failed"], (
            f"{path.name} cell {cell['index']} `{cell['first_line']}` passed with random weights: its check "
            "cannot tell a trained model from an untrained one; compare with a baseline of the same run"
        )


def test_quality_cells_are_found_by_tag_and_named_by_their_source() -> None:
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("text"),
             nbformat.v4.new_code_cell("assert acc > 0.7", metadata={"tags": ["quality"]}),
             nbformat.v4.new_code_cell("assert ok", metadata={"tags": ["solution", "quality"]})]
    found = bench.quality_cells(cells, failed_indices=[2])
    assert [(c["index"], c["failed"]) for c in found] == [(2, True), (3, False)]
    assert found[0]["key"] == bench.cell_key("assert acc > 0.7") != found[1]["key"]
    results = {"notebooks": {"07_x.ipynb": {"device": "cpu", "quality_cells": found},
                             "08_y.ipynb": {"device": "cuda", "quality_cells": found}}}
    assert bench.quality_record(results) == {"07_x.ipynb": [
        {"key": found[0]["key"], "first_line": "assert acc > 0.7", "failed": True},
        {"key": found[1]["key"], "first_line": "assert ok", "failed": False}]}
