"""What each notebook loads is what `python -m nlpcourse download` fetches for its chapter, and the
README states the registry's download sizes.

The notebooks are read, not run: tests/offline_hub/hub_coverage.py parses their code cells and says,
for every Hub id, which revision and which part (config, tokenizer, weights) a cell loads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlpcourse import download, registry
from tests.offline_hub import hub_coverage as cov

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KINDS = {cov.HUB_DATASET: "dataset", cov.EVALUATE: "evaluate", cov.NLTK: "nltk", cov.SPACY: "spacy"}


def differences(notebook: Path) -> list[str]:
    """One line per thing the notebook loads that its chapter's download lacks, or the reverse."""
    chapter = notebook.name[:2]
    refs = cov.scan_notebook(notebook)
    items = download.plan([chapter])
    loaded = cov.loads(refs)
    fetched = {(item.name, item.revision): item.part for item in items if item.kind == "model"}
    problems = []
    for model_id, revision in sorted(loaded.keys() | fetched.keys(), key=str):
        used, got = loaded.get((model_id, revision)), fetched.get((model_id, revision))
        if used != got:
            at = f" at revision {revision}" if revision else ""
            problems.append(
                f"{notebook.name}: {model_id!r}{at}: the notebook loads {used or 'nothing'}, "
                f"`download {chapter}` fetches {got or 'nothing'} (src/nlpcourse/registry.py)"
            )
    for kind, name in sorted({(KINDS[r.kind], r.name) for r in refs if r.kind in KINDS}
                             ^ {(i.kind, i.name) for i in items if i.kind != "model"}):
        where = "the notebook uses" if any(r.name == name for r in refs) else f"`download {chapter}` fetches"
        problems.append(f"{notebook.name}: {kind} {name!r}: only {where} it (src/nlpcourse/registry.py)")
    return problems


def _notebook(path: Path, *sources: str) -> Path:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": source} for source in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_every_chapter_has_its_notebook() -> None:
    assert [nb.name[:2] for nb in NOTEBOOKS] == list(registry.CHAPTERS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_download_fetches_what_the_notebook_loads(notebook: Path) -> None:
    problems = differences(notebook)
    assert not problems, "\n".join(problems)


def test_a_difference_either_way_names_notebook_and_id(tmp_path: Path) -> None:
    # chapter 05 fetches bert-base-uncased's weights and nothing else
    nb = _notebook(
        tmp_path / "05_synthetic.ipynb",
        "from transformers import AutoTokenizer\nimport evaluate\n"
        "tok = AutoTokenizer.from_pretrained('bert-base-uncased')\n"
        "xl = AutoTokenizer.from_pretrained('xlnet/xlnet-base-cased')\nacc = evaluate.load('accuracy')",
    )
    assert differences(nb) == [
        "05_synthetic.ipynb: 'bert-base-uncased': the notebook loads tokenizer, `download 05` fetches "
        "weights (src/nlpcourse/registry.py)",
        "05_synthetic.ipynb: 'xlnet/xlnet-base-cased': the notebook loads tokenizer, `download 05` "
        "fetches nothing (src/nlpcourse/registry.py)",
        "05_synthetic.ipynb: evaluate 'accuracy': only the notebook uses it (src/nlpcourse/registry.py)",
    ]
    empty = _notebook(tmp_path / "01_empty.ipynb", "x = 1")
    assert "01_empty.ipynb: 'bert-base-uncased': the notebook loads nothing, `download 01` fetches weights" \
        in differences(empty)[0]
    assert "01_empty.ipynb: nltk 'punkt_tab': only `download 01` fetches it" in "\n".join(differences(empty))


def test_the_scanner_tells_config_tokenizer_and_weights_apart(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "03_parts.ipynb",
        "from transformers import AutoConfig, AutoModel, AutoTokenizer, GPT2TokenizerFast, pipeline\n"
        "from nlpcourse.registry import CHECKPOINTS, get_checkpoint\n"
        "CHECKPOINT = 'google-t5/t5-small'\nentry = get_checkpoint('sasha/regardv3')",
        "configs = [AutoConfig.from_pretrained(c.id) for c in CHECKPOINTS]\n"
        "tok = AutoTokenizer.from_pretrained(CHECKPOINT)\n"
        "fast = GPT2TokenizerFast.from_pretrained('openai-community/gpt2')\n"
        "model = AutoModel.from_pretrained('bert-base-uncased', revision='abc1234')",
        "default = pipeline('sentiment-analysis')\n"
        "pinned = pipeline('text-classification', model='dslim/bert-base-NER', revision=entry.revision)\n"
        "pair = pipeline('text-generation', model='HuggingFaceTB/SmolLM2-135M',\n"
        "                tokenizer='xlnet/xlnet-base-cased')",
        "import evaluate\ntoxicity = evaluate.load('toxicity', module_type='measurement')\n"
        "meteor = evaluate.load('meteor')",
    )
    refs = cov.scan_notebook(nb)
    loaded = cov.loads(refs)
    assert {key: part for key, part in loaded.items() if part == "config"} == {
        (c.id, None): "config" for c in registry.CHECKPOINTS
        if c.id not in {"google-t5/t5-small", "openai-community/gpt2", "HuggingFaceTB/SmolLM2-135M",
                        "xlnet/xlnet-base-cased", "facebook/roberta-hate-speech-dynabench-r4-target",
                        "dslim/bert-base-NER"}
    }
    assert loaded[("google-t5/t5-small", None)] == "tokenizer"
    assert loaded[("openai-community/gpt2", None)] == "tokenizer"
    assert loaded[("xlnet/xlnet-base-cased", None)] == "tokenizer"
    assert loaded[("bert-base-uncased", "abc1234")] == "weights"
    sst2 = registry.get_checkpoint("distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    assert loaded[(sst2.id, sst2.revision)] == "weights"  # a pipeline's default model, at its pin
    assert loaded[("dslim/bert-base-NER", None)] == "weights"  # no pin in the registry: main
    assert loaded[("HuggingFaceTB/SmolLM2-135M", None)] == "weights"
    assert loaded[("facebook/roberta-hate-speech-dynabench-r4-target", None)] == "weights"  # toxicity's model
    # get_checkpoint reads the registry and loads nothing
    assert [r.part for r in refs if r.name == "sasha/regardv3" and r.cell == 0] == [None]
    assert {r.name for r in refs if r.kind == cov.NLTK} == {"wordnet", "punkt_tab"}  # meteor's data


def test_pinned_revision_from_the_registry(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "03_pin.ipynb",
        "from transformers import pipeline\nfrom nlpcourse.registry import get_checkpoint\n"
        "ner_id = 'dbmdz/bert-large-cased-finetuned-conll03-english'\n"
        "ner = pipeline('ner', model=ner_id, revision=get_checkpoint(ner_id).revision)",
    )
    assert cov.loads(cov.scan_notebook(nb)) == {
        ("dbmdz/bert-large-cased-finetuned-conll03-english", "4c53496"): "weights"
    }


# --- the README ---------------------------------------------------------------------------------------

def chapter_size(chapter: str) -> str:
    """The README's download cell for ``chapter``: the registry's size of ``download CHAPTER``."""
    items = download.plan([chapter])
    return download.format_mb(download.total_mb(items)) if items else "none"


def test_readme_gives_each_chapters_download_size_and_the_total() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| Notebook |"))
    assert header.rstrip(" |").split("|")[-1].strip() == "Download"
    for chapter, notebook in zip(registry.CHAPTERS, NOTEBOOKS, strict=True):
        row = next(line for line in readme.splitlines() if f"](notebooks/{notebook.name})" in line)
        assert row.split("|")[-2].strip() == chapter_size(chapter), (
            f"README: chapter {chapter}'s download is {chapter_size(chapter)} in the registry"
        )
    total = download.format_mb(download.total_mb(download.plan(registry.CHAPTERS)))
    instructors = readme.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    assert re.search(rf"\b{re.escape(total)}\b", instructors), f"README: the whole course downloads {total}"
