"""The Colab-like environment: the course's wheel in a fresh virtual environment outside the checkout.

``build/colab/venv`` holds only what a Colab runtime brings that matters here (torch, the same
build as ``.venv``; ipykernel; spaCy's ``en_core_web_sm``, preinstalled on Colab) plus the built
wheel's own dependencies. It is rebuilt only when the wheel's ``Requires-Dist``, the torch version,
the Python version or the spaCy model change (the key is kept in a stamp file); otherwise it is
reused. The course package itself is uninstalled before the notebooks run, so that the first
notebook's setup cell installs it from the wheel, as the Colab install line does.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COLAB = ROOT / "build" / "colab"
DIST = COLAB / "dist"
VENV = COLAB / "venv"
BUILDER = COLAB / "builder"
STAMP = VENV / ".key"
HUB = ROOT / "build" / "offline-hub"
TIMES_MD = COLAB / "notebook-times.md"
GUARD = "NLPCOURSE_NETGUARD"  # build/offline-hub/env.sh sets it to 1: no network but loopback
#: The interpreter build/colab/venv is made from: Colab's Python version where one is given
#: (``make test-colab COLAB_PYTHON=python3.12``), else the one running the tests.
BASE_PYTHON = os.environ.get("NLPCOURSE_COLAB_PYTHON") or sys.executable


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "colab: runs the student notebooks from the built wheel in a Colab-like environment"
    )


@dataclass
class ColabTimes:
    """Seconds spent preparing the environment and running each notebook."""

    steps: dict[str, float] = field(default_factory=dict)
    notebooks: dict[str, float] = field(default_factory=dict)


TIMES = ColabTimes()


def _build_env() -> dict[str, str]:
    """The environment for pip: the test run's, with the network guard switched off (pip needs the index)."""
    env = dict(os.environ)
    env.pop(GUARD, None)
    return env


def _run(command: list[str | Path]) -> None:
    """Run ``command``; on failure fail the test with its output."""
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=_build_env())
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-3000:]}",
            pytrace=False,
        )


@contextmanager
def _timed(step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    TIMES.steps[step] = time.perf_counter() - start


def requires_dist(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel's metadata."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(name).decode("utf-8"))
    return metadata.get_all("Requires-Dist") or []


@pytest.fixture(scope="session")
def colab_lock() -> Iterator[None]:
    """One Colab-like run at a time: a second test run waits instead of rebuilding the same venv."""
    COLAB.mkdir(parents=True, exist_ok=True)
    with open(COLAB / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
        fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def offline_hub() -> Path:
    """The offline hub, and a test run that uses it (``source build/offline-hub/env.sh``)."""
    if not (HUB / ".stamp").is_file():
        pytest.fail(f"{HUB} is not built: run `make test` (or `make hub`) first", pytrace=False)
    hf_home = os.environ.get("HF_HOME")
    if hf_home is None or Path(hf_home).resolve() != (HUB / "hf").resolve() or os.environ.get(GUARD) != "1":
        pytest.fail(
            f"the Colab-like run needs the offline test environment: `source {HUB / 'env.sh'}` "
            "before pytest (make test does)",
            pytrace=False,
        )
    return HUB


def _wheel_command() -> list[str | Path]:
    """The ``pip wheel`` command that builds the project's wheel.

    A cached venv with the project's build backend (build/colab/builder) saves the isolated build
    environment pip would otherwise set up, and query the index for, on every run.
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: let pip build in an isolated environment
        return [sys.executable, "-m", "pip", "wheel"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    python, stamp = BUILDER / "bin" / "python", BUILDER / ".key"
    key = "\n".join([sys.version.split()[0], *sorted(requires)])
    if not (python.is_file() and stamp.is_file() and stamp.read_text() == key):
        shutil.rmtree(BUILDER, ignore_errors=True)
        _run([sys.executable, "-m", "venv", BUILDER])
        _run([python, "-m", "pip", "install", "-q", *requires])
        stamp.write_text(key)
    return [python, "-m", "pip", "wheel", "--no-build-isolation"]


@pytest.fixture(scope="session")
def course_wheel(colab_lock: None) -> Path:
    """The project's wheel, built from the working tree into build/colab/dist."""
    DIST.mkdir(parents=True, exist_ok=True)
    for old in DIST.glob("nlpcourse-*.whl"):
        old.unlink()
    with _timed("build the wheel"):
        _run([*_wheel_command(), "-q", "--no-deps", "-w", DIST, ROOT])
    wheels = list(DIST.glob("nlpcourse-*.whl"))
    assert len(wheels) == 1, f"expected one nlpcourse wheel in {DIST}, found {wheels}"
    return wheels[0]


def spacy_model_wheel() -> Path:
    """A wheel of ``en_core_web_sm``, packaged the way the offline hub installs it into ``.venv``."""
    from tests.offline_hub import spacy_model

    wheel = DIST / f"{spacy_model.PACKAGE}-{spacy_model.VERSION}-py3-none-any.whl"
    if not wheel.is_file():
        with tempfile.TemporaryDirectory(prefix="nlpcourse-spacy-") as tmp:
            sdist = spacy_model.build_sdist(Path(tmp))
            options = ["-q", "--no-deps", "--no-index", "--no-build-isolation"]  # as the hub installs it
            _run([sys.executable, "-m", "pip", "wheel", *options, "-w", DIST, sdist])
    assert wheel.is_file(), f"pip wheel did not write {wheel}"
    return wheel


def _venv_python() -> Path:
    return VENV / "bin" / "python"


@pytest.fixture(scope="session")
def colab_python(course_wheel: Path) -> Path:
    """The Python of build/colab/venv, ready for the notebooks, with the course package not installed."""
    torch_version = importlib.metadata.version("torch")  # the exact build of .venv, e.g. 2.13.0+cpu
    base_version = subprocess.run([BASE_PYTHON, "-c", "import sys; print(sys.version.split()[0])"],
                                  check=True, capture_output=True, text=True).stdout.strip()
    if base_version != sys.version.split()[0]:
        # .venv's build may exist for its own Python only (a local +cpu wheel): take the release
        torch_version = torch_version.split("+")[0]
    spacy_wheel = spacy_model_wheel()
    key_parts = [base_version, f"torch=={torch_version}", spacy_wheel.name]
    key_text = "\n".join([*key_parts, *sorted(requires_dist(course_wheel))])
    key = hashlib.sha256(key_text.encode()).hexdigest()
    python = _venv_python()
    if not (python.is_file() and STAMP.is_file() and STAMP.read_text().strip() == key):
        with _timed("create the venv (cold)"):
            shutil.rmtree(VENV, ignore_errors=True)
            _run([BASE_PYTHON, "-m", "venv", VENV])
            # --no-compile: Python writes the bytecode of what the notebooks import when they import
            # it; compiling all of torch and transformers up front takes longer than the runs need.
            pip = [python, "-m", "pip", "install", "-q", "--no-compile"]
            # torch first and pinned to .venv's build, so that resolving the wheel keeps it.
            _run([*pip, f"torch=={torch_version}"])
            _run([*pip, course_wheel, "ipykernel"])
            _run([*pip, "--no-deps", spacy_wheel])
            same_torch = f"assert importlib.metadata.version('torch') == {torch_version!r}"
            _run([python, "-c", f"import importlib.metadata, torch; {same_torch}"])
            STAMP.write_text(key + "\n")
    with _timed("remove the course package"):
        _run([python, "-m", "pip", "uninstall", "-q", "-y", "nlpcourse"])
    return python


@pytest.fixture(scope="session")
def colab_times() -> ColabTimes:
    """Where the tests record each notebook's wall time (printed at the end of the run)."""
    return TIMES


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not TIMES.notebooks and not TIMES.steps:
        return
    lines = ["| step | wall time (s) |", "|---|---:|"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in TIMES.steps.items()]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in sorted(TIMES.notebooks.items())]
    COLAB.mkdir(parents=True, exist_ok=True)
    TIMES_MD.write_text("\n".join(lines) + "\n")
    terminalreporter.write_sep("=", f"Colab-like run (also in {TIMES_MD.relative_to(ROOT)})")
    for line in lines:
        terminalreporter.write_line(line)
