"""Checkers for chapter 12, embeddings, semantic search and retrieval-augmented generation.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
The cosine, recall and chunking examples are plain numbers, ids and words; only the prompt checker
needs a tokenizer with a chat template, to count the tokens a model would see.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, number

__all__ = [
    "CHUNK_CASES",
    "COSINE_CASES",
    "PROMPT_PASSAGES",
    "RECALL_CASES",
    "check_chunker",
    "check_cosine",
    "check_rag_prompt",
    "check_recall_at_k",
    "chunk_words",
    "recall_at_k",
]

#: Vector pairs the cosine exercise is checked on: lengths other than 1, opposite and orthogonal pairs.
COSINE_CASES: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = (
    ((3.0, 4.0), (1.0, 2.0)),
    ((1.0, 2.0, 2.0), (-2.0, -4.0, -4.0)),
    ((0.5, 0.0, 1.5, -1.0), (0.0, 2.0, 0.0, 0.0)),
    ((2.0, -1.0, 0.5, 3.0), (1.0, 1.0, 2.0, 4.0)),
)

#: ``(rankings, relevant, k)``: per question, passage ids best first, and the ids that hold its answer.
#: Some questions have two relevant passages (overlapping chunks), one has its only one beyond k.
RECALL_CASES: tuple[tuple[tuple[tuple[int, ...], ...], tuple[frozenset[int], ...], int], ...] = (
    (((3, 1, 4, 0, 2), (0, 2, 1, 3, 4), (4, 3, 2, 1, 0), (1, 0, 3, 2, 4), (2, 4, 0, 1, 3)),
     (frozenset({3}), frozenset({2}), frozenset({2}), frozenset({4}), frozenset({4, 1})), 2),
    (((5, 2, 7, 1), (1, 5, 2, 7), (7, 1, 5, 2), (2, 7, 1, 5)),
     (frozenset({7}), frozenset({1}), frozenset({7, 1}), frozenset({7})), 1),
    (((9, 8, 7, 6), (8, 9, 7, 6), (6, 7, 8, 9)), (frozenset({7}), frozenset({6}), frozenset({9, 6})), 3),
)

#: ``(number of words, size, overlap)`` for the chunker: a tail, an exact fit, a short text, overlap 0.
CHUNK_CASES: tuple[tuple[int, int, int], ...] = ((23, 10, 3), (17, 10, 3), (6, 10, 3), (20, 5, 0), (31, 8, 4))

#: Passages for the prompt exercise, most relevant first (invented facts, as in the course articles).
PROMPT_PASSAGES: tuple[str, ...] = (
    "The ferry to Marrow Island leaves the old harbour at 7.15 every morning and returns at six.",
    "Tickets for the ferry cost four euros; children under twelve travel free with an adult.",
    "In winter storms the harbour master may cancel the crossing, usually announced the evening "
    "before on the town's notice board.",
    "Marrow Island has one café, a lighthouse that can be climbed in summer, and no cars at all.",
)
PROMPT_QUESTION = "When does the ferry to Marrow Island leave?"


def _words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def chunk_words(text: str, size: int, overlap: int) -> list[str]:
    """The reference chunker: windows of ``size`` words, each starting ``size - overlap`` words after the
    one before, until a window reaches the last word."""
    words = text.split()
    chunks = []
    for start in range(0, max(len(words), 1), size - overlap):
        chunks.append(" ".join(words[start:start + size]))
        if start + size >= len(words):
            break
    return chunks


def recall_at_k(rankings: Sequence[Sequence[int]], relevant: Sequence[set[int] | frozenset[int]],
                k: int) -> float:
    """The share of questions with at least one relevant passage among their first ``k``."""
    return sum(bool(set(r[:k]) & rel) for r, rel in zip(rankings, relevant, strict=True)) / len(rankings)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.0, abs_tol=1e-5)


def check_cosine(answer: Any) -> Feedback:
    """``answer(a, b)`` returns the cosine similarity of two 1-D tensors, as ``F.cosine_similarity``."""
    if is_unanswered(answer):
        return not_answered("your function `cosine(a, b)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function of two vectors, got {type(answer).__name__}.")
    import torch
    import torch.nn.functional as F

    for a_values, b_values in COSINE_CASES:
        a, b = torch.tensor(a_values), torch.tensor(b_values)
        got = call(answer, a, b, called=f"cosine({a}, {b})", body="the cosine similarity")
        if isinstance(got, Feedback):
            return got
        value = number(got)
        if value is None:
            return wrong(f"return one number; cosine({a_values}, {b_values}) returned {got!r}.")
        expected = F.cosine_similarity(a, b, dim=0).item()
        if _close(value, expected):
            continue
        dot, na, nb = (a @ b).item(), a.norm().item(), b.norm().item()
        if _close(value, dot):
            return wrong(f"that is the dot product ({dot:g}); it equals the cosine only for vectors of "
                         f"length 1. Divide by both lengths (here {na:.3f} and {nb:.3f}).")
        if _close(value, 1 - expected):
            return wrong("that is the cosine distance, 1 - cosine; return the similarity itself.")
        if _close(value, dot / (na**2 * nb**2)) or _close(value, dot / (na * nb) ** 0.5):
            return wrong("divide the dot product by the product of the two lengths (the square roots of the "
                         "sums of squares), not by their squares or square roots.")
        if _close(value, dot / na) or _close(value, dot / nb) or _close(value, dot / na**2):
            return wrong("divide by the lengths of both vectors, not of one.")
        return wrong(f"cosine({a_values}, {b_values}) is {expected:.4f}; yours gives {value:.4f}.")
    return correct(f"your cosine equals F.cosine_similarity on {len(COSINE_CASES)} pairs, including vectors "
                   "that point in opposite directions and at right angles.")


def check_recall_at_k(answer: Any) -> Feedback:
    """``answer(rankings, relevant, k)``: the share of questions with a relevant passage in their top k."""
    if is_unanswered(answer):
        return not_answered("your function `recall_at_k(rankings, relevant, k)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (rankings, relevant, k), got {type(answer).__name__}.")
    for rankings_t, relevant_t, k in RECALL_CASES:
        rankings = [list(r) for r in rankings_t]
        relevant = [set(rel) for rel in relevant_t]
        got = call(answer, rankings, relevant, k, called=f"recall_at_k({rankings}, {relevant}, {k})",
                   body="the recall, a number between 0 and 1")
        if isinstance(got, Feedback):
            return got
        value = number(got)
        if value is None:
            return wrong(f"return one number (a share between 0 and 1); got {got!r}.")
        expected = recall_at_k(rankings, relevant, k)
        if _close(value, expected):
            continue
        n = len(rankings)
        if _close(value, expected * n):
            return wrong(f"that is a count of questions ({value:g}); divide by the number of questions "
                         f"({n}).")
        if _close(value, recall_at_k(rankings, relevant, k + 1)) and not _close(value, 1.0):
            return wrong(f"with k={k} look at the first {k} passages of each ranking (`ranking[:k]`), not "
                         f"{k + 1}.")
        if k > 1 and _close(value, recall_at_k(rankings, relevant, k - 1)):
            return wrong(f"with k={k} look at the first {k} passages of each ranking (`ranking[:k]`), not "
                         f"{k - 1}.")
        if _close(value, recall_at_k(rankings, relevant, len(rankings[0]))):
            return wrong(f"only the first k={k} passages of each ranking count.")
        pairs = zip(rankings, relevant, strict=True)
        per_passage = sum(len(set(r[:k]) & rel) / len(rel) for r, rel in pairs) / n
        if _close(value, per_passage):
            return wrong("a question counts as found when any one of its relevant passages is in the top k; "
                         "yours counts the share of each question's relevant passages, the classic per-item "
                         "recall. With overlapping chunks one passage with the answer is enough.")
        return wrong(f"for k={k} the expected recall is {expected:.3f}; yours gives {value:.3f}.")
    return correct(f"your recall@k is right on {len(RECALL_CASES)} sets of rankings, with one and with "
                   "several relevant passages per question.")


def check_chunker(answer: Any) -> Feedback:
    """``answer(text, size, overlap)`` returns the chunks :func:`chunk_words` returns, for every case."""
    if is_unanswered(answer):
        return not_answered("your function `chunk_words(text, size, overlap)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (text, size, overlap), got {type(answer).__name__}.")
    for n, size, overlap in CHUNK_CASES:
        text = _words(n)
        got = call(answer, text, size, overlap, called=f"chunk_words(<{n} words>, {size}, {overlap})",
                   body="the list of chunks")
        if isinstance(got, Feedback):
            return got
        if not isinstance(got, list) or not all(isinstance(c, str) for c in got):
            return wrong("return a list of strings, each chunk's words joined by single spaces "
                         f"(`' '.join(...)`); got {type(got).__name__}"
                         + (f" of {type(got[0]).__name__}" if isinstance(got, list) and got else "") + ".")
        expected = chunk_words(text, size, overlap)
        if got == expected:
            continue
        case = f"for {n} words, size {size} and overlap {overlap}"
        lengths = [len(c.split()) for c in got]
        if any(length > size for length in lengths):
            return wrong(f"{case} a chunk has {max(lengths)} words; no chunk may have more than {size}.")
        words = text.split()
        covered = {w for c in got for w in c.split()}
        if set(words) - covered:
            missing = [w for w in words if w not in covered]
            return wrong(f"{case} the words {missing[0]} ... {missing[-1]} are in no chunk: the last chunk "
                         "must reach the end of the text.")
        starts = [words.index(c.split()[0]) for c in got if c]
        steps = {b - a for a, b in zip(starts, starts[1:], strict=False)}
        if steps and steps != {size - overlap}:
            if steps == {size}:
                return wrong(f"{case} your chunks share no words: start each chunk size - overlap = "
                             f"{size - overlap} words after the one before, so that neighbours share "
                             f"{overlap}.")
            if steps == {overlap}:
                return wrong(f"{case} each chunk starts {overlap} words after the last; the step is size - "
                             f"overlap = {size - overlap}.")
            return wrong(f"{case} your chunks start at words {starts}; they should start every "
                         f"{size - overlap} words: {[words.index(c.split()[0]) for c in expected]}.")
        if len(got) > len(expected) and got[: len(expected)] == expected:
            extra = "s are" if len(got) - len(expected) > 1 else " is"
            return wrong(f"{case} your last chunk{extra} already inside the chunk before: stop once a chunk "
                         "reaches the last word.")
        return wrong(f"{case} the chunks should be {expected}; yours are {got}.")
    return correct(f"your chunks are right on {len(CHUNK_CASES)} texts: with a tail, an exact fit, a text "
                   "shorter than one chunk, and no overlap.")


def _messages(got: Any) -> list[dict[str, str]] | Feedback:
    if not isinstance(got, list) or not got or not all(isinstance(m, dict) for m in got):
        return wrong(f"return a chat: a list of message dicts with 'role' and 'content'; got "
                     f"{type(got).__name__}.")
    for i, message in enumerate(got):
        if set(message) != {"role", "content"} or not isinstance(message["content"], str):
            return wrong(f"message {i} must have exactly the keys 'role' and 'content' (a string); it has "
                         f"{sorted(message)}.")
    if got[-1]["role"] != "user":
        return wrong("the last message must be the user's, so that the model answers it.")
    return got


def _prompt_tokens(tokenizer: Any, messages: list[dict[str, str]]) -> int:
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True)
    ids = ids["input_ids"] if hasattr(ids, "keys") else ids
    return len(ids)


def _kept(messages: list[dict[str, str]], passages: Sequence[str]) -> list[int]:
    text = "\n".join(m["content"] for m in messages)
    return [i for i, p in enumerate(passages) if p in text]


def check_rag_prompt(answer: Any, tokenizer: Any, passages: Sequence[str] = PROMPT_PASSAGES,
                     question: str = PROMPT_QUESTION) -> Feedback:
    """``answer(question, passages, max_tokens)`` returns a chat whose templated prompt fits ``max_tokens``:
    the most relevant passages that fit, numbered ``[1]``, ``[2]`` ... in their order, then the question."""
    if is_unanswered(answer):
        return not_answered("your function `fit_rag_messages(question, passages, max_tokens)` (the function "
                            "itself)")
    if not callable(answer):
        return wrong(f"expected a function (question, passages, max_tokens), got {type(answer).__name__}.")
    passages = list(passages)
    roomy = call(answer, question, passages, 100_000, called="fit_rag_messages(question, passages, 100000)",
                 body="the list of messages")
    if isinstance(roomy, Feedback):
        return roomy
    roomy = _messages(roomy)
    if isinstance(roomy, Feedback):
        return roomy
    if _kept(roomy, passages) != list(range(len(passages))):
        return wrong("with room for everything, every passage must be in the prompt, word for word.")
    last = roomy[-1]["content"]
    if question not in last:
        return wrong("put the question, word for word, in the last user message.")
    positions = [last.find(p) for p in passages]
    if -1 not in positions and max(positions) > last.find(question):
        return wrong("put the question after the passages: the model then reads it last, right before it "
                     "answers.")
    for i, p in enumerate(passages, start=1):
        label = re.search(rf"\[{i}\]\s*{re.escape(p[:20])}", "\n".join(m["content"] for m in roomy))
        if label is None:
            return wrong(f"number the passages in their order: write `[{i}]` right before passage {i}, so "
                         "that an answer can cite it.")
    for keep in range(len(passages) - 1, 0, -1):
        fewer = call(answer, question, passages[:keep], 100_000,
                     called=f"fit_rag_messages(question, passages[:{keep}], 100000)",
                     body="the list of messages")
        if isinstance(fewer, Feedback):
            return fewer
        fewer = _messages(fewer)
        if isinstance(fewer, Feedback):
            return fewer
        budget = _prompt_tokens(tokenizer, fewer)  # exactly room for the first `keep` passages
        got = call(answer, question, passages, budget,
                   called=f"fit_rag_messages(question, passages, {budget})", body="the list of messages")
        if isinstance(got, Feedback):
            return got
        got = _messages(got)
        if isinstance(got, Feedback):
            return got
        used = _prompt_tokens(tokenizer, got)
        kept = _kept(got, passages)
        if used > budget:
            return wrong(f"with max_tokens={budget} your prompt has {used} tokens once the chat template "
                         "is applied (with the generation prompt): count the tokens of the templated chat, "
                         "not of the passages alone, and drop passages until it fits.")
        if kept != list(range(len(kept))):
            return wrong(f"with max_tokens={budget} you kept passages {[i + 1 for i in kept]}: keep the most "
                         "relevant ones, the first passages of the list, and drop from the end.")
        if len(kept) < keep:
            return wrong(f"with max_tokens={budget} you kept {len(kept)} passage(s) but {keep} fit: drop "
                         "only as many as the budget requires.")
        if question not in got[-1]["content"]:
            return wrong("the question must stay in the prompt whatever the budget.")
    return correct(f"your prompts number the passages, end with the question and fit the budget with the "
                   f"most relevant passages that fit (checked with {type(tokenizer).__name__}'s chat "
                   "template).")

