"""Where the course writes what it makes: fine-tuned models, and other files a notebook builds.

``models_dir()`` is the folder under which notebooks save fine-tuned models (chapter 06 saves
``models_dir() / "distilbert-course-reviews"``) and from which later chapters and the tests load them.
It is, in this order:

1. the folder named by the environment variable ``NLPCOURSE_MODELS``, when it is set;
2. ``<repository>/build/models`` when the package runs from a checkout of the course repository
   (an editable install: ``make lab``, ``pip install -e .``);
3. ``~/.cache/nlpcourse/models`` otherwise (``pip install`` from Colab or from a wheel).

The folder is created on first use. ``build_dir()`` is the folder for everything else a notebook
writes (chapter 13's model card and Space folder): ``<repository>/build`` in a checkout, else
``~/.cache/nlpcourse``. ``scratch_dir()`` is a temporary folder for checkpoints a notebook does not keep.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["MODELS_ENV", "build_dir", "models_dir", "remove_stale_scratch", "repo_root", "scratch_dir"]

#: Environment variable that overrides where fine-tuned models go.
MODELS_ENV = "NLPCOURSE_MODELS"


def repo_root() -> Path | None:
    """The course repository this package runs from, or ``None`` for an installed copy."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else None


def models_dir(create: bool = True) -> Path:
    """The folder for fine-tuned models (see the module docstring for the order of choices)."""
    override = os.environ.get(MODELS_ENV)
    if override:
        folder = Path(override).expanduser()
    elif (root := repo_root()) is not None:
        folder = root / "build" / "models"
    else:
        folder = Path.home() / ".cache" / "nlpcourse" / "models"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_dir(create: bool = True) -> Path:
    """``<repository>/build`` in a checkout of the course, ``~/.cache/nlpcourse`` in an installed copy."""
    root = repo_root()
    folder = root / "build" if root is not None else Path.home() / ".cache" / "nlpcourse"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


SCRATCH_PREFIX = "nlpcourse-"
_OWNER = ".owner-pid"
_scratch: list[tempfile.TemporaryDirectory[str]] = []  # alive until the interpreter exits


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_scratch() -> list[Path]:
    """Remove the scratch folders of processes that no longer run; return them."""
    if os.name != "posix":  # on Windows, os.kill(pid, 0) would end the process instead
        return []
    stale = []
    for owner in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*/{_OWNER}"):
        try:
            pid = owner.read_text().strip()
        except FileNotFoundError:  # another process removed it just now
            continue
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(owner.parent, ignore_errors=True)
            stale.append(owner.parent)
    return stale


def scratch_dir(chapter: str) -> Path:
    """A new temporary folder ``nlpcourse-<chapter>-*`` for checkpoints and runs a notebook throws away.

    It is removed when the Python process exits normally. A kernel that is killed (a test runner
    stops its kernels that way) cannot clean up, so each call also removes the scratch folders of
    earlier processes that no longer run: fine-tuning checkpoints take about a gigabyte per chapter.
    """
    remove_stale_scratch()
    folder = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{chapter}-", ignore_cleanup_errors=True)
    _scratch.append(folder)
    (Path(folder.name) / _OWNER).write_text(str(os.getpid()))
    return Path(folder.name)
