"""The evaluate modules cache of the offline hub.

``evaluate.load("accuracy")`` first tries the Hub Space ``evaluate-metric/accuracy``; with
``HF_EVALUATE_OFFLINE=1`` that fails at once and evaluate 0.4.6 falls back to the newest cached copy
(``CachedEvaluationModuleFactory`` in ``evaluate/loading.py``) under

    $HF_HOME/modules/evaluate_modules/metrics/evaluate-{metric,measurement}--<name>/<hash>/<name>.py

``metrics/`` holds measurements too: the factory's default ``module_type`` is "metrics" whatever the
module is. ``<hash>`` is 64 hex digits: evaluate's ``files_to_hash`` of the script and the helper
files it imports relatively, as an online load computes it (reimplemented here so that the build
need not import evaluate). The folder holds the script, its helpers (bleu's ``nmt_bleu`` and
``tokenizer_13a``, squad's ``compute_score``) and ``__init__.py`` files. The sources are the
upstream scripts, kept unchanged in ``third_party/evaluate_modules/<name>/`` (see its README).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

MODULES_DIR = Path(__file__).resolve().parent / "third_party" / "evaluate_modules"

_HASH_LENGTH = 64


def module_kind(script: Path) -> str:
    """``"measurement"``, ``"comparison"`` or ``"metric"``: the Hub namespace of an evaluate module."""
    text = script.read_text(encoding="utf-8")
    if "(evaluate.Measurement)" in text:
        return "measurement"
    if "(evaluate.Comparison)" in text:
        return "comparison"
    return "metric"


_RELATIVE_IMPORT = re.compile(r"^(?:from|import)\s+\.([^\s\.]+)", flags=re.MULTILINE)


def _helper_files(script: Path) -> list[Path]:
    """The files ``script`` imports relatively, in the order evaluate hashes them.

    An import with a ``# From: URL`` comment is what an online load downloads from that URL
    (bleu's ``nmt_bleu`` comes from tensorflow/nmt); ``MODULES_DIR`` keeps that file's text.
    """
    helpers: list[Path] = []
    for name in _RELATIVE_IMPORT.findall(script.read_text(encoding="utf-8")):
        helper = script.parent / f"{name}.py"
        if not helper.is_file():
            raise FileNotFoundError(f"{script} imports .{name}, but {helper} is missing")
        if helper not in helpers:
            helpers.append(helper)
    return helpers


def files_hash(files: list[Path]) -> str:
    """evaluate's ``files_to_hash``: sha256 of the files' lines with ``#`` comments removed."""
    lines = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines.extend(f.readlines())
    kept = [stripped for stripped in (re.sub(r"#.*", "", line) for line in lines) if stripped]
    return hashlib.sha256("\n".join(kept).encode("utf-8")).hexdigest()


def _touch(path: Path) -> None:
    if not path.exists():
        path.write_text("")


def install_module(name: str, metrics_dir: Path) -> Path:
    """Write one module into ``metrics_dir`` (``.../evaluate_modules/metrics``); return its script."""
    script = MODULES_DIR / name / f"{name}.py"
    if not script.is_file():
        raise FileNotFoundError(
            f"no offline stand-in for evaluate module {name!r}: "
            f"add {MODULES_DIR.relative_to(MODULES_DIR.parents[3])}/{name}/{name}.py"
        )
    helpers = _helper_files(script)
    digest = files_hash([script, *helpers])
    module_dir = metrics_dir / f"evaluate-{module_kind(script)}--{name}"
    target = module_dir / digest
    for stale in module_dir.glob("*"):
        if stale.is_dir() and len(stale.name) == _HASH_LENGTH and stale.name != digest:
            shutil.rmtree(stale)
    target.mkdir(parents=True, exist_ok=True)
    _touch(module_dir / "__init__.py")
    _touch(target / "__init__.py")
    for source in (script, *helpers):
        dest = target / source.name
        if not dest.is_file() or dest.read_bytes() != source.read_bytes():
            shutil.copyfile(source, dest)
    return target / script.name


def build(hf_home: Path) -> None:
    """Write a cached module for every name in ``nlpcourse.registry.EVALUATE_MODULES`` under ``hf_home``."""
    from nlpcourse.registry import EVALUATE_MODULES

    root = Path(hf_home) / "modules" / "evaluate_modules"
    metrics_dir = root / "metrics"
    metrics_dir.mkdir(parents=True, exist_ok=True)
    _touch(root / "__init__.py")
    _touch(metrics_dir / "__init__.py")
    for name in EVALUATE_MODULES:
        install_module(name, metrics_dir)
