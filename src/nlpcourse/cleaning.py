"""A reusable, configurable text cleaner, and the regex rules it is made of.

Every rule is a small function that takes a string and returns a string, so it can be used and
tested on its own. :func:`clean` runs the rules a :class:`CleaningConfig` switches on, in a fixed
order (see :data:`STEP_ORDER`)::

    >>> from nlpcourse.cleaning import CleaningConfig, clean
    >>> clean("<p>Sooooo GOOD!!! see https://example.com</p>")
    'Soo GOOD!! see <url>'
    >>> clean("<p>Sooooo GOOD!!!</p>", CleaningConfig(lowercase=True, remove_punctuation=True))
    'soo good'

The defaults are *safe* for transformer models: they remove markup and noise (HTML, URLs, e-mail
addresses, runs of repeated characters, odd Unicode forms, extra spaces) but keep case, punctuation,
emoji and stop words, which a subword tokenizer handles and which carry meaning ("not good").
Lowercasing, punctuation removal, emoji removal, accent stripping and stop-word removal are
opt-in, for classic bag-of-words models.

All rules are Unicode-aware: letters of any script count as letters, so French, German, Greek or
Japanese text keeps its words. Empty input gives an empty string.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, fields, replace
from typing import Literal

__all__ = [
    "CleaningConfig",
    "STEP_ORDER",
    "clean",
    "clean_many",
    "normalize_unicode",
    "strip_html",
    "replace_urls",
    "replace_emails",
    "remove_emoji",
    "squeeze_repeats",
    "strip_accents",
    "remove_punctuation",
    "remove_stopwords",
    "collapse_whitespace",
]

UnicodeForm = Literal["NFC", "NFKC", "NFD", "NFKD"]

# --- the rules ---------------------------------------------------------------------------------

_HTML_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")

#: http(s)/ftp addresses and bare www. addresses; trailing sentence punctuation is not part of it.
URL_PATTERN = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"']+?(?=[.,;:!?)\]]*(?:\s|$|[<>\"']))", re.I)
#: user@domain.tld (the domain needs a dot); Unicode letters allowed.
EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b")
#: Emoji and pictographs, with their joiners, variation selectors and skin-tone modifiers.
EMOJI_PATTERN = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, flags' letters, symbols
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars used as emoji
    "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors
    "\u20e3"  # combining keycap
    "]+"
)
_SPACES = re.compile(r"\s+")


def normalize_unicode(text: str, form: UnicodeForm = "NFKC") -> str:
    """Bring equivalent Unicode spellings to one form.

    NFKC (the default) also folds compatibility characters: the ligature "ﬁ" becomes "fi",
    full-width "Ｈｅｌｌｏ" becomes "Hello", a non-breaking space becomes a space. NFC only
    composes accents ("e" + combining acute -> "é").
    """
    return unicodedata.normalize(form, text)


def strip_html(text: str) -> str:
    """Remove HTML markup: scripts and styles with their content, comments and tags; decode entities.

    Block-level closing tags and ``<br>`` become a space so that words on either side stay apart.
    Text that merely contains ``<`` (``"3 < 5"``) is left alone.
    """
    text = _HTML_BLOCK.sub(" ", text)
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_BREAK.sub(" ", text)
    text = _HTML_TAG.sub("", text)
    return html.unescape(text)


def replace_urls(text: str, placeholder: str = "<url>") -> str:
    """Replace web addresses with ``placeholder`` (``""`` deletes them)."""
    return URL_PATTERN.sub(placeholder, text)


def replace_emails(text: str, placeholder: str = "<email>") -> str:
    """Replace e-mail addresses with ``placeholder`` (``""`` deletes them)."""
    return EMAIL_PATTERN.sub(placeholder, text)


def remove_emoji(text: str, replacement: str = " ") -> str:
    """Replace each run of emoji (with joiners and modifiers) by ``replacement``."""
    return EMOJI_PATTERN.sub(replacement, text)


def squeeze_repeats(text: str, keep: int = 2) -> str:
    """Shorten runs of the same letter or punctuation mark to ``keep`` ("soooo!!!!" -> "soo!!").

    Digits are never squeezed ("1000" stays), and ``keep`` of 2 keeps real double letters ("good").
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    pattern = re.compile(r"([^\W\d_]|[^\w\s])\1{" + str(keep) + ",}")
    return pattern.sub(lambda m: m.group(1) * keep, text)


def strip_accents(text: str) -> str:
    """Remove combining accents ("café" -> "cafe"). Changes meaning in many languages: opt-in only."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in {"P", "S"} and not EMOJI_PATTERN.fullmatch(char)


def remove_punctuation(text: str, keep: Collection[str] = (), protect: Collection[str] = ()) -> str:
    """Replace punctuation and symbols (Unicode categories P* and S*) by spaces.

    Emoji are not punctuation (see :func:`remove_emoji`). Characters in ``keep`` stay, and so do
    the whole strings in ``protect`` (the URL and e-mail placeholders, say). Apostrophes inside
    a word are dropped without a space, so "it's" becomes "its", not "it s".
    """
    parts = [text]
    if protect:
        alternatives = "|".join(re.escape(p) for p in sorted(protect, key=len, reverse=True) if p)
        parts = re.split(f"({alternatives})", text) if alternatives else [text]
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1:  # a protected string
            out.append(part)
            continue
        part = re.sub(r"(?<=[^\W\d_])['’](?=[^\W\d_])", "", part)
        out.append("".join(" " if _is_punctuation(c) and c not in keep else c for c in part))
    return "".join(out)


def remove_stopwords(text: str, stopwords: Collection[str], protect: Collection[str] = ()) -> str:
    """Drop whitespace-separated words whose lowercase form is in ``stopwords``.

    A word keeps its punctuation when it stays; "Not," is dropped when "not" is a stop word.
    """
    lowered = {w.lower() for w in stopwords}
    kept = []
    for word in text.split():
        core = word if word in protect else "".join(c for c in word if not _is_punctuation(c))
        if core.lower() in lowered and core:
            continue
        kept.append(word)
    return " ".join(kept)


def collapse_whitespace(text: str) -> str:
    """Turn every run of whitespace (newlines, tabs, non-breaking spaces) into one space; trim."""
    return _SPACES.sub(" ", text).strip()


# --- the configurable cleaner ----------------------------------------------------------------


@dataclass(frozen=True)
class CleaningConfig:
    """Which cleaning steps :func:`clean` runs. Each field switches one step.

    Attributes:
        unicode_form: normalise to this Unicode form first (``None`` skips it).
        strip_html: remove tags, scripts, comments; decode entities (``&amp;`` -> ``&``).
        url_placeholder: replace URLs by this string; ``""`` deletes them, ``None`` keeps them.
        email_placeholder: the same for e-mail addresses.
        emoji: ``"keep"`` or ``"remove"``.
        max_repeats: shorten runs of a repeated letter or mark to this length (``None`` skips it).
        lowercase: lower-case everything (Unicode-aware; the placeholders are lower case already).
        strip_accents: remove accents ("café" -> "cafe"); off by default, it changes words in
            most languages other than English.
        remove_punctuation: replace punctuation and symbols by spaces (placeholders are kept).
        stopwords: words to drop (any collection; ``None`` keeps every word).
        collapse_whitespace: one space between words, none at the ends.
    """

    unicode_form: UnicodeForm | None = "NFKC"
    strip_html: bool = True
    url_placeholder: str | None = "<url>"
    email_placeholder: str | None = "<email>"
    emoji: Literal["keep", "remove"] = "keep"
    max_repeats: int | None = 2
    lowercase: bool = False
    strip_accents: bool = False
    remove_punctuation: bool = False
    stopwords: Collection[str] | None = None
    collapse_whitespace: bool = True

    def __post_init__(self) -> None:
        if self.unicode_form not in (None, "NFC", "NFKC", "NFD", "NFKD"):
            raise ValueError(f"unicode_form must be NFC, NFKC, NFD, NFKD or None, got {self.unicode_form!r}")
        if self.emoji not in ("keep", "remove"):
            raise ValueError(f"emoji must be 'keep' or 'remove', got {self.emoji!r}")
        if self.max_repeats is not None and self.max_repeats < 1:
            raise ValueError(f"max_repeats must be at least 1 or None, got {self.max_repeats}")
        if isinstance(self.stopwords, str):
            raise TypeError("stopwords must be a collection of words (a set or list), not one string")

    @classmethod
    def classic(cls, stopwords: Collection[str] | None = None) -> CleaningConfig:
        """The full classic pipeline for bag-of-words models: lower case, no punctuation or emoji,
        and no stop words when a list is given."""
        return cls(lowercase=True, remove_punctuation=True, emoji="remove", stopwords=stopwords)

    def steps(self) -> list[str]:
        """The names of the steps this configuration runs, in the order they run."""
        return [name for name, _ in _steps(self)]

    def with_(self, **changes: object) -> CleaningConfig:
        """A copy with some fields changed (unknown names raise ``TypeError``)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown cleaning option(s) {sorted(unknown)}; the options are {sorted(known)}")
        return replace(self, **changes)  # type: ignore[arg-type]


def _steps(config: CleaningConfig) -> list[tuple[str, Callable[[str], str]]]:
    protect = [p for p in (config.url_placeholder, config.email_placeholder) if p]
    steps: list[tuple[str, Callable[[str], str]]] = []
    if config.unicode_form:
        steps.append(("normalize_unicode", lambda t: normalize_unicode(t, config.unicode_form)))  # type: ignore[arg-type]
    if config.strip_html:
        steps.append(("strip_html", strip_html))
    if config.email_placeholder is not None:  # before URLs: "bob@www.example.com" is an e-mail
        steps.append(("replace_emails", lambda t: replace_emails(t, config.email_placeholder)))  # type: ignore[arg-type]
    if config.url_placeholder is not None:
        steps.append(("replace_urls", lambda t: replace_urls(t, config.url_placeholder)))  # type: ignore[arg-type]
    if config.emoji == "remove":
        steps.append(("remove_emoji", remove_emoji))
    if config.max_repeats is not None:
        steps.append(("squeeze_repeats", lambda t: squeeze_repeats(t, config.max_repeats)))  # type: ignore[arg-type]
    if config.lowercase:
        steps.append(("lowercase", str.lower))
    if config.strip_accents:
        steps.append(("strip_accents", strip_accents))
    if config.remove_punctuation:
        steps.append(("remove_punctuation", lambda t: remove_punctuation(t, protect=protect)))
    if config.stopwords is not None:
        steps.append(("remove_stopwords", lambda t: remove_stopwords(t, config.stopwords, protect)))  # type: ignore[arg-type]
    if config.collapse_whitespace:
        steps.append(("collapse_whitespace", collapse_whitespace))
    return steps


#: The order in which :func:`clean` runs the steps that a configuration switches on.
_EVERY_STEP = CleaningConfig(
    emoji="remove", lowercase=True, strip_accents=True, remove_punctuation=True, stopwords=()
)
STEP_ORDER: tuple[str, ...] = tuple(name for name, _ in _steps(_EVERY_STEP))


def clean(text: str, config: CleaningConfig | None = None, **changes: object) -> str:
    """Clean one text with ``config`` (default: :class:`CleaningConfig()`), changed by ``changes``.

    ``clean(text, lowercase=True)`` is short for ``clean(text, CleaningConfig(lowercase=True))``.

    Raises:
        TypeError: ``text`` is not a string (``None``, a list: clean each item with
            :func:`clean_many`), or an option name is unknown.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"clean() takes one string, got {type(text).__name__}; use clean_many() for a list of texts"
        )
    config = (config or CleaningConfig()).with_(**changes) if changes else (config or CleaningConfig())
    for _, step in _steps(config):
        text = step(text)
    return text


def clean_many(texts: Iterable[str], config: CleaningConfig | None = None, **changes: object) -> list[str]:
    """:func:`clean` applied to each text (for ``Dataset.map`` use ``clean`` in a batched function)."""
    config = (config or CleaningConfig()).with_(**changes) if changes else (config or CleaningConfig())
    return [clean(t, config) for t in texts]
