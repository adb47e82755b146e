"""Shared pytest set-up: the per-notebook table of the nbval run (see tests/notebook_times.py) and
which items share a pytest-xdist worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import notebook_times

#: Notebooks that read what an earlier notebook writes, and that notebook: they run on one worker, in
#: order. 10 compares its prompts with the classifier 06 saves under ``models_dir()``; on separate
#: workers it could read a half-written folder, or none, depending on timing.
READS_FROM = {"10_llms_in_practice.ipynb": "06_fine_tuning.ipynb"}


def pytest_configure(config: pytest.Config) -> None:
    notebook_times.register(config)


def xdist_group(nodeid: str) -> str:
    """The worker group of a test: its file, or for a notebook in :data:`READS_FROM` the notebook it reads.

    One group per file keeps a notebook's cells (nbval items) in one kernel, as ``--dist loadfile``
    would; ``make test`` runs ``--dist loadgroup`` so that :data:`READS_FROM` can join two files.
    """
    path = nodeid.split("::", 1)[0]
    name = Path(path).name
    return Path(path).with_name(READS_FROM[name]).as_posix() if name in READS_FROM else path


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group(item.nodeid)))
