"""The reusable cleaner: each rule on its own, the configuration, empty and non-English input."""

from __future__ import annotations

import pytest

from nlpcourse import cleaning
from nlpcourse.cleaning import CleaningConfig, clean, clean_many

CLASSIC = CleaningConfig.classic(stopwords={"is", "and", "it", "the", "not", "a"})


# --- each rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>Great <b>value</b></p>", "Great value"),
        ("one<br>two", "one two"),
        ("<script>alert('x')</script>kept", "kept"),
        ("<style>p {color: red}</style>kept", "kept"),
        ("a <!-- hidden --> b", "a b"),
        ("Fish &amp; chips &lt;3", "Fish & chips <3"),
        ("3 < 5 and 6 > 2", "3 < 5 and 6 > 2"),
    ],
)
def test_strip_html(text, expected):
    assert cleaning.collapse_whitespace(cleaning.strip_html(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/a?b=1&c=2 now", "see <url> now"),
        ("at http://x.org.", "at <url>."),
        ("(www.shop.com/item)", "(<url>)"),
        ("ftp://files.net/f.zip!", "<url>!"),
        ("no address here.", "no address here."),
    ],
)
def test_replace_urls(text, expected):
    assert cleaning.replace_urls(text) == expected


def test_replace_urls_with_empty_placeholder_deletes():
    assert cleaning.replace_urls("go to https://a.io today", "") == "go to  today"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail bob.smith+news@example.co.uk, please", "mail <email>, please"),
        ("ask anna@uni.de.", "ask <email>."),
        ("not an address: @handle or a@b", "not an address: @handle or a@b"),
        ("écrivez à zoé@exemple.fr", "écrivez à <email>"),
    ],
)
def test_replace_emails(text, expected):
    assert cleaning.replace_emails(text) == expected


def test_emails_are_replaced_before_urls():
    assert clean("write to info@www.example.com") == "write to <email>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("great 😀 fun", "great fun"),
        ("thumbs 👍🏽!", "thumbs !"),
        ("family 👨‍👩‍👧 trip", "family trip"),
        ("sun ☀️ and heart ❤️", "sun and heart"),
        ("plain text", "plain text"),
    ],
)
def test_remove_emoji(text, expected):
    assert cleaning.collapse_whitespace(cleaning.remove_emoji(text)) == expected


@pytest.mark.parametrize(
    ("text", "keep", "expected"),
    [
        ("soooo goood!!!!", 2, "soo good!!"),
        ("soooo goood!!!!", 1, "so god!"),
        ("good book", 2, "good book"),
        ("1000000 km", 2, "1000000 km"),
        ("trèèèès biennnn", 2, "trèès bienn"),
    ],
)
def test_squeeze_repeats(text, keep, expected):
    assert cleaning.squeeze_repeats(text, keep) == expected


def test_squeeze_repeats_rejects_zero():
    with pytest.raises(ValueError, match="at least 1"):
        cleaning.squeeze_repeats("aaa", 0)


def test_normalize_unicode_folds_compatibility_forms():
    assert cleaning.normalize_unicode("Ｈｅｌｌｏ ﬁne\u00a0day") == "Hello fine day"
    assert cleaning.normalize_unicode("cafe\u0301", "NFC") == "café"
    assert len(cleaning.normalize_unicode("café", "NFD")) == 5


def test_strip_accents():
    assert cleaning.strip_accents("Crème brûlée à São Paulo") == "Creme brulee a Sao Paulo"
    assert cleaning.strip_accents("東京") == "東京"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It's fun; really!", "Its fun really"),
        ("Hello, world... :-)", "Hello world"),
        ("Prix: 10 € (TTC)", "Prix 10 TTC"),
        ("«Très» bien！", "Très bien"),
        ("state-of-the-art", "state of the art"),
    ],
)
def test_remove_punctuation(text, expected):
    assert cleaning.collapse_whitespace(cleaning.remove_punctuation(text)) == expected


def test_remove_punctuation_keeps_protected_strings_and_kept_characters():
    out = cleaning.remove_punctuation("see <url>, now #1!", keep="#", protect=["<url>"])
    assert cleaning.collapse_whitespace(out) == "see <url> now #1"


def test_remove_stopwords_is_case_insensitive_and_ignores_punctuation():
    assert cleaning.remove_stopwords("It is NOT good, is it?", {"it", "is", "not"}) == "good,"


def test_collapse_whitespace():
    assert cleaning.collapse_whitespace("  a\n\tb\u00a0 c  ") == "a b c"


# --- the configurable cleaner ---------------------------------------------------------------


def test_default_cleaning_keeps_case_punctuation_emoji_and_stop_words():
    text = "<p>It's NOT good!!!! 😞 see https://shop.example/x</p>"
    assert clean(text) == "It's NOT good!! 😞 see <url>"


def test_classic_cleaning():
    text = "It's RAINING heavily!! Studying NLP is Fun and Challenging. ;-)"
    assert clean(text, CLASSIC) == "its raining heavily studying nlp fun challenging"


def test_classic_cleaning_keeps_placeholders():
    assert clean("Mail a@b.com or see http://x.io!", CLASSIC) == "mail <email> or see <url>"


def test_keyword_changes_override_the_config():
    assert clean("Hello, World", lowercase=True) == "hello, world"
    assert clean("Hello, World", CLASSIC, lowercase=False) == "Hello World"


def test_keeping_urls_and_emails():
    text = "a@b.com https://x.io"
    assert clean(text, url_placeholder=None, email_placeholder=None) == text
    assert clean(text, url_placeholder="", email_placeholder="") == ""


@pytest.mark.parametrize("config", [CleaningConfig(), CLASSIC])
@pytest.mark.parametrize("text", ["", "   ", "\n\t", "<p></p>"])
def test_empty_input_gives_empty_string(text, config):
    assert clean(text, config) == ""


def test_clean_many():
    assert clean_many(["A!", "", "b  c"], lowercase=True) == ["a!", "", "b c"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C'est TRÈS élégant !!! Ça coûte 1000 €.", "cest très élégant ça coûte 1000"),
        ("Über den Fluss, bitte.", "über den fluss bitte"),
        ("Ελληνικά ΓΡΆΜΜΑΤΑ!", "ελληνικά γράμματα"),
        ("東京は素晴らしい！", "東京は素晴らしい"),
        ("Привет, мир!", "привет мир"),
    ],
)
def test_non_english_text_keeps_its_letters(text, expected):
    assert clean(text, CleaningConfig.classic()) == expected


def test_accent_stripping_is_opt_in():
    assert clean("café crème") == "café crème"
    assert clean("café crème", strip_accents=True) == "cafe creme"


def test_steps_follow_the_step_order():
    assert CleaningConfig().steps() == [
        "normalize_unicode",
        "strip_html",
        "replace_emails",
        "replace_urls",
        "squeeze_repeats",
        "collapse_whitespace",
    ]
    classic = CLASSIC.steps()
    assert classic == [s for s in cleaning.STEP_ORDER if s in classic]
    assert "remove_stopwords" in classic and "strip_accents" not in classic


def test_bad_input_and_options_get_clear_errors():
    with pytest.raises(TypeError, match="clean_many"):
        clean(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="clean_many"):
        clean(["a", "b"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unknown cleaning option"):
        clean("a", lower=True)
    with pytest.raises(ValueError, match="emoji"):
        CleaningConfig(emoji="demojize")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unicode_form"):
        CleaningConfig(unicode_form="NFX")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_repeats"):
        CleaningConfig(max_repeats=0)
    with pytest.raises(TypeError, match="collection of words"):
        CleaningConfig(stopwords="the")
