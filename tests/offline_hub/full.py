"""The real-size tier: ``python -m tests.offline_hub.full --out build/offline-hub-full``.

Every registry checkpoint with the real checkpoint's configuration (``nlpcourse.registry.REAL_CONFIGS``)
and random weights in the real files' precision, saved under the same id and revisions as the small tier
(``build/offline-hub``, built first by ``make hub``). A matrix product costs the same whatever the
weights hold, so a notebook run against this tier costs what it costs with the real checkpoints;
its predictions mean nothing. ``make bench`` runs the notebooks against it.

From the small tier it takes each snapshot's tokenizer files and the ``config.json`` values that are
not shapes (architectures, labels, special-token ids, task parameters), and its Hub datasets, evaluate
modules and NLTK data unchanged. Every model gets random weights, also where the small tier has the
real shape and real weights (all-MiniLM-L6-v2, SmolLM2-135M-Instruct), so that a check of a trained
model's quality fails in this tier (tests/test_quality_cells.py). Where a stand-in tokenizer has more
ids than the real vocabulary (the NER stand-ins reuse the uncased 30,522-piece vocabulary; the real
ones have 28,996) the embedding keeps one row per tokenizer id, and the build says so.

Like the small tier it is cached by a hash of its inputs (this file, the registry, the small tier's
stamp, the library versions) and rebuilt in a temporary folder moved into place when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import hubcache
from .build import OFFLINE_ENV, REPO, _version, env_lines

SEED = 1234
VERSIONED = ("transformers", "torch", "safetensors", "huggingface_hub")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "generation_config.json")
#: config.json keys that name the vocabulary size, by model type (all others use ``vocab_size``).
VOCAB_KEY = "vocab_size"


def inputs_hash(small: Path, repo: Path = REPO) -> str:
    """A hash of what the tier is made from: this file, the registry, the small tier and versions."""
    digest = hashlib.sha256()
    for path in (Path(__file__), repo / "src" / "nlpcourse" / "registry.py", small / ".stamp"):
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>"))
    for dist in VERSIONED:
        digest.update(f"{dist}=={_version(dist)}\n".encode())
    return digest.hexdigest()


def real_config(small_config: dict, real: dict, tokenizer_size: int) -> tuple[dict, list[str]]:
    """The small tier's config.json with the real shape values; notes on what differs from the real one.

    Shapes come from ``real``; everything else (labels, special-token ids, task parameters) stays. The
    vocabulary is the real one unless the tokenizer has more ids.
    """
    if small_config.get("model_type") != real["model_type"]:
        found = small_config.get("model_type")
        raise ValueError(f"model type {found!r} is not the real {real['model_type']!r}")
    merged = {**small_config, **real}
    notes = []
    if tokenizer_size > int(merged[VOCAB_KEY]):
        notes.append(f"vocabulary {tokenizer_size:,} (the stand-in tokenizer's ids; the real one has "
                     f"{int(real[VOCAB_KEY]):,})")
        merged[VOCAB_KEY] = tokenizer_size
    return merged, notes


def same_shape(small_config: dict, real: dict) -> bool:
    """True where the small tier's config already has every real shape value (a real stand-in)."""
    return all(small_config.get(key) == value for key, value in real.items())


def tokenizer_size(snapshot: Path) -> int:
    """The number of ids the snapshot's tokenizer can produce (its vocabulary plus added tokens)."""
    from transformers import AutoTokenizer

    return len(AutoTokenizer.from_pretrained(snapshot))


def snapshot_of(hf_home: Path, model_id: str, ref: str = "main") -> Path:
    """The snapshot folder a ref of ``model_id`` points at in a Hugging Face cache."""
    repo = hubcache.repo_folder(hf_home, model_id)
    return repo / "snapshots" / (repo / "refs" / ref).read_text().strip()


def random_model_folder(small_snapshot: Path, config: dict, dst: Path, dtype: str = "float32") -> int:
    """Write the model of ``config`` with random weights, stored in ``dtype`` (the real files'
    precision), and the small snapshot's other files.

    Returns the number of parameters.
    """
    import torch
    import transformers

    cfg = transformers.AutoConfig.for_model(**config)
    cls = getattr(transformers, config["architectures"][0])
    torch.manual_seed(SEED)
    model = cls(cfg).to(getattr(torch, dtype))
    dst.mkdir(parents=True)
    model.save_pretrained(dst, safe_serialization=True)
    for src in small_snapshot.iterdir():
        if src.name not in WEIGHT_FILES and not (dst / src.name).exists():
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst / src.name)
    return sum(p.numel() for p in model.parameters())


def build_models(small_hf: Path, hf_home: Path, work: Path) -> list[str]:
    """Every registry checkpoint at its real size into ``hf_home``; one line per checkpoint."""
    from nlpcourse.registry import CHECKPOINTS, REAL_CONFIGS

    missing = [c.id for c in CHECKPOINTS if c.id not in REAL_CONFIGS]
    if missing:
        raise SystemExit(f"real-size tier: nlpcourse.registry.REAL_CONFIGS lacks {missing}")
    lines = []
    for ckpt in CHECKPOINTS:
        t0 = time.perf_counter()
        small = snapshot_of(small_hf, ckpt.id)
        small_config = json.loads((small / "config.json").read_text())
        real = REAL_CONFIGS[ckpt.id]
        folder = work / ckpt.id.replace("/", "--")
        # random weights even where the small tier has the real shape (all-MiniLM-L6-v2 and
        # SmolLM2-135M-Instruct carry real weights there): a quality check must fail in this tier
        config, notes = real_config(small_config, real, tokenizer_size(small))
        n = random_model_folder(small, config, folder, ckpt.dtype)
        shape = "; the small tier's shape" if same_shape(small_config, real) else ""
        what = f"{n / 1e6:.1f} M parameters, random{shape}" + "".join(f"; {note}" for note in notes)
        pins = (ckpt.revision,) if ckpt.revision else ()
        hubcache.publish(hf_home, ckpt.id, folder, pins)
        shutil.rmtree(folder)
        lines.append(f"{ckpt.id}: {what} ({time.perf_counter() - t0:.1f} s)")
        print(f"  [full] {lines[-1]}", flush=True)
    return lines


def folder_mb(path: Path) -> float:
    """Disk use of the files under ``path`` in MB (hard links counted once)."""
    seen, total = set(), 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 1e6


def build(out: Path, small: Path, force: bool = False) -> int:
    t_start = time.perf_counter()
    out, small = out.resolve(), small.resolve()
    if not (small / ".stamp").is_file():
        raise SystemExit(f"real-size tier: build the small tier first (make hub): {small} has no .stamp")
    digest = inputs_hash(small)
    stamp = out / ".stamp"
    if not force and stamp.is_file() and stamp.read_text().strip() == digest:
        print(f"real-size offline hub up to date ({out}, {folder_mb(out) / 1e3:.1f} GB)")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    try:
        hf_home = tmp / "hf"
        os.environ.update(OFFLINE_ENV)
        os.environ["HF_HOME"] = str(hf_home)
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        for part in sorted((small / "hf").iterdir()):  # datasets, evaluate modules, metrics: unchanged
            if part.name != "hub":
                shutil.copytree(part, hf_home / part.name, symlinks=True)
        for repo in sorted((small / "hf" / "hub").glob("datasets--*")):  # Hub datasets keep their size
            shutil.copytree(repo, hf_home / "hub" / repo.name, symlinks=True)
        shutil.copytree(small / "nltk_data", tmp / "nltk_data", symlinks=True)
        lines = build_models(small / "hf", hf_home, tmp / ".work")
        (tmp / "env.sh").write_text(
            "# source this file to run the notebooks against the real-size tier (random weights)\n"
            + "\n".join(env_lines(out)) + "\n"
        )
        (tmp / "MODELS.txt").write_text("\n".join(lines) + "\n")
        (tmp / ".stamp").write_text(digest + "\n")
        old = out.with_name(f".{out.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"real-size offline hub built in {time.perf_counter() - t_start:.0f} s: {out} "
          f"({folder_mb(out) / 1e3:.1f} GB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "offline-hub-full")
    parser.add_argument("--small", type=Path, default=REPO / "build" / "offline-hub",
                        help="the small tier, whose tokenizers and evaluate/NLTK data are reused")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    args = parser.parse_args(argv)
    return build(args.out, args.small, args.force)


if __name__ == "__main__":
    sys.exit(main())
