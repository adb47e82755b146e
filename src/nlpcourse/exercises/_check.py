"""What the chapters' checkers share: calling the learner's function and reading their numbers.

A learner answers with a list, a tuple, a NumPy array or a torch tensor (on any device, with or
without gradients) and expects each to count; :func:`plain` turns all of them into plain Python
values before a checker compares anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import is_unanswered, not_answered, wrong

__all__ = ["call", "close", "floats", "number", "plain", "softmax"]


def call(fn: Callable[..., Any], *args: Any, called: str, body: str | None) -> Any:
    """``fn(*args)``, or a falsy :class:`Feedback` when it raises or still returns a stub.

    ``called`` is how the call reads in the message (the function and the input it was given); a
    checker never raises on the learner's mistakes, so the exception's type and message are reported.
    ``body`` says what to write when the function returns ``None`` or ``...`` (an unfilled body);
    pass None for a function that is meant to return nothing.
    """
    try:
        result = fn(*args)
    except Exception as err:  # the learner's code may fail in any way: report it, do not raise
        detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        return wrong(f"{called} raised {detail}")
    if body is not None and is_unanswered(result):
        return not_answered(body)
    return result


def plain(value: Any) -> Any:
    """``value`` with tensors, arrays, NumPy scalars and nested iterables made plain Python values.

    Tensors and arrays become (nested) lists of ints, floats or bools, as ``tolist()`` gives them;
    tuples, sets and other iterables become lists; strings, mappings and the rest stay as they are.
    """
    if hasattr(value, "tolist"):  # torch tensors (any device, requires_grad or not), NumPy values
        value = value.tolist()
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping)):
        return [plain(v) for v in value]
    return value


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]


def floats(value: Any) -> list[float]:
    """All numbers in ``value`` (a number, a nested list, an array or a tensor of any shape), flat.

    Raises ``TypeError`` or ``ValueError`` when something in it is not a number.
    """
    return [float(v) for v in _flat(plain(value))]


def number(value: Any) -> float | None:
    """``value`` as one float (a number, a NumPy scalar, a one-element array or tensor), else None."""
    if isinstance(value, (list, tuple)):
        return None
    values = _flat(plain(value))
    if len(values) != 1 or isinstance(values[0], bool):
        return None
    try:
        return float(values[0])
    except (TypeError, ValueError):
        return None


def close(got: Sequence[float], expected: Sequence[float], abs_tol: float) -> bool:
    """Same length, and every value within ``abs_tol`` of the expected one (NaN is never close)."""
    return len(got) == len(expected) and all(
        math.isclose(g, e, rel_tol=0.0, abs_tol=abs_tol) for g, e in zip(got, expected, strict=True)
    )


def softmax(logits: Any) -> list[float]:
    """The softmax of one row of logits (any shape is flattened), in float64 for a stable reference."""
    import torch

    return torch.softmax(torch.tensor(floats(logits), dtype=torch.float64), dim=0).tolist()
