"""Checkers for notebook 03 (pipelines)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, floats

__all__ = ["check_all_scores", "check_mask_sentence", "check_greedy_kwargs", "check_t5_input", "check_top_p"]

MASK_TOKENS = ("[MASK]", "<mask>")
SAMPLING_ONLY = ("temperature", "top_k", "top_p")


def check_all_scores(answer: Any, labels: Iterable[str]) -> Feedback:
    """``answer``: the sentiment pipeline's result for ONE sentence, with a score for every label."""
    labels = sorted(labels)
    if is_unanswered(answer):
        return not_answered("the result of calling the classifier on the sentence")
    if not isinstance(answer, list) or not answer:
        return wrong(f"expected a list of {{'label', 'score'}} dicts, got {type(answer).__name__}.")
    if isinstance(answer[0], list):
        return wrong(
            "this is a list of lists: you passed a list of sentences. Pass the sentence itself (a string)."
        )
    if not all(isinstance(row, Mapping) and {"label", "score"} <= set(row) for row in answer):
        return wrong("every item should be a dict with a 'label' and a 'score'.")
    got = sorted(row["label"] for row in answer)
    if len(answer) == 1:
        return wrong(
            f"only one label ({got[0]}): by default the pipeline returns the best label only. Pass "
            f"top_k=None to get a score for each of the {len(labels)} labels (return_all_scores is "
            "silently ignored in transformers 5)."
        )
    if got != labels:
        return wrong(f"the labels are {got}, but this model's labels are {labels}.")
    total = sum(row["score"] for row in answer)
    if not math.isclose(total, 1.0, abs_tol=1e-3):
        return wrong(f"the scores add up to {total:.4f}, not 1: were they edited, or from another call?")
    best = max(answer, key=lambda row: row["score"])
    return correct(
        f"{len(labels)} labels whose scores sum to 1; the best is {best['label']} ({best['score']:.3f})."
    )


def check_mask_sentence(answer: Any, mask_token: str) -> Feedback:
    """``answer``: a sentence with exactly one mask, written with the model's own ``mask_token``."""
    if is_unanswered(answer):
        return not_answered("a sentence that contains the tokenizer's mask token once")
    if not isinstance(answer, str):
        return wrong(f"expected a string, got {type(answer).__name__}.")
    others = [m for m in MASK_TOKENS if m != mask_token and m in answer]
    if others and mask_token not in answer:
        return wrong(
            f"{others[0]} is another model family's mask token; this tokenizer's is {mask_token!r}. "
            "Build the sentence with tokenizer.mask_token instead of typing it."
        )
    count = answer.count(mask_token)
    if count == 0:
        return wrong(f"the sentence has no {mask_token!r}: the model has nothing to fill in.")
    if count > 1:
        return wrong(f"the sentence has {count} masks; put exactly one {mask_token!r} in it.")
    if not answer.replace(mask_token, "").strip():
        return wrong("the sentence is only the mask: give the model some context around it.")
    return correct(f"one {mask_token!r}, so the pipeline can fill it in.")


def check_greedy_kwargs(answer: Any, new_tokens: int = 20) -> Feedback:
    """``answer``: generation keyword arguments for greedy decoding of exactly ``new_tokens`` new tokens."""
    if is_unanswered(answer):
        return not_answered("a dict of keyword arguments for the text-generation pipeline")
    if not isinstance(answer, Mapping):
        return wrong(f"expected a dict such as {{'max_new_tokens': ...}}, got {type(answer).__name__}.")
    if "max_length" in answer:
        return wrong(
            "max_length counts the prompt's tokens too, so the reply's length depends on the prompt. "
            f"Use max_new_tokens={new_tokens}."
        )
    if answer.get("max_new_tokens") != new_tokens:
        return wrong(f"max_new_tokens should be {new_tokens}, got {answer.get('max_new_tokens')!r}.")
    if "do_sample" not in answer:
        return wrong(
            "say do_sample=False explicitly: a model's generation_config can switch sampling on by "
            "default, and then the output changes from run to run."
        )
    if answer["do_sample"] is not False:
        return wrong("do_sample=True draws tokens at random; greedy decoding takes the most likely one.")
    if answer.get("num_beams", 1) != 1:
        return wrong("num_beams > 1 is beam search, not greedy decoding; leave num_beams out.")
    ignored = [k for k in SAMPLING_ONLY if k in answer]
    if ignored:
        return wrong(
            f"{', '.join(ignored)} only matter when sampling; greedy decoding ignores them. Remove them."
        )
    return correct("greedy, at most 20 new tokens, the same text on every run.")


def check_t5_input(
    answer: Any, sentence: str, task_params: Mapping[str, Any], target: str = "fr"
) -> Feedback:
    """``answer``: the input string that asks T5 to translate ``sentence`` into ``target``."""
    if is_unanswered(answer):
        return not_answered("the model's task prefix followed by the sentence")
    if not isinstance(answer, str):
        return wrong(f"expected a string, got {type(answer).__name__}; tokenize it afterwards.")
    key = f"translation_en_to_{target}"
    prefix = task_params[key]["prefix"]
    if sentence not in answer:
        return wrong("the English sentence itself is missing from the input.")
    if answer == prefix + sentence:
        return correct(f"T5 reads the task from the prefix {prefix!r}.")
    before = answer[: answer.index(sentence)]
    if not before.strip():
        return wrong(
            f"T5 picks its task from a text prefix; without one it does not know what to do. The "
            f"prefix is in model.config.task_specific_params[{key!r}]['prefix']."
        )
    for other, params in task_params.items():
        other_prefix = params.get("prefix", "")
        if other != key and other_prefix and before.strip() == other_prefix.strip():
            return wrong(f"{other_prefix.strip()!r} asks for {other}; this exercise wants {key}.")
    if before.strip() == prefix.strip():
        return wrong(f"use the prefix exactly as given, with its spacing: {prefix!r} then the sentence.")
    return wrong(f"the text before the sentence should be exactly {prefix!r}, got {before!r}.")


def check_top_p(answer: Any) -> Feedback:
    """``answer``: a function ``(probs, p) -> token ids`` that keeps the nucleus of ``probs``."""
    if is_unanswered(answer):
        return not_answered("a function top_p_ids(probs, p) that returns the kept token ids")
    if not callable(answer):
        return wrong(f"expected a function, got {type(answer).__name__}.")
    fn: Callable[[list[float], float], Any] = answer
    cases = [
        ([0.5, 0.3, 0.1, 0.1], 0.7, {0, 1}, "the cumulative probability 0.5 is below 0.7"),
        ([0.5, 0.3, 0.1, 0.1], 0.4, {0}, "0.5 already covers p=0.4"),
        ([0.05, 0.6, 0.35], 0.9, {1, 2}, "the input is not sorted: sort by probability first"),
        ([0.25, 0.25, 0.25, 0.25], 0.99, {0, 1, 2, 3}, "four equal tokens need all four to reach 0.99"),
    ]
    for probs, p, expected, why in cases:
        result = call(
            fn,
            list(probs),
            p,
            called=f"top_p_ids({probs}, {p})",
            body="the body of `top_p_ids`, so that it returns the kept token ids",
        )
        if isinstance(result, Feedback):
            return result
        try:
            got = {int(i) for i in floats(result)}
        except (TypeError, ValueError, OverflowError):
            return wrong(f"top_p_ids({probs}, {p}) returned {result!r}; return a list of token ids.")
        if got == expected:
            continue
        if "not sorted" in why and got != expected:
            return wrong(
                f"top_p_ids({probs}, {p}) returned {sorted(got)}; expected {sorted(expected)}: {why}."
            )
        covered = sum(probs[i] for i in got if 0 <= i < len(probs))
        if got > expected:
            return wrong(
                f"top_p_ids({probs}, {p}) kept {sorted(got)}, but {sorted(expected)} already reach "
                f"{p}: stop at the first token whose cumulative probability reaches p."
            )
        if covered < p:
            return wrong(
                f"top_p_ids({probs}, {p}) kept {sorted(got)}, covering only {covered:.2f} < {p}; "
                f"expected {sorted(expected)} ({why})."
            )
        return wrong(f"top_p_ids({probs}, {p}) returned {sorted(got)}; expected {sorted(expected)} ({why}).")
    return correct("your nucleus matches the smallest set of most likely tokens whose probability reaches p.")
