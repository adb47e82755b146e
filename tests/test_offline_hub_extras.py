"""The offline hub's evaluate modules, NLTK data, spaCy model and network guard work with no network.

Tests marked ``needs_hub`` run in the test environment (``source build/offline-hub/env.sh``); the
network guard tests start their own processes and run anywhere.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.offline_hub import evaluate_modules as em

ROOT = Path(__file__).resolve().parents[1]
HUB = Path(os.environ.get("HF_HOME", ROOT / "build" / "offline-hub" / "hf")).parent  # the active hub
NETGUARD = ROOT / "tests" / "offline_hub" / "netguard"
BLOCKED = "network access is blocked in the course's offline test run"

needs_hub = pytest.mark.skipif(
    not os.environ.get("HF_EVALUATE_OFFLINE") or not (HUB / ".stamp").is_file(),
    reason="needs the offline hub: build it and `source build/offline-hub/env.sh` (make test does both)",
)


def _gpt2() -> str:
    """The id of the GPT-2 checkpoint (its stand-in: the ``gpt2`` recipe)."""
    from nlpcourse.registry import CHECKPOINTS

    return next(c.id for c in CHECKPOINTS if c.recipe == "gpt2")


# --- evaluate -------------------------------------------------------------------------------------


def _load(name: str, *args, **kwargs):
    import evaluate

    module = evaluate.load(name, *args, **kwargs)
    cache = Path(os.environ["HF_HOME"]) / "modules" / "evaluate_modules"
    assert Path(sys.modules[type(module).__module__].__file__).is_relative_to(cache)
    return module


@needs_hub
def test_every_registry_module_loads_from_the_offline_cache() -> None:
    from nlpcourse.registry import EVALUATE

    for module in EVALUATE:
        if module.checkpoint:
            continue  # loading it loads its classifier: tested below
        assert _load(module.name, module_type=module.module_type).name == module.name


def test_cached_module_folders_use_evaluates_own_hash(tmp_path: Path) -> None:
    from evaluate.loading import files_to_hash

    from nlpcourse.registry import EVALUATE_MODULES

    for name in EVALUATE_MODULES:
        script = em.install_module(name, tmp_path)
        helpers = sorted(
            p.name for p in script.parent.glob("*.py") if p.name not in (script.name, "__init__.py")
        )
        sources = [
            em.MODULES_DIR / name / f"{name}.py",
            *em._helper_files(em.MODULES_DIR / name / f"{name}.py"),
        ]
        assert script.parent.name == files_to_hash([str(p) for p in sources])
        assert helpers == sorted(p.name for p in sources[1:])
    assert (tmp_path / "evaluate-measurement--toxicity").is_dir()
    assert (tmp_path / "evaluate-metric--bleu").is_dir()


@needs_hub
def test_classification_metrics() -> None:
    import evaluate

    preds, refs = [0, 1, 1], [0, 1, 0]
    assert _load("accuracy").compute(predictions=preds, references=refs) == {"accuracy": pytest.approx(2 / 3)}
    assert _load("precision").compute(predictions=preds, references=refs) == {"precision": 0.5}
    assert _load("recall").compute(predictions=preds, references=refs) == {"recall": 1.0}
    assert _load("f1").compute(predictions=preds, references=refs) == {"f1": pytest.approx(2 / 3)}
    matrix = _load("confusion_matrix").compute(predictions=preds, references=refs)["confusion_matrix"]
    assert matrix.tolist() == [[1, 1], [0, 1]]
    combined = evaluate.combine(["accuracy", "f1"]).compute(predictions=preds, references=refs)
    assert set(combined) == {"accuracy", "f1"}


@needs_hub
def test_text_metrics() -> None:
    same = ["the cat sat on the mat"]
    squad = _load("squad").compute(
        predictions=[{"id": "q1", "prediction_text": "1976"}],
        references=[{"id": "q1", "answers": {"text": ["1976"], "answer_start": [97]}}],
    )
    assert squad == {"exact_match": 100.0, "f1": 100.0}
    bleu = _load("bleu").compute(predictions=same, references=[same])
    assert bleu["bleu"] == 1.0 and set(bleu) >= {"precisions", "brevity_penalty", "length_ratio"}
    sacre = _load("sacrebleu").compute(predictions=same, references=[same])
    assert sacre["score"] == pytest.approx(100.0) and set(sacre) == {
        "score",
        "counts",
        "totals",
        "precisions",
        "bp",
        "sys_len",
        "ref_len",
    }
    rouge = _load("rouge").compute(predictions=same, references=same)
    assert set(rouge) == {"rouge1", "rouge2", "rougeL", "rougeLsum"} and rouge["rouge1"] == 1.0
    meteor = _load("meteor")
    assert meteor.compute(predictions=same, references=same)["meteor"] > 0.9
    upstream = meteor.compute(
        predictions=[
            "It is a guide to action which ensures that the military always obeys the commands of the party"
        ],
        references=[
            "It is a guide to action that ensures that the military will forever heed Party commands"
        ],
    )
    assert round(upstream["meteor"], 4) == 0.6944  # the value in the module's docstring (real WordNet)


@needs_hub
def test_perplexity_computes_with_a_causal_lm(tmp_path: Path) -> None:
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    tokenizer = AutoTokenizer.from_pretrained(_gpt2())
    tokenizer.pad_token = tokenizer.eos_token
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_layer=1,
        n_head=2,
        n_embd=16,
        n_positions=64,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = GPT2LMHeadModel(config)
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    result = _load("perplexity", module_type="metric").compute(
        predictions=["lorem ipsum", "Happy Birthday!"], model_id=str(tmp_path)
    )
    assert set(result) == {"perplexities", "mean_perplexity"}
    assert len(result["perplexities"]) == 2 and all(p > 1 for p in result["perplexities"])


@needs_hub
def test_perplexity_fails_with_gpt2_as_the_real_module_does() -> None:
    # The real module calls tokenizer.special_tokens_map_extended, gone in transformers 5, for a
    # tokenizer without a pad token such as GPT-2's (huggingface/evaluate#766). The stand-in keeps
    # that, so a notebook that works offline also works online.
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(_gpt2()).pad_token is None
    with pytest.raises(AttributeError, match="special_tokens_map_extended"):
        _load("perplexity", module_type="metric").compute(
            predictions=["lorem ipsum"], model_id=_gpt2()
        )


@needs_hub
def test_toxicity_and_regard() -> None:
    texts = ["she went to the library", "he is a nice person"]
    toxicity = _load("toxicity", module_type="measurement").compute(predictions=texts)
    assert list(toxicity) == ["toxicity"] and len(toxicity["toxicity"]) == 2
    assert all(0.0 <= s <= 1.0 for s in toxicity["toxicity"])
    regard = _load("regard", module_type="measurement").compute(data=texts)
    assert list(regard) == ["regard"] and len(regard["regard"]) == 2
    assert {d["label"] for d in regard["regard"][0]} == {"negative", "neutral", "positive", "other"}
    compare = _load("regard", "compare").compute(data=texts[:1], references=texts[1:])
    assert set(compare["regard_difference"]) == {"negative", "neutral", "positive", "other"}


# --- NLTK and spaCy -------------------------------------------------------------------------------


@needs_hub
def test_nltk_wordnet_tokenizers_and_stopwords() -> None:
    import nltk
    from nltk.corpus import stopwords, wordnet
    from nltk.stem import WordNetLemmatizer

    lemmatizer = WordNetLemmatizer()
    assert lemmatizer.lemmatize("studies") == "study"
    assert lemmatizer.lemmatize("running", pos="v") == "run"
    assert wordnet.synsets("bank") and wordnet.synset("dog.n.01").lexname() == "noun.animal"
    text = "Dr. Smith arrived. He sat down."
    assert nltk.sent_tokenize(text) == ["Dr. Smith arrived.", "He sat down."]
    assert nltk.word_tokenize(text) == ["Dr.", "Smith", "arrived", ".", "He", "sat", "down", "."]
    english = stopwords.words("english")
    assert len(english) == 179 and {"the", "and", "not", "don't"} <= set(english)


@needs_hub
def test_nltk_download_fails_fast_and_quietly_offline() -> None:
    import nltk

    start = time.perf_counter()
    assert nltk.download("wordnet", quiet=True) is False
    assert time.perf_counter() - start < 5


@needs_hub
def test_spacy_model_finds_entities() -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm")
    doc = nlp("Her name is Anna, and she works in New York City for Morgan Stanley.")
    assert {(e.text, e.label_) for e in doc.ents} >= {
        ("Anna", "PERSON"),
        ("New York City", "GPE"),
        ("Morgan Stanley", "ORG"),
    }
    assert nlp.meta["version"] == "3.8.0"


def _wheel_with_record(path: Path, record: str) -> Path:
    import zipfile

    from tests.offline_hub import spacy_model

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{spacy_model.PACKAGE}-{spacy_model.VERSION}.dist-info/RECORD", record)
    return path


@pytest.mark.skipif(
    importlib.util.find_spec("en_core_web_sm") is None, reason="needs en_core_web_sm installed (make hub)"
)
def test_spacy_check_compares_the_installed_files_with_the_wheel(tmp_path: Path) -> None:
    import importlib.metadata

    from tests.offline_hub import spacy_model

    installed = importlib.metadata.distribution(spacy_model.PACKAGE).read_text("RECORD") or ""
    kept = [line for line in installed.splitlines() if "/meta.json," in line]
    assert kept, "the installed model's RECORD lists its meta.json"
    same = _wheel_with_record(tmp_path / "same.whl", "\n".join(kept))
    assert spacy_model.differences(same) is None
    path = kept[0].split(",")[0]
    other = _wheel_with_record(tmp_path / "other.whl", f"{path},sha256=not-the-installed-hash,1\n")
    assert "differs" in str(spacy_model.differences(other))


@needs_hub
def test_installed_spacy_model_is_the_hubs() -> None:
    from tests.offline_hub import spacy_model

    wheel = spacy_model.wheel(HUB / spacy_model.FOLDER)
    assert wheel.is_file(), f"the offline hub has no {wheel.name}"
    assert spacy_model.differences(wheel) is None, "make hub installs the hub's en_core_web_sm"


# --- network guard --------------------------------------------------------------------------------


def _guarded_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(NETGUARD), NLPCOURSE_NETGUARD="1")
    return env


def _run_guarded(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=_guarded_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_guard_blocks_non_loopback_connections_at_once() -> None:
    done = _run_guarded("""
        import socket, time
        start = time.perf_counter()
        try:
            socket.create_connection(("8.8.8.8", 53), timeout=10)
        except OSError as err:
            print(f"{time.perf_counter() - start:.3f}", err)
        for attempt in (lambda: socket.getaddrinfo("huggingface.co", 443),
                        lambda: socket.socket().connect(("1.1.1.1", 80)),
                        lambda: socket.socket().connect_ex(("1.1.1.1", 80)),
                        lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))):
            try:
                attempt()
            except OSError as err:
                print("blocked", err)
    """)
    assert done.returncode == 0, done.stderr
    first, *others = done.stdout.splitlines()
    seconds, message = first.split(" ", 1)
    assert float(seconds) < 1.0 and BLOCKED in message and "8.8.8.8:53" in message
    assert len(others) == 4 and all(BLOCKED in line for line in others), done.stdout


def test_guard_lets_loopback_through() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def echo() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(16))

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    done = _run_guarded(f"""
        import socket
        with socket.create_connection(("localhost", {port}), timeout=10) as conn:
            conn.sendall(b"ping")
            print(conn.recv(16).decode(), socket._nlpcourse_netguard)
    """)
    thread.join(timeout=10)
    server.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ping", "True"]


def test_guard_is_off_without_its_variable() -> None:
    env = _guarded_env()
    env.pop("NLPCOURSE_NETGUARD")
    done = subprocess.run(
        [sys.executable, "-c", "import socket; print(hasattr(socket, '_nlpcourse_netguard'))"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr


def test_kernel_under_the_guard_fails_at_once_on_non_loopback() -> None:
    from jupyter_client.manager import start_new_kernel

    code = textwrap.dedent("""
        import socket, time
        start = time.perf_counter()
        try:
            socket.create_connection(("8.8.8.8", 53), timeout=10)
            print("connected")
        except OSError as err:
            print(f"{time.perf_counter() - start:.3f}", err)
    """)
    manager, client = start_new_kernel(kernel_name="python3", env=_guarded_env(), startup_timeout=120)
    try:
        streams: list[str] = []
        reply = client.execute_interactive(
            code,
            timeout=60,
            output_hook=lambda msg: (
                streams.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None
            ),
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    seconds, message = "".join(streams).strip().split(" ", 1)
    assert float(seconds) < 1.0 and BLOCKED in message


@needs_hub
def test_test_environment_turns_the_guard_on() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import socket; print(getattr(socket, '_nlpcourse_netguard', False))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "True", (
        "env.sh must put tests/offline_hub/netguard on PYTHONPATH and set NLPCOURSE_NETGUARD=1"
    )


def test_the_stand_in_recipes_split_into_two_lanes_that_keep_their_dependencies():
    """Two worker processes build the stand-ins; each recipe runs once, after what it starts from."""
    from nlpcourse.registry import CHECKPOINTS
    from tests.offline_hub import models

    recipes = list(dict.fromkeys(c.recipe for c in sorted(CHECKPOINTS, key=lambda c: c.recipe != "bert_mlm")))
    assert models.lanes(recipes, 1) == [recipes]
    two = models.lanes(recipes, 2)
    assert len(two) == 2 and sorted(two[0] + two[1]) == sorted(recipes)
    for first, then in (("bert_mlm", "distilbert_mlm"),):
        lane = next(lane for lane in two if then in lane)
        assert first in lane and lane.index(first) < lane.index(then), (first, then, two)
    trained = {c.recipe for c in CHECKPOINTS if c.standin == "trained"}
    assert all(trained & set(lane) for lane in two), f"a lane with none of the long recipes {trained}: {two}"
