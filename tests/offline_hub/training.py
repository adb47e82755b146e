"""Small, seeded CPU training loops for the offline stand-ins (no Trainer: faster to start, easy to seed)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import torch
from torch import nn
from transformers import PreTrainedModel, PreTrainedTokenizerBase


def seed_all(seed: int) -> None:
    """Seed Python's and torch's generators (model init, dropout, shuffling)."""
    random.seed(seed)
    torch.manual_seed(seed)


Schedule = torch.optim.lr_scheduler.LambdaLR


def _optimizer(
    model: nn.Module, lr: float, steps: int, warmup: float = 0.1
) -> tuple[torch.optim.Optimizer, Schedule]:
    """AdamW over the trainable parameters, linear warm-up then linear decay to 0."""
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    n_warm = max(1, int(steps * warmup))
    sched = Schedule(
        opt, lambda s: min((s + 1) / n_warm, max(0.0, (steps - s) / max(1, steps - n_warm)))
    )
    return opt, sched


def _step(model: nn.Module, opt: torch.optim.Optimizer, sched: Schedule, loss: torch.Tensor) -> float:
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    return float(loss.detach())


def _train_batches(
    model: PreTrainedModel, n: int, loss_of: Callable[[list[int]], torch.Tensor],
    *, epochs: int, batch_size: int, lr: float, seed: int,
) -> float:
    """Shuffled mini-batches of example indices for ``epochs``; returns the last epoch's mean loss."""
    seed_all(seed)
    order = list(range(n))
    steps = epochs * ((n + batch_size - 1) // batch_size)
    opt, sched = _optimizer(model, lr, steps)
    model.train()
    last = 0.0
    for _ in range(epochs):
        random.shuffle(order)
        losses = [
            _step(model, opt, sched, loss_of(order[i : i + batch_size])) for i in range(0, n, batch_size)
        ]
        last = sum(losses) / len(losses)
    model.eval()
    return last


def train_sequence_classifier(
    model: PreTrainedModel, tok: PreTrainedTokenizerBase, texts: Sequence[str], labels: Sequence[int],
    *, epochs: int = 2, batch_size: int = 16, lr: float = 5e-5, max_length: int = 128, seed: int = 0,
) -> float:
    """Fine-tune a sequence classifier; returns the mean loss of the last epoch."""

    def loss_of(idx: list[int]) -> torch.Tensor:
        enc = tok([texts[j] for j in idx], truncation=True, max_length=max_length, padding=True,
                  return_tensors="pt")
        enc.pop("token_type_ids", None)
        return model(**enc, labels=torch.tensor([labels[j] for j in idx])).loss

    return _train_batches(model, len(texts), loss_of, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)


def train_token_classifier(
    model: PreTrainedModel, tok: PreTrainedTokenizerBase, words: Sequence[Sequence[str]],
    tags: Sequence[Sequence[int]], *, epochs: int = 3, batch_size: int = 16, lr: float = 8e-5,
    seed: int = 0,
) -> float:
    """Fine-tune a token classifier on pre-split words; the first sub-token of a word carries its tag."""

    def loss_of(idx: list[int]) -> torch.Tensor:
        enc = tok([list(words[j]) for j in idx], is_split_into_words=True, truncation=True,
                  max_length=128, padding=True, return_tensors="pt")
        label_rows = []
        for b, j in enumerate(idx):
            prev, row = None, []
            for w in enc.word_ids(b):
                row.append(-100 if w is None or w == prev else tags[j][w])
                prev = w
            label_rows.append(row)
        enc.pop("token_type_ids", None)
        return model(**enc, labels=torch.tensor(label_rows)).loss

    return _train_batches(model, len(words), loss_of, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)


def train_causal_lm(
    model: PreTrainedModel, ids: torch.Tensor, *, steps: int, block: int = 64, batch_size: int = 16,
    lr: float = 3e-3, seed: int = 0,
) -> float:
    """Train a causal LM on random windows of one long token stream; returns the last loss."""
    seed_all(seed)
    gen = torch.Generator().manual_seed(seed)
    opt, sched = _optimizer(model, lr, steps)
    model.train()
    loss = 0.0
    for _ in range(steps):
        starts = torch.randint(0, len(ids) - block - 1, (batch_size,), generator=gen)
        batch = torch.stack([ids[s : s + block] for s in starts.tolist()])
        loss = _step(model, opt, sched, model(input_ids=batch, labels=batch).loss)
    model.eval()
    return loss
