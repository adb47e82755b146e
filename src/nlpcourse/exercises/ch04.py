"""Checkers for notebook 04, manual inference.

Each checker takes the learner's answer plus the data the exercise shows, works out the right
answer itself and returns a :class:`~nlpcourse.exercises.Feedback` that says what is off.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, close, floats, number, plain, softmax

__all__ = [
    "softmax",
    "best_span",
    "coverage_accuracy",
    "sliding_windows",
    "check_softmax",
    "check_padding",
    "check_best_span",
    "check_threshold",
    "check_windows",
]


# --- reference answers (softmax, the first, comes from the shared helper) ----------------------


def best_span(
    start: Sequence[float], end: Sequence[float], allowed: Sequence[bool], max_len: int
) -> tuple[int, int]:
    """The ``(i, j)`` with the highest ``start[i] + end[j]``: ``i <= j < i + max_len``, both allowed."""
    start, end = floats(start), floats(end)
    best, best_score = None, -math.inf
    for i, s in enumerate(start):
        if not allowed[i]:
            continue
        for j in range(i, min(i + max_len, len(end))):
            if allowed[j] and s + end[j] > best_score:
                best, best_score = (i, j), s + end[j]
    if best is None:
        raise ValueError("no allowed position: the mask rules out every token")
    return best


def coverage_accuracy(
    confidences: Sequence[float], correct_flags: Sequence[bool], threshold: float
) -> tuple[float, float]:
    """Share of examples kept (confidence >= threshold) and accuracy on those kept (nan if none)."""
    kept = [ok for c, ok in zip(floats(confidences), correct_flags, strict=True) if c >= threshold]
    coverage = len(kept) / len(correct_flags)
    accuracy = sum(bool(k) for k in kept) / len(kept) if kept else math.nan
    return coverage, accuracy


def sliding_windows(ids: Sequence[int], size: int, stride: int) -> list[list[int]]:
    """Windows of at most ``size`` ids; consecutive windows share ``stride`` ids; all ids covered."""
    if not 0 <= stride < size:
        raise ValueError("stride must be at least 0 and smaller than size")
    ids = list(ids)
    windows, start = [], 0
    while True:
        windows.append(ids[start : start + size])
        if start + size >= len(ids):
            return windows
        start += size - stride


# --- checkers ------------------------------------------------------------------------------------


def check_softmax(answer: Any, logits: Sequence[float]) -> Feedback:
    """Exercise 1: the probabilities of ``logits`` (a list or a 1-D tensor)."""
    if is_unanswered(answer):
        return not_answered("the probabilities, one per logit (a list or a tensor)")
    expected = softmax(logits)
    try:
        got = floats(answer)
    except (TypeError, ValueError):
        return wrong(f"expected numbers, got {type(answer).__name__}.")
    if len(got) != len(expected):
        return wrong(
            f"there are {len(expected)} logits, so {len(expected)} probabilities; you gave {len(got)}."
        )
    if close(got, expected, abs_tol=1e-4):
        return correct(
            f"softmax turns the logits into probabilities that sum to 1: {[round(e, 4) for e in expected]}."
        )
    total = sum(got)
    raw = floats(logits)
    if sum(raw) and close(got, [r / sum(raw) for r in raw], abs_tol=1e-4):
        return wrong("you divided the logits by their sum; softmax takes exp() of each logit first.")
    if any(g < 0 for g in got):
        return wrong("probabilities cannot be negative; apply exp() before normalising.")
    if abs(total - 1) > 1e-3:
        return wrong(
            f"your values sum to {total:.4f}, not 1; divide each exp(logit) by the sum of all of them."
        )
    return wrong(f"the values sum to 1 but do not match softmax: expected {[round(e, 4) for e in expected]}.")


def check_padding(answer: Any, attention_mask: Any) -> Feedback:
    """Exercise 2: the number of padding positions in each row of ``attention_mask``."""
    if is_unanswered(answer):
        return not_answered("a list with the number of padding tokens in each row")
    rows = plain(attention_mask)
    expected = [sum(1 for m in row if m == 0) for row in rows]
    try:
        got = [int(a) for a in plain(answer)]
    except (TypeError, ValueError):
        return wrong("give one whole number per sentence, as a list.")
    if len(got) != len(expected):
        return wrong(f"the batch has {len(expected)} rows; give one count per row (you gave {len(got)}).")
    if got == expected:
        return correct(f"padding counts {expected}: the mask is 0 exactly where the tokenizer padded.")
    real = [sum(1 for m in row if m == 1) for row in rows]
    if got == real:
        return wrong("those are the real tokens (mask 1); count the positions where the mask is 0.")
    off = [i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e]
    return wrong(f"row {off[0]} has {expected[off[0]]} padding positions, you said {got[off[0]]}.")


def check_best_span(
    answer: Any, start: Sequence[float], end: Sequence[float], allowed: Sequence[bool], max_len: int
) -> Feedback:
    """Exercise 3: the best valid ``(start, end)`` token span."""
    if is_unanswered(answer):
        return not_answered("a pair `(start_index, end_index)`")
    try:
        i, j = (int(x) for x in answer)
    except (TypeError, ValueError):
        return wrong("give a pair of two token positions, `(start_index, end_index)`.")
    start_f, end_f = floats(start), floats(end)
    n = len(start_f)
    if not (0 <= i < n and 0 <= j < n):
        return wrong(f"positions must lie between 0 and {n - 1}.")
    if j < i:
        return wrong(f"the end ({j}) comes before the start ({i}); a span needs start <= end.")
    if not (allowed[i] and allowed[j]):
        return wrong("that span touches a position that is not allowed (the question or a special token).")
    if j - i + 1 > max_len:
        return wrong(f"the span is {j - i + 1} tokens long; at most {max_len} are allowed.")
    bi, bj = best_span(start_f, end_f, allowed, max_len)
    score, best_score = start_f[i] + end_f[j], start_f[bi] + end_f[bj]
    if abs(score - best_score) < 1e-9:
        return correct(f"span ({bi}, {bj}) scores {best_score:.2f}, the best valid one.")
    hint = ""
    if (int(max(range(n), key=start_f.__getitem__)), int(max(range(n), key=end_f.__getitem__))) == (i, j):
        hint = " Taking the two argmaxes separately ignores the rules; score every valid pair."
    return wrong(f"your span is valid but scores {score:.2f}; a valid span scores {best_score:.2f}.{hint}")


def check_threshold(
    answer: Any, confidences: Sequence[float], correct_flags: Sequence[bool], target: float
) -> Feedback:
    """Exercise 4: the smallest candidate threshold whose kept predictions reach ``target`` accuracy."""
    if is_unanswered(answer):
        return not_answered("a threshold between 0 and 1")
    t = number(answer)
    if t is None:
        return wrong("the threshold is one number between 0 and 1.")
    if not 0 <= t <= 1:
        return wrong(f"{t} is not a probability; choose a threshold between 0 and 1.")
    confs = floats(confidences)
    candidates = sorted(set(confs))
    reaching = [c for c in candidates if coverage_accuracy(confs, correct_flags, c)[1] >= target]
    coverage, accuracy = coverage_accuracy(confs, correct_flags, t)
    if not reaching:
        return wrong(
            f"no threshold reaches accuracy {target}; that target is too high for these predictions."
        )
    best = reaching[0]
    best_cov, _ = coverage_accuracy(confs, correct_flags, best)
    if math.isnan(accuracy):
        return wrong(f"at {t} every prediction abstains (coverage 0); lower the threshold.")
    if accuracy < target:
        return wrong(
            f"at {t} the kept predictions are {accuracy:.3f} accurate, below the target {target}; raise it."
        )
    if coverage < best_cov:
        return wrong(
            f"{t} reaches the target but keeps only {coverage:.1%} of the examples; a lower threshold "
            f"keeps {best_cov:.1%} and still reaches {target}."
        )
    return correct(f"threshold {t} keeps {coverage:.1%} of the examples at accuracy {accuracy:.3f}.")


def check_windows(answer: Any) -> Feedback:
    """Exercise 5: a function ``windows(ids, size, stride)`` that splits a list of ids into windows."""
    if is_unanswered(answer):
        return not_answered("your function `windows` (the function itself, without calling it)")
    if not callable(answer):
        return wrong("pass the function itself, `windows`, not the result of calling it.")
    fn: Callable[..., Any] = answer
    cases = [
        (list(range(10)), 4, 1),
        (list(range(10)), 4, 0),
        (list(range(3)), 5, 2),
        (list(range(100, 125)), 8, 3),
    ]
    for ids, size, stride in cases:
        expected = sliding_windows(ids, size, stride)
        result = call(
            fn,
            list(ids),
            size,
            stride,
            called=f"windows({ids[:3]}..., size={size}, stride={stride})",
            body="the body of `windows`, so that it returns the list of windows",
        )
        if isinstance(result, Feedback):
            return result
        where = f"for {len(ids)} ids, size={size}, stride={stride}"
        got = plain(result)
        if not isinstance(got, list) or not all(isinstance(w, list) for w in got):
            return wrong(f"{where} return a list of windows, each a list of ids; got {result!r}.")
        if any(len(w) > size for w in got):
            return wrong(f"{where} a window is longer than {size}.")
        covered = {i for w in got for i in w}
        if covered != set(ids):
            return wrong(f"{where} these ids are in no window: {sorted(set(ids) - covered)[:5]}.")
        for a, b in zip(got, got[1:], strict=False):
            if stride and a[-stride:] != b[:stride]:
                return wrong(f"{where} consecutive windows must share {stride} ids: {a} then {b}.")
        if got != expected:
            return wrong(
                f"{where} expected {expected}, got {got}; "
                f"start each window {size - stride} ids after the last."
            )
    return correct("every id is in a window, windows overlap by `stride`, and no window is too long.")
