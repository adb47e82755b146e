"""require_nltk: downloads missing NLTK data where the network allows, says the exact fix where not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nltk
import pytest

from nlpcourse import core, resources

ROOT = Path(__file__).resolve().parents[1]
GUARD = ROOT / "tests" / "offline_hub" / "netguard"


def test_missing_data_is_downloaded_when_the_server_answers(monkeypatch, capsys):
    installed: set[str] = {"stopwords"}
    fetched: list[str] = []

    def fake_download(name: str, quiet: bool = False, raise_on_error: bool = False) -> bool:
        assert quiet and raise_on_error  # quiet for learners, loud on failure
        fetched.append(name)
        installed.add(name)
        return True

    asked: list[str] = []
    monkeypatch.setattr(resources, "has_nltk", lambda name: name in installed)
    monkeypatch.setattr(core, "can_connect", lambda host, port=443, timeout=1.5: asked.append(host) or True)
    monkeypatch.setattr(nltk, "download", fake_download)
    resources.require_nltk("punkt_tab", "stopwords", "wordnet")
    assert fetched == ["punkt_tab", "wordnet"]  # only what was missing
    assert asked == [resources.nltk_server()]
    assert "Downloaded NLTK data: punkt_tab, wordnet." in capsys.readouterr().out


def test_a_download_that_does_not_install_the_resource_raises(monkeypatch):
    monkeypatch.setattr(resources, "has_nltk", lambda name: False)
    monkeypatch.setattr(core, "can_connect", lambda host, port=443, timeout=1.5: True)
    monkeypatch.setattr(nltk, "download", lambda name, quiet=False, raise_on_error=False: True)
    with pytest.raises(resources.MissingResource, match="python -m nltk.downloader wordnet"):
        resources.require_nltk("wordnet")


def test_nothing_is_fetched_when_everything_is_there(monkeypatch):
    monkeypatch.setattr(resources, "has_nltk", lambda name: True)
    monkeypatch.setattr(core, "can_connect", lambda *a, **k: pytest.fail("no network check needed"))
    resources.require_nltk("punkt_tab")


def test_behind_the_network_guard_the_fix_is_named_at_once(tmp_path: Path):
    # a fresh process with no NLTK data and every non-loopback connection refused, as offline
    env = {
        **os.environ,
        "NLTK_DATA": str(tmp_path),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(GUARD),
        "NLPCOURSE_NETGUARD": "1",
    }
    code = (
        "import nltk\n"
        f"nltk.data.path[:] = [{str(tmp_path)!r}]\n"
        "from nlpcourse.resources import MissingResource, require_nltk\n"
        "try:\n"
        "    require_nltk('punkt_tab', 'wordnet')\n"
        "except MissingResource as err:\n"
        "    print(err)\n"
        "else:\n"
        "    raise SystemExit('no MissingResource')\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert "NLTK data missing: punkt_tab, wordnet" in done.stdout
    assert "python -m nltk.downloader punkt_tab wordnet" in done.stdout
    assert elapsed < 30  # refused at once, not after a connection time-out


def test_a_missing_spacy_model_is_downloaded_when_its_server_answers(monkeypatch, capsys):
    import spacy
    import spacy.cli

    installed: set[str] = set()
    pipeline = object()

    def fake_load(name: str, **kwargs: object) -> object:
        if name not in installed:
            raise OSError(f"[E050] Can't find model '{name}'")
        return pipeline

    asked: list[str] = []
    monkeypatch.setattr(spacy, "load", fake_load)
    monkeypatch.setattr(spacy.cli, "download", lambda name: installed.add(name))
    monkeypatch.setattr(core, "can_connect", lambda host, port=443, timeout=1.5: asked.append(host) or True)
    assert resources.load_spacy("en_core_web_sm") is pipeline
    assert installed == {"en_core_web_sm"} and asked == [resources.SPACY_MODELS_HOST]
    assert "Downloaded spaCy model en_core_web_sm." in capsys.readouterr().out


def test_a_missing_spacy_model_offline_gets_the_exact_command(monkeypatch):
    import spacy
    import spacy.cli

    def missing(name: str, **kwargs: object) -> object:
        raise OSError(f"[E050] Can't find model '{name}'")

    monkeypatch.setattr(spacy, "load", missing)
    monkeypatch.setattr(spacy.cli, "download", lambda name: pytest.fail("nothing to download offline"))
    monkeypatch.setattr(core, "can_connect", lambda host, port=443, timeout=1.5: False)
    with pytest.raises(resources.MissingResource, match="python -m spacy download en_core_web_sm"):
        resources.load_spacy("en_core_web_sm")
