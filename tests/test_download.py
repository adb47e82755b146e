"""`python -m nlpcourse download [CHAPTER ...]`: chapters, the plan and its size, dry run, offline stop."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from nlpcourse import download, registry
from nlpcourse.registry import CONFIG, TOKENIZER, WEIGHTS, Checkpoint, EvaluateModule, HubDataset, Resource


@pytest.fixture
def small_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry of three checkpoints, one dataset, one module, one NLTK resource and one spaCy model."""
    monkeypatch.setattr(registry, "CHAPTERS", ("00", "01", "02", "03"))
    monkeypatch.setattr(registry, "CHECKPOINTS", (
        Checkpoint("org/big", "fill-mask", 400, 2, {"01": TOKENIZER, "02": WEIGHTS, "03": CONFIG}, "r"),
        Checkpoint("org/pinned", "text-classification", 250, 1, {"03": CONFIG}, "r", revision="abc1234",
                   pinned_uses={"02": WEIGHTS, "03": WEIGHTS}),
        Checkpoint("org/tok", "text-generation", 500, 3, {"01": TOKENIZER}, "r"),
    ))
    monkeypatch.setattr(registry, "DATASETS", (
        HubDataset("org/qa", 16, ("01",), {"train": 10}, {"id": "Value('string')"}, "r"),
    ))
    monkeypatch.setattr(registry, "EVALUATE", (EvaluateModule("toxicity", ("03",), "measurement"),))
    monkeypatch.setattr(registry, "NLTK", (Resource("punkt_tab", 4, ("01", "02")),))
    monkeypatch.setattr(registry, "SPACY", (Resource("en_core_web_sm", 13, ("02",)),))


def _rows(items: list[download.Fetch]) -> set[tuple]:
    return {(i.kind, i.name, i.part, i.revision, i.size_mb, i.chapters) for i in items}


# --- chapters -----------------------------------------------------------------------------------------

def test_no_chapter_means_every_chapter_and_numbers_are_normalised() -> None:
    assert download.parse_chapters([]) == list(registry.CHAPTERS)
    assert download.parse_chapters(["3", "01", "03"]) == ["01", "03"]


@pytest.mark.parametrize("name", ["99", "1a", "tokenization", "-1"])
def test_unknown_chapter_is_a_clear_error(name: str) -> None:
    every = ", ".join(registry.CHAPTERS)
    with pytest.raises(ValueError, match=f"unknown chapter '{name}': the chapters are {every}$"):
        download.parse_chapters(["01", name])


def test_cli_rejects_an_unknown_chapter_before_anything_else(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(download, "offline_reason", lambda: pytest.fail("no network check for a bad chapter"))
    with pytest.raises(SystemExit) as exit_info:
        download.main(["01", "42"])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "unknown chapter '42'" in err and ", ".join(registry.CHAPTERS) in err


# --- the plan -----------------------------------------------------------------------------------------

@pytest.mark.usefixtures("small_registry")
def test_plan_fetches_the_largest_part_each_revision_needs() -> None:
    assert _rows(download.plan(["01"])) == {
        ("model", "org/big", TOKENIZER, None, 2, ("01",)),
        ("model", "org/tok", TOKENIZER, None, 3, ("01",)),
        ("dataset", "org/qa", "", None, 16, ("01",)),
        ("nltk", "punkt_tab", "", None, 4, ("01",)),
    }
    assert _rows(download.plan(["03"])) == {
        ("model", "org/big", CONFIG, None, 0, ("03",)),
        ("model", "org/pinned", CONFIG, None, 0, ("03",)),
        ("model", "org/pinned", WEIGHTS, "abc1234", 251, ("03",)),
        ("evaluate", "toxicity", "measurement", None, 0, ("03",)),
    }
    every = download.plan(registry.CHAPTERS)
    assert _rows(every) == {
        ("model", "org/big", WEIGHTS, None, 402, ("01", "02", "03")),
        ("model", "org/pinned", CONFIG, None, 0, ("03",)),
        ("model", "org/pinned", WEIGHTS, "abc1234", 251, ("02", "03")),
        ("model", "org/tok", TOKENIZER, None, 3, ("01",)),
        ("dataset", "org/qa", "", None, 16, ("01",)),
        ("evaluate", "toxicity", "measurement", None, 0, ("03",)),
        ("nltk", "punkt_tab", "", None, 4, ("01", "02")),
        ("spacy", "en_core_web_sm", "", None, 13, ("02",)),
    }
    assert download.total_mb(every) == 402 + 251 + 3 + 16 + 4 + 13
    assert download.plan(["00"]) == []


def test_every_registry_entry_is_fetched_for_some_chapter() -> None:
    items = download.plan(registry.CHAPTERS)
    fetched = {(item.kind, item.name) for item in items}
    assert {("model", c.id) for c in registry.CHECKPOINTS} <= fetched
    assert {("dataset", name) for name in registry.HUB_DATASETS} <= fetched
    assert {("evaluate", name) for name in registry.EVALUATE_MODULES} <= fetched
    assert {("nltk", name) for name in registry.NLTK_RESOURCES} <= fetched
    assert {("spacy", name) for name in registry.SPACY_MODELS} <= fetched
    assert set(registry.CHAPTERS) >= {ch for item in items for ch in item.chapters}


def test_registry_parts_and_sizes_are_well_formed() -> None:
    for ckpt in registry.CHECKPOINTS:
        assert ckpt.uses or ckpt.pinned_uses, ckpt.id
        for chapter, part in {**ckpt.uses, **ckpt.pinned_uses}.items():
            assert chapter in registry.CHAPTERS and part in registry.PARTS, (ckpt.id, chapter, part)
        assert not ckpt.pinned_uses or ckpt.revision, f"{ckpt.id}: pinned uses need a revision"
        assert ckpt.weights_mb > 0 and ckpt.tokenizer_mb >= 0, ckpt.id
        assert ckpt.size_mb == ckpt.part_mb(WEIGHTS) > ckpt.part_mb(TOKENIZER) >= ckpt.part_mb(CONFIG) == 0
    for module in registry.EVALUATE:
        assert module.checkpoint is None or registry.get_checkpoint(module.checkpoint), module.name
        assert set(module.nltk) <= set(registry.NLTK_RESOURCES), module.name


@pytest.mark.parametrize(("mb", "text"), [(0, "<1 MB"), (4, "4 MB"), (999, "999 MB"), (4670, "4.7 GB")])
def test_format_mb(mb: int, text: str) -> None:
    assert download.format_mb(mb) == text


@pytest.mark.usefixtures("small_registry")
def test_dry_run_prints_every_item_and_the_total(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(download, "offline_reason", lambda: pytest.fail("a dry run needs no network"))
    monkeypatch.setattr(download, "FETCHERS", {})
    assert download.main(["02", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "For chapter(s) 02, the course downloads 4 item(s):"
    assert lines[1].split() == ["kind", "name", "revision", "part", "size", "chapters"]
    assert lines[2].split() == ["model", "org/big", "main", "weights", "402", "MB", "02"]
    assert lines[3].split() == ["model", "org/pinned", "abc1234", "weights", "251", "MB", "02"]
    assert lines[4].split() == ["nltk", "punkt_tab", "-", "-", "4", "MB", "02"]
    assert lines[5].split() == ["spacy", "en_core_web_sm", "-", "-", "13", "MB", "02"]
    assert lines[6:] == ["Total: 670 MB."]


def test_dry_run_of_every_chapter_states_the_registrys_total(capsys: pytest.CaptureFixture[str]) -> None:
    assert download.main(["--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    items = download.plan(registry.CHAPTERS)
    assert lines[0] == f"For every chapter, the course downloads {len(items)} item(s):"
    assert len(lines) == len(items) + 3
    total = download.total_mb(items)
    assert lines[-1] == f"Total: {download.format_mb(total)} ({total} MB)."
    for item, line in zip(items, lines[2:-1], strict=True):
        assert line.split()[:2] == [item.kind, item.name]


@pytest.mark.parametrize("chapter", ["00", "08"])  # setup; pre-training builds its model from data/
def test_a_chapter_that_loads_nothing_says_so(chapter: str, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(download, "offline_reason", lambda: pytest.fail("nothing to fetch: no network check"))
    monkeypatch.setattr(download, "FETCHERS", {})  # any fetch would raise KeyError
    assert download.plan([chapter]) == []
    assert download.main([chapter]) == 0
    assert capsys.readouterr().out.startswith(f"Nothing to download for chapter(s) {chapter}")


def test_module_cli_passes_chapters_and_options() -> None:
    done = subprocess.run([sys.executable, "-m", "nlpcourse", "download", "05", "--dry-run"],
                          capture_output=True, text=True, check=True)
    items = download.plan(["05"])
    assert done.stdout.splitlines()[0] == f"For chapter(s) 05, the course downloads {len(items)} item(s):"
    assert items and all(item.name in done.stdout for item in items)


# --- fetching -----------------------------------------------------------------------------------------

GPT2_FILES = [
    ".gitattributes", "64-8bits.tflite", "64-fp16.tflite", "64.tflite", "README.md", "config.json",
    "flax_model.msgpack", "generation_config.json", "merges.txt", "model.safetensors",
    "onnx/config.json", "onnx/decoder_model.onnx", "onnx/merges.txt", "onnx/tokenizer.json",
    "onnx/vocab.json", "pytorch_model.bin", "rust_model.ot", "tf_model.h5", "tokenizer.json",
    "tokenizer_config.json", "vocab.json",
]


def test_files_for_each_part() -> None:
    assert download.files_for(CONFIG, GPT2_FILES) == ["config.json"]
    tokenizer = ["config.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "vocab.json"]
    assert download.files_for(TOKENIZER, GPT2_FILES) == tokenizer
    weights = download.files_for(WEIGHTS, GPT2_FILES)
    assert sorted(weights) == sorted([*tokenizer, "generation_config.json", "model.safetensors"])
    only_bin = ["config.json", "pytorch_model.bin", "vocab.txt", "tf_model.h5"]
    assert download.files_for(WEIGHTS, only_bin) == ["config.json", "vocab.txt", "pytorch_model.bin"]
    minilm = ["config.json", "model.safetensors", "modules.json", "1_Pooling/config.json", "onnx/model.onnx"]
    assert "1_Pooling/config.json" in download.files_for(WEIGHTS, minilm)
    assert "onnx/model.onnx" not in download.files_for(WEIGHTS, minilm)


def test_model_fetch_asks_for_the_parts_files_at_the_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    calls = []

    class FakeApi:
        def list_repo_files(self, repo_id: str, revision: str | None = None) -> list[str]:
            calls.append(("list", repo_id, revision))
            return GPT2_FILES

    def fake_snapshot(repo_id: str, revision: str | None = None, allow_patterns: list | None = None) -> str:
        calls.append(("snapshot", repo_id, revision, allow_patterns))
        return "/nowhere"

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    download.FETCHERS["model"](download.Fetch("model", "openai-community/gpt2", TOKENIZER, "abc1234"))
    assert calls == [
        ("list", "openai-community/gpt2", "abc1234"),
        ("snapshot", "openai-community/gpt2", "abc1234", download.files_for(TOKENIZER, GPT2_FILES)),
    ]


@pytest.mark.usefixtures("small_registry")
def test_download_fetches_the_plan_in_order_and_reports_failures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fetched: list[tuple[str, str | None]] = []

    def fetch(item: download.Fetch) -> None:
        fetched.append((item.name, item.revision))
        if item.name == "punkt_tab":
            raise OSError("server said no")

    monkeypatch.setattr(download, "offline_reason", lambda: None)
    kinds = ("model", "dataset", "evaluate", "nltk", "spacy")
    monkeypatch.setattr(download, "FETCHERS", dict.fromkeys(kinds, fetch))
    assert download.main(["02", "03"]) == 1
    assert fetched == [(item.name, item.revision) for item in download.plan(["02", "03"])]
    out, err = capsys.readouterr()
    assert out.startswith("For chapter(s) 02 03, the course downloads 6 item(s):")
    assert "Total: 670 MB." in out and "[6/6] spacy en_core_web_sm (spacy, 13 MB)" in out
    assert "FAILED: OSError: server said no" in err and "1 download(s) failed: nltk punkt_tab" in err
    assert "may fill the disk" not in err  # this machine has room for 670 MB


@pytest.mark.usefixtures("small_registry")
def test_download_warns_before_it_fills_the_disk(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(download, "offline_reason", lambda: None)
    monkeypatch.setattr(download, "FETCHERS", dict.fromkeys(("model", "dataset", "evaluate", "nltk", "spacy"),
                                                            lambda item: None))
    monkeypatch.setattr(download.disk, "free_mb", lambda path: 100)
    assert download.main(["02", "03"]) == 0
    err = capsys.readouterr().err
    assert "100 MB free at" in err and "up to 670 MB to download" in err and "HF_HOME" in err


# --- offline --------------------------------------------------------------------------------------------

def test_download_stops_at_once_without_network(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(download, "hub_reachable", lambda timeout=3.0: False)
    monkeypatch.setattr(download, "FETCHERS", {})  # any fetch would raise KeyError
    start = time.perf_counter()
    assert download.main(["01"]) == 1
    assert time.perf_counter() - start < 5
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("For chapter(s) 01") and "Total:" in out
    assert "Cannot download: huggingface.co:443 cannot be reached" in err
    assert "make test" in err and "cached" in err


def test_download_respects_hf_hub_offline(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    def no_network_check(timeout: float = 3.0) -> bool:
        raise AssertionError("HF_HUB_OFFLINE must stop the download before any network check")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(download, "hub_reachable", no_network_check)
    assert download.download() == 1
    assert "HF_HUB_OFFLINE is set" in capsys.readouterr().err


def test_hub_reachable_is_false_when_connect_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpcourse import core

    def refuse(address: tuple[str, int], timeout: float) -> None:
        assert address == ("huggingface.co", 443) and timeout == 3.0
        raise ConnectionRefusedError

    monkeypatch.setattr(core.socket, "create_connection", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert download.hub_reachable() is False
    assert "huggingface.co:443 cannot be reached" in str(download.offline_reason())
