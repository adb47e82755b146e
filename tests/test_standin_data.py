"""No stand-in learns a notebook: a model trained on a notebook's own prompts passes it by construction.

The offline hub trains stand-ins on the course data (tests/offline_hub/models.py reads data/); the
notebooks' string literals (prompts, instructions, example sentences, expected replies) must share no
run of :data:`RUN` words with that training text or with the hub's own code.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUN = 8  # words; shorter runs are common phrases ("the sentiment of this review is ...")


def literals(path: Path) -> list[str]:
    """Every string literal in a Python source file."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):  # an f-string: its text as written
                value = tok.string
            if isinstance(value, str):
                out.append(value)
    return out


def runs(texts: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words (lowercased letters and apostrophes) in ``texts``."""
    out: set[tuple[str, ...]] = set()
    for text in texts:
        words = re.findall(r"[a-z']+", text.lower())
        out |= {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
    return out


def training_texts(repo: Path) -> list[str]:
    """What the offline hub's stand-ins train on: the train splits of data/ and the whole corpus."""
    data = repo / "data"
    with (data / "reviews.csv").open(newline="", encoding="utf-8") as fh:
        reviews = [r["text"] for r in csv.DictReader(fh) if r["split"] == "train"]
    ner = [json.loads(line) for line in (data / "ner.jsonl").read_text(encoding="utf-8").splitlines() if line]
    sentences = [" ".join(r["tokens"]) for r in ner if r.get("split", "train") == "train"]
    return reviews + sentences + (data / "corpus.txt").read_text(encoding="utf-8").splitlines()


def hub_code_texts(repo: Path) -> list[str]:
    """The string literals of the offline hub's own code (third-party module scripts excluded)."""
    files = [p for p in (repo / "tests" / "offline_hub").rglob("*.py") if "third_party" not in p.parts]
    return [s for p in sorted(files) for s in literals(p)]


def shared_runs(notebook_texts: list[str], other: list[str]) -> list[str]:
    return sorted(" ".join(g) for g in runs(notebook_texts) & runs(other))


NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stand_in_trains_on_a_notebooks_strings(notebook: Path) -> None:
    shared = shared_runs(literals(notebook), training_texts(REPO) + hub_code_texts(REPO))
    assert not shared, (
        f"{notebook.name} shares {len(shared)} runs of {RUN} words with the stand-ins' training text or the "
        f"offline hub's code, e.g. {shared[:3]}: a stand-in must not learn a notebook's prompts or answers"
    )


def test_the_check_catches_a_prompt_copied_into_training_text(tmp_path: Path) -> None:
    prompt = "Is the sentiment of this review positive or negative? Answer with one word."
    notebook = tmp_path / "10_x.py"
    notebook.write_text(f"INSTRUCTION = {prompt!r}\nshort = 'positive or negative'\n", encoding="utf-8")
    shared = shared_runs(literals(notebook), [f"{prompt}\n\nReview: great food"])
    assert len(shared) == 13 - RUN + 1  # the prompt has 13 words
    assert shared[0] == "is the sentiment of this review positive or"
    assert shared_runs(literals(notebook), ["Positive or negative, the sentiment of this review."]) == []
