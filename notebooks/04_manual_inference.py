# %% [markdown]
# # 04 · Manual inference: from text to prediction, step by step
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/04_manual_inference.ipynb
#
# `pipeline()` hides four steps: the tokenizer turns text into ids, the model turns ids into
# *logits*, softmax turns logits into probabilities, and the label map turns the winning index into a
# word. When something goes wrong in production (a wrong label, a crash on a long document, a
# confident mistake) you need to see those steps. This notebook does them by hand, with the tensor
# shape at each step, and proves at every stage that the result equals what the pipeline returns.
#
# **You will learn**
# - the path text -> tokens -> ids -> logits -> probabilities -> label, with shapes, and that it
#   matches `pipeline()` to five decimals;
# - why `model.eval()` and `torch.inference_mode()` belong around every prediction, and why a batch
#   needs its attention mask;
# - the difference between a model's body (`AutoModel`, hidden states) and a task head (logits);
# - extractive question answering and greedy text generation without a pipeline;
# - how to abstain on unsure predictions, handle texts longer than the model's limit, and save and
#   reload a model without changing a single logit.
#
# **Prerequisites:** 01 (tokenization) and 03 (pipelines).
#
# **Runtime:** about 34 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 2.1 GB; on a GPU not measured yet. **Download:** 802 MB the first time, or ahead with
# `python -m nlpcourse download 04`.

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
# ## The sentiment checkpoint
#
# We use the checkpoint that `pipeline("sentiment-analysis")` picks by default: DistilBERT fine-tuned
# on SST-2 movie-review sentences (268 MB). `AutoTokenizer` and `AutoModelForSequenceClassification`
# read its `config.json` and build the right classes. `model.eval()` switches the model to inference
# behaviour (more on that below).

# %%
import torch
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer, pipeline

CHECKPOINT = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT)
model = AutoModelForSequenceClassification.from_pretrained(CHECKPOINT).to(env.device).eval()
type(model).__name__

# %% [markdown]
# The configuration says how many classes the head has and what each index means:

# %%
config = model.config
assert config.num_labels == 2
assert config.id2label == {0: "NEGATIVE", 1: "POSITIVE"}
assert config.label2id == {"NEGATIVE": 0, "POSITIVE": 1}
config.id2label

# %% [markdown]
# ## Step 1: text to ids
#
# The tokenizer splits the text into WordPiece tokens, adds `[CLS]` at the start and `[SEP]` at the
# end, and maps each token to an id. `return_tensors="pt"` gives PyTorch tensors with a batch
# dimension: shape `(batch, sequence)`.

# %%
text = "I love this course, every notebook teaches me something new."
inputs = tokenizer(text, return_tensors="pt").to(env.device)
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
assert tokens[1:4] == ["i", "love", "this"]
assert inputs["input_ids"].shape == (1, len(tokens))
print(list(inputs.keys()))
tokens

# %% [markdown]
# The tokenizer also returns an `attention_mask` (1 for every real token) and `token_type_ids`
# (all 0 for a single text). DistilBERT has no segment embeddings, so it ignores the latter.

# %%
assert (inputs["attention_mask"] == 1).all()
assert (inputs.get("token_type_ids", torch.zeros(1)) == 0).all()
assert not hasattr(model.distilbert.embeddings, "token_type_embeddings")
model.distilbert.embeddings

# %% [markdown]
# ## Step 2: ids to logits
#
# The model returns one score per class, a *logit*: shape `(batch, num_labels)`. Logits are unbounded
# real numbers; only their differences matter.

# %%
with torch.inference_mode():
    outputs = model(**inputs)
logits = outputs.logits
assert logits.shape == (1, model.config.num_labels)
logits

# %% [markdown]
# ## Step 3: logits to probabilities, then to a label
#
# Softmax exponentiates each logit and divides by the sum, so the values are positive and add up to 1.
# The index of the largest probability, looked up in `id2label`, is the label.

# %%
probs = logits.softmax(dim=-1)
pred_id = probs.argmax(dim=-1).item()
label, score = model.config.id2label[pred_id], probs[0, pred_id].item()
assert abs(probs.sum().item() - 1) < 1e-6
assert torch.allclose(probs, logits.exp() / logits.exp().sum(), atol=1e-6)
assert label == "POSITIVE"
shapes = {"input_ids": tuple(inputs["input_ids"].shape), "logits": tuple(logits.shape),
          "probs": tuple(probs.shape), "label": label}
shapes, round(score, 4)

# %% [markdown]
# ## The same answer as the pipeline
#
# The pipeline runs exactly these steps. Same checkpoint, same text: same label, same score (up to
# floating-point noise, here 1e-5).

# %%
classifier = pipeline("sentiment-analysis", model=CHECKPOINT, device=env.device)
from_pipeline = classifier(text)[0]
assert from_pipeline["label"] == label
assert abs(from_pipeline["score"] - score) < 1e-5
from_pipeline

# %% [markdown]
# Notice: the pipeline reports only the winning label's probability. With `top_k=None` it reports
# every label, and those are our `probs`:

# %%
all_scores = {d["label"]: d["score"] for d in classifier(text, top_k=None)}
for i, name in model.config.id2label.items():
    assert abs(all_scores[name] - probs[0, i].item()) < 1e-5
all_scores

# %% [markdown]
# ## `model.eval()` and `torch.inference_mode()`
#
# *Dropout* randomly zeroes activations while a model trains. In training mode (`model.train()`) two
# runs on the same input therefore give different logits; `model.eval()` switches dropout off and makes
# predictions repeatable. `from_pretrained` already returns the model in eval mode, but calling
# `.eval()` yourself makes the intent explicit and protects you after any training step.

# %%
model.train()
with torch.inference_mode():
    first, second = model(**inputs).logits, model(**inputs).logits
assert not torch.allclose(first, second, atol=1e-3)  # dropout: a different random mask each run

model.eval()
with torch.inference_mode():
    first, second = model(**inputs).logits, model(**inputs).logits
assert torch.allclose(first, second, atol=1e-6)  # the same logits, up to float rounding
assert not model.training
first, second

# %% [markdown]
# `torch.inference_mode()` (or the older `torch.no_grad()`) tells PyTorch not to record the
# operations for backpropagation. That saves memory and time; the numbers are the same.

# %%
tracked = model(**inputs).logits  # no context manager: PyTorch keeps the graph for gradients
with torch.inference_mode():
    untracked = model(**inputs).logits
assert tracked.requires_grad and tracked.grad_fn is not None
assert not untracked.requires_grad and untracked.grad_fn is None
assert torch.allclose(tracked.detach(), untracked, atol=1e-5)
type(tracked.grad_fn).__name__

# %% [markdown]
# ## A batch: padding and the attention mask
#
# A batch is one tensor, so all its rows need the same length: the tokenizer pads the shorter texts
# with `[PAD]` (id 0) and marks the padding with 0 in the `attention_mask`.

# %%
texts = [
    "The plot was thin, the acting wooden, and the ending a relief.",
    "Great food.",
    "Delivery was late but the product works.",
]
batch = tokenizer(texts, padding=True, return_tensors="pt").to(env.device)
lengths = batch["attention_mask"].sum(dim=1)
assert batch["input_ids"].shape == (len(texts), lengths.max().item())
assert (batch["input_ids"][1, lengths[1]:] == tokenizer.pad_token_id).all()
batch["attention_mask"]

# %% [markdown]
# With the mask, each padded text gets the same logits as when it runs alone: the model ignores
# the padding.

# %%
with torch.inference_mode():
    batched = model(**batch).logits
    alone = torch.cat([model(**tokenizer(t, return_tensors="pt").to(env.device)).logits for t in texts])
assert torch.allclose(batched, alone, atol=1e-4)
batched

# %% [markdown]
# Now drop the mask. The model attends to the `[PAD]` tokens as if they were words, and the logits
# of the padded texts change. The longest text has no padding, so its logits stay the same.

# %%
with torch.inference_mode():
    no_mask = model(input_ids=batch["input_ids"]).logits
shortest = lengths.argmin().item()
longest = lengths.argmax().item()
assert not torch.allclose(no_mask[shortest], batched[shortest], atol=1e-4)
assert torch.allclose(no_mask[longest], batched[longest], atol=1e-4)
(no_mask - batched).abs().max(dim=1).values

# %% [markdown]
# Rule: always pass the whole tokenizer output (`model(**batch)`), never only the `input_ids`.

# %% [markdown]
# ## The body and the head
#
# `AutoModel` loads only the *body* of the checkpoint: the transformer that turns each token into a
# vector. Its `last_hidden_state` has shape `(batch, sequence, hidden)`. The load report lists the
# classification head's weights as unexpected: `AutoModel` has no place for them.

# %%
body = AutoModel.from_pretrained(CHECKPOINT).to(env.device)
assert not body.training  # from_pretrained returns the model in eval mode
with torch.inference_mode():
    hidden = body(**inputs).last_hidden_state
hidden.shape

# %%
assert hidden.shape == (1, inputs["input_ids"].shape[1], body.config.hidden_size)
assert type(body).__name__ == "DistilBertModel"
body.config.hidden_size, body.config.num_hidden_layers

# %% [markdown]
# The *task head* of `AutoModelForSequenceClassification` is two small linear layers on top of the
# first token's vector (the `[CLS]` position). Applying them by hand to the body's output gives the
# model's logits: the body is shared, the head makes the decision.

# %%
cls_vector = hidden[:, 0]  # (batch, hidden): the [CLS] position
with torch.inference_mode():
    by_hand = model.classifier(torch.relu(model.pre_classifier(cls_vector)))
assert cls_vector.shape == (1, model.config.hidden_size)
assert by_hand.shape == logits.shape
assert torch.allclose(by_hand, logits, atol=1e-5)
model.pre_classifier, model.classifier

# %% [markdown]
# ## Extractive question answering by hand
#
# An extractive QA model does not write an answer: it points at a span of the context. For each token
# it outputs a *start* logit and an *end* logit; the answer is the span `(i, j)` with the highest
# `start[i] + end[j]` such that both lie in the context, `i <= j`, and the span is not too long.
# Offsets from the tokenizer turn token positions back into characters of the context.
#
# Older tutorials call `pipeline("question-answering")`; transformers 5 removed that task, so here is
# what it did. The checkpoint is DistilBERT distilled on SQuAD (262 MB); the questions come from the
# course's QA set.

# %%
from transformers import AutoModelForQuestionAnswering

from nlpcourse.data import load_qa

QA_CHECKPOINT = "distilbert/distilbert-base-cased-distilled-squad"
qa_tokenizer = AutoTokenizer.from_pretrained(QA_CHECKPOINT)
qa_model = AutoModelForQuestionAnswering.from_pretrained(QA_CHECKPOINT).to(env.device).eval()
qa = load_qa()["test"]
example = qa[0]
print("Q:", example["question"])
print("gold:", example["answers"]["text"])
example["context"]

# %% [markdown]
# The question and the context go in as a pair: `[CLS] question [SEP] context [SEP]`.
# `sequence_ids()` says which part each token comes from (0 question, 1 context, `None` special), and
# `return_offsets_mapping=True` gives each token's `(start, end)` characters in its text.

# %%
qa_inputs = qa_tokenizer(example["question"], example["context"], truncation="only_second",
                         max_length=384, return_offsets_mapping=True, return_tensors="pt")
offsets = qa_inputs.pop("offset_mapping")[0].tolist()
sequence_ids = qa_inputs.sequence_ids(0)
with torch.inference_mode():
    qa_out = qa_model(**qa_inputs.to(env.device))
start_logits, end_logits = qa_out.start_logits[0].cpu(), qa_out.end_logits[0].cpu()
assert start_logits.shape == end_logits.shape == (qa_inputs["input_ids"].shape[1],)
assert sequence_ids.count(0) > 0 and sequence_ids.count(1) > 0
start_logits.shape


# %% [markdown]
# Scoring every pair at once: `start[:, None] + end[None, :]` is a `(sequence, sequence)` matrix
# whose entry `(i, j)` is the score of the span from token `i` to token `j`. We keep only pairs inside
# the context with `i <= j < i + max_len` and take the best.

# %%
def best_span(start, end, allowed, max_len=30):
    """(i, j) maximising start[i] + end[j] over allowed tokens with i <= j < i + max_len."""
    scores = start[:, None] + end[None, :]
    ones = torch.ones_like(scores, dtype=torch.bool)
    valid = allowed[:, None] & allowed[None, :] & ones.triu() & ~ones.triu(max_len)
    flat = scores.masked_fill(~valid, float("-inf")).argmax().item()
    return divmod(flat, scores.shape[1])


in_context = torch.tensor([s == 1 for s in sequence_ids])
i, j = best_span(start_logits, end_logits, in_context)
answer = example["context"][offsets[i][0]:offsets[j][1]]
assert i <= j and sequence_ids[i] == sequence_ids[j] == 1
assert answer and answer in example["context"]
(i, j), answer

# %% [markdown]
# The two probability curves over the context tokens, with the chosen span shaded. A confident
# model shows one sharp start peak and one sharp end peak; flat curves mean it is guessing.

# %%
import matplotlib.pyplot as plt

ctx = [k for k, s in enumerate(sequence_ids) if s == 1]
ctx_tokens = qa_tokenizer.convert_ids_to_tokens(qa_inputs["input_ids"][0, ctx])
fig, ax = plt.subplots(figsize=(11, 3))
ax.plot(start_logits[ctx].softmax(-1), "o-", label="start probability")
ax.plot(end_logits[ctx].softmax(-1), "s-", label="end probability")
ax.axvspan(ctx.index(i) - 0.5, ctx.index(j) + 0.5, color="tab:green", alpha=0.2, label="chosen span")
ax.set_xticks(range(len(ctx)), labels=ctx_tokens, rotation=90, fontsize=7)
ax.set(xlabel="context token", ylabel="probability", title=example["question"])
ax.legend()
fig.tight_layout()

# %% [markdown]
# Now every question of the course set, compared with the gold answers. *Exact match* (EM) counts
# answers identical to a gold answer after SQuAD's normalisation (lower case, no punctuation, no
# articles); *F1* gives partial credit for overlapping words. These are the two SQuAD metrics.

# %%
import re
import string
from collections import Counter


def normalize(s):
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", s).split())


def token_f1(pred, gold):
    p, g = normalize(pred).split(), normalize(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    return 0.0 if common == 0 else 2 * common / (len(p) + len(g))


def answer_questions(questions, contexts, max_len=30, batch_size=32):
    """The best span of each context, for a list of questions, batch by batch."""
    answers = []
    for b in range(0, len(questions), batch_size):
        enc = qa_tokenizer(questions[b:b + batch_size], contexts[b:b + batch_size], truncation="only_second",
                           max_length=384, padding=True, return_offsets_mapping=True, return_tensors="pt")
        offs = enc.pop("offset_mapping").tolist()
        with torch.inference_mode():
            out = qa_model(**enc.to(env.device))
        for k, context in enumerate(contexts[b:b + batch_size]):
            allowed = torch.tensor([s == 1 for s in enc.sequence_ids(k)])
            a, z = best_span(out.start_logits[k].cpu(), out.end_logits[k].cpu(), allowed, max_len)
            assert a <= z and allowed[a] and allowed[z]
            answers.append(context[offs[k][a][0]:offs[k][z][1]])
    return answers


predictions = answer_questions(list(qa["question"]), list(qa["context"]))
rows = []
for ex, pred in zip(qa, predictions, strict=True):
    assert pred and pred in ex["context"]
    golds = ex["answers"]["text"]
    rows.append({"question": ex["question"], "prediction": pred, "gold": golds[0],
                 "em": max(float(normalize(pred) == normalize(g)) for g in golds),
                 "f1": max(token_f1(pred, g) for g in golds)})
assert predictions[0] == answer  # batching with padding does not change the answer
len(rows)

# %%
import pandas as pd

qa_table = pd.DataFrame(rows)
em, f1 = qa_table.em.mean(), qa_table.f1.mean()
assert len(qa_table) == len(qa) and 0 <= em <= f1 <= 1
print(f"{len(qa_table)} questions: exact match {em:.2f}, F1 {f1:.2f}")
qa_table.head(8)

# %% [markdown]
# Notice: F1 is at least EM, because an exact match also has F1 = 1. Read the rows where EM is 0
# but F1 is high: the model found the right place but took a word too many or too few.

# %% [markdown]
# ## Next-token prediction by hand: a greedy loop
#
# A causal language model outputs, at every position, logits over the whole vocabulary for the *next*
# token: shape `(batch, sequence, vocab)`. Only the last position matters for continuing the text.
# The checkpoint is SmolLM2-135M (273 MB). Its files store bf16 weights; `nlpcourse.choose_dtype` picks
# the precision your hardware runs fastest (fp32 where bf16 would only be emulated) and says why.

# %%
from transformers import AutoModelForCausalLM

LM_CHECKPOINT = "HuggingFaceTB/SmolLM2-135M"
lm_precision = nlpcourse.choose_dtype(env.device)
print(f"loading in {lm_precision.name}: {lm_precision.reason}")
lm_tokenizer = AutoTokenizer.from_pretrained(LM_CHECKPOINT)
lm = AutoModelForCausalLM.from_pretrained(LM_CHECKPOINT, dtype=lm_precision.dtype).to(env.device).eval()
prompt = "The service at this restaurant was"
prompt_ids = lm_tokenizer(prompt, return_tensors="pt").to(env.device)
with torch.inference_mode():
    lm_logits = lm(**prompt_ids).logits
assert lm_logits.shape == (1, prompt_ids["input_ids"].shape[1], lm.config.vocab_size)
lm_logits.shape

# %% [markdown]
# The five most likely next tokens after the prompt:

# %%
from nlpcourse import plots

next_probs = lm_logits[0, -1].softmax(-1)
top = next_probs.topk(5)
candidates = {repr(lm_tokenizer.decode(t)): p.item() for p, t in zip(top.values, top.indices, strict=True)}
assert abs(next_probs.sum().item() - 1) < 1e-4
assert list(candidates.values()) == sorted(candidates.values(), reverse=True)
plots.bars(candidates, title=f"next token after {prompt!r}", xlabel="token", ylabel="probability");

# %% [markdown]
# *Greedy decoding* appends the most likely token and repeats, stopping at the end-of-sequence
# token or after `max_new_tokens`. Written out, it is a loop of five lines:

# %%
MAX_NEW_TOKENS = 20
ids = prompt_ids["input_ids"]
with torch.inference_mode():
    for _ in range(MAX_NEW_TOKENS):
        next_id = lm(input_ids=ids).logits[:, -1].argmax(dim=-1, keepdim=True)
        ids = torch.cat([ids, next_id], dim=1)
        if next_id.item() == lm_tokenizer.eos_token_id:
            break
lm_tokenizer.decode(ids[0])

# %% [markdown]
# `generate(do_sample=False)` does the same, only faster: it caches the keys and values of earlier
# positions instead of recomputing them. The tokens are the same, one for one, with one exception: the cache
# changes the order of the arithmetic, so scores can differ in their last bits (more so in bf16), and where
# two tokens score nearly the same the two paths may pick different ones. The check allows exactly that.

# %%
with torch.inference_mode():
    generated = lm.generate(**prompt_ids, max_new_tokens=MAX_NEW_TOKENS, do_sample=False,
                            pad_token_id=lm_tokenizer.eos_token_id)
same = [a == b for a, b in zip(generated[0].tolist(), ids[0].tolist(), strict=False)]
if all(same):
    assert generated.shape == ids.shape
else:  # the first token where they part must be a near-tie in the loop's own scores
    split = same.index(False)
    with torch.inference_mode():
        scores = lm(input_ids=ids[:, :split]).logits[0, -1].float().log_softmax(-1)
    gap = (scores[ids[0, split]] - scores[generated[0, split]]).item()
    assert 0 <= gap < 0.1, f"the loop and generate() part at token {split}: log-probability gap {gap}"
    print(f"the two paths part at a near-tie (log-probability gap {gap:.4f}) at token {split}")
generated.shape[1] - prompt_ids["input_ids"].shape[1], "new tokens, the same as the loop's"

# %% [markdown]
# ## Confidence thresholds: abstain when unsure
#
# A classifier always answers, even when its probabilities are close to 50/50. In many applications it
# is better to *abstain* (pass the case to a person) below a chosen confidence. We score the course's
# reviews with the sentiment model, batch by batch. The reviews are labelled `negative`/`positive`;
# the model says `NEGATIVE`/`POSITIVE`, so we map the dataset's label ids through the model's
# `label2id`.

# %%
from nlpcourse.data import load_reviews

reviews = load_reviews()
names = reviews["validation"].features["label"].names
to_model_id = torch.tensor([model.config.label2id[n.upper()] for n in names])


def predict_probs(texts, batch_size=64):
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            enc = tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                            return_tensors="pt").to(env.device)
            chunks.append(model(**enc).logits.softmax(-1).cpu())
    return torch.cat(chunks)


scored = {}
for split in ("validation", "test"):
    ds = reviews[split]
    p = predict_probs(list(ds["text"]))
    gold = to_model_id[torch.tensor(list(ds["label"]))]
    scored[split] = {"confidence": p.max(-1).values, "correct": p.argmax(-1) == gold,
                     "hard": torch.tensor(list(ds["hard"]))}
val, test = scored["validation"], scored["test"]
assert len(val["confidence"]) == reviews["validation"].num_rows
assert (val["confidence"] >= 0.5).all()  # two classes: the winner has at least 1/2
print(f"accuracy without abstaining: validation {val['correct'].float().mean():.3f}, "
      f"test {test['correct'].float().mean():.3f}")

# %% [markdown]
# For each threshold, *coverage* is the share of reviews the model still answers, and *accuracy*
# is measured on those answered ones. Raising the threshold trades coverage for accuracy:

# %%
import numpy as np


def coverage_accuracy(conf, ok, threshold):
    kept = conf >= threshold
    return kept.float().mean().item(), (ok[kept].float().mean().item() if kept.any() else float("nan"))


thresholds = np.linspace(0.5, val["confidence"].max().item(), 30)
curve = np.array([coverage_accuracy(val["confidence"], val["correct"], t) for t in thresholds])
assert np.isclose(curve[0, 0], 1.0)  # at 0.5 the model answers everything
assert (np.diff(curve[:, 0]) <= 0).all()  # coverage never grows with the threshold

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(curve[:, 0], curve[:, 1], "o-")
for t, (c, a) in list(zip(thresholds, curve, strict=True))[::6]:
    ax.annotate(f"{t:.2f}", (c, a), fontsize=8, xytext=(4, 4), textcoords="offset points")
ax.set(xlabel="coverage (share of reviews answered)", ylabel="accuracy on answered reviews",
       title="Abstaining below a threshold (validation; labels = threshold)");

# %% [markdown]
# Choose the threshold on the validation split, then check it on the test split, which played no
# part in the choice. Here we abstain on the 20 % least confident validation reviews.

# %% tags=["quality"]
threshold = val["confidence"].quantile(0.2).item()
val_cov, val_acc = coverage_accuracy(val["confidence"], val["correct"], threshold)
test_cov, test_acc = coverage_accuracy(test["confidence"], test["correct"], threshold)
all_val_acc = val["correct"].float().mean().item()
assert 0.75 <= val_cov <= 0.85  # 0.80 by construction of the 20 % quantile, unless many confidences tie
# compared with all answers of this same run, not with a fixed number
assert val_acc >= all_val_acc  # the answers it keeps are the more reliable ones
print(f"threshold {threshold:.3f}: validation coverage {val_cov:.1%}, accuracy {val_acc:.3f} "
      f"(all: {all_val_acc:.3f})")
print(f"on test: coverage {test_cov:.1%}, accuracy {test_acc:.3f} "
      f"(all: {test['correct'].float().mean():.3f})")

# %% [markdown]
# The reviews marked `hard` (negation, contrast, sarcasm, mixed feelings, a word whose sentiment flips
# with the domain) are harder for the model than ordinary ones. Does the threshold send a larger share
# of them to a person?

# %%
abstain = test["confidence"] < threshold
hard = test["hard"]
by_kind = {"hard": abstain[hard].float().mean().item(), "ordinary": abstain[~hard].float().mean().item()}
accuracy_by_kind = {"hard": test["correct"][hard].float().mean().item(),
                    "ordinary": test["correct"][~hard].float().mean().item()}
assert hard.any() and (~hard).any()
assert accuracy_by_kind["hard"] <= accuracy_by_kind["ordinary"]  # hard reviews are no easier, in this run
print(f"without abstaining the hard reviews score {accuracy_by_kind['hard']:.2f}, the ordinary ones "
      f"{accuracy_by_kind['ordinary']:.2f}; the threshold sends {by_kind['hard']:.0%} of the hard and "
      f"{by_kind['ordinary']:.0%} of the ordinary reviews to a person")
pd.DataFrame({"abstention rate": by_kind, "accuracy without abstaining": accuracy_by_kind}).round(3)

# %% [markdown]
# ## Long inputs: truncation, and a sliding window
#
# DistilBERT has 512 position embeddings, so it reads at most 512 tokens. Longer input either stops the
# model with a `RuntimeError` (shown below) or, with `truncation=True`, is silently cut. A careful function
# says what it did, and refuses input that makes no sense:

# %%
import warnings

MAX_TOKENS = min(tokenizer.model_max_length, model.config.max_position_embeddings)


def classify(text):
    """Label and probability of `text`; warns when the text is cut to MAX_TOKENS tokens."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"cannot classify {text!r}: the text is empty; pass at least one word")
    n_tokens = len(tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"])
    if n_tokens > MAX_TOKENS:
        warnings.warn(f"the text has {n_tokens} tokens but the model reads at most {MAX_TOKENS}: "
                      f"the last {n_tokens - MAX_TOKENS} tokens are ignored", stacklevel=2)
    enc = tokenizer(text, truncation=True, max_length=MAX_TOKENS, return_tensors="pt").to(env.device)
    with torch.inference_mode():
        p = model(**enc).logits.softmax(-1)[0]
    return {"label": model.config.id2label[p.argmax().item()], "score": p.max().item(),
            "tokens": n_tokens, "truncated": n_tokens > MAX_TOKENS}


assert MAX_TOKENS == 512
assert classify(text)["label"] == label and not classify(text)["truncated"]
try:
    classify("   ")
except ValueError as err:
    print("ValueError:", err)
else:
    raise AssertionError("empty text must be refused")

# %% [markdown]
# A long document: 40 positive test reviews followed by 40 negative ones, more than twice the limit.

# %%
test_reviews = reviews["test"].filter(lambda r: not r["hard"])
praise = [r["text"] for r in test_reviews if r["label"] == names.index("positive")][:40]
complaints = [r["text"] for r in test_reviews if r["label"] == names.index("negative")][:40]
long_text = " ".join(praise + complaints)
n_praise = len(tokenizer(" ".join(praise), add_special_tokens=False, verbose=False)["input_ids"])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    verdict = classify(long_text)
assert verdict["truncated"] and verdict["tokens"] > 2 * MAX_TOKENS
assert n_praise >= MAX_TOKENS - 2  # the part that fits (512 minus [CLS] and [SEP]) is all praise
assert any("tokens are ignored" in str(w.message) for w in caught)
print(caught[-1].message)
verdict

# %% [markdown]
# Without truncation the model cannot read this document at all. Its embedding layer adds one of its
# 512 position vectors to each token vector, and there are more tokens than that:

# %%
too_long = tokenizer(long_text, return_tensors="pt", verbose=False).to(env.device)
n_long = too_long["input_ids"].shape[1]
try:
    with torch.inference_mode():
        model(**too_long)
except RuntimeError as err:
    message = str(err)
else:
    raise AssertionError(f"the model read {n_long} tokens with only {MAX_TOKENS} positions")
assert n_long == verdict["tokens"]
assert f"The size of tensor a ({n_long}) must match the size of tensor b ({MAX_TOKENS})" in message
print("RuntimeError:", message)

# %% [markdown]
# Truncation kept the first 512 tokens (510 of text plus `[CLS]` and `[SEP]`): only praise. The
# complaints never reached the model.
#
# A *sliding window* covers the whole text instead: the tokenizer cuts it into windows of at most 512
# tokens, each sharing `stride` tokens with the previous one so that no sentence is seen only half.
# `return_overflowing_tokens=True` returns all windows as one padded batch.

# %%
from itertools import pairwise

STRIDE = 128
windows = tokenizer(long_text, truncation=True, max_length=MAX_TOKENS, stride=STRIDE,
                    return_overflowing_tokens=True, padding=True, return_tensors="pt")
windows.pop("overflow_to_sample_mapping")
n_windows = windows["input_ids"].shape[0]
all_ids = tokenizer(long_text, add_special_tokens=False, verbose=False)["input_ids"]
# each window's text tokens: drop the padding, then [CLS] and [SEP]
pieces = [ids[m.bool()][1:-1].tolist()
          for ids, m in zip(windows["input_ids"], windows["attention_mask"], strict=True)]
assert n_windows > 1 and windows["input_ids"].shape[1] <= MAX_TOKENS
assert all(a[-STRIDE:] == b[:STRIDE] for a, b in pairwise(pieces))  # consecutive windows overlap
assert pieces[0] == all_ids[:len(pieces[0])] and pieces[-1] == all_ids[-len(pieces[-1]):]
assert sum(len(p) for p in pieces) - STRIDE * (n_windows - 1) == len(all_ids)  # every token covered
last_start = len(all_ids) - len(pieces[-1])
assert len(pieces[0]) <= n_praise <= last_start  # first window: only praise; last window: only complaints
n_windows, [len(p) for p in pieces]

# %% [markdown]
# One forward pass scores all windows. Averaging their probabilities gives one verdict for the
# whole document; the per-window scores show how each part of it reads.

# %%
with torch.inference_mode():
    window_probs = model(**windows.to(env.device)).logits.softmax(-1).cpu()
positive = model.config.label2id["POSITIVE"]
mean_probs = window_probs.mean(dim=0)
truncated_positive = verdict["score"] if verdict["label"] == "POSITIVE" else 1 - verdict["score"]
assert window_probs.shape == (n_windows, model.config.num_labels)
assert torch.allclose(window_probs.sum(-1), torch.ones(n_windows), atol=1e-5)
assert abs(window_probs[0, positive].item() - truncated_positive) < 1e-4  # same 512 tokens
plots.bars({f"window {k + 1}": p[positive].item() for k, p in enumerate(window_probs)}
           | {"truncated": truncated_positive, "window mean": mean_probs[positive].item()},
           title="P(POSITIVE): per window, truncated, averaged", ylabel="probability of POSITIVE"
           ).axhline(0.5, color="grey", linestyle="--");

# %% [markdown]
# The first window holds only praise and the last only complaints: compare their bars. The
# truncated verdict equals the first window's, because it read the same 512 tokens. Averaging is
# one way to combine windows; a maximum, or a vote, are others, and the right one depends on the task
# (one complaint in a long contract may matter more than the average).

# %% [markdown]
# ## Save and reload: a round trip
#
# `save_pretrained` writes the configuration and the weights (always as `model.safetensors` in
# transformers 5); the tokenizer saves its vocabulary and settings next to them. `from_pretrained` on
# that folder rebuilds both, without the network. Saving stores every weight exactly, so the reloaded
# model holds the same numbers and gives the same logits (compared with a tolerance, as every float
# result in this course: the same computation may round differently in the last bit on other hardware).

# %%
import tempfile
from pathlib import Path

# The reloaded weights may still map `model.safetensors` from disk when the folder is removed; Windows
# refuses to delete a mapped file, so the clean-up is told to leave such a file behind rather than fail.
with tempfile.TemporaryDirectory(prefix="nlpcourse-04-", ignore_cleanup_errors=True) as folder:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    saved = sorted(p.name for p in Path(folder).iterdir())
    reloaded = AutoModelForSequenceClassification.from_pretrained(folder).to(env.device).eval()
    reloaded_tokenizer = AutoTokenizer.from_pretrained(folder)
assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(saved)
again = reloaded_tokenizer(text, return_tensors="pt").to(env.device)
assert torch.equal(again["input_ids"], inputs["input_ids"])
reloaded_weights = reloaded.state_dict()
# exact on purpose: safetensors stores the float32 bits and reads them back, no arithmetic to round
assert all(torch.equal(w, reloaded_weights[name]) for name, w in model.state_dict().items())
with torch.inference_mode():
    assert torch.allclose(reloaded(**again).logits, logits, atol=1e-5)
assert reloaded.config.id2label == model.config.id2label
saved

# %% [markdown]
# ## Summary
#
# - Inference is tokenizer -> model -> logits -> softmax -> argmax -> `id2label`; shapes go
#   `(batch, sequence)` -> `(batch, num_labels)`, and the result equals `pipeline()`'s.
# - Call `model.eval()` (dropout off) and wrap predictions in `torch.inference_mode()` (no gradient graph).
# - Batches are padded; pass the `attention_mask` or the padded texts get different logits.
# - `AutoModel` gives the body's hidden states `(batch, sequence, hidden)`; a task head turns them into
#   logits, and `model.config.id2label` names them.
# - Extractive QA picks the best valid start/end span and maps it back to characters with offsets;
#   text generation is a loop of next-token predictions, and greedy `generate()` is exactly that loop.
# - A confidence threshold trades coverage for accuracy; choose it on validation data.
# - Texts over the model's limit are truncated (say so) or read in overlapping windows.
# - `save_pretrained` / `from_pretrained` round-trips a model's weights exactly.

# %% [markdown]
# ## Exercises
#
# **1 (easy).** Turn the logits below into probabilities yourself, with `torch.exp` and a sum
# (no `.softmax`).

# %%
from nlpcourse.exercises.ch04 import (
    check_best_span,
    check_padding,
    check_softmax,
    check_threshold,
    check_windows,
)

exercise_logits = torch.tensor([1.5, -0.5, 0.25])
answer = ...  # probabilities, one per logit
check_softmax(answer, exercise_logits)

# %% tags=["solution"]
answer = exercise_logits.exp() / exercise_logits.exp().sum()
assert check_softmax(answer, exercise_logits)

# %% [markdown]
# **2 (easy).** Tokenize the three texts as one padded batch. How many padding tokens does each
# row get? Answer with a list of three numbers, read from the attention mask.

# %%
exercise_texts = ["Great!", "Not great at all, sadly.", "Fine, I guess."]
exercise_batch = tokenizer(exercise_texts, padding=True, return_tensors="pt")
answer = ...  # e.g. [n0, n1, n2]
check_padding(answer, exercise_batch["attention_mask"])

# %% tags=["solution"]
answer = (exercise_batch["attention_mask"] == 0).sum(dim=1).tolist()
assert check_padding(answer, exercise_batch["attention_mask"])

# %% [markdown]
# **3 (medium).** Here are start and end logits of a QA model for 8 tokens. Tokens 0-2 are the
# question and special tokens (not allowed). Which span `(start, end)` is the best valid answer, with at
# most 3 tokens? Work it out by reasoning or with code; the two separate argmaxes are not the answer.

# %%
ex_start = [9.0, 0.5, 0.0, 1.0, 3.0, 0.2, 2.5, 0.1]
ex_end = [9.0, 0.0, 0.3, 2.0, 0.5, 1.0, 0.4, 2.8]
ex_allowed = [False, False, False, True, True, True, True, True]
answer = ...  # (start_index, end_index)
check_best_span(answer, ex_start, ex_end, ex_allowed, max_len=3)

# %% tags=["solution"]
answer = best_span(torch.tensor(ex_start), torch.tensor(ex_end), torch.tensor(ex_allowed),
                   max_len=3)
assert check_best_span(answer, ex_start, ex_end, ex_allowed, max_len=3)

# %% [markdown]
# **4 (medium).** On the validation reviews, find the smallest threshold such that the predictions
# the model keeps (confidence >= threshold) are at least 90 % accurate. Try the observed confidences
# `val["confidence"]` as candidate thresholds.

# %%
target = 0.9
answer = ...  # a threshold between 0.5 and 1
check_threshold(answer, val["confidence"], val["correct"], target)

# %% tags=["solution"]
candidates = sorted(set(val["confidence"].tolist()))
answer = next(t for t in candidates if coverage_accuracy(val["confidence"], val["correct"], t)[1] >= target)
assert check_threshold(answer, val["confidence"], val["correct"], target)


# %% [markdown]
# **5 (stretch).** Write the sliding window yourself: `windows(ids, size, stride)` returns a list
# of lists of at most `size` ids, where each window starts `size - stride` ids after the previous one
# (so neighbours share `stride` ids) and the last window reaches the end. Pass the function itself to
# the checker.

# %%
def windows(ids, size, stride):
    ...  # your code: return the list of windows


check_windows(windows)


# %% tags=["solution"]
def windows(ids, size, stride):
    out, start = [], 0
    while True:
        out.append(ids[start:start + size])
        if start + size >= len(ids):
            return out
        start += size - stride


assert check_windows(windows)

# %% [markdown]
# ## Further reading
#
# - Transformers, *Pipelines* and *Auto classes*: https://huggingface.co/docs/transformers/main_classes/pipelines,
#   https://huggingface.co/docs/transformers/model_doc/auto
# - The LLM course, chapter 2 *Behind the pipeline*: https://huggingface.co/learn/llm-course/chapter2/2
# - Padding and truncation: https://huggingface.co/docs/transformers/pad_truncation
# - Question answering task guide: https://huggingface.co/docs/transformers/tasks/question_answering
# - Generation strategies: https://huggingface.co/docs/transformers/generation_strategies
# - Rajpurkar et al. 2016, *SQuAD: 100,000+ Questions for Machine Comprehension of Text*: https://arxiv.org/abs/1606.05250
# - Sanh et al. 2019, *DistilBERT*: https://arxiv.org/abs/1910.01108
# - Geifman and El-Yaniv 2017, *Selective Classification for Deep Neural Networks*: https://arxiv.org/abs/1705.08500
