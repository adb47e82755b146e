"""Checkers for the exercises of notebook 01 (tokenization)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import Feedback, correct, is_unanswered, not_answered, wrong
from ._check import call, plain

__all__ = [
    "EXERCISE_SENTENCE",
    "PADDING_BATCH",
    "check_wordpiece_tokens",
    "check_attention_mask",
    "check_count_tokens",
    "check_trained_tokenizer",
]

#: Exercise 1: the sentence to tokenize with bert-base-uncased.
EXERCISE_SENTENCE = "Transformers are unbelievably useful!"
_EXPECTED_TOKENS = ["transformers", "are", "un", "##bel", "##ie", "##va", "##bly", "useful", "!"]

#: Exercise 2: the batch whose attention mask the learner writes down.
PADDING_BATCH = ["Hi!", "How are you today?"]
_EXPECTED_MASK = [[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]]

_SPECIAL = {"[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"}


def check_wordpiece_tokens(answer: Any) -> Feedback:
    """Exercise 1: the tokens bert-base-uncased makes of :data:`EXERCISE_SENTENCE`, without specials."""
    if is_unanswered(answer):
        return not_answered("the list of tokens (strings)")
    if not isinstance(answer, (list, tuple)) or not all(isinstance(t, str) for t in answer):
        return wrong(f"expected a list of token strings, got {type(answer).__name__}.")
    tokens = list(answer)
    if any(t in _SPECIAL for t in tokens):
        return wrong(
            "leave out the special tokens ([CLS], [SEP]): `tokenizer.tokenize(...)` gives the pieces "
            "only, while `tokenizer(...)` adds them."
        )
    if tokens and any(t != t.lower() for t in tokens):
        return wrong("bert-base-uncased lower-cases the text first: no token has a capital letter.")
    if tokens == EXERCISE_SENTENCE.split() or tokens == EXERCISE_SENTENCE.lower().replace("!", " !").split():
        return wrong(
            "those are whole words. WordPiece splits a word it does not know into pieces; the pieces "
            "after the first start with '##'."
        )
    if tokens == _EXPECTED_TOKENS:
        return correct(
            f"{len(tokens)} tokens: 'unbelievably' is not in the vocabulary, so it becomes five pieces."
        )
    if len(tokens) != len(_EXPECTED_TOKENS):
        return wrong(
            f"you have {len(tokens)} tokens, the tokenizer makes {len(_EXPECTED_TOKENS)}. Did you use "
            "bert-base-uncased and the exact sentence (with its '!')?"
        )
    first = next(i for i, (a, b) in enumerate(zip(tokens, _EXPECTED_TOKENS, strict=True)) if a != b)
    return wrong(
        f"token {first} is {tokens[first]!r}; the tokenizer makes {_EXPECTED_TOKENS[first]!r} there."
    )


def check_attention_mask(answer: Any) -> Feedback:
    """Exercise 2: the attention mask of :data:`PADDING_BATCH` with ``padding=True``."""
    if is_unanswered(answer):
        return not_answered("a list of two lists of 0s and 1s")
    rows = plain(answer)
    if not isinstance(rows, list) or len(rows) != 2 or not all(isinstance(r, list) for r in rows):
        return wrong("expected two rows, one per sentence of the batch.")
    if any(set(r) - {0, 1} for r in rows):
        return wrong("an attention mask holds only 1 (a real token) and 0 (padding), not token ids.")
    if [len(r) for r in rows] != [7, 7]:
        return wrong(
            f"your rows have lengths {[len(r) for r in rows]}. With padding=True both rows are as long as "
            "the longest sentence *with* [CLS] and [SEP]: 7 tokens."
        )
    if rows == [[0, 0, 0, 0, 1, 1, 1], [1] * 7] or rows == [[0, 0, 0, 1, 1, 1, 1], [1] * 7]:
        return wrong("BERT pads on the right: the 0s come at the end of the short row.")
    if rows[1] != [1] * 7:
        return wrong("the longer sentence needs no padding: its row is all 1s.")
    if rows == _EXPECTED_MASK:
        return correct(
            "'Hi!' is [CLS] hi ! [SEP]: 4 real tokens, then 3 padding positions the model ignores."
        )
    return wrong(
        f"'Hi!' has {sum(rows[0])} ones in your row. Count [CLS], 'hi', '!' and [SEP]: every real token, "
        "special ones included, gets a 1."
    )


_COUNT_SAMPLES = [
    "Tokenizers turn text into numbers.",
    "",
    "Unbelievably, the soundtrack was better than the film!",
    "A",
]


def check_count_tokens(fn: Any, tokenizer: Any) -> Feedback:
    """Exercise 3: ``fn(texts, tokenizer) -> list[int]``, tokens per text without special tokens."""
    if is_unanswered(fn):
        return not_answered("your function `count_tokens`")
    if not callable(fn):
        return wrong(f"expected a function, got {type(fn).__name__}.")
    expected = [len(tokenizer.tokenize(t)) for t in _COUNT_SAMPLES]
    calls = _CountingTokenizer(tokenizer)
    result = call(
        fn,
        list(_COUNT_SAMPLES),
        calls,
        called=f"count_tokens({_COUNT_SAMPLES!r}, tokenizer)",
        body="the body of `count_tokens` (it returns None so far)",
    )
    if isinstance(result, Feedback):
        return result
    got = plain(result)
    try:  # a list of token lists is a likely mistake: say so instead of failing on int()
        got = [int(g) for g in got] if isinstance(got, list) else None
    except (TypeError, ValueError):
        got = None
    if got is None or len(got) != len(_COUNT_SAMPLES):
        return wrong(f"return one count per text ({len(_COUNT_SAMPLES)} texts), got {result!r}.")
    specials = tokenizer.num_special_tokens_to_add()
    if got == [n + specials for n in expected]:
        return wrong(
            f"each count is {specials} too high: those are the special tokens. Pass "
            "`add_special_tokens=False`, or subtract them."
        )
    if got != expected:
        return wrong(f"for the texts {_COUNT_SAMPLES!r} the counts are {expected}, yours are {got}.")
    if calls.calls != 1:
        return wrong(
            f"the counts are right, but you called the tokenizer {calls.calls} times: call it once on the "
            "whole list (a batch), that is what makes it fast."
        )
    return correct("one batched call, no special tokens, and the empty text has 0 tokens.")


class _CountingTokenizer:
    """Wraps a tokenizer and counts how often it is called on text."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._tokenizer(*args, **kwargs)

    def tokenize(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._tokenizer.tokenize(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


def check_trained_tokenizer(tokenizer: Any, words: Sequence[str] = ("the", "and")) -> Feedback:
    """Exercise 4: a ``tokenizers.Tokenizer`` with a BPE model and a vocabulary of at most 500."""
    if is_unanswered(tokenizer):
        return not_answered("the `tokenizers.Tokenizer` you trained")
    from tokenizers import Tokenizer

    if not isinstance(tokenizer, Tokenizer):
        return wrong(f"expected a `tokenizers.Tokenizer`, got {type(tokenizer).__name__}.")
    kind = type(tokenizer.model).__name__
    if kind != "BPE":
        return wrong(f"the model is {kind}; the exercise asks for `models.BPE(...)`.")
    size = tokenizer.get_vocab_size()
    if size > 500:
        return wrong(f"the vocabulary has {size} entries; pass `vocab_size=500` to the BpeTrainer.")
    if size < 30:
        return wrong(f"the vocabulary has only {size} entries: did the trainer see the corpus?")
    if "[UNK]" not in tokenizer.get_vocab():
        return wrong("add '[UNK]' to the trainer's special_tokens (and to BPE(unk_token='[UNK]')).")
    split: Callable[[str], list[str]] = lambda w: tokenizer.encode(w).tokens  # noqa: E731
    long_words = [w for w in words if len(split(w)) != 1]
    if long_words:
        return wrong(
            f"frequent words should be single tokens, but {long_words} are split: {split(long_words[0])}. "
            "Use a pre_tokenizer (Whitespace) and train on the whole corpus."
        )
    return correct(f"a BPE tokenizer with {size} tokens; frequent words are single tokens.")
