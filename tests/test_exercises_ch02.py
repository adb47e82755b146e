"""Checkers of notebook 02 accept right answers and explain wrong ones."""

from __future__ import annotations

import re

from nlpcourse.cleaning import CleaningConfig
from nlpcourse.exercises import ch02


def test_stems():
    assert ch02.check_stems(["run", "fli", "studi", "gener", "fairli"])
    assert "replace the `...`" in ch02.check_stems(...).message
    assert "lemmas" in ch02.check_stems(["run", "fly", "study", "generously", "fairly"]).message
    assert "unchanged" in ch02.check_stems(list(ch02.STEM_WORDS)).message
    assert "Snowball" in ch02.check_stems(["run", "fli", "studi", "generous", "fair"]).message
    one_off = ch02.check_stems(["run", "fly", "studi", "gener", "fairli"])
    assert "'flies' -> 'fly' (Porter: 'fli')" in one_off.message
    assert "one result per word" in ch02.check_stems(["run"]).message
    assert "list of 5 strings" in ch02.check_stems("run fli").message


def test_lemmas():
    assert ch02.check_lemmas(["good", "run", "goose", "be"])
    assert ch02.check_lemmas(["Good", "run", "goose", "be"])
    assert "replace the `...`" in ch02.check_lemmas(...).message
    assert "as a noun" in ch02.check_lemmas(["better", "running", "goose", "wa"]).message
    one_off = ch02.check_lemmas(["better", "run", "goose", "be"])
    assert "'better' (a) -> 'better', expected 'good'" in one_off.message
    assert "one result per word" in ch02.check_lemmas(["good"]).message


def test_mention_rule():
    def right(text):
        return re.sub(r"(?<!\w)@\w+", "<user>", text)

    def eats_emails(text):
        return re.sub(r"@\w+", "<user>", text)

    def eats_lone_at(text):
        return re.sub(r"(?<!\w)@\w*", "<user>", text)

    def broken(text):
        return text.split("#")[1]

    assert ch02.check_mention_rule(right)
    assert "not a mention" in ch02.check_mention_rule(eats_emails).message
    assert "lone '@'" in ch02.check_mention_rule(eats_lone_at).message
    assert "raised IndexError" in ch02.check_mention_rule(broken).message
    assert (
        "expected '<user> you and <user> too'"
        in ch02.check_mention_rule(lambda t: t.replace("@anna_b", "<user>")).message
    )
    assert "expected a function" in ch02.check_mention_rule("@\\w+").message
    assert "replace the `...`" in ch02.check_mention_rule(...).message


def test_transformer_safe_config():
    assert ch02.check_transformer_safe_config(CleaningConfig())
    assert ch02.check_transformer_safe_config(CleaningConfig(lowercase=True, url_placeholder=""))
    assert "strip_html" in ch02.check_transformer_safe_config(CleaningConfig(strip_html=False)).message
    assert "replace URLs" in ch02.check_transformer_safe_config(CleaningConfig(url_placeholder=None)).message
    assert (
        "'not' is a stop word"
        in ch02.check_transformer_safe_config(CleaningConfig(stopwords={"not", "at", "all"})).message
    )
    assert "keep punctuation" in ch02.check_transformer_safe_config(CleaningConfig.classic()).message
    assert "expected a CleaningConfig" in ch02.check_transformer_safe_config({"lowercase": True}).message
    assert "replace the `...`" in ch02.check_transformer_safe_config(...).message


def test_mention_rule_stub_is_not_answered():
    def stub(text): ...

    assert "returns None so far" in ch02.check_mention_rule(stub).message
