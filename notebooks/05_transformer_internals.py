# %% [markdown]
# # 05 · Transformer internals: attention from scratch, checked against the real thing
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/05_transformer_internals.ipynb
#
# Every model in this course, from BERT to GPT-2 to the chat models, is a stack of the same few parts:
# attention, a feed-forward network, residual connections, layer normalisation and positional
# information. This notebook builds each part from plain tensor operations, then proves it right by
# comparing it with PyTorch's own implementation and with the weights of a real pre-trained BERT. Once
# you have written attention yourself, attention maps, masks and parameter counts stop being magic.
#
# **You will learn**
# - why attention replaced convolutions and recurrences for text (and what vanishing gradients are);
# - scaled dot-product attention, the causal mask and multi-head attention, written by hand and matched
#   to `torch.nn.functional.scaled_dot_product_attention`, `nn.MultiheadAttention` and BERT;
# - sinusoidal positional encodings, and why attention without them ignores word order;
# - one encoder block (attention, Add & Norm, feed-forward, Add & Norm) that reproduces BERT's layers;
# - where the parameters of BERT-base, GPT-2 and the original Transformer live, by formula and by count;
# - how encoder-only, decoder-only and encoder-decoder models differ in their masks, and what
#   contextual embeddings and attention maps of a real model look like.
#
# **Prerequisites:** 01 Tokenization and 04 Manual inference (tokenizer -> model -> outputs).
#
# **Runtime:** about 16 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 2.2 GB; on a GPU not measured yet. **Download:** 441 MB the first time, or ahead with
# `python -m nlpcourse download 05`.

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

# %%
import math

import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import plots

torch.set_printoptions(precision=3, sci_mode=False)
device = env.device

# %% [markdown]
# ## 1 · Before attention: convolutions and recurrences
#
# A convolutional network (CNN) slides a small kernel over its input; each output looks at a small
# window only. Here is the classic example: a 5x5 input, a 3x3 kernel, and each output is the sum of a
# 3x3 window multiplied element by element with the kernel. First by hand:

# %%
image = torch.tensor(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], dtype=torch.float32
)
kernel = torch.tensor([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=torch.float32)

by_hand = torch.tensor([[(image[i : i + 3, j : j + 3] * kernel).sum() for j in range(3)] for i in range(3)])
by_hand

# %% [markdown]
# PyTorch's `conv2d` expects a batch and a channel dimension, `(batch, channels, height, width)`.
# Its results are float32 numbers, so this notebook compares them with a tolerance (`torch.allclose`)
# rather than exactly: two correct computations may round the last bit differently, depending on the
# CPU or GPU and the torch build.

# %%
conv = F.conv2d(image[None, None], kernel[None, None])[0, 0]
expected = torch.tensor([[12, 12, 17], [10, 17, 19], [9, 6, 14]], dtype=torch.float32)
assert torch.allclose(conv, expected, atol=1e-5)
assert torch.allclose(conv, by_hand, atol=1e-5)
conv

# %% [markdown]
# What to notice: each output number saw only 9 of the 25 inputs. For text, a word that depends on
# another word 20 positions away needs many stacked layers before the two windows meet.
#
# A recurrent network (RNN) reads one token at a time and carries a hidden state forward, so in
# principle the last state depends on every token. In practice, the gradient that trains the network
# passes through the same weights and `tanh` at every step back in time and shrinks geometrically:
# the *vanishing gradient*. Below, a small RNN reads 60 random input vectors; we ask how much the last
# output depends on each input (the norm of the gradient).

# %%
torch.manual_seed(0)
rnn = nn.RNN(input_size=8, hidden_size=32, batch_first=True)
steps = 60
inputs = torch.randn(1, steps, 8, requires_grad=True)
states, _ = rnn(inputs)
states[0, -1].sum().backward()  # how the last output depends on every input
grad_norm = inputs.grad[0].norm(dim=-1)  # one number per time step

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.semilogy(range(steps), grad_norm, "o-", markersize=3)
ax.set(xlabel="time step of the input", ylabel="gradient norm (log scale)",
       title="How much the last output depends on each input of an RNN")
plt.show()
assert grad_norm[0] < 1e-6 * grad_norm[-1]  # measured with this seed: about 3e-17

# %% [markdown]
# What to notice: the curve is a straight line on a log scale, so the gradient falls by a constant
# factor per step; the first input's gradient is more than a million times smaller than the last one's.
# Training cannot learn long-range dependencies through such a signal. LSTMs soften this; attention
# removes it: every token looks at every other token directly, in one step.

# %% [markdown]
# ## 2 · The dot product measures similarity
#
# Attention decides where to look with dot products: large when two vectors point the same way, zero
# when they are orthogonal, negative when they point in opposite directions.

# %%
query = torch.tensor([3.0, 4.0])
keys = torch.tensor([[4.0, 3.0], [1.0, 4.0], [-4.0, 3.0], [-2.0, -3.0]])
dots = keys @ query
assert torch.allclose(dots, torch.tensor([24.0, 19.0, 0.0, -18.0]), atol=1e-5)
cosines = dots / (keys.norm(dim=-1) * query.norm())
dots, cosines

# %%
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.quiver(0, 0, *query, angles="xy", scale_units="xy", scale=1, color="black")
ax.annotate("query [3, 4]", query.tolist(), xytext=(4, 4), textcoords="offset points")
for key, dot in zip(keys, dots, strict=True):
    ax.quiver(0, 0, *key, angles="xy", scale_units="xy", scale=1, color="tab:blue")
    ax.annotate(f"{key.int().tolist()}: {dot:.0f}", key.tolist(), xytext=(6, -12), textcoords="offset points")
ax.set(xlim=(-5, 6), ylim=(-4, 5), xlabel="dimension 1", ylabel="dimension 2",
       title="Dot product with the query")
ax.axhline(0, color="grey", lw=0.5)
ax.axvline(0, color="grey", lw=0.5)
plt.show()

# %% [markdown]
# What to notice: `[4, 3]` is closest in direction to `[3, 4]` and scores highest; `[-4, 3]` is at a
# right angle and scores 0; `[-2, -3]` points away and scores negative. The dot product also grows with
# length, which is why attention scales it (next section).

# %% [markdown]
# ## 3 · Scaled dot-product attention from scratch
#
# Attention turns each token's vector into three: a **query** (what am I looking for?), a **key** (what
# do I offer?) and a **value** (what do I pass on?), by multiplying with three learned matrices
# $W_Q, W_K, W_V$. Then
#
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right) V .$$
#
# We use the sentence "Your cat is a lovely cat" with random 64-dimensional word vectors and random
# projections (a trained model learns them; the arithmetic is the same). The projections are scaled so
# that each entry of $Q$ and $K$ has a variance of about 1.

# %%
torch.manual_seed(0)
words = "Your cat is a lovely cat".split()
vocab = {word: i for i, word in enumerate(dict.fromkeys(words))}
d_model = d_k = 64
word_vectors = torch.randn(len(vocab), d_model)  # one random vector per distinct word
x = word_vectors[[vocab[w] for w in words]]  # (6 tokens, 64)
W_q, W_k, W_v = (torch.randn(d_model, d_k) / math.sqrt(d_model) for _ in range(3))

Q, K, V = x @ W_q, x @ W_k, x @ W_v
scores = Q @ K.T  # (6, 6): every query against every key
weights = (scores / math.sqrt(d_k)).softmax(dim=-1)
attended = weights @ V  # (6, 64): a weighted mix of the values
assert weights.shape == (len(words), len(words)) and attended.shape == (len(words), d_k)
assert torch.allclose(weights.sum(dim=-1), torch.ones(len(words)), atol=1e-6)
assert torch.allclose(weights[1], weights[5], atol=1e-6)  # both "cat"s: same vector in, same row out
weights

# %% [markdown]
# Each row is one query's distribution over the keys and sums to 1. The two "cat" rows are
# the same: with no information about position, the same word asks the same question. "The same" up
# to rounding: a matrix product may round two identical input rows differently in the last bit (about
# `1e-7` on some CPUs), so the check above allows `1e-6`.
#
# **Why divide by $\sqrt{d_k}$?** The dot product of two vectors with 64 unit-variance entries has a
# standard deviation of about $\sqrt{64} = 8$. Softmax of numbers that far apart puts almost all the
# weight on one key (it *saturates*) and its gradient nearly vanishes. Dividing by 8 brings the
# scores back to a spread of about 1.

# %%
unscaled = scores.softmax(dim=-1)
print(f"spread of the scores: {scores.std():.1f} raw, {(scores / math.sqrt(d_k)).std():.1f} scaled")
print("largest weight per row, raw:   ", unscaled.max(dim=-1).values)
print("largest weight per row, scaled:", weights.max(dim=-1).values)
# seeded draws, no model: the means measure about 0.86 (raw) and 0.30 (scaled)
assert unscaled.max(dim=-1).values.mean() > 0.8 > 0.5 > weights.max(dim=-1).values.mean()

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
plots.heatmap(unscaled, words, words, title="softmax(QK^T): saturated", xlabel="key", ylabel="query",
              ax=axes[0])
plots.heatmap(weights, words, words, title="softmax(QK^T / sqrt(d_k))", xlabel="key", ylabel="query",
              ax=axes[1])
plt.tight_layout()
plt.show()

# %% [markdown]
# What to notice: without scaling, most rows are nearly one-hot (over 80 % on one token); with it, each
# token spreads its attention over several others.
#
# PyTorch has this computation built in, fused and fast. Ours must agree with it. The tolerance is
# `1e-6`: both compute in float32 but in a different order, so the last bits of rounding differ.

# %%
library = F.scaled_dot_product_attention(Q[None], K[None], V[None])[0]  # expects a batch dimension
gap = (attended - library).abs().max().item()
print(f"largest difference from PyTorch: {gap:.1e}")
assert torch.allclose(attended, library, atol=1e-6)


# %% [markdown]
# We wrap the four lines in a function and reuse it for the rest of the notebook. `mask` is added
# to the scores: 0 where a query may look, `-inf` where it may not.

# %%
def attention(q, k, v, mask=None):
    """Scaled dot-product attention over the last two dimensions. Returns (output, weights)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


out, w = attention(Q, K, V)
assert torch.allclose(out, attended, atol=1e-6) and torch.allclose(w, weights, atol=1e-6)

# %% [markdown]
# ## 4 · The causal (look-ahead) mask
#
# A model that generates text left to right must not peek at the tokens it is about to predict. The
# causal mask adds `-inf` above the diagonal: after softmax, `exp(-inf) = 0`, so query $i$ gets no
# weight on keys $j > i$. For 4 tokens:

# %%
n = 4
causal = torch.full((n, n), float("-inf")).triu(diagonal=1)
# PyTorch's own helper; the entries are the constants 0 and -inf, no arithmetic, so exact comparison is right
assert torch.equal(causal, nn.Transformer.generate_square_subsequent_mask(n))
causal

# %%
q, k, v = Q[:n], K[:n], V[:n]  # "Your cat is a"
causal_out, causal_weights = attention(q, k, v, mask=causal)
assert math.isclose(causal_weights[0, 0].item(), 1.0, abs_tol=1e-6)  # the first token can only see itself
assert torch.all(causal_weights.triu(diagonal=1) == 0)  # exp(-inf) is exactly 0 on every machine
assert torch.allclose(causal_weights.sum(dim=-1), torch.ones(n), atol=1e-6)
library = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0]
assert torch.allclose(causal_out, library, atol=1e-6)
causal_weights

# %% [markdown]
# The effect: with the mask, changing a later token cannot change an earlier token's output. Replace
# the last token ("a") with another vector and compare:

# %%
changed = x[:n].clone()
changed[-1] = torch.randn(d_model)
q2, k2, v2 = changed @ W_q, changed @ W_k, changed @ W_v
masked_after, _ = attention(q2, k2, v2, mask=causal)
unmasked_before, _ = attention(q, k, v)
unmasked_after, _ = attention(q2, k2, v2)
assert torch.allclose(masked_after[:-1], causal_out[:-1], atol=1e-6)  # positions 0-2 did not move
assert not torch.allclose(unmasked_after[:-1], unmasked_before[:-1], atol=1e-3)  # without the mask they did
(masked_after - causal_out).abs().amax(dim=-1), (unmasked_after - unmasked_before).abs().amax(dim=-1)

# %% [markdown]
# What to notice: with the mask only the last row changed; without it every row did. This is what
# lets a decoder train on all positions of a sentence at once while each position predicts only from
# its past.

# %% [markdown]
# ## 5 · Multi-head attention, checked against a real BERT layer
#
# One attention distribution per token is a blunt instrument: a word may need to look at its verb, at
# its antecedent and at its neighbour at the same time. **Multi-head attention** splits the model
# dimension into $h$ heads of size $d_{model}/h$, runs attention in each head independently, then
# concatenates the heads and mixes them with an output projection $W_O$.
#
# To prove our version right we load a real pre-trained encoder, `bert-base-uncased`, with
# `attn_implementation="eager"`: the plain implementation that can return its attention weights (the
# default, fused "sdpa" kernel returns none). All sizes below are read from `bert.config`.

# %%
from transformers import AutoModel, AutoTokenizer

checkpoint = "bert-base-uncased"  # about 440 MB, downloaded once and cached
tokenizer = AutoTokenizer.from_pretrained(checkpoint)
bert = AutoModel.from_pretrained(checkpoint, attn_implementation="eager").to(device).eval()
config = bert.config
print(f"{config.num_hidden_layers} layers, {config.num_attention_heads} heads, "
      f"hidden size {config.hidden_size}")

# %%
sentence = "The cat sat on the mat because it was tired."
encoded = tokenizer(sentence, return_tensors="pt").to(device)
with torch.no_grad():
    outputs = bert(**encoded, output_attentions=True, output_hidden_states=True)
bert_tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
seq = len(bert_tokens)
assert bert_tokens[0] == "[CLS]" and bert_tokens[-1] == "[SEP]" and "cat" in bert_tokens
assert len(outputs.attentions) == config.num_hidden_layers
assert outputs.attentions[0].shape == (1, config.num_attention_heads, seq, seq)
assert len(outputs.hidden_states) == config.num_hidden_layers + 1  # the embeddings, then each layer
bert_tokens


# %% [markdown]
# Our multi-head attention takes the three `nn.Linear` projections of a layer and uses only their
# `weight` and `bias` tensors; everything else is reshaping and the `attention` function above.

# %%
def linear(x, layer):
    """What nn.Linear computes: x W^T + b."""
    return x @ layer.weight.T + layer.bias


def multi_head_attention(x, query, key, value, n_heads, mask=None):
    """x: (seq, d_model). Returns the concatenated heads (seq, d_model) and the weights (heads, seq, seq)."""
    seq_len, d = x.shape
    d_head = d // n_heads

    def split(t):  # (seq, d_model) -> (heads, seq, d_head)
        return t.view(seq_len, n_heads, d_head).transpose(0, 1)

    heads, weights = attention(split(linear(x, query)), split(linear(x, key)), split(linear(x, value)), mask)
    return heads.transpose(0, 1).reshape(seq_len, d), weights


# %% [markdown]
# The input of BERT's first layer is `outputs.hidden_states[0]`: the token embeddings plus position
# and segment embeddings. We feed it to our function with layer 0's weights and compare with the
# attention probabilities BERT itself returned. Tolerance `1e-5`: weights lie between 0 and 1, and
# float32 rounding in a different order of operations differs by about `1e-7`.

# %%
layer = bert.encoder.layer[0]
x0 = outputs.hidden_states[0][0]  # (seq, hidden)
with torch.no_grad():
    mixed, my_weights = multi_head_attention(
        x0, layer.attention.self.query, layer.attention.self.key, layer.attention.self.value,
        n_heads=config.num_attention_heads,
    )
    projected = linear(mixed, layer.attention.output.dense)  # W_O mixes the heads
gap = (my_weights - outputs.attentions[0][0]).abs().max().item()
print(f"largest difference from BERT's attention probabilities: {gap:.1e}")
assert my_weights.shape == (config.num_attention_heads, seq, seq)
assert torch.allclose(my_weights, outputs.attentions[0][0], atol=1e-5)

# %% [markdown]
# PyTorch's `nn.MultiheadAttention` stores the three input projections as one stacked matrix. Loaded
# with the same BERT weights it must give the same output and the same per-head weights (tolerance
# `1e-5` on outputs whose entries are of order 1):

# %%
torch_mha = nn.MultiheadAttention(config.hidden_size, config.num_attention_heads, batch_first=True)
torch_mha = torch_mha.to(device).eval()
own = layer.attention
with torch.no_grad():
    torch_mha.in_proj_weight.copy_(
        torch.cat([own.self.query.weight, own.self.key.weight, own.self.value.weight])
    )
    torch_mha.in_proj_bias.copy_(torch.cat([own.self.query.bias, own.self.key.bias, own.self.value.bias]))
    torch_mha.out_proj.weight.copy_(own.output.dense.weight)
    torch_mha.out_proj.bias.copy_(own.output.dense.bias)
    torch_out, torch_weights = torch_mha(x0[None], x0[None], x0[None], average_attn_weights=False)
print(f"largest differences: output {(projected - torch_out[0]).abs().max():.1e}, "
      f"weights {(my_weights - torch_weights[0]).abs().max():.1e}")
assert torch.allclose(projected, torch_out[0], atol=1e-5)
assert torch.allclose(my_weights, torch_weights[0], atol=1e-5)

# %% [markdown]
# What to notice: three implementations, one result. Each head's rows sum to 1, and different heads
# of the same layer distribute their attention differently (section 11 shows them).

# %% [markdown]
# ## 6 · Positional encodings: attention alone ignores word order
#
# Attention treats its input as a *set*. Shuffle the tokens and the outputs are shuffled the same way,
# with the same values: nothing in $\mathrm{softmax}(QK^\top/\sqrt{d_k})V$ depends on where a token
# sits. Reversing "Your cat is a lovely cat":

# %%
reverse = torch.arange(len(words) - 1, -1, -1)  # positions 5, 4, ..., 0
shuffled = x[reverse]
shuffled_out, _ = attention(shuffled @ W_q, shuffled @ W_k, shuffled @ W_v)
assert torch.allclose(shuffled_out, attended[reverse], atol=1e-6)  # same vectors, only reordered
[words[i] for i in reverse]


# %% [markdown]
# The original Transformer adds a fixed **sinusoidal positional encoding** to each token vector:
#
# $$PE_{(pos,\,2i)} = \sin\!\left(\frac{pos}{10000^{2i/d_{model}}}\right), \qquad
# PE_{(pos,\,2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d_{model}}}\right).$$
#
# Each pair of dimensions is a clock ticking at its own speed, from one turn every $2\pi \approx 6$
# positions to almost one every $10000 \cdot 2\pi$ positions, so every position gets a unique pattern.

# %%
def positional_encoding(n_positions, d_model):
    position = torch.arange(n_positions, dtype=torch.float32)[:, None]
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32)
    angle = position / 10000 ** (two_i / d_model)
    pe = torch.zeros(n_positions, d_model)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe


pe = positional_encoding(50, d_model)
assert pe.shape == (50, d_model)
assert torch.allclose(pe[0, 0::2], torch.zeros(d_model // 2), atol=1e-6)  # sin 0 = 0
assert torch.allclose(pe[0, 1::2], torch.ones(d_model // 2), atol=1e-6)  # cos 0 = 1
assert pe.abs().max() <= 1 + 1e-6

# %% [markdown]
# The transformers library builds the same table for DistilBERT-style sinusoidal positions (in
# float64 NumPy, then cast to float32; hence the tolerance `1e-5`):

# %%
from transformers.models.distilbert.modeling_distilbert import create_sinusoidal_embeddings

library_pe = create_sinusoidal_embeddings(50, d_model, out=torch.empty(50, d_model))
print(f"largest difference: {(pe - library_pe).abs().max():.1e}")
assert torch.allclose(pe, library_pe, atol=1e-5)

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
plots.heatmap(pe, title="Sinusoidal positional encoding", xlabel="dimension", ylabel="position",
              cmap="RdBu", ax=axes[0])
for dim in (0, 6, 12, 24):
    axes[1].plot(pe[:, dim], label=f"dimension {dim}")
axes[1].set(xlabel="position", ylabel="value", title="Low dimensions oscillate fast, high ones slowly")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Add the encodings to the word vectors and repeat the experiment: now the two "cat"s differ, and
# reversing the sentence changes the outputs, not just their order.

# %%
with_pos = x + pe[: len(words)]
pos_out, _ = attention(with_pos @ W_q, with_pos @ W_k, with_pos @ W_v)
rev_pos = x[reverse] + pe[: len(words)]  # reversed words, positions still 0..5
rev_pos_out, _ = attention(rev_pos @ W_q, rev_pos @ W_k, rev_pos @ W_v)
assert not torch.allclose(pos_out[1], pos_out[5], atol=1e-3)  # "cat" at 1 and "cat" at 5 now differ
assert not torch.allclose(rev_pos_out, pos_out[reverse], atol=1e-3)  # order now matters
(rev_pos_out - pos_out[reverse]).abs().amax(dim=-1)


# %% [markdown]
# What to notice: BERT and GPT-2 *learn* a position embedding table instead of using sines (you saw it
# as part of `hidden_states[0]`); newer models such as Llama rotate queries and keys by position
# (RoPE). The purpose is the same: give an order-blind operation a sense of order.

# %% [markdown]
# ## 7 · One encoder block, checked against BERT
#
# An encoder block wraps attention in two more ideas:
#
# 1. **Add & Norm**: add the block's input to its output (a *residual connection*, so gradients have a
#    short path back) and normalise each token vector (*LayerNorm*).
# 2. **Feed-forward network**: the same two-layer network applied to every token separately, widening
#    to `intermediate_size` (4x the hidden size in BERT) with a GELU in between (the original paper
#    used ReLU).
#
# `h = LayerNorm(x + MultiHead(x))`, then `y = LayerNorm(h + FFN(h))`. BERT and the original paper
# normalise after adding ("post-norm"); GPT-2 and most newer decoders normalise before each sub-layer
# ("pre-norm").

# %%
def layer_norm(x, norm):
    return F.layer_norm(x, (x.shape[-1],), norm.weight, norm.bias, norm.eps)


def encoder_block(x, layer, n_heads):
    """One BERT encoder layer from scratch, using only the layer's weight tensors."""
    mixed, _ = multi_head_attention(
        x, layer.attention.self.query, layer.attention.self.key, layer.attention.self.value, n_heads
    )
    h = layer_norm(x + linear(mixed, layer.attention.output.dense),
                   layer.attention.output.LayerNorm)  # Add & Norm
    ffn = linear(F.gelu(linear(h, layer.intermediate.dense)), layer.output.dense)  # feed-forward
    return layer_norm(h + ffn, layer.output.LayerNorm)  # Add & Norm


with torch.no_grad():
    y0 = encoder_block(x0, layer, config.num_attention_heads)
    library_y0 = layer(x0[None])[0]  # the library's own block
print(f"largest difference from BERT's layer 0: {(y0 - outputs.hidden_states[1][0]).abs().max():.1e}")
assert torch.allclose(y0, library_y0, atol=1e-4)
assert torch.allclose(y0, outputs.hidden_states[1][0], atol=1e-4)

# %% [markdown]
# The tolerance is `1e-4` here because LayerNorm outputs are of order 1-10 and the feed-forward sums
# over thousands of products. Stacking our block for every layer reproduces the whole encoder (the
# errors add up a little over the layers, so the tolerance for the final output is `1e-3`):

# %%
h = x0
gaps = []
with torch.no_grad():
    for i, block in enumerate(bert.encoder.layer):
        h = encoder_block(h, block, config.num_attention_heads)
        gaps.append((h - outputs.hidden_states[i + 1][0]).abs().max().item())
print("largest difference after each layer:", [f"{g:.1e}" for g in gaps])
assert torch.allclose(h, outputs.last_hidden_state[0], atol=1e-3)


# %% [markdown]
# What to notice: roughly 20 lines of tensor code, a `softmax`, a `gelu` and `layer_norm`, reproduce
# every number a pre-trained BERT computes after its embeddings.

# %% [markdown]
# ## 8 · Where the parameters live: counting by formula and by building
#
# A model's size follows from a few numbers in its configuration: vocabulary $V$, maximum positions
# $P$, hidden size $d$, feed-forward size $d_{ff}$ and number of layers $L$. Every `nn.Linear(a, b)` has
# $a \cdot b$ weights and $b$ biases, every LayerNorm $2d$ parameters. We write the formula for each
# model grouped into parts, then build the model with random weights from its default configuration
# (nothing is downloaded) and count its tensors.

# %%
def bert_formula(V, P, T, d, ff, L):
    return {
        "embeddings": V * d + P * d + T * d,  # token, position, segment (token type)
        "attention": L * 4 * (d * d + d),  # query, key, value, output
        "feed-forward": L * ((d * ff + ff) + (ff * d + d)),
        "layer norms": 2 * d + L * 2 * (2 * d),  # after the embeddings, then 2 per layer
        "other": d * d + d,  # the pooler on [CLS]
    }


def gpt2_formula(V, P, d, L):
    return {
        "embeddings": V * d + P * d,  # the output layer reuses the token embeddings (tied)
        "attention": L * ((d * 3 * d + 3 * d) + (d * d + d)),  # q, k, v stacked, then output
        "feed-forward": L * ((d * 4 * d + 4 * d) + (4 * d * d + d)),
        "layer norms": L * 2 * (2 * d) + 2 * d,  # 2 per block, one at the end
        "other": 0,
    }


def paper_formula(V, d, ff, L):
    mha = 4 * (d * d + d)
    return {
        "embeddings": V * d,  # shared by encoder input, decoder input and output layer
        "attention": L * mha + L * 2 * mha,  # encoder self; decoder self and cross
        "feed-forward": 2 * L * ((d * ff + ff) + (ff * d + d)),
        "layer norms": L * 2 * (2 * d) + L * 3 * (2 * d) + 2 * (2 * d),  # + a final norm each side
        "other": 0,
    }


def part(name):
    """Which part a parameter belongs to, from its name in the model."""
    if "LayerNorm" in name or "norm" in name or "ln_" in name:
        return "layer norms"
    if "embed" in name or name.startswith(("wte", "wpe")):
        return "embeddings"
    if "attn" in name or "attention" in name:
        return "attention"
    if any(s in name for s in ("intermediate", "output.dense", "mlp", "linear1", "linear2")):
        return "feed-forward"
    return "other"


def count_by_part(model):
    counts = dict.fromkeys(["embeddings", "attention", "feed-forward", "layer norms", "other"], 0)
    for name, p in model.named_parameters():  # tied weights are listed once
        counts[part(name)] += p.numel()
    return counts


# %% [markdown]
# Building BERT-base (110M parameters) and GPT-2 small (124M) with random weights takes a few
# seconds each on a CPU; we build each once. The original Transformer uses the paper's base sizes:
# $d_{model}=512$, 8 heads, 6 encoder and 6 decoder layers, $d_{ff}=2048$, a shared vocabulary of
# 37,000 tokens, and its output layer tied to the embeddings.

# %%
import time

from transformers import BertConfig, BertModel, GPT2Config, GPT2Model

start = time.perf_counter()
bert_base = BertModel(BertConfig()).eval()  # random weights, default sizes = BERT-base
# default sizes = GPT-2 small
gpt2_small = GPT2Model(GPT2Config(attn_implementation="eager")).to(device).eval()


class PaperTransformer(nn.Module):
    """The base model of "Attention Is All You Need": embeddings + nn.Transformer + tied output layer."""

    def __init__(self, vocab_size=37000, d_model=512, n_heads=8, n_layers=6, d_ff=2048):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.transformer = nn.Transformer(d_model, n_heads, n_layers, n_layers, d_ff, batch_first=True)
        self.output = nn.Linear(d_model, vocab_size, bias=False)
        self.output.weight = self.embedding.weight  # weight tying (section 3.4 of the paper)


paper = PaperTransformer()
print(f"built the three models in {time.perf_counter() - start:.1f} s")

# %%
bc, gc = bert_base.config, gpt2_small.config
formulas = {
    "BERT-base": bert_formula(bc.vocab_size, bc.max_position_embeddings, bc.type_vocab_size,
                              bc.hidden_size, bc.intermediate_size, bc.num_hidden_layers),
    "GPT-2 small": gpt2_formula(gc.vocab_size, gc.n_positions, gc.n_embd, gc.n_layer),
    "Transformer (2017)": paper_formula(37000, 512, 2048, 6),
}
models = {"BERT-base": bert_base, "GPT-2 small": gpt2_small, "Transformer (2017)": paper}
counted = {model_name: count_by_part(model) for model_name, model in models.items()}
for model_name, model in models.items():
    assert counted[model_name] == formulas[model_name], model_name  # part by part, exactly
    assert sum(counted[model_name].values()) == sum(p.numel() for p in model.parameters())
table = pd.DataFrame(counted).T
table["total"] = table.sum(axis=1)
table["by formula"] = [sum(f.values()) for f in formulas.values()]
table.style.format("{:,}")

# %%
totals = table["total"]
assert totals["BERT-base"] == 109_482_240  # "110M" in the BERT paper
assert totals["GPT-2 small"] == 124_439_808  # "124M" (the GPT-2 paper's table says 117M)
assert abs(totals["Transformer (2017)"] - 65e6) / 65e6 < 0.05  # "65M" in the paper's Table 3
shares = table.drop(columns=["total", "by formula"]).div(totals, axis=0)
ax = shares.plot.barh(stacked=True, figsize=(9, 3))
ax.set(xlabel="share of all parameters", ylabel="", title="Where the parameters live")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=5, fontsize=8)
plt.show()
shares.round(3)

# %% [markdown]
# What to notice:
# - Formula and count agree to the last parameter for all three models.
# - In BERT and GPT-2 the feed-forward networks hold about twice as many parameters as attention
#   ($8d^2$ against $4d^2$ per layer); the original Transformer's decoder has two attention sub-layers
#   per layer, which evens the split. Layer norms are a rounding error.
# - Embeddings are a large share of models this size: a fifth of BERT-base, almost a third of GPT-2
#   small (50,257 tokens x 768), 30 % of the original Transformer. Tying the output layer to the embeddings
#   saves another 38.6M parameters in GPT-2.
# - Our count for the original Transformer is 63.1M; the paper reports 65M without listing its terms,
#   so we check agreement within 5 %.

# %% [markdown]
# ## 9 · Encoder-only, decoder-only, encoder-decoder: which mask where
#
# The three families of Transformer models use the same blocks and differ mainly in which tokens may
# attend to which:
#
# | Family | Examples | Self-attention mask | Typical use |
# |---|---|---|---|
# | encoder-only | BERT, DistilBERT, RoBERTa | bidirectional | classification, NER, embeddings |
# | decoder-only | GPT-2, Llama, SmolLM | causal | text generation, chat |
# | encoder-decoder | Transformer, T5, BART | bidirectional encoder, causal decoder | translation, summaries |
#
# *Bidirectional*: every token sees every (non-padding) token. *Causal*: each token sees itself and the
# past. The decoder of an encoder-decoder (the original Transformer, T5, BART) also has
# **cross-attention**, from each target token to every source token.
#
# Drawn for a source of 5 tokens (the last 2 are padding) and a target of 4 tokens, white = may attend:

# %%
src_len, tgt_len, n_pad = 5, 4, 2
src_ok = torch.tensor([1] * (src_len - n_pad) + [0] * n_pad, dtype=torch.bool)
masks = {
    "encoder self-attention\n(bidirectional, padding hidden)": src_ok.expand(src_len, src_len),
    "decoder self-attention\n(causal)": torch.ones(tgt_len, tgt_len, dtype=torch.bool).tril(),
    "cross-attention\n(target queries, source keys)": src_ok.expand(tgt_len, src_len),
}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
for ax, (title, allowed) in zip(axes, masks.items(), strict=True):
    ax.imshow(allowed, cmap="gray", vmin=0, vmax=1)
    ax.set(title=title, xlabel="key position", ylabel="query position")
plt.tight_layout()
plt.show()

# %% [markdown]
# The real models behave exactly so. BERT with a padded batch gives zero weight to padding in every
# layer and head; the GPT-2 we just built (random weights do not matter for the mask) gives zero weight
# to every future token:

# %%
batch = tokenizer(["The cat sat.", sentence], padding=True, return_tensors="pt").to(device)
with torch.no_grad():
    padded = bert(**batch, output_attentions=True)
is_pad = batch["attention_mask"][0] == 0
assert is_pad.sum() > 0
# masked scores underflow to exactly 0 after softmax, so exact comparison is right
assert all(a[0][:, :, is_pad].abs().max() == 0 for a in padded.attentions)  # nobody looks at padding

with torch.no_grad():
    gpt2_out = gpt2_small(torch.arange(8, device=device)[None], output_attentions=True)
assert len(gpt2_out.attentions) == gc.n_layer
assert all(a[0].triu(diagonal=1).abs().max() == 0 for a in gpt2_out.attentions)  # nobody looks ahead
gpt2_out.attentions[0][0, 0]

# %% [markdown]
# What to notice: the mask is the whole difference between "understands a sentence in both
# directions" and "can generate it one token at a time"; the blocks themselves are interchangeable.

# %% [markdown]
# ## 10 · Contextual embeddings: one word, many vectors
#
# A static embedding (word2vec, GloVe, or the first lookup table inside BERT) gives "bank" one vector,
# whatever the sentence. After the Transformer layers, each occurrence of "bank" has its own vector,
# shaped by its neighbours. Three river banks and three money banks:

# %%
bank_sentences = [
    "He sat on the bank of the river and watched the water.",
    "The fisherman pulled his boat onto the muddy river bank.",
    "Ducks were resting on the grassy bank of the stream.",
    "She deposited the cheque at the bank this morning.",
    "The bank approved my loan and opened a savings account.",
    "He withdrew cash from the bank before the trip.",
]
sense = ["river"] * 3 + ["money"] * 3
bank_id = tokenizer.convert_tokens_to_ids("bank")

contextual, static = [], []
for text in bank_sentences:
    enc = tokenizer(text, return_tensors="pt").to(device)
    position = enc["input_ids"][0].tolist().index(bank_id)  # "bank" is a single WordPiece token
    with torch.no_grad():
        contextual.append(bert(**enc).last_hidden_state[0, position])
    static.append(bert.embeddings.word_embeddings.weight[bank_id])
contextual, static = torch.stack(contextual), torch.stack(static)
similarity = F.cosine_similarity(contextual[:, None], contextual[None], dim=-1).cpu()
static_similarity = F.cosine_similarity(static[:, None], static[None], dim=-1).cpu()
assert torch.allclose(static_similarity, torch.ones(6, 6), atol=1e-6)  # the static vector never changes

# %% tags=["quality"]
labels = [f"{s} {i + 1}" for i, s in enumerate(sense)]
plots.heatmap(similarity, labels, labels, title='Cosine similarity of contextual "bank" vectors')
plt.show()
same = torch.tensor([[a == b for b in sense] for a in sense])
off_diagonal = ~torch.eye(6, dtype=torch.bool)
within, across = similarity[same & off_diagonal].mean(), similarity[~same].mean()
print(f"mean similarity: same sense {within:.3f}, different sense {across:.3f}")
assert within > across  # on average, a "bank" is closer to the banks of its own sense
nearest = (similarity - 2 * torch.eye(6)).argmax(dim=-1)  # most similar other sentence
assert all(sense[i] == sense[j] for i, j in enumerate(nearest.tolist()))

# %% [markdown]
# What to notice: every "bank" vector is still fairly similar to every other (same word), but each
# river "bank" is closest to another river "bank", and each money "bank" to another money "bank". The
# static lookup cannot tell them apart (all similarities are 1, up to rounding).

# %% [markdown]
# ## 11 · Attention maps of a real model
#
# We return to "The cat sat on the mat because it was tired." and look at the attention weights BERT
# computed (`outputs.attentions`, one tensor per layer of shape `(batch, heads, query, key)`). First
# every head of the first layer:

# %%
attn = torch.stack(outputs.attentions)[:, 0].cpu()  # (layers, heads, seq, seq)
assert attn.shape == (config.num_hidden_layers, config.num_attention_heads, seq, seq)
assert torch.allclose(attn.sum(dim=-1), torch.ones(attn.shape[:-1]), atol=1e-5)
plots.attention_heads(attn[0], bert_tokens, ncols=6, title="Layer 0: one map per head")
plt.show()

# %% [markdown]
# Heads specialise. A simple way to see where each head looks: average, over the sentence, the
# weight each query puts on the previous token, the next token, itself and `[CLS]`:

# %% tags=["quality"]
idx = torch.arange(1, seq)
patterns = {
    "previous token": attn[..., idx, idx - 1].mean(-1),
    "next token": attn[..., idx - 1, idx].mean(-1),
    "itself": attn.diagonal(dim1=-2, dim2=-1).mean(-1),
    "[CLS]": attn[..., :, 0].mean(-1),
}
fig, axes = plt.subplots(1, 4, figsize=(16, 3.5))
for ax, (pattern, score) in zip(axes, patterns.items(), strict=True):
    plots.heatmap(score, title=f"weight on {pattern}", xlabel="head", ylabel="layer", ax=ax, vmin=0, vmax=1,
                  annotate=False)
plt.tight_layout()
plt.show()
layer_i, head_i = divmod(patterns["previous token"].argmax().item(), config.num_attention_heads)
print(f"most 'previous token' head: layer {layer_i}, head {head_i}, "
      f"{patterns['previous token'][layer_i, head_i]:.0%} of its weight on the previous token")
# this run's strongest such head is printed above; Clark et al. (2019) found four heads in BERT-base
# that put over 50 % of their weight on the previous token, averaged over Wikipedia text
assert patterns["previous token"].max() > 0.5

# %%
plots.heatmap(attn[layer_i, head_i], bert_tokens, bert_tokens, xlabel="key (attended to)",
              ylabel="query (attending)", title=f"Layer {layer_i}, head {head_i}: looks one token back")
plt.show()

# %% [markdown]
# What to notice: at least one head sends more than half of its weight to the previous token: it
# rebuilt, from data alone, what an RNN does by construction. Other heads look at the next token, at
# `[CLS]` or `[SEP]`, or spread out. Attention maps show where information *can* flow, not why a model
# decided something, so read them as a description, not an explanation.

# %% [markdown]
# ## Summary
#
# - Convolutions see a small window and RNN gradients vanish over long distances; attention connects
#   every pair of tokens in one step.
# - Scaled dot-product attention is `softmax(QK^T / sqrt(d_k)) V`; the scaling keeps softmax from
#   saturating. Ours matches `F.scaled_dot_product_attention` within `1e-6`.
# - A causal mask (`-inf` above the diagonal) stops tokens from seeing the future; a padding mask hides
#   padding. Masks are what separate encoder-only, decoder-only and encoder-decoder models.
# - Multi-head attention and a whole encoder block, written from scratch and loaded with BERT's
#   weights, reproduce BERT's attention probabilities (`1e-5`), each layer (`1e-4`) and the final
#   output (`1e-3`).
# - Attention ignores order; sinusoidal (or learned) positional encodings put it back.
# - BERT-base has 109,482,240 parameters, GPT-2 small 124,439,808, the original Transformer about 63M;
#   in BERT and GPT-2 the feed-forward networks hold twice as many as attention, embeddings a fifth to
#   a third.
# - A real encoder gives each occurrence of a word its own contextual vector, and its heads specialise
#   (one looks at the previous token).

# %% [markdown]
# ## Exercises
#
# **1 (easy): attention by hand.** A query $q = [1, 1]$ meets three keys $[1, 0]$, $[0, 1]$, $[1, 1]$
# ($d_k = 2$). Compute the three attention weights (a list or a tensor).

# %%
from nlpcourse.exercises.ch05 import (
    check_attention_weights,
    check_bert_layer_params,
    check_causal_mask,
    check_gpt2_param_count,
)

answer = ...
check_attention_weights(answer)

# %% tags=["solution"]
answer = torch.softmax(torch.tensor([1.0, 1.0, 2.0]) / math.sqrt(2), dim=0)
assert check_attention_weights(answer)
check_attention_weights(answer)

# %% [markdown]
# **2 (easy): a causal mask for 5 tokens.** Build the additive mask for a sequence of 5 tokens:
# a `(5, 5)` float tensor with `0.0` where a query may attend and `float("-inf")` where it may not.

# %%
answer = ...
check_causal_mask(answer)

# %% tags=["solution"]
answer = torch.full((5, 5), float("-inf")).triu(diagonal=1)
assert check_causal_mask(answer)
check_causal_mask(answer)

# %% [markdown]
# **3 (medium): one BERT-base layer.** How many parameters does *one* encoder layer of BERT-base have
# (hidden size 768, intermediate size 3072)? Count the attention projections, the feed-forward network
# and both LayerNorms, biases included. Check yourself with `bert_base.encoder.layer[0]` (section 8).

# %%
answer = ...
check_bert_layer_params(answer)

# %% tags=["solution"]
d, ff = 768, 3072
answer = 4 * (d * d + d) + 2 * d + (d * ff + ff) + (ff * d + d) + 2 * d
assert answer == sum(p.numel() for p in bert_base.encoder.layer[0].parameters())
assert check_bert_layer_params(answer)
check_bert_layer_params(answer)


# %% [markdown]
# **4 (stretch): GPT-2 at every size.** Write `gpt2_param_count(n_layer, n_embd, vocab_size, n_positions)`
# returning GPT-2's exact parameter count (the output layer is tied to the token embeddings). The
# checker tries GPT-2 small, medium (24 layers, 1024 wide), large (36, 1280) and XL (48, 1600). Verify
# your function on a model you build, for example `GPT2Model(GPT2Config(n_layer=2, n_embd=64, n_head=4))`.

# %%
def gpt2_param_count(n_layer, n_embd, vocab_size, n_positions):
    ...


check_gpt2_param_count(gpt2_param_count)


# %% tags=["solution"]
def gpt2_param_count(n_layer, n_embd, vocab_size, n_positions):
    d = n_embd
    block = 2 * d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (4 * d * d + 4 * d) + (4 * d * d + d)
    return vocab_size * d + n_positions * d + n_layer * block + 2 * d


tiny = GPT2Model(GPT2Config(n_layer=2, n_embd=64, n_head=4))
assert gpt2_param_count(2, 64, 50257, 1024) == sum(p.numel() for p in tiny.parameters())
assert check_gpt2_param_count(gpt2_param_count)
check_gpt2_param_count(gpt2_param_count)

# %% [markdown]
# ## Further reading
#
# - Vaswani et al. (2017), *Attention Is All You Need*: https://arxiv.org/abs/1706.03762
# - Devlin et al. (2019), *BERT*: https://arxiv.org/abs/1810.04805
# - Radford et al. (2019), *Language Models are Unsupervised Multitask Learners* (GPT-2):
#   https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf
# - Clark et al. (2019), *What Does BERT Look At? An Analysis of BERT's Attention*: https://arxiv.org/abs/1906.04341
# - Bengio, Simard and Frasconi (1994), *Learning long-term dependencies with gradient descent is difficult*:
#   https://doi.org/10.1109/72.279181
# - PyTorch: `scaled_dot_product_attention`
#   https://pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html,
#   `nn.MultiheadAttention` https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html,
#   `nn.Transformer` https://pytorch.org/docs/stable/generated/torch.nn.Transformer.html
# - Transformers: attention implementations (`attn_implementation`):
#   https://huggingface.co/docs/transformers/attention_interface ; BERT:
#   https://huggingface.co/docs/transformers/model_doc/bert ; GPT-2:
#   https://huggingface.co/docs/transformers/model_doc/gpt2
# - The Annotated Transformer: https://nlp.seas.harvard.edu/annotated-transformer/
