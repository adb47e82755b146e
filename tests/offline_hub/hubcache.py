"""Write a model folder into a Hugging Face cache under an exact Hub id, the way a download would.

Layout (as huggingface_hub writes it)::

    <hf_home>/hub/models--{org}--{name}/snapshots/<40-hex commit>/<files>
    <hf_home>/hub/models--{org}--{name}/refs/main            (holds the commit hash)
    <hf_home>/hub/models--{org}--{name}/refs/<short hash>    (a revision pipeline() pins)

With HF_HUB_OFFLINE=1 huggingface_hub resolves a revision name through ``refs/<name>``, so a ref
named after a pinned short hash makes ``pipeline(task)`` find its default checkpoint.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def repo_folder(hf_home: Path, model_id: str, repo_type: str = "model") -> Path:
    """The cache folder of a repo: ``hub/models--org--name`` (``hub/datasets--org--name`` for a dataset)."""
    return hf_home / "hub" / (f"{repo_type}s--" + model_id.replace("/", "--"))


def commit_hash(folder: Path) -> str:
    """A stable 40-hex commit name derived from the folder's file names and contents."""
    digest = hashlib.sha1()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def publish(
    hf_home: Path, model_id: str, folder: Path, pins: tuple[str, ...] = (), repo_type: str = "model"
) -> Path:
    """Copy ``folder`` into the cache as ``model_id``'s snapshot; write refs/main and refs/<pin>.

    Identical files already published (another id with the same stand-in) are hard-linked.
    Returns the snapshot folder.
    """
    commit = commit_hash(folder)
    repo = repo_folder(hf_home, model_id, repo_type)
    snapshot = repo / "snapshots" / commit
    if snapshot.exists():
        shutil.rmtree(snapshot)
    for src in sorted(p for p in folder.rglob("*") if p.is_file()):
        dst = snapshot / src.relative_to(folder)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    for ref in ("main", *pins):
        (repo / "refs" / ref).write_text(commit)
    return snapshot
