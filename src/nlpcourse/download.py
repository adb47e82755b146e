"""Prefetch everything the course downloads: ``python -m nlpcourse download``.

Downloads every checkpoint in :mod:`nlpcourse.registry` into the Hugging Face cache (weights as
safetensors where the repo has them, configs and tokenizer files), every NLTK resource and every
spaCy model, so that the notebooks then run without a network (for a class, a train, a plane).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from nlpcourse.registry import CHECKPOINTS, NLTK_RESOURCES, SPACY_MODELS, Checkpoint

__all__ = ["download", "hub_reachable", "main", "offline_reason", "total_size_mb"]

HUB_HOST = "huggingface.co"
CONNECT_TIMEOUT_S = 3.0
# approximate download sizes (MB) of the non-Hub resources
NLTK_SIZE_MB: dict[str, int] = {"punkt_tab": 4, "wordnet": 11, "stopwords": 1}
SPACY_SIZE_MB: dict[str, int] = {"en_core_web_sm": 13}
# files transformers, sentence-transformers and tokenizers read; weights only as safetensors
CONFIG_PATTERNS = ["*.json", "*.txt", "*.model", "*.jinja", "*.tiktoken", "1_Pooling/*"]
WEIGHT_PATTERNS = ["*.safetensors"]
FALLBACK_WEIGHT_PATTERNS = ["pytorch_model*.bin"]  # repos that have no safetensors at all

OFFLINE_HELP = """\
Cannot download: {reason}.
What still works without a network:
  - models, NLTK data and spaCy models you already downloaded (they are cached);
  - the whole course's test run, `make test`, which builds small offline stand-ins for every
    checkpoint (tests/offline_hub/) instead of downloading them.
Connect to the internet (huggingface.co must be reachable) and run `python -m nlpcourse download` again."""


def total_size_mb() -> int:
    """Approximate total download size: every checkpoint, NLTK resource and spaCy model."""
    return (
        sum(c.size_mb for c in CHECKPOINTS)
        + sum(NLTK_SIZE_MB.get(name, 5) for name in NLTK_RESOURCES)
        + sum(SPACY_SIZE_MB.get(name, 15) for name in SPACY_MODELS)
    )


def hub_reachable(timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Whether a TCP connection to huggingface.co:443 opens within ``timeout`` seconds."""
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def offline_reason() -> str | None:
    """Why nothing can be downloaded now, or None when the Hub is reachable."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return "HF_HUB_OFFLINE is set (unset it to download)"
    if not hub_reachable():
        return f"{HUB_HOST}:443 cannot be reached (no answer, or no answer within {CONNECT_TIMEOUT_S:.0f} s)"
    return None


def _patterns(ckpt: Checkpoint, revision: str | None) -> list[str]:
    from huggingface_hub import HfApi

    files = HfApi().list_repo_files(ckpt.id, revision=revision)
    has_safetensors = any(f.endswith(".safetensors") for f in files)
    return CONFIG_PATTERNS + (WEIGHT_PATTERNS if has_safetensors else FALLBACK_WEIGHT_PATTERNS)


def _checkpoint(ckpt: Checkpoint) -> None:
    from huggingface_hub import snapshot_download

    # pipeline() loads the pinned revision, from_pretrained(id) loads main: cache both
    for revision in dict.fromkeys([ckpt.revision, None]):
        snapshot_download(ckpt.id, revision=revision, allow_patterns=_patterns(ckpt, revision))


def _nltk(name: str) -> None:
    import nltk

    if not nltk.download(name, quiet=True, raise_on_error=True):
        raise RuntimeError(f"nltk.download({name!r}) failed")


def _spacy(name: str) -> None:
    import spacy.cli

    try:
        spacy.cli.download(name)
    except SystemExit as exc:  # spacy.cli exits when pip fails
        raise RuntimeError(f"spacy download {name} failed (exit {exc.code})") from None


def download(dry_run: bool = False) -> int:
    """Prefetch everything; return 0 when all succeeded, 1 otherwise (offline: at once)."""
    items = (
        [(f"model  {c.id}" + (f" @ {c.revision}" if c.revision else ""), c.size_mb,
          lambda c=c: _checkpoint(c)) for c in CHECKPOINTS]
        + [(f"nltk   {n}", NLTK_SIZE_MB.get(n, 5), lambda n=n: _nltk(n)) for n in NLTK_RESOURCES]
        + [(f"spacy  {m}", SPACY_SIZE_MB.get(m, 15), lambda m=m: _spacy(m)) for m in SPACY_MODELS]
    )
    print(f"The course downloads {len(items)} items, about {total_size_mb() / 1000:.1f} GB in all.")
    if dry_run:
        for label, size, _ in items:
            print(f"  {label}  (~{size} MB)")
        return 0
    reason = offline_reason()
    if reason:
        print(OFFLINE_HELP.format(reason=reason), file=sys.stderr)
        return 1
    failed: list[str] = []
    for i, (label, size, fetch) in enumerate(items, 1):
        print(f"[{i}/{len(items)}] {label}  (~{size} MB)", flush=True)
        try:
            fetch()
        except Exception as exc:  # report every failure, then go on with the rest
            print(f"  FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(label)
    if failed:
        print(f"{len(failed)} download(s) failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    print("Everything the course uses is cached; the notebooks now run offline.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlpcourse download",
        description="Prefetch every checkpoint, NLTK resource and spaCy model the course uses.",
    )
    parser.add_argument("--dry-run", action="store_true", help="list the downloads; download nothing")
    args = parser.parse_args(argv)
    return download(dry_run=args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
