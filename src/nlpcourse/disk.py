"""Free disk space, against what the course writes.

Two places fill up: the Hugging Face cache, where ``python -m nlpcourse download`` and the notebooks put
checkpoints and datasets, and the temporary folder, where fine-tuning chapters keep checkpoints while
they run (:func:`nlpcourse.paths.scratch_dir`). A full disk shows up mid-chapter as an ``OSError`` from
deep inside safetensors or ``datasets``; ``doctor`` and ``download`` say it before that.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from nlpcourse import registry

__all__ = ["SCRATCH_MB", "cached_mb", "free_mb", "hub_cache", "room_problem", "scratch_parent"]

#: Room a fine-tuning chapter needs in the temporary folder while it runs. The largest scratch folder
#: measured, chapter 06's with its CPU plan and real-size DistilBERT, held 1.1 GB. A Trainer run keeps its
#: best and its last checkpoint, 0.8 GB each for DistilBERT (weights and AdamW's two moments): room for two.
SCRATCH_MB = 2000


def free_mb(path: Path) -> int:
    """Free megabytes on the disk that holds ``path``, or its nearest existing parent folder."""
    path = path.expanduser().absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free // 1_000_000


def hub_cache() -> Path:
    """Where the Hugging Face libraries cache downloads (``HF_HOME``/``HF_HUB_CACHE`` move it)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def scratch_parent() -> Path:
    """The temporary folder under which scratch folders go (``TMPDIR`` moves it)."""
    return Path(tempfile.gettempdir())


def cached_mb(cache: Path, ids: Iterable[str] | None = None) -> int:
    """Megabytes of the Hub repositories ``ids`` in ``cache``; by default, the course's checkpoints and
    datasets."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    if ids is None:
        ids = {c.id for c in registry.CHECKPOINTS} | {d.id for d in registry.DATASETS}
    ids = set(ids)
    try:
        repos = scan_cache_dir(cache).repos
    except CacheNotFound:
        return 0
    return sum(repo.size_on_disk for repo in repos if repo.repo_id in ids) // 1_000_000


def room_problem(folders: Iterable[Path], need_mb: int, what: str,
                 free: Callable[[Path], int] = free_mb) -> str | None:
    """A sentence naming the first of ``folders`` with less than ``need_mb`` free, or ``None``."""
    for folder in folders:
        if (room := free(folder)) < need_mb:
            return (f"only {room} MB free at {folder}, and {what} needs about {need_mb} MB there: free some "
                    "space first (a full disk fails in ways that hide the cause)")
    return None
