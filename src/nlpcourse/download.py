"""Prefetch what chapters load: ``python -m nlpcourse download [CHAPTER ...]``.

Fetches, for the chosen chapters (all when none is named), exactly what their notebooks load as
recorded in :mod:`nlpcourse.registry`: a checkpoint's weights only where a notebook runs the model,
its tokenizer files where only the tokenizer is used, its ``config.json`` where only the config is
read; the Hub datasets loaded by id; the evaluate modules' scripts; the NLTK data and the spaCy model.
It prints the plan and its total size first. Afterwards those notebooks run without a network (for a
class, a train, a plane).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from nlpcourse import disk, registry
from nlpcourse.core import HUB_HOST, can_connect
from nlpcourse.registry import CONFIG, TOKENIZER, WEIGHTS

__all__ = [
    "Fetch",
    "describe",
    "download",
    "files_for",
    "format_mb",
    "hub_reachable",
    "main",
    "offline_reason",
    "parse_chapters",
    "plan",
    "total_mb",
]

CONNECT_TIMEOUT_S = 3.0
# Root-level files each part takes from a repository (a pattern with "/" names a subfolder's file).
# Other folders (onnx/, openvino/ ...) and other frameworks' weights (.h5, .msgpack, .ot) are left out.
CONFIG_FILES = ("config.json",)
TOKENIZER_FILES = CONFIG_FILES + (
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
    "vocab.txt", "vocab.json", "merges.txt", "*.model", "*.tiktoken", "chat_template.*",
)
WEIGHT_FILES = TOKENIZER_FILES + ("*.json", "*.safetensors", "1_Pooling/config.json")
FALLBACK_WEIGHT_FILES = ("pytorch_model*.bin",)  # repositories with no safetensors at all
PART_FILES = {CONFIG: CONFIG_FILES, TOKENIZER: TOKENIZER_FILES, WEIGHTS: WEIGHT_FILES}

OFFLINE_HELP = """\
Cannot download: {reason}.
What still works without a network:
  - models, NLTK data and spaCy models you already downloaded (they are cached);
  - the whole course's test run, `make test`, which builds small offline stand-ins for every
    checkpoint (tests/offline_hub/) instead of downloading them.
Connect to the internet (huggingface.co must be reachable) and run `python -m nlpcourse download` again."""


@dataclass(frozen=True)
class Fetch:
    """One thing to download.

    ``kind`` is ``model``, ``dataset``, ``evaluate``, ``nltk`` or ``spacy``; ``part`` is a registry part
    for models and the module type for evaluate modules; ``revision`` None means ``main``.
    """

    kind: str
    name: str
    part: str = ""
    revision: str | None = None
    size_mb: int = 0
    chapters: tuple[str, ...] = ()


def parse_chapters(names: Sequence[str]) -> list[str]:
    """Chapter numbers as the registry writes them (``"1"`` -> ``"01"``); none means every chapter.

    Raises:
        ValueError: a name is not a chapter; the message lists the chapters.
    """
    if not names:
        return list(registry.CHAPTERS)
    chapters = []
    for name in names:
        chapter = name.zfill(2) if name.isdigit() else name
        if chapter not in registry.CHAPTERS:
            raise ValueError(f"unknown chapter {name!r}: the chapters are {', '.join(registry.CHAPTERS)}")
        chapters.append(chapter)
    return sorted(set(chapters))


def _users(uses: Iterable[str], chapters: set[str]) -> tuple[str, ...]:
    """Those of ``uses`` (chapters, or a mapping keyed by chapter) that are in ``chapters``, sorted."""
    return tuple(sorted(chapter for chapter in uses if chapter in chapters))


def plan(chapters: Iterable[str]) -> list[Fetch]:
    """Everything ``chapters`` load, each item once, with the chapters that need it."""
    chapters = set(chapters)
    items: list[Fetch] = []
    for ckpt in registry.CHECKPOINTS:
        for revision, part in ckpt.needs(chapters).items():
            uses = ckpt.pinned_uses if revision else ckpt.uses
            items.append(Fetch("model", ckpt.id, part, revision, ckpt.part_mb(part), _users(uses, chapters)))
    for dataset in registry.DATASETS:
        if users := _users(dataset.chapters, chapters):
            items.append(Fetch("dataset", dataset.id, size_mb=dataset.size_mb, chapters=users))
    for module in registry.EVALUATE:
        if users := _users(module.chapters, chapters):
            items.append(Fetch("evaluate", module.name, module.module_type, chapters=users))
    for kind, resources in (("nltk", registry.NLTK), ("spacy", registry.SPACY)):
        for res in resources:
            if users := _users(res.chapters, chapters):
                items.append(Fetch(kind, res.name, size_mb=res.size_mb, chapters=users))
    return items


def total_mb(items: Iterable[Fetch]) -> int:
    """Total size of ``items`` (a pinned revision counts in full, though it may share files with main)."""
    return sum(item.size_mb for item in items)


def format_mb(mb: int) -> str:
    """``"<1 MB"``, ``"440 MB"`` or ``"1.3 GB"``."""
    if mb == 0:
        return "<1 MB"
    return f"{mb} MB" if mb < 1000 else f"{mb / 1000:.1f} GB"


def describe(items: Sequence[Fetch], chapters: Sequence[str]) -> str:
    """The plan as printed before downloading: one line per item, then the total."""
    every = list(chapters) == list(registry.CHAPTERS)
    which = "every chapter" if every else "chapter(s) " + " ".join(chapters)
    if not items:
        return f"Nothing to download for {which}: its notebooks load no model or data."
    rows = [("kind", "name", "revision", "part", "size", "chapters")] + [
        (item.kind, item.name, (item.revision or "main") if item.kind == "model" else "-", item.part or "-",
         format_mb(item.size_mb), " ".join(item.chapters))
        for item in items
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]  # the chapters column is last
    lines = [f"For {which}, the course downloads {len(items)} item(s):"]
    for row in rows:
        pairs = enumerate(zip(row[:5], widths, strict=True))
        cells = [cell.rjust(width) if i == 4 else cell.ljust(width) for i, (cell, width) in pairs]
        lines.append("  " + "  ".join([*cells, row[5]]))
    total = total_mb(items)
    lines.append(f"Total: {format_mb(total)}" + (f" ({total} MB)." if total >= 1000 else "."))
    return "\n".join(lines)


def hub_reachable(timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Whether a TCP connection to huggingface.co:443 opens within ``timeout`` seconds."""
    return can_connect(HUB_HOST, 443, timeout=timeout)


def offline_reason() -> str | None:
    """Why nothing can be downloaded now, or None when the Hub is reachable."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return "HF_HUB_OFFLINE is set (unset it to download)"
    if not hub_reachable():
        return f"{HUB_HOST}:443 cannot be reached (no answer, or no answer within {CONNECT_TIMEOUT_S:.0f} s)"
    return None


def files_for(part: str, repo_files: Iterable[str]) -> list[str]:
    """The files of a repository (``list_repo_files``) that ``part`` needs.

    Weights are the safetensors files where the repository has any at its root, else the
    ``pytorch_model*.bin`` files.
    """
    repo_files = list(repo_files)

    def matching(patterns: Sequence[str]) -> list[str]:
        return [
            f for f in repo_files
            if any(fnmatch.fnmatchcase(f, p) and ("/" in p or "/" not in f) for p in patterns)
        ]

    files = matching(PART_FILES[part])
    if part == WEIGHTS and not any(f.endswith(".safetensors") for f in files):
        files += matching(FALLBACK_WEIGHT_FILES)
    return files


def _model(item: Fetch) -> None:
    from huggingface_hub import HfApi, snapshot_download

    files = files_for(item.part, HfApi().list_repo_files(item.name, revision=item.revision))
    snapshot_download(item.name, revision=item.revision, allow_patterns=files)


def _dataset(item: Fetch) -> None:
    # load_dataset, not snapshot_download: offline, datasets reads the prepared copy that a load leaves
    # in its own cache, not the Hub files
    from datasets import load_dataset

    load_dataset(item.name)


def _evaluate(item: Fetch) -> None:
    # caches the module's script (and the files it imports) without running it: the model a
    # measurement loads is an item of its own
    from evaluate.loading import evaluation_module_factory

    evaluation_module_factory(item.name, module_type=item.part)


def _nltk(item: Fetch) -> None:
    import nltk

    if not nltk.download(item.name, quiet=True, raise_on_error=True):
        raise RuntimeError(f"nltk.download({item.name!r}) failed")


def _spacy(item: Fetch) -> None:
    import spacy.cli

    try:
        spacy.cli.download(item.name)
    except SystemExit as exc:  # spacy.cli exits when pip fails
        raise RuntimeError(f"spacy download {item.name} failed (exit {exc.code})") from None


FETCHERS: dict[str, Callable[[Fetch], None]] = {
    "model": _model, "dataset": _dataset, "evaluate": _evaluate, "nltk": _nltk, "spacy": _spacy,
}


def download(chapters: Sequence[str] = registry.CHAPTERS, dry_run: bool = False) -> int:
    """Print the plan for ``chapters``, then fetch it.

    Returns 0 when everything was fetched (or nothing was to be), 1 otherwise; offline it stops at once.
    """
    items = plan(chapters)
    print(describe(items, chapters), flush=True)
    if dry_run or not items:
        return 0
    reason = offline_reason()
    if reason:
        print(OFFLINE_HELP.format(reason=reason), file=sys.stderr)
        return 1
    cache = disk.hub_cache()
    need = total_mb(items) - disk.cached_mb(cache, {item.name for item in items})
    if (room := disk.free_mb(cache)) < need:
        print(f"Warning: {format_mb(room)} free at {cache}, and up to {format_mb(need)} to download: the "
              "downloads may fill the disk. Free some space, name fewer chapters, or set HF_HOME to a folder "
              "on a disk with room.", file=sys.stderr, flush=True)
    failed: list[str] = []
    for i, item in enumerate(items, 1):
        label = f"{item.kind} {item.name}" + (f" @ {item.revision}" if item.revision else "")
        print(f"[{i}/{len(items)}] {label} ({item.part or item.kind}, {format_mb(item.size_mb)})", flush=True)
        try:
            FETCHERS[item.kind](item)
        except Exception as exc:  # report every failure, then go on with the rest
            print(f"  FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(label)
    if failed:
        print(f"{len(failed)} download(s) failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    print("Everything these chapters load is cached; their notebooks now run offline.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlpcourse download",
        description="Prefetch what the chosen chapters' notebooks load: checkpoints (only the parts "
        "they use), Hub datasets, evaluate modules, NLTK data and spaCy models.",
    )
    parser.add_argument(
        "chapters", nargs="*", metavar="CHAPTER",
        help=f"chapter numbers ({', '.join(registry.CHAPTERS)}); none: every chapter",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan; download nothing")
    args = parser.parse_args(argv)
    try:
        chapters = parse_chapters(args.chapters)
    except ValueError as err:
        parser.error(str(err))
    return download(chapters, dry_run=args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
