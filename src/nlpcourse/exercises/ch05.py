"""Checkers for chapter 05, Transformer internals.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, close, floats, softmax

__all__ = [
    "ATTENTION_EXAMPLE",
    "BERT_BASE_LAYER_PARAMS",
    "check_attention_weights",
    "check_bert_layer_params",
    "check_causal_mask",
    "check_gpt2_param_count",
    "gpt2_params",
]

#: Query and keys of the by-hand exercise (d_k = 2).
ATTENTION_EXAMPLE = {"query": [1.0, 1.0], "keys": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]}

#: One BERT-base encoder layer (hidden 768, intermediate 3072), biases and LayerNorms included.
BERT_BASE_LAYER_PARAMS = 4 * (768 * 768 + 768) + 2 * 768 + (768 * 3072 + 3072) + (3072 * 768 + 768) + 2 * 768


def check_attention_weights(answer: Any) -> Feedback:
    """The weights one query [1, 1] gives keys [1, 0], [0, 1], [1, 1] (d_k = 2), within 1e-3."""
    if is_unanswered(answer):
        return not_answered("the three attention weights, as a list or a tensor")
    try:
        values = floats(answer)
    except (TypeError, ValueError):
        return wrong(f"expected three numbers (a list or a 1-D tensor), got {type(answer).__name__}.")
    if len(values) != 3:
        return wrong(f"expected one weight per key, 3 in all; got {len(values)}.")
    q, keys = ATTENTION_EXAMPLE["query"], ATTENTION_EXAMPLE["keys"]
    scores = [sum(a * b for a, b in zip(q, k, strict=True)) for k in keys]
    scaled = [s / math.sqrt(len(q)) for s in scores]
    right = softmax(scaled)
    near = partial(close, values, abs_tol=1e-3)
    if near(right):
        return correct(f"softmax([1, 1, 2] / sqrt(2)) = {[round(v, 4) for v in right]}.")
    if near(softmax(scores)):
        return wrong("these are softmax([1, 1, 2]): divide the scores by sqrt(d_k) = sqrt(2) first.")
    if near(softmax([s / len(q) for s in scores])):
        return wrong("you divided the scores by d_k = 2; the scale is sqrt(d_k) = sqrt(2).")
    if near(scaled) or near(scores):
        return wrong("these are the raw scores: apply softmax so the weights are positive and sum to 1.")
    if abs(sum(values) - 1) > 1e-3:
        return wrong(f"attention weights sum to 1; yours sum to {sum(values):.4f}.")
    return wrong(f"the weights sum to 1 but are not softmax(q.k / sqrt(d_k)); the dot products are {scores}.")


def check_causal_mask(answer: Any, n: int = 5) -> Feedback:
    """An ``n x n`` additive mask: 0 on and below the diagonal, -inf above it."""
    if is_unanswered(answer):
        return not_answered(f"a {n}x{n} tensor with 0 where attention is allowed and -inf above the diagonal")
    import torch

    if not isinstance(answer, torch.Tensor):
        return wrong(f"expected a torch tensor, got {type(answer).__name__}.")
    if tuple(answer.shape) != (n, n):
        return wrong(
            f"expected shape ({n}, {n}), one row per query and one column per key; got {tuple(answer.shape)}."
        )
    if answer.dtype == torch.bool:
        return wrong(
            "this is a boolean mask; the exercise asks for the additive form: 0.0 where a token may "
            "look, float('-inf') where it may not (use torch.where or masked_fill)."
        )
    m = answer.float()
    blocked = torch.isneginf(m)
    above = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    if torch.equal(blocked, above) and torch.all(m[~blocked] == 0):
        return correct("each token sees itself and the tokens before it, never the ones after.")
    if torch.equal(blocked, above.T):
        return wrong("you blocked the past (below the diagonal); block the future: the entries above it.")
    if torch.equal(blocked, torch.triu(torch.ones(n, n, dtype=torch.bool))):
        return wrong(
            "the diagonal is blocked too: a token must be allowed to attend to itself (use diagonal=1)."
        )
    large = m <= -1e4
    if torch.equal(large, above) and not blocked.any():
        return wrong(
            "a large negative number works in practice, but the exercise asks for float('-inf') exactly."
        )
    if torch.equal(blocked, above):
        return wrong("the -inf entries are right, but the allowed entries must be exactly 0.")
    return wrong(
        f"{int(blocked.sum())} entries are -inf; a causal mask blocks the {int(above.sum())} "
        "entries above the diagonal."
    )


def check_bert_layer_params(answer: Any) -> Feedback:
    """The parameters of one BERT-base encoder layer: 7,087,872."""
    if is_unanswered(answer):
        return not_answered("a whole number, the parameters of one BERT-base encoder layer")
    if isinstance(answer, float) and answer.is_integer():
        answer = int(answer)
    if not isinstance(answer, int) or isinstance(answer, bool):
        return wrong(f"expected a whole number, got {answer!r}.")
    right = BERT_BASE_LAYER_PARAMS
    d, ff = 768, 3072
    if answer == right:
        return correct(f"{right:,}: about 2.4M in attention, 4.7M in the feed-forward network.")
    diff = right - answer
    hints = {
        2 * 2 * d: "you left out both LayerNorms (a weight and a bias of 768 each).",
        2 * d: "one LayerNorm is missing (each has 768 weights and 768 biases).",
        4 * d + ff + d: "the biases are missing: every nn.Linear has out_features biases.",
        4 * d + ff + d + 4 * d: "biases and LayerNorms are missing.",
        d * d + d: "one of the four attention projections is missing (query, key, value, output).",
        d * ff + ff: "the feed-forward network has two linear layers, 768->3072 and 3072->768.",
        d * ff + d: "the feed-forward network has two linear layers, 768->3072 and 3072->768.",
    }
    if diff in hints:
        return wrong(f"off by {diff:,}: {hints[diff]}")
    if answer == 12 * right:
        return wrong("that is all 12 layers; the question asks for one.")
    return wrong(
        f"{answer:,} is off by {diff:,}. Count query, key, value and output projections (768x768 + 768 "
        "each), the feed-forward layers (768x3072 + 3072, 3072x768 + 768) and two LayerNorms (2x768 each)."
    )


def gpt2_params(n_layer: int, n_embd: int, vocab_size: int = 50257, n_positions: int = 1024) -> int:
    """GPT-2's parameter count by formula (input embedding tied to the output layer)."""
    d = n_embd
    per_layer = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d)
    return vocab_size * d + n_positions * d + n_layer * per_layer + 2 * d


GPT2_SIZES = {
    "small": (12, 768),
    "medium": (24, 1024),
    "large": (36, 1280),
    "xl": (48, 1600),
}


def check_gpt2_param_count(fn: Any) -> Feedback:
    """``fn(n_layer, n_embd, vocab_size, n_positions)`` equals GPT-2's count for all four sizes."""
    if is_unanswered(fn):
        return not_answered("a function gpt2_param_count(n_layer, n_embd, vocab_size, n_positions)")
    if not callable(fn):
        return wrong(f"expected a function, got {type(fn).__name__}.")
    for name, (layers, d) in GPT2_SIZES.items():
        right = gpt2_params(layers, d)
        got = call(
            fn,
            layers,
            d,
            50257,
            1024,
            called=f"gpt2_param_count({layers}, {d}, 50257, 1024)",
            body="the body of gpt2_param_count: return the count as an int",
        )
        if isinstance(got, Feedback):
            return got
        if got == right:
            continue
        if not isinstance(got, int) or isinstance(got, bool):
            return wrong(f"return a whole number (an int); for GPT-2 {name} you returned {got!r}.")
        diff = right - got
        hints = {
            -50257 * d: "the output layer shares the token embedding's weights (tied): count it once.",
            2 * d: "the final LayerNorm (ln_f, 2 x n_embd) is missing.",
            1024 * d: "the learned position embeddings (n_positions x n_embd) are missing.",
            layers * 4 * d: "the two LayerNorms inside each block (2 x n_embd each) are missing.",
            layers * 9 * d: "the biases are missing (3d + d in attention, 4d + d in the MLP, per block).",
        }
        hint = hints.get(
            diff, "count embeddings, each block (2 LayerNorms, attention, MLP) and the final LayerNorm."
        )
        return wrong(
            f"GPT-2 {name} ({layers} layers, {d} wide) has {right:,}; "
            f"you got {got:,} (off by {diff:,}): {hint}"
        )
    return correct(
        "small 124M, medium 355M, large 774M, xl 1.56B: "
        + ", ".join(f"{gpt2_params(*s):,}" for s in GPT2_SIZES.values())
        + "."
    )
