"""Checkers for chapter 10, large language models in practice.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, number

__all__ = [
    "CHAT_EXAMPLES",
    "TOP_P_CASES",
    "check_chat_prompt",
    "check_few_shot",
    "check_kv_cache_bytes",
    "check_top_p_filter",
]

#: Chats the chat-prompt exercise is checked on: no system message, a system message, several turns.
CHAT_EXAMPLES: tuple[tuple[dict[str, str], ...], ...] = (
    ({"role": "user", "content": "Translate into French: good morning."},),
    ({"role": "system", "content": "Answer in one word."},
     {"role": "user", "content": "Is this review positive or negative? Great soup."}),
    ({"role": "user", "content": "Hello!"}, {"role": "assistant", "content": "Hi. How can I help?"},
     {"role": "user", "content": "Summarize: the train leaves at seven.\nIt is on time."}),
)

#: (logits, p) pairs the top-p exercise is checked on; no cumulative probability lies within 1e-3 of p.
TOP_P_CASES: tuple[tuple[tuple[float, ...], float], ...] = (
    ((2.0, 1.0, 0.5, 0.0, -1.0, -3.0), 0.8),
    ((0.3, 4.0, -2.0, 1.5, 1.0, 0.0, 2.2), 0.9),
    ((5.0, 0.0, 0.0, -1.0), 0.5),
    ((1.0, 1.5, 0.2, -0.5, 0.8), 0.35),
)


def _first_difference(got: str, expected: str) -> str:
    """Where two strings first differ, with a little context on both sides."""
    pairs = enumerate(zip(got, expected, strict=False))
    i = next((k for k, (a, b) in pairs if a != b), min(len(got), len(expected)))
    lo, hi = max(0, i - 15), i + 15
    return f"at character {i}: yours has {got[lo:hi]!r}, the template {expected[lo:hi]!r}"


def check_chat_prompt(answer: Any, tokenizer: Any) -> Feedback:
    """``answer(messages)`` returns what ``tokenizer.apply_chat_template(..., add_generation_prompt=True,
    tokenize=False)`` returns, for every chat in :data:`CHAT_EXAMPLES`."""
    if is_unanswered(answer):
        return not_answered("your function `chat_prompt(messages)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function that takes a list of messages, got {type(answer).__name__}.")
    for chat in CHAT_EXAMPLES:
        messages = [dict(m) for m in chat]
        got = call(answer, messages, called=f"chat_prompt({messages!r})", body="the prompt string")
        if isinstance(got, Feedback):
            return got
        if not isinstance(got, str):
            return wrong(f"chat_prompt must return a string; it returned {type(got).__name__}.")
        expected = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        if got == expected:
            continue
        first_system = messages[0]["role"] == "system"
        if not first_system and "<|im_start|>system" not in got and "<|im_start|>system" in expected:
            return wrong("the template adds a default system prompt when the chat has none: yours has no "
                         "system turn.")
        if first_system and got.count("<|im_start|>system") > 1:
            return wrong("the chat has its own system message: the default system prompt must not be added.")
        if expected.endswith("<|im_start|>assistant\n") and not got.endswith("<|im_start|>assistant\n"):
            return wrong("end with the generation prompt `<|im_start|>assistant\\n`, so that the model's "
                         "next tokens are the assistant's reply.")
        if got.replace("<|im_end|>\n", "<|im_end|>") == expected.replace("<|im_end|>\n", "<|im_end|>"):
            return wrong("every `<|im_end|>` is followed by a newline `\\n`.")
        return wrong(f"for {len(messages)} message(s) the strings differ {_first_difference(got, expected)}.")
    return correct(f"your prompts equal the chat template's on {len(CHAT_EXAMPLES)} chats, with and without "
                   "a system message and over several turns.")


def check_kv_cache_bytes(answer: Any, config: Mapping[str, int], bytes_per_number: int) -> Feedback:
    """Key/value cache bytes per token: 2 x layers x key/value heads x head size x bytes per number."""
    if is_unanswered(answer):
        return not_answered("the number of bytes per token, an integer")
    value = number(answer)
    if value is None:
        return wrong(f"expected one number of bytes, got {type(answer).__name__}.")
    layers, kv_heads = config["num_hidden_layers"], config["num_key_value_heads"]
    heads = config["num_attention_heads"]
    head_dim = config.get("head_dim") or config["hidden_size"] // heads
    right = 2 * layers * kv_heads * head_dim * bytes_per_number
    if math.isclose(value, right):
        return correct(f"2 x {layers} layers x {kv_heads} key/value heads x {head_dim} x {bytes_per_number} "
                       f"bytes = {right:,} bytes per token.")
    if math.isclose(value, right * heads / kv_heads):
        return wrong(f"that uses all {heads} query heads; the cache holds only the {kv_heads} key/value "
                     "heads (grouped-query attention shares each among several query heads).")
    if math.isclose(value, right / 2):
        return wrong("the cache keeps both keys and values: multiply by 2.")
    if math.isclose(value, right / bytes_per_number):
        return wrong(f"that counts numbers, not bytes: each takes {bytes_per_number} bytes.")
    if math.isclose(value, right * 4 / bytes_per_number):
        return wrong(f"that assumes 4-byte float32 numbers; the exercise uses {bytes_per_number} bytes each.")
    if math.isclose(value, right / layers):
        return wrong(f"every one of the {layers} layers keeps its own keys and values.")
    return wrong(f"bytes per token = 2 x layers x key/value heads x head size x bytes per number; yours is "
                 f"{value:g}.")


def _reference_top_p(logits: Sequence[float], p: float) -> list[bool]:
    import torch
    from transformers import TopPLogitsWarper

    scores = torch.tensor([list(logits)], dtype=torch.float32)
    filtered = TopPLogitsWarper(top_p=p)(torch.zeros((1, 1), dtype=torch.long), scores)
    return torch.isfinite(filtered[0]).tolist()


def check_top_p_filter(answer: Any) -> Feedback:
    """``answer(logits, p)`` returns the boolean mask of the tokens ``TopPLogitsWarper(p)`` keeps."""
    if is_unanswered(answer):
        return not_answered("your function `top_p_keep(logits, p)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (logits, p), got {type(answer).__name__}.")
    import torch

    for logits, p in TOP_P_CASES:
        expected = _reference_top_p(logits, p)
        tensor = torch.tensor(logits)
        got = call(answer, tensor, p, called=f"top_p_keep({tensor}, {p})", body="the boolean mask")
        if isinstance(got, Feedback):
            return got
        values = got.tolist() if hasattr(got, "tolist") else got
        if not isinstance(values, list) or len(values) != len(logits):
            return wrong(f"return one True/False per token ({len(logits)} here), as a tensor of the logits' "
                         f"shape; got {values!r}.")
        if not all(isinstance(v, bool) for v in values):
            return wrong("return booleans (True = kept), e.g. a comparison such as `... < p`, not "
                         f"indices or probabilities; got {values!r}.")
        if values == expected:
            continue
        probs = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0).tolist()
        kept_mass = sum(pr for pr, keep in zip(probs, values, strict=True) if keep)
        if sum(values) == sum(expected) - 1 and kept_mass < p:
            return wrong(f"with p={p} your tokens hold {kept_mass:.3f} of the probability, less than p: keep "
                         "tokens until the mass reaches p, including the one that crosses it.")
        ranked = sorted(range(len(probs)), key=probs.__getitem__, reverse=True)
        in_given_order = [sum(probs[:i]) < p for i in range(len(probs))]
        if values == in_given_order or sorted(i for i, keep in enumerate(values) if keep) != sorted(
            ranked[: sum(values)]
        ):
            return wrong(f"with p={p} you keep tokens that are not the most likely ones: sort the "
                         "probabilities in descending order before adding them up.")
        return wrong(f"with p={p} and logits {list(logits)} you keep {sum(values)} tokens; top-p keeps "
                     f"{sum(expected)} (mask {expected}).")
    return correct(f"your mask equals TopPLogitsWarper's on {len(TOP_P_CASES)} cases.")


def _turns(answer: Any) -> list[dict[str, Any]] | Feedback:
    if not isinstance(answer, list) or not all(isinstance(m, dict) for m in answer):
        return wrong(f"a chat is a list of message dicts; got {type(answer).__name__}.")
    for i, message in enumerate(answer):
        if set(message) != {"role", "content"} or not isinstance(message["content"], str):
            return wrong(f"message {i} must have exactly the keys 'role' and 'content' (a string); it has "
                         f"{sorted(message)}.")
    return answer


def check_few_shot(answer: Any, query: str, train: Any) -> Feedback:
    """A few-shot chat: solved examples from ``train`` as user/assistant turns, then ``query``."""
    if is_unanswered(answer):
        return not_answered("your list of messages (a few-shot chat)")
    turns = _turns(answer)
    if isinstance(turns, Feedback):
        return turns
    if not turns or turns[-1]["role"] != "user" or query not in turns[-1]["content"]:
        return wrong("the last message must be the user turn with the review to classify.")
    body = turns[1:] if turns[0]["role"] == "system" else turns
    roles = [m["role"] for m in body]
    if roles != ["user", "assistant"] * (len(body) // 2) + ["user"]:
        return wrong(f"after an optional system message, turns alternate user, assistant, ..., user; yours "
                     f"are {roles}.")
    examples = [(body[i]["content"], body[i + 1]["content"]) for i in range(0, len(body) - 1, 2)]
    if len(examples) < 2:
        return wrong(f"give at least two solved examples; yours has {len(examples)}.")
    names = train.features["label"].names
    labels = {text: names[label] for text, label in zip(train["text"], train["label"], strict=True)}
    seen = set()
    for question, reply in examples:
        if query in question:
            return wrong("an example contains the review to classify: examples must be other reviews.")
        review = next((text for text in labels if text in question), None)
        if review is None:
            return wrong(f"each example user turn must contain a review of the training split; "
                         f"{question[:60]!r}... does not.")
        if reply != labels[review]:
            return wrong(f"the assistant turn after {review[:40]!r}... must be exactly {labels[review]!r} "
                         f"(its label), not {reply!r}.")
        seen.add(reply)
    if seen != set(names):
        return wrong(f"your examples all have the label {seen.pop()!r}: include both labels.")
    return correct(f"{len(examples)} solved examples with both labels, then the review to classify.")
