# %% [markdown]
# # 01 · Tokenization: from text to numbers and back
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/01_tokenization.ipynb
#
# A neural network computes with numbers, never with letters. Before any model can read a review, a
# tokenizer cuts the text into pieces (*tokens*) and looks each piece up in a fixed vocabulary to get
# its number (*id*). Which pieces, which vocabulary and which extra marker tokens a model expects is
# decided when the model is trained, so every model comes with its own tokenizer. Most surprises in
# later chapters (a sentence that is "too long", a model that never saw a word, a label that lands on
# the wrong token) are tokenization surprises; this notebook makes them visible.
#
# **You will learn**
# - how words (NLTK) differ from subword tokens (WordPiece), and how tokens become ids and text again;
# - what `tokenizer(text)` returns: `input_ids`, `token_type_ids`, `attention_mask`, and the special tokens;
# - how BERT, XLNet and GPT-2 place their special tokens, and how to batch, pad and truncate;
# - how to map tokens back to the characters they came from (`word_ids`, offsets);
# - how to train your own tokenizer, and why a batched call beats a Python loop.
#
# **Prerequisites:** 00 Setup. Python lists and dictionaries.
#
# **Runtime:** about 10 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 1.2 GB; on a GPU not measured yet. **Download:** 450 MB the first time, or ahead with
# `python -m nlpcourse download 01`.

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
# ## Why models need numbers: words, subwords and ids
#
# Start with one sentence. NLTK's `word_tokenize` splits it into words and punctuation marks, following
# rules written by linguists. It needs the `punkt_tab` data package, which `require_nltk` checks for
# (its error message says how to install anything missing).

# %%
import nltk

from nlpcourse.resources import require_nltk

require_nltk("punkt_tab")
text = "NLP makes computers understand language!"
words = nltk.word_tokenize(text)
assert words == ["NLP", "makes", "computers", "understand", "language", "!"]
words

# %% [markdown]
# A Hugging Face tokenizer is loaded by the name of the model it belongs to. `bert-base-uncased`
# lower-cases the text and uses *WordPiece*: a word that is not in its 30,522-entry vocabulary is cut
# into pieces that are, and every piece after the first starts with `##`.

# %%
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
tokens = tokenizer.tokenize(text)
assert tokens == ["nl", "##p", "makes", "computers", "understand", "language", "!"]
assert len(tokenizer) == 30522
tokens

# %% [markdown]
# "NLP" is not in BERT's vocabulary, so it becomes `nl` + `##p`; the common words stay whole. Each
# token has an id (its row in the vocabulary), and `decode` turns ids back into text. The round trip
# gives the lower-cased text: an *uncased* model never sees capitals.

# %%
ids = tokenizer.convert_tokens_to_ids(tokens)
assert ids == [17953, 2361, 3084, 7588, 3305, 2653, 999]
assert tokenizer.convert_ids_to_tokens(ids) == tokens
assert tokenizer.decode(ids) == text.lower()
ids

# %% [markdown]
# NLTK gave words but no ids: a rule-based tokenizer has no vocabulary, so there is nothing to look
# a word up in. Classic machine learning builds the vocabulary from the data instead. A *Bag-of-Words*
# model counts how often each vocabulary word occurs in each document; *TF-IDF* then down-weights words
# that occur in many documents. scikit-learn does both:

# %%
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

docs = [text, "Computers understand numbers.", "Language is fun."]
bow = CountVectorizer()
counts = bow.fit_transform(docs)
vocabulary = list(bow.get_feature_names_out())
assert vocabulary == ["computers", "fun", "is", "language", "makes", "nlp", "numbers", "understand"]
assert counts.shape == (len(docs), len(vocabulary))
pd.DataFrame(counts.toarray(), columns=vocabulary, index=["doc 0", "doc 1", "doc 2"])

# %%
tfidf = TfidfVectorizer().fit(docs)
weights = pd.DataFrame(tfidf.transform(docs).toarray(), columns=vocabulary, index=["doc 0", "doc 1", "doc 2"])
# "nlp" occurs only in doc 0, "computers" in two documents: TF-IDF weighs the rarer word higher
assert weights.loc["doc 0", "nlp"] > weights.loc["doc 0", "computers"] > 0
weights.round(2)

# %% [markdown]
# What to notice: a Bag-of-Words vector has one column per vocabulary word and forgets the order of
# the words. A transformer keeps the order: it reads the *sequence* of ids, one per token.
#
# ## What `tokenizer(text)` returns
#
# Calling the tokenizer does everything at once: split, look up ids, add the model's special tokens,
# and build the extra inputs the model expects.

# %%
encoding = tokenizer(text)
assert list(encoding.keys()) == ["input_ids", "token_type_ids", "attention_mask"]
encoding

# %% [markdown]
# - `input_ids`: the ids from before, with `101` in front and `102` at the end.
# - `token_type_ids`: which segment each token belongs to (all 0 for a single sentence).
# - `attention_mask`: 1 for every real token the model should read.
#
# 101 and 102 are BERT's special tokens `[CLS]` (a summary position that classification heads read) and
# `[SEP]` (the end of a segment):

# %%
all_tokens = tokenizer.convert_ids_to_tokens(encoding["input_ids"])
assert encoding["input_ids"][0] == tokenizer.cls_token_id == 101
assert encoding["input_ids"][-1] == tokenizer.sep_token_id == 102
assert all_tokens == ["[CLS]", *tokens, "[SEP]"]
assert sum(encoding["attention_mask"]) == len(all_tokens)
all_tokens

# %% [markdown]
# ## Three model families, three tokenizers
#
# Each model family learned its own way to cut text and puts its special tokens somewhere else:
#
# - **BERT** uses *WordPiece* and wraps a sentence in `[CLS] ... [SEP]`.
# - **XLNet** uses a *SentencePiece* Unigram model (`▁` marks the start of a word) and puts `<sep> <cls>`
#   at the **end**.
# - **GPT-2** uses *byte-level BPE* (`Ġ` marks a leading space) and adds **no** special tokens at all.
#
# The algorithm is visible in the tokenizer's backend, the Rust `tokenizers` object underneath:

# %%
xlnet = AutoTokenizer.from_pretrained("xlnet/xlnet-base-cased")
gpt2 = AutoTokenizer.from_pretrained("openai-community/gpt2")
family = {"BERT": tokenizer, "XLNet": xlnet, "GPT-2": gpt2}
algorithm = {name: type(tok.backend_tokenizer.model).__name__ for name, tok in family.items()}
assert algorithm == {"BERT": "WordPiece", "XLNet": "Unigram", "GPT-2": "BPE"}
algorithm


# %%
def tokens_of(tok, sentence):
    return tok.convert_ids_to_tokens(tok(sentence)["input_ids"])


side_by_side = pd.DataFrame(
    [
        {
            "model": name,
            "algorithm": algorithm[name],
            "vocabulary": len(tok),
            "tokens": " ".join(tokens_of(tok, text)),
            "count": len(tok(text)["input_ids"]),
        }
        for name, tok in family.items()
    ]
).set_index("model")
side_by_side

# %% [markdown]
# The vocabulary sizes and exact pieces differ from model to model, but the placement of the special
# tokens is fixed by each family:

# %%
xlnet_tokens = tokens_of(xlnet, text)
gpt2_ids = gpt2(text)["input_ids"]
assert xlnet_tokens[-2:] == ["<sep>", "<cls>"]  # XLNet: at the end
assert not set(xlnet_tokens[:-2]) & set(xlnet.all_special_tokens)
assert not set(gpt2_ids) & set(gpt2.all_special_ids)  # GPT-2: none at all
assert gpt2.decode(gpt2_ids) == text  # byte-level BPE keeps the case and every character
assert xlnet_tokens[0].startswith("▁") and tokens_of(gpt2, "a b")[1].startswith("Ġ")
xlnet_tokens, gpt2.convert_ids_to_tokens(gpt2_ids)

# %% [markdown]
# How many tokens does each tokenizer need for real sentences? Fewer tokens mean shorter, cheaper
# inputs. Here are five reviews from the course data:

# %%
import matplotlib.pyplot as plt
import numpy as np

from nlpcourse.data import load_reviews

reviews = load_reviews()
samples = list(reviews["test"]["text"][:5])
counts_per_model = {name: [len(tok(s)["input_ids"]) for s in samples] for name, tok in family.items()}

fig, ax = plt.subplots(figsize=(9, 3.5))
x = np.arange(len(samples))
for i, (name, counts_) in enumerate(counts_per_model.items()):
    ax.bar(x + (i - 1) * 0.27, counts_, width=0.27, label=name)
ax.set(xticks=x, xticklabels=[f"review {i}" for i in x], xlabel="sentence",
       ylabel="tokens (special tokens included)", title="Token counts per tokenizer")
ax.legend()
plt.show()
assert all(len(c) == len(samples) and min(c) > 0 for c in counts_per_model.values())

# %% [markdown]
# ## Sentence pairs and `token_type_ids`
#
# Some tasks read two texts at once: a question and a passage, a premise and a hypothesis. Pass them as
# two arguments: BERT joins them as `[CLS] A [SEP] B [SEP]` and `token_type_ids` marks segment A with 0
# and segment B with 1.

# %%
pair = tokenizer("How old are you?", "I am six.")
pair_tokens = tokenizer.convert_ids_to_tokens(pair["input_ids"])
assert pair_tokens == ["[CLS]", "how", "old", "are", "you", "?", "[SEP]", "i", "am", "six", ".", "[SEP]"]
assert pair["token_type_ids"] == [0] * 7 + [1] * 5
pd.DataFrame({"token": pair_tokens, "token_type_id": pair["token_type_ids"]}).T

# %% [markdown]
# ## Batches: padding, truncation and tensors
#
# A model takes a rectangular tensor, but sentences have different lengths. `padding=True` fills the
# shorter ones with `[PAD]` (id 0) up to the longest, and sets their `attention_mask` to 0 so the model
# ignores them. `truncation=True` with `max_length` cuts sentences that are too long, and
# `return_tensors="pt"` returns PyTorch tensors.

# %%
batch_texts = [
    "Hi!",
    "How are you today?",
    "This sentence is much longer than the others, so it will be cut.",
]
batch = tokenizer(batch_texts, padding=True, truncation=True, max_length=12, return_tensors="pt")
assert batch["input_ids"].shape == (3, 12)
assert batch["input_ids"][0].tolist() == [101, 7632, 999, 102] + [tokenizer.pad_token_id] * 8
assert batch["attention_mask"][0].tolist() == [1] * 4 + [0] * 8
assert batch["input_ids"][2, -1].item() == tokenizer.sep_token_id  # cut, but still ends with [SEP]
batch["attention_mask"]

# %% [markdown]
# What to notice: the first row is 4 real tokens and 8 padding positions; the third row was cut at 12
# tokens and still ends with `[SEP]`. `tokenizer.batch_decode` shows the padded text:

# %%
decoded = tokenizer.batch_decode(batch["input_ids"])
assert decoded[0].startswith("[CLS] hi! [SEP] [PAD]")
decoded

# %% [markdown]
# ## Past the model's limit
#
# BERT was trained on at most 512 tokens; `tokenizer.model_max_length` records it. A longer text still
# tokenizes (the tokenizer only warns), but the model cannot read it: further down, once the model is
# loaded, you will see it stop with an error. So check the length, or truncate. Here is a text of several
# paragraphs from the course corpus:

# %%
from nlpcourse.data import load_corpus

long_text = " ".join(load_corpus()[:10])
n_tokens = len(tokenizer(long_text)["input_ids"])
assert tokenizer.model_max_length == 512
assert n_tokens > tokenizer.model_max_length
n_tokens


# %% [markdown]
# A helper that refuses empty text and says when it truncates, instead of silently dropping the end:

# %%
def encode_for_model(text, tokenizer=tokenizer):
    if not text.strip():
        raise ValueError("empty text: there is nothing to tokenize")
    limit = tokenizer.model_max_length
    n = len(tokenizer(text)["input_ids"])
    if n > limit:
        print(f"Text has {n} tokens; the model reads at most {limit}: the last {n - limit} are dropped.")
    return tokenizer(text, truncation=True, max_length=limit)


encoded = encode_for_model(long_text)
assert len(encoded["input_ids"]) == 512 and encoded["input_ids"][-1] == tokenizer.sep_token_id
assert len(encode_for_model("Short and sweet.")["input_ids"]) == 6
assert tokenizer("")["input_ids"] == [101, 102]  # an empty text is just the special tokens

# %% [markdown]
# Dropping the end loses information. To keep all of it, cut the text into overlapping windows:
# `return_overflowing_tokens=True` with a `stride` (the overlap) returns one row per window.

# %%
windows = tokenizer(long_text, truncation=True, max_length=256, stride=32, return_overflowing_tokens=True)
lengths = [len(w) for w in windows["input_ids"]]
assert max(lengths) == 256 and len(lengths) >= 3
assert windows["overflow_to_sample_mapping"] == [0] * len(lengths)  # all windows come from text 0
lengths

# %% [markdown]
# ## Special tokens: `[MASK]`, `[PAD]`, `[UNK]` and your own
#
# Besides `[CLS]` and `[SEP]`, BERT has `[PAD]` for padding, `[MASK]` for the word a masked language
# model must guess (chapter 03), and `[UNK]` for anything it cannot spell with its vocabulary. Special
# tokens are never split or lower-cased:

# %%
specials = dict(zip(tokenizer.all_special_tokens, tokenizer.all_special_ids, strict=True))
assert specials == {"[UNK]": 100, "[SEP]": 102, "[PAD]": 0, "[CLS]": 101, "[MASK]": 103}
assert tokenizer.tokenize("The movie was [MASK].") == ["the", "movie", "was", "[MASK]", "."]
assert tokenizer.tokenize("🤗") == ["[UNK]"]  # no emoji in BERT's vocabulary
specials

# %% [markdown]
# You can add a token of your own, for example a placeholder that a cleaning step puts where a URL was
# (chapter 02). The tokenizer then keeps it whole, but the model has no embedding row for the new id
# yet: `resize_token_embeddings` adds one. We load a fresh tokenizer so the one above stays unchanged.

# %%
from transformers import AutoModel

custom = AutoTokenizer.from_pretrained("bert-base-uncased")
assert custom.tokenize("see <url> now") == ["see", "<", "ur", "##l", ">", "now"]
added = custom.add_tokens(["<url>"], special_tokens=True)
assert added == 1 and len(custom) == len(tokenizer) + 1
assert custom.tokenize("see <url> now") == ["see", "<url>", "now"]
custom.tokenize("see <url> now")

# %%
model = AutoModel.from_pretrained("bert-base-uncased").to(env.device)
rows_before = model.get_input_embeddings().weight.shape[0]
model.resize_token_embeddings(len(custom))
rows_after = model.get_input_embeddings().weight.shape[0]
assert rows_before == len(tokenizer)  # one embedding row per vocabulary entry
assert rows_after == len(custom) == rows_before + 1
rows_before, rows_after, model.config.hidden_size

# %% [markdown]
# The new row has no learned meaning yet; it gets one only when the model is fine-tuned on text
# that contains the token (chapter 06). The model's other table, one row per position, is where the
# 512-token limit comes from:

# %%
positions = model.config.max_position_embeddings
assert positions == tokenizer.model_max_length == 512
positions

# %% [markdown]
# Give the model more tokens than it has positions and it stops with a `RuntimeError`: its embedding
# layer adds one position vector to each token vector, and there are only 512 position vectors for the
# longer sequence. Truncating to `model_max_length` is the fix.

# %%
import torch

too_long = tokenizer(long_text, return_tensors="pt").to(env.device)
assert too_long["input_ids"].shape[1] == n_tokens > positions
try:
    with torch.inference_mode():
        model(**too_long)
except RuntimeError as err:
    message = str(err)
else:
    raise AssertionError(f"the model read {n_tokens} tokens with only {positions} positions")
assert f"The size of tensor a ({n_tokens}) must match the size of tensor b ({positions})" in message
print("RuntimeError:", message)

# %%
truncated = tokenizer(long_text, truncation=True, max_length=positions, return_tensors="pt").to(env.device)
with torch.inference_mode():
    hidden = model(**truncated).last_hidden_state
assert hidden.shape == (1, positions, model.config.hidden_size)  # the first 512 tokens, read
hidden.shape

# %% [markdown]
# ## From tokens back to characters: `word_ids` and offsets
#
# To highlight an entity in the original text, or to turn a predicted token into a character span (the
# answer of a question), you need to know where each token came from. `word_ids()` says which word each
# token belongs to (`None` for special tokens), and `return_offsets_mapping=True` gives each token's
# `(start, end)` in the original string.

# %%
aligned = tokenizer(text, return_offsets_mapping=True)
table = pd.DataFrame(
    {
        "token": aligned.tokens(),
        "word_id": pd.array(aligned.word_ids(), dtype="Int64"),
        "offsets": aligned["offset_mapping"],
        "original": [text[s:e] for s, e in aligned["offset_mapping"]],
    }
)
assert aligned.word_ids() == [None, 0, 0, 1, 2, 3, 4, 5, None]
assert [text[s:e] for s, e in aligned["offset_mapping"][1:3]] == ["NL", "P"]
table

# %% [markdown]
# What to notice: `nl` and `##p` share word 0 and together cover `NL` + `P` of the original, with its
# capitals, although the tokens are lower case. The special tokens have the empty span `(0, 0)`.
#
# ## Train your own tokenizer
#
# The `tokenizers` library trains a tokenizer from raw text in seconds. Here, a WordPiece tokenizer with
# BERT's normalisation (lower-casing, accent stripping) and pre-tokenisation (split on spaces and
# punctuation), trained on the course corpus with a vocabulary of 3,000 instead of 30,522:

# %%
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

from nlpcourse.data import corpus_path

own = Tokenizer(models.WordPiece(unk_token="[UNK]"))
own.normalizer = normalizers.BertNormalizer(lowercase=True)
own.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
trainer = trainers.WordPieceTrainer(
    vocab_size=3000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
)
own.train([str(corpus_path())], trainer)
assert own.get_vocab_size() <= 3000
assert own.token_to_id("[PAD]") == 0
own.get_vocab_size()

# %% [markdown]
# Compare how the two split words from the course's review domains. The small tokenizer learned only
# from these texts, so it keeps words that are frequent *here* in one piece; BERT learned from Wikipedia
# and books and needs more pieces for some of them, while rarely seen words split in both.

# %%
domain_words = ["soundtrack", "headphones", "espresso", "dishwasher", "screenplay", "earbuds", "the"]
comparison = pd.DataFrame(
    {
        "bert-base-uncased": [" ".join(tokenizer.tokenize(w)) for w in domain_words],
        "course tokenizer": [" ".join(own.encode(w).tokens) for w in domain_words],
    },
    index=domain_words,
)
pieces = comparison.map(lambda split: len(split.split())).sum()
assert own.encode("the").tokens == ["the"] and tokenizer.tokenize("the") == ["the"]
assert tokenizer.tokenize("headphones") == ["head", "##phones"]
assert pieces["course tokenizer"] < pieces["bert-base-uncased"]  # fewer pieces for the domain words
comparison

# %% [markdown]
# To use it like any Hugging Face tokenizer (`tok(text)`, padding, `save_pretrained`), wrap it:

# %%
from transformers import PreTrainedTokenizerFast

wrapped = PreTrainedTokenizerFast(tokenizer_object=own, unk_token="[UNK]", pad_token="[PAD]")
wrapped_batch = wrapped(["the soundtrack", "great headphones and espresso"], padding=True)
assert len(wrapped_batch["input_ids"][0]) == len(wrapped_batch["input_ids"][1])
wrapped_batch

# %% [markdown]
# ## A batched call versus a Python loop
#
# The tokenizers are written in Rust. Called on a list, a tokenizer hands the whole list to Rust at once
# (which can spread it over several cores); a Python loop pays the Python-side overhead of a call once
# per text. Here are the same 1,000 review sentences both ways, best of five runs each. The ratio
# depends on the machine: the more cores and the longer the texts, the larger the gain.

# %%
import time

sentences = list(reviews["train"]["text"][:1000])


def best_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


loop_s, looped = best_time(lambda: [tokenizer(s)["input_ids"] for s in sentences])
batch_s, batched = best_time(lambda: tokenizer(sentences)["input_ids"])
assert looped == batched  # the same ids either way
print(f"loop: {loop_s * 1000:.0f} ms, batch: {batch_s * 1000:.0f} ms, "
      f"batch is {loop_s / batch_s:.1f}x faster")

# %% [markdown]
# ## Summary
#
# - Models read ids: a tokenizer splits text into tokens from a fixed vocabulary and maps them to ids;
#   `decode` maps ids back. NLTK splits into words but has no vocabulary, hence no ids.
# - WordPiece (BERT), SentencePiece/Unigram (XLNet) and byte-level BPE (GPT-2) split unknown words into
#   known subwords; each family places its own special tokens (`[CLS]`/`[SEP]`, `<sep> <cls>` at the
#   end, none).
# - `tokenizer(text)` returns `input_ids`, `attention_mask` and, for BERT, `token_type_ids` (segment A/B).
# - Batches need `padding`; long texts need `truncation` with `max_length`, or overlapping windows with
#   `stride`; beyond `model_max_length` (512 for BERT) the model cannot read.
# - Added tokens need `model.resize_token_embeddings(len(tokenizer))`.
# - `word_ids()` and offset mappings lead from tokens back to words and characters.
# - `tokenizers` trains a WordPiece or BPE tokenizer on your own corpus in seconds; call tokenizers on
#   batches rather than in loops.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your answer and a check that explains what is off. Solutions are in the
# cells tagged `solution`.
#
# **1 (easy).** Which tokens does bert-base-uncased make of the sentence below, *without* the special
# tokens? Set `answer` to the list.

# %%
from nlpcourse.exercises.ch01 import (
    EXERCISE_SENTENCE,
    PADDING_BATCH,
    check_attention_mask,
    check_count_tokens,
    check_trained_tokenizer,
    check_wordpiece_tokens,
)

print(EXERCISE_SENTENCE)
answer = ...
check_wordpiece_tokens(answer)

# %% tags=["solution"]
answer = tokenizer.tokenize(EXERCISE_SENTENCE)
assert check_wordpiece_tokens(answer)

# %% [markdown]
# **2 (easy).** Work out *by hand* the `attention_mask` that `tokenizer(PADDING_BATCH, padding=True)`
# returns, as a list of two lists; then check it by running the tokenizer.

# %%
print(PADDING_BATCH)
answer = ...
check_attention_mask(answer)

# %% tags=["solution"]
answer = [[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]]
assert answer == tokenizer(PADDING_BATCH, padding=True)["attention_mask"]
assert check_attention_mask(answer)


# %% [markdown]
# **3 (medium).** Write `count_tokens(texts, tokenizer)` that returns the number of tokens of each
# text *without* special tokens, using **one** call of the tokenizer on the whole list. An empty text has
# 0 tokens.

# %%
def count_tokens(texts, tokenizer):
    ...  # your code: return a list of ints


check_count_tokens(count_tokens, tokenizer)


# %% tags=["solution"]
def count_tokens(texts, tokenizer):
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


assert check_count_tokens(count_tokens, tokenizer)

# %% [markdown]
# **4 (stretch).** Train a **BPE** tokenizer (`models.BPE(unk_token="[UNK]")`, a `Whitespace`
# pre-tokenizer, a `BpeTrainer` with `vocab_size=500` and `special_tokens=["[UNK]"]`) on the course
# corpus. Which domain words from the comparison above does it keep whole?

# %%
bpe = ...
check_trained_tokenizer(bpe)

# %% tags=["solution"]
bpe = Tokenizer(models.BPE(unk_token="[UNK]"))
bpe.pre_tokenizer = pre_tokenizers.Whitespace()
bpe.train([str(corpus_path())], trainers.BpeTrainer(vocab_size=500, special_tokens=["[UNK]"]))
print({w: bpe.encode(w).tokens for w in domain_words})
assert check_trained_tokenizer(bpe)

# %% [markdown]
# ## Further reading
#
# - Hugging Face LLM course, chapter 2 (tokenizers) and chapter 6 (the `tokenizers` library):
#   https://huggingface.co/learn/llm-course/chapter6/1
# - Transformers documentation, tokenizers and padding/truncation:
#   https://huggingface.co/docs/transformers/main_classes/tokenizer and
#   https://huggingface.co/docs/transformers/pad_truncation
# - The `tokenizers` library: https://huggingface.co/docs/tokenizers
# - Sennrich et al. (2016), *Neural Machine Translation of Rare Words with Subword Units* (BPE): https://arxiv.org/abs/1508.07909
# - Kudo and Richardson (2018), *SentencePiece*: https://arxiv.org/abs/1808.06226
# - Devlin et al. (2019), *BERT* (WordPiece, [CLS]/[SEP], segments): https://arxiv.org/abs/1810.04805
# - NLTK book, chapter 3 (tokenization): https://www.nltk.org/book/ch03.html
# - scikit-learn, text feature extraction (Bag-of-Words, TF-IDF):
#   https://scikit-learn.org/stable/modules/feature_extraction.html#text-feature-extraction
