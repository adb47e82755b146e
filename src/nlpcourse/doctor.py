"""``python -m nlpcourse doctor``: what is installed, what is missing, and the exact fix."""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass

from packaging.requirements import Requirement

from nlpcourse.core import HUB_MESSAGES, detect_platform, device_message, hub_status, pick_device
from nlpcourse.resources import has_nltk

__all__ = ["Check", "package_checks", "data_checks", "run"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""


def requirements() -> list[Requirement]:
    """The course's runtime requirements, read from the installed package's metadata."""
    declared = importlib.metadata.requires("nlpcourse") or []
    reqs = [Requirement(line) for line in declared]
    return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]


def package_checks(reqs: list[Requirement] | None = None) -> list[Check]:
    checks = []
    for req in reqs if reqs is not None else requirements():
        fix = f'pip install "{req.name}{req.specifier}"'
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check(req.name, False, "not installed", fix))
            continue
        release = re.sub(r"\+.*$", "", version)  # "2.13.0+cpu" satisfies ">=2.4"
        ok = req.specifier.contains(release, prereleases=True)
        checks.append(Check(req.name, ok, version, "" if ok else fix))
    return checks


def data_checks() -> list[Check]:
    from nlpcourse.registry import NLTK_RESOURCES, SPACY_MODELS

    checks = []
    for name in NLTK_RESOURCES:
        ok = has_nltk(name)
        checks.append(
            Check(f"nltk:{name}", ok, "found" if ok else "missing", f"python -m nltk.downloader {name}")
        )
    for model in SPACY_MODELS:
        try:
            version = importlib.metadata.version(model)
            checks.append(Check(f"spacy:{model}", True, version))
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check(f"spacy:{model}", False, "missing", f"python -m spacy download {model}"))
    return checks


def run() -> int:
    """Print the report; return 1 when something required is missing."""
    checks = package_checks() + data_checks()
    width = max(len(c.name) for c in checks)
    for c in checks:
        status = "ok " if c.ok else "MISSING" if c.found in {"missing", "not installed"} else "WRONG"
        line = f"{status:8} {c.name:{width}}  {c.found}"
        print(line + (f"   fix: {c.fix}" if not c.ok else ""))
    print(device_message(pick_device(), detect_platform()))
    print(HUB_MESSAGES[hub_status()])
    bad = [c for c in checks if not c.ok]
    if bad:
        print(f"\n{len(bad)} problem(s). Run the fix commands above, or `make lab` to repair all.")
        return 1
    print("\nEverything the course needs is installed.")
    return 0
