"""Fine-tune a classifier on the course reviews with Accelerate: chapter 06's loop as a script.

The loop itself is :func:`train`; chapter 06 calls it in its notebook, and :func:`main` wraps it in
a script that any launcher can start::

    python -m nlpcourse.train_script --output-dir runs/one                      # one process
    accelerate launch --multi_gpu --num_processes 2 -m nlpcourse.train_script \\
        --cpu --output-dir runs/two                                             # two CPU processes

``accelerate launch --multi_gpu`` starts one process per ``--num_processes`` through torchrun; with
``--cpu`` (or on a machine without GPUs) they talk over gloo. ``--batch-size`` is per process, so the
batch one optimizer step sees is ``batch size x processes x gradient accumulation steps``.

The main process writes ``results.json`` (losses, counts, times) and the final model under
``--output-dir``; ``--checkpoint-every N`` saves the whole training state every N optimizer steps in
``checkpoints/step_N``, ``--stop-after N`` stops on purpose after step N, and ``--resume`` continues
from the latest checkpoint in ``--output-dir``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CHECKPOINT",
    "checkpoint_step",
    "latest_checkpoint",
    "main",
    "parse_args",
    "schedule_steps",
    "train",
]

DEFAULT_CHECKPOINT = "sentence-transformers/all-MiniLM-L6-v2"
CHECKPOINTS = "checkpoints"  # the folder under --output-dir that holds step_N folders


def train(accelerator: Any, model: Any, optimizer: Any, train_loader: Any, scheduler: Any, *, epochs: int,
          max_grad_norm: float = 1.0, start_step: int = 0, checkpoint_every: int = 0,
          checkpoint_dir: Path | None = None, stop_after: int | None = None) -> list[float]:
    """Train prepared objects for ``epochs`` epochs; return the loss of each optimizer step.

    Each loss is the mean over the step's batches and over all processes, so a run on several
    processes logs the numbers one process would. With ``start_step`` (read from a checkpoint) the
    loop goes on where that run stopped: the epochs it finished are skipped, and so are the batches
    of the current epoch it had trained on (the sampler gives each epoch the same order again).
    Every ``checkpoint_every`` steps all processes save the training state in
    ``checkpoint_dir/step_N``; after step ``stop_after`` the loop stops, as a crash would.
    """
    from tqdm.auto import tqdm

    accumulation = accelerator.gradient_accumulation_steps
    steps_per_epoch = math.ceil(len(train_loader) / accumulation)
    step, losses, pending = start_step, [], []
    for epoch in range(start_step // steps_per_epoch, epochs):
        model.train()
        train_loader.set_epoch(epoch)  # with a seedable sampler, epoch N's order depends on the seed and N
        done = (step - epoch * steps_per_epoch) * accumulation  # batches of this epoch already trained
        batches = accelerator.skip_first_batches(train_loader, done) if done else train_loader
        for batch in tqdm(batches, desc=f"epoch {epoch + 1}", disable=not accelerator.is_local_main_process):
            with accelerator.accumulate(model):  # no gradient sync and no step until the last batch
                loss = model(**batch).loss
                accelerator.backward(loss)  # averages gradients over processes; divides by accumulation
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()  # gradients add up until cleared
            pending.append(accelerator.reduce(loss.detach(), reduction="mean").item())
            if not accelerator.sync_gradients:
                continue
            step += 1
            losses.append(sum(pending) / len(pending))
            pending = []
            if checkpoint_every and step % checkpoint_every == 0:
                if checkpoint_dir is None:
                    raise ValueError("checkpoint_every needs a checkpoint_dir to save into")
                accelerator.save_state(checkpoint_dir / f"step_{step}")
            if stop_after is not None and step >= stop_after:
                return losses
    return losses


def schedule_steps(batches_per_epoch: int, epochs: int, accumulation: int = 1) -> int:
    """The length to give a learning-rate schedule that ``accelerator.prepare`` will wrap.

    ``batches_per_epoch`` is the length of the data loader *before* ``prepare`` shards it. On N
    processes each optimizer step trains on N of those batches and accelerate steps the prepared
    schedule N times, so counting the unsharded batches keeps the schedule's shape for any N.
    """
    return epochs * math.ceil(batches_per_epoch / accumulation)


def checkpoint_step(path: Path) -> int:
    """The optimizer step a ``step_N`` checkpoint folder was saved after."""
    name = Path(path).name
    prefix, _, number = name.partition("_")
    if prefix != "step" or not number.isdigit():
        raise ValueError(f"{path} is not a checkpoint folder: its name should be step_<number>")
    return int(number)


def latest_checkpoint(output_dir: Path) -> Path:
    """The checkpoint of the highest step under ``output_dir/checkpoints``."""
    folder = Path(output_dir) / CHECKPOINTS
    found = sorted(folder.glob("step_*"), key=checkpoint_step) if folder.is_dir() else []
    if not found:
        raise FileNotFoundError(f"--resume: no checkpoint in {folder}; run with --checkpoint-every N first "
                                "(and the same --output-dir), or leave out --resume to start afresh")
    return found[-1]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1), got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a learning rate between 0 and 1, got {value}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line; a wrong value stops with a message that says which and why."""
    parser = argparse.ArgumentParser(
        prog="python -m nlpcourse.train_script",
        description="Fine-tune a sequence classifier on the course reviews with Accelerate. Start it with "
        "python (one process) or with accelerate launch (several).",
    )
    parser.add_argument("--output-dir", type=Path, required=True,
                        help="folder for results.json, the final model and the checkpoints")
    parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT,
                        help=f"Hub id or folder of the model to fine-tune (default {DEFAULT_CHECKPOINT})")
    parser.add_argument("--train-size", type=_positive, default=160,
                        help="training reviews, a stratified sample (default 160)")
    parser.add_argument("--eval-size", type=_positive, default=64,
                        help="validation reviews the final loss is measured on (default 64)")
    parser.add_argument("--batch-size", type=_positive, default=16, help="batch per process (default 16)")
    parser.add_argument("--gradient-accumulation-steps", type=_positive, default=1,
                        help="batches per optimizer step on each process (default 1)")
    parser.add_argument("--epochs", type=_positive, default=2, help="passes over the training reviews")
    parser.add_argument("--learning-rate", type=_rate, default=1e-4, help="peak learning rate (default 1e-4)")
    parser.add_argument("--dropout", type=_fraction, default=0.0,
                        help="dropout probability of every dropout layer (default 0: runs on different "
                        "numbers of processes then compute the same function)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the new head and the data order")
    parser.add_argument("--max-length", type=_positive, default=128, help="tokens per review at most")
    parser.add_argument("--checkpoint-every", type=_positive, default=None,
                        help="save the training state every N optimizer steps")
    parser.add_argument("--stop-after", type=_positive, default=None,
                        help="stop after optimizer step N, as an interrupted run would")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the latest checkpoint in --output-dir")
    parser.add_argument("--cpu", action="store_true", help="train on the CPU even where a GPU is present")
    parser.add_argument("--threads", type=_positive, default=None,
                        help="torch threads per process (default: torch's own choice)")
    args = parser.parse_args(argv)
    if args.stop_after is not None and args.checkpoint_every is None:
        parser.error("--stop-after without --checkpoint-every would lose the whole run: add "
                     "--checkpoint-every N to save the state it can resume from")
    if args.stop_after is not None and args.checkpoint_every > args.stop_after:
        parser.error(f"--stop-after {args.stop_after} comes before the first checkpoint "
                     f"(--checkpoint-every {args.checkpoint_every}): nothing would be saved to resume from")
    return args


def _data(args: argparse.Namespace, tokenizer: Any) -> tuple[Any, Any]:
    from nlpcourse.data import load_reviews

    reviews = load_reviews()
    train_set, eval_set = reviews["train"], reviews["validation"]
    if args.train_size > len(train_set):
        raise ValueError(f"--train-size {args.train_size}: the training split has {len(train_set)} reviews")
    if args.train_size < len(train_set):
        train_set = train_set.train_test_split(train_size=args.train_size, stratify_by_column="label",
                                               seed=args.seed)["train"]
    eval_set = eval_set.select(range(min(args.eval_size, len(eval_set))))

    def tokenize(batch: dict[str, list[Any]]) -> Any:
        return tokenizer(batch["text"], truncation=True, max_length=args.max_length)

    columns = ["input_ids", "attention_mask", "label"]
    return tuple(ds.map(tokenize, batched=True).select_columns(columns) for ds in (train_set, eval_set))


def _evaluate(accelerator: Any, model: Any, loader: Any) -> tuple[float, float]:
    """Mean loss and accuracy over every example of ``loader``, whichever process scored it."""
    import torch
    import torch.nn.functional as F

    model.eval()
    losses, right = [], []
    with torch.no_grad():
        for batch in loader:
            logits = model(**batch).logits
            per_example = F.cross_entropy(logits, batch["labels"], reduction="none")
            hits = (logits.argmax(-1) == batch["labels"]).float()
            per_example, hits = accelerator.gather_for_metrics((per_example, hits))
            losses.append(per_example)
            right.append(hits)
    return torch.cat(losses).mean().item(), torch.cat(right).mean().item()


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the script; return what the main process wrote to ``results.json`` (other processes: ``{}``)."""
    args = parse_args(argv)
    import torch
    from accelerate import Accelerator, DataLoaderConfiguration
    from accelerate.utils import set_seed
    from torch.utils.data import DataLoader
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        get_linear_schedule_with_warmup,
    )

    if args.threads:
        torch.set_num_threads(args.threads)
    # the seedable sampler shuffles every epoch from (seed, epoch): each process, and a resumed run, draws
    # the same order, and each process takes its own share of every global batch
    accelerator = Accelerator(
        cpu=args.cpu,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True, data_seed=args.seed),
    )
    print(f"process {accelerator.process_index} of {accelerator.num_processes} on {accelerator.device}, "
          f"{torch.get_num_threads()} threads", flush=True)  # every process says hello, once
    set_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.checkpoint)
    with accelerator.main_process_first():  # the main process fills the datasets cache, the others reuse it
        train_set, eval_set = _data(args, tokenizer)
    labels = ["negative", "positive"]
    model = AutoModelForSequenceClassification.from_pretrained(
        args.checkpoint, num_labels=2, id2label=dict(enumerate(labels)),
        label2id={n: i for i, n in enumerate(labels)},
    )
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = args.dropout
    collator = DataCollatorWithPadding(tokenizer)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, collate_fn=collator)
    eval_loader = DataLoader(eval_set, batch_size=64, collate_fn=collator)
    # weight decay on matrices only, not on biases and normalisation weights
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([{"params": [p for p in params if p.ndim >= 2], "weight_decay": 0.01},
                                   {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}],
                                  lr=args.learning_rate)
    total = schedule_steps(len(train_loader), args.epochs, args.gradient_accumulation_steps)  # before prepare
    # warm-up over the first tenth of the schedule: a fraction, not rounded, so that the schedule has the
    # same shape for any number of processes
    scheduler = get_linear_schedule_with_warmup(optimizer, 0.1 * total, total)
    model, optimizer, train_loader, eval_loader, scheduler = accelerator.prepare(
        model, optimizer, train_loader, eval_loader, scheduler
    )
    checkpoint_dir = args.output_dir / CHECKPOINTS
    start_step = 0
    if args.resume:
        resume_from = latest_checkpoint(args.output_dir)
        accelerator.load_state(resume_from)  # weights, optimizer moments, schedule, random states
        start_step = checkpoint_step(resume_from)
        accelerator.print(f"resuming from {resume_from} (step {start_step})")

    accelerator.wait_for_everyone()
    t0 = time.perf_counter()
    losses = train(accelerator, model, optimizer, train_loader, scheduler, epochs=args.epochs,
                   start_step=start_step, checkpoint_every=args.checkpoint_every or 0,
                   checkpoint_dir=checkpoint_dir, stop_after=args.stop_after)
    accelerator.wait_for_everyone()
    seconds = time.perf_counter() - t0
    steps = start_step + len(losses)
    steps_per_epoch = math.ceil(len(train_loader) / args.gradient_accumulation_steps)
    finished = steps >= args.epochs * steps_per_epoch
    # each process's share: its batches per epoch, and the batches it trained on in this run
    mine = torch.tensor([[len(train_loader), len(losses) * args.gradient_accumulation_steps]],
                        device=accelerator.device)
    counts = accelerator.gather(mine).tolist()
    eval_loss, eval_accuracy = math.nan, math.nan
    if finished:
        eval_loss, eval_accuracy = _evaluate(accelerator, model, eval_loader)

    results: dict[str, Any] = {}
    if finished:  # every process takes part in saving (the weights may be spread over them); main writes
        state_dict = accelerator.get_state_dict(model)  # whole weights, also where DeepSpeed/FSDP shard them
        accelerator.unwrap_model(model).save_pretrained(
            args.output_dir / "model", is_main_process=accelerator.is_main_process,
            save_function=accelerator.save, state_dict=state_dict,
        )
    if accelerator.is_main_process:
        results = {
            "processes": accelerator.num_processes,
            "batch_size": args.batch_size,
            "gradient_accumulation_steps": args.gradient_accumulation_steps,
            "effective_batch_size": args.batch_size * accelerator.num_processes
            * args.gradient_accumulation_steps,
            "steps_per_epoch": steps_per_epoch,
            "start_step": start_step,
            "steps": steps,
            "finished": finished,
            "losses": losses,
            "learning_rate": scheduler.get_last_lr()[0],
            "eval_loss": eval_loss,
            "eval_accuracy": eval_accuracy,
            "batches_per_epoch_per_process": [c[0] for c in counts],
            "batches_trained_per_process": [c[1] for c in counts],
            "train_seconds": seconds,
            "mixed_precision": accelerator.mixed_precision,
            "device": str(accelerator.device),
        }
        args.output_dir.mkdir(parents=True, exist_ok=True)
        (args.output_dir / "results.json").write_text(json.dumps(results, indent=1))
    state = "finished" if finished else f"stopped on purpose after step {steps}"
    last = f", last loss {losses[-1]:.4f}" if losses else ""
    accelerator.print(f"{state}: {len(losses)} steps in {seconds:.1f} s{last}"
                      + (f", validation loss {eval_loss:.4f}" if finished else ""))
    # Let go of the prepared objects before the process group. On several processes the model is wrapped in
    # DistributedDataParallel, whose reducer would otherwise be the group's last owner: it then destroys the
    # group while holding the GIL, which a gloo worker thread can need at that moment, and the process hangs.
    del model, optimizer, train_loader, eval_loader, scheduler
    accelerator.free_memory()
    accelerator.end_training()
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
