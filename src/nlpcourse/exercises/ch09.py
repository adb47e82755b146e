"""Checkers for chapter 09, fine-tuning for token classification and extractive question answering.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
The examples are plain lists (word ids, offsets, tags), so no checker needs a tokenizer or a model.
"""

from __future__ import annotations

import collections
import re
import string
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, number, plain

__all__ = [
    "ALIGN_EXAMPLES",
    "ENTITY_EXAMPLES",
    "F1_EXAMPLES",
    "SPAN_EXAMPLE",
    "check_align_labels",
    "check_answer_tokens",
    "check_bio_entities",
    "check_squad_f1",
    "squad_f1",
]

IGNORE = -100  # the label id PyTorch's cross-entropy (and so every transformers head) leaves out

#: ``(word_ids, word_labels)`` pairs as a tokenizer gives them for a sentence of pre-split words:
#: ``None`` for [CLS]/[SEP]/padding, the same word id for every piece of one word.
ALIGN_EXAMPLES: tuple[tuple[list[int | None], list[int]], ...] = (
    ([None, 0, 1, 1, 2, 3, 3, 3, None], [1, 2, 0, 5, 0]),  # "Nadia Osei(ei) left Westbrook(##br ##ook)"
    ([None, 0, 1, 2, None, None], [3, 4, 0]),  # a padded row
    ([None, 0, 0, 1, None], [7, 0]),
)

#: A question+context pair: the offsets and sequence ids of its tokens, and the answer's characters.
#: Context "The library opens at 10 p.m. daily." and question "When?"; the answer "10 p.m." is
#: characters 21-28 of the context.
SPAN_EXAMPLE: dict[str, Any] = {
    "offsets": [(0, 0), (0, 4), (4, 5), (0, 0), (0, 3), (4, 11), (12, 17), (18, 20), (21, 23), (24, 25),
                (25, 26), (26, 27), (27, 28), (29, 34), (34, 35), (0, 0)],
    "sequence_ids": [None, 0, 0, None, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, None],
    "start_char": 21,
    "end_char": 28,
}

#: BIO tag sequences and the entities they hold as ``(type, first word, last word + 1)``, as seqeval's
#: default (not strict) mode reads them; the last two test the rules for ``I-`` tags.
ENTITY_EXAMPLES: tuple[tuple[list[str], list[tuple[str, int, int]]], ...] = (
    (["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "I-ORG", "O"], [("PER", 0, 2), ("ORG", 4, 7)]),
    (["B-ORG", "I-ORG", "B-PER", "I-PER", "I-PER"], [("ORG", 0, 2), ("PER", 2, 5)]),
    (["O", "B-LOC", "B-LOC", "O", "B-MISC"], [("LOC", 1, 2), ("LOC", 2, 3), ("MISC", 4, 5)]),
    (["O", "O", "O"], []),
    (["B-PER", "I-ORG", "I-ORG", "O"], [("PER", 0, 1), ("ORG", 1, 3)]),  # I- of another type
    (["O", "I-LOC", "I-LOC", "O", "I-PER"], [("LOC", 1, 3), ("PER", 4, 5)]),  # I- that continues nothing
)

#: ``(prediction, reference)`` pairs the SQuAD F1 exercise is checked on.
F1_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("the city council", "The City Council"),
    ("about 85,000 dollars", "85,000 dollars"),
    ("on Tuesday.", "Tuesday"),
    ("a group of students", "a group of high school students"),
    ("in the morning", "at night"),
)


# --- 1: aligning word labels with subword tokens ----------------------------------------------------

def _aligned(word_ids: list[int | None], labels: list[int], every_piece: bool = False) -> list[int]:
    out, previous = [], None
    for word in word_ids:
        if word is None:
            out.append(IGNORE)
        elif word != previous or every_piece:
            out.append(labels[word])
        else:
            out.append(IGNORE)
        previous = word
    return out


def check_align_labels(answer: Any) -> Feedback:
    """``align_labels(word_ids, word_labels)``: a word's label on its first piece, -100 elsewhere."""
    if is_unanswered(answer):
        return not_answered("your function `align_labels(word_ids, word_labels)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (word_ids, word_labels), got {type(answer).__name__}.")
    for word_ids, labels in ALIGN_EXAMPLES:
        got = call(answer, list(word_ids), list(labels), called=f"align_labels({word_ids}, {labels})",
                   body="return the list of token labels")
        if isinstance(got, Feedback):
            return got
        got = plain(got)
        right = _aligned(word_ids, labels)
        if got == right:
            continue
        if not isinstance(got, list) or len(got) != len(word_ids):
            size = len(got) if isinstance(got, list) else type(got).__name__
            return wrong(f"for word_ids {word_ids} return one label per token ({len(word_ids)}), got {size}.")
        if got == _aligned(word_ids, labels, every_piece=True):
            return wrong(
                f"for word_ids {word_ids} you label every piece of a word: that is the alternative this "
                "chapter compares. The exercise keeps the label on the first piece and gives the "
                "continuation pieces -100."
            )
        specials = [i for i, w in enumerate(word_ids) if w is None]
        if any(got[i] != IGNORE for i in specials):
            return wrong(
                f"special tokens and padding (word id None, positions {specials}) get -100 so that the "
                f"loss ignores them; you gave {[got[i] for i in specials]}."
            )
        bad = next(i for i, (g, r) in enumerate(zip(got, right, strict=True)) if g != r)
        return wrong(
            f"for word_ids {word_ids} and word labels {labels}, token {bad} (word {word_ids[bad]}) should "
            f"get {right[bad]}, you gave {got[bad]}. Expected {right}."
        )
    return correct("first piece of each word gets its label; continuation pieces and specials get -100.")


# --- 2: an answer's characters to token positions ---------------------------------------------------

def _answer_tokens(ex: dict[str, Any]) -> tuple[int, int]:
    offsets, seq = ex["offsets"], ex["sequence_ids"]
    tokens = [i for i, s in enumerate(seq) if s == 1]
    start = next(i for i in tokens if offsets[i][0] <= ex["start_char"] < offsets[i][1])
    end = next(i for i in tokens if offsets[i][0] < ex["end_char"] <= offsets[i][1])
    return start, end


def check_answer_tokens(answer: Any, example: dict[str, Any] = SPAN_EXAMPLE) -> Feedback:
    """``(start_token, end_token)`` of the answer: both inclusive, both in the context (sequence 1)."""
    if is_unanswered(answer):
        return not_answered("a pair (start_token, end_token)")
    got = plain(answer)
    if not isinstance(got, list) or len(got) != 2 or any(number(v) is None for v in got):
        return wrong("expected a pair of token positions, e.g. (8, 12).")
    start, end = (int(v) for v in got)
    right_start, right_end = _answer_tokens(example)
    offsets, seq = example["offsets"], example["sequence_ids"]
    if (start, end) == (right_start, right_end):
        return correct(f"tokens {start} to {end} cover characters {offsets[start][0]}-{offsets[end][1]} of "
                       "the context: exactly the answer.")
    for name, pos in (("start", start), ("end", end)):
        if not 0 <= pos < len(offsets):
            return wrong(f"{name} {pos} is outside the {len(offsets)} tokens.")
        if seq[pos] != 1:
            part = "the question" if seq[pos] == 0 else "a special token"
            return wrong(
                f"token {pos} belongs to {part} (sequence id {seq[pos]}): offsets restart at 0 in each "
                "sequence, so only tokens whose sequence id is 1 (the context) can match the answer."
            )
    if start == right_start and end == right_end + 1:
        return wrong(f"the end is inclusive: token {end} starts at character {offsets[end][0]}, after the "
                     f"answer ends ({example['end_char']}). Use the last token inside the answer.")
    if start == right_start and end == right_end - 1:
        return wrong(f"token {end} stops at character {offsets[end][1]}, before the answer's end "
                     f"({example['end_char']}): the last piece of the answer is missing.")
    if start != right_start:
        return wrong(f"the start token must contain character {example['start_char']}; token {start} "
                     f"covers {offsets[start][0]}-{offsets[start][1]}.")
    return wrong(f"the end token must contain the answer's last character ({example['end_char'] - 1}); token "
                 f"{end} covers {offsets[end][0]}-{offsets[end][1]}.")


# --- 3: BIO tags to entities ------------------------------------------------------------------------

def _entities(
    tags: list[str], match_type: bool = True, keep_orphans: bool = True
) -> list[tuple[str, int, int]]:
    """seqeval's reading of BIO tags; the flags give two wrong readings the checker recognises.

    ``match_type=False``: an ``I-`` tag continues the entity before it whatever its type.
    ``keep_orphans=False``: an ``I-`` tag that continues nothing is dropped instead of starting an entity.
    """
    out: list[tuple[str, int, int]] = []
    for i, tag in enumerate(tags):
        continues = bool(out) and out[-1][2] == i and (out[-1][0] == tag[2:] or not match_type)
        if tag.startswith("I-") and continues:
            out[-1] = (out[-1][0], out[-1][1], i + 1)
        elif tag.startswith("B-") or (tag.startswith("I-") and keep_orphans):
            out.append((tag[2:], i, i + 1))  # an I- tag that continues nothing starts an entity (seqeval)
    return out


def check_bio_entities(answer: Any) -> Feedback:
    """``bio_entities(tags)``: the entities as ``(type, first word, last word + 1)``, in order."""
    if is_unanswered(answer):
        return not_answered("your function `bio_entities(tags)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function of a list of tags, got {type(answer).__name__}.")
    for tags, right in ENTITY_EXAMPLES:
        got = call(answer, list(tags), called=f"bio_entities({tags})", body="return the list of entities")
        if isinstance(got, Feedback):
            return got
        got = [tuple(e) if isinstance(e, (list, tuple)) else e for e in plain(got)] \
            if isinstance(plain(got), list) else got
        if got == right:
            continue
        if got == _entities(tags, match_type=False):
            return wrong(f"for {tags}: an I- tag continues the entity before it only if the types match; "
                         f"an I- tag of another type starts a new entity of its own type. Expected {right}, "
                         f"got {got}.")
        if got == _entities(tags, keep_orphans=False):
            return wrong(f"for {tags}: an I- tag that continues nothing (after O, at the start, or after "
                         f"another type) is not dropped: seqeval reads it as the start of an entity. "
                         f"Expected {right}, got {got}.")
        if isinstance(got, list) and all(isinstance(e, tuple) and len(e) == 3 for e in got):
            if [(t, s, e - 1) for t, s, e in right] == got:
                return wrong(f"for {tags} the end is exclusive (last word + 1), as in Python slices: "
                             f"expected {right}.")
            spans = {(s, e) for _, s, e in got}
            for first, second in zip(right, right[1:], strict=False):
                if first[2] == second[1] and (first[1], second[2]) in spans:  # two entities read as one
                    if first[0] == second[0]:
                        return wrong(f"for {tags}: a B- tag always starts a new entity, even right after one "
                                     f"of the same type. Expected {right}.")
                    return wrong(f"for {tags}: a B- tag ends the entity before it. Expected {right}, "
                                 f"got {got}.")
        return wrong(f"for {tags} expected {right}, got {got}.")
    return correct("B- starts an entity, I- of the same type continues it, an I- that continues nothing "
                   "starts one, anything else ends it.")


# --- 4: SQuAD's F1 ----------------------------------------------------------------------------------

def _normalize(text: str) -> list[str]:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces; words."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def squad_f1(prediction: str, reference: str) -> float:
    """The F1 of the words two answers share, after SQuAD's normalisation (the official script's)."""
    pred, ref = _normalize(prediction), _normalize(reference)
    common = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def _raw_f1(prediction: str, reference: str) -> float:
    pred, ref = prediction.split(), reference.split()
    common = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    return 0.0 if common == 0 else 2 * common / (len(pred) + len(ref))


def check_squad_f1(answer: Any) -> Feedback:
    """``f1(prediction, reference)`` as evaluate's ``squad`` computes it for one question (0 to 1)."""
    if is_unanswered(answer):
        return not_answered("your function `f1(prediction, reference)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (prediction, reference), got {type(answer).__name__}.")
    for prediction, reference in F1_EXAMPLES:
        got = call(answer, prediction, reference, called=f"f1({prediction!r}, {reference!r})",
                   body="return the F1 as a number")
        if isinstance(got, Feedback):
            return got
        value = number(got)
        right = squad_f1(prediction, reference)
        if value is None:
            return wrong(f"f1({prediction!r}, {reference!r}) should be one number, got {got!r}.")
        if abs(value - right) < 1e-6:
            continue
        if abs(value - 100 * right) < 1e-4:
            return wrong("evaluate's squad reports percentages, but this function returns a share "
                         "from 0 to 1.")
        if abs(value - _raw_f1(prediction, reference)) < 1e-6:
            return wrong(f"f1({prediction!r}, {reference!r}): normalise both answers first (lower case, no "
                         "punctuation, no a/an/the), then count the words they share.")
        if value in (0.0, 1.0) and right not in (0.0, 1.0):
            return wrong(f"f1({prediction!r}, {reference!r}) gives partial credit ({right:.3f}); exact match "
                         "is the other metric.")
        return wrong(f"f1({prediction!r}, {reference!r}) should be {right:.3f}, got {value:.3f}: "
                     "precision = shared words / predicted words, recall = shared / reference words.")
    return correct("normalise, count shared words, combine precision and recall: SQuAD's F1.")
