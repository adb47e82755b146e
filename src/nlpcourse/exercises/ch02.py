"""Checkers for the exercises of notebook 02 (text cleaning)."""

from __future__ import annotations

from typing import Any

from . import Feedback, correct, is_unanswered, not_answered, wrong
from ._check import call

__all__ = [
    "STEM_WORDS",
    "LEMMA_QUERIES",
    "check_stems",
    "check_lemmas",
    "check_mention_rule",
    "check_transformer_safe_config",
]

#: Exercise 1: the words to stem with NLTK's PorterStemmer.
STEM_WORDS = ["running", "flies", "studies", "generously", "fairly"]
_LEMMAS_OF_STEM_WORDS = ["run", "fly", "study", "generously", "fairly"]

#: Exercise 2: (word, WordNet part of speech) pairs to lemmatize.
LEMMA_QUERIES = [("better", "a"), ("running", "v"), ("geese", "n"), ("was", "v")]
_EXPECTED_LEMMAS = ["good", "run", "goose", "be"]


def _as_word_list(answer: Any, n: int) -> list[str] | Feedback:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(w, str) for w in answer):
        return wrong(f"expected a list of {n} strings, got {type(answer).__name__}.")
    if len(answer) != n:
        return wrong(f"expected one result per word: {n}, you have {len(answer)}.")
    return list(answer)


def check_stems(answer: Any) -> Feedback:
    """Exercise 1: Porter stems of :data:`STEM_WORDS`, in order."""
    if is_unanswered(answer):
        return not_answered("the list of Porter stems")
    stems = _as_word_list(answer, len(STEM_WORDS))
    if isinstance(stems, Feedback):
        return stems
    from nltk.stem import PorterStemmer

    expected = [PorterStemmer().stem(w) for w in STEM_WORDS]
    if stems == expected:
        return correct(f"{stems}: stems need not be words ('fli', 'fairli'); they only have to match.")
    if stems == _LEMMAS_OF_STEM_WORDS:
        return wrong(
            "those are dictionary forms (lemmas). A stemmer only chops suffixes by rule: 'flies' -> 'fli'."
        )
    if stems == STEM_WORDS:
        return wrong("these are the words unchanged: call `PorterStemmer().stem(word)` on each.")
    from nltk.stem import SnowballStemmer

    if stems == [SnowballStemmer("english").stem(w) for w in STEM_WORDS]:
        return wrong(
            "those are Snowball stems; the exercise asks for Porter's "
            "(they differ on 'generously' and 'fairly')."
        )
    pairs = zip(STEM_WORDS, stems, expected, strict=True)
    bad = [f"{w!r} -> {s!r} (Porter: {e!r})" for w, s, e in pairs if s != e]
    return wrong("not Porter's stems: " + "; ".join(bad) + ".")


def check_lemmas(answer: Any) -> Feedback:
    """Exercise 2: WordNet lemmas of :data:`LEMMA_QUERIES`, each with its part of speech."""
    if is_unanswered(answer):
        return not_answered("the list of lemmas")
    lemmas = _as_word_list(answer, len(LEMMA_QUERIES))
    if isinstance(lemmas, Feedback):
        return lemmas
    lemmas = [w.lower() for w in lemmas]
    if lemmas == _EXPECTED_LEMMAS:
        return correct("with the right part of speech WordNet maps 'better' to 'good' and 'was' to 'be'.")
    if lemmas == ["better", "running", "goose", "wa"]:
        return wrong(
            "you lemmatized every word as a noun (the default): pass the part of speech, "
            "`lemmatizer.lemmatize(word, pos=pos)`."
        )
    bad = [
        f"{w!r} ({p}) -> {got!r}, expected {exp!r}"
        for (w, p), got, exp in zip(LEMMA_QUERIES, lemmas, _EXPECTED_LEMMAS, strict=True)
        if got != exp
    ]
    return wrong("; ".join(bad) + ". Use WordNetLemmatizer with each pair's part of speech.")


_MENTION_CASES = [
    ("thanks @anna_b!", "thanks <user>!"),
    ("@bob you and @Carol99 too", "<user> you and <user> too"),
    ("write to anna@example.com", "write to anna@example.com"),
    ("no mentions here", "no mentions here"),
    ("", ""),
    ("@", "@"),
]


def check_mention_rule(fn: Any) -> Feedback:
    """Exercise 3: ``fn(text) -> str`` that replaces @mentions with ``<user>`` and leaves e-mails alone."""
    if is_unanswered(fn):
        return not_answered("your function `replace_mentions`")
    if not callable(fn):
        return wrong(f"expected a function, got {type(fn).__name__}.")
    for text, expected in _MENTION_CASES:
        got = call(
            fn,
            text,
            called=f"on {text!r} your function",
            body="the body of `replace_mentions` (it returns None so far)",
        )
        if isinstance(got, Feedback):
            return got
        if got == expected:
            continue
        if "@example.com" in text:
            return wrong(
                f"{text!r} became {got!r}: an e-mail address is not a mention. Require that the '@' "
                r"does not follow a word character, e.g. `(?<!\w)@\w+`."
            )
        if text in ("", "@"):
            return wrong(f"{text!r} became {got!r}: a lone '@' or an empty text must stay as it is.")
        return wrong(f"{text!r} became {got!r}; expected {expected!r}.")
    return correct("mentions replaced, e-mail addresses and empty text untouched.")


_SAFE_SAMPLE = "<p>Not good at all!!!! See https://shop.example/item</p>"


def check_transformer_safe_config(config: Any) -> Feedback:
    """Exercise 4: a CleaningConfig that removes markup and URLs but keeps what a transformer reads."""
    if is_unanswered(config):
        return not_answered("a `CleaningConfig(...)`")
    from nlpcourse.cleaning import CleaningConfig, clean

    if not isinstance(config, CleaningConfig):
        return wrong(f"expected a CleaningConfig, got {type(config).__name__}.")
    if not config.strip_html:
        return wrong("keep `strip_html=True`: tags like <p> are noise to any model.")
    if config.url_placeholder is None:
        return wrong(
            "replace URLs (`url_placeholder='<url>'` or `''`): an address is noise to a sentiment model."
        )
    if config.stopwords:
        return wrong("do not remove stop words: 'not' is a stop word, and 'not good' would become 'good'.")
    if config.remove_punctuation:
        return wrong("keep punctuation: the model's tokenizer handles it and '!' carries emphasis.")
    out = clean(_SAFE_SAMPLE, config)
    if "not good" not in out.lower():
        return wrong(f"the sample became {out!r}: the words 'Not good' must survive.")
    return correct(f"the sample becomes {out!r}: noise gone, meaning kept.")
