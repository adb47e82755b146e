# %% [markdown]
# # 12 · Retrieval and retrieval-augmented generation: embeddings, search and grounded answers
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/12_retrieval_rag.ipynb
#
# A language model knows only what was in its training data, and a small one knows little of that. Ask it
# about your own documents (a company wiki, this course's articles) and it makes something up. The fix most
# question-answering systems use is to *look the answer up first*: find the few passages of your documents
# that are most likely to hold the answer, put them into the prompt, and let the model answer from them.
# That is retrieval-augmented generation (RAG). This notebook builds each piece and measures it on the
# course articles and questions, whose answers and source paragraphs are known: sentence embeddings,
# chunking, exact vector search with FAISS, BM25 and a hybrid of the two, then SmolLM2 answering with and
# without the retrieved passages, next to an extractive QA model.
#
# **You will learn**
# - what a sentence embedding is: mean pooling with the attention mask and L2 normalisation, by hand and
#   with `sentence-transformers`; cosine similarity and why normalised vectors make it a dot product;
# - how to split documents into passages with overlap, and how the passage size changes what is found;
# - exact search with a FAISS index, lexical search with BM25 (`bm25s`), and a hybrid by reciprocal rank
#   fusion, scored with recall@k and MRR;
# - retrieval-augmented generation: a prompt with numbered passages, answers that cite the passage they
#   came from, exact match and F1 against closed-book answers, the gold passage and an extractive model;
# - when to say "I don't know": a threshold on the retrieval score, chosen on one split, measured on another;
# - what it costs (index size, latency, prompt length) and where it breaks.
#
# **Prerequisites:** 03 (pipelines, sentence vectors), 04 (extractive QA with start/end logits), 07
# (exact match and F1) and 10 (chat templates, greedy decoding).
#
# **On a CPU** the retrieval parts use every question; SmolLM2 and the extractive model answer a fixed
# sample of the questions, and the notebook says so when it picks it (a GPU answers all of them). The
# checkpoints are `sentence-transformers/all-MiniLM-L6-v2` (92 MB), `HuggingFaceTB/SmolLM2-135M-Instruct`
# (272 MB) and `distilbert/distilbert-base-cased-distilled-squad` (262 MB).
#
# **Runtime:** about 1.6 min on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 1.7 GB; on a GPU not measured yet. **Download:** 626 MB the first time, or ahead with
# `python -m nlpcourse download 12`.

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
# ## 1. Sentence embeddings
#
# Chapter 03 turned sentences into vectors with the `feature-extraction` pipeline and an average. A model
# trained for that job is a *sentence embedding* model: all-MiniLM-L6-v2 is a 6-layer BERT fine-tuned on
# about a billion sentence pairs (its model card lists them) so that texts with similar meaning get vectors
# pointing in similar directions. The `sentence-transformers` library loads it as a chain of modules;
# printing the model shows them:

# %%
import math
import time

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer

from nlpcourse.data import load_articles, load_qa, load_reviews

EMBED_ID = "sentence-transformers/all-MiniLM-L6-v2"
embedder = SentenceTransformer(EMBED_ID, device=env.device)
assert [type(module).__name__ for module in embedder] == ["Transformer", "Pooling", "Normalize"]
print(f"max_seq_length {embedder.max_seq_length} tokens, {embedder.get_embedding_dimension()} dimensions")
embedder

# %% [markdown]
# Three steps: the **Transformer** gives one vector per token; **Pooling** (`'pooling_mode': 'mean'`)
# averages the token vectors into one; **Normalize** scales it to length 1. Texts longer than
# `max_seq_length` tokens are cut, silently: keep that in mind for section 2.
#
# ### By hand
#
# The same three steps with plain `transformers`. The average must skip the padding: in a batch, shorter
# texts are padded to the longest, and the padding positions get vectors too. Multiplying by the attention
# mask zeroes them before the sum, and dividing by the mask's sum divides by the number of real tokens.

# %%
tok = AutoTokenizer.from_pretrained(EMBED_ID)
encoder = AutoModel.from_pretrained(EMBED_ID).to(env.device).eval()


def embed_by_hand(model, texts):
    """Mean of the token vectors over the real tokens (attention mask), then L2 normalisation."""
    batch = tok(texts, padding=True, truncation=True, max_length=embedder.max_seq_length,
                return_tensors="pt").to(env.device)
    with torch.inference_mode():
        tokens = model(**batch).last_hidden_state  # (texts, tokens, hidden size)
    mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)  # (texts, tokens, 1)
    pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1)
    return F.normalize(pooled, dim=-1), tokens, batch["attention_mask"]


reviews = load_reviews()["test"]
sample = list(reviews["text"][:6])
by_hand, token_vectors, attention_mask = embed_by_hand(encoder, sample)
library = embedder.encode(sample, convert_to_tensor=True)
assert by_hand.shape == library.shape == (len(sample), embedder.get_embedding_dimension())
assert torch.allclose(by_hand, library.to(by_hand.device), atol=1e-5)
assert torch.allclose(library.norm(dim=-1), torch.ones(len(sample), device=library.device), atol=1e-5)
print(f"token vectors {tuple(token_vectors.shape)} -> sentence vectors {tuple(by_hand.shape)}; "
      f"largest difference from encode(): {(by_hand - library.to(by_hand.device)).abs().max():.1e}")

# %% [markdown]
# Equal to `encode`, within float rounding. Without the mask, the padding joins the average and the shorter
# texts get other vectors; the longest text of the batch has no padding, so only it comes out the same:

# %%
naive = F.normalize(token_vectors.mean(dim=1), dim=-1)
gap = (naive - library.to(naive.device)).norm(dim=-1)
lengths = attention_mask.sum(dim=1)
assert gap[lengths.argmax()] < 1e-4 and gap[lengths.argmin()] > 1e-3
pd.DataFrame({"tokens": lengths.tolist(), "distance from encode() without the mask": gap.tolist(),
              "review": sample})

# %% [markdown]
# ### Cosine similarity
#
# The cosine of the angle between two vectors, $\cos(a, b) = \frac{a \cdot b}{\lVert a \rVert \, \lVert b
# \rVert}$, is 1 for the same direction, 0 at right angles and -1 for opposite directions; it ignores the
# lengths. Once both vectors have length 1 the denominator is 1, and the cosine **is** the dot product.
# That is why embedding models normalise: a search over millions of vectors becomes one matrix product.

# %%
from sklearn.metrics.pairwise import cosine_similarity

a, b = token_vectors[0].mean(dim=0), token_vectors[1].mean(dim=0)  # two vectors of other lengths than 1
cos_by_hand = (a @ b) / (a.norm() * b.norm())
assert math.isclose(cos_by_hand.item(), F.cosine_similarity(a, b, dim=0).item(), abs_tol=1e-5)
unit = library.cpu()
matrix = unit @ unit.T  # all pairs at once: dot products of unit vectors
assert np.allclose(cosine_similarity(unit.numpy()), matrix.numpy(), atol=1e-5)
assert torch.allclose(embedder.similarity(unit, unit), matrix, atol=1e-5)
print(f"cosine by hand {cos_by_hand.item():.4f}; the model's similarity function: "
      f"{embedder.similarity_fn_name}")

# %% [markdown]
# ### The nearest reviews to a query
#
# Embed the 264 test reviews once, then a query; the reviews with the highest dot product are its nearest
# neighbours. No review needs to share a word with the query.

# %%
review_texts = list(reviews["text"])
label_names = reviews.features["label"].names
domains, labels = np.array(reviews["domain"]), np.array([label_names[y] for y in reviews["label"]])
review_vectors = embedder.encode(review_texts, convert_to_tensor=True, batch_size=64)
query = "my phone stopped charging after a week"
scores = review_vectors @ embedder.encode(query, convert_to_tensor=True)
top = scores.topk(5)
assert (top.values[:-1] >= top.values[1:]).all() and top.values.abs().max() <= 1 + 1e-5
nearest_five = top.indices.tolist()
pd.DataFrame({"score": top.values.tolist(), "domain": domains[nearest_five], "label": labels[nearest_five],
              "review": [review_texts[i] for i in nearest_five]}).round(3)

# %% [markdown]
# Read the five reviews and their domains: what the query is about, and how it was said, both move the
# scores. A picture of all 264 vectors: PCA (scikit-learn) keeps the two directions along which the
# 384-dimensional vectors vary most. Left, coloured by domain; right, by sentiment.

# %%
import matplotlib.pyplot as plt
from sklearn.decomposition import PCA

points = PCA(n_components=2).fit_transform(review_vectors.cpu().numpy())
fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)
for ax, groups, title in ((axes[0], domains, "by domain"), (axes[1], labels, "by sentiment")):
    for group in sorted(set(groups)):
        ax.scatter(*points[groups == group].T, s=12, alpha=0.7, label=group)
    ax.set(title=f"Test reviews, {title}", xlabel="first principal component",
           ylabel="second principal component")
    ax.legend()
fig.tight_layout()

# %% [markdown]
# Two components keep only part of the picture. A number that uses all 384 dimensions: for each review,
# does its nearest other review share its domain, its sentiment? Compare each with the chance level:

# %%
similarity = (review_vectors @ review_vectors.T).fill_diagonal_(-2).cpu()
nearest = similarity.argmax(dim=1).numpy()
same_domain, same_label = np.mean(domains[nearest] == domains), np.mean(labels[nearest] == labels)
chance_domain = sum((domains == d).mean() ** 2 for d in set(domains))
print(f"the nearest review shares the domain for {same_domain:.0%} (chance {chance_domain:.0%}), "
      f"the sentiment for {same_label:.0%} (chance 50%)")
assert 0 <= same_domain <= 1 and 0 <= same_label <= 1

# %% [markdown]
# The embedding is one vector for everything a text says. all-MiniLM-L6-v2 was trained to place
# *paraphrases* close together, not to sort by sentiment; compare the two shares above with their chance
# levels. For search by meaning that is what we want; a sentiment classifier (chapter 06) is trained for the
# other job.

# %% [markdown]
# ## 2. Chunking: from documents to passages
#
# The document collection is the 31 course articles (about 230 words each, 4 paragraphs). The queries are
# the 140 questions of `data/qa.jsonl`: each was written about one paragraph of one article, and its gold
# answer is a span of that paragraph. So for every question we know where the answer is, and can tell
# whether a search found it.
#
# We do not retrieve whole articles: most articles are longer than the embedding model's 256 tokens (the
# rest is cut off before it is embedded), one vector for a whole article blurs its topics together, and every
# retrieved token later costs prompt length. So the articles are split into **passages** (chunks). Two
# ways: the author's **paragraphs**, or fixed **windows** of tokens that overlap so that a sentence cut at
# one window's edge is whole in the next.

# %%
articles = load_articles()["test"]
qa = load_qa()["test"]
article_of = {title: i for i, title in enumerate(articles["title"])}
article_tokens = [len(tok(text)["input_ids"]) for text in articles["article"]]
too_long = sum(n > embedder.max_seq_length for n in article_tokens)
print(f"{len(articles)} articles, {len(qa)} questions; article length {min(article_tokens)} to "
      f"{max(article_tokens)} tokens; {too_long} articles are longer than max_seq_length "
      f"{embedder.max_seq_length}")

# where each gold answer lies in its article, in characters
answer_spans = []
for ex in qa:
    text = articles[article_of[ex["title"]]]["article"]
    start = text.index(ex["context"]) + ex["answers"]["answer_start"][0]
    answer_spans.append((article_of[ex["title"]], start, start + len(ex["answers"]["text"][0])))
    assert text[answer_spans[-1][1]:answer_spans[-1][2]] == ex["answers"]["text"][0]

# %% [markdown]
# A passage is a span of an article: `(article, start, end)` in characters, so that we can tell whether it
# holds an answer. Windows come from the tokenizer itself, as chapter 09 cut long contexts:
# `return_overflowing_tokens=True` with `stride` returns every window of `max_length` tokens, each sharing
# `stride` tokens with the one before, and the offsets turn them back into characters. Each window is
# widened to whole words.

# %%
import re


def paragraphs(i):
    """The paragraphs of article i as (article, start, end)."""
    return [(i, m.start(), m.end()) for m in re.finditer(r"[^\n]+", articles[i]["article"])]


def whole_words(text, start, end):
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def token_windows(i, size, overlap):
    """Windows of `size` tokens of article i, each sharing `overlap` tokens with the one before."""
    text = articles[i]["article"]
    enc = tok(text, add_special_tokens=False, truncation=True, max_length=size, stride=overlap,
              return_overflowing_tokens=True, return_offsets_mapping=True)
    return [(i, *whole_words(text, offsets[0][0], offsets[-1][1])) for offsets in enc["offset_mapping"]]


def passage_text(passage):
    i, start, end = passage
    return articles[i]["article"][start:end].strip()


def relevant(passages):
    """For each question, the ids of the passages that contain its whole gold answer."""
    return [{p for p, (i, start, end) in enumerate(passages) if i == a and start <= s and e <= end}
            for a, s, e in answer_spans]


windows = token_windows(0, 64, 16)
assert all(windows[k][1] < windows[k + 1][1] < windows[k][2] for k in range(len(windows) - 1))  # overlaps
assert windows[0][1] == 0 and windows[-1][2] >= len(articles[0]["article"].rstrip())  # covers the article
[passage_text(w)[:60] + " ..." for w in windows]

# %% [markdown]
# The chunkings to compare: windows of 32, 64 and 128 tokens with a quarter of each shared with its
# neighbour, the paragraphs, and whole articles. For each we count the passages, their length in tokens, and
# the questions whose answer is cut in two by a passage edge (no single passage holds it), and then search
# with all-MiniLM-L6-v2: **recall@k** is the share of questions for which a passage holding the whole answer
# is among the k best. Embedding every chunking takes a few seconds per chunking on a CPU.

# %%
n_articles = len(articles)
chunkings = {
    "windows of 32, overlap 8": [w for i in range(n_articles) for w in token_windows(i, 32, 8)],
    "windows of 64, overlap 16": [w for i in range(n_articles) for w in token_windows(i, 64, 16)],
    "windows of 128, overlap 32": [w for i in range(n_articles) for w in token_windows(i, 128, 32)],
    "paragraphs": [p for i in range(n_articles) for p in paragraphs(i)],
    "whole articles": [(i, 0, len(articles[i]["article"])) for i in range(n_articles)],
}
questions = list(qa["question"])
question_vectors = embedder.encode(questions, convert_to_tensor=True, batch_size=64)


def recall_at(rankings, relevant_sets, k):
    """Share of questions with at least one relevant passage among the first k of their ranking."""
    return float(np.mean([bool(set(r[:k]) & rel) for r, rel in zip(rankings, relevant_sets, strict=True)]))


chunk_rows = {}
for name, passages in chunkings.items():
    texts = [passage_text(p) for p in passages]
    vectors = embedder.encode(texts, convert_to_tensor=True, batch_size=32)
    rankings = (question_vectors @ vectors.T).argsort(dim=1, descending=True).cpu().tolist()
    rel = relevant(passages)
    chunk_rows[name] = {"passages": len(passages),
                        "tokens per passage": np.mean([len(tok(t)["input_ids"]) for t in texts]),
                        "answers cut by an edge": sum(not r for r in rel),
                        "recall@1": recall_at(rankings, rel, 1), "recall@3": recall_at(rankings, rel, 3)}
chunk_table = pd.DataFrame(chunk_rows).T
assert (chunk_table["answers cut by an edge"] == 0).all()  # paragraphs by construction, windows by overlap
assert (chunk_table["recall@3"] >= chunk_table["recall@1"]).all()
chunk_table.round(3)

# %% [markdown]
# Read the table along two axes. Larger passages are fewer targets to choose among, but each costs more
# prompt tokens later, and a whole article is cut at 256 tokens before it is embedded: questions about its
# end search with a vector that never saw the answer. Smaller windows are cheap to put into a prompt, but
# each gives the search less context. With a quarter of each window shared with its neighbour, no answer
# was cut in two by an edge. What the overlap is for, measured on the 64-token windows:

# %%
cut = {}
for overlap in (0, 16):
    windows = [w for i in range(n_articles) for w in token_windows(i, 64, overlap)]
    cut[overlap] = sum(not r for r in relevant(windows))
print(f"64-token windows: {cut[0]} answers cut in two without overlap, {cut[16]} with 16 tokens of overlap")
assert cut[16] <= cut[0]

# %% [markdown]
# The rest of the notebook uses the **paragraphs**: the author's own units, about 75 tokens each, short enough
# for several to fit a prompt and never cutting an answer. Real documents are rarely this tidy; splitting at
# the document's structure (headings, paragraphs) first and at token windows inside long sections is the
# usual compromise.

# %%
passages = chunkings["paragraphs"]
passage_texts = [passage_text(p) for p in passages]
gold = relevant(passages)
assert all(len(g) == 1 for g in gold)  # exactly one paragraph holds each answer
gold_ids = [next(iter(g)) for g in gold]
assert all(passage_texts[g] == ex["context"].strip() for g, ex in zip(gold_ids, qa, strict=True))
print(f"{len(passages)} passages from {n_articles} articles")

# %% [markdown]
# ## 3. Retrieval: dense, lexical and hybrid
#
# ### Dense retrieval with FAISS
#
# FAISS stores vectors in an *index* and returns the nearest ones to a query. `IndexFlatIP` is the simplest:
# it keeps every vector and computes the inner product (dot product) with all of them, which for unit
# vectors is the cosine. It is exact; approximate indexes (IVF, HNSW) trade a little recall for speed once
# there are millions of vectors.

# %%
import faiss

start = time.perf_counter()
passage_vectors = embedder.encode(passage_texts, convert_to_numpy=True, batch_size=32)
embed_seconds = time.perf_counter() - start
index = faiss.IndexFlatIP(passage_vectors.shape[1])
index.add(passage_vectors)
K = 10
query_vectors = question_vectors.cpu().numpy()
dense_scores, dense_ids = index.search(query_vectors, K)
assert index.ntotal == len(passages) and dense_ids.shape == (len(qa), K)
assert np.allclose(dense_scores[:, 0], (query_vectors @ passage_vectors.T).max(axis=1), atol=1e-5)
assert (np.diff(dense_scores, axis=1) <= 1e-6).all()  # best first
print(f"{index.ntotal} vectors of {index.d} dimensions; embedding them took {embed_seconds:.1f} s")

# %% [markdown]
# ### Lexical retrieval with BM25
#
# BM25 is the classic search-engine score: a passage scores high when it contains the query's words, more
# for rare words (inverse document frequency) and for repeated ones (with diminishing returns), less for long
# passages. No neural network, no training. `bm25s` computes it with sparse matrices; we lowercase, drop
# English stop words and stem with NLTK's Porter stemmer (chapter 02), so "closes" matches "closed".

# %%
import bm25s
from nltk.stem import PorterStemmer

porter = PorterStemmer()


def bm25_tokens(texts, **options):
    """Lowercased words without English stop words, stemmed."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=lambda words: [porter.stem(w) for w in words],
                          show_progress=False, **options)


bm25 = bm25s.BM25()
bm25.index(bm25_tokens(passage_texts), show_progress=False)
bm25_ids, bm25_scores = bm25.retrieve(bm25_tokens(questions), k=K, show_progress=False)
assert bm25_ids.shape == (len(qa), K) and (np.diff(bm25_scores, axis=1) <= 1e-6).all()
print(questions[0], "->", bm25_tokens(questions[:1], return_ids=False)[0])

# %% [markdown]
# ### A hybrid: reciprocal rank fusion
#
# The two scores live on different scales (a cosine, a BM25 sum), so adding them needs tuning. Reciprocal
# rank fusion (RRF) uses only the ranks: each passage gets $\sum_{\text{lists}} \frac{1}{60 + \text{rank}}$,
# and the constant 60 (from the paper that proposed it) keeps a first place from outweighing everything
# else. A passage ranked well by both searches rises to the top.

# %%
from collections import defaultdict


def rrf(*rankings, k=60):
    """Passage ids ordered by the sum of 1 / (k + rank) over the given rankings (rank 1 = best)."""
    fused = defaultdict(float)
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            fused[int(pid)] += 1 / (k + rank)
    return sorted(fused, key=fused.get, reverse=True)


hybrid_ids = [rrf(d, b)[:K] for d, b in zip(dense_ids, bm25_ids, strict=True)]
assert rrf([1, 2, 3], [3, 1, 2]) == [1, 3, 2]  # 1: 1/61 + 1/62; 3: 1/63 + 1/61; 2: 1/62 + 1/63

# %% [markdown]
# ### Recall@k and MRR
#
# Two numbers per method: **recall@k**, the share of questions whose gold passage is among the first k
# (what matters when k passages go into the prompt), and the **mean reciprocal rank** (MRR), the average of
# 1 / (rank of the gold passage), counting 0 when it is not in the first 10. As a check of the hand-written
# MRR: with one relevant passage per question and the full ranking, scikit-learn's
# `label_ranking_average_precision_score` computes the same number.

# %%
from sklearn.metrics import label_ranking_average_precision_score


def mrr(rankings, relevant_sets):
    """Mean over questions of 1 / (rank of the first relevant passage), 0 when none is ranked."""
    ranks = [next((r for r, pid in enumerate(ranking, start=1) if pid in rel), None)
             for ranking, rel in zip(rankings, relevant_sets, strict=True)]
    return float(np.mean([1 / r if r else 0.0 for r in ranks]))


full_scores = query_vectors @ passage_vectors.T
full_rankings = np.argsort(-full_scores, axis=1).tolist()
truth = np.zeros_like(full_scores, dtype=int)
truth[np.arange(len(qa)), gold_ids] = 1
assert math.isclose(mrr(full_rankings, gold), label_ranking_average_precision_score(truth, full_scores),
                    abs_tol=1e-6)

# %% [markdown]
# Two baselines in the same table: a **random ranking** (its recall@k is k / number of passages) and an
# **untrained encoder**: the same architecture with freshly initialised weights, pooled exactly as above.
# It shows what pre-training and the sentence-pair fine-tuning buy.

# %%
torch.manual_seed(env.seed)
untrained = AutoModel.from_config(encoder.config).to(env.device).eval()
untrained_passages = torch.cat([embed_by_hand(untrained, passage_texts[s:s + 32])[0]
                                for s in range(0, len(passage_texts), 32)])
untrained_queries = torch.cat([embed_by_hand(untrained, questions[s:s + 32])[0]
                               for s in range(0, len(questions), 32)])
untrained_ids = (untrained_queries @ untrained_passages.T).topk(K, dim=1).indices.cpu().tolist()

n = len(passages)
methods = {"BM25 (bm25s)": bm25_ids.tolist(), "all-MiniLM-L6-v2 (FAISS)": dense_ids.tolist(),
           "hybrid (RRF)": hybrid_ids, "untrained encoder": untrained_ids}
table = {"random ranking": {"recall@1": 1 / n, "recall@3": 3 / n, "recall@5": 5 / n,
                            "MRR@10": sum(1 / r for r in range(1, K + 1)) / n}}
for name, rankings in methods.items():
    table[name] = {f"recall@{k}": recall_at(rankings, gold, k) for k in (1, 3, 5)}
    table[name]["MRR@10"] = mrr(rankings, gold)
retrieval_table = pd.DataFrame(table).T
assert ((retrieval_table >= 0) & (retrieval_table <= 1)).all().all()
# shared words give even random weights some signal: the untrained encoder beats a random ranking
assert retrieval_table["recall@5"]["untrained encoder"] > retrieval_table["recall@5"]["random ranking"]
assert retrieval_table.loc["all-MiniLM-L6-v2 (FAISS)", "MRR@10"] <= mrr(full_rankings, gold) + 1e-9
retrieval_table.round(3)

# %% [markdown]
# The trained encoder leaves the untrained one far behind; the untrained one still beats a random ranking,
# because texts that share words share token vectors even with random weights. How BM25 compares with the
# dense search depends on the questions: these were written by reading a paragraph, so they reuse its words,
# which is BM25's home ground; questions phrased in other words than the documents favour the dense model.
# The hybrid's row shows whether fusing the two helps here.

# %% tags=["quality"]
dense_row = retrieval_table.loc["all-MiniLM-L6-v2 (FAISS)"]
untrained_row = retrieval_table.loc["untrained encoder"]
assert dense_row["recall@5"] > untrained_row["recall@5"] + 0.15
assert dense_row["MRR@10"] > untrained_row["MRR@10"] + 0.15

# %% [markdown]
# Which questions does each method miss? A question where BM25 finds the gold passage and the dense model
# does not, and the reverse, shows the two failure modes:

# %%
rank_of = {name: [next((r for r, pid in enumerate(ranking, start=1) if pid in g), None)
                   for ranking, g in zip(rankings, gold, strict=True)] for name, rankings in methods.items()}
misses = pd.DataFrame({"question": questions, "BM25 rank": rank_of["BM25 (bm25s)"],
                       "dense rank": rank_of["all-MiniLM-L6-v2 (FAISS)"],
                       "hybrid rank": rank_of["hybrid (RRF)"]})
disagree = misses[misses["BM25 rank"].isna() != misses["dense rank"].isna()]
print(f"{len(disagree)} questions found in the top {K} by only one of the two searches")
disagree.head(6)

# %% [markdown]
# ## 4. Retrieval-augmented generation
#
# Now the generator. SmolLM2-135M-Instruct (chapter 10) gets each question in four prompts:
#
# - **closed-book**: the question alone, so it can only use what it learned in training;
# - **retrieved**: the question with the top 3 passages of the hybrid search, numbered `[1]` to `[3]`, once
#   with the best passage first and once with it last, right before the question;
# - **gold passage**: the question with the paragraph it was written about, as if retrieval were perfect.
#
# Next to it, the extractive QA model of chapter 04 (DistilBERT distilled on SQuAD), which can only point at
# a span of a passage, on the same retrieved and gold passages.

# %%
from transformers import AutoModelForCausalLM

CHAT_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
precision = nlpcourse.choose_dtype(env.device)
print(f"loading in {precision.name}: {precision.reason}")
chat_tok = AutoTokenizer.from_pretrained(CHAT_ID)
chat_tok.padding_side = "left"  # a causal model continues from the last position: padding goes first
chat_model = AutoModelForCausalLM.from_pretrained(CHAT_ID, dtype=precision.dtype).to(env.device).eval()
assert chat_model.dtype == precision.dtype

# %% [markdown]
# The prompt: a system message with the rules, then one user message with the numbered passages and the
# question. Numbering lets an answer name its source. The same function without passages gives the
# closed-book prompt.

# %%
SYSTEM = ("You answer questions. Reply with the answer only, in as few words as possible. When passages "
          "are given, copy the answer from them.")


def rag_messages(question, passages):
    """A chat: the rules, then the numbered passages (if any) and the question."""
    numbered = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
    context = f"Passages:\n{numbered}\n\n" if passages else ""
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"{context}Question: {question}"}]


def prompt_length(messages):
    """Tokens of the chat once templated, with the generation prompt: what the model reads."""
    return len(chat_tok.apply_chat_template(messages, add_generation_prompt=True)["input_ids"])


example = rag_messages(questions[0], [passage_texts[i] for i in hybrid_ids[0][:3]])
print(chat_tok.apply_chat_template(example, add_generation_prompt=True, tokenize=False))

# %% [markdown]
# **How many new tokens?** The answers are short spans, so the cap on new tokens comes from the gold
# answers' lengths in SmolLM2's tokens, plus room for a few extra words and the end-of-turn token. Every
# table below says how many replies the cap cut.

# %%
answer_lengths = [len(chat_tok(ex["answers"]["text"][0])["input_ids"]) for ex in qa]
MAX_NEW = max(answer_lengths) + 8
print(f"gold answers: {np.mean(answer_lengths):.1f} tokens on average, at most {max(answer_lengths)}; "
      f"cap {MAX_NEW} new tokens")

# %% [markdown]
# One helper answers many chats at once: greedy decoding (repeatable), chats of similar length batched
# together, and a note of each reply the cap cut before `<|im_end|>`.

# %%
import json

BATCH = 8


def generate_replies(chats, max_new_tokens=MAX_NEW):
    """Greedy replies to a list of chats, and for each whether the token cap cut it."""
    order = sorted(range(len(chats)), key=lambda i: len(json.dumps(chats[i])))
    replies, cut = [None] * len(chats), [None] * len(chats)
    for start in range(0, len(order), BATCH):
        part = order[start:start + BATCH]
        inputs = chat_tok.apply_chat_template([chats[i] for i in part], add_generation_prompt=True,
                                              padding=True, return_tensors="pt").to(env.device)
        with torch.inference_mode():
            out = chat_model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                      pad_token_id=chat_tok.pad_token_id)
        new = out[:, inputs["input_ids"].shape[1]:]
        texts = chat_tok.batch_decode(new, skip_special_tokens=True)
        for i, row, text in zip(part, new.tolist(), texts, strict=True):
            replies[i], cut[i] = text.strip(), chat_tok.eos_token_id not in row
    return replies, cut


def clean(reply):
    """The answer alone: no citation marks, no leading 'The answer is'."""
    reply = re.sub(r"\s*\[\d+\]", "", reply).strip()
    return re.sub(r"^(the )?answer( is)?:?\s*", "", reply, flags=re.IGNORECASE)


assert clean("The answer is 10 p.m. [1]") == "10 p.m." and clean("the city council") == "the city council"

# %% [markdown]
# **Which questions.** Retrieval was cheap enough for all 140 questions; generation is not, on a CPU.

# %%
if env.device == "cpu":
    asked = list(range(0, len(qa), 4))
    print(f"CPU plan: SmolLM2 and the extractive model answer {len(asked)} of the {len(qa)} questions "
          "(every fourth); a GPU answers all of them")
else:
    asked = list(range(len(qa)))
TOP = 3
retrieved = {i: [passage_texts[p] for p in hybrid_ids[i][:TOP]] for i in asked}  # best first
FIRST, LAST = f"retrieved (top {TOP}, best first)", f"retrieved (top {TOP}, best last)"
given = {"closed-book": {i: [] for i in asked}, FIRST: retrieved,
         LAST: {i: retrieved[i][::-1] for i in asked},
         "gold passage": {i: [passage_texts[gold_ids[i]]] for i in asked}}
print(f"{len(asked)} questions; the gold passage is among the top {TOP} retrieved for "
      f"{sum(gold_ids[i] in hybrid_ids[i][:TOP] for i in asked)} of them")

# %% [markdown]
# **Exact match and F1** with `evaluate.load("squad")` (chapter 07): both normalise case, punctuation and
# articles; exact match needs the gold answer and nothing else, F1 gives credit for the words a reply shares
# with it. A third, more lenient number: the share of replies that *contain* the gold answer somewhere.
#
# **Citations.** An answer is *supported* by a passage when most of its words (here 80%, after the same
# normalisation) occur in that passage; it cites the passage that holds the largest share. A reader can
# check a cited answer against its source; an unsupported one came from somewhere else, whatever its
# quality.

# %%
import evaluate

squad = evaluate.load("squad")


def squad_scores(predictions, ids):
    pairs = zip(ids, predictions, strict=True)
    return squad.compute(predictions=[{"id": qa[i]["id"], "prediction_text": p} for i, p in pairs],
                         references=[{"id": qa[i]["id"], "answers": qa[i]["answers"]} for i in ids])


def words(text):
    return re.findall(r"\w+", text.lower())


def contains_gold(answer, i):
    """Whether the answer contains one of question i's gold answers, word for word after normalisation."""
    said = f" {' '.join(words(answer))} "
    return any(f" {' '.join(words(g))} " in said for g in qa[i]["answers"]["text"])


def support(answer, passage):
    """Share of the answer's words that occur in the passage."""
    found = set(words(passage))
    return float(np.mean([w in found for w in words(answer)])) if words(answer) else 0.0


def cite(answer, passages, at_least=0.8):
    """The number (1, 2, ...) of the passage that supports the answer most, or None below `at_least`."""
    if not passages:
        return None
    shares = [support(answer, p) for p in passages]
    best = int(np.argmax(shares))
    return best + 1 if shares[best] >= at_least else None


assert contains_gold("It stays open until 10 p.m. on weekdays.", 0) and not contains_gold("At 10 a.m.", 0)
assert cite("It closes at 10 p.m.", ["The shop opens at nine.", "It closes at 10 p.m. on weekdays."]) == 2
assert cite("It closes at midnight on Sundays", ["It closes at 10 p.m."]) is None

# %% [markdown]
# Now the four prompts. On a CPU this is the slowest cell of the notebook: the retrieved passages make the
# prompts several times longer than the question alone.

# %%
rag_rows, answers, citations = {}, {}, {}
for setting, passages_of in given.items():
    chats = [rag_messages(questions[i], passages_of[i]) for i in asked]
    start = time.perf_counter()
    replies, cut = generate_replies(chats)
    seconds = time.perf_counter() - start
    answers[setting] = [clean(r) for r in replies]
    citations[setting] = [cite(a, passages_of[i]) for a, i in zip(answers[setting], asked, strict=True)]
    scores = squad_scores(answers[setting], asked)
    supported = np.mean([c is not None for c in citations[setting]])
    rag_rows[f"SmolLM2, {setting}"] = {
        "exact match": scores["exact_match"], "F1": scores["f1"],
        "contains the gold answer": np.mean([contains_gold(a, i) for a, i in zip(answers[setting], asked,
                                                                                 strict=True)]),
        "supported by a passage": None if setting == "closed-book" else supported,
        "cut by the cap": sum(cut), "prompt tokens": np.mean([prompt_length(c) for c in chats]),
        "seconds per question": seconds / len(asked)}
assert all(len(a) == len(asked) for a in answers.values())
reply_words = np.mean([len(words(a)) for a in answers["gold passage"]])
gold_words = np.mean([len(words(qa[i]["answers"]["text"][0])) for i in asked])
print(f"replies with the gold passage: {reply_words:.1f} words on average; gold answers {gold_words:.1f}")
pd.DataFrame(rag_rows).T.round(3)

# %% [markdown]
# Start with the line printed above the table: despite "in as few words as possible", SmolLM2-135M answers
# with whole sentences, longer than the gold spans. Exact match cannot reward a sentence, so it stays low
# everywhere; F1 gives partial credit for the words the sentence shares with the gold answer, and the
# "contains" column counts the sentences that hold the answer. A larger model follows the instruction better,
# and an extractive model (below) sidesteps the problem.
#
# The closed-book row is what the model makes up: the articles are about invented towns and people, so it
# cannot know the answers, and no passage supports its replies because it was given none. Every row with
# passages leaves it far behind. The gold passage row is what a perfect search for the one right paragraph
# gives; the retrieved rows can come close to it or pass it, since the top 3 include the gold paragraph for
# most questions (printed above) and its neighbours add context. The two retrieved rows hold the same
# passages in opposite orders: compare them. A small model attends most to the end of its prompt, so the
# order of the passages can matter as much as whether the right one was retrieved.

# %%
assert reply_words > gold_words  # sentences, not spans

# %% tags=["quality"]
closed, gold_row = rag_rows["SmolLM2, closed-book"], rag_rows["SmolLM2, gold passage"]
best_retrieved = max((rag_rows[f"SmolLM2, {s}"] for s in (FIRST, LAST)), key=lambda row: row["F1"])
assert gold_row["F1"] > closed["F1"] + 10 and best_retrieved["F1"] > closed["F1"] + 8
assert gold_row["contains the gold answer"] > closed["contains the gold answer"] + 0.1
assert best_retrieved["contains the gold answer"] > closed["contains the gold answer"] + 0.15
assert gold_row["supported by a passage"] > 0.3

# %%
pd.DataFrame({"question": [questions[i] for i in asked], "gold": [qa[i]["answers"]["text"][0] for i in asked],
              "closed-book": answers["closed-book"],
              "retrieved, best last": [f"{a} [{c or '-'}]" for a, c in zip(answers[LAST], citations[LAST],
                                                                           strict=True)],
              "gold passage": answers["gold passage"]}).head(8)

# %% [markdown]
# The `[n]` after a retrieved answer is its citation (`[-]`: no passage supports it). With the best passage
# last, `[3]` is the passage the search ranked first.
#
# ### An extractive model on the same passages
#
# DistilBERT distilled on SQuAD does not write: it scores every token as the start and the end of the answer
# and returns the best span (chapter 04; transformers 5 removed the `question-answering` pipeline, so we do
# it with `AutoModelForQuestionAnswering`). Given several passages, it scores a span in each and keeps the
# best; its answer is always a span of a passage, so it always has a citation.

# %%
from transformers import AutoModelForQuestionAnswering

QA_ID = "distilbert/distilbert-base-cased-distilled-squad"
qa_tok = AutoTokenizer.from_pretrained(QA_ID)
qa_model = AutoModelForQuestionAnswering.from_pretrained(QA_ID).to(env.device).eval()


def extract(question, passages, max_len=30):
    """The best-scoring span over the passages: (answer, passage number from 1, start + end logit)."""
    enc = qa_tok([question] * len(passages), passages, truncation="only_second", max_length=384,
                 padding=True, return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping").tolist()
    with torch.inference_mode():
        out = qa_model(**enc.to(env.device))
    best = None
    for k, passage in enumerate(passages):
        allowed = torch.tensor([s == 1 for s in enc.sequence_ids(k)])
        scores = out.start_logits[k].float().cpu()[:, None] + out.end_logits[k].float().cpu()[None, :]
        ones = torch.ones_like(scores, dtype=torch.bool)
        valid = allowed[:, None] & allowed[None, :] & ones.triu() & ~ones.triu(max_len)
        i, j = divmod(scores.masked_fill(~valid, float("-inf")).argmax().item(), scores.shape[1])
        if best is None or scores[i, j].item() > best[2]:
            best = (passage[offsets[k][i][0]:offsets[k][j][1]], k + 1, scores[i, j].item())
    return best


for setting in (FIRST, "gold passage"):
    spans = [extract(questions[i], given[setting][i]) for i in asked]
    for (text, k, _), i in zip(spans, asked, strict=True):
        assert text and text in given[setting][i][k - 1]  # a span of the passage it names
    scores = squad_scores([text for text, _, _ in spans], asked)
    name = "extractive, " + ("retrieved (top 3)" if setting == FIRST else setting)
    rag_rows[name] = {"exact match": scores["exact_match"], "F1": scores["f1"], "supported by a passage": 1.0,
                      "contains the gold answer": np.mean([contains_gold(text, i) for (text, _, _), i
                                                           in zip(spans, asked, strict=True)])}
rag_table = pd.DataFrame(rag_rows).T
rag_table.round(3)

# %% [markdown]
# Compare the extractive rows with SmolLM2's. An extractive model cannot make anything up, and it cannot say
# anything that is not in the passages either: no rephrasing, no combining two facts, no "I don't know"
# without a separate rule. A generator can do all three, for better and for worse. Which one scores higher
# depends on the two models you compare; the table is the measurement for these two.

# %% [markdown]
# ### Saying "I don't know"
#
# A RAG system should not answer when nothing relevant was found. The simplest rule: if the best passage's
# similarity to the question is below a threshold, reply "I don't know" instead of calling the generator.
#
# To measure it we need questions whose answer is not in the collection. Every course question becomes one
# if its article is taken out: the best score over the *other* articles' passages is what the search would
# return. So each question gives one answerable case (its article in) and one unanswerable (its article
# out). The threshold is chosen on the questions of the even-numbered articles and measured on the others:
# choosing and measuring on the same questions would flatter it.

# %%
own_article = np.array([p[0] for p in passages])
question_article = np.array([a for a, _, _ in answer_spans])
answerable = full_scores.max(axis=1)
unanswerable = np.where(own_article[None, :] == question_article[:, None], -np.inf, full_scores).max(axis=1)
tune, held_out = question_article % 2 == 0, question_article % 2 == 1


def decision_accuracy(threshold, rows):
    """Share of right decisions: answer the answerable cases, refuse the others (equally many of each)."""
    return (np.mean(answerable[rows] >= threshold) + np.mean(unanswerable[rows] < threshold)) / 2


candidates = np.unique(np.concatenate([answerable[tune], unanswerable[tune]]))
threshold = float(max(candidates, key=lambda t: decision_accuracy(t, tune)))
tuned, measured = decision_accuracy(threshold, tune), decision_accuracy(threshold, held_out)
print(f"threshold {threshold:.3f}: right decisions {tuned:.0%} on the {tune.sum()} questions it was chosen "
      f"on, {measured:.0%} on the {held_out.sum()} held-out questions; always answering is right for 50%")
assert 0 <= measured <= 1 and tuned >= 0.5  # on its own questions the threshold is at least as good as none

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
bins = np.linspace(min(unanswerable.min(), answerable.min()), max(answerable.max(), unanswerable.max()), 30)
ax.hist(answerable[held_out], bins=bins, alpha=0.6, label="its article in the collection")
ax.hist(unanswerable[held_out], bins=bins, alpha=0.6, label="its article taken out")
ax.axvline(threshold, color="black", linestyle="--", label="threshold")
ax.set(xlabel="similarity of the best passage", ylabel="held-out questions",
       title="Best retrieval score, answerable and unanswerable")
ax.legend()
fig.tight_layout()


# %% [markdown]
# The overlap of the two histograms is the error the threshold cannot avoid: some questions share their
# words with passages of other articles, some are phrased far from their own paragraph. The whole pipeline
# in one function: search, refuse below the threshold, otherwise generate from the top passages and cite.

# %%
def rag_answer(question, top=TOP):
    """(answer, the passage it cites or None, the best passage's score)."""
    vector = embedder.encode([question], convert_to_numpy=True)
    scores, ids = index.search(vector, K)
    if scores[0, 0] < threshold:
        return "I don't know", None, float(scores[0, 0])
    lexical = bm25.retrieve(bm25_tokens([question]), k=K, show_progress=False)[0][0]
    chosen = [passage_texts[p] for p in rrf(ids[0], lexical)[:top]][::-1]  # the best passage last
    reply = clean(generate_replies([rag_messages(question, chosen)])[0][0])
    number = cite(reply, chosen)
    return reply, chosen[number - 1] if number else None, float(scores[0, 0])


demo = [questions[max(asked, key=lambda i: answerable[i])], "Which team won the football World Cup in 2014?"]
demo_rows = [dict(zip(("answer", "cited passage", "best score"), rag_answer(q), strict=True)) for q in demo]
assert all(row["cited passage"] is None or row["cited passage"] in passage_texts for row in demo_rows)
pd.DataFrame(demo_rows, index=demo)

# %% [markdown]
# ## 5. What it costs and where it breaks
#
# **The index.** A flat index stores every vector as float32: passages x dimensions x 4 bytes, built by
# copying them in. The expensive part of building it is embedding the passages, timed above.

# %%
start = time.perf_counter()
rebuilt = faiss.IndexFlatIP(passage_vectors.shape[1])
rebuilt.add(passage_vectors)
build_seconds = time.perf_counter() - start
size = faiss.serialize_index(rebuilt).nbytes
assert size >= passage_vectors.nbytes == n * index.d * 4
print(f"{n} passages: index {size / 1e3:.0f} kB, built in {build_seconds * 1e3:.2f} ms after "
      f"{embed_seconds:.1f} s of embedding; a million passages would take {1e6 * index.d * 4 / 1e9:.1f} GB")


# %% [markdown]
# **Latency per query**: embedding the question is a forward pass of the encoder; the flat search is one
# matrix product; BM25 is a sparse lookup. Each timed over all 140 questions, one at a time, next to the
# generation time per question of section 4 (where the replies were generated 8 at a time):

# %%
def per_query(fn):
    start = time.perf_counter()
    for i in range(len(questions)):
        fn(i)
    return (time.perf_counter() - start) / len(questions) * 1e3


query_tokens = bm25_tokens(questions, return_ids=False)
latency = {
    "embed the question (MiniLM)": per_query(lambda i: embedder.encode([questions[i]])),
    "FAISS flat search": per_query(lambda i: index.search(query_vectors[i:i + 1], K)),
    "BM25 search": per_query(lambda i: bm25.retrieve([query_tokens[i]], k=K, show_progress=False)),
    "generate an answer (SmolLM2, retrieved)": 1e3 * rag_rows[f"SmolLM2, {LAST}"]["seconds per question"],
}
assert all(ms > 0 for ms in latency.values())
searches = latency["FAISS flat search"] + latency["BM25 search"]
assert latency["generate an answer (SmolLM2, retrieved)"] > 10 * searches
pd.Series(latency, name="milliseconds per question").round(2)

# %% [markdown]
# The searches cost a small fraction of generating an answer. What generation costs grows with the
# prompt: the table of section 4 gives the prompt length of each setting, and every passage added to the
# prompt is paid for on every question. The context window bounds it:

# %%
window = chat_model.config.max_position_embeddings
longest = max(prompt_length(rag_messages(questions[i], given[LAST][i])) for i in asked)
print(f"SmolLM2's context window: {window:,} tokens; the longest prompt with {TOP} passages: {longest} "
      f"tokens; a paragraph is about {chunk_table.loc['paragraphs', 'tokens per passage']:.0f}")
assert longest < window

# %% [markdown]
# **An answer split across passages.** Some questions need two paragraphs: the cost of the library's longer
# hours is in the third paragraph of the first article, and who decides whether to keep them in the fourth.
# The answer needs both passages in the prompt, and a small model has to combine them.

# %%
split_question = "How much will the longer opening hours cost, and who will decide whether to keep them?"
facts = ("85,000 dollars", "decide in the spring")
needed = [next(p for p in range(n) if own_article[p] == 0 and fact in passage_texts[p]) for fact in facts]
assert needed[0] != needed[1]  # the two facts are in two passages
vector = embedder.encode([split_question], convert_to_numpy=True)
lexical = bm25.retrieve(bm25_tokens([split_question]), k=K, show_progress=False)[0][0]
ranking = rrf(index.search(vector, K)[1][0], lexical)
ranks = [ranking.index(p) + 1 if p in ranking else None for p in needed]
split_chats = {f"top {k}": rag_messages(split_question, [passage_texts[p] for p in ranking[:k]])
               for k in (1, TOP)}
split_replies = dict(zip(split_chats, generate_replies(list(split_chats.values()))[0], strict=True))
print(f"ranks of the two needed passages in the hybrid search: {ranks}")
split_replies

# %% [markdown]
# With one passage the model can answer half the question at best. With both in the prompt it still has to
# join two facts from two places, which is harder than copying one span; read the replies. Systems for such
# questions retrieve more passages, rerank them, or split the question into two searches.
#
# **A misleading passage.** The model trusts the passages it is given: that is the point of RAG, and its
# weakness. Questions with well-known answers, asked closed-book and then with a passage that states a false
# answer:

# %%
facts_check = [  # question, the true answer, the false one (as regular expressions), a false passage
    ("What is the capital of France?", r"Paris", r"Lyon",
     "After a long debate, the government moved to Lyon, which has been the capital of France since 2019."),
    ("What is the capital of Italy?", r"Rome", r"Milan",
     "Milan has been the capital of Italy since the parliament left Rome in 2021."),
    ("What is the capital of Germany?", r"Berlin", r"Munich",
     "Munich is the capital of Germany and its largest city."),
    ("What is the largest ocean on Earth?", r"Pacific", r"Atlantic",
     "The Atlantic is the largest ocean on Earth, larger than the Pacific and the Indian Ocean together."),
    ("What do bees make?", r"honey", r"silk",
     "Bees make silk, which they spin into the cells of their nests."),
    ("How many legs does a spider have?", r"\b(eight|8)\b", r"\b(six|6)\b",
     "Like ants and beetles, a spider walks on six legs, which it moves in pairs."),
]
closed_book = generate_replies([rag_messages(q, []) for q, *_ in facts_check])[0]
misled = generate_replies([rag_messages(q, [passage]) for q, _, _, passage in facts_check])[0]
rows = zip(facts_check, closed_book, misled, strict=True)
misleading_table = pd.DataFrame([
    {"question": q, "closed-book": c, "with the false passage": m,
     "closed-book right": bool(re.search(true, c, re.IGNORECASE)),
     "repeats the false answer": bool(re.search(false, m, re.IGNORECASE))}
    for (q, true, false, _), c, m in rows])
misleading_table

# %% tags=["quality"]
knew = misleading_table["closed-book right"]
assert knew.sum() >= 3  # it knows some of these facts
assert (knew & misleading_table["repeats the false answer"]).sum() >= 1  # and repeats a false passage anyway

# %% [markdown]
# Read the rows the model answers right closed-book: given the false passage, it keeps its answer for some
# questions and repeats the passage for others, against what it knows. Retrieval decides much of what the
# model says, so the collection must be trustworthy; a system that answers from the open web can be steered
# by whoever writes the pages it retrieves (prompt injection works the same way). Citations at least let a
# reader check the source.

# %% [markdown]
# ## Summary
#
# - A sentence embedding is the mean of a model's token vectors over the real tokens (attention mask), scaled
#   to length 1; `SentenceTransformer.encode` does exactly that for all-MiniLM-L6-v2. For unit vectors the
#   cosine similarity is the dot product, so a search is a matrix product.
# - Documents are split into passages before they are embedded: small enough to fit the embedding model
#   (256 tokens here, the rest is cut silently) and the prompt, large enough to hold an answer whole; overlap
#   keeps answers from being cut at an edge. Measure the chunking with the questions you care about.
# - FAISS's `IndexFlatIP` is exact search by dot product; BM25 (`bm25s`) matches words; reciprocal rank
#   fusion combines rankings without calibrating their scores. Recall@k and MRR on questions with a known
#   source say which works, next to a random and an untrained baseline.
# - RAG puts the retrieved passages into the prompt: a small model that cannot know the answers closed-book
#   answers many of them from the passages. Their order matters to a small model; compare with the gold
#   passage to see what retrieval costs. An extractive model on the same passages never makes anything up.
# - Cite the passage an answer comes from, and refuse when the best passage scores below a threshold chosen
#   on other questions than those it is measured on.
# - Retrieval costs milliseconds; generation costs far more and grows with every passage in the prompt.
#   Answers that need two passages, and passages that are wrong, are where RAG breaks: the model repeats what
#   it reads.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to fill in (replace the `...`) and a checker that tells you what is off.
#
# **1 (easy).** Write `cosine(a, b)`: the cosine similarity of two 1-D tensors, from the formula in
# section 1 (no `F.cosine_similarity`). The checker tries vectors of other lengths than 1.

# %%
from nlpcourse.exercises.ch12 import check_chunker, check_cosine, check_rag_prompt, check_recall_at_k


def cosine(a, b):
    return ...


check_cosine(cosine)


# %% tags=["solution"]
def cosine(a, b):
    return (a @ b) / (a.norm() * b.norm())


assert check_cosine(cosine)


# %% [markdown]
# **2 (easy).** Write `recall_at_k(rankings, relevant, k)`: `rankings` holds one list of passage ids per
# question (best first), `relevant` one set of ids per question (the passages that hold its answer). Return
# the share of questions with at least one relevant passage among their first `k`. Then compare yours with
# the table of section 3.

# %%
def recall_at_k(rankings, relevant, k):
    return ...


check_recall_at_k(recall_at_k)


# %% tags=["solution"]
def recall_at_k(rankings, relevant, k):
    hits = [bool(set(ranking[:k]) & rel) for ranking, rel in zip(rankings, relevant, strict=True)]
    return sum(hits) / len(hits)


assert check_recall_at_k(recall_at_k)
assert math.isclose(recall_at_k(dense_ids.tolist(), gold, 5), dense_row["recall@5"])


# %% [markdown]
# **3 (medium).** Write a chunker by words: `chunk_words(text, size, overlap)` splits `text` at whitespace
# and returns windows of `size` words joined by single spaces, each starting `size - overlap` words after the
# one before, and stops once a window reaches the last word (so no window lies inside the one before).

# %%
def chunk_words(text, size, overlap):
    return ...


check_chunker(chunk_words)


# %% tags=["solution"]
def chunk_words(text, size, overlap):
    words = text.split()
    chunks = []
    for start in range(0, max(len(words), 1), size - overlap):
        chunks.append(" ".join(words[start:start + size]))
        if start + size >= len(words):
            break
    return chunks


assert check_chunker(chunk_words)


# %% [markdown]
# **4 (medium).** A prompt must fit the model's context, and on a small budget the least relevant passages
# go first. Write `fit_rag_messages(question, passages, max_tokens)`: the chat of `rag_messages` with the
# most passages (taken from the front of the list, which is ranked best first) whose prompt, after
# `chat_tok.apply_chat_template(..., add_generation_prompt=True)`, has at most `max_tokens` tokens. The
# checker tokenises your chats and looks at the numbering, the order and the count.

# %%
def fit_rag_messages(question, passages, max_tokens):
    return ...


check_rag_prompt(fit_rag_messages, chat_tok)


# %% tags=["solution"]
def fit_rag_messages(question, passages, max_tokens):
    passages = list(passages)
    while True:
        messages = rag_messages(question, passages)
        n_tokens = len(chat_tok.apply_chat_template(messages, add_generation_prompt=True)["input_ids"])
        if n_tokens <= max_tokens or not passages:
            return messages
        passages = passages[:-1]


assert check_rag_prompt(fit_rag_messages, chat_tok)

# %% [markdown]
# ## Further reading
#
# - Sentence Transformers documentation: https://sbert.net, and the model card of all-MiniLM-L6-v2:
#   https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2
# - Reimers and Gurevych, *Sentence-BERT* (2019): https://arxiv.org/abs/1908.10084
# - FAISS: https://github.com/facebookresearch/faiss/wiki, and Douze et al., *The Faiss library* (2024):
#   https://arxiv.org/abs/2401.08281
# - bm25s: https://github.com/xhluca/bm25s; Robertson and Zaragoza, *The Probabilistic Relevance Framework:
#   BM25 and Beyond* (2009)
# - Cormack, Clarke and Büttcher, *Reciprocal Rank Fusion outperforms Condorcet and individual Rank Learning
#   Methods* (SIGIR 2009)
# - Karpukhin et al., *Dense Passage Retrieval for Open-Domain Question Answering* (2020):
#   https://arxiv.org/abs/2004.04906
# - Lewis et al., *Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks* (2020):
#   https://arxiv.org/abs/2005.11401
# - Hugging Face cookbook, advanced RAG: https://huggingface.co/learn/cookbook/advanced_rag
