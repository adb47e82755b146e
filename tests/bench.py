"""``make bench``: what each notebook costs at real size, on the device ``nlpcourse.setup()`` picks.

``python -m tests.bench [NN ...]`` runs the notebooks (all, or those whose number is given) with
nbclient in the current environment: ``make bench`` first sources the real-size tier's env.sh
(tests/offline_hub/full.py), so every checkpoint has the real configuration and random weights.
Cells may fail there for that reason alone (an accuracy floor, say): errors do not stop a run, and
each failed cell is listed with its index, its first line and the error. Cells marked ``# NBVAL_SKIP``,
which the test run skips too, are not run.

Per notebook it records the wall time, the peak resident memory of the kernel's process tree
(sampled with psutil every 0.2 s), the five slowest cells, the failed cells, the cells tagged
``quality`` (checks of a trained model's quality: each should fail with random weights) and whether
each failed, the torch build, the device, the CPU core count, the CPU model, the load average before
and after, and the date. The
results of the notebooks run now replace their earlier ones in ``build/bench/results.json``; the
others are kept. ``results.md`` is written from the whole file.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from nlpcourse.sync import format_mb, format_seconds

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "bench"
SLOWEST = 5
CELL_TIMEOUT_S = 3600
QUALITY_FILE = "quality-cells.json"  # written beside the report by --report


# --- pure parts ---------------------------------------------------------------------------------------

def first_line(source: str) -> str:
    """The first line of a cell that is not blank or a comment (else the first line), shortened."""
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    code = [ln for ln in lines if not ln.startswith("#")]
    line = (code or lines or [""])[0]
    return line if len(line) <= 80 else line[:77] + "..."


#: nbval's marker for a cell the test run does not execute (06's push to the Hub needs a login and a
#: network); the bench does not run it either.
SKIP_MARKER = "# NBVAL_SKIP"


def skip_marked(cells: Iterable) -> list[int]:
    """Blank the code cells that start with ``SKIP_MARKER`` (in place); their indices. Indices stay as in
    the notebook, so the slowest and failed cells are named by the learner's cell numbers."""
    skipped = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and cell["source"].lstrip().startswith(SKIP_MARKER):
            cell["source"] = f"{SKIP_MARKER}: not run by make bench"
            skipped.append(index)
    return skipped


QUALITY_TAG = "quality"


def cell_key(source: str) -> str:
    """A short hash of a cell's source: names a quality cell in the record across reordered notebooks."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def quality_cells(cells: Iterable, failed_indices: Iterable[int]) -> list[dict]:
    """The cells tagged ``quality``: index, first line, source hash, and whether the run failed them."""
    failed = set(failed_indices)
    return [
        {"index": i, "first_line": first_line(c["source"]), "key": cell_key(c["source"]),
         "failed": i in failed}
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and QUALITY_TAG in c.get("metadata", {}).get("tags", [])
    ]


def quality_record(results: Mapping, device: str = "cpu") -> dict:
    """benchmarks/quality-cells.json: per notebook, its quality cells and whether random weights failed
    them (the runs on ``device``)."""
    rows = results.get("notebooks", {})
    return {name: [{k: c[k] for k in ("key", "first_line", "failed")} for c in r.get("quality_cells", [])]
            for name, r in rows.items() if r["device"] == device}


def slowest_cells(cells: Iterable[Mapping], n: int = SLOWEST) -> list[dict]:
    """The ``n`` slowest cells, slowest first (ties keep notebook order)."""
    return [dict(c) for c in sorted(cells, key=lambda c: -float(c["seconds"]))[:n]]


def merge(old: Mapping, new: Mapping) -> dict:
    """``old`` results with the notebooks of ``new`` replaced and added; notebooks sorted by name."""
    notebooks = {**old.get("notebooks", {}), **new.get("notebooks", {})}
    return {"notebooks": dict(sorted(notebooks.items()))}


def table(results: Mapping) -> str:
    """results.md: one row per notebook, then each notebook's slowest and failed cells."""
    rows = results.get("notebooks", {})
    lines = [
        "| notebook | device | wall time | kernel CPU time | peak kernel memory | failed cells | torch "
        "| cores | load before/after | date |",
        "|---|---|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for name, r in rows.items():
        load = f"{r['load_before']:.1f} / {r['load_after']:.1f}"
        done = "" if r["completed"] else " (did not finish)"
        lines.append(
            f"| {name} | {r['device']} | {format_seconds(r['seconds'])}{done} "
            f"| {format_seconds(r.get('kernel_cpu_s'))} | {format_mb(r['peak_kernel_mb'])} "
            f"| {len(r['failed_cells'])} | {r['torch']} | {r['cpu_cores']} | {load} | {r['date']} |"
        )
    total = sum(float(r["seconds"]) for r in rows.values())
    cpu = [r.get("kernel_cpu_s") for r in rows.values()]
    cpu_total = format_seconds(sum(cpu)) if None not in cpu else ""  # type: ignore[arg-type]
    lines.append(f"| total | | {format_seconds(total)} | {cpu_total} | | | | | | |")
    for name, r in rows.items():
        lines += ["", f"### {name}", "", f"CPU: {r['cpu_model']}. Slowest cells:", ""]
        lines += [f"- cell {c['index']} ({c['seconds']:.1f} s): `{c['first_line']}`"
                  for c in r["slowest_cells"]]
        if r.get("skipped_cells"):
            cells = ", ".join(str(i) for i in r["skipped_cells"])
            lines += ["", f"Not run (marked `{SKIP_MARKER}`, as in the test run): cell {cells}"]
        if r["failed_cells"]:
            lines += ["", "Failed cells:", ""]
            lines += [f"- cell {c['index']} `{c['first_line']}`: {c['error']}" for c in r["failed_cells"]]
        if r.get("quality_cells"):
            lines += ["", f"Cells tagged `{QUALITY_TAG}` (a trained model's quality):", ""]
            lines += [f"- cell {c['index']} `{c['first_line']}`: {'failed' if c['failed'] else 'PASSED'}"
                      for c in r["quality_cells"]]
    return "\n".join(lines) + "\n"


def report(results: Mapping, device: str = "cpu") -> str:
    """benchmarks/cpu-2-cores.md: the runs on ``device``, with the machine, torch build and dates."""
    rows = {k: r for k, r in results.get("notebooks", {}).items() if r["device"] == device}
    if not rows:
        raise SystemExit(f"no {device} run in the results: run make bench first")

    def values(key: str) -> str:
        return ", ".join(sorted({str(r[key]) for r in rows.values()}))

    loads = [r[k] for r in rows.values() for k in ("load_before", "load_after")]
    return "\n".join([
        f"# What each notebook costs at real size ({device}, {values('cpu_cores')} cores)",
        "",
        "Measured by `make bench`: every notebook run top to bottom against the real-size offline tier",
        "(`tests/offline_hub/full.py`: each checkpoint with the real configuration and random weights, so",
        "each matrix product costs what the real model's does; downloads excluded). Failed cells are",
        "listed: with random weights a check of a trained model's quality can fail. `make runtimes` copies",
        "the wall times and peak memory into `benchmarks/runtimes.json`, the README and the title cells,",
        "for runs made on otherwise idle cores (1-minute load average at most 1.25 per core before and",
        "after; the notebook's own threads count in it). The kernel CPU time is user + system time of the",
        "kernel's processes: above the wall time where PyTorch ran on both cores.",
        "",
        f"- CPU: {values('cpu_model')}, {values('cpu_cores')} cores; device `{device}`",
        f"- torch: {values('torch')}",
        f"- dates: {values('date')}",
        f"- load average (1 min) before/after each notebook: {min(loads):.1f} to {max(loads):.1f}",
        "",
        table({"notebooks": rows}),
    ])


def select(numbers: Iterable[str], notebooks_dir: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks whose two-digit number is in ``numbers`` (all when empty), in order."""
    paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    wanted = {n.zfill(2) for n in numbers}
    unknown = wanted - {p.name[:2] for p in paths}
    if unknown:
        raise SystemExit(f"no notebook numbered {', '.join(sorted(unknown))} in {notebooks_dir}")
    return [p for p in paths if not wanted or p.name[:2] in wanted]


# --- the run ------------------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class PeakMemory:
    """Samples the resident memory of this process's children (the kernel and what it starts), and
    the CPU time they have used: above the wall time where PyTorch ran on several cores, and far
    below it where the machine was busy with other work."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.peak_mb, self.cpu_s = interval, 0.0, 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(self.interval):
            rss = 0
            for child in me.children(recursive=True):
                try:
                    rss += child.memory_info().rss
                    times = child.cpu_times()
                    self._cpu[child.pid] = times.user + times.system
                except psutil.Error:
                    continue
            self.peak_mb = max(self.peak_mb, rss / 1e6)
            self.cpu_s = sum(self._cpu.values())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_notebook(path: Path) -> dict:
    """Run one notebook top to bottom, errors allowed; its measurements."""
    import nbformat
    import torch
    from nbclient import NotebookClient

    from nlpcourse.core import pick_device

    nb = nbformat.read(path, as_version=4)
    skipped = skip_marked(nb.cells)
    starts: dict[int, float] = {}
    cells: list[dict] = []
    failed: list[dict] = []

    def on_start(cell, cell_index: int) -> None:
        starts[cell_index] = time.perf_counter()

    def on_executed(cell, cell_index: int, execute_reply) -> None:
        seconds = time.perf_counter() - starts.get(cell_index, time.perf_counter())
        line = first_line(cell.source)
        cells.append({"index": cell_index, "first_line": line, "seconds": round(seconds, 1)})
        content = execute_reply.get("content", {}) if execute_reply else {}
        if content.get("status") == "error":
            error = f"{content.get('ename', '')}: {content.get('evalue', '')}".strip()
            failed.append({"index": cell_index, "first_line": first_line(cell.source),
                           "error": error.splitlines()[0][:200] if error else "error"})

    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_start, on_cell_executed=on_executed,
    )
    load_before = os.getloadavg()[0]
    completed = True
    t0 = time.perf_counter()
    with PeakMemory() as memory:
        try:
            client.execute()
        except Exception as exc:  # a dead kernel or a timeout: record how far it got
            completed = False
            failed.append({"index": len(cells), "first_line": "(the run stopped)", "error": repr(exc)[:200]})
    seconds = time.perf_counter() - t0
    return {
        "quality_cells": quality_cells(nb.cells, [c["index"] for c in failed]),
        "seconds": round(seconds, 1),
        "peak_kernel_mb": round(memory.peak_mb),
        "kernel_cpu_s": round(memory.cpu_s, 1),
        "completed": completed,
        "slowest_cells": slowest_cells(cells),
        "failed_cells": failed,
        "skipped_cells": skipped,
        "torch": torch.__version__,
        "device": pick_device(),
        "cpu_cores": cpu_cores(),
        "cpu_model": cpu_model(),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="two-digit numbers, e.g. 06 07 (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report", type=Path,
                        help="write the CPU runs of OUT/results.json to this file; run nothing")
    args = parser.parse_args(argv)
    if args.report:
        results = json.loads((args.out / "results.json").read_text())
        args.report.write_text(report(results))
        quality = args.report.with_name(QUALITY_FILE)
        quality.write_text(json.dumps(quality_record(results), indent=2) + "\n")
        print(f"wrote {args.report} and {quality}")
        return 0
    if os.environ.get("HF_HUB_OFFLINE") != "1":
        print("note: no offline hub in the environment (make bench sources the real-size tier's env.sh)")
    paths = select(args.notebooks)
    results_json = args.out / "results.json"
    old = json.loads(results_json.read_text()) if results_json.exists() else {}
    t0 = time.perf_counter()
    for path in paths:
        print(f"bench: {path.name} ...", flush=True)
        row = run_notebook(path)
        print(f"bench: {path.name}: {format_seconds(row['seconds'])}, kernel CPU time "
              f"{format_seconds(row['kernel_cpu_s'])}, peak {format_mb(row['peak_kernel_mb'])}, "
              f"{len(row['failed_cells'])} failed cell(s)", flush=True)
        old = merge(old, {"notebooks": {path.name: row}})
        args.out.mkdir(parents=True, exist_ok=True)
        results_json.write_text(json.dumps(old, indent=2) + "\n")  # after each notebook: nothing is lost
        (args.out / "results.md").write_text(table(old))
    print(f"bench: {len(paths)} notebook(s) in {format_seconds(time.perf_counter() - t0)}; "
          f"{args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
