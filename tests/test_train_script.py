"""The training script of chapters 06 and 14: its arguments, checkpoints, resuming, accumulation and two
processes, on a tiny BERT built here (no download)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from nlpcourse import train_script

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")
from safetensors.torch import load_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--cpu", "--train-size", "32", "--eval-size", "16", "--epochs", "2", "--threads", "1",
        "--learning-rate", "0.01"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 1-layer BERT classifier of width 32 with a WordPiece vocabulary of the reviews' frequent words."""
    import csv
    from collections import Counter

    folder = tmp_path_factory.mktemp("tiny-bert")
    with (ROOT / "data" / "reviews.csv").open(encoding="utf-8") as f:
        words = Counter(w for row in csv.DictReader(f) for w in row["text"].lower().split() if w.isalpha())
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [w for w, _ in words.most_common(400)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt"))
    tokenizer.save_pretrained(folder)
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(config).save_pretrained(folder)
    return str(folder)


def run(*args: str) -> dict:
    """``main`` in this process; accelerate's process-wide state is reset after each run."""
    from accelerate.state import AcceleratorState, GradientState

    try:
        return train_script.main(list(args))
    finally:
        AcceleratorState._reset_state(True)
        GradientState._reset_state()


def weights(folder: Path) -> dict:
    return load_file(folder / "model" / "model.safetensors")


def max_difference(a: Path, b: Path) -> float:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    return max((wa[k] - wb[k]).abs().max().item() for k in wa)


@pytest.fixture(scope="module")
def baseline(tiny: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("baseline")
    return out, run("--checkpoint", tiny, "--output-dir", str(out), "--batch-size", "8", *TINY)


# --- arguments ----------------------------------------------------------------------------------------

def test_defaults_are_the_chapter_setting():
    args = train_script.parse_args(["--output-dir", "out"])
    assert args.checkpoint == train_script.DEFAULT_CHECKPOINT
    assert (args.batch_size, args.gradient_accumulation_steps, args.dropout) == (16, 1, 0.0)
    assert args.checkpoint_every is None and args.stop_after is None and not args.resume


@pytest.mark.parametrize(("argv", "message"), [
    (["--batch-size", "0"], "--batch-size: expected a number of at least 1, got 0"),
    (["--epochs", "two"], "--epochs: expected a whole number, got 'two'"),
    (["--learning-rate", "3"], "--learning-rate: expected a learning rate between 0 and 1, got 3.0"),
    (["--dropout", "1"], "--dropout: expected a probability in [0, 1), got 1.0"),
    (["--stop-after", "5"], "--stop-after without --checkpoint-every would lose the whole run"),
    (["--stop-after", "3", "--checkpoint-every", "5"], "--stop-after 3 comes before the first checkpoint"),
])
def test_bad_values_stop_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        train_script.parse_args(["--output-dir", "out", *argv])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_output_dir_is_required(capsys):
    with pytest.raises(SystemExit):
        train_script.parse_args([])
    assert "--output-dir" in capsys.readouterr().err


# --- checkpoints and the schedule ---------------------------------------------------------------------

def test_latest_checkpoint_is_the_highest_step_not_the_last_name(tmp_path):
    for step in (5, 10, 2):
        (tmp_path / "checkpoints" / f"step_{step}").mkdir(parents=True)
    assert train_script.latest_checkpoint(tmp_path).name == "step_10"  # "step_5" sorts after it by name
    assert train_script.checkpoint_step(tmp_path / "checkpoints" / "step_10") == 10


def test_checkpoint_names_and_missing_checkpoints_are_explained(tmp_path):
    with pytest.raises(ValueError, match="step_<number>"):
        train_script.checkpoint_step(tmp_path / "final")
    with pytest.raises(FileNotFoundError, match="--checkpoint-every"):
        train_script.latest_checkpoint(tmp_path)


def test_schedule_counts_unsharded_batches_per_optimizer_step():
    assert train_script.schedule_steps(16, epochs=2) == 32
    assert train_script.schedule_steps(16, epochs=2, accumulation=2) == 16
    assert train_script.schedule_steps(15, epochs=1, accumulation=2) == 8  # the last, short cycle steps too


# --- runs ---------------------------------------------------------------------------------------------

def test_a_run_writes_results_and_a_model_that_loads(baseline):
    out, results = baseline
    assert json.loads((out / "results.json").read_text()) == results
    assert results["finished"] and results["processes"] == 1
    assert results["steps"] == len(results["losses"]) == 2 * 32 // 8
    assert results["effective_batch_size"] == 8
    assert results["batches_per_epoch_per_process"] == [4]
    assert results["learning_rate"] == 0.0  # the schedule ran to its end
    assert 0 <= results["eval_accuracy"] <= 1 and results["eval_loss"] > 0
    model = transformers.AutoModelForSequenceClassification.from_pretrained(out / "model")
    assert model.config.id2label == {0: "negative", 1: "positive"}


def test_a_stopped_and_resumed_run_ends_with_the_uninterrupted_weights(tiny, baseline, tmp_path):
    out, uninterrupted = baseline
    args = ["--checkpoint", tiny, "--output-dir", str(tmp_path), "--batch-size", "8", *TINY,
            "--checkpoint-every", "3"]
    stopped = run(*args, "--stop-after", "7")
    assert not stopped["finished"] and stopped["steps"] == 7
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["step_3", "step_6"]
    assert not (tmp_path / "model").exists()  # only a finished run saves the final model
    resumed = run(*args, "--resume")
    assert resumed["start_step"] == 6 and resumed["steps"] == 8 and resumed["finished"]
    assert resumed["losses"] == pytest.approx(uninterrupted["losses"][6:], abs=1e-6)
    assert max_difference(out, tmp_path) < 1e-6


def test_resume_without_a_checkpoint_says_what_to_do(tiny, tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint in"):
        run("--checkpoint", tiny, "--output-dir", str(tmp_path), *TINY, "--resume")


def test_accumulating_two_batches_of_4_equals_one_batch_of_8(tiny, baseline, tmp_path):
    out, large = baseline
    small = run("--checkpoint", tiny, "--output-dir", str(tmp_path), "--batch-size", "4",
                "--gradient-accumulation-steps", "2", *TINY)
    assert small["effective_batch_size"] == 8 and small["steps"] == large["steps"]
    assert small["batches_trained_per_process"] == [2 * large["steps"]]
    assert small["losses"] == pytest.approx(large["losses"], abs=1e-5)
    assert max_difference(out, tmp_path) < 1e-3


def test_a_different_batch_trains_differently(tiny, baseline, tmp_path):
    # the equalities above can fail: another batch size gives other weights
    out, _ = baseline
    run("--checkpoint", tiny, "--output-dir", str(tmp_path), "--batch-size", "4", *TINY)
    assert max_difference(out, tmp_path) > 1e-3


def test_too_many_training_reviews_is_refused(tiny, tmp_path):
    with pytest.raises(ValueError, match="--train-size 5000: the training split has"):
        run("--checkpoint", tiny, "--output-dir", str(tmp_path), "--cpu", "--train-size", "5000")


def launch_two(*target: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """`accelerate launch` of `target` (`-m module` or a script, and its arguments) on 2 CPU processes."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    command = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "--main_process_port", str(port), *target]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def test_two_processes_reach_the_weights_of_one(tiny, baseline, tmp_path):
    out, one = baseline
    done = launch_two("-m", "nlpcourse.train_script", "--checkpoint", tiny, "--output-dir", str(tmp_path),
                      "--batch-size", "4", *TINY)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "process 0 of 2" in done.stdout and "process 1 of 2" in done.stdout
    assert done.stdout.count("finished:") == 1  # accelerator.print: the main process only
    two = json.loads((tmp_path / "results.json").read_text())
    assert two["processes"] == 2 and two["batches_per_epoch_per_process"] == [4, 4]
    assert two["effective_batch_size"] == one["effective_batch_size"]
    assert two["losses"] == pytest.approx(one["losses"], abs=1e-5)
    assert max_difference(out, tmp_path) < 1e-3


PROBE = """
import gc, sys
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
destroy = dist.destroy_process_group
def probed(*args, **kwargs):
    gc.collect()
    alive = sum(isinstance(o, DistributedDataParallel) for o in gc.get_objects())
    print(f"wrappers alive at destroy_process_group: {alive}", flush=True)
    return destroy(*args, **kwargs)
dist.destroy_process_group = probed
from nlpcourse import train_script
train_script.main(sys.argv[1:])
"""


def test_the_process_group_outlives_the_ddp_wrapper(tiny, tmp_path):
    """Were the wrapper's reducer the group's last owner, it would destroy the group holding the GIL; a gloo
    worker thread that needs the GIL at that moment hangs the process at exit (seen once in some runs)."""
    (tmp_path / "probe.py").write_text(PROBE)
    done = launch_two(str(tmp_path / "probe.py"), "--checkpoint", tiny, "--output-dir", str(tmp_path / "run"),
                      "--batch-size", "4", *TINY)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.count("wrappers alive at destroy_process_group: 0") == 2, done.stdout[-2000:]
