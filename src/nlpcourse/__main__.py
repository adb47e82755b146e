"""Command line: ``python -m nlpcourse {doctor,download,strip,student,sync-notebooks,runtimes}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlpcourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check packages, NLTK data, spaCy model, device and network")
    sub.add_parser(
        "download",
        help="prefetch what the chosen chapters load ([CHAPTER ...]; none: every chapter)",
        add_help=False,
    )
    strip = sub.add_parser("strip", help="remove outputs and execution counts from notebooks")
    strip.add_argument("paths", nargs="+", type=Path)
    student = sub.add_parser("student", help="write notebooks without solution cells")
    student.add_argument("--src", type=Path, default=Path("notebooks"))
    student.add_argument("--dest", type=Path, default=Path("build/student"))
    sync_parser = sub.add_parser(
        "sync-notebooks",
        help="write the setup cell, Colab badge and runtime line into every notebook, the README's times, "
        "and each notebook's paired jupytext source (the newer file of a pair wins)",
    )
    sync_parser.add_argument("names", nargs="*", help="only these notebooks (default: all)")
    runtimes = sub.add_parser(
        "runtimes",
        help="record make bench's real-size times and peak memory in benchmarks/runtimes.json, then "
        "sync-notebooks",
    )
    runtimes.add_argument("--bench", type=Path, default=Path("build/bench/results.json"))
    args, rest = parser.parse_known_args(argv)

    if args.command == "doctor":
        from nlpcourse.doctor import run

        return run()
    if args.command == "download":
        from nlpcourse.download import main as download_main

        return download_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        from nlpcourse import notebooks
    except ModuleNotFoundError as err:
        if err.name != "nbformat":
            raise
        print(
            f"`python -m nlpcourse {args.command}` needs nbformat (the course's lab extra): "
            'pip install "nbformat>=5.9,<6", or pip install -e ".[lab]" in a checkout',
            file=sys.stderr,
        )
        return 1

    if args.command in {"runtimes", "sync-notebooks"}:
        from nlpcourse import sync

        runtimes_json = Path("benchmarks/runtimes.json")
        if args.command == "runtimes":
            recorded, refused = sync.record(args.bench, runtimes_json)
            print(f"recorded the real-size measurements of {len(recorded)} notebook(s) in {runtimes_json}")
            if refused:
                print(f"not recorded, measured on a busy machine (load above {sync.BUSY_LOAD_PER_CORE} per "
                      f"core): {', '.join(refused)}; run make bench again with nothing else running",
                      file=sys.stderr)
        only = getattr(args, "names", [])
        changed = sync.sync_all(Path("notebooks"), Path("README.md"), runtimes_json, only)
        print(f"sync-notebooks: {len(changed)} file(s) written" + "".join(f"\n  {p}" for p in changed))
        return 0
    if args.command == "strip":
        changed = notebooks.strip_files(args.paths)
        print(f"stripped {len(changed)} of {len(args.paths)} notebook(s)")
        return 0
    written = notebooks.build_student(args.src, args.dest)
    print(f"wrote {len(written)} student notebook(s) to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
