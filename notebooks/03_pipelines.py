# %% [markdown]
# # 03 · Pipelines: one call from text to answer
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/03_pipelines.ipynb
#
# `pipeline()` is the shortest road from raw text to a useful prediction: one line loads a tokenizer
# and a model, runs them on your text and turns the raw numbers into labels, entities or words. It is
# how most people first meet a Hugging Face model, and it is how you should sanity-check a checkpoint
# before building anything on it. It also hides decisions (which model, which revision, how long an
# input may be, how many texts per forward pass) that you need to make on purpose in real work. This
# notebook runs the text tasks that transformers 5 still offers as pipelines, does summarization and
# translation the current way, and measures what batching buys.
#
# **You will learn**
# - what `pipeline()` does (tokenize, model, post-process, device) and why you name the checkpoint and
#   its revision;
# - sentiment analysis, named entities with `aggregation_strategy`, zero-shot classification and fill-mask;
# - text generation with a small language model: greedy decoding, sampling, temperature, top-k, top-p,
#   seeds, and cleaning up the reply;
# - summarization and translation with `AutoModelForSeq2SeqLM` and `generate()`;
# - sentence vectors with `feature-extraction`, and how much batching speeds up inference;
# - which architecture (encoder, decoder, encoder-decoder) serves which task, and what each checkpoint
#   costs to download.
#
# **Prerequisites:** 00 (setup) and 01 (tokenization).
#
# **Runtime:** about 32 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 2.9 GB; on a GPU not measured yet. **Download:** 2.4 GB the first time, or ahead with
# `python -m nlpcourse download 03`.

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
# ## What `pipeline()` does
#
# A pipeline bundles three steps and a device:
#
# 1. **preprocess**: the tokenizer turns text into input ids (and an attention mask);
# 2. **forward**: the model turns ids into raw scores (logits), on `env.device`;
# 3. **postprocess**: the scores become something readable (a label and a probability, entities, words).
#
# Ask for a task without naming a model and the pipeline picks a default. It prints a warning saying so:

# %%
from transformers import pipeline

classifier = pipeline("sentiment-analysis", device=env.device)

# %% [markdown]
# The default is a fixed checkpoint at a pinned revision (a commit of its Hub repository). Both are
# listed in `transformers.pipelines.SUPPORTED_TASKS`; `sentiment-analysis` is an alias of
# `text-classification`:

# %%
from transformers.pipelines import SUPPORTED_TASKS, TASK_ALIASES

task = TASK_ALIASES["sentiment-analysis"]
default_id, default_revision = SUPPORTED_TASKS[task]["default"]["model"]
assert task == "text-classification"
assert classifier.model.name_or_path == default_id
assert classifier.device.type == env.device
default_id, default_revision, type(classifier.tokenizer).__name__, type(classifier.model).__name__

# %% [markdown]
# **Why name the checkpoint.** Defaults change between transformers releases, and the Hub repository
# behind a name can be updated by its owner. Code that relies on either can give other answers next
# month. Name the model, and in production pin its `revision` too. The course keeps every checkpoint
# it uses, with its revision and download size, in one registry:

# %%
from nlpcourse.registry import get_checkpoint

sentiment_id = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
entry = get_checkpoint(sentiment_id)
assert entry.revision == default_revision
classifier = pipeline("sentiment-analysis", model=sentiment_id, revision=entry.revision, device=env.device)
entry.id, entry.revision, f"{entry.size_mb} MB"

# %% [markdown]
# No warning this time. The three steps are attributes you can call yourself; chapter 04 does
# exactly that by hand.

# %%
classifier.tokenizer("I love this course!")

# %% [markdown]
# ## Sentiment analysis
#
# A pipeline takes one string or a list of strings. A list is processed in one call and returns one
# result per text, in order.

# %% tags=["quality"]
import pandas as pd

sentences = [
    "I love this course!",
    "This is the worst lecture I have ever attended.",
    "I love to hate this course",
    "The examples were clear and the exercises were fun.",
]
results = classifier(sentences)
assert len(results) == len(sentences)
assert results[0]["label"] == "POSITIVE" and results[1]["label"] == "NEGATIVE"
assert results[3]["label"] == "POSITIVE"
pd.DataFrame(results, index=sentences)

# %% [markdown]
# The clear sentences come out as expected. "I love to hate this course" mixes a positive verb with
# a negative one. The model still has to pick one of its two labels, and nothing in the output says
# that the sentence was ambiguous: look at the score as well as the label, and try such sentences
# before you trust a model with your data.
#
# By default you get only the best label. `top_k=None` returns the score of every label, and the
# scores are a softmax, so they add up to 1.
# Older tutorials write `return_all_scores=True`, which transformers 5 silently ignores.

# %%
all_scores = classifier(sentences, top_k=None)
labels = set(classifier.model.config.id2label.values())
for per_sentence in all_scores:
    assert {row["label"] for row in per_sentence} == labels
    assert abs(sum(row["score"] for row in per_sentence) - 1) < 1e-5
pd.DataFrame([{row["label"]: round(row["score"], 3) for row in rows} for rows in all_scores], index=sentences)

# %% [markdown]
# **Inputs longer than the model's limit.** The model has a fixed number of positions
# (`tokenizer.model_max_length`). Pass `truncation=True` and the pipeline keeps the first tokens and
# silently drops the rest, so say so when it happens. (The tokenizer's own warning about the length
# below is expected: it is why we truncate.)

# %%
long_review = " ".join(["The plot was slow but the actors were brilliant."] * 120)
limit = classifier.tokenizer.model_max_length
n_tokens = len(classifier.tokenizer(long_review)["input_ids"])
if n_tokens > limit:
    print(f"This review has {n_tokens} tokens; the model reads the first {limit} "
          f"and ignores {n_tokens - limit}.")
verdict = classifier(long_review, truncation=True)
assert n_tokens > limit and verdict[0]["label"] in labels
verdict

# %% [markdown]
# Without `truncation=True`, the same call fails inside the model with a `RuntimeError`: DistilBERT has
# `limit` position vectors, one to add to each token vector, and the review has more tokens than that.
# Truncation, as above, is the fix; chapter 04 shows a sliding window that reads the whole text.

# %%
try:
    classifier(long_review)
except RuntimeError as err:
    message = str(err)
else:
    raise AssertionError(f"the model read {n_tokens} tokens with only {limit} positions")
assert f"The size of tensor a ({n_tokens}) must match the size of tensor b ({limit})" in message
print("RuntimeError:", message)

# %% [markdown]
# ## Named entities and `aggregation_strategy`
#
# Token classification gives every token a tag: `B-PER` begins a person's name, `I-PER` continues it,
# `O` is outside any entity (PER person, ORG organisation, LOC location, MISC the rest). The default
# checkpoint is large, so we name a smaller model trained on the same data (CoNLL-2003):

# %%
ner_default = SUPPORTED_TASKS[TASK_ALIASES["ner"]]["default"]["model"][0]
ner_id = "dslim/bert-base-NER"
assert get_checkpoint(ner_id).size_mb < get_checkpoint(ner_default).size_mb
print(f"default {ner_default}: {get_checkpoint(ner_default).size_mb} MB; "
      f"we use {ner_id}: {get_checkpoint(ner_id).size_mb} MB")
ner = pipeline("ner", model=ner_id, device=env.device)
sentence = "Her name is Anna, and she works in New York City for Morgan Stanley."
tokens = ner(sentence)
assert all(t["entity"] == "O" or t["entity"][:2] in {"B-", "I-"} for t in tokens)
pd.DataFrame(tokens)

# %% [markdown]
# Without aggregation you get one row per *sub-word token* that is not `O`: an entity of several
# words or sub-words spans several rows. `aggregation_strategy` merges them into entities.
# Older tutorials write `grouped_entities=True`, which now raises a TypeError.
#
# - `"none"`: one row per token, as above;
# - `"simple"`: merges neighbouring tokens with the same entity type; a word may end up split between
#   two entities;
# - `"first"`, `"average"`, `"max"`: work on whole words; a word's tag comes from its first sub-word,
#   from the average of its sub-words' scores, or from its highest-scoring sub-word.

# %%
TYPES = {"PER", "ORG", "LOC", "MISC"}
by_strategy = {}
for strategy in ("simple", "first", "average", "max"):
    entities = ner(sentence, aggregation_strategy=strategy)
    by_strategy[strategy] = entities
    for e in entities:
        assert e["entity_group"] in TYPES
        span = sentence[e["start"]:e["end"]]
        assert span.replace(" ", "").lower() == e["word"].replace(" ", "").lower()
assert len(by_strategy["simple"]) <= max(len(tokens), 1)
pd.DataFrame([{"strategy": s, **e} for s, ents in by_strategy.items() for e in ents])

# %% [markdown]
# What to notice: every entity carries `start` and `end`, character offsets into your sentence, so
# `sentence[start:end]` is the original text (with its capitals). Use those offsets rather than `word`,
# which is rebuilt from tokens. The word-level strategies never split a word between two entities.

# %% [markdown]
# ## Zero-shot classification
#
# Zero-shot classification sorts text into labels you choose at call time, with no training. It uses a
# model trained for natural language inference (does a premise entail a hypothesis?): each label
# becomes a hypothesis such as "This example is travel.", and the entailment scores rank the labels.
# The default model is large; the same idea works with a much smaller distilled model:

# %%
zs_default, zs_default_revision = SUPPORTED_TASKS["zero-shot-classification"]["default"]["model"]
zs_id = "typeform/distilbert-base-uncased-mnli"
sizes = {zs_default: get_checkpoint(zs_default).size_mb, zs_id: get_checkpoint(zs_id).size_mb}
assert sizes[zs_id] < sizes[zs_default]
zero_shot = pipeline("zero-shot-classification", model=zs_id, device=env.device)
sizes

# %%
text = "one day I will see the world"
candidates = ["travel", "cooking", "dancing"]
single = zero_shot(text, candidate_labels=candidates)
assert sorted(single["labels"]) == sorted(candidates)
assert abs(sum(single["scores"]) - 1) < 1e-5
assert single["scores"] == sorted(single["scores"], reverse=True)
single

# %% [markdown]
# The labels come back sorted by score, and the scores add up to 1: the pipeline assumes exactly one
# label is right. With `multi_label=True` each label is judged on its own (entailment against
# contradiction), so several can be likely at once and the scores need not add up to 1:

# %%
multi = zero_shot(text, candidate_labels=candidates, multi_label=True)
assert all(0 <= s <= 1 for s in multi["scores"])
pd.DataFrame({"single label": dict(zip(single["labels"], single["scores"], strict=True)),
              "multi_label=True": dict(zip(multi["labels"], multi["scores"], strict=True))})

# %% [markdown]
# The hypothesis template turns each label into a sentence; `{}` marks where the label goes. The
# default is `"This example is {}."`. A template that reads naturally for your labels often helps:

# %%
template = "This text is about {}."
print([template.format(label) for label in candidates])
about = zero_shot(text, candidate_labels=candidates, hypothesis_template=template)
assert sorted(about["labels"]) == sorted(candidates)
dict(zip(about["labels"], [round(s, 3) for s in about["scores"]], strict=True))

# %% [markdown]
# ## Fill-mask: the model's own mask token
#
# Masked language models were pre-trained to guess a hidden word. The token that marks the gap differs
# between model families: BERT writes `[MASK]`, RoBERTa writes `<mask>`. Never type it: take it from
# `tokenizer.mask_token`.

# %%
fillers = {mid: pipeline("fill-mask", model=mid, device=env.device)
           for mid in ("bert-base-uncased", "distilbert/distilroberta-base")}
masks = {mid: f.tokenizer.mask_token for mid, f in fillers.items()}
assert masks == {"bert-base-uncased": "[MASK]", "distilbert/distilroberta-base": "<mask>"}
masks

# %%
for mid, fill in fillers.items():
    prompt = f"Paris is the {fill.tokenizer.mask_token} of France."
    guesses = fill(prompt, top_k=5)
    assert len(guesses) == 5
    assert [g["score"] for g in guesses] == sorted((g["score"] for g in guesses), reverse=True)
    print(mid, [(g["token_str"].strip(), round(g["score"], 3)) for g in guesses])

# %% [markdown]
# `top_k` sets how many guesses come back, best first; each has the filled-in `sequence`. A sentence
# with the wrong mask token, `[MASK]` for RoBERTa say, has no gap for the model and the pipeline raises
# an error that names the token it expected.

# %% [markdown]
# ## Text generation with a small language model
#
# A causal (decoder-only) language model predicts the next token, appends it, and repeats. The
# `text-generation` pipeline's default is a 3-billion-parameter model, several gigabytes to download:
# never rely on it. We name a 135-million-parameter model instead.

# %%
gen_default = SUPPORTED_TASKS["text-generation"]["default"]["model"][0]
gen_id = "HuggingFaceTB/SmolLM2-135M"
print(f"the default would be {gen_default}; we use {gen_id} ({get_checkpoint(gen_id).size_mb} MB)")
gen_dtype = nlpcourse.choose_dtype(env.device)  # its files store bf16: see chapter 10
generator = pipeline("text-generation", model=gen_id, device=env.device, dtype=gen_dtype.dtype)

# %% [markdown]
# **Greedy decoding** (`do_sample=False`) takes the most likely token at every step, so it gives the
# same text every time. Always pass `max_new_tokens`: it counts only the new tokens, and the pipeline
# otherwise runs up to a long default.

# %%
prompt = "The best way to learn a new language is"
greedy = generator(prompt, max_new_tokens=30, do_sample=False)
again = generator(prompt, max_new_tokens=30, do_sample=False)
assert greedy == again
assert greedy[0]["generated_text"].startswith(prompt)
greedy[0]["generated_text"]

# %% [markdown]
# The output starts with the prompt (pass `return_full_text=False` to drop it). `return_tensors=True`
# gives the token ids instead, which shows that the model added at most `max_new_tokens` tokens:

# %%
prompt_ids = generator.tokenizer(prompt)["input_ids"]
ids = generator(prompt, max_new_tokens=30, do_sample=False, return_tensors=True)[0]["generated_token_ids"]
new_tokens = len(ids) - len(prompt_ids)
assert ids[:len(prompt_ids)] == prompt_ids and 0 < new_tokens <= 30
len(prompt_ids), new_tokens

# %% [markdown]
# **Sampling** (`do_sample=True`) draws each token at random from the model's distribution, so
# replies vary. Three settings shape that distribution:
#
# - `temperature` divides the logits before the softmax: below 1 sharpens it (safer, more repetitive),
#   above 1 flattens it (more varied, more nonsense);
# - `top_k` keeps only the k most likely tokens;
# - `top_p` (nucleus sampling) keeps the smallest set of most likely tokens whose probabilities add up to p.
#
# `num_return_sequences` draws several replies at once. Random draws repeat only if you fix the seed
# right before the call:

# %%
from transformers import set_seed

settings = dict(max_new_tokens=30, do_sample=True, temperature=0.8, top_k=50, top_p=0.95,
                num_return_sequences=3)
set_seed(env.seed)
samples = generator(prompt, **settings)
set_seed(env.seed)
repeat = generator(prompt, **settings)
assert len(samples) == 3 and samples == repeat
[s["generated_text"] for s in samples]

# %% [markdown]
# ### How temperature reshapes the next-token distribution
#
# The picture takes the model's scores (logits) for the token after the prompt and applies the
# softmax at three temperatures. We call the model directly; chapter 04 explains each line.

# %%
import torch

model, tokenizer = generator.model, generator.tokenizer
with torch.inference_mode():
    inputs = tokenizer(prompt, return_tensors="pt").to(model.device)
    next_logits = model(**inputs).logits[0, -1].float().cpu()
temperatures = (0.5, 1.0, 2.0)
dists = {t: torch.softmax(next_logits / t, dim=-1) for t in temperatures}
top = torch.topk(dists[1.0], 10).indices
entropy = {t: -(p * torch.log(p.clamp_min(1e-12))).sum().item() for t, p in dists.items()}
peak = {t: p.max().item() for t, p in dists.items()}
assert peak[0.5] > peak[1.0] > peak[2.0]
assert entropy[0.5] < entropy[1.0] < entropy[2.0]
{t: (round(peak[t], 3), round(entropy[t], 2)) for t in temperatures}

# %%
import matplotlib.pyplot as plt
import numpy as np

words = [repr(tokenizer.decode([int(i)])) for i in top]
x = np.arange(len(top))
fig, ax = plt.subplots(figsize=(10, 4))
for k, t in enumerate(temperatures):
    ax.bar(x + (k - 1) * 0.27, dists[t][top].numpy(), width=0.27, label=f"temperature {t}")
ax.set_xticks(x, labels=words, rotation=30, ha="right")
ax.set(xlabel="candidate next token (the 10 most likely at temperature 1)", ylabel="probability",
       title=f"Next token after {prompt!r}")
ax.legend();


# %% [markdown]
# Low temperature piles the probability onto the favourite; high temperature spreads it over many
# tokens. The nucleus that `top_p=0.9` keeps grows with the temperature:

# %%
def nucleus_size(probs, p=0.9):
    sorted_probs = torch.sort(probs, descending=True).values
    return int((torch.cumsum(sorted_probs, 0) < p).sum()) + 1

nucleus = {t: nucleus_size(dists[t]) for t in temperatures}
assert nucleus[0.5] <= nucleus[1.0] <= nucleus[2.0]
nucleus

# %% [markdown]
# ### Cleaning up a generated reply
#
# Raw output starts with the prompt, may carry odd spacing, and usually stops in the middle of a
# sentence because `max_new_tokens` ran out. `nlpcourse.generation.clean_reply` strips the prompt
# echo, tidies whitespace and cuts an unfinished last sentence (if there is no complete sentence at all,
# it keeps the fragment rather than return nothing):

# %%
from nlpcourse.generation import SENTENCE_END, clean_reply, ends_with_sentence_end

replies = [clean_reply(s["generated_text"], prompt) for s in samples]
for reply in replies:
    assert not reply.startswith(prompt) and reply == reply.strip()
    assert ends_with_sentence_end(reply) or not SENTENCE_END.search(reply)
pd.DataFrame({"raw": [s["generated_text"] for s in samples], "clean": replies})

# %% [markdown]
# The helper is strict about its input: give it the pipeline's whole result instead of the text,
# and it says what to pass:

# %%
try:
    clean_reply(samples, prompt)
except TypeError as err:
    message = str(err)
else:
    raise AssertionError("clean_reply accepted a list")
assert 'outputs[0]["generated_text"]' in message
message

# %% [markdown]
# What to notice: a base model such as SmolLM2-135M continues text; it was not trained to follow
# instructions or chat. Its replies can be fluent and wrong; a larger or instruction-tuned model
# (and a chat template) is the next step, not a different API.

# %% [markdown]
# ## Summarization and translation: `AutoModelForSeq2SeqLM` + `generate()`
#
# Older tutorials call pipeline("summarization") and pipeline("translation_en_to_fr"); transformers 5
# removed those tasks (and text2text-generation). The replacement is three explicit steps: tokenize,
# `generate()`, decode.

# %%
assert "summarization" not in SUPPORTED_TASKS and "text2text-generation" not in SUPPORTED_TASKS
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

t5_id = "google-t5/t5-small"
t5_tokenizer = AutoTokenizer.from_pretrained(t5_id)
t5 = AutoModelForSeq2SeqLM.from_pretrained(t5_id).to(env.device)
t5.config.is_encoder_decoder, get_checkpoint(t5_id).size_mb

# %% [markdown]
# T5 was trained on many tasks at once and reads the task from a text prefix. The prefixes it was
# trained with are stored in its configuration:

# %%
prefixes = {task: params["prefix"] for task, params in t5.config.task_specific_params.items()}
assert prefixes["summarization"] == "summarize: "
prefixes

# %% [markdown]
# Summarize three of the course's news articles. T5 has no table of absolute positions (it encodes
# the distance between tokens instead), so no hard limit stops it, but it was trained on inputs of at
# most 512 tokens (Raffel et al., 2020). The tokenizer's `model_max_length` says so only where the Hub's
# `tokenizer_config.json` sets it: older transformers releases hard-coded 512 for T5, current ones read
# the file, and where the file is silent they report a placeholder of about 10^30. So the cell takes
# the smaller of the two, cuts longer articles there (`truncation=True`) and says whether that happened.

# %%
from nlpcourse.data import load_articles, load_translations

articles = load_articles()["test"].select(range(3))
T5_TRAINED_LENGTH = 512  # the input length of T5's pre-training
print(f"the tokenizer's model_max_length: {t5_tokenizer.model_max_length}")
t5_limit = min(t5_tokenizer.model_max_length, T5_TRAINED_LENGTH)
assert t5_limit == 512  # a smaller limit in the file would cut articles shorter than T5 was trained on
batch = t5_tokenizer([prefixes["summarization"] + a for a in articles["article"]], return_tensors="pt",
                     padding=True, truncation=True, max_length=t5_limit).to(env.device)
n_article_tokens = [len(t5_tokenizer(prefixes["summarization"] + a)["input_ids"])
                    for a in articles["article"]]
print("article lengths in tokens:", n_article_tokens,
      f"(some were truncated to {t5_limit})" if max(n_article_tokens) > t5_limit else "(none truncated)")
with torch.inference_mode():
    summary_ids = t5.generate(**batch, max_new_tokens=60, num_beams=2, no_repeat_ngram_size=3)
summaries = t5_tokenizer.batch_decode(summary_ids, skip_special_tokens=True)
assert summary_ids.shape[0] == 3 and summary_ids.shape[1] <= 60 + 1  # + the decoder's start token
assert all(isinstance(s, str) for s in summaries)
pd.DataFrame({"title": articles["title"], "model summary": summaries, "reference": articles["summary"]})

# %% [markdown]
# `generate()` returns token ids, one row per input; the decoder starts from a special start token,
# so a row holds at most `max_new_tokens + 1` ids. `batch_decode(..., skip_special_tokens=True)` turns
# them into text. Translation is the same code with another prefix:

# %%
pairs = load_translations()["test"].select(range(4))
batch = t5_tokenizer([prefixes["translation_en_to_fr"] + s for s in pairs["en"]], return_tensors="pt",
                     padding=True).to(env.device)
with torch.inference_mode():
    french_ids = t5.generate(**batch, max_new_tokens=40, num_beams=2)
french = t5_tokenizer.batch_decode(french_ids, skip_special_tokens=True)
assert len(french) == 4 and french_ids.shape[1] <= 40 + 1
pd.DataFrame({"English": pairs["en"], "model": french, "reference": [refs[0] for refs in pairs["fr"]]})

# %% [markdown]
# Chapter 07 scores such outputs against the references with BLEU and ROUGE.

# %% [markdown]
# ## Feature extraction: sentence vectors
#
# `feature-extraction` returns the model's last hidden states: one vector per token. Averaging them
# gives one vector per sentence (mean pooling), which is how `all-MiniLM-L6-v2` was trained to be used.
# Sentences that mean similar things get vectors that point in similar directions.

# %%
embedder = pipeline("feature-extraction", model="sentence-transformers/all-MiniLM-L6-v2", device=env.device)
texts = [
    "The film was wonderful.",
    "I really enjoyed this movie.",
    "The soup was cold and far too salty.",
    "The food at this restaurant was awful.",
    "The battery dies after an hour.",
    "My phone needs charging all the time.",
]
token_vectors = embedder(texts, return_tensors=True)
hidden = embedder.model.config.hidden_size
assert all(v.shape[0] == 1 and v.shape[2] == hidden for v in token_vectors)
[tuple(v.shape) for v in token_vectors]

# %% tags=["quality"]
import torch.nn.functional as F

from nlpcourse import plots

sentence_vectors = F.normalize(torch.cat([v.mean(dim=1) for v in token_vectors]), dim=-1)
similarity = sentence_vectors @ sentence_vectors.T
assert torch.allclose(similarity.diagonal(), torch.ones(len(texts)), atol=1e-5)
# all-MiniLM-L6-v2: 0.74 > 0.19, 0.41 > 0.03, 0.36 > 0.09
for a, b, other in [(0, 1, 2), (2, 3, 4), (4, 5, 0)]:
    assert similarity[a, b] > similarity[a, other]
plots.heatmap(similarity, texts, texts, title="Cosine similarity of sentence vectors", cmap="magma");

# %% [markdown]
# The three pairs (films, food, phones) form bright blocks on the diagonal: each sentence is closer
# to its partner than to the other topics, although they share few words.

# %% [markdown]
# ## Batching and the device
#
# A pipeline given a list still runs the model on one text at a time unless you pass `batch_size`.
# Batching pads the texts of a batch to the same length and runs them in one forward pass, which
# saves per-call overhead on a CPU and keeps a GPU busy. We classify the same 200 course reviews both
# ways; this is the slowest cell of the notebook:

# %%
import time

from nlpcourse.data import load_reviews

reviews = list(load_reviews()["test"]["text"])[:200]
classifier(reviews[:8])  # warm-up: the first call pays one-off costs
start = time.perf_counter()
one_by_one = [classifier(review)[0] for review in reviews]
t_single = time.perf_counter() - start
start = time.perf_counter()
batched = classifier(reviews, batch_size=32)
t_batched = time.perf_counter() - start
speedup = t_single / t_batched
print(f"{env.device}: one by one {t_single:.2f} s, batches of 32 {t_batched:.2f} s: {speedup:.1f}x faster")

# %%
assert len(reviews) == len(one_by_one) == len(batched) == 200
assert [r["label"] for r in one_by_one] == [r["label"] for r in batched]
assert max(abs(a["score"] - b["score"]) for a, b in zip(one_by_one, batched, strict=True)) < 1e-3
# batches are faster on any machine; by how much depends on the hardware (printed above)
assert speedup > 1
plots.bars({"one by one": t_single, "batch_size=32": t_batched}, ylabel="seconds for 200 reviews",
           title=f"Same predictions, {speedup:.1f}x faster in batches ({env.device})");

# %% [markdown]
# The predictions are the same (padding is masked out), only the time differs. The gain depends on
# the hardware and on how much the lengths in a batch vary: padding a short review to the length of a
# long one is wasted work, so very uneven texts gain less. On a GPU, run the cell again and compare.
# Pass `device=env.device` to every pipeline, as this notebook does, and the same code uses whatever
# accelerator the machine has.

# %% [markdown]
# ## Task, architecture, checkpoint
#
# Transformers come in three shapes. **Encoders** (BERT, DistilBERT, RoBERTa) read the whole text at
# once and suit understanding tasks: classification, entities, fill-mask, sentence vectors.
# **Decoders** (GPT-2, Llama-style SmolLM2) predict the next token and suit generation.
# **Encoder-decoders** (T5, BART) read an input with an encoder and write a new text with a decoder:
# translation, summarization (and BART-MNLI for zero-shot). The table below is built from the course's
# registry and each checkpoint's configuration, so it lists exactly what the course uses:

# %%
from transformers import AutoConfig

from nlpcourse.registry import CHECKPOINTS


def architecture(config):
    if config.is_encoder_decoder:
        return "encoder-decoder"
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in config.architectures or []):
        return "decoder"
    return "encoder"


rows = [{"task": c.task, "architecture": architecture(AutoConfig.from_pretrained(c.id)),
         "checkpoint": c.id, "size_mb": c.size_mb} for c in CHECKPOINTS]
table = pd.DataFrame(rows)
kind = dict(zip(table.checkpoint, table.architecture, strict=True))
assert kind["google-t5/t5-small"] == "encoder-decoder" and kind[gen_id] == "decoder"
assert kind["bert-base-uncased"] == "encoder" and kind["facebook/bart-large-mnli"] == "encoder-decoder"
summary_table = (table.assign(example=table.checkpoint + " (" + table.size_mb.astype(str) + " MB)")
                 .groupby(["task", "architecture"])["example"].apply("; ".join).to_frame())
summary_table

# %% [markdown]
# Sizes are the approximate downloads of the real checkpoints. Set the pipeline defaults next to
# the checkpoints this notebook named instead:

# %%
named = {"text-classification": sentiment_id, "token-classification": ner_id,
         "zero-shot-classification": zs_id, "fill-mask": "distilbert/distilroberta-base",
         "text-generation": gen_id}
size_mb = dict(zip(table.checkpoint, table.size_mb, strict=True))
defaults = pd.DataFrame([
    {"task": t, "default": SUPPORTED_TASKS[t]["default"]["model"][0], "named here": m}
    for t, m in named.items()
])
defaults["default MB"] = defaults["default"].map(size_mb)  # missing (NaN) if not in the registry
defaults["named MB"] = defaults["named here"].map(size_mb)
assert defaults.loc[defaults.task == "zero-shot-classification", "default MB"].item() > 1000
assert (defaults["named MB"] <= 500).all()
defaults

# %% [markdown]
# The text-generation default is not in the course registry at all (its size shows as missing): it
# is a 3-billion-parameter model, and the course never downloads it.

# %% [markdown]
# ## Summary
#
# - `pipeline(task, model=..., revision=..., device=env.device)` bundles tokenizer, model and post-processing;
#   without `model` you get a default and a warning, and defaults change.
# - Sentiment: pass a list for several texts; `top_k=None` gives every label's score (they sum to 1);
#   `truncation=True` cuts inputs longer than the model's limit, so check and say when it happens.
# - NER: `aggregation_strategy` turns token tags into entities; `start`/`end` point into your text.
# - Zero-shot: any labels at call time; `multi_label=True` scores them independently; the hypothesis
#   template matters.
# - Fill-mask: use `tokenizer.mask_token`; `[MASK]` and `<mask>` belong to different model families.
# - Generation: name a small model, always pass `max_new_tokens` and `do_sample`; temperature, top-k and
#   top-p shape the distribution; fix the seed to repeat a sample; clean the reply before showing it.
# - Summarization and translation use `AutoModelForSeq2SeqLM` + `generate()` + `batch_decode` in
#   transformers 5.
# - Batching gives the same predictions in less time; the measured speed-up here is printed above.

# %% [markdown]
# ## Exercises
#
# **1 (easy).** Call `classifier` on the single sentence `"The ending surprised me in a good way."` so that
# it returns the score of every label. Store the result in `answer`.

# %%
from nlpcourse.exercises.ch03 import (
    check_all_scores,
    check_greedy_kwargs,
    check_mask_sentence,
    check_t5_input,
    check_top_p,
)

answer = ...
check_all_scores(answer, classifier.model.config.id2label.values())

# %% tags=["solution"]
answer = classifier("The ending surprised me in a good way.", top_k=None)
assert check_all_scores(answer, classifier.model.config.id2label.values())

# %% [markdown]
# **2 (easy).** Write a sentence for the RoBERTa fill-mask model (`fillers["distilbert/distilroberta-base"]`)
# with exactly one gap, built from its tokenizer's mask token, and run the pipeline on it.

# %%
roberta_fill = fillers["distilbert/distilroberta-base"]
answer = ...
check_mask_sentence(answer, roberta_fill.tokenizer.mask_token)

# %% tags=["solution"]
answer = f"The waiter was very {roberta_fill.tokenizer.mask_token} to us."
assert check_mask_sentence(answer, roberta_fill.tokenizer.mask_token)
roberta_fill(answer, top_k=3)

# %% [markdown]
# **3 (medium).** Write the keyword arguments (a dict) for `generator(prompt, **answer)` that give
# greedy decoding of at most 20 new tokens, the same text on every run.

# %%
answer = ...
check_greedy_kwargs(answer, new_tokens=20)

# %% tags=["solution"]
answer = {"max_new_tokens": 20, "do_sample": False}
assert check_greedy_kwargs(answer, new_tokens=20)
generator(prompt, **answer)[0]["generated_text"]

# %% [markdown]
# **4 (medium).** Build the input string that asks T5 to translate `pairs["en"][0]` into French,
# using the prefix stored in the model's configuration, then translate it with `t5.generate`.

# %%
sentence_en = pairs["en"][0]
answer = ...
check_t5_input(answer, sentence_en, t5.config.task_specific_params, target="fr")

# %% tags=["solution"]
answer = t5.config.task_specific_params["translation_en_to_fr"]["prefix"] + sentence_en
assert check_t5_input(answer, sentence_en, t5.config.task_specific_params, target="fr")
with torch.inference_mode():
    out = t5.generate(**t5_tokenizer(answer, return_tensors="pt").to(env.device), max_new_tokens=40)
t5_tokenizer.decode(out[0], skip_special_tokens=True)


# %% [markdown]
# **5 (stretch).** Write `top_p_ids(probs, p)`: given a list of probabilities (not sorted) and `p`,
# return the ids of the smallest set of most likely tokens whose probabilities add up to at least `p`,
# the set nucleus sampling draws from. Then apply it to `dists[1.0]` from the temperature section.

# %%
def top_p_ids(probs, p):
    ...  # your code: return the kept token ids


check_top_p(top_p_ids)


# %% tags=["solution"]
def top_p_ids(probs, p):
    order = sorted(range(len(probs)), key=lambda i: probs[i], reverse=True)
    kept, total = [], 0.0
    for i in order:
        kept.append(i)
        total += probs[i]
        if total >= p:
            break
    return kept


assert check_top_p(top_p_ids)
assert len(top_p_ids(dists[1.0].tolist(), 0.9)) == nucleus_size(dists[1.0], 0.9)

# %% [markdown]
# ## Further reading
#
# - Pipelines, the task list and their parameters: https://huggingface.co/docs/transformers/main_classes/pipelines
# - Text generation strategies (greedy, sampling, beam search): https://huggingface.co/docs/transformers/generation_strategies
# - Holtzman et al. (2020), *The Curious Case of Neural Text Degeneration* (nucleus sampling): https://arxiv.org/abs/1904.09751
# - Yin et al. (2019), *Benchmarking Zero-shot Text Classification* (NLI for zero-shot): https://arxiv.org/abs/1909.00161
# - Raffel et al. (2020), *Exploring the Limits of Transfer Learning with a Unified Text-to-Text
#   Transformer* (T5): https://arxiv.org/abs/1910.10683
# - Reimers and Gurevych (2019), *Sentence-BERT*: https://arxiv.org/abs/1908.10084
# - Pipelines on GPU and batching: https://huggingface.co/docs/transformers/pipeline_tutorial
