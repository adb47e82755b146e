"""The Hub datasets of the offline hub: a stand-in for every entry of ``nlpcourse.registry.DATASETS``.

An online ``load_dataset("org/name")`` leaves two things in the Hugging Face cache, and this module
writes both for each stand-in:

- the repository snapshot, ``hub/datasets--org--name/snapshots/<commit>/``: the dataset card
  (``README.md``, whose YAML names the config, the features and the data files) and the parquet files;
- the prepared copy, ``datasets/org___name/<config>/0.0.0/<commit>/``: Arrow files and
  ``dataset_info.json``, written by the ``parquet`` builder from those files.

With ``HF_HUB_OFFLINE=1`` datasets 5 does not read the snapshot: it falls back to the prepared copy
(``CachedDatasetModuleFactory`` in ``datasets/load.py``), so a notebook's ``load_dataset(id)`` gets the
stand-in's rows with the real dataset's config name, split names, column names and feature types.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import hubcache


def _squad_features():  # -> datasets.Features, SQuAD's schema as its dataset card declares it
    from datasets import Features, List, Value

    text = Value("string")
    return Features({
        "id": text, "title": text, "context": text, "question": text,
        "answers": {"text": List(Value("string")), "answer_start": List(Value("int32"))},
    })


def squad_from_course_qa(repo: Path) -> tuple[str, dict[str, list[dict]], object]:
    """``rajpurkar/squad``: the course questions (data/qa.jsonl), every fourth article in validation."""
    lines = (repo / "data" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    titles = sorted({r["title"] for r in rows})
    validation = set(titles[::4])
    splits = {
        "train": [r for r in rows if r["title"] not in validation],
        "validation": [r for r in rows if r["title"] in validation],
    }
    return "plain_text", splits, _squad_features()


RECIPES: dict[str, Callable[[Path], tuple[str, dict[str, list[dict]], object]]] = {
    "squad_from_course_qa": squad_from_course_qa,
}


def _card(
    dataset_id: str, config: str, splits: dict[str, list[dict]], note: str, real: dict[str, int]
) -> str:
    """A dataset card whose YAML gives the config and data files as the real card does."""
    files = "\n".join(f"  - split: {name}\n    path: {config}/{name}-*" for name in splits)
    counts = ", ".join(f"{n:,} {name}" for name, n in real.items())
    ours = ", ".join(f"{len(rows)} {name}" for name, rows in splits.items())
    return (
        f"---\nconfigs:\n- config_name: {config}\n  data_files:\n{files}\n  default: true\n---\n"
        f"# Offline stand-in for `{dataset_id}`\n\n"
        f"This is not the real dataset. The course's offline test run builds it (tests/offline_hub/) so\n"
        f"that `load_dataset(\"{dataset_id}\")` works without a network: {note}. It has the real\n"
        f"dataset's config, split names, columns and feature types, and {ours} rows; the real one has\n"
        f"{counts}.\n"
    )


def build(hf_home: Path, repo: Path) -> None:
    """Write the snapshot and the prepared copy of every registry dataset under ``hf_home``."""
    from datasets import Dataset
    from datasets.data_files import DataFilesDict
    from datasets.packaged_modules.parquet.parquet import Parquet

    from nlpcourse.registry import DATASETS

    for entry in DATASETS:
        config, splits, features = RECIPES[entry.recipe](repo)
        with tempfile.TemporaryDirectory(dir=hf_home.parent, prefix=".datasets-") as tmp:
            folder = Path(tmp)
            (folder / config).mkdir()
            for name, rows in splits.items():
                Dataset.from_list(rows, features=features).to_parquet(
                    str(folder / config / f"{name}-00000-of-00001.parquet")
                )
            (folder / "README.md").write_text(
                _card(entry.id, config, splits, entry.note, dict(entry.splits)), encoding="utf-8"
            )
            snapshot = hubcache.publish(hf_home, entry.id, folder, repo_type="dataset")
        data_files = DataFilesDict.from_patterns(
            {name: [f"{config}/{name}-*"] for name in splits}, base_path=str(snapshot)
        )
        # no repo_id: the builder would take the local files for foreign ones; the folder is the one
        # an online load prepares, ``org___name/<config>/<version>/<commit>``
        builder = Parquet(
            cache_dir=str(hf_home / "datasets"), dataset_name=entry.id.split("/")[-1], config_name=config,
            hash=snapshot.name, data_files=data_files, features=features,
        )
        org, name = entry.id.split("/")
        version = str(builder.config.version)
        prepared = hf_home / "datasets" / f"{org}___{name}" / config / version / snapshot.name
        builder.download_and_prepare(output_dir=str(prepared))
        for lock in prepared.parent.glob("*.lock"):
            lock.unlink()
