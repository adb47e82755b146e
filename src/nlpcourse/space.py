"""The folder of a Hugging Face Space for chapter 13's demo: ``app.py``, ``requirements.txt``, ``README.md``.

A Space is a git repository on the Hub that runs an app; for a Gradio Space, the README's metadata
(``sdk: gradio``, ``app_file: app.py``) says how, and ``requirements.txt`` lists what to install beside
Gradio. :func:`write_space` writes the three files for the course's demo: a sentiment classifier with
label confidences and a chat model that streams its reply. The notebook writes the folder and the tests
start the same ``app.py`` in a browser, so both see one app.

``app.py`` reads two environment variables, so the same file runs on a laptop and in a Space:
``CLASSIFIER`` and ``CHAT_MODEL`` (a Hub id or a local folder, defaults given to :func:`write_space`).
A model that cannot be loaded stops the app at once with a message that names it (:data:`LOAD_ERROR`),
instead of a page that fails on the first click.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path

from huggingface_hub import SpaceCard, SpaceCardData

__all__ = ["APP_FILE", "CHAT_ID", "EXAMPLES", "LOAD_ERROR", "SPACE_FILES", "app_source", "write_space"]

CHAT_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
APP_FILE = "app.py"
SPACE_FILES: tuple[str, ...] = (APP_FILE, "requirements.txt", "README.md")
#: Reviews offered as one-click examples under the text box.
EXAMPLES: tuple[str, ...] = (
    "A warm, funny film with a cast that clearly enjoyed every minute of it.",
    "The plot goes nowhere and the jokes fall flat; I checked my watch twice.",
    "Not the disaster the trailer promised: I liked it more than I expected.",
)
#: How app.py begins the message it exits with when a model cannot be loaded.
LOAD_ERROR = "could not load the"
#: What the Space installs beside Gradio (its version comes from the README's ``sdk_version``).
REQUIREMENTS: tuple[str, ...] = ("torch>=2.6,<3", "transformers>=5.23,<6")

_APP = '''"""{title}: the sentiment of a review, and a small chat model that streams its reply.

Run it with `python app.py` and open the address it prints. CLASSIFIER and CHAT_MODEL choose the models
(a Hub id or a folder); the defaults are the ones this file was written for.
"""

import os
import sys
from threading import Thread

import gradio as gr
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer, pipeline

CLASSIFIER = os.environ.get("CLASSIFIER", {classifier!r})
CHAT_MODEL = os.environ.get("CHAT_MODEL", {chat_model!r})
MAX_NEW_TOKENS = int(os.environ.get("MAX_NEW_TOKENS", "{max_new_tokens}"))
EXAMPLES = [
{examples}
]
device = "cuda" if torch.cuda.is_available() else "cpu"
dtype = torch.float32 if device == "cpu" else "auto"  # bf16 is slow on most CPUs


def load(what, variable, name, loader):
    """``loader(name)``, or stop with a message that names the model: a page without it is no demo."""
    try:
        return loader(name)
    except (OSError, ValueError) as err:
        sys.exit(f"{load_error} {{what}} {{name!r}} ({{variable}}): {{err}}\\n"
                 f"Set {{variable}} to a Hub id or a folder with the model.")


classifier = load("classifier", "CLASSIFIER", CLASSIFIER,
                  lambda name: pipeline("text-classification", model=name, device=device))
chat_tok = load("chat model", "CHAT_MODEL", CHAT_MODEL, AutoTokenizer.from_pretrained)
chat_model = load("chat model", "CHAT_MODEL", CHAT_MODEL,
                  lambda name: AutoModelForCausalLM.from_pretrained(name, dtype=dtype).to(device).eval())


def classify(review):
    """Every label with its probability, as gr.Label shows them."""
    if not review.strip():
        raise gr.Error("Type a review first.")
    outputs = classifier(review, top_k=None, truncation=True)
    return {{out["label"]: out["score"] for out in outputs}}


def text_of(content):
    """A turn's text: Gradio hands earlier turns over as lists of parts ({{"type": "text", "text": ...}})."""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def respond(message, history):
    """Yield the reply so far, each time the model adds a piece of text."""
    messages = [{{"role": turn["role"], "content": text_of(turn["content"])}} for turn in history]
    messages.append({{"role": "user", "content": message}})
    inputs = chat_tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                          return_dict=True).to(device)
    streamer = TextIteratorStreamer(chat_tok, skip_prompt=True, skip_special_tokens=True)
    settings = dict(inputs, streamer=streamer, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
    Thread(target=chat_model.generate, kwargs=settings).start()
    reply = ""
    for piece in streamer:
        reply += piece
        yield reply


sentiment = gr.Interface(classify, gr.Textbox(label="Review", lines=3),
                         gr.Label(label="Sentiment", num_top_classes=2), examples=EXAMPLES,
                         flagging_mode="never", analytics_enabled=False)
chat = gr.ChatInterface(respond, title=None, analytics_enabled=False)
demo = gr.TabbedInterface([sentiment, chat], ["Sentiment", "Chat"], title={title!r}, analytics_enabled=False)

if __name__ == "__main__":
    demo.launch()
'''


def app_source(classifier: str, chat_model: str = CHAT_ID, *, title: str = "Course sentiment demo",
               max_new_tokens: int = 64, examples: Sequence[str] = EXAMPLES) -> str:
    """The text of ``app.py`` for these default models (the environment can override both)."""
    if not classifier or not chat_model:
        raise ValueError("name the classifier and the chat model (a Hub id or a folder)")
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    return _APP.format(classifier=str(classifier), chat_model=str(chat_model), title=title,
                       max_new_tokens=max_new_tokens, load_error=LOAD_ERROR,
                       examples="\n".join(f"    {e!r}," for e in examples))


def write_space(folder: str | Path, classifier: str, chat_model: str = CHAT_ID, *,
                title: str = "Course sentiment demo", license: str = "apache-2.0",
                max_new_tokens: int = 64) -> dict[str, Path]:
    """Write ``app.py``, ``requirements.txt`` and ``README.md`` (the Space's metadata) into ``folder``.

    ``classifier`` and ``chat_model`` are the models ``app.py`` loads unless ``CLASSIFIER`` or
    ``CHAT_MODEL`` says otherwise; Hub ids also go into the README's ``models`` list, which links the
    Space to their pages. Returns each file's name with its path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    app = app_source(classifier, chat_model, title=title, max_new_tokens=max_new_tokens)
    hub_ids = [m for m in (classifier, chat_model) if _looks_like_hub_id(m)]
    data = SpaceCardData(
        title=title, sdk="gradio", sdk_version=importlib.metadata.version("gradio"), app_file=APP_FILE,
        license=license, models=hub_ids or None, short_description="Sentiment of a review and a small chat",
    )
    readme = (f"---\n{data.to_yaml()}\n---\n\n# {title}\n\n"
              "Type a review to see its sentiment with each label's confidence, or chat with a small "
              f"instruction-tuned model.\n\n- classifier: `{classifier}`\n- chat model: `{chat_model}`\n\n"
              "Run it on your own machine with `pip install gradio -r requirements.txt` and "
              "`python app.py`.\n")
    texts = {APP_FILE: app, "requirements.txt": "\n".join(REQUIREMENTS) + "\n", "README.md": readme}
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    SpaceCard.load(paths["README.md"])  # the metadata must parse as the Hub will parse it
    return paths


def _looks_like_hub_id(name: str) -> bool:
    """``org/name`` with no folder of that name here: what the Hub can link to."""
    return name.count("/") == 1 and not Path(name).exists() and not name.startswith((".", "/", "~"))
