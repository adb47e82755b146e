"""Exercise checkers: each ``check_...`` returns a :class:`Feedback` that says what is right or wrong.

A checker never raises on a wrong answer (the exercise cells must run in CI with the stub still in
place); it returns a falsy :class:`Feedback` whose message tells the learner where they are off.
Solution cells write ``assert check_...(answer)`` so that CI proves the solution right.

Each ``chNN`` module holds what is specific to its chapter's exercises; ``_check`` holds what they
share: calling the learner's function, reading tensors, arrays and lists as plain numbers, tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Feedback", "correct", "wrong", "not_answered", "is_unanswered"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: truthy when the answer is right."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("Correct: " if self.ok else "Not yet: ") + self.message

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        mark = "**Correct.**" if self.ok else "**Not yet.**"
        return f"{mark} {self.message}"


def correct(message: str = "well done.") -> Feedback:
    return Feedback(True, message)


def wrong(message: str) -> Feedback:
    return Feedback(False, message)


def not_answered(what: str) -> Feedback:
    return Feedback(False, f"replace the `...` with {what}, then run the cell again.")


def is_unanswered(answer: Any) -> bool:
    """True for the stub values exercise cells start with (``...`` or ``None``)."""
    return answer is None or answer is Ellipsis
