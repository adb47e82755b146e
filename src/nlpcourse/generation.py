"""Tidy up text that a language model generated: the prompt echo, stray whitespace, a cut-off sentence.

A causal language model stops where ``max_new_tokens`` tells it to, which is usually in the middle
of a sentence, and the ``text-generation`` pipeline returns the prompt followed by the continuation.
:func:`clean_reply` turns that raw text into something to show a user::

    >>> clean_reply("Tell me a story. Once upon a time  there was a cat. It sat on", "Tell me a story.")
    'Once upon a time there was a cat.'

Each step is also available on its own: :func:`strip_prompt`, :func:`normalize_whitespace`,
:func:`cut_unfinished_sentence`.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "SENTENCE_END",
    "clean_reply",
    "cut_unfinished_sentence",
    "ends_with_sentence_end",
    "normalize_whitespace",
    "strip_prompt",
]

#: A sentence ends with ., ! or ? (or an ellipsis), optionally followed by closing quotes/brackets.
SENTENCE_END = re.compile(r"""(?:[.!?]+|…)["'”’)\]]*(?=\s|$)""")


def _require_text(value: Any, name: str) -> str:
    """Return ``value`` if it is a string; otherwise raise a TypeError that says what to pass."""
    if isinstance(value, str):
        return value
    hint = ""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "generated_text" in value[0]:
        hint = ' This looks like a pipeline result: pass outputs[0]["generated_text"] instead.'
    elif isinstance(value, dict) and "generated_text" in value:
        hint = ' This looks like one pipeline result: pass its ["generated_text"] instead.'
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "role" in v for v in value):
        hint = ' This looks like a chat (a list of messages): pass the last message\'s ["content"].'
    elif hasattr(value, "shape") or (isinstance(value, list) and value and isinstance(value[0], int)):
        hint = (
            " These look like token ids: decode them first with "
            "tokenizer.decode(ids, skip_special_tokens=True)."
        )
    raise TypeError(f"{name} must be a string, not {type(value).__name__}.{hint}")


def strip_prompt(generated: str, prompt: str) -> str:
    """Remove ``prompt`` from the start of ``generated`` (the echo the pipeline returns by default).

    Whitespace at the boundary is forgiven, because decoding can add or drop a space. If
    ``generated`` does not start with the prompt (for example with ``return_full_text=False``),
    it is returned unchanged.
    """
    generated = _require_text(generated, "generated")
    prompt = _require_text(prompt, "prompt")
    if not prompt.strip():
        return generated
    if generated.startswith(prompt):
        return generated[len(prompt) :]
    body, head = generated.lstrip(), prompt.strip()
    if body.startswith(head):
        return body[len(head) :]
    # decoding may normalise runs of whitespace inside the prompt: compare word by word
    words = head.split()
    pattern = r"\s*" + r"\s+".join(re.escape(w) for w in words)
    match = re.match(pattern, generated)
    return generated[match.end() :] if match else generated


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs, trim every line, keep at most one blank line between paragraphs."""
    text = _require_text(text, "text")
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def ends_with_sentence_end(text: str) -> bool:
    """True if ``text`` (ignoring trailing whitespace) ends with ., !, ?, … and optional closing quotes."""
    text = _require_text(text, "text").rstrip()
    return bool(text) and _last_end(text) == len(text)


def _last_end(text: str) -> int:
    """Index just after the last sentence end in ``text``, or 0 if there is none."""
    last = 0
    for match in SENTENCE_END.finditer(text):
        last = match.end()
    return last


def cut_unfinished_sentence(text: str) -> str:
    """Drop whatever follows the last complete sentence.

    If the text has no sentence end at all, there is nothing safe to cut back to, and it is returned
    unchanged (apart from trailing whitespace): a short fragment is better than an empty reply.
    Abbreviations such as "e.g." count as sentence ends; this is a heuristic, not a parser.
    """
    text = _require_text(text, "text").rstrip()
    end = _last_end(text)
    return text[:end] if end else text


def clean_reply(generated: Any, prompt: str | None = None, *, cut_unfinished: bool = True) -> str:
    """Turn raw generated text into a reply: strip the prompt echo, tidy whitespace, cut a cut-off sentence.

    Args:
        generated: the text a model produced, e.g. ``outputs[0]["generated_text"]``.
        prompt: the prompt that was given; removed if ``generated`` starts with it.
        cut_unfinished: drop a last sentence that ``max_new_tokens`` cut off.

    Returns:
        The cleaned reply; ``""`` if the model produced nothing beyond the prompt.

    Raises:
        TypeError: ``generated`` or ``prompt`` is not a string; the message says what to pass instead.
    """
    text = _require_text(generated, "generated")
    if prompt is not None:
        text = strip_prompt(text, prompt)
    text = normalize_whitespace(text)
    if cut_unfinished:
        text = cut_unfinished_sentence(text)
    return text
