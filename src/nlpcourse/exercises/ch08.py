"""Checkers for chapter 08, pre-training a small GPT.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, number, plain

__all__ = [
    "LEARNING_RATES",
    "PAIRS_EXAMPLE",
    "check_context_params",
    "check_cross_entropy",
    "check_diverging_lr",
    "check_next_token_pairs",
    "check_unigram_perplexity",
    "diverged",
    "lr_trial",
]

#: The token ids ``next_token_pairs`` is checked on (a second check uses the shortest useful sequence).
PAIRS_EXAMPLE = [5, 9, 2, 7, 3]

#: The learning rates of the divergence exercise, smallest first.
LEARNING_RATES = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)


def _close(a: float, b: float, tol: float = 1e-4) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check_next_token_pairs(answer: Any) -> Feedback:
    """``next_token_pairs(ids)`` returns ``(ids[:-1], ids[1:])``: inputs and their next tokens."""
    if is_unanswered(answer):
        return not_answered("your function `next_token_pairs(ids)` (the function itself, not a call)")
    if not callable(answer):
        return wrong(f"expected a function of the token ids, got {type(answer).__name__}.")
    for ids in (PAIRS_EXAMPLE, [4, 1]):
        got = call(answer, list(ids), called=f"next_token_pairs({ids})", body="(inputs, targets)")
        if isinstance(got, Feedback):
            return got
        got = plain(got)
        if not isinstance(got, list) or len(got) != 2:
            return wrong(f"return a pair (inputs, targets); for {ids} it returned {got!r}.")
        inputs, targets = (g if isinstance(g, list) else [g] for g in got)
        right_inputs, right_targets = list(ids[:-1]), list(ids[1:])
        if (inputs, targets) == (right_inputs, right_targets):
            continue
        if (inputs, targets) == (right_targets, right_inputs):
            return wrong("inputs and targets are swapped: the model reads ids[:-1] and predicts ids[1:].")
        if inputs == targets:
            return wrong(
                "inputs and targets are the same tokens: each position must be scored on the *next* token, "
                "so shift the targets left by one."
            )
        if len(inputs) != len(targets):
            return wrong(
                f"for {ids} you return {len(inputs)} inputs and {len(targets)} targets: every input needs "
                "exactly one target, so the last token is only a target and the first only an input."
            )
        return wrong(f"for {ids} the pairs should be inputs {right_inputs} and targets {right_targets}; "
                     f"yours are {inputs} and {targets}.")
    return correct(f"for {PAIRS_EXAMPLE}: inputs {PAIRS_EXAMPLE[:-1]}, targets {PAIRS_EXAMPLE[1:]}.")


def _log_softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    log_sum = top + math.log(sum(math.exp(z - top) for z in logits))
    return [z - log_sum for z in logits]


def check_cross_entropy(answer: Any, logits: Any, target: int) -> Feedback:
    """The cross-entropy of one prediction: ``-log softmax(logits)[target]``, in nats."""
    if is_unanswered(answer):
        return not_answered("the loss, one number")
    got = number(answer)
    if got is None:
        return wrong(f"expected one number (the loss of this one prediction), got {plain(answer)!r}.")
    values = [float(v) for v in plain(logits)]
    log_p = _log_softmax(values)
    right = -log_p[target]
    if _close(got, right):
        return correct(f"softmax gives the true token probability {math.exp(-right):.3f}; "
                       f"-ln of it is {right:.4f}.")
    if _close(got, -right):
        return wrong("the sign is off: the loss is *minus* the log-probability, so it is positive.")
    if _close(got, math.exp(-right)) or _close(got, 1 - math.exp(-right)):
        return wrong("that is a probability, not a loss: take minus its natural log.")
    if _close(got, right / math.log(2)):
        return wrong("that is in bits (log base 2); cross-entropy in PyTorch uses the natural log (nats).")
    best = max(range(len(values)), key=values.__getitem__)
    if best != target and _close(got, -log_p[best]):
        return wrong(f"that is the loss of token {best}, the model's favourite; "
                     f"score the true token {target}.")
    if _close(got, -values[target]) or _close(got, values[target]):
        return wrong("that uses the raw logit: turn the logits into probabilities with softmax first "
                     "(exp of each, divided by their sum).")
    return wrong(f"the loss should be -ln(softmax(logits)[{target}]); yours ({got:.4f}) is not.")


def _unigram_cross_entropy(train: list[int], test: list[int], vocab_size: int, smoothing: int = 1) -> float:
    counts = [train.count(i) + smoothing for i in range(vocab_size)]
    total = sum(counts)
    if any(counts[i] == 0 for i in test):
        return math.inf
    return -sum(math.log(counts[i] / total) for i in test) / len(test)


def check_unigram_perplexity(answer: Any, train_ids: Any, test_ids: Any, vocab_size: int) -> Feedback:
    """Perplexity on ``test_ids`` of a unigram model with add-one smoothing trained on ``train_ids``."""
    if is_unanswered(answer):
        return not_answered("the perplexity, one number")
    got = number(answer)
    if got is None:
        return wrong(f"expected one number, got {plain(answer)!r}.")
    train, test = [int(i) for i in plain(train_ids)], [int(i) for i in plain(test_ids)]
    ce = _unigram_cross_entropy(train, test, vocab_size)
    right = math.exp(ce)
    if _close(got, right):
        return correct(f"cross-entropy {ce:.4f} nats, perplexity exp({ce:.4f}) = {right:.4f}.")
    if math.isinf(got) or math.isnan(got):
        return wrong("a test token never seen in training gets probability 0 without smoothing: add 1 to "
                     "every count (and the vocabulary size to the total).")
    if _close(got, ce):
        return wrong("that is the cross-entropy; perplexity is exp of it.")
    if _close(got, 2**ce):
        return wrong("the bases are mixed: with natural logs the perplexity is exp(cross-entropy), not 2**.")
    if _close(got, vocab_size):
        return wrong(f"{vocab_size} is the perplexity of a uniform guess; use the training counts.")
    if _close(got, math.exp(_unigram_cross_entropy(train, train, vocab_size))):
        return wrong("that is the perplexity on the training ids; score the test ids.")
    wrong_total = sum(train.count(i) + 1 for i in range(vocab_size)) - vocab_size
    no_denominator = math.exp(-sum(math.log((train.count(i) + 1) / wrong_total) for i in test) / len(test))
    if _close(got, no_denominator):
        return wrong("after adding 1 to every count, the total grows by the vocabulary size too: divide by "
                     "len(train_ids) + vocab_size so the probabilities sum to 1.")
    return wrong(f"expected exp of the mean of -ln p(token) over the {len(test)} test ids, with "
                 "p = (count + 1) / (len(train_ids) + vocab_size).")


def _gpt2_count(config: Any, n_positions: int) -> int:
    import torch
    from transformers import AutoModelForCausalLM

    changed = type(config).from_dict({**config.to_dict(), "n_positions": n_positions})
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        model = AutoModelForCausalLM.from_config(changed)
    return sum(p.numel() for p in model.parameters())


def check_context_params(answer: Any, config: Any, n_positions: int) -> Feedback:
    """How many parameters a GPT-2 ``config`` gains when its context grows to ``n_positions``."""
    if is_unanswered(answer):
        return not_answered("the change in the number of parameters, an integer")
    got = number(answer)
    if got is None:
        return wrong(f"expected one number of parameters, got {plain(answer)!r}.")
    old = config.n_positions
    right = _gpt2_count(config, n_positions) - _gpt2_count(config, old)
    d, layers = config.n_embd, config.n_layer
    if got == right:
        return correct(f"{n_positions - old} new positions x {d} numbers each = {right:,}: the position "
                       "table wpe is the only part that depends on the context length.")
    if got == 0:
        return wrong("GPT-2 *learns* its position embeddings: one row of n_embd numbers per position "
                     "(the wpe table). Zero is right for rotary or sinusoidal encodings, which have no "
                     "weights.")
    if got == n_positions * d:
        return wrong("that is the size of the whole new position table; the question asks for the change.")
    if got == n_positions**2 - old**2 or got == layers * config.n_head * (n_positions**2 - old**2):
        return wrong("the attention scores grow with the square of the context, but they are computed, not "
                     "stored: they are activations, not parameters.")
    if got == right * layers:
        return wrong("positions are embedded once, at the input, not in every layer.")
    if got == -right:
        return wrong("the sign is off: a longer context adds parameters.")
    return wrong(f"count what depends on n_positions in GPT-2: the position table has n_positions rows "
                 f"of n_embd = {d} numbers.")


def lr_trial(lr: float, steps: int = 20) -> list[float]:
    """Train a tiny GPT-2 with AdamW at ``lr`` (no warm-up, no clipping); the loss of every step.

    The data is fixed (sequences that count up in steps of 1 to 3, modulo 16) and so is the seed, so
    the same ``lr`` gives the same losses in every call on the same machine.
    """
    return list(_trial(float(lr), steps))


@functools.lru_cache(maxsize=32)
def _trial(lr: float, steps: int) -> tuple[float, ...]:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    generator = torch.Generator().manual_seed(0)
    starts = torch.randint(0, 16, (16, 1), generator=generator)
    strides = torch.randint(1, 4, (16, 1), generator=generator)
    data = (starts + strides * torch.arange(16)) % 16
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=16, n_positions=16, n_embd=32, n_layer=1, n_head=2, bos_token_id=0,
                        eos_token_id=0)
    model = GPT2LMHeadModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = model(input_ids=data, labels=data).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return tuple(losses)


def diverged(losses: Sequence[float]) -> bool:
    """A run diverged when its last loss is not below its first (NaN included)."""
    return not losses[-1] < losses[0]


def check_diverging_lr(answer: Any) -> Feedback:
    """The smallest learning rate in :data:`LEARNING_RATES` whose :func:`lr_trial` diverges."""
    if is_unanswered(answer):
        return not_answered("a learning rate from LEARNING_RATES")
    got = number(answer)
    if got is None:
        return wrong(f"expected one learning rate, got {plain(answer)!r}.")
    matches = [lr for lr in LEARNING_RATES if _close(got, lr, 1e-9)]
    if not matches:
        return wrong(f"pick one of LEARNING_RATES {LEARNING_RATES}; {got:g} is not among them.")
    chosen = matches[0]
    outcome = {lr: diverged(lr_trial(lr)) for lr in LEARNING_RATES}
    right = next((lr for lr in LEARNING_RATES if outcome[lr]), None)
    if right is None:
        return wrong("none of the trials diverged on this machine; tell the course maintainers.")
    losses = lr_trial(chosen)
    if chosen == right:
        return correct(f"at {right:g} the loss goes from {losses[0]:.2f} to {losses[-1]:.2f}; every smaller "
                       "rate brings it down.")
    if not outcome[chosen]:
        return wrong(f"at {chosen:g} the loss falls from {losses[0]:.2f} to {losses[-1]:.2f}: that run "
                     "converges. Look at larger rates.")
    return wrong(f"{chosen:g} diverges, but so does a smaller rate in the list: find the smallest.")
