# %% [markdown]
# # 09 · Fine-tuning beyond classification: named entities and question answering
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/09_task_fine_tuning.ipynb
#
# Chapter 06 fine-tuned a model that gives one label per text. Many tasks need an answer per *token*
# (which words are a person, a company, a place?) or a *position* in the text (where does the answer to
# this question start and end?). The encoder is the same; what changes is how labels meet the
# tokenizer's pieces, which head sits on top, and how predictions turn back into words. This notebook
# fine-tunes one base checkpoint twice, for named-entity recognition (NER) and for extractive question
# answering (QA), and measures both against simple baselines and against the checkpoint before training.
#
# **You will learn**
# - to load data files and Hub datasets with `load_dataset`, and to give them the same schema;
# - to align word labels with subword tokens through `word_ids()`, and why continuation pieces get -100;
# - `DataCollatorForTokenClassification`, `AutoModelForTokenClassification`, entity-level precision,
#   recall and F1 with `seqeval`, and `pipeline("token-classification", aggregation_strategy="simple")`;
# - to split long contexts into overlapping windows (`stride`, `return_overflowing_tokens`) and map answer
#   characters to token positions through `offset_mapping`;
# - `AutoModelForQuestionAnswering`, turning start/end logits back into answer text, exact match and F1.
#
# **Prerequisites:** 04 (manual inference: QA spans by hand) and 06 (the `Trainer`).
#
# **On a CPU** (or Apple's MPS) the notebook trains a cheaper plan and says so when it starts: half the
# epochs of the plan for CUDA GPUs.
#
# **Runtime:** about 1.6 min on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 3.3 GB; on a GPU not measured yet. **Download:** 285 MB the first time, or ahead with
# `python -m nlpcourse download 09`.

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
# ## Data as you will meet it: files and Hub datasets
#
# Outside this course, data comes as files (JSON lines, CSV, parquet) or as a dataset on the Hugging Face
# Hub. `load_dataset("json", data_files=...)` reads JSON lines into a `DatasetDict`; with one file and no
# split names, everything lands in a split called `train`. The course files live in the folder that
# `nlpcourse.data.data_dir()` finds (the repository's `data/`, or the copy inside the installed package).

# %%
from datasets import load_dataset

from nlpcourse.data import NER_LABELS, data_dir

ner_raw = load_dataset("json", data_files=str(data_dir() / "ner.jsonl"))
qa_raw = load_dataset("json", data_files=str(data_dir() / "qa.jsonl"))
assert list(ner_raw) == list(qa_raw) == ["train"]
print(ner_raw["train"].features)
ner_raw["train"][0]

# %% [markdown]
# Each NER line carries its split and its tags as strings. `filter` makes the two splits, and a `map`
# turns the tags into ids of a `ClassLabel` feature, so that the label names travel with the data.
# The result is what the course loader `load_ner()` returns.

# %%
from datasets import ClassLabel, DatasetDict, Features, List, Value

from nlpcourse.data import load_ner

ner_features = Features({"id": Value("string"), "tokens": List(Value("string")),
                         "ner_tags": List(ClassLabel(names=NER_LABELS))})
ner = DatasetDict({
    split: ner_raw["train"].filter(lambda row, s=split: row["split"] == s)
    .map(lambda row: {"ner_tags": [NER_LABELS.index(t) for t in row["ner_tags"]]}, remove_columns=["split"])
    .cast(ner_features)
    for split in ("train", "test")
})
reference = load_ner()
assert ner["train"].features == reference["train"].features
assert ner["test"][:]["ner_tags"] == reference["test"][:]["ner_tags"]
{split: len(ds) for split, ds in ner.items()}

# %% [markdown]
# The question-answering file has one split, in SQuAD's format: `answers` holds lists of answer texts
# and their character offsets in `context`. The same task has a famous public dataset on the Hub,
# SQuAD (`rajpurkar/squad`, 16 MB: 87,599 training and 10,570 validation questions on Wikipedia
# paragraphs); `load_dataset` takes its Hub id.

# %%
squad = load_dataset("rajpurkar/squad", split="validation")
print(squad.features)
print(qa_raw["train"].features)
{k: squad[0][k] for k in ("question", "answers")}

# %% [markdown]
# Same columns, one difference: JSON has no 32-bit integers, so `answer_start` was read as `int64`,
# while SQuAD declares `int32`. `cast` to SQuAD's features makes the two interchangeable: they could
# now be concatenated or evaluated with the same code.

# %%
qa_all = qa_raw["train"].cast(squad.features)
assert qa_all.features == squad.features
assert qa_raw["train"].features["answers"]["answer_start"].feature.dtype == "int64"
len(qa_all), len(set(qa_all["context"]))

# %% [markdown]
# The questions come in groups about one article. Questions on the same article share words and facts,
# so a random split would leak answers from training into testing. We split by article instead: a third
# of the articles (and all their questions) go to the test split.

# %%
import numpy as np

titles = sorted(set(qa_all["title"]))
test_titles = set(np.random.default_rng(env.seed).permutation(titles)[: len(titles) // 3])
qa = DatasetDict({
    "train": qa_all.filter(lambda row: row["title"] not in test_titles),
    "test": qa_all.filter(lambda row: row["title"] in test_titles),
})
assert not set(qa["train"]["title"]) & set(qa["test"]["title"])
{split: len(ds) for split, ds in qa.items()}

# %% [markdown]
# ## The plan: device, precision, epochs
#
# Both tasks fine-tune the same base checkpoint, `distilbert/distilbert-base-uncased` (66 M parameters,
# 268 MB), with the `Trainer`. `nlpcourse.training_plan` decides what this machine trains: the full plan
# on a CUDA GPU (6 epochs per task, 16-bit mixed precision where the GPU has it), and a cheaper plan on a
# CPU, on Apple's MPS and anywhere else (3 epochs per task, in fp32). `plan.pick(full, cheap)` chooses
# between two values.
#
# Both plans read the question-answering contexts in windows of 256 tokens that overlap by 64. Shorter
# windows would not make the CPU plan cheaper on the course data: every question with its context fits
# in 256 tokens, one window each, while 96-token windows cut many of them in two and repeat the
# overlap, so there are more windows and more tokens to train on (counted in the question-answering
# section below). Measured with a DistilBERT of the real size on one CPU thread, one epoch over all
# 140 course questions took 61 s of processor time in 96-token windows (stride 32) and 53 s in 256-token
# windows (stride 64): 16% more for the shorter windows, in line with the tokens in their padded batches
# (17,664 against 15,144).

# %%
plan = nlpcourse.training_plan(env.device)
NER_EPOCHS = plan.pick(6, 3)
QA_EPOCHS = plan.pick(6, 3)
QA_MAX_LENGTH, QA_STRIDE = 256, 64
print(plan)
print(f"NER: {NER_EPOCHS} epochs; QA: {QA_EPOCHS} epochs on windows of {QA_MAX_LENGTH} tokens, "
      f"overlapping by {QA_STRIDE}" + ("" if plan.full else "; the full plan trains 6 epochs of each"))

# %% [markdown]
# ## Token classification: one label per word, several pieces per word
#
# The NER data gives one tag per *word*; the model sees subword *tokens*. Passing the words with
# `is_split_into_words=True` keeps the word boundaries, and `word_ids()` says which word each token
# came from (`None` for `[CLS]` and `[SEP]`).

# %%
from transformers import AutoTokenizer

CHECKPOINT = "distilbert/distilbert-base-uncased"
tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT)
label_names = ner["train"].features["ner_tags"].feature.names
example = next(row for row in ner["train"]
               if len(tokenizer(row["tokens"], is_split_into_words=True).tokens()) > len(row["tokens"]) + 3)
encoding = tokenizer(example["tokens"], is_split_into_words=True)
word_ids = encoding.word_ids()
tokens = encoding.tokens()
assert word_ids[0] is None and word_ids[-1] is None
assert len(tokens) > len(example["tokens"]) + 2  # some words became several pieces
list(zip(tokens, word_ids, strict=True))

# %% [markdown]
# The loss needs one label per token. The usual rule: the first piece of each word gets the word's
# label; continuation pieces and special tokens get -100, the index PyTorch's cross-entropy ignores. The
# alternative labels every piece with its word's label. Both are a few lines:

# %%
IGNORE = -100


def align_labels(word_ids, word_labels, every_piece=False):
    """Token labels from word labels: first piece (or every piece) of a word; -100 elsewhere."""
    labels, previous = [], None
    for word in word_ids:
        if word is None:
            labels.append(IGNORE)
        elif word != previous or every_piece:
            labels.append(word_labels[word])
        else:
            labels.append(IGNORE)
        previous = word
    return labels


first = align_labels(word_ids, example["ner_tags"])
every = align_labels(word_ids, example["ner_tags"], every_piece=True)
[(tok, label_names[a] if a != IGNORE else "-100", label_names[b] if b != IGNORE else "-100")
 for tok, a, b in zip(tokens, first, every, strict=True)]


# %% [markdown]
# The alignment must round-trip: reading the label at each word's first piece gives back exactly the
# word labels. We check it on every sentence of both splits.

# %%
def word_labels_back(word_ids, token_labels):
    """The label at the first piece of each word."""
    out, previous = [], None
    for word, label in zip(word_ids, token_labels, strict=True):
        if word is not None and word != previous:
            out.append(label)
        previous = word
    return out


n_pieces = {"first piece": 0, "every piece": 0}
for split in ("train", "test"):
    for row in ner[split]:
        ids = tokenizer(row["tokens"], is_split_into_words=True).word_ids()
        for name, flag in (("first piece", False), ("every piece", True)):
            aligned = align_labels(ids, row["ner_tags"], every_piece=flag)
            assert word_labels_back(ids, aligned) == row["ner_tags"]
            n_pieces[name] += sum(label != IGNORE for label in aligned)
n_words = sum(len(row["tokens"]) for split in ("train", "test") for row in ner[split])
assert n_pieces["first piece"] == n_words < n_pieces["every piece"]
n_pieces, n_words

# %% [markdown]
# With the first-piece rule every word counts once in the loss. Labelling every piece counts a long
# word several times (long, rare words weigh more), and its token-level tags are not valid BIO any more: a
# name split into three pieces gets `B-PER B-PER B-PER`, which reads as three entities. seqeval's
# `get_entities` (the function it scores with) shows the difference on the whole training split:

# %%
from seqeval.metrics.sequence_labeling import get_entities

word_entities = piece_entities = 0
for row in ner["train"]:
    ids = tokenizer(row["tokens"], is_split_into_words=True).word_ids()
    pieces = [label_names[t] for t in align_labels(ids, row["ner_tags"], every_piece=True) if t != IGNORE]
    word_entities += len(get_entities([label_names[t] for t in row["ner_tags"]]))
    piece_entities += len(get_entities(pieces))
assert piece_entities > word_entities
print(f"entities read from words: {word_entities}; from every-piece token tags: {piece_entities}")

# %% [markdown]
# A model trained on every-piece labels must therefore be read word by word too (or its continuation
# pieces relabelled from `B-` to `I-`, the other common variant). The first-piece rule avoids the question:
# the loss, the predictions and the scores all live on words.
#
# `map(batched=True)` aligns the whole dataset. `DataCollatorForTokenClassification` pads each batch to
# its longest sentence, and pads the labels with -100 too.

# %%
from transformers import DataCollatorForTokenClassification


def tokenize_and_align(batch, every_piece=False):
    enc = tokenizer(batch["tokens"], is_split_into_words=True, truncation=True)
    enc["labels"] = [align_labels(enc.word_ids(i), tags, every_piece)
                     for i, tags in enumerate(batch["ner_tags"])]
    return enc


ner_tok = ner.map(tokenize_and_align, batched=True, remove_columns=ner["train"].column_names)
ner_collator = DataCollatorForTokenClassification(tokenizer)
batch = ner_collator([ner_tok["train"][i] for i in range(4)])
lengths = [len(ner_tok["train"][i]["input_ids"]) for i in range(4)]
assert batch["labels"].shape == batch["input_ids"].shape == (4, max(lengths))
assert (batch["labels"][batch["attention_mask"] == 0] == IGNORE).all()
{k: tuple(v.shape) for k, v in batch.items()}

# %% [markdown]
# ## Scoring entities, not tokens
#
# Token accuracy is misleading for NER: most words are `O`, so tagging everything `O` scores high.
# `seqeval` scores whole entities: an entity counts as found only if its type and every word of it are
# right. Precision is the share of predicted entities that are right, recall the share of gold entities
# found; it reports both overall and per entity type. `evaluate.load("seqeval")` wraps it.

# %%
import evaluate

seqeval = evaluate.load("seqeval")
gold = [["B-PER", "I-PER", "O", "B-ORG", "O", "B-LOC"]]
guess = [["B-PER", "I-PER", "O", "B-ORG", "I-ORG", "O"]]
toy = seqeval.compute(predictions=guess, references=gold)
assert toy["PER"]["f1"] == 1.0 and toy["ORG"]["f1"] == 0.0  # one word too many: the ORG entity is wrong
assert toy["overall_precision"] == 0.5 and toy["overall_recall"] == 1 / 3
toy

# %% [markdown]
# Every NER system below is scored on the test split's words with one function, and keeps a row in
# `ner_results`.

# %%
test_tags = [[label_names[t] for t in row["ner_tags"]] for row in ner["test"]]
ner_results = {}


def score_ner(name, predicted_tags):
    """Entity-level scores of word tags against the test split; one row of ner_results."""
    assert [len(p) for p in predicted_tags] == [len(g) for g in test_tags]
    scores = seqeval.compute(predictions=predicted_tags, references=test_tags, zero_division=0)
    ner_results[name] = {"precision": scores["overall_precision"], "recall": scores["overall_recall"],
                         "f1": scores["overall_f1"],
                         **{f"{t} f1": scores[t]["f1"] if t in scores else 0.0
                            for t in ("PER", "ORG", "LOC", "MISC")}}
    return scores


# %% [markdown]
# ## A baseline without a neural network: the gazetteer
#
# A gazetteer is a list of known names. Ours holds every entity of the training split with its type; the
# tagger marks the longest listed name at each position of a test sentence. It finds names it has seen
# and nothing else, so it shows how much of the test split is memorisable.

# %%
gazetteer = {}
for row in ner["train"]:
    tags = [label_names[t] for t in row["ner_tags"]]
    i = 0
    while i < len(tags):
        if tags[i].startswith("B-"):
            j = i + 1
            while j < len(tags) and tags[j] == "I-" + tags[i][2:]:
                j += 1
            gazetteer[tuple(row["tokens"][i:j])] = tags[i][2:]
            i = j
        else:
            i += 1
longest = max(len(name) for name in gazetteer)


def gazetteer_tags(words):
    tags, i = ["O"] * len(words), 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            kind = gazetteer.get(tuple(words[i:i + n]))
            if kind:
                tags[i:i + n] = ["B-" + kind] + ["I-" + kind] * (n - 1)
                i += n
                break
        else:
            i += 1
    return tags


gazetteer_scores = score_ner("gazetteer (train entities)",
                             [gazetteer_tags(row["tokens"]) for row in ner["test"]])
print(f"{len(gazetteer)} names in the gazetteer")
ner_results["gazetteer (train entities)"]

# %% [markdown]
# ## The model: a token-classification head on the pre-trained encoder
#
# `AutoModelForTokenClassification` puts a linear layer on every token's hidden state, with one output
# per label. The head is new and random: the warning about newly initialised weights is expected.

# %%
from transformers import AutoModelForTokenClassification

id2label = dict(enumerate(label_names))
label2id = {name: i for i, name in id2label.items()}


def new_ner_model():
    return AutoModelForTokenClassification.from_pretrained(
        CHECKPOINT, num_labels=len(label_names), id2label=id2label, label2id=label2id)


ner_model = new_ner_model()
assert ner_model.classifier.out_features == len(label_names) == 9
print(f"{sum(p.numel() for p in ner_model.parameters()) / 1e6:.1f} M parameters")

# %% [markdown]
# The predictions come per token. To score words, we read the prediction at each word's first piece,
# the same positions the labels were put on (`word_labels_back` from above).

# %%
import torch
from transformers import Trainer


def ner_word_predictions(trainer, dataset=ner["test"]):
    """Word tags for the sentences of ``dataset``, read at each word's first piece."""
    encoded = dataset.map(tokenize_and_align, batched=True, remove_columns=dataset.column_names)
    logits = trainer.predict(encoded).predictions
    out = []
    for row, token_logits in zip(dataset, logits, strict=True):
        ids = tokenizer(row["tokens"], is_split_into_words=True).word_ids()
        predicted = token_logits[: len(ids)].argmax(-1).tolist()
        out.append([label_names[i] for i in word_labels_back(ids, predicted)])
    return out


# %% [markdown]
# The `Trainer` can score the model after every epoch: `eval_strategy="epoch"` runs an evaluation on
# `eval_dataset`, and `compute_metrics` turns the logits and labels of that run into numbers. Ours keeps
# the positions whose label is not -100 (each word's first piece), turns ids into tags and calls seqeval,
# so it gives the same entity scores as `score_ner`. There is no separate validation split, so the test
# split is scored after each epoch to show the learning curve; nothing is chosen by it (no early
# stopping, no best epoch kept), so the final scores stay a fair test.
#
# `plan.training_args` builds the `TrainingArguments` with the settings every fine-tuning run of the
# course shares (evaluation batch size, weight decay, warm-up, logging, the device's mixed precision)
# and adds this run's own. The checkpoint *before* fine-tuning is scored first: the head is random, so
# its tags are noise.

# %%
from nlpcourse.paths import scratch_dir

workdir = scratch_dir("09")


def ner_metrics(eval_prediction):
    """seqeval's overall entity scores from the logits and labels of an evaluation run."""
    logits, labels = eval_prediction
    predicted_tags, gold_tags = [], []
    for token_logits, token_labels in zip(logits, labels, strict=True):
        words = token_labels != IGNORE  # each word's first piece
        predicted_tags.append([label_names[i] for i in token_logits[words].argmax(-1)])
        gold_tags.append([label_names[i] for i in token_labels[words]])
    scores = seqeval.compute(predictions=predicted_tags, references=gold_tags, zero_division=0)
    return {"precision": scores["overall_precision"], "recall": scores["overall_recall"],
            "f1": scores["overall_f1"]}


ner_args = plan.training_args(str(workdir / "ner"), seed=env.seed, learning_rate=1e-4,
                              per_device_train_batch_size=8, num_train_epochs=NER_EPOCHS,
                              eval_strategy="epoch", save_strategy="no")
ner_trainer = Trainer(model=ner_model, args=ner_args, train_dataset=ner_tok["train"],
                      eval_dataset=ner_tok["test"], data_collator=ner_collator, processing_class=tokenizer,
                      compute_metrics=ner_metrics)
score_ner("pre-trained, not fine-tuned", ner_word_predictions(ner_trainer))
ner_results["pre-trained, not fine-tuned"]

# %% [markdown]
# ## Fine-tuning for NER
#
# Same recipe as chapter 06: `TrainingArguments`, a `Trainer`, `train()`, on the 174 training sentences.
# The progress bar shows the steps and, after each epoch, a table of the test split's loss and entity
# scores; with a model of DistilBERT's size this took about a minute on 2 CPU cores
# (`benchmarks/cpu-2-cores.md`).

# %%
ner_trainer.train()
ner_scores = score_ner("fine-tuned", ner_word_predictions(ner_trainer))
{k: round(v, 3) for k, v in ner_results["fine-tuned"].items()}

# %% [markdown]
# The per-epoch scores live in `trainer.state.log_history`, one row per evaluation. The last one scored
# the same model on the same words as `score_ner` did just now, so their F1 agree.

# %%
import math

import pandas as pd

per_epoch = pd.DataFrame([row for row in ner_trainer.state.log_history if "eval_f1" in row])
per_epoch = per_epoch[["epoch", "eval_loss", "eval_precision", "eval_recall", "eval_f1"]]
assert len(per_epoch) == NER_EPOCHS
assert math.isclose(per_epoch["eval_f1"].iloc[-1], ner_results["fine-tuned"]["f1"], abs_tol=1e-9)
per_epoch.round(3)

# %% tags=["quality"]
import pandas as pd

ner_table = pd.DataFrame(ner_results).T.round(3)
gazetteer_f1 = ner_results["gazetteer (train entities)"]["f1"]
finetuned_f1 = ner_results["fine-tuned"]["f1"]
assert finetuned_f1 > gazetteer_f1 + 0.05
assert finetuned_f1 > ner_results["pre-trained, not fine-tuned"]["f1"] + 0.1
# 174 sentences teach a model with no pre-training little: what it knew before fine-tuning shows here
assert finetuned_f1 >= 0.35
ner_table

# %% [markdown]
# The gazetteer can only find names it has seen; the fine-tuned model also tags names it never saw, from
# their context ("works for ...", "in ...") and from the pieces the words are made of. The per-type
# columns show which types it finds less well: the training split has 90 PER, 88 LOC, 46 ORG and 36 MISC
# entities.
#
# One cue it cannot use is capitalisation. The checkpoint is *uncased*: its tokenizer lower-cases every
# word before splitting it, so "Westbrook" and "westbrook" become the same tokens, and the model never
# sees the capital letter that marks most names in English text. That is why NER models are usually
# fine-tuned from *cased* checkpoints (`bert-base-cased`, `distilbert/distilbert-base-cased`); BERT's own
# release notes recommend the cased model whenever case matters and name NER as the example. This chapter
# fine-tunes one checkpoint for both tasks, so one download serves both.

# %%
assert tokenizer("Westbrook")["input_ids"] == tokenizer("westbrook")["input_ids"]
tokenizer.tokenize("Nadia Osei works for Westbrook Labs")

# %% [markdown]
# ## Save, reload, and the token-classification pipeline
#
# `save_model` writes the model and the tokenizer; `pipeline("token-classification")` loads the folder
# like a Hub id. `aggregation_strategy="simple"` joins neighbouring tokens of the same entity into one
# entity with its character span and mean score.

# %%
from transformers import pipeline

ner_dir = str(workdir / "ner-model")
ner_trainer.save_model(ner_dir)
tagger = pipeline("token-classification", model=ner_dir, aggregation_strategy="simple", device=env.device)
sentence = " ".join(ner["test"][0]["tokens"])
entities = tagger(sentence)
print(sentence)
[(e["entity_group"], sentence[e["start"]:e["end"]], round(float(e["score"]), 3)) for e in entities]


# %% [markdown]
# The same by hand: tokenize with offsets, take each token's most likely label, drop special tokens,
# start a new group at every `B-` or change of type, drop the `O` groups, and average the scores. The
# result matches the pipeline's.

# %%
def tag_by_hand(text, model=ner_trainer.model):
    enc = tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    special = enc.pop("special_tokens_mask")[0].tolist()
    with torch.inference_mode():
        logits = model(input_ids=enc["input_ids"].to(model.device),
                       attention_mask=enc["attention_mask"].to(model.device)).logits
    probs = logits[0].float().softmax(-1).cpu()
    groups = []
    for k, (start, end) in enumerate(offsets):
        if special[k]:
            continue
        label = model.config.id2label[int(probs[k].argmax())]
        bio, kind = (label.split("-", 1) if "-" in label else ("O", "O"))
        if groups and groups[-1]["type"] == kind and bio != "B":
            groups[-1]["end"] = end
            groups[-1]["scores"].append(float(probs[k].max()))
        else:
            groups.append({"type": kind, "start": start, "end": end, "scores": [float(probs[k].max())]})
    return [{"entity_group": g["type"], "start": g["start"], "end": g["end"],
             "score": float(np.mean(g["scores"]))} for g in groups if g["type"] != "O"]


mine = tag_by_hand(sentence)
assert [(e["entity_group"], e["start"], e["end"]) for e in mine] == \
    [(e["entity_group"], e["start"], e["end"]) for e in entities]
assert all(np.isclose(a["score"], float(b["score"]), atol=1e-4) for a, b in zip(mine, entities, strict=True))
for row in ner["test"].select(range(1, 6)):
    text = " ".join(row["tokens"])
    assert [(e["entity_group"], e["start"], e["end"]) for e in tag_by_hand(text)] == \
        [(e["entity_group"], e["start"], e["end"]) for e in tagger(text)]
len(mine)

# %% [markdown]
# ## Extractive question answering: windows over the context
#
# A QA model reads `[CLS] question [SEP] context [SEP]` and predicts, for every token, how likely the
# answer starts there and how likely it ends there. A context longer than the model's window is split
# into several windows: `return_overflowing_tokens=True` returns all of them, and `stride` makes
# neighbouring windows overlap by that many tokens, so that an answer cut by one window's edge is whole
# in the next. `truncation="only_second"` cuts only the context, never the question. Here with a tiny
# window, to see it:

# %%
demo = qa["train"][0]
windows = tokenizer(demo["question"], demo["context"], truncation="only_second", max_length=48, stride=16,
                    return_overflowing_tokens=True, return_offsets_mapping=True)
answer_start = demo["answers"]["answer_start"][0]
answer_end = answer_start + len(demo["answers"]["text"][0])
print("answer:", demo["answers"]["text"][0], (answer_start, answer_end))
for w in range(len(windows["input_ids"])):
    pairs = zip(windows["offset_mapping"][w], windows.sequence_ids(w), strict=True)
    context_offsets = [offset for offset, s in pairs if s == 1]
    first_char, last_char = context_offsets[0][0], context_offsets[-1][1]
    whole = first_char <= answer_start and answer_end <= last_char
    print(f"window {w}: context characters {first_char}-{last_char}, answer inside: {whole}")
assert len(windows["input_ids"]) > 1 and set(windows["overflow_to_sample_mapping"]) == {0}


# %% [markdown]
# `offset_mapping` gives each token's `(start, end)` characters in its own text (the question's tokens
# count from the question's start, the context's from the context's), and `sequence_ids(i)` says which
# text a token is from. Training needs the answer as token positions: the context token that contains
# the answer's first character and the one that contains its last. A window that does not hold the whole
# answer is labelled `(0, 0)`, the `[CLS]` token: "no answer here".

# %%
def answer_token_span(offsets, sequence_ids, start_char, end_char):
    """(start token, end token) of the characters [start_char, end_char) in the context; (0, 0) if outside."""
    context = [k for k, s in enumerate(sequence_ids) if s == 1]
    if offsets[context[0]][0] > start_char or offsets[context[-1]][1] < end_char:
        return 0, 0
    start = max(k for k in context if offsets[k][0] <= start_char)  # the token the answer starts in
    end = min(k for k in context if offsets[k][1] >= end_char)  # the token it ends in
    return start, end


def prepare_train(batch):
    enc = tokenizer(batch["question"], batch["context"], truncation="only_second", max_length=QA_MAX_LENGTH,
                    stride=QA_STRIDE, return_overflowing_tokens=True, return_offsets_mapping=True)
    sample = enc.pop("overflow_to_sample_mapping")
    enc["start_positions"], enc["end_positions"] = [], []
    for i, offsets in enumerate(enc.pop("offset_mapping")):
        answers = batch["answers"][sample[i]]
        start_char = answers["answer_start"][0]
        end_char = start_char + len(answers["text"][0])
        span = answer_token_span(offsets, enc.sequence_ids(i), start_char, end_char)
        enc["start_positions"].append(span[0])
        enc["end_positions"].append(span[1])
    return enc


qa_train = qa["train"].map(prepare_train, batched=True, remove_columns=qa["train"].column_names)
n_cls = sum(s == 0 for s in qa_train["start_positions"])
print(f"{len(qa['train'])} questions -> {len(qa_train)} windows of at most {QA_MAX_LENGTH} tokens, "
      f"{n_cls} without the whole answer")
assert len(qa_train) >= len(qa["train"])


# %% [markdown]
# The claim to check: every gold answer is recovered exactly from its token positions, in every window
# that holds it. Slicing the context from the start token's first character to the end token's last
# character must give the answer text, for every question of the course set and for SQuAD's validation
# questions (the first 500).

# %%
def recovered(rows, max_length, stride):
    """(answers recovered exactly, windows that hold their answer) over ``rows``."""
    enc = tokenizer(rows["question"], rows["context"], truncation="only_second", max_length=max_length,
                    stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True)
    exact = holding = 0
    for i, offsets in enumerate(enc["offset_mapping"]):
        j = enc["overflow_to_sample_mapping"][i]
        text, start_char = rows["answers"][j]["text"][0], rows["answers"][j]["answer_start"][0]
        s, e = answer_token_span(offsets, enc.sequence_ids(i), start_char, start_char + len(text))
        if (s, e) != (0, 0):
            holding += 1
            exact += rows["context"][j][offsets[s][0]:offsets[e][1]] == text
    return exact, holding


course_exact, course_holding = recovered(qa_all[:], QA_MAX_LENGTH, QA_STRIDE)
squad_exact, squad_holding = recovered(squad[:500], 384, 128)
assert course_exact == course_holding >= len(qa_all)
assert squad_exact >= 0.95 * squad_holding
print(f"course questions: {course_exact}/{course_holding} windows; SQuAD: {squad_exact}/{squad_holding}")


# %% [markdown]
# On the course questions every answer starts and ends at token boundaries. A few SQuAD answers start or
# end inside a word (an answer "1990" inside the token "1990s"): no token span can give them exactly, and
# the model can at best predict the whole word.
#
# ## What the window length and the stride cost and buy
#
# For three settings, on all course questions: how many windows and tokens the tokenizer makes, and for
# how many questions no window holds the whole answer (training then has no example of that answer, and
# prediction cannot find it).

# %%
def window_stats(rows, max_length, stride):
    """Windows, tokens, and questions whose answer is whole in none of their windows."""
    enc = tokenizer(rows["question"], rows["context"], truncation="only_second", max_length=max_length,
                    stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True)
    held = set()
    for i, offsets in enumerate(enc["offset_mapping"]):
        j = enc["overflow_to_sample_mapping"][i]
        start_char = rows["answers"][j]["answer_start"][0]
        end_char = start_char + len(rows["answers"][j]["text"][0])
        if answer_token_span(offsets, enc.sequence_ids(i), start_char, end_char) != (0, 0):
            held.add(j)
    return {"windows": len(enc["input_ids"]), "tokens": sum(len(ids) for ids in enc["input_ids"]),
            "answers in no window": len(rows["question"]) - len(held)}


settings = {"96 tokens, no overlap": (96, 0), "96 tokens, stride 32": (96, 32),
            f"{QA_MAX_LENGTH} tokens, stride {QA_STRIDE} (the plan)": (QA_MAX_LENGTH, QA_STRIDE)}
window_table = pd.DataFrame({name: window_stats(qa_all[:], *setting) for name, setting in settings.items()}).T
short_cut, short_stride, planned = window_table.to_dict("records")
assert short_cut["answers in no window"] > 0 and short_stride["answers in no window"] == 0
assert planned["answers in no window"] == 0 and planned["windows"] == len(qa_all)
assert short_stride["windows"] > planned["windows"] and short_stride["tokens"] > planned["tokens"]
window_table


# %% [markdown]
# Windows of 96 tokens without overlap cut some answers in two: those questions are lost for training
# and for prediction. A stride of 32 brings every answer back whole, at the price of repeated tokens.
# The plan's 256-token windows hold each course question with its context in one window, with fewer
# tokens in all: on this data the stride never comes into play. It does on longer texts: SQuAD's
# paragraphs, or your own documents, are often longer than any window a model allows (512 tokens for
# DistilBERT).
#
# ## From start and end logits to an answer
#
# For each window the model gives a start score and an end score per token. The answer is the span
# `(i, j)` inside the context with `i <= j`, not too long, that maximises `start[i] + end[j]`; over several
# windows, the best span of any window wins. This is chapter 04's `best_span`, now over windows.

# %%
def best_span(start, end, allowed, max_len=30):
    """(i, j) maximising start[i] + end[j] over allowed tokens with i <= j < i + max_len."""
    scores = start[:, None] + end[None, :]
    ones = torch.ones_like(scores, dtype=torch.bool)
    valid = allowed[:, None] & allowed[None, :] & ones.triu() & ~ones.triu(max_len)
    scores = scores.masked_fill(~valid, float("-inf"))
    flat = scores.argmax().item()
    i, j = divmod(flat, scores.shape[1])
    return i, j, scores[i, j].item()


def answer_questions(model, rows, tok=tokenizer, batch_size=32):
    """The best answer string for each question of ``rows``, over all windows of its context."""
    best = {}
    model.eval()
    for b in range(0, len(rows), batch_size):
        part = rows.select(range(b, min(b + batch_size, len(rows))))
        enc = tok(list(part["question"]), list(part["context"]), truncation="only_second",
                        max_length=QA_MAX_LENGTH, stride=QA_STRIDE, return_overflowing_tokens=True,
                        return_offsets_mapping=True, padding=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping").tolist()
        sample = enc.pop("overflow_to_sample_mapping").tolist()
        with torch.inference_mode():
            out = model(input_ids=enc["input_ids"].to(model.device),
                        attention_mask=enc["attention_mask"].to(model.device))
        for w, j in enumerate(sample):
            allowed = torch.tensor([s == 1 for s in enc.sequence_ids(w)])
            start, end = out.start_logits[w].float().cpu(), out.end_logits[w].float().cpu()
            i, k, score = best_span(start, end, allowed)
            context = part[j]["context"]
            if b + j not in best or score > best[b + j][0]:
                best[b + j] = (score, context[offsets[w][i][0]:offsets[w][k][1]])
    return [best[n][1] for n in range(len(rows))]


# %% [markdown]
# `evaluate.load("squad")` computes SQuAD's exact match and F1 (in percent) from predictions and references
# keyed by question id. Every QA system below is scored on the test split this way.

# %%
squad_metric = evaluate.load("squad")
qa_references = [{"id": row["id"], "answers": row["answers"]} for row in qa["test"]]
qa_results = {}


def score_qa(name, answers):
    predictions = [{"id": row["id"], "prediction_text": text}
                   for row, text in zip(qa["test"], answers, strict=True)]
    qa_results[name] = squad_metric.compute(predictions=predictions, references=qa_references)
    return qa_results[name]


# %% [markdown]
# ## A baseline: the sentence with the most question words
#
# Answers usually sit in the sentence that shares the most words with the question. Returning that whole
# sentence finds the right region, but a sentence is much longer than an answer: exact match is near
# zero, and F1 gets partial credit for the overlap.

# %%
import re


def content_words(text):
    return set(re.findall(r"\w+", text.lower())) - {"a", "an", "the"}


def overlap_sentence(question, context):
    sentences = re.split(r"(?<=[.!?])\s+", context)
    return max(sentences, key=lambda s: len(content_words(question) & content_words(s)))


score_qa("overlap sentence", [overlap_sentence(r["question"], r["context"]) for r in qa["test"]])

# %% [markdown]
# ## The QA model, before and after fine-tuning
#
# `AutoModelForQuestionAnswering` puts a linear layer with two outputs (start and end score) on every
# token. Before training, its head is random:

# %%
from transformers import AutoModelForQuestionAnswering, DataCollatorWithPadding

torch.manual_seed(env.seed)  # the new head's random start: the same whatever ran before this cell
qa_model = AutoModelForQuestionAnswering.from_pretrained(CHECKPOINT)
assert qa_model.qa_outputs.out_features == 2
score_qa("pre-trained, not fine-tuned", answer_questions(qa_model, qa["test"]))

# %% [markdown]
# Training: given `start_positions` and `end_positions`, the model computes two cross-entropies over the
# positions of each window, one for the start token and one for the end token, and its loss is their
# **mean**, `(start_loss + end_loss) / 2` in `DistilBertForQuestionAnswering.forward`. Checked on a batch
# of 4 windows, with `DataCollatorWithPadding`, which pads each batch of windows for the `Trainer` too:

# %%
import torch.nn.functional as F

qa_collator = DataCollatorWithPadding(tokenizer)
few = qa_collator([qa_train[i] for i in range(4)])
few = {k: few[k].to(qa_model.device)
       for k in ("input_ids", "attention_mask", "start_positions", "end_positions")}
with torch.no_grad():
    out = qa_model(**few)
start_loss = F.cross_entropy(out.start_logits, few["start_positions"])
end_loss = F.cross_entropy(out.end_logits, few["end_positions"])
assert torch.allclose(out.loss, (start_loss + end_loss) / 2, atol=1e-5)
out.loss.item(), start_loss.item(), end_loss.item()

# %%
qa_args = plan.training_args(str(workdir / "qa"), seed=env.seed, learning_rate=2e-4,
                             per_device_train_batch_size=8, num_train_epochs=QA_EPOCHS, save_strategy="no")
qa_trainer = Trainer(model=qa_model, args=qa_args, train_dataset=qa_train, data_collator=qa_collator,
                     processing_class=tokenizer)
qa_trainer.train()
qa_answers = answer_questions(qa_trainer.model, qa["test"])
score_qa("fine-tuned", qa_answers)

# %% tags=["quality"]
qa_table = pd.DataFrame(qa_results).T.round(1)
assert qa_results["fine-tuned"]["f1"] > qa_results["overlap sentence"]["f1"]
assert qa_results["fine-tuned"]["f1"] > qa_results["pre-trained, not fine-tuned"]["f1"] + 5
qa_table

# %% [markdown]
# A few answers next to the gold ones. Where they differ, look at the kind of error: the wrong place in the
# context, or the right place with boundaries a word or two off (F1 gives those partial credit).

# %%
pd.DataFrame({"question": qa["test"]["question"], "prediction": qa_answers,
              "gold": [a["text"][0] for a in qa["test"]["answers"]]}).head(8)

# %% [markdown]
# ## Save and reload the QA model
#
# As for NER, `save_model` writes the model and the tokenizer, and the folder loads like a Hub id.
# Older tutorials then answer with `pipeline("question-answering", model=folder)`; transformers 5
# removed that pipeline (asking for it raises a `KeyError`), so a reloaded QA model answers through the
# decoding written above. Same weights, same windows, same decoding: the reloaded model gives the
# fine-tuned model's answers, string for string.

# %%
qa_dir = str(workdir / "qa-model")
qa_trainer.save_model(qa_dir)
reloaded_qa = AutoModelForQuestionAnswering.from_pretrained(qa_dir).to(env.device)
reloaded_tokenizer = AutoTokenizer.from_pretrained(qa_dir)
some_questions = qa["test"].select(range(4))
reloaded_answers = answer_questions(reloaded_qa, some_questions, tok=reloaded_tokenizer)
assert reloaded_answers == qa_answers[:4]
list(zip(some_questions["question"], reloaded_answers, strict=True))

# %% [markdown]
# ## Summary
#
# - `load_dataset("json", data_files=...)` reads your files, `load_dataset("org/name")` a Hub dataset;
#   `cast` gives both the same features.
# - Token classification: `is_split_into_words=True`, `word_ids()`, the word's label on its first piece,
#   -100 on continuation pieces and special tokens; `DataCollatorForTokenClassification` pads labels too.
# - Score NER on entities with `seqeval` (overall and per type), on words, not tokens; the pipeline's
#   `aggregation_strategy="simple"` groups tokens into entities with character spans.
# - Extractive QA: `truncation="only_second"`, `stride` and `return_overflowing_tokens` for long contexts;
#   `offset_mapping` and `sequence_ids()` turn answer characters into start/end tokens and back.
# - Post-processing picks the best valid span over all windows; `evaluate`'s `squad` gives exact match and F1.
# - Compare every model with a baseline and with the untrained checkpoint, measured in the same run.

# %% [markdown]
# ## Exercises
#
# **1 (easy).** Write `align_labels(word_ids, word_labels)` from memory: the label of each word on its
# first piece, -100 on continuation pieces and on special tokens (word id `None`).

# %%
from nlpcourse.exercises.ch09 import check_align_labels

answer = ...  # your function align_labels(word_ids, word_labels)
check_align_labels(answer)


# %% tags=["solution"]
def answer(word_ids, word_labels):
    labels, previous = [], None
    for word in word_ids:
        labels.append(-100 if word is None or word == previous else word_labels[word])
        previous = word
    return labels


assert check_align_labels(answer)

# %% [markdown]
# **2.** The context "The library opens at 10 p.m. daily." with the question "When?" is tokenized into
# the offsets and sequence ids below. The answer "10 p.m." is characters 21 to 28 of the context. Which
# tokens are its start and end (both inclusive)? Work it out from the lists.

# %%
from nlpcourse.exercises.ch09 import SPAN_EXAMPLE, check_answer_tokens

print(list(enumerate(zip(SPAN_EXAMPLE["offsets"], SPAN_EXAMPLE["sequence_ids"], strict=True))))
answer = ...  # (start_token, end_token)
check_answer_tokens(answer)

# %% tags=["solution"]
answer = answer_token_span(SPAN_EXAMPLE["offsets"], SPAN_EXAMPLE["sequence_ids"], 21, 28)
assert check_answer_tokens(answer)

# %% [markdown]
# **3.** Write `bio_entities(tags)`, the decoding that `seqeval` does: it returns the entities of a list
# of BIO tags as `(type, first word, last word + 1)` tuples, in order. A `B-` tag always starts a new
# entity; an `I-` tag continues the entity just before it if the type matches, and otherwise (after `O`,
# at the start, or after another type) starts a new entity of its own type, as seqeval reads it.

# %%
from nlpcourse.exercises.ch09 import check_bio_entities

answer = ...  # your function bio_entities(tags)
check_bio_entities(answer)


# %% tags=["solution"]
def answer(tags):
    entities = []
    for i, tag in enumerate(tags):
        kind = tag[2:]
        if tag.startswith("I-") and entities and entities[-1][2] == i and entities[-1][0] == kind:
            entities[-1] = (kind, entities[-1][1], i + 1)
        elif tag != "O":
            entities.append((kind, i, i + 1))
    return entities


assert check_bio_entities(answer)

# %% [markdown]
# **4 (stretch).** Write `f1(prediction, reference)` as SQuAD computes it for one answer: normalise both
# (lower case, remove punctuation and the articles a/an/the), then the F1 of their shared words (a share
# from 0 to 1). Check your function against `squad_metric` on a few of the fine-tuned model's answers.

# %%
from nlpcourse.exercises.ch09 import check_squad_f1

answer = ...  # your function f1(prediction, reference)
check_squad_f1(answer)

# %% tags=["solution"]
import collections
import string


def answer(prediction, reference):
    def words(text):
        text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
        return re.sub(r"\b(a|an|the)\b", " ", text).split()

    pred, ref = words(prediction), words(reference)
    common = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


assert check_squad_f1(answer)

# %% [markdown]
# ## Further reading
#
# - Token classification (Transformers task guide): https://huggingface.co/docs/transformers/tasks/token_classification
# - Question answering (Transformers task guide): https://huggingface.co/docs/transformers/tasks/question_answering
# - Hugging Face LLM course, chapter 7 (main NLP tasks): https://huggingface.co/learn/llm-course/chapter7
# - Loading datasets (local files and the Hub): https://huggingface.co/docs/datasets/loading
# - seqeval: https://github.com/chakki-works/seqeval
# - Tjong Kim Sang and De Meulder (2003), the CoNLL-2003 NER task: https://aclanthology.org/W03-0419/
# - BERT's release notes on cased and uncased models: https://github.com/google-research/bert#pre-trained-models
# - Rajpurkar et al. (2016), SQuAD: https://arxiv.org/abs/1606.05250
