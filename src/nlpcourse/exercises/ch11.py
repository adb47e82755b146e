"""Checkers for chapter 11, adapting models with LoRA and instruction tuning.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
"""

from __future__ import annotations

from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, close, floats, number, plain

__all__ = [
    "LORA_EXAMPLE",
    "check_lora_parameters",
    "check_merge_lora",
    "check_attention_targets",
    "check_mask_prompt",
    "tiny_models",
]

#: The parameter-count exercise: LoRA of rank ``r`` on q_proj and v_proj of every layer of the real
#: SmolLM2-135M (576 wide; 3 key-value heads of 64, so v_proj maps 576 -> 192).
LORA_EXAMPLE: dict[str, Any] = {"layers": 30, "r": 8, "modules": {"q_proj": (576, 576), "v_proj": (576, 192)}}


def check_lora_parameters(answer: Any) -> Feedback:
    """LoRA parameters of rank 8 on q_proj and v_proj of every layer of SmolLM2-135M (no head)."""
    if is_unanswered(answer):
        return not_answered("the number of parameters LoRA trains, an integer")
    value = None if isinstance(answer, str) else number(answer)
    if value is None:
        return wrong(f"expected one number, got {type(answer).__name__}.")
    layers, r, modules = LORA_EXAMPLE["layers"], LORA_EXAMPLE["r"], LORA_EXAMPLE["modules"]
    per_layer = sum(r * (d_in + d_out) for d_in, d_out in modules.values())
    right = layers * per_layer
    q_in, q_out = modules["q_proj"]
    v_in, v_out = modules["v_proj"]
    if value == right:
        return correct(f"per layer r (in + out) for q_proj and v_proj: {r} x ({q_in} + {q_out}) + {r} x "
                       f"({v_in} + {v_out}) = {per_layer:,}; times {layers} layers = {right:,}.")
    if value == per_layer:
        return wrong(f"{per_layer:,} is one layer; the model has {layers} of them.")
    if value == layers * 2 * r * (q_in + q_out):
        return wrong(f"v_proj is smaller than q_proj: it maps {v_in} -> {v_out} (3 key-value heads of 64).")
    if value in (layers * r * (q_in + v_in), layers * r * (q_out + v_out)):
        return wrong("A is r x in and B is out x r: count both matrices, r (in + out) per projection.")
    if value == layers * (q_in * q_out + v_in * v_out):
        return wrong("that is the size of the full weight matrices W, which LoRA freezes; it trains A and B.")
    if value in (layers * r * r * (q_in * q_out + v_in * v_out), layers * r * (q_in * q_out + v_in * v_out)):
        return wrong("the two matrices' sizes add up, they do not multiply: r x in plus out x r.")
    return wrong("each adapted projection trains A (r x in) and B (out x r); add q_proj's and v_proj's and "
                 "multiply by the number of layers.")


def _example_tensors() -> tuple[Any, Any, Any, int, int]:
    import torch

    generator = torch.Generator().manual_seed(0)
    d_out, d_in, r, alpha = 5, 7, 3, 12
    weight = torch.randn(d_out, d_in, generator=generator)
    a = torch.randn(r, d_in, generator=generator)
    b = torch.randn(d_out, r, generator=generator)
    return weight, a, b, alpha, r


def check_merge_lora(answer: Any) -> Feedback:
    """``merge_lora(W, A, B, alpha, r)`` returns ``W + (alpha / r) B A``."""
    if is_unanswered(answer):
        return not_answered("your function `merge_lora(W, A, B, alpha, r)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (W, A, B, alpha, r), got {type(answer).__name__}.")
    weight, a, b, alpha, r = _example_tensors()
    result = call(answer, weight.clone(), a.clone(), b.clone(), alpha, r,
                  called="merge_lora(W, A, B, alpha=12, r=3) with W 5x7, A 3x7, B 5x3",
                  body="the merged weight (return it)")
    if hasattr(result, "ok") and not result:  # a Feedback: the call failed
        return result
    try:
        got_shape = tuple(getattr(result, "shape", ()))
        got = floats(result)
    except (TypeError, ValueError):
        return wrong(f"expected a 5x7 tensor, got {type(result).__name__}.")
    if got_shape and got_shape != tuple(weight.shape):
        return wrong(f"the merged weight has W's shape {tuple(weight.shape)}; yours is {got_shape}.")
    expected = (weight + (alpha / r) * b @ a).flatten().tolist()
    if close(got, expected, 1e-4):
        return correct("W + (alpha / r) B A: the update folded into the frozen weight.")
    if close(got, (weight + b @ a).flatten().tolist(), 1e-4):
        return wrong("the update is scaled by alpha / r before it is added.")
    if close(got, (weight + alpha * r * b @ a).flatten().tolist(), 1e-4) or close(
        got, (weight + (r / alpha) * b @ a).flatten().tolist(), 1e-4
    ):
        return wrong("the scale is alpha divided by r.")
    if close(got, ((alpha / r) * b @ a).flatten().tolist(), 1e-4):
        return wrong("that is the update alone; add it to W.")
    return wrong("B A has W's shape (out x in): B is out x r, A is r x in. Add (alpha / r) B A to W.")


def tiny_models() -> dict[str, Any]:
    """A small random DistilBERT classifier and a small random Llama, keyed by family (no download)."""
    import torch
    from transformers import (
        DistilBertConfig,
        DistilBertForSequenceClassification,
        LlamaConfig,
        LlamaForCausalLM,
    )

    torch.manual_seed(0)
    distilbert = DistilBertForSequenceClassification(
        DistilBertConfig(vocab_size=100, dim=32, n_layers=2, n_heads=2, hidden_dim=64, num_labels=2)
    )
    llama = LlamaForCausalLM(
        LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                    num_attention_heads=2, num_key_value_heads=1)
    )
    return {"distilbert": distilbert, "llama": llama}


_ATTENTION = {
    "distilbert": ["k_lin", "out_lin", "q_lin", "v_lin"],
    "llama": ["k_proj", "o_proj", "q_proj", "v_proj"],
}
_MLP = {"lin1", "lin2", "gate_proj", "up_proj", "down_proj"}
_HEADS = {"pre_classifier", "classifier", "lm_head"}


def check_attention_targets(answer: Any) -> Feedback:
    """``attention_targets(model)``: sorted short names of the Linear layers in the attention blocks."""
    if is_unanswered(answer):
        return not_answered("your function `attention_targets(model)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function of a model, got {type(answer).__name__}.")
    for family, model in tiny_models().items():
        result = call(answer, model, called=f"attention_targets(<a small {family}>)",
                      body="the list of names (return it)")
        if hasattr(result, "ok") and not result:
            return result
        names = plain(result)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return wrong(f"expected a list of strings for the {family} model, got {result!r}.")
        right = _ATTENTION[family]
        if any("." in n for n in names):
            return wrong(f"give the short names (the part after the last dot, e.g. {right[0]!r}), as "
                         "target_modules takes them; full paths repeat each name once per layer.")
        if len(set(names)) != len(names):
            return wrong(f"each name once: {names} has duplicates (every layer has the same names).")
        if set(names) & _MLP:
            return wrong(f"{sorted(set(names) & _MLP)} belong to the feed-forward block, not attention.")
        if set(names) & _HEADS:
            return wrong(f"{sorted(set(names) & _HEADS)} are output heads, not attention layers.")
        if names != right:
            if sorted(names) == right:
                return wrong("the right names; return them sorted.")
            missing = sorted(set(right) - set(names))
            if missing:
                return wrong(f"the {family} model's attention has the Linear layers {right}; "
                             f"yours lack {missing}.")
            return wrong(f"for the {family} model expected {right}, got {names}.")
    return correct("q, k, v and output projections of both families: DistilBERT's *_lin and Llama's *_proj.")


MASK_EXAMPLE = {"input_ids": [1, 882, 198, 3251, 35, 2, 198, 1, 520, 198, 4173, 9, 2], "prompt_length": 10}


def check_mask_prompt(answer: Any) -> Feedback:
    """``mask_prompt(input_ids, prompt_length)``: -100 over the prompt, the ids over the answer."""
    if is_unanswered(answer):
        return not_answered("your function `mask_prompt(input_ids, prompt_length)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (input_ids, prompt_length), got {type(answer).__name__}.")
    ids, n = MASK_EXAMPLE["input_ids"], MASK_EXAMPLE["prompt_length"]
    result = call(answer, list(ids), n, called=f"mask_prompt({ids}, {n})", body="the labels (return them)")
    if hasattr(result, "ok") and not result:
        return result
    labels = plain(result)
    if not isinstance(labels, list) or not all(type(v) is int for v in labels):
        return wrong(f"expected a list of integers, got {result!r}.")
    right = [-100] * n + ids[n:]
    if labels == right:
        return correct("the prompt's positions ignored by the loss, the answer's tokens kept as targets.")
    if len(labels) != len(ids):
        if labels == ids[n:]:
            return wrong("keep the prompt's positions, as -100: labels must line up with input_ids.")
        if labels in ([-100] * n + ids[n + 1:], [-100] * (n - 1) + ids[n:-1]):
            return wrong("do not shift the labels: the model shifts them by one itself.")
        return wrong(f"labels must have as many entries as input_ids ({len(ids)}); yours has {len(labels)}.")
    if labels == [0] * n + ids[n:]:
        return wrong("the loss ignores -100, not 0 (0 is a real token id).")
    if labels == ids[:n] + [-100] * (len(ids) - n):
        return wrong("that masks the answer and keeps the prompt: the other way round.")
    if labels in ([-100] * (n + 1) + ids[n + 1:], [-100] * (n - 1) + ids[n - 1:]):
        return wrong(f"off by one: the first {n} positions (indices 0 to {n - 1}) are the prompt.")
    if labels in ([-100] * n + ids[n + 1:] + [-100], ids[1:] + [-100]):
        return wrong("do not shift the labels: the model shifts them by one itself.")
    return wrong(f"expected -100 at positions 0-{n - 1} and input_ids[{n}:] after them.")
