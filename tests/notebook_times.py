"""Per-notebook wall time, peak kernel memory and pass/fail of the nbval run, written to build/.

A pytest plugin. tests/conftest.py registers it for `make test`; `make test-online`, which
collects only notebooks/ (so never reads tests/conftest.py), loads it with ``-p tests.notebook_times``.

It is registered as a plugin object, not left as conftest hooks, because pytest calls a conftest's
report hooks (``pytest_runtest_logreport``) only for items under that conftest's folder: hooks in
tests/conftest.py never saw a failing cell of notebooks/*.ipynb, and a notebook whose cell failed
was listed as passed.

nbval runs each notebook in a kernel process started by pytest. A sampler thread watches the
resident memory of pytest's child processes (the kernel) while a notebook's cells run. Times come
from the test reports and each report carries the peak seen so far (a user property), so the table
is right when pytest-xdist runs notebooks in worker processes (``make test`` runs two): the reports,
not the workers' plugin objects, reach the process that writes the table.
``NLPCOURSE_NOTEBOOK_TIMES`` names the output files without suffix, relative to the rootdir
(default ``build/notebook-times``, giving ``.json`` and ``.md``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Generator
from pathlib import Path

import pytest

NAME = "notebook-times"
STEM_ENV = "NLPCOURSE_NOTEBOOK_TIMES"
DEFAULT_STEM = "build/notebook-times"
PEAK_PROPERTY = "peak_kernel_mb"


def notebook_of(nodeid: str) -> str | None:
    """``"notebooks/05_x.ipynb::Cell 7"`` -> ``"05_x.ipynb"``; None for anything but a notebook."""
    path = nodeid.split("::", 1)[0]
    return Path(path).name if path.endswith(".ipynb") else None


class NotebookTimes:
    """Accumulates wall time, peak kernel memory and failures per notebook file."""

    def __init__(self, stem: Path) -> None:
        self.stem = stem
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self.failed: set[str] = set()
        self.current: str | None = None
        self._stop = threading.Event()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process(os.getpid())
        while not self._stop.wait(0.2):
            name = self.current
            if name is None:
                continue
            rss = 0
            for child in me.children(recursive=True):
                try:
                    rss += child.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss / 2**20)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        try:
            import psutil  # noqa: F401
        except ImportError:
            return
        threading.Thread(target=self._sample, daemon=True).start()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        self.current = notebook_of(item.nodeid)
        try:
            return (yield)
        finally:
            self.current = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Generator:
        report = yield
        name = notebook_of(item.nodeid)
        if name is not None:  # where the kernel runs: this process, or an xdist worker
            report.user_properties.append((PEAK_PROPERTY, self.peak_mb.get(name, 0.0)))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = notebook_of(report.nodeid)
        if name is None:
            return
        self.seconds[name] = self.seconds.get(name, 0.0) + report.duration
        for key, value in report.user_properties:
            if key == PEAK_PROPERTY:
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), float(value))
        if report.failed:  # a failed setup, cell or teardown
            self.failed.add(name)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        name = notebook_of(report.nodeid)
        if name is not None and report.failed:  # e.g. a notebook file nbformat cannot read
            self.failed.add(name)

    def rows(self) -> list[dict[str, object]]:
        return [
            {
                "notebook": name,
                "seconds": round(self.seconds.get(name, 0.0), 1),
                "peak_kernel_mb": round(self.peak_mb.get(name, 0.0)),
                "passed": name not in self.failed,
            }
            for name in sorted(self.seconds.keys() | self.failed)
        ]

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        self._stop.set()
        rows = self.rows()
        if not rows:
            return
        self.stem.parent.mkdir(parents=True, exist_ok=True)
        self.stem.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n")
        lines = ["| notebook | wall time (s) | peak kernel memory (MB) | passed |", "|---|---:|---:|---|"]
        lines += [
            f"| {r['notebook']} | {r['seconds']} | {r['peak_kernel_mb']} | {r['passed']} |" for r in rows
        ]
        total = sum(float(r["seconds"]) for r in rows)  # type: ignore[arg-type]
        lines.append(f"| total | {total:.1f} | | |")
        md = self.stem.with_suffix(".md")
        md.write_text("\n".join(lines) + "\n")
        terminalreporter.write_sep("=", f"per-notebook times (also in {md})")
        for line in lines:
            terminalreporter.write_line(line)


def register(config: pytest.Config) -> None:
    """Register the plugin once per session (conftest and ``-p`` may both ask)."""
    if not config.pluginmanager.has_plugin(NAME):
        stem = config.rootpath / os.environ.get(STEM_ENV, DEFAULT_STEM)
        config.pluginmanager.register(NotebookTimes(stem), NAME)


def pytest_configure(config: pytest.Config) -> None:
    """Used when this module is loaded with ``-p tests.notebook_times``."""
    register(config)
