"""Every Hub id, evaluate module, NLTK resource and spaCy model a notebook uses is in the offline hub.

Kept beside the offline notebook run because it finds what that run does not: the scanner reads every
code cell without running it, so it sees loads the offline run never reaches (a branch taken only
online, a download whose error is caught), and it names notebook and cell in seconds instead of
failing a cell minutes into a run. tests/test_download_notebooks.py uses the same scanner to check
each chapter's `python -m nlpcourse download` list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpcourse.registry import CHECKPOINTS
from tests.offline_hub import hub_coverage as cov

ROOT = Path(__file__).resolve().parents[1]
PROVIDED = cov.Provided.from_registry()
# registry checkpoints by stand-in recipe: the tests feed their ids to the scanner
BERT, DISTILBERT, SST2 = (
    next(c for c in CHECKPOINTS if c.recipe == name) for name in ("bert_mlm", "distilbert_mlm", "sentiment")
)


def _notebook(path: Path, *sources: str) -> Path:
    """Write a notebook whose cell 0 is markdown and cells 1.. are the given code cells."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# A lesson\n"]}]
    cells += [
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": source.splitlines(keepends=True),
        }
        for source in sources
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _problems(path: Path) -> list[str]:
    return cov.missing(cov.scan_notebook(path), PROVIDED)


def test_notebooks_use_only_what_the_offline_hub_provides() -> None:
    problems = [problem for nb in cov.notebooks(ROOT / "notebooks") for problem in _problems(nb)]
    assert not problems, "\n".join(problems)


def test_missing_names_fail_with_notebook_and_cell(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "99_synthetic.ipynb",
        f"from transformers import AutoModel\nmodel = AutoModel.from_pretrained('{BERT.id}')",
        "import evaluate, nltk, spacy\n"
        "model = AutoModel.from_pretrained('no-such-org/no-such-model')\n"
        "metric = evaluate.load('no_such_metric')\n"
        "nltk.download('no_such_corpus')\n"
        "nlp = spacy.load('xx_no_such_model')",
    )
    problems = _problems(nb)
    assert len(problems) == 4, problems
    assert all(p.startswith("99_synthetic.ipynb cell 2: ") for p in problems), problems
    joined = "\n".join(problems)
    for name in ("no-such-org/no-such-model", "no_such_metric", "no_such_corpus", "xx_no_such_model"):
        assert repr(name) in joined


def test_registry_entries_and_pipeline_defaults_pass(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "ok.ipynb",
        "import evaluate\nimport nltk\nfrom nltk.corpus import stopwords\nfrom transformers import pipeline",
        "classifier = pipeline('sentiment-analysis')\n"
        f"checkpoint = '{DISTILBERT.id}'\n"
        "mlm = pipeline('fill-mask', model=checkpoint)\n"
        "acc = evaluate.combine(['accuracy', 'f1'])\n"
        "words = nltk.word_tokenize('Hello there. Bye.')\n"
        "stops = stopwords.words('english')",
    )
    refs = cov.scan_notebook(nb)
    assert ("Hub id", SST2.id, SST2.revision) in {  # the pipeline's default, at the revision it pins
        (r.kind, r.name, r.revision) for r in refs
    }
    assert {("NLTK resource", "punkt_tab"), ("NLTK resource", "stopwords")} <= {
        (r.kind, r.name) for r in refs
    }
    assert cov.missing(refs, PROVIDED) == []


def test_pipeline_default_outside_the_registry_fails(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "gen.ipynb", "from transformers import pipeline\ngen = pipeline('text-generation')"
    )
    problems = _problems(nb)
    assert len(problems) == 1 and problems[0].startswith(
        "gen.ipynb cell 1: Hub id 'HuggingFaceTB/SmolLM3-3B'"
    )


def test_names_bound_earlier_and_loop_values_are_resolved(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "vars.ipynb",
        "from transformers import AutoTokenizer, pipeline\nckpt = 'no-such/ckpt'",
        "tok = AutoTokenizer.from_pretrained(ckpt)",
        f"fills = {{m: pipeline('fill-mask', model=m) for m in ('{BERT.id}', 'missing/one')}}",
    )
    problems = _problems(nb)
    assert [p.split(":")[0] for p in problems] == ["vars.ipynb cell 2", "vars.ipynb cell 3"], problems
    assert "'no-such/ckpt'" in problems[0] and "'missing/one'" in problems[1]


def test_implied_nltk_resources(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "nltk.ipynb",
        "import nltk\nfrom nltk.stem import WordNetLemmatizer",
        "WordNetLemmatizer().lemmatize('studies')\nnltk.word_tokenize('a b', preserve_line=True)",
        "nltk.pos_tag(['a'])",
    )
    refs = cov.scan_notebook(nb)
    assert {(r.cell, r.name) for r in refs} == {(2, "wordnet"), (3, "averaged_perceptron_tagger_eng")}
    problems = cov.missing(refs, PROVIDED)
    assert problems == [
        "nltk.ipynb cell 3: NLTK resource 'averaged_perceptron_tagger_eng' "
        "is not provided by the offline hub: "
        "add it to NLTK_RESOURCES and build it in tests/offline_hub/nltk_data.py"
    ]


def test_folders_the_notebook_writes_are_not_hub_ids(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "train.ipynb",
        "from transformers import AutoModel, TrainingArguments\n"
        "args = TrainingArguments(output_dir='reviews-model')",
        "%%time\nmodel = AutoModel.from_pretrained('reviews-model/checkpoint-10')",
        "!python -m spacy download en_core_web_sm\nimport datasets\n"
        "ds = datasets.load_dataset('csv', data_files='data/reviews.csv')",
    )
    assert _problems(nb) == []
    assert [(r.kind, r.name) for r in cov.scan_notebook(nb)] == [("spaCy model", "en_core_web_sm")]


def test_hub_datasets_and_unparsable_cells_are_reported(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "ds.ipynb", "from datasets import load_dataset\nimdb = load_dataset('imdb')")
    assert _problems(nb)[0].startswith("ds.ipynb cell 1: Hub dataset 'imdb'")
    bad = _notebook(tmp_path / "bad.ipynb", "x = (")
    with pytest.raises(SyntaxError, match="bad.ipynb cell 1"):
        cov.scan_notebook(bad)
