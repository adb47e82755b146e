"""nlpcourse.generation: cleaning up generated replies."""

from __future__ import annotations

import pytest

from nlpcourse.generation import (
    clean_reply,
    cut_unfinished_sentence,
    ends_with_sentence_end,
    normalize_whitespace,
    strip_prompt,
)


def test_docstring_example():
    raw = "Tell me a story. Once upon a time  there was a cat. It sat on"
    assert clean_reply(raw, "Tell me a story.") == "Once upon a time there was a cat."


def test_strip_prompt_exact_and_with_boundary_whitespace():
    assert strip_prompt("Hello world, and more", "Hello world") == ", and more"
    assert strip_prompt("  Hello world and more", "Hello world ") == " and more"


def test_strip_prompt_forgives_whitespace_changes_inside_the_prompt():
    assert strip_prompt("The  cat\nsat. Then it slept.", "The cat sat.") == " Then it slept."


def test_strip_prompt_leaves_text_without_the_echo_alone():
    assert strip_prompt("a continuation only", "The prompt") == "a continuation only"
    assert strip_prompt("text", "") == "text"


def test_normalize_whitespace_keeps_paragraphs():
    assert normalize_whitespace("  a \t b  \n\n\n\n c  ") == "a b\n\nc"
    assert normalize_whitespace("line one\r\nline two") == "line one\nline two"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four and", "One. Two! Three?"),
        ('He said "stop." Then he', 'He said "stop."'),
        ("It ended (finally.) and then", "It ended (finally.)"),
        ("Wait... what", "Wait..."),
        ("Complete sentence.", "Complete sentence."),
        ("no end at all", "no end at all"),
        ("version 3.5 is out and", "version 3.5 is out and"),
        ("", ""),
    ],
)
def test_cut_unfinished_sentence(text, expected):
    assert cut_unfinished_sentence(text) == expected


def test_ends_with_sentence_end():
    assert ends_with_sentence_end("Done.  ") and ends_with_sentence_end("Really?!")
    assert not ends_with_sentence_end("Not done") and not ends_with_sentence_end("")
    assert not ends_with_sentence_end("Pi is 3.14")


def test_clean_reply_options():
    raw = "Q: hi\nA:   Hello there.   How are"
    assert clean_reply(raw, "Q: hi\nA:") == "Hello there."
    assert clean_reply(raw, "Q: hi\nA:", cut_unfinished=False) == "Hello there. How are"
    assert clean_reply("Prompt", "Prompt") == ""
    assert clean_reply("  just text  ") == "just text"


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ([{"generated_text": "x"}], 'outputs[0]["generated_text"]'),
        ({"generated_text": "x"}, '["generated_text"]'),
        ([{"role": "assistant", "content": "x"}], "list of messages"),
        ([101, 2023, 102], "tokenizer.decode"),
        (None, "must be a string, not NoneType"),
    ],
)
def test_bad_input_gets_a_clear_message(bad, hint):
    with pytest.raises(TypeError, match="must be a string") as info:
        clean_reply(bad)
    assert hint in str(info.value)


def test_bad_prompt_type():
    with pytest.raises(TypeError, match="prompt must be a string, not int"):
        clean_reply("text", 3)


def test_token_tensor_hint():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="decode them first"):
        clean_reply(torch.tensor([1, 2, 3]))
