"""Checkers for chapter 13, sharing a model: Gradio functions and model card metadata.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer. The cases
are plain Python values (pipeline outputs, streamed pieces, Gradio histories), so no model is loaded.
"""

from __future__ import annotations

import inspect
import math
import tempfile
from pathlib import Path
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call

__all__ = [
    "BASE_MODEL",
    "HISTORY_CASES",
    "OUTPUT_CASES",
    "PIECE_CASES",
    "check_card_data",
    "check_history",
    "check_label_confidences",
    "check_streaming",
    "to_messages",
]

BASE_MODEL = "distilbert/distilbert-base-uncased"

#: Pipeline outputs with ``top_k=None``: every label with its score, best first.
OUTPUT_CASES: tuple[tuple[dict[str, Any], ...], ...] = (
    ({"label": "POSITIVE", "score": 0.93}, {"label": "NEGATIVE", "score": 0.07}),
    ({"label": "negative", "score": 0.61}, {"label": "positive", "score": 0.39}),
    ({"label": "neutral", "score": 0.5}, {"label": "positive", "score": 0.3},
     {"label": "negative", "score": 0.2}),
)

#: Pieces a streamer hands over, including an empty one and a lone space.
PIECE_CASES: tuple[tuple[str, ...], ...] = (
    ("The", " capital", " of", " France", " is", " Paris", "."),
    ("Hello", "", "!", " "),
    ("One piece only.",),
)

_PARTS = [{"type": "text", "text": "Hi! "}, {"type": "text", "text": "How are you?"}]
#: ``(message, history, system)``: histories as Gradio 6 hands them over (content as a list of parts,
#: extra keys), and one with plain strings.
HISTORY_CASES: tuple[tuple[str, list[dict[str, Any]], str | None], ...] = (
    ("And the capital of Italy?", [], None),
    ("And the capital of Italy?",
     [{"role": "user", "content": [{"type": "text", "text": "What is the capital of France?"}],
       "metadata": None, "options": None},
      {"role": "assistant", "content": [{"type": "text", "text": "Paris."}], "metadata": None,
       "options": None}],
     None),
    ("Tell me a joke.",
     [{"role": "user", "content": _PARTS, "metadata": {"title": None}},
      {"role": "assistant", "content": "I am fine, thank you.", "metadata": None}],
     "You are a cheerful assistant."),
)


def to_messages(message: str, history: list[dict[str, Any]],
                system: str | None = None) -> list[dict[str, str]]:
    """The reference answer: a system message when given, the history as plain text, the new message."""
    def text(content: Any) -> str:
        if isinstance(content, str):
            return content
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))

    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": turn["role"], "content": text(turn["content"])} for turn in history]
    return messages + [{"role": "user", "content": message}]


def check_label_confidences(answer: Any) -> Feedback:
    """``answer(outputs)`` returns ``{label: score}`` for every label of a ``top_k=None`` output."""
    if is_unanswered(answer):
        return not_answered("your function `label_confidences(outputs)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function of the pipeline's outputs, got {type(answer).__name__}.")
    for case in OUTPUT_CASES:
        outputs = [dict(out) for out in case]
        got = call(answer, outputs, called="label_confidences(outputs)", body="the dictionary")
        if isinstance(got, Feedback):
            return got
        expected = {out["label"]: out["score"] for out in case}
        if isinstance(got, str):
            return wrong(f"that is only the best label ({got!r}); gr.Label shows every label's confidence: "
                         "return a dictionary from label to score.")
        if not isinstance(got, dict):
            return wrong(f"return a dictionary from label to score, not a {type(got).__name__}.")
        if set(got) != set(expected):
            if len(got) < len(expected):
                return wrong(f"every label belongs in the dictionary; yours has {sorted(got)} of "
                             f"{sorted(expected)}.")
            return wrong(f"the keys must be the labels {sorted(expected)}; yours are {sorted(got, key=str)}.")
        try:
            values = {label: float(got[label]) for label in expected}
        except (TypeError, ValueError):
            return wrong("the values must be the scores, as numbers.")
        if all(math.isclose(values[k], 100 * v, abs_tol=1e-6) for k, v in expected.items()):
            return wrong("those are percentages; gr.Label wants probabilities between 0 and 1, as the "
                         "pipeline gives them.")
        if not all(math.isclose(values[k], v, abs_tol=1e-9) for k, v in expected.items()):
            return wrong(f"for {list(case)} the dictionary is {expected}; yours is {got}.")
    return correct("every label with its score, as gr.Label draws them.")


def check_streaming(answer: Any) -> Feedback:
    """``answer(pieces)`` is a generator that yields the text so far after each piece."""
    if is_unanswered(answer):
        return not_answered("your generator `stream_reply(pieces)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function of the pieces, got {type(answer).__name__}.")
    for case in PIECE_CASES:
        got = call(answer, iter(case), called=f"stream_reply({list(case)})", body=None)
        if isinstance(got, Feedback):
            return got
        if got is None or got is Ellipsis:
            return not_answered("a loop over the pieces that yields the text so far (a generator)")
        if isinstance(got, str):
            return wrong("that returns the whole reply at once; `yield` the text so far after each piece, "
                         "so that the page can show it growing.")
        if not inspect.isgenerator(got) and not hasattr(got, "__iter__"):
            return wrong(f"return a generator (use `yield`), not a {type(got).__name__}.")
        try:
            values = list(got)
        except Exception as err:  # the learner's generator may fail in any way: report it
            return wrong(f"iterating over stream_reply({list(case)}) raised {type(err).__name__}: {err}")
        expected = ["".join(case[:i + 1]) for i in range(len(case))]
        if values == list(case) and values != expected:
            return wrong("that yields each new piece alone; ChatInterface replaces the reply with every "
                         "value you yield, so yield the text so far (all pieces up to this one).")
        if values == expected[-1:] and len(case) > 1:
            return wrong("only the final text arrives: yield after every piece, inside the loop.")
        if values != expected:
            return wrong(f"for the pieces {list(case)} the page should show {expected}; "
                         f"yours yields {values}.")
    return correct("the page shows the reply growing, piece by piece.")


def check_history(answer: Any) -> Feedback:
    """``answer(message, history, system)`` gives the chat for the template from a Gradio history."""
    if is_unanswered(answer):
        return not_answered("your function `to_messages(message, history, system=None)` "
                            "(the function itself)")
    if not callable(answer):
        return wrong(f"expected a function, got {type(answer).__name__}.")
    for message, history, system in HISTORY_CASES:
        got = call(answer, message, [dict(turn) for turn in history], system,
                   called="to_messages(message, history, system)", body="the list of messages")
        if isinstance(got, Feedback):
            return got
        expected = to_messages(message, history, system)
        if not isinstance(got, list) or not all(isinstance(m, dict) for m in got):
            return wrong(f"return a list of {{'role': ..., 'content': ...}} dictionaries; got {got!r}.")
        if len(got) != len(expected):
            if system and len(got) == len(expected) - 1:
                return wrong("the system message comes first when `system` is given.")
            return wrong(f"expected {len(expected)} messages (system, history, new message); got {len(got)}.")
        for g, e in zip(got, expected, strict=True):
            if set(g) != {"role", "content"}:
                return wrong(f"each message holds only 'role' and 'content'; one of yours has {sorted(g)}: "
                             "drop Gradio's extra keys such as 'metadata'.")
            if not isinstance(g["content"], str):
                return wrong("join the text parts of a turn into one string: the chat template wants plain "
                             f"text, and one of your contents is {g['content']!r}.")
            if g != e:
                return wrong(f"expected {e}, got {g}.")
    return correct("plain messages the chat template can render, in order.")


def check_card_data(answer: Any) -> Feedback:
    """``answer(accuracy, interval)`` returns ModelCardData that parses back with these values."""
    if is_unanswered(answer):
        return not_answered("your function `card_metadata(accuracy, interval)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function, got {type(answer).__name__}.")
    from huggingface_hub import ModelCard, ModelCardData

    accuracy, interval = 0.8731, (0.8314, 0.9129)
    data = call(answer, accuracy, interval, called=f"card_metadata({accuracy}, {interval})",
                body="the ModelCardData")
    if isinstance(data, Feedback):
        if "model_name" in data.message:
            return wrong(data.message + " The model-index names the model its results belong to: pass "
                         "`model_name=` too.")
        return data
    if not isinstance(data, ModelCardData):
        return wrong(f"return a ModelCardData, not a {type(data).__name__}.")
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "README.md"
            ModelCard(f"---\n{data.to_yaml()}\n---\n\n# A model\n").save(path)
            parsed = ModelCard.load(path).data
    except Exception as err:  # invalid metadata can fail in the card's own validation: report it
        return wrong(f"the metadata does not make a card the Hub can read: {type(err).__name__}: {err}")
    for key, expected in (("license", "apache-2.0"), ("base_model", BASE_MODEL),
                          ("pipeline_tag", "text-classification")):
        if getattr(parsed, key, None) != expected:
            return wrong(f"`{key}` should be {expected!r}; the card has {getattr(parsed, key, None)!r}.")
    results = parsed.eval_results or []
    if len(results) != 1:
        return wrong("give one evaluation result (`eval_results=[EvalResult(...)]`); "
                     f"the card has {len(results)}.")
    result = results[0]
    if result.task_type != "text-classification" or result.metric_type != "accuracy":
        return wrong(f"the result's task_type should be 'text-classification' and metric_type 'accuracy'; "
                     f"yours are {result.task_type!r} and {result.metric_type!r}.")
    if not isinstance(result.metric_value, (int, float)) or not math.isclose(result.metric_value, accuracy):
        return wrong(f"metric_value should be the accuracy you were given ({accuracy}); the card has "
                     f"{result.metric_value!r}.")
    intervals = getattr(parsed, "confidence_intervals", None)
    stored = intervals.get("accuracy", {}).get("interval") if isinstance(intervals, dict) else None
    same = isinstance(stored, list) and len(stored) == 2 and all(
        isinstance(v, (int, float)) and math.isclose(v, w) for v, w in zip(stored, interval, strict=True))
    if not same:
        return wrong("put the interval under confidence_intervals={'accuracy': {'interval': [low, high]}}, "
                     f"a list of two numbers; the card has {intervals!r}.")
    return correct("the card's metadata parses back with the license, base model, result and interval.")
