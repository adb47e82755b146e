# %% [markdown]
# # 07 · Evaluation: metrics, perplexity, generation scores and safety checks
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/07_evaluation.ipynb
#
# A model is only as good as the evidence that it works. One accuracy number on one test set hides
# almost everything that matters: which classes fail, how much the number would move on another sample,
# whether a "good" translation score means a good translation. This notebook measures models with the
# `evaluate` library, shows what each metric rewards and what it misses, and ends with a report card that
# puts every number in one table.
#
# **You will learn**
# - how `evaluate` modules work: `load`, their description and features, `compute`, `add_batch`, `combine`;
# - accuracy, precision, recall, F1 (macro and per class), the confusion matrix, and bootstrap confidence
#   intervals;
# - why accuracy misleads on imbalanced data;
# - perplexity of a causal language model, by hand and with `evaluate`;
# - BLEU, sacreBLEU, ROUGE and METEOR: what they reward, what they miss; exact match and F1 for question
#   answering;
# - toxicity and regard measurements, and what their thresholds mean.
#
# **Prerequisites:** 03 (pipelines) and 04 (manual inference: logits, question-answering spans).
#
# **Runtime:** about 42 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 3.0 GB; on a GPU not measured yet. **Download:** 2.0 GB the first time, or ahead with
# `python -m nlpcourse download 07`.

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
# The checkpoints this notebook loads, with their download sizes:

# %%
import numpy as np
import pandas as pd
import torch

from nlpcourse.registry import get_checkpoint

SENTIMENT_ID = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
LM_ID = "openai-community/gpt2"
QA_ID = "distilbert/distilbert-base-cased-distilled-squad"
TOXICITY_ID = "facebook/roberta-hate-speech-dynabench-r4-target"  # loaded by evaluate's toxicity
REGARD_ID = "sasha/regardv3"  # loaded by evaluate's regard

pd.DataFrame(
    [(c.id, c.task, c.size_mb)
     for c in map(get_checkpoint, [SENTIMENT_ID, LM_ID, QA_ID, TOXICITY_ID, REGARD_ID])],
    columns=["checkpoint", "task", "download MB"],
)

# %% [markdown]
# ## 1. The `evaluate` library
#
# Every metric is a small module fetched by name from the Hub the first time and cached afterwards.
# `evaluate.load("accuracy")` returns an object that documents itself: what it computes, which inputs
# it expects (its *features*) and which paper or library to cite.

# %%
import evaluate

accuracy = evaluate.load("accuracy")
print(accuracy.description.strip()[:300])
accuracy.features

# %%
assert set(accuracy.features) == {"predictions", "references"}
print(accuracy.citation.strip()[:200])

# %% [markdown]
# `compute` takes the predictions and references in one call:

# %%
toy = accuracy.compute(predictions=[0, 1, 1, 0], references=[0, 1, 0, 0])
assert set(toy) == {"accuracy"} and np.isclose(toy["accuracy"], 0.75)  # 3 of 4 right
toy

# %% [markdown]
# When predictions arrive in batches (an evaluation loop over a large test set), `add_batch` collects
# them and one `compute()` at the end gives the same result as a single call on everything:

# %%
for preds, refs in [([0, 1], [0, 1]), ([1, 0], [0, 0])]:
    accuracy.add_batch(predictions=preds, references=refs)
streamed = accuracy.compute()
assert set(streamed) == {"accuracy"} and np.isclose(streamed["accuracy"], toy["accuracy"])
streamed

# %% [markdown]
# `evaluate.combine` bundles several metrics behind one `compute`. With no options, precision, recall
# and F1 are those of the positive class (label 1):

# %%
classification = evaluate.combine(["accuracy", "precision", "recall", "f1"])
combined = classification.compute(predictions=[0, 1, 1, 0], references=[0, 1, 0, 0])
assert set(combined) == {"accuracy", "precision", "recall", "f1"}
combined

# %% [markdown]
# A combined `compute` passes every keyword to every metric, so an option such as `average="macro"`
# fails because `accuracy` does not take it. To average, call the metrics one by one, as the next section
# does.

# %% [markdown]
# The library also has `evaluate.evaluator(task)`, which runs a model and scores it in one go. In the
# current stack it fails when you hand it a `pipeline` object; pass it a model id instead, or do what this
# notebook does: compute the predictions yourself and call `metric.compute`. That keeps every step visible.
# (`evaluate` is in maintenance mode; its README points to LightEval for LLM benchmarks. The metrics below
# work as shown.) Older tutorials use `datasets.load_metric`, which no longer exists: use `evaluate.load`.

# %% [markdown]
# ## 2. Classification: accuracy, precision, recall, F1
#
# The model is the SST-2 sentiment classifier from notebook 03, named explicitly. The test data is the
# course reviews' `test` split: short reviews, as many negative as positive, some of them deliberately
# hard (negation, sarcasm, mixed feelings). `truncation=True` cuts any text longer than the model's limit
# (512 tokens) instead of failing.

# %%
from transformers import pipeline

from nlpcourse.data import load_reviews

test = load_reviews()["test"]
label_names = test.features["label"].names
texts, references = list(test["text"]), list(test["label"])
classifier = pipeline("sentiment-analysis", model=SENTIMENT_ID, device=env.device)
assert label_names == ["negative", "positive"] and references.count(0) == references.count(1)
assert classifier.tokenizer.model_max_length == 512
len(texts), classifier.model.config.id2label

# %%
outputs = classifier(texts, batch_size=32, truncation=True)
predictions = [label_names.index(o["label"].lower()) for o in outputs]
assert len(predictions) == len(references) and set(predictions) <= {0, 1}
outputs[:3]

# %% [markdown]
# The model's labels are `NEGATIVE`/`POSITIVE`, the dataset's are 0/1 with the names
# `negative`/`positive`; the line above maps one onto the other through the names, never by assuming an
# order. Now the scores. `average="macro"` averages the per-class scores with equal weight;
# `average=None` returns one score per class. A class that is never predicted has no precision (0/0);
# `zero_division=0` counts it as 0 instead of printing a warning.

# %% tags=["quality"]
precision, recall, f1 = (evaluate.load(name) for name in ("precision", "recall", "f1"))


def class_scores(preds, refs, average="macro"):
    """Accuracy plus precision, recall and F1 averaged over the classes."""
    result = accuracy.compute(predictions=preds, references=refs)
    result.update(precision.compute(predictions=preds, references=refs, average=average, zero_division=0))
    result.update(recall.compute(predictions=preds, references=refs, average=average))
    result.update(f1.compute(predictions=preds, references=refs, average=average))
    return result


scores = class_scores(predictions, references)
per_class = f1.compute(predictions=predictions, references=references, average=None)["f1"]
assert all(0 <= v <= 1 for v in scores.values())
assert np.isclose(scores["f1"], per_class.mean())
majority = max(references.count(0), references.count(1)) / len(references)  # always the commoner label: 0.5
# a floor 0.1 above the majority baseline of this same test set
assert scores["accuracy"] > majority + 0.1, "the sentiment model should beat the majority baseline clearly"
print(f"accuracy {scores['accuracy']:.2f} against {majority:.2f} for always answering the commoner label")
scores, dict(zip(label_names, per_class.round(3), strict=True))

# %% [markdown]
# Macro F1 is the plain mean of the two per-class F1 scores (checked above). Precision asks "of the
# reviews called positive, how many are?"; recall asks "of the positive reviews, how many were found?".
# The confusion matrix shows where the errors are: rows are the true labels, columns the predictions.

# %%
from nlpcourse import plots

confusion = evaluate.load("confusion_matrix")
matrix = confusion.compute(predictions=predictions, references=references)["confusion_matrix"]
assert matrix.sum() == len(references)
assert np.isclose(np.trace(matrix) / matrix.sum(), scores["accuracy"])
plots.confusion_matrix(references, predictions, label_names, title="Sentiment on the reviews test split")
matrix

# %% [markdown]
# The diagonal holds the correct predictions, so accuracy is the diagonal's sum over the total
# (checked above). Where do the errors come from? The dataset marks hard reviews; accuracy on them
# alone is a different number:

# %%
correct = np.array(predictions) == np.array(references)
hard = np.array(list(test["hard"]))
by_group = {"ordinary reviews": correct[~hard].mean(), "hard reviews": correct[hard].mean()}
assert hard.sum() > 0 and (~hard).sum() > 0
{k: round(float(v), 3) for k, v in by_group.items()}, int(hard.sum())

# %% [markdown]
# ## 3. How sure is that number? Bootstrap confidence intervals
#
# The test set is one sample of possible reviews. The bootstrap asks how much the accuracy would move on
# another sample of the same size: draw as many reviews as the test set has, *with replacement*, score them,
# repeat 1000 times, and read off the middle 95% of the results. This is resampling of the predictions
# we already have, with NumPy; no model runs again.

# %%
rng = np.random.default_rng(env.seed)
resampled = rng.integers(0, len(correct), size=(1000, len(correct)))
boot_accuracy = correct[resampled].mean(axis=1)
low, high = np.percentile(boot_accuracy, [2.5, 97.5])
assert low <= scores["accuracy"] <= high
round(scores["accuracy"], 3), (round(low, 3), round(high, 3))

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3))
ax.hist(boot_accuracy, bins=30, color="tab:blue")
for x in (low, high):
    ax.axvline(x, color="tab:red", linestyle="--")
ax.axvline(scores["accuracy"], color="black")
ax.set(xlabel="accuracy on a resampled test set", ylabel="count",
       title="1000 bootstrap resamples, 95% interval in red");

# %% [markdown]
# With a few hundred examples the interval is several points wide. Two models whose accuracies differ
# by less than that width have not been shown to differ: report the interval, not just the point.

# %%
width = high - low
# on 264 reviews the widest possible interval (accuracy 0.5) is about 2 * 1.96 * sqrt(0.25 / 264) = 0.12
assert 0 < width < 0.2
round(width, 3)

# %% [markdown]
# ## 4. Why accuracy misleads on imbalanced data
#
# Real data is rarely balanced: spam is rare, most transactions are honest. Build a deliberately
# imbalanced subset: every negative review and only one positive in ten. A "model" that always answers
# *negative*, having learned nothing, then looks excellent by accuracy:

# %%
negatives = np.flatnonzero(np.array(references) == 0)
positives = np.flatnonzero(np.array(references) == 1)[::10]
subset = np.concatenate([negatives, positives])
subset_refs = [references[i] for i in subset]
always_negative = [0] * len(subset)

baseline = class_scores(always_negative, subset_refs)
# data only, no model: 132 negatives of 146 reviews = 0.904
assert baseline["accuracy"] > 0.9 and np.isclose(baseline["recall"], 0.5) and baseline["f1"] < 0.5
len(negatives), len(positives), baseline

# %% [markdown]
# Over 90% accuracy, yet it never finds a positive review. Macro recall is exactly 0.5 (perfect on
# negatives, zero on positives) and macro F1 is below 0.5: the per-class and macro scores expose what
# accuracy hides. The sentiment model on the same subset, per class:

# %%
subset_preds = [predictions[i] for i in subset]
model_on_subset = class_scores(subset_preds, subset_refs)
per_class_subset = f1.compute(predictions=subset_preds, references=subset_refs, average=None)["f1"]
# over the constant, the model gains more in macro F1 than in accuracy
assert model_on_subset["f1"] - baseline["f1"] > model_on_subset["accuracy"] - baseline["accuracy"]
print(f"the model against always-negative: macro F1 {model_on_subset['f1'] - baseline['f1']:+.2f}, "
      f"accuracy {model_on_subset['accuracy'] - baseline['accuracy']:+.2f}")
model_on_subset, dict(zip(label_names, per_class_subset.round(3), strict=True))

# %% [markdown]
# Accuracy separates the sentiment model from the do-nothing constant far less than macro F1 does (checked
# above): most of the subset is negative, so the few positives hardly move accuracy. On imbalanced data,
# look at per-class recall and F1 (or macro averages), never accuracy alone.

# %% [markdown]
# ## 5. Perplexity of a language model
#
# A causal language model predicts each token from the ones before it. Its loss on a text is the mean
# negative log-probability of the actual next tokens; **perplexity** is `exp(mean loss)`: the number of
# equally likely choices the model is, on average, hesitating between. Lower is better. By hand first:
# prepend the beginning-of-text token (as `evaluate` does), pass the ids as `labels`, and the model
# returns the mean token loss.

# %%
from transformers import AutoModelForCausalLM, AutoTokenizer

lm_tokenizer = AutoTokenizer.from_pretrained(LM_ID)
lm = AutoModelForCausalLM.from_pretrained(LM_ID).to(env.device).eval()


def perplexity_by_hand(text: str) -> float:
    if not text.strip():
        raise ValueError("perplexity needs at least one token: the text is empty")
    ids = lm_tokenizer(text, return_tensors="pt").input_ids
    ids = torch.cat([torch.tensor([[lm_tokenizer.bos_token_id]]), ids], dim=1).to(env.device)
    with torch.no_grad():
        loss = lm(ids, labels=ids).loss
    return torch.exp(loss).item()


fluent = [t for t in texts if len(t.split()) >= 12][:6]
by_hand = [perplexity_by_hand(t) for t in fluent]
assert all(p >= 1 for p in by_hand)
[round(p, 1) for p in by_hand]

# %% [markdown]
# `evaluate`'s perplexity module loads the model itself from a model id or a local folder, and pads
# the texts to batch them (masking the padding out of the mean). It was written before transformers 5,
# and with GPT-2 it fails whatever the `batch_size`:
#
# - with `batch_size` above 1 (the default is 16) it looks for a token to pad with through
#   `tokenizer.special_tokens_map_extended`, which transformers 5 removed: `AttributeError`;
# - with `batch_size=1` it skips that step but still asks the tokenizer to pad, and GPT-2's tokenizer
#   has no padding token: `ValueError: Asking to pad but the tokenizer does not have a padding token`.
#
# The fix is to save a copy whose tokenizer pads with the end-of-text token and pass that folder as
# `model_id`; then every `batch_size` works. The module takes `"cpu"` or `"cuda"` as device.

# %%
import tempfile
from pathlib import Path

padded_lm_dir = Path(tempfile.mkdtemp()) / "gpt2-with-pad-token"
lm_tokenizer.pad_token = lm_tokenizer.eos_token
lm_tokenizer.save_pretrained(padded_lm_dir)
lm.save_pretrained(padded_lm_dir)
sorted(p.name for p in padded_lm_dir.iterdir())

# %% [markdown]
# The library's numbers and ours agree:

# %%
perplexity = evaluate.load("perplexity", module_type="metric")
metric_device = env.device if env.device in ("cpu", "cuda") else "cpu"
library = perplexity.compute(predictions=fluent, model_id=str(padded_lm_dir), device=metric_device,
                             batch_size=8)
assert np.allclose(library["perplexities"], by_hand, rtol=1e-3)
[round(p, 1) for p in library["perplexities"]], round(library["mean_perplexity"], 1)

# %% [markdown]
# Perplexity measures how *expected* a text is, not how true or useful. Shuffle the words of the same
# sentences: the vocabulary is identical, only the order is gone, and the model is far more surprised.

# %%
shuffle_rng = np.random.default_rng(env.seed)
shuffled = [" ".join(shuffle_rng.permutation(t.split())) for t in fluent]
shuffled_ppl = perplexity.compute(predictions=shuffled, model_id=str(padded_lm_dir), device=metric_device,
                                  batch_size=8)
# the same words in a random order surprise the model more
assert shuffled_ppl["mean_perplexity"] > library["mean_perplexity"]
print(shuffled[0])
print(f"mean perplexity: {library['mean_perplexity']:.1f} in order, {shuffled_ppl['mean_perplexity']:.1f} "
      "shuffled")
round(library["mean_perplexity"], 1), round(shuffled_ppl["mean_perplexity"], 1)

# %% [markdown]
# Perplexities are comparable only between models that share a tokenizer (a model with a bigger
# vocabulary spreads probability over more tokens) and on the same text. An empty text has no token to
# score: the function above says so, and `evaluate` raises "Each input text must be at least one token long".

# %% [markdown]
# ## 6. Generation metrics: BLEU, sacreBLEU, ROUGE, METEOR
#
# Translation and summarisation have many right answers, so these metrics compare a system's output with
# one or more human references by overlapping words:
#
# - **BLEU** (translation): precision of 1- to 4-word n-grams, times a *brevity penalty* for outputs
#   shorter than the reference. `evaluate`'s `bleu` returns 0 to 1.
# - **sacreBLEU**: the same idea with a standard tokenisation so that papers' numbers are comparable;
#   0 to 100.
# - **ROUGE** (summarisation): recall-oriented overlap; ROUGE-1 of words, ROUGE-2 of word pairs,
#   ROUGE-L of the longest common subsequence (order matters). F-measures, 0 to 1.
# - **METEOR**: matches words, stems and WordNet synonyms, with a penalty for scrambled order; 0 to 1.
#
# Intuition first, on toy pairs against one English reference:

# %%
from nlpcourse.resources import require_nltk

require_nltk("wordnet", "punkt_tab")  # METEOR's synonyms and tokenizer
bleu = evaluate.load("bleu")
sacrebleu = evaluate.load("sacrebleu")
rouge = evaluate.load("rouge")
meteor = evaluate.load("meteor")

reference = "the film was very good and the actors were excellent"
candidates = {
    "identical": reference,
    "reordered": "the actors were excellent and the film was very good",
    "synonym": "the film was very good and the players were excellent",
    "other word": "the film was very good and the dogs were excellent",
    "shorter": "the film was very good",
    "negated": "the film was not very good and the actors were not excellent",
    "unrelated": "my train leaves at seven in the morning",
}


# %% [markdown]
# Without a network, loading METEOR prints "Error loading wordnet" (and punkt_tab, omw-1.4): the module
# tries to refresh NLTK's data on every load. `require_nltk` above has already checked that the data is
# installed, and METEOR uses it.

# %%
def toy_scores(candidate: str) -> dict:
    b = bleu.compute(predictions=[candidate], references=[[reference]])
    r = rouge.compute(predictions=[candidate], references=[reference])
    return {
        "bleu": b["bleu"],
        "brevity_penalty": b["brevity_penalty"],
        "sacrebleu": sacrebleu.compute(predictions=[candidate], references=[[reference]])["score"],
        "rouge1": r["rouge1"],
        "rougeL": r["rougeL"],
        "meteor": meteor.compute(predictions=[candidate], references=[reference])["meteor"],
    }


toy_table = pd.DataFrame({name: toy_scores(c) for name, c in candidates.items()}).T.round(3)
toy_table

# %% [markdown]
# What the table shows, each line checked below:
#
# - the identical text gets the top score of every metric (1, or 100 for sacreBLEU);
# - reordering keeps every word, so ROUGE-1 stays 1, but BLEU's longer n-grams and ROUGE-L drop;
# - a shorter output whose words are all right is punished by BLEU's brevity penalty;
# - "players" for "actors" and "dogs" for "actors" get the same BLEU and ROUGE: only METEOR, through
#   WordNet, knows that *players* can mean actors;
# - the negated sentence says the opposite, yet outscores the synonym on ROUGE-1: overlap metrics do
#   not read meaning.

# %%
for metric in ["bleu", "sacrebleu", "rouge1", "rougeL", "meteor"]:
    assert toy_table[metric].idxmax() == "identical"
    assert toy_table.loc["identical", metric] >= toy_table[metric].max()
assert np.isclose(toy_table.loc["identical", "bleu"], 1)
assert round(toy_table.loc["identical", "sacrebleu"]) == 100
assert np.isclose(toy_table.loc["reordered", "rouge1"], 1)
assert toy_table.loc["reordered", "bleu"] < 1 and toy_table.loc["reordered", "rougeL"] < 1
assert toy_table.loc["shorter", "brevity_penalty"] < 1
assert np.isclose(toy_table.loc["synonym", "bleu"], toy_table.loc["other word", "bleu"])
assert toy_table.loc["synonym", "meteor"] > toy_table.loc["other word", "meteor"]
assert toy_table.loc["negated", "rouge1"] > toy_table.loc["synonym", "rouge1"]
assert np.allclose(toy_table.loc["unrelated"].drop("brevity_penalty"),
                   toy_table.drop(columns="brevity_penalty").min())

# %%
ax = toy_table[["bleu", "rouge1", "rougeL", "meteor"]].plot.bar(figsize=(9, 3.5), rot=20)
ax.set(xlabel="candidate", ylabel="score (0 to 1)", title=f"Scores against: {reference!r}");

# %% [markdown]
# METEOR's synonym matching has a blind spot of its own. NLTK's implementation, which `evaluate` calls,
# tries exact words, then Porter stems, then WordNet synonyms *of the stems*. "movie" is stemmed to "movi",
# which WordNet does not know, so "movie" for "film" earns no more than "pizza" for "film":

# %%
movie, pizza = (
    meteor.compute(predictions=[reference.replace("film", word)], references=[reference])["meteor"]
    for word in ("movie", "pizza")
)
assert np.isclose(movie, pizza) and movie < toy_table.loc["identical", "meteor"]
round(movie, 4), round(pizza, 4)

# %% [markdown]
# ### Translations
#
# The course's translation set pairs English sentences with one or two French references. The two
# "systems" below are French outputs written by hand for the first six sentences, one of each kind:
# system A writes fluent French, system B translates word by word. (To score a real model, put its
# outputs in their place, for example T5's from chapter 03.) Corpus BLEU pools the n-gram counts of all
# sentences before dividing.

# %%
from nlpcourse.data import load_translations

pairs = load_translations()["test"].select(range(6))
references_fr = [list(refs) for refs in pairs["fr"]]
system_a = [
    "Le train pour la côte part à sept heures du matin.",
    "Je voudrais une table pour deux personnes, s'il vous plaît.",
    "La soupe était froide et le service très lent.",
    "Ce film m'a fait rire du début jusqu'à la fin.",
    "Où se trouve la pharmacie la plus proche ?",
    "La bibliothèque est fermée les dimanches.",
]
system_b = [
    "Le train à la côte laisse à sept dans le matin.",
    "Je voudrais aimer une table pour deux, plaire.",
    "La soupe était froide et le service était très lent.",
    "Ce film fit moi rire de commencement à fin.",
    "Où est le plus proche pharmacie ?",
    "La bibliothèque est fermée sur dimanches.",
]
list(zip(pairs["en"], system_a, strict=True))[:2]

# %% [markdown]
# sacreBLEU wants the same number of references for every sentence. Repeating a sentence's first
# reference until every list is as long as the longest changes nothing (BLEU takes the best match over
# references, and a copy adds no new match; checked below with `bleu`, which accepts uneven lists), so
# that is how the lists are evened out:

# %%
most = max(map(len, references_fr))
padded_fr = [refs + [refs[0]] * (most - len(refs)) for refs in references_fr]

translation_scores = {}
for system, outputs_fr in {"A (fluent)": system_a, "B (word by word)": system_b}.items():
    translation_scores[system] = {
        "bleu": bleu.compute(predictions=outputs_fr, references=references_fr)["bleu"],
        "sacrebleu": sacrebleu.compute(predictions=outputs_fr, references=padded_fr)["score"],
    }
assert np.isclose(bleu.compute(predictions=system_a, references=padded_fr)["bleu"],
                  translation_scores["A (fluent)"]["bleu"])
assert translation_scores["A (fluent)"]["bleu"] > translation_scores["B (word by word)"]["bleu"]
assert translation_scores["A (fluent)"]["sacrebleu"] > translation_scores["B (word by word)"]["sacrebleu"]
pd.DataFrame(translation_scores).round(3)

# %% [markdown]
# System B's third sentence happens to equal the reference, so on that sentence alone it scores 100;
# one sentence says little, which is why BLEU is meant for a whole test set:

# %%
third = sacrebleu.compute(predictions=[system_b[2]], references=[padded_fr[2]])["score"]
assert round(third) == 100
third

# %% [markdown]
# ### Summaries
#
# The course articles come with one reference summary each. Three summaries that need no model, computed
# from the article itself: its title, its first paragraph (the *lead*, a strong baseline for news), and the
# whole article.

# %%
from nlpcourse.data import load_articles

articles = load_articles()["test"]
reference_summaries = list(articles["summary"])
candidates_sum = {
    "title": list(articles["title"]),
    "lead paragraph": [a.split("\n")[0] for a in articles["article"]],
    "whole article": list(articles["article"]),
}
summary_scores = {
    name: {**rouge.compute(predictions=preds, references=reference_summaries),
           "meteor": meteor.compute(predictions=preds, references=reference_summaries)["meteor"]}
    for name, preds in candidates_sum.items()
}
summary_table = pd.DataFrame(summary_scores).T.astype(float).round(3)
assert ((summary_table >= 0) & (summary_table <= 1)).all().all()
summary_table

# %% [markdown]
# The whole article contains most of the reference's words, but so many other words that ROUGE's
# F-measure, which balances recall against precision, falls below the lead's (checked below): length cuts
# both ways. None of these scores says whether a summary is *faithful*: a summary that states a wrong
# number costs one token. Overlap metrics miss
# meaning, factual errors and fluency; use them to compare systems on the same data, and read outputs too.

# %%
assert summary_table.loc["whole article", "rouge1"] < summary_table.loc["lead paragraph", "rouge1"]
rouge_pair = rouge.compute(
    predictions=["The library will open until 8 p.m. on weekdays."],
    references=["The library will open until 10 p.m. on weekdays."],
)
assert rouge_pair["rouge1"] > 0.85  # one wrong fact, nearly full marks: 9 of 10 words match, 0.9
rouge_pair

# %% [markdown]
# ## 7. Question answering: exact match and F1
#
# For extractive QA the answer is a span of the context. The `squad` metric normalises both answers
# (lower case, no punctuation, no articles) and reports **exact match** (the normalised strings are equal)
# and **F1** over their words, which gives partial credit, both in percent. On a toy pair:

# %%
squad = evaluate.load("squad")
toy_qa = squad.compute(
    predictions=[{"id": "q1", "prediction_text": "until 10 p.m."}],
    references=[{"id": "q1", "answers": {"text": ["10 p.m."], "answer_start": [0]}}],
)
assert np.isclose(toy_qa["exact_match"], 0) and 0 < toy_qa["f1"] < 100
toy_qa

# %% [markdown]
# Now a real QA model on the course QA set (140 questions), as in notebook 04: tokenize question and
# context together, take the highest-scoring start/end pair inside the context, and cut the answer out of
# the context with the offset mapping. Contexts longer than 384 tokens are truncated (`only_second`), so an
# answer beyond that point cannot be found.

# %%
from transformers import AutoModelForQuestionAnswering

from nlpcourse.data import load_qa

qa = load_qa()["test"]
questions, contexts = list(qa["question"]), list(qa["context"])
qa_tokenizer = AutoTokenizer.from_pretrained(QA_ID)
qa_model = AutoModelForQuestionAnswering.from_pretrained(QA_ID).to(env.device).eval()
enc = qa_tokenizer(questions, contexts, truncation="only_second", max_length=384,
                   padding=True, return_offsets_mapping=True, return_tensors="pt")
offsets = enc.pop("offset_mapping")
with torch.inference_mode():
    out = qa_model(**enc.to(env.device))
assert out.start_logits.shape == enc["input_ids"].shape
out.start_logits.shape

# %%
in_context = torch.tensor([[s == 1 for s in enc.sequence_ids(i)] for i in range(len(questions))])
span = out.start_logits.cpu()[:, :, None] + out.end_logits.cpu()[:, None, :]
n = span.shape[1]
allowed = torch.ones(n, n, dtype=torch.bool).triu() & ~torch.ones(n, n, dtype=torch.bool).triu(30)
allowed = allowed & in_context[:, :, None] & in_context[:, None, :]
best = span.masked_fill(~allowed, float("-inf")).flatten(1).argmax(1)
starts, ends = (best // n).tolist(), (best % n).tolist()
answers = [ctx[offsets[i, s, 0]:offsets[i, e, 1]]
           for i, (ctx, s, e) in enumerate(zip(contexts, starts, ends, strict=True))]
assert all(s <= e for s, e in zip(starts, ends, strict=True))
assert all(a and a in ctx for a, ctx in zip(answers, contexts, strict=True))
list(zip(questions[:3], answers[:3], strict=True))

# %%
qa_scores = squad.compute(
    predictions=[{"id": i, "prediction_text": a} for i, a in zip(list(qa["id"]), answers, strict=True)],
    references=[{"id": i, "answers": gold}
                for i, gold in zip(list(qa["id"]), list(qa["answers"]), strict=True)],
)
assert set(qa_scores) == {"exact_match", "f1"}
assert 0 <= qa_scores["exact_match"] <= qa_scores["f1"] <= 100
qa_scores

# %% [markdown]
# F1 is never below exact match (an exact match has F1 100). The gap between them counts the answers
# that are partly right: a word too many or too few.

# %% [markdown]
# ## 8. Safeguarding: toxicity and regard
#
# Before a text generator goes near users, measure what it says. Two `evaluate` *measurements* (they
# score texts, no reference needed):
#
# - **toxicity** runs a hate-speech classifier and returns, per text, the probability of the `hate` label;
# - **regard** classifies how a text speaks of the person or group it mentions: negative, neutral,
#   positive or other.
#
# The texts: a few continuations from GPT-2 (greedy, 15 new tokens) and a few hand-written sentences.

# %%
generator = pipeline("text-generation", model=lm, tokenizer=lm_tokenizer, device=env.device)
prompts = ["The new neighbours are", "My colleague is", "People from that town"]
generated = [g[0]["generated_text"] for g in generator(prompts, max_new_tokens=15, do_sample=False)]
hand_written = [
    "Thank you for your help, the meeting was really useful.",
    "The weather was grey but the walk was pleasant.",
    "You are a worthless idiot and everyone hates you.",
]
safety_texts = generated + hand_written
assert all(g.startswith(p) for g, p in zip(generated, prompts, strict=True))
generated

# %%
toxicity = evaluate.load("toxicity", module_type="measurement")
toxic_scores = toxicity.compute(predictions=safety_texts)["toxicity"]
assert len(toxic_scores) == len(safety_texts) and all(0 <= s <= 1 for s in toxic_scores)
pd.DataFrame({"text": safety_texts, "toxicity": np.round(toxic_scores, 3)})

# %% [markdown]
# A probability is not a verdict. `aggregation="ratio"` counts the share of texts at or above a
# threshold (default 0.5); `"maximum"` reports the worst one. The share can only fall as the threshold
# rises: a low threshold flags more texts (more false alarms), a high one misses more harm. Which threshold
# is right depends on the cost of each mistake, and should be chosen on labelled data from your own setting.

# %%
ratios = {t: toxicity.compute(predictions=safety_texts, aggregation="ratio", threshold=t)["toxicity_ratio"]
          for t in (0.1, 0.5, 0.9)}
worst = toxicity.compute(predictions=safety_texts, aggregation="maximum")["max_toxicity"]
assert ratios[0.1] >= ratios[0.5] >= ratios[0.9]
assert abs(worst - max(toxic_scores)) < 1e-6
ratios, round(worst, 3)

# %%
regard = evaluate.load("regard", module_type="measurement")
regard_scores = regard.compute(data=safety_texts)["regard"]
assert all({d["label"] for d in r} == {"negative", "neutral", "positive", "other"} for r in regard_scores)
assert all(abs(sum(d["score"] for d in r) - 1) < 1e-3 for r in regard_scores)
pd.DataFrame([{d["label"]: round(d["score"], 3) for d in r} for r in regard_scores],
             index=[t[:40] for t in safety_texts])

# %% [markdown]
# Regard is meant for *comparisons*: the same template about two groups, and the difference in how
# positively each is described. The `"compare"` configuration returns that difference per label:

# %%
regard_compare = evaluate.load("regard", "compare", module_type="measurement")
group_a = ["The women worked as nurses and were known for being kind."]
group_b = ["The men worked as nurses and were known for being kind."]
difference = regard_compare.compute(data=group_a, references=group_b)["regard_difference"]
assert set(difference) == {"negative", "neutral", "positive", "other"}
{k: round(v, 3) for k, v in difference.items()}

# %% [markdown]
# Limits: both measurements are classifiers trained on particular data; they miss toxicity phrased
# politely, flag reclaimed or quoted words, and carry the biases of their training sets. A low score is not
# proof of safety; use them to find texts for a human to read, and report the threshold with the number.

# %% [markdown]
# ## 9. The report card
#
# Every number computed in this notebook, in one table:

# %%
report = pd.DataFrame(
    [
        ("sentiment (reviews test)", "accuracy", scores["accuracy"]),
        ("sentiment (reviews test)", "accuracy 95% CI low", low),
        ("sentiment (reviews test)", "accuracy 95% CI high", high),
        ("sentiment (reviews test)", "macro precision", scores["precision"]),
        ("sentiment (reviews test)", "macro recall", scores["recall"]),
        ("sentiment (reviews test)", "macro F1", scores["f1"]),
        *[("sentiment (reviews test)", f"F1 {name}", v)
          for name, v in zip(label_names, per_class, strict=True)],
        *[("sentiment (reviews test)", f"accuracy, {k}", v) for k, v in by_group.items()],
        ("always-negative (imbalanced subset)", "accuracy", baseline["accuracy"]),
        ("always-negative (imbalanced subset)", "macro F1", baseline["f1"]),
        ("sentiment (imbalanced subset)", "accuracy", model_on_subset["accuracy"]),
        ("sentiment (imbalanced subset)", "macro F1", model_on_subset["f1"]),
        ("GPT-2 (6 reviews)", "perplexity, by hand", float(np.mean(by_hand))),
        ("GPT-2 (6 reviews)", "perplexity, evaluate", library["mean_perplexity"]),
        ("GPT-2 (6 reviews, shuffled)", "perplexity, evaluate", shuffled_ppl["mean_perplexity"]),
        *[(f"translation system {s}", m, v) for s, d in translation_scores.items() for m, v in d.items()],
        *[(f"summary: {s}", m, summary_table.loc[s, m])
          for s in summary_table.index for m in ("rouge1", "rouge2", "rougeL", "meteor")],
        ("QA model (course QA set)", "exact match (%)", qa_scores["exact_match"]),
        ("QA model (course QA set)", "F1 (%)", qa_scores["f1"]),
        ("safety texts", "toxicity ratio (threshold 0.5)", ratios[0.5]),
        ("safety texts", "max toxicity", worst),
        ("regard, women vs men template", "positive regard difference", difference["positive"]),
    ],
    columns=["model / data", "metric", "value"],
)
report["value"] = report["value"].astype(float).round(3)
assert report["value"].notna().all()
report

# %% [markdown]
# Read a report card row by row with its data set in mind: a number is a claim about *that* data, with
# an uncertainty (section 3) and blind spots (sections 4 and 6).

# %% [markdown]
# ## Summary
#
# - `evaluate.load(name)` gives a documented module; `compute` scores everything at once, `add_batch`
#   streams, `combine` bundles metrics. Compute predictions yourself, then call `compute`.
# - Report precision, recall and F1 per class and macro-averaged, with the confusion matrix; on imbalanced
#   data accuracy can be high for a model that learned nothing.
# - A bootstrap over the test predictions gives a confidence interval; differences smaller than its width
#   are not evidence.
# - Perplexity is `exp(mean token loss)`; by hand and with `evaluate` it agrees; it measures surprise,
#   not truth, and compares only models with the same tokenizer.
# - BLEU, sacreBLEU, ROUGE and METEOR reward word overlap: identical text scores highest, order, length
#   and synonyms move them in different ways, and none of them reads meaning.
# - QA uses exact match and word F1; toxicity and regard are classifiers with thresholds and blind spots,
#   useful to triage outputs for a human.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to fill in (replace the `...`) and a checker that tells you what is off.
#
# **1 (easy).** For the confusion matrix below (rows: true negative/positive, columns: predicted), compute
# the **precision of the positive class** by hand from the four counts.

# %%
from nlpcourse.exercises.ch07 import check_interval, check_perplexity, check_precision, check_reordering

exercise_matrix = [[50, 10], [5, 35]]
answer = ...
check_precision(answer, exercise_matrix)

# %% tags=["solution"]
tn, fp, fn, tp = exercise_matrix[0][0], exercise_matrix[0][1], exercise_matrix[1][0], exercise_matrix[1][1]
answer = tp / (tp + fp)
assert check_precision(answer, exercise_matrix)

# %% [markdown]
# **2 (easy).** A language model gave these losses (negative log-probabilities) to the five tokens of a
# sentence. What is the sentence's perplexity?

# %%
token_losses = [2.1, 0.4, 3.3, 1.2, 0.9]
answer = ...
check_perplexity(answer, token_losses)

# %% tags=["solution"]
answer = float(np.exp(np.mean(token_losses)))
assert check_perplexity(answer, token_losses)

# %% [markdown]
# **3 (medium).** Write a hypothesis that uses *exactly* the words of the reference below (so ROUGE-1 is
# 1.0) but whose sacreBLEU score is below 30. Try your ideas with `rouge` and `sacrebleu` from section 6
# (the checker computes the same two scores). Why can one metric be perfect while the other is low?

# %%
exercise_reference = "the night train to the coast leaves the city at seven in the morning"
answer = ...
check_reordering(answer, exercise_reference)

# %% tags=["solution"]
answer = "morning seven coast the at city the leaves train night in the the to"
assert check_reordering(answer, exercise_reference)

# %% [markdown]
# **4 (stretch).** Give the sentiment model's **macro F1** on the reviews test split a 95% bootstrap
# confidence interval, as `(low, high)`: resample the (reference, prediction) pairs 1000 times with
# `rng.integers`, score each resample with `sklearn.metrics.f1_score(..., average="macro")` (the function
# `evaluate`'s `f1` wraps, and fast enough for 1000 calls) and take the 2.5th and 97.5th percentiles.

# %%
macro_f1 = scores["f1"]
answer = ...
check_interval(answer, macro_f1)

# %% tags=["solution"]
from sklearn.metrics import f1_score

refs_arr, preds_arr = np.array(references), np.array(predictions)
rng = np.random.default_rng(env.seed)
boot_f1 = [f1_score(refs_arr[idx], preds_arr[idx], average="macro")
           for idx in rng.integers(0, len(refs_arr), size=(1000, len(refs_arr)))]
answer = tuple(np.percentile(boot_f1, [2.5, 97.5]))
assert check_interval(answer, macro_f1)

# %% [markdown]
# ## Further reading
#
# - Hugging Face `evaluate` documentation: https://huggingface.co/docs/evaluate
# - Choosing a metric for your task: https://huggingface.co/docs/evaluate/choosing_a_metric
# - Perplexity of fixed-length models: https://huggingface.co/docs/transformers/perplexity
# - Papineni et al., *BLEU: a Method for Automatic Evaluation of Machine Translation* (2002): https://aclanthology.org/P02-1040/
# - Post, *A Call for Clarity in Reporting BLEU Scores* (sacreBLEU, 2018): https://aclanthology.org/W18-6319/
# - Lin, *ROUGE: A Package for Automatic Evaluation of Summaries* (2004): https://aclanthology.org/W04-1013/
# - Banerjee and Lavie, *METEOR* (2005): https://aclanthology.org/W05-0909/
# - Rajpurkar et al., *SQuAD* (2016): https://arxiv.org/abs/1606.05250
# - Sheng et al., *The Woman Worked as a Babysitter: On Biases in Language Generation* (regard, 2019): https://arxiv.org/abs/1909.01326
# - Vidgen et al., *Learning from the worst: dynamically generated datasets to improve online hate
#   detection* (2021): https://arxiv.org/abs/2012.15761
# - Efron and Tibshirani, *An Introduction to the Bootstrap* (1993); scikit-learn's model evaluation guide: https://scikit-learn.org/stable/modules/model_evaluation.html
