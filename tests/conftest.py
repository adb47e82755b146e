"""Shared pytest set-up: the per-notebook table of the nbval run (see tests/notebook_times.py) and
which files share a pytest-xdist worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpcourse import disk, paths
from tests import notebook_times

#: Notebooks that read what an earlier notebook writes, and that notebook: under ``--dist loadfile``
#: they run on one worker, in order. 10 compares its prompts with the classifier 06 saves under
#: ``models_dir()``, and 13 shares that classifier; on separate workers either could read a half-written
#: folder, or none, by timing.
READS_FROM = {
    "10_llms_in_practice.ipynb": "06_fine_tuning.ipynb",
    "13_share_your_model.ipynb": "06_fine_tuning.ipynb",
}


#: Room a test run needs on the disks it writes to. Measured: a run adds about 2 GB at its peak (06, 09,
#: 11 and 14 keep checkpoints in the temporary folder, 06 and 13 save models under build/).
TEST_RUN_MB = 3000


def pytest_configure(config: pytest.Config) -> None:
    notebook_times.register(config)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once where the disk has no room for the run, rather than fail dozens of cells later."""
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker: the controller checked
        return
    paths.remove_stale_scratch()  # left by kernels that were killed, as nbval stops its kernels
    problem = disk.room_problem([disk.scratch_parent(), paths.build_dir()], TEST_RUN_MB, "the test run")
    if problem:
        pytest.exit(problem, returncode=1)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        paths.remove_stale_scratch()  # the scratch folders of this run's notebook kernels


def worker_scope(nodeid: str) -> str:
    """The file whose worker runs this test: its own, or the one a notebook in :data:`READS_FROM` reads."""
    path = nodeid.split("::", 1)[0]
    name = Path(path).name
    return Path(path).with_name(READS_FROM[name]).as_posix() if name in READS_FROM else path


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # called only where pytest-xdist runs
    """``--dist loadfile`` with :func:`worker_scope` as the file: one kernel per notebook, 06 then 10."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

    return Scheduling(config, log)
