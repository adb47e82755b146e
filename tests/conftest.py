"""Per-notebook wall time and peak memory of the nbval run, written to build/ and printed.

nbval runs each notebook in a kernel process started by pytest. A sampler thread watches the
resident memory of pytest's child processes (the kernel) while a notebook's cells run.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TIMES_JSON = ROOT / "build" / "notebook-times.json"
TIMES_MD = ROOT / "build" / "notebook-times.md"


class NotebookMeter:
    """Accumulates wall time and peak kernel memory per notebook file."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self.failed: set[str] = set()
        self.current: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

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

    def start(self) -> None:
        try:
            import psutil  # noqa: F401
        except ImportError:
            return
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()


METER = NotebookMeter()


def _notebook(item: pytest.Item) -> str | None:
    path = str(item.path)
    return Path(path).name if path.endswith(".ipynb") else None


def pytest_sessionstart(session: pytest.Session) -> None:
    METER.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    name = _notebook(item)
    METER.current = name
    start = time.perf_counter()
    yield
    if name is not None:
        METER.seconds[name] = METER.seconds.get(name, 0.0) + time.perf_counter() - start
    METER.current = None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and report.nodeid.split("::")[0].endswith(".ipynb"):
        METER.failed.add(Path(report.nodeid.split("::")[0]).name)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    METER.stop()
    if not METER.seconds:
        return
    rows = [
        {
            "notebook": name,
            "seconds": round(METER.seconds[name], 1),
            "peak_kernel_mb": round(METER.peak_mb.get(name, 0.0)),
            "passed": name not in METER.failed,
        }
        for name in sorted(METER.seconds)
    ]
    TIMES_JSON.parent.mkdir(parents=True, exist_ok=True)
    TIMES_JSON.write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["| notebook | wall time (s) | peak kernel memory (MB) | passed |", "|---|---:|---:|---|"]
    lines += [f"| {r['notebook']} | {r['seconds']} | {r['peak_kernel_mb']} | {r['passed']} |" for r in rows]
    total = sum(r["seconds"] for r in rows)
    lines.append(f"| total | {total:.1f} | | |")
    TIMES_MD.write_text("\n".join(lines) + "\n")
    terminalreporter.write_sep("=", "per-notebook times (also in build/notebook-times.md)")
    for line in lines:
        terminalreporter.write_line(line)
