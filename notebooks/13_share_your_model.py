# %% [markdown]
# # 13 · Share what you built: a model card, the Hub, a Gradio demo and a Space
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/13_share_your_model.ipynb
#
# A model that lives in a folder on your laptop helps nobody else. To share it you need three things: the
# folder itself, complete enough that someone can load it with one line; a *model card* that says what the
# model is for, how well it works (with an honest error bar) and where it fails; and a way to try it without
# writing code. This notebook packages the sentiment classifier of chapter 06 that way, shows how it goes
# to the Hugging Face Hub, puts it and a small chat model into a Gradio web demo inside the notebook, and
# writes the folder of a Hugging Face Space that runs the same demo on the web.
#
# **You will learn**
# - what a model folder needs (weights, config with label names, tokenizer) and how `pipeline()` reloads it;
# - how to write a model card with `huggingface_hub`'s `ModelCard` and `ModelCardData`: metadata the Hub
#   reads (license, base model, datasets, metrics) and the text people read (intended use, limits);
# - how `upload_folder` and `push_to_hub` send a folder to the Hub: tokens, private repositories, revisions;
# - how to build a Gradio demo (`gr.Interface` with label confidences and examples, `gr.ChatInterface`
#   with a streamed reply), launch it in the notebook and call it from Python with `gradio_client`;
# - what a Gradio Space is made of (`app.py`, `requirements.txt`, a README with metadata) and how to
#   create one.
#
# **Prerequisites:** 06 (the fine-tuned classifier; this notebook also works without it), 07 (accuracy, F1
# and bootstrap intervals) and 10 (chat templates, streaming with `TextIteratorStreamer`).
#
# **Runtime:** about 23 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 1.7 GB; on a GPU not measured yet. **Download:** 540 MB the first time, or ahead with
# `python -m nlpcourse download 13`.

# %%
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package first
    course = "nlpcourse @ git+https://github.com/hands-on-nlp/hf-nlp-course"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", course],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        print(pip.stdout[-2000:], pip.stderr[-2000:], sep="\n")
        raise RuntimeError(f"pip could not install {course} (its output is above): check that "
                           "this runtime has internet and can reach the repository, then run again")

import nlpcourse

env = nlpcourse.setup()

# %% [markdown]
# ## 1. A model folder someone else can use
#
# Chapter 06 saved its fine-tuned DistilBERT to `models_dir() / "distilbert-course-reviews"`. If you ran
# 06, this notebook shares that model. If the folder is not there, it shares the published checkpoint
# `distilbert/distilbert-base-uncased-finetuned-sst-2-english` instead (the model 03 and 07 used: the
# same architecture, fine-tuned by its authors on movie-review sentences, 268 MB) rather than training
# one here; the next cell says which one you got.

# %%
import shutil

from transformers import AutoModelForSequenceClassification, AutoTokenizer

from nlpcourse.paths import build_dir, models_dir

SENTIMENT_ID = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
BASE_ID = "distilbert/distilbert-base-uncased"
fine_tuned = models_dir() / "distilbert-course-reviews"
needed = ("config.json", "model.safetensors", "tokenizer.json")
from_06 = all((fine_tuned / name).is_file() for name in needed)
if from_06:
    trained_on = "the course reviews' train split (chapter 06)"
    print(f"sharing your fine-tuned model from chapter 06: {fine_tuned}")
    model = AutoModelForSequenceClassification.from_pretrained(fine_tuned)
    tokenizer = AutoTokenizer.from_pretrained(fine_tuned)
else:
    trained_on = "SST-2, sentences from movie reviews (stanfordnlp/sst2)"
    print(f"no fine-tuned model at {fine_tuned} (run chapter 06 to share your own): sharing the published "
          f"checkpoint {SENTIMENT_ID}")
    model = AutoModelForSequenceClassification.from_pretrained(SENTIMENT_ID)
    tokenizer = AutoTokenizer.from_pretrained(SENTIMENT_ID)
model_folder = build_dir() / "share" / "sentiment-model"
shutil.rmtree(model_folder, ignore_errors=True)
model.save_pretrained(model_folder)
tokenizer.save_pretrained(model_folder)
files = sorted(p.name for p in model_folder.iterdir())
assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= set(files)
print(model_folder)
files

# %% [markdown]
# The weights (`model.safetensors`), the configuration with the architecture and the label names
# (`config.json`), and the tokenizer: the model is useless without the tokenizer it was trained with. The
# label names travel in the config, so whoever loads the folder sees words, not `LABEL_0`:

# %%
model.config.id2label

# %% [markdown]
# ### Measure it, as in chapter 07
#
# A card must say how well the model works, on which data, and how sure that number is. Accuracy and macro
# F1 on the reviews' test split with `evaluate`, and a 95% bootstrap interval for each: the 2.5th and 97.5th
# percentiles over 1000 resamples of the test set (chapter 07, section 3).

# %%
import evaluate
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from transformers import pipeline

from nlpcourse.data import load_reviews

test = load_reviews()["test"]
label_names = test.features["label"].names
classifier = pipeline("text-classification", model=str(model_folder), device=env.device)
outputs = classifier(list(test["text"]), batch_size=32, truncation=True)
predictions = np.array([label_names.index(o["label"].lower()) for o in outputs])
references = np.array(test["label"])

scores = {
    "accuracy": evaluate.load("accuracy").compute(predictions=predictions, references=references)["accuracy"],
    "f1": evaluate.load("f1").compute(predictions=predictions, references=references, average="macro")["f1"],
}
rng = np.random.default_rng(env.seed)
resamples = rng.integers(0, len(references), size=(1000, len(references)))
boot = {
    "accuracy": [(predictions[i] == references[i]).mean() for i in resamples],
    "f1": [f1_score(references[i], predictions[i], average="macro") for i in resamples],
}
intervals = {name: [round(float(v), 4) for v in np.percentile(values, [2.5, 97.5])]
             for name, values in boot.items()}
assert all(low <= scores[name] <= high for name, (low, high) in intervals.items())
pd.DataFrame({"score": scores, "95% interval": intervals}).round(3)

# %% [markdown]
# ### Where it fails
#
# A card's *limits* section is most useful when it shows failures instead of describing them. The test split
# marks hard reviews (negation, sarcasm, contrast, mixed feelings, words whose sentiment flips with the
# domain); accuracy on them against the ordinary ones, then the hard reviews this model gets wrong:

# %%
frame = test.to_pandas().assign(predicted=[label_names[p] for p in predictions],
                                right=predictions == references)
by_kind = frame.groupby(frame.hard_type.replace("", "(ordinary)"))["right"].agg(["mean", "size"])
by_kind.columns = ["accuracy", "reviews"]
mistakes = frame[frame.hard & ~frame.right][["hard_type", "text", "predicted"]]
assert len(mistakes) == (frame.hard & ~frame.right).sum() <= frame.hard.sum()
by_kind.round(2)

# %%
pd.set_option("display.max_colwidth", 120)
mistakes.head(8)

# %% [markdown]
# ### The model card
#
# On the Hub a model card is the repository's `README.md`: YAML metadata between `---` lines, then Markdown.
# `ModelCardData` writes the metadata the Hub understands: the license, the base model (the Hub links the
# two), the datasets, the pipeline tag (which widget the model page shows) and the evaluation results
# (`eval_results`, the "model-index" the Hub shows as a table). The model-index has no field for an
# interval, so the card keeps the intervals in a key of its own, `confidence_intervals`, and in the text.

# %%
from huggingface_hub import EvalResult, ModelCard, ModelCardData

dataset_name = "course reviews, test split"
card_data = ModelCardData(
    language="en", license="apache-2.0", library_name="transformers", pipeline_tag="text-classification",
    base_model=BASE_ID, datasets=None if from_06 else ["stanfordnlp/sst2"], metrics=["accuracy", "f1"],
    model_name=model_folder.name,
    eval_results=[
        EvalResult(task_type="text-classification", dataset_type="course-reviews", dataset_name=dataset_name,
                   dataset_split="test", metric_type=name, metric_value=round(float(scores[name]), 4),
                   metric_name="macro F1" if name == "f1" else name)
        for name in ("accuracy", "f1")
    ],
    confidence_intervals={name: {"level": 0.95, "method": "bootstrap, 1000 resamples", "interval": interval}
                          for name, interval in intervals.items()},
)
print(card_data.to_yaml())


# %% [markdown]
# The text says what the numbers cannot: what the model is for, what it is not for, and the failures above.

# %%
def review_lines(rows):
    return "\n".join(f"- ({row.hard_type}) \"{row.text}\" -> {row.predicted}" for row in rows.itertuples())


card_text = f"""---
{card_data.to_yaml()}
---

# Sentiment of short English reviews

DistilBERT (`{BASE_ID}`) fine-tuned on {trained_on} to label a review
{" or ".join(f"`{label}`" for label in model.config.id2label.values())}.

## Intended use

The sentiment of short English product, film and restaurant reviews, one or two sentences long. Not for
other languages, long documents, or decisions about people: it sees words, not intentions.

## Evaluation

On the {len(references)} reviews of the course reviews' test split:

| metric | score | 95% interval (bootstrap, 1000 resamples) |
|---|---:|---:|
""" + "\n".join(f"| {name} | {scores[name]:.3f} | {low:.3f} to {high:.3f} |"
                for name, (low, high) in intervals.items()) + f"""

## Limits

Accuracy on hard reviews is {frame[frame.hard].right.mean():.2f} against {frame[~frame.hard].right.mean():.2f}
on ordinary ones. Hard reviews of the test split it gets wrong:

{review_lines(mistakes.head(8)) or "- none in the test split"}

## How to use

```python
from transformers import pipeline

classifier = pipeline("text-classification", model="<this repository or folder>")
classifier("A warm, funny film.")
```
"""
card = ModelCard(card_text)
card.save(model_folder / "README.md")
print(card.text[:600])

# %% [markdown]
# **Check: the folder is usable.** Someone who has only the folder loads it with `pipeline()` and gets the
# same labels, and `ModelCard.load` parses the metadata back as the Hub will:

# %%
reloaded = pipeline("text-classification", model=str(model_folder), device=env.device)
sample = list(test["text"][:8])
assert [o["label"] for o in reloaded(sample)] == [o["label"] for o in outputs[:8]]

parsed = ModelCard.load(model_folder / "README.md")
assert parsed.data.license == "apache-2.0" and parsed.data.base_model == BASE_ID
assert parsed.data.pipeline_tag == "text-classification"
results = {r.metric_type: r.metric_value for r in parsed.data.eval_results}
assert results == {name: round(float(scores[name]), 4) for name in ("accuracy", "f1")}
assert parsed.data.confidence_intervals["accuracy"]["interval"] == intervals["accuracy"]
results, parsed.data.confidence_intervals["accuracy"]

# %% [markdown]
# ## 2. Sharing on the Hub
#
# A model repository on the Hub is a git repository with large-file storage. Three things to know before
# you upload:
#
# - **A token.** Create one at https://huggingface.co/settings/tokens with *write* access (a fine-grained
#   token can be limited to the repositories it may write). `login()` asks for it and stores it on your
#   machine; in Colab, store it as the secret `HF_TOKEN` instead. Never paste a token into a notebook cell
#   you share: anyone with it can write as you.
# - **Private or public.** `create_repo(..., private=True)` makes a repository only you (and your
#   organisation) can see; the model page, the card and the files stay hidden until you make it public in
#   its settings. Loading a private model needs a token too.
# - **Revisions.** Every upload is a commit. `upload_folder` returns it, and `from_pretrained(repo_id,
#   revision=commit_id)` loads exactly that version later, even after new uploads: pin it in code that must
#   not change under you, as `pipeline()` pins its defaults (chapter 03). To try a version without touching
#   `main`, make a branch with `create_branch` and upload to it with `revision="the-branch"`.
#
# **What is uploaded** is every file in the folder, unless `allow_patterns` / `ignore_patterns` say
# otherwise. Look before you upload:

# %%
uploaded = pd.Series({p.name: p.stat().st_size / 1e6 for p in sorted(model_folder.iterdir())}, name="MB")
assert "README.md" in uploaded and uploaded["model.safetensors"] > 0.9 * uploaded.sum()
print(f"{uploaded.sum():.1f} MB in {len(uploaded)} files")
uploaded.round(2)

# %% [markdown]
# The upload itself needs an account and the network, so this cell is skipped when the course's notebooks
# run without them. `model.push_to_hub(repo_id)` and `tokenizer.push_to_hub(repo_id)` do the same from the
# objects in memory (chapter 06); `upload_folder` sends the folder as it is, card included, in one commit.

# %%
# NBVAL_SKIP
from huggingface_hub import HfApi, login

login()  # asks for the token; or set the environment variable HF_TOKEN
api = HfApi()
repo_id = f"{api.whoami()['name']}/distilbert-course-reviews"
api.create_repo(repo_id, private=True, exist_ok=True)
commit = api.upload_folder(folder_path=model_folder, repo_id=repo_id,
                           commit_message="Sentiment model with its card", ignore_patterns=["*.tmp"])
print(commit.commit_url)  # reload this exact version: pipeline(model=repo_id, revision=commit.oid)

# %% [markdown]
# ## 3. A Gradio demo in the notebook
#
# Gradio turns a Python function into a web page: you say what goes in (`gr.Textbox`) and what comes out
# (`gr.Label`, which draws each label's confidence as a bar), and it builds the page and an HTTP API for it.
# The function receives the review and returns a dictionary from label to probability, which is what
# `gr.Label` shows; `top_k=None` makes the pipeline return every label. An empty review raises `gr.Error`,
# which the page shows as a message instead of a crash.

# %%
import gradio as gr

EXAMPLES = [
    "A warm, funny film with a cast that clearly enjoyed every minute of it.",
    "The plot goes nowhere and the jokes fall flat; I checked my watch twice.",
    "Not the disaster the trailer promised: I liked it more than I expected.",
]


def classify(review):
    """Every label with its probability, as gr.Label shows them."""
    if not review.strip():
        raise gr.Error("Type a review first.")
    return {out["label"]: out["score"] for out in reloaded(review, top_k=None, truncation=True)}


sentiment_demo = gr.Interface(
    classify, gr.Textbox(label="Review", lines=3), gr.Label(label="Sentiment", num_top_classes=2),
    examples=EXAMPLES, flagging_mode="never", analytics_enabled=False, title="Sentiment of a review",
)
sentiment_demo.launch(prevent_thread_lock=True, share=False)

# %% [markdown]
# The demo runs in a web server inside this kernel and shows below the cell (in JupyterLab and in Colab).
# `prevent_thread_lock=True` gives the cell back while the server keeps running; `share=False` keeps it on
# this machine (`share=True` would open a temporary public link through Gradio's servers);
# `analytics_enabled=False` stops Gradio from sending usage statistics. Type a review, or click an example.
#
# Every Gradio app also has an API. `gradio_client` calls it from Python, as a program (or a test) would: the
# endpoint is named after the function.

# %%
from gradio_client import Client

client = Client(sentiment_demo.local_url, verbose=False)
review = EXAMPLES[1]
answer = client.predict(review, api_name="/classify")
direct = classify(review)
assert answer["label"] == max(direct, key=direct.get)
assert {c["label"] for c in answer["confidences"]} == set(model.config.id2label.values())
assert np.isclose(sum(c["confidence"] for c in answer["confidences"]), 1, atol=1e-4)
sentiment_demo.close()
answer

# %% [markdown]
# The same label and probabilities as calling `classify` directly; `close()` stops the server.
#
# ### A chat demo that streams
#
# `gr.ChatInterface` builds a chat page around a function of the new message and the history. When the
# function is a generator, each value it yields replaces the reply on the page, so yielding the text so far
# after every new piece makes the reply appear as it is generated. `TextIteratorStreamer` (chapter 10) hands
# over the pieces while `generate` runs in a background thread. The model is SmolLM2-135M-Instruct (272 MB),
# in the precision `choose_dtype` picks for this device.
#
# Gradio passes the history as a list of `{"role": ..., "content": ...}` turns whose content is a list of
# parts (`{"type": "text", "text": ...}`); the chat template wants plain text, so `text_of` joins the parts.

# %%
from threading import Thread

from transformers import AutoModelForCausalLM, TextIteratorStreamer

CHAT_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
precision = nlpcourse.choose_dtype(env.device)
chat_tok = AutoTokenizer.from_pretrained(CHAT_ID)
chat_model = AutoModelForCausalLM.from_pretrained(CHAT_ID, dtype=precision.dtype).to(env.device).eval()
MAX_NEW_TOKENS = 48


def text_of(content):
    """A turn's text: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def respond(message, history):
    """Yield the reply so far, each time the model adds a piece of text."""
    messages = [{"role": turn["role"], "content": text_of(turn["content"])} for turn in history]
    messages.append({"role": "user", "content": message})
    inputs = chat_tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                          return_dict=True).to(env.device)
    streamer = TextIteratorStreamer(chat_tok, skip_prompt=True, skip_special_tokens=True)
    settings = dict(inputs, streamer=streamer, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
    Thread(target=chat_model.generate, kwargs=settings).start()
    reply = ""
    for piece in streamer:
        reply += piece
        yield reply


chat_demo = gr.ChatInterface(respond, examples=["What is the capital of France?"], analytics_enabled=False,
                             title="SmolLM2-135M-Instruct")
chat_demo.launch(prevent_thread_lock=True, share=False)

# %% [markdown]
# From Python, `submit` starts a job and iterating over it gives each value the function yielded, as the
# page receives them:

# %%
client = Client(chat_demo.local_url, verbose=False)
question = "What is the capital of France?"
job = client.submit(question, api_name="/respond")
streamed = list(job)
chat_demo.close()
assert len(streamed) >= 2 and streamed[-1] == job.result()
assert all(streamed[-1].startswith(text) for text in streamed)  # every update extends the one before

greedy = chat_tok.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True,
                                      return_tensors="pt", return_dict=True).to(env.device)
whole = chat_model.generate(**greedy, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
assert streamed[-1].strip() == chat_tok.decode(whole[0, greedy["input_ids"].shape[1]:],
                                               skip_special_tokens=True).strip()
print(f"{len(streamed)} updates; the last: {streamed[-1]!r}")
streamed[:4]

# %% [markdown]
# The streamed reply ends as the same text as one `generate` call: streaming changes when you see the words,
# not which words come.

# %% [markdown]
# ## 4. A Space folder
#
# A Hugging Face Space is a repository that runs an app on the Hub's machines (the free tier: 2 CPU cores and
# 16 GB of memory). A Gradio Space needs three files:
#
# - `app.py`, the demo as a script: the same `classify` and `respond`, with both demos in one page as two
#   tabs (`gr.TabbedInterface`) and `demo.launch()` at the end;
# - `requirements.txt`, what to install beside Gradio;
# - `README.md`, whose metadata says `sdk: gradio`, the Gradio version and `app_file: app.py`.
#
# `nlpcourse.space.write_space` writes them. The Space cannot see your disk, so its `app.py` loads the
# classifier from the Hub repository of section 2 (put your user name in it); on your own machine, set
# `CLASSIFIER` to the folder of section 1 to try the app first.

# %%
from huggingface_hub import SpaceCard

from nlpcourse.space import write_space

space_folder = build_dir() / "share" / "space"
space_files = write_space(space_folder, "your-username/distilbert-course-reviews", CHAT_ID,
                          title="Course sentiment demo", max_new_tokens=MAX_NEW_TOKENS)
space_card = SpaceCard.load(space_files["README.md"])
assert space_card.data.sdk == "gradio" and space_card.data.app_file == "app.py"
assert space_card.data.sdk_version == gr.__version__
compile(space_files["app.py"].read_text(), "app.py", "exec")  # it parses as Python
print(space_files["README.md"].read_text())
print(space_files["requirements.txt"].read_text())

# %%
print(space_files["app.py"].read_text())

# %% [markdown]
# To run it on your machine, from the folder printed above:
#
# ```bash
# CLASSIFIER=<the model folder of section 1> python app.py
# ```
#
# and open the address it prints. A model that cannot be loaded stops the app at once with a message that
# names it, instead of a page that fails on the first click.
#
# **Creating the Space.** After the upload of section 2, either click *New Space* on huggingface.co, choose
# the Gradio SDK and upload the three files, or from Python:
#
# ```python
# space_id = f"{api.whoami()['name']}/course-sentiment-demo"
# api.create_repo(space_id, repo_type="space", space_sdk="gradio", private=True)
# api.upload_folder(folder_path=space_folder, repo_id=space_id, repo_type="space")
# ```
#
# The Space installs `requirements.txt`, downloads both models from the Hub on its first start and shows the
# page at `https://huggingface.co/spaces/<user>/course-sentiment-demo`. A Space that loads a *private* model
# needs a token: add it in the Space's settings as the secret `HF_TOKEN`, which the app sees as an
# environment variable and `transformers` uses by itself. The Space's *Logs* tab shows what `app.py` prints,
# including the message of a model that could not be loaded.

# %% [markdown]
# ## Summary
#
# - A model folder someone can use holds the weights, `config.json` with the label names and the tokenizer;
#   `pipeline("text-classification", model=folder)` loads it the same way it loads a Hub id.
# - A model card is the repository's `README.md`: metadata for the Hub (license, base model, datasets,
#   pipeline tag, evaluation results) written with `ModelCardData`, and text for people. Report metrics with
#   their interval and show failures, not just a score.
# - `create_repo(private=True)` and `upload_folder` share a folder as one commit; the commit id pins that
#   version for `from_pretrained(..., revision=...)`. Look at what the folder holds before you upload it, and
#   keep tokens out of notebooks.
# - Gradio turns a function into a page and an API: `gr.Interface` with `gr.Label` shows label confidences,
#   `gr.ChatInterface` with a generator streams a reply, `launch(prevent_thread_lock=True)` keeps the
#   notebook usable and `gradio_client` calls the same API from code.
# - A Gradio Space is `app.py`, `requirements.txt` and a README with `sdk: gradio`; it loads models from the
#   Hub, and private ones with the `HF_TOKEN` secret.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to fill in (replace the `...`) and a checker that tells you what is off.
#
# **1 (easy).** `gr.Label` wants a dictionary from label to confidence. Write `label_confidences(outputs)`:
# `outputs` is what the pipeline returns with `top_k=None` (a list of `{"label": ..., "score": ...}`, best
# first); return the dictionary, with every label.

# %%
from nlpcourse.exercises.ch13 import check_card_data, check_history, check_label_confidences, check_streaming


def label_confidences(outputs):
    return ...


check_label_confidences(label_confidences)


# %% tags=["solution"]
def label_confidences(outputs):
    return {out["label"]: out["score"] for out in outputs}


assert check_label_confidences(label_confidences)
assert label_confidences(reloaded(EXAMPLES[0], top_k=None)) == classify(EXAMPLES[0])


# %% [markdown]
# **2 (easy).** Write the generator `stream_reply(pieces)` that `respond` would be without the model: given
# the pieces of text a streamer hands over, yield what the page should show after each one.

# %%
def stream_reply(pieces):
    ...


check_streaming(stream_reply)


# %% tags=["solution"]
def stream_reply(pieces):
    reply = ""
    for piece in pieces:
        reply += piece
        yield reply


assert check_streaming(stream_reply)


# %% [markdown]
# **3 (medium).** Write `to_messages(message, history, system=None)`: the chat for the template from a Gradio
# history. A system message first when `system` is given, then each turn of `history` as `{"role": ...,
# "content": <plain text>}` (contents may be strings or lists of parts, and turns may carry other keys such as
# `"metadata"` that the template must not see), then the new user message.

# %%
def to_messages(message, history, system=None):
    return ...


check_history(to_messages)


# %% tags=["solution"]
def to_messages(message, history, system=None):
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": turn["role"], "content": text_of(turn["content"])} for turn in history]
    return messages + [{"role": "user", "content": message}]


assert check_history(to_messages)


# %% [markdown]
# **4 (medium).** Write `card_metadata(accuracy, interval)`: a `ModelCardData` for a text classifier with the
# license `"apache-2.0"`, the base model `distilbert/distilbert-base-uncased`, the pipeline tag
# `text-classification`, one evaluation result (task `text-classification`, metric type `accuracy` with the
# given value, on a dataset of your choice) and the interval under `confidence_intervals` as in section 1.
# The checker writes your metadata to a card and parses it back, as the Hub does.

# %%
def card_metadata(accuracy, interval):
    return ...


check_card_data(card_metadata)


# %% tags=["solution"]
def card_metadata(accuracy, interval):
    return ModelCardData(
        license="apache-2.0", base_model=BASE_ID, pipeline_tag="text-classification",
        model_name=model_folder.name,
        eval_results=[EvalResult(task_type="text-classification", dataset_type="course-reviews",
                                 dataset_name=dataset_name, metric_type="accuracy", metric_value=accuracy)],
        confidence_intervals={"accuracy": {"level": 0.95, "interval": list(interval)}},
    )


assert check_card_data(card_metadata)

# %% [markdown]
# ## Further reading
#
# - Model cards on the Hub: https://huggingface.co/docs/hub/model-cards, and creating them with
#   `huggingface_hub`: https://huggingface.co/docs/huggingface_hub/guides/model-cards
# - Mitchell et al., *Model Cards for Model Reporting* (2019): https://arxiv.org/abs/1810.03993
# - Uploading files: https://huggingface.co/docs/huggingface_hub/guides/upload; tokens and their scopes:
#   https://huggingface.co/docs/hub/security-tokens
# - Gradio: https://www.gradio.app/guides/quickstart, chatbots with `ChatInterface`:
#   https://www.gradio.app/guides/creating-a-chatbot-fast, and the Python client:
#   https://www.gradio.app/guides/getting-started-with-the-python-client
# - Spaces: https://huggingface.co/docs/hub/spaces-overview, their metadata:
#   https://huggingface.co/docs/hub/spaces-config-reference, and secrets:
#   https://huggingface.co/docs/hub/spaces-overview#managing-secrets
