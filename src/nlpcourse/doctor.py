"""``python -m nlpcourse doctor``: what is installed, what is missing, and a fix that works for each.

Every fix is a command that repairs exactly that line, run with the Python that runs the course:
pip for a package (the Jupyter pieces are the package's ``lab`` extra, not needed in Colab),
``nltk.downloader`` for NLTK data, ``spacy download`` for a spaCy model.

``python -m nlpcourse.doctor --online`` checks instead that ``make test-online`` can start: the
Hugging Face Hub answers and none of the offline test run's settings is on.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

from nlpcourse import disk, registry
from nlpcourse.core import (
    HUB_HOST,
    HUB_MESSAGES,
    can_connect,
    detect_platform,
    device_message,
    hub_status,
    pick_device,
)
from nlpcourse.download import format_mb, plan, total_mb
from nlpcourse.resources import has_nltk

__all__ = [
    "Check", "data_checks", "disk_checks", "main", "online_problems", "package_checks", "platform_checks",
    "python_command", "run",
]

#: transformers 5.23 and later and trl 1.16 declare ``Requires-Python >=3.11``.
MIN_PYTHON = (3, 11)

#: The extra with JupyterLab and its pieces; Colab and Kaggle bring their own Jupyter.
LAB_EXTRA = "lab"
#: What build/offline-hub/env.sh switches on for the offline test run.
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE")
NETGUARD = "NLPCOURSE_NETGUARD"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""
    required: bool = True  # False: advice (shown as LOW), not a problem that fails the report


def python_command() -> str:
    """How to call the Python running now: ``python`` where that is it, else its path."""
    on_path = shutil.which("python")
    if on_path and Path(on_path).absolute() == Path(sys.executable).absolute():
        return "python"
    exe = Path(sys.executable).absolute()
    try:
        return shlex.quote(str(exe.relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(exe))


def requirements(extra: str = "") -> list[Requirement]:
    """The package's requirements (``extra=""``) or one extra's, read from the installed metadata."""
    declared = importlib.metadata.requires("nlpcourse") or []
    reqs = [Requirement(line) for line in declared]
    if not extra:
        return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]
    return [r for r in reqs if r.marker is not None and r.marker.evaluate({"extra": extra})]


def package_checks(reqs: list[Requirement] | None = None, note: str = "") -> list[Check]:
    checks = []
    for req in reqs if reqs is not None else requirements():
        fix = f'{python_command()} -m pip install "{req.name}{req.specifier}"' + note
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check(req.name, False, "not installed", fix))
            continue
        release = re.sub(r"\+.*$", "", version)  # "2.13.0+cpu" satisfies ">=2.4"
        ok = req.specifier.contains(release, prereleases=True)
        checks.append(Check(req.name, ok, version, "" if ok else fix))
    return checks


def lab_checks() -> list[Check]:
    """JupyterLab and its pieces, where the course runs in a Jupyter of its own (not Colab, Kaggle)."""
    if detect_platform() != "local":
        return []
    return package_checks(requirements(LAB_EXTRA), note=f"   (part of the `{LAB_EXTRA}` extra)")


def data_checks() -> list[Check]:
    from nlpcourse.registry import NLTK_RESOURCES, SPACY_MODELS

    python = python_command()
    checks = []
    for name in NLTK_RESOURCES:
        ok = has_nltk(name)
        fix = f"{python} -m nltk.downloader {name}"
        checks.append(Check(f"nltk:{name}", ok, "found" if ok else "missing", "" if ok else fix))
    for model in SPACY_MODELS:
        try:
            version = importlib.metadata.version(model)
            checks.append(Check(f"spacy:{model}", True, version))
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check(f"spacy:{model}", False, "missing", f"{python} -m spacy download {model}"))
    return checks


def platform_checks(
    version: tuple[int, ...] = tuple(sys.version_info[:3]), system: str = platform.system(),
    machine: str = platform.machine(),
) -> list[Check]:
    """The Python version, and a platform PyTorch publishes no wheels for (Intel Macs)."""
    found = ".".join(map(str, version))
    floor = ".".join(map(str, MIN_PYTHON))
    checks = [Check("python", version[:2] >= MIN_PYTHON, found, "" if version[:2] >= MIN_PYTHON else (
        f"install Python {floor} or newer (transformers 5.23+ and trl 1.16 require it), e.g. "
        f"`pyenv install 3.12` or `conda create -n nlp python=3.12`, then make a new environment with it"))]
    if system == "Darwin" and machine == "x86_64":
        checks.append(Check(
            "platform", False, "macOS on Intel",
            "PyTorch publishes no wheels for Intel Macs for the versions this course needs (torch 2.6+): "
            "run the notebooks in Google Colab (each notebook's badge opens it there)"))
    return checks


def disk_checks(
    cache: Path | None = None, scratch: Path | None = None, free: Callable[[Path], int] = disk.free_mb
) -> list[Check]:
    """Room for the course's downloads, and for the checkpoints of a fine-tuning chapter (advice only)."""
    cache = cache or disk.hub_cache()
    scratch = scratch or disk.scratch_parent()
    total = total_mb(plan(registry.CHAPTERS))
    need = max(total - disk.cached_mb(cache), 0)
    room = free(cache)
    to_get = f"{format_mb(need)} of the course's {format_mb(total)} still to download" if need else \
        f"the course's {format_mb(total)} already downloaded"
    checks = [Check(
        "disk:downloads", room >= need, f"{format_mb(room)} free at {cache}; {to_get}",
        "" if room >= need else f"free {format_mb(need - room)} there, download only the chapters you take "
        "(`python -m nlpcourse download 06 07`), or set HF_HOME to a folder on a disk with room before "
        "starting Jupyter", required=False)]
    room = free(scratch)
    checks.append(Check(
        "disk:scratch", room >= disk.SCRATCH_MB,
        f"{format_mb(room)} free at {scratch}; fine-tuning chapters keep checkpoints there (06: 1.1 GB)",
        "" if room >= disk.SCRATCH_MB else f"free {format_mb(disk.SCRATCH_MB - room)} there, or set TMPDIR "
        "to a folder on a disk with room before starting Jupyter", required=False))
    return checks


def run() -> int:
    """Print the report; return 1 when something required is missing (low disk space is advice only)."""
    checks = platform_checks() + package_checks() + lab_checks() + data_checks() + disk_checks()
    width = max(len(c.name) for c in checks)
    for c in checks:
        status = "ok " if c.ok else "LOW" if not c.required else \
            "MISSING" if c.found in {"missing", "not installed"} else "WRONG"
        line = f"{status:8} {c.name:{width}}  {c.found}"
        print(line + (f"   fix: {c.fix}" if not c.ok else ""))
    print(device_message(pick_device(), detect_platform()))
    print(HUB_MESSAGES[hub_status()])
    bad = [c for c in checks if not c.ok and c.required]
    if bad:
        print(
            f"\n{len(bad)} problem(s). Run the fix shown on each line above; "
            "they download, so they need a network connection."
        )
        return 1
    print("\nEverything the course needs is installed.")
    return 0


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def online_problems(
    environ: Mapping[str, str] = os.environ, connect: Callable[[str], bool] = can_connect
) -> list[str]:
    """Why a run against the real Hub, NLTK and spaCy downloads cannot start here; empty when it can."""
    problems = []
    if not connect(HUB_HOST):
        problems.append(
            f"The Hugging Face Hub cannot be reached ({HUB_HOST}:443 does not answer): "
            "the online run downloads the real checkpoints, so it needs a network connection."
        )
    switched = [name for name in (*OFFLINE_SWITCHES, NETGUARD) if _on(environ.get(name))]
    stand_ins = [
        name for name in ("HF_HOME", "NLTK_DATA") if "offline-hub" in Path(environ.get(name, "")).parts
    ]
    if switched or stand_ins:
        problems.append(
            "This shell has the offline test run's settings ("
            + ", ".join(switched + [f"{name} in build/offline-hub" for name in stand_ins])
            + "), as build/offline-hub/env.sh sets them: use a shell that did not source that file."
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlpcourse.doctor", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--online",
        action="store_true",
        help="check that a run against the real Hub (make test-online) can start",
    )
    if not parser.parse_args(argv).online:
        return run()
    problems = online_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("Stopped before downloading or running anything.", file=sys.stderr)
        return 1
    print(f"Online run: {HUB_HOST} answers and no offline setting is on.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
