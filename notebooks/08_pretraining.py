# %% [markdown]
# # 08 · Pre-training a small GPT from scratch
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/08_pretraining.ipynb
#
# Every model in chapters 03 to 07 was pre-trained by someone else, on more text and more compute than
# a class will ever have. This notebook does the whole job once, at a size a laptop manages in about a
# minute: it trains a tokenizer and a small GPT on the course corpus (33,000 words), with no download at
# all. The model will not write good English, but every step of a real pre-training run is here and
# measured: next-token targets, batches, AdamW, a learning-rate schedule, gradient clipping, mixed
# precision, a held-out validation set, a baseline to beat, overfitting, and the bill in floating-point
# operations, set against GPT-2, BERT and GPT-3.
#
# **You will learn**
# - how a causal language model learns: next-token targets and teacher forcing, the loss at the start
#   (about $\ln V$) and what "better" means;
# - the training loop written out: batches, AdamW, warm-up and cosine decay, gradient clipping, mixed
#   precision on a GPU, evaluation on held-out text, a progress bar and loss curves;
# - how to tell learning from memorising: a unigram baseline, perplexity on held-out text, samples at
#   several points of training, and overfitting provoked on purpose;
# - what training costs: parameters by formula and by count, tokens per second, compute as about
#   6 x parameters x tokens, and why pre-training happens once, on clusters;
# - how to save your own model so that `from_pretrained` and `generate()` treat it like any Hub checkpoint.
#
# **Prerequisites:** 01 (training a tokenizer), 05 (the decoder block and parameter counts), 06 (its
# section "How a model learns": loss, gradient, optimizer step), 07 (perplexity).
#
# **On a CPU** the main training run (200 steps) takes under a minute on 2 cores; the notebook times one
# step first and prints what the whole run will cost on your machine. A GPU runs the same plan in
# seconds, in mixed precision.
#
# **Runtime:** about 22 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 727 MB; on a GPU not measured yet. **Download:** nothing.

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
# ## 1 · The corpus, split before anything learns from it
#
# `data/corpus.txt` holds the course's essays, one paragraph per line. The last tenth of the paragraphs
# (the last essays) is held out as **validation** text: nothing below, not even the tokenizer, sees it
# before the model is scored on it. A contiguous block keeps whole essays out, so the validation score
# says how the model copes with text on new topics, not with sentences next to ones it trained on.

# %%
from nlpcourse.data import load_corpus

paragraphs = load_corpus()
n_train = int(len(paragraphs) * 0.9)
train_paragraphs, val_paragraphs = paragraphs[:n_train], paragraphs[n_train:]
words = sum(len(p.split()) for p in paragraphs)
assert len(train_paragraphs) + len(val_paragraphs) == len(paragraphs)
print(f"{len(paragraphs)} paragraphs, {words:,} words: {len(train_paragraphs)} for training, "
      f"{len(val_paragraphs)} held out")
val_paragraphs[0][:200]

# %% [markdown]
# ## 2 · A tokenizer of our own
#
# GPT-2's tokenizer is a byte-level BPE (chapter 01): it starts from the 256 byte values, so it can
# encode any string, and merges frequent pairs until the vocabulary is full. We train the same kind with
# the `tokenizers` library on the training paragraphs only, with a vocabulary of 2,048 instead of
# GPT-2's 50,257: the corpus is tiny, and every vocabulary entry costs a row of embedding weights.
# `<|endoftext|>` separates paragraphs, as it separates documents in GPT-2's training data.
# `PreTrainedTokenizerFast` wraps it so that it behaves like any tokenizer from the Hub.

# %%
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

VOCAB_SIZE = 2048
EOS = "<|endoftext|>"

bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe_trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=[EOS], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
bpe.train_from_iterator(train_paragraphs, bpe_trainer)
tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token=EOS, eos_token=EOS)

sentence = "A rule that splits text on spaces is the simplest one."
ids = tokenizer(sentence)["input_ids"]
assert len(tokenizer) == VOCAB_SIZE
assert tokenizer.decode(ids) == sentence  # byte-level: nothing is lost
print(len(ids), "tokens:", tokenizer.convert_ids_to_tokens(ids))

# %% [markdown]
# (`Ġ` marks a token that starts with a space.) Now the whole corpus becomes two streams of token ids,
# one per split, with `<|endoftext|>` after each paragraph; the streams are cut into windows of
# `CONTEXT` = 64 tokens, the longest text the model will read at once.

# %%
import torch

CONTEXT = 64


def to_windows(texts):
    """All texts as one stream of ids (EOS after each), cut into rows of CONTEXT tokens."""
    stream = [i for ids in tokenizer(texts)["input_ids"] for i in [*ids, tokenizer.eos_token_id]]
    usable = len(stream) // CONTEXT * CONTEXT  # drop the ragged end
    return torch.tensor(stream[:usable]).view(-1, CONTEXT)


train_windows, val_windows = to_windows(train_paragraphs), to_windows(val_paragraphs)
assert train_windows.shape[1] == val_windows.shape[1] == CONTEXT
print(f"training: {train_windows.numel():,} tokens in {len(train_windows)} windows; "
      f"validation: {val_windows.numel():,} tokens in {len(val_windows)} windows; "
      f"{words / (train_windows.numel() + val_windows.numel()):.2f} words per token")

# %% [markdown]
# ## 3 · The model: a small GPT-2, by formula and by count
#
# `GPT2Config` describes the architecture of chapter 05's decoder: token and learned position
# embeddings, `n_layer` blocks of masked self-attention and a feed-forward network, a final layer norm,
# and an output layer that shares its weights with the token embeddings. Ours has 2 blocks, 128 wide,
# 4 heads, 64 positions. `GPT2LMHeadModel(config)` builds it with random weights: nothing is downloaded.
#
# The configuration also keeps GPT-2's **dropout**: `embd_pdrop`, `attn_pdrop` and `resid_pdrop` are 0.1
# (`GPT2Config`'s defaults), so in training mode each dropout layer zeroes a random 10% of its inputs (on
# the embeddings, the attention weights and each block's outputs) and scales the rest up to keep their
# sum. A model built this way starts in training mode: every training run in this notebook trains with
# dropout on. `model.eval()` switches it off, and the evaluation and sampling functions below call it.
#
# Its size follows from the configuration, as in chapter 05: each block has two layer norms
# ($2 \cdot 2d$), the stacked query/key/value projection ($d \cdot 3d + 3d$), the attention output
# ($d^2 + d$) and the feed-forward network ($d \cdot 4d + 4d$ and $4d \cdot d + d$): $12d^2 + 13d$.

# %%
from transformers import GPT2Config, GPT2LMHeadModel

config = GPT2Config(
    vocab_size=VOCAB_SIZE, n_positions=CONTEXT, n_embd=128, n_layer=2, n_head=4,
    bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
)


def gpt2_params(V, P, d, L):
    """GPT-2's parameter count: embeddings (output layer tied to them), L blocks, final layer norm."""
    return V * d + P * d + L * (12 * d * d + 13 * d) + 2 * d


torch.manual_seed(env.seed)
model = GPT2LMHeadModel(config).to(env.device)
n_params = sum(p.numel() for p in model.parameters())  # the tied output weight is counted once
by_formula = gpt2_params(config.vocab_size, config.n_positions, config.n_embd, config.n_layer)
assert model.lm_head.weight is model.transformer.wte.weight  # tied
assert n_params == by_formula
assert config.embd_pdrop == config.attn_pdrop == config.resid_pdrop == 0.1 and model.training
embeddings = config.vocab_size * config.n_embd
print(f"{n_params:,} parameters (formula: {by_formula:,}); the token embeddings alone are "
      f"{embeddings:,}, {embeddings / n_params:.0%} of them")

# %% [markdown]
# ## 4 · Next-token targets: teacher forcing on one sequence
#
# A causal language model learns one thing: given the tokens so far, predict the next one. Every position
# of a window is a training example. The **inputs** are the tokens, the **targets** are the same tokens
# shifted left by one: position $t$ reads tokens $0..t$ (the causal mask of chapter 05 hides the rest) and
# is scored on token $t+1$. In training the model always sees the *true* previous tokens, never its own
# guesses; this is called **teacher forcing**, and it lets one forward pass score all 64 positions at once.
# At inference (`generate()`), the model has no true tokens: it feeds its own predictions back, one at a
# time.

# %%
import pandas as pd

inputs, targets = ids[:-1], ids[1:]
pieces = tokenizer.convert_ids_to_tokens(ids)
pd.DataFrame({
    "the model reads": ["".join(pieces[: t + 1]).replace("Ġ", " ") for t in range(len(inputs))],
    "and must predict": [pieces[t + 1].replace("Ġ", " ") for t in range(len(inputs))],
})

# %% [markdown]
# The loss is the cross-entropy of each prediction (minus the log-probability given to the true next
# token, chapter 06), averaged over the positions. Passing `labels=input_ids` makes the model shift the
# labels itself and return that mean; computed by hand from the logits, it is the same number.
#
# An untrained model spreads its probability almost evenly over the vocabulary, so its loss starts near
# $\ln V = \ln 2048 \approx 7.62$: the cost of a uniform guess.

# %%
import math

import torch.nn.functional as F

batch = torch.tensor([ids], device=env.device)
with torch.no_grad():
    out = model(input_ids=batch, labels=batch)
by_hand = F.cross_entropy(out.logits[0, :-1], batch[0, 1:])  # position t scored on token t+1
print(f"model's loss {out.loss.item():.4f}, by hand {by_hand.item():.4f}, ln V = {math.log(VOCAB_SIZE):.4f}")
assert torch.allclose(out.loss, by_hand, atol=1e-5)
assert abs(out.loss.item() - math.log(VOCAB_SIZE)) < 0.3

# %% [markdown]
# ## 5 · The baseline to beat: a unigram model
#
# The simplest language model ignores context: it predicts every token with its frequency in the
# training text. Its cross-entropy on held-out text is the number our GPT must beat to show it learned
# anything about *order*. Counts get one added (add-one smoothing) so that a token never seen in training
# still gets a small probability instead of an infinite loss. The targets are the same as the model's:
# every token of a window but the first.
#
# **Perplexity** is `exp(cross-entropy)`: the model is as unsure as if it picked uniformly among that many
# tokens (chapter 07).

# %%
counts = torch.bincount(train_windows.flatten(), minlength=VOCAB_SIZE).double() + 1
log_p = (counts / counts.sum()).log()
unigram_train = -log_p[train_windows[:, 1:]].mean().item()
unigram_val = -log_p[val_windows[:, 1:]].mean().item()
print(f"unigram cross-entropy: training {unigram_train:.3f}, validation {unigram_val:.3f} nats; "
      f"validation perplexity {math.exp(unigram_val):.0f} (uniform: {VOCAB_SIZE})")
assert unigram_val < math.log(VOCAB_SIZE)  # frequencies already beat a uniform guess

# %% [markdown]
# ## 6 · The training loop, written out
#
# The pieces, each of them a line in the loop below:
#
# - **batches**: 16 windows at a time (16 x 64 = 1,024 tokens), drawn in a shuffled order; one pass over
#   all training windows is an **epoch**;
# - **AdamW**: Adam's per-weight step sizes, with weight decay (a pull towards zero) on the tensors with 2
#   dimensions (weight matrices and embedding tables) and none on biases and layer norms, the usual
#   choice for GPT-style models. `betas=(0.9, 0.95)` are the decay rates of Adam's two running averages,
#   of each gradient (the first moment) and of its square (the second): every step keeps 90% and 95% of
#   them and mixes in the rest from the new gradient. PyTorch's default for the second is 0.999, an
#   average over about 1,000 steps; 0.95 averages over about 20, so the step size adapts faster when the
#   gradients suddenly grow, the setting GPT-3 and many later LLMs were pre-trained with;
# - **warm-up and cosine decay**: the learning rate climbs from 0 to its peak over the first 10% of steps
#   (Adam's statistics are noisy at first, and large early steps can wreck a fresh model), then follows
#   half a cosine down to 0 (`get_cosine_schedule_with_warmup`);
# - **gradient clipping**: `clip_grad_norm_` rescales the gradient whenever its norm exceeds 1.0, so one bad
#   batch cannot throw the weights far;
# - **mixed precision**: on a CUDA GPU, `torch.autocast` runs the matrix products in bf16 (or fp16 with a
#   `GradScaler` on older GPUs); `nlpcourse.choose_precision` picks, as in chapter 06. On a CPU it stays fp32;
# - **fresh gradients**: `backward()` *adds* each new gradient to the one already stored in every weight's
#   `.grad`, so after each optimizer step the loop clears them with `optimizer.zero_grad(set_to_none=True)`
#   (checked below);
# - **evaluation**: every 25 steps, the loss on the held-out windows, with gradients off and dropout off.

# %%
from torch.utils.data import DataLoader
from transformers import get_cosine_schedule_with_warmup

STEPS = 200
BATCH_SIZE = 16
PEAK_LR = 3e-3  # small models take larger rates: GPT-3 Small (125M) used 6e-4 (Brown et al. 2020, Table 2.1)
EVAL_EVERY = 25
SAMPLE_AT = (0, STEPS // 4, STEPS // 2, STEPS)

precision = nlpcourse.choose_precision(env.device)
device_type = torch.device(env.device).type
amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision.mode)
scaler = torch.amp.GradScaler(device_type, enabled=precision.fp16)  # loss scaling, for fp16 only


def autocast():
    return torch.autocast(device_type, dtype=amp_dtype, enabled=amp_dtype is not None)


loader = DataLoader(train_windows, batch_size=BATCH_SIZE, shuffle=True, drop_last=True,
                    generator=torch.Generator().manual_seed(env.seed))
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                               {"params": no_decay, "weight_decay": 0.0}], lr=PEAK_LR, betas=(0.9, 0.95))
scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=STEPS // 10, num_training_steps=STEPS)
epochs = STEPS / len(loader)
print(f"mixed precision: {precision.mode} ({precision.reason})")
print(f"{STEPS} steps x {BATCH_SIZE} windows x {CONTEXT} tokens = {STEPS * BATCH_SIZE * CONTEXT:,} tokens, "
      f"{epochs:.1f} epochs of {len(loader)} steps")
assert sum(p.numel() for p in decay + no_decay) == n_params

# %% [markdown]
# The loop needs `zero_grad` from its first step on, because gradients add up: `backward()` writes
# `.grad = .grad + new gradient`. That is what lets a loop sum the gradients of several small batches
# before one optimizer step (gradient accumulation), and what would make every step of our loop follow
# the sum of all gradients so far if nothing cleared them. `set_to_none=True` (PyTorch's default) sets
# `.grad` to `None` instead of filling it with zeros: no memory is held between steps, and the next
# `backward()` writes the new gradient instead of adding it to zeros. Two backward passes over the same
# batch, without a `zero_grad` between them, give twice the gradient of one; dropout is switched off
# (`eval()`) for this check, so that both passes compute the same thing. With dropout on, the same batch
# gives a different loss at every pass.

# %%
first_batch = train_windows[:BATCH_SIZE].to(env.device)
model.eval()  # dropout off: both passes compute the same gradient
model(input_ids=first_batch, labels=first_batch).loss.backward()
once = model.lm_head.weight.grad.clone()
model(input_ids=first_batch, labels=first_batch).loss.backward()
assert torch.allclose(model.lm_head.weight.grad, 2 * once, rtol=1e-3, atol=1e-8)  # added, not replaced
optimizer.zero_grad(set_to_none=True)
assert model.lm_head.weight.grad is None
model.train()  # dropout on, as in every training step
with torch.no_grad():
    dropout_losses = [model(input_ids=first_batch, labels=first_batch).loss.item() for _ in range(2)]
assert abs(dropout_losses[0] - dropout_losses[1]) > 1e-4
dropout_losses


# %% [markdown]
# Evaluation and sampling, used during training and after it:

# %%
@torch.no_grad()
def validation_loss(model, windows, batch_size=64):
    """Mean loss per predicted token over ``windows``, dropout off (then back in training mode)."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(windows), batch_size):
        batch = windows[start:start + batch_size].to(env.device)
        with autocast():
            loss = model(input_ids=batch, labels=batch).loss
        n = batch.shape[0] * (batch.shape[1] - 1)  # every token but the first of each window
        total, count = total + loss.item() * n, count + n
    model.train()
    return total / count


PROMPT = "The"


def sample(model, n=1, new_tokens=30):
    """n seeded continuations of PROMPT, so that the same weights always give the same texts.

    Top-k sampling at a temperature below 1 keeps to the 10 likeliest tokens at each step; generation
    stops early where the model writes <|endoftext|>, the end of a paragraph.
    """
    model.eval()
    encoded = tokenizer([PROMPT] * n, return_tensors="pt").to(env.device)
    torch.manual_seed(env.seed)
    out = model.generate(**encoded, max_new_tokens=new_tokens, do_sample=True, top_k=10, temperature=0.8,
                         pad_token_id=tokenizer.eos_token_id)
    model.train()
    return tokenizer.batch_decode(out, skip_special_tokens=True)


sample(model)

# %% [markdown]
# Before a long cell, say how long it takes. One training step, timed here (forward and backward on a
# batch, the gradients then thrown away so the model is unchanged), gives the cost of the whole run on
# this machine:

# %%
import time

probe = next(iter(DataLoader(train_windows, batch_size=BATCH_SIZE))).to(env.device)
for _ in range(2):  # the first call pays one-off setup costs; time the second
    start = time.perf_counter()
    with autocast():
        probe_loss = model(input_ids=probe, labels=probe).loss
    probe_loss.backward()
    if device_type == "cuda":
        torch.cuda.synchronize()
    step_s = time.perf_counter() - start
    model.zero_grad(set_to_none=True)
expected_s = STEPS * step_s * 1.25  # + the optimizer, evaluations and samples
print(f"{env.device}: one step takes {step_s:.2f} s here, so {STEPS} steps take about {expected_s:.0f} s")

# %%
from tqdm.auto import tqdm

history = []  # one row per logged step, in the Trainer's log_history format
samples = {0: sample(model)[0]}
lrs, grad_norms, train_seconds = [], [], 0.0
step = 0
progress = tqdm(total=STEPS, desc="training")
model.train()
while step < STEPS:
    for batch in loader:
        start = time.perf_counter()
        batch = batch.to(env.device)
        with autocast():
            loss = model(input_ids=batch, labels=batch).loss  # labels are shifted inside the model
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
        grad_norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).item())
        lrs.append(scheduler.get_last_lr()[0])
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        history.append({"step": step, "loss": loss.item()})  # .item() waits for the GPU: time it too
        train_seconds += time.perf_counter() - start
        progress.update(1)
        if step % EVAL_EVERY == 0 or step == STEPS:
            val_loss = validation_loss(model, val_windows)
            history.append({"step": step, "eval_loss": val_loss, "eval_perplexity": math.exp(val_loss)})
            progress.set_postfix(loss=f"{loss.item():.2f}", val=f"{val_loss:.2f}")
        if step in SAMPLE_AT:
            samples[step] = sample(model)[0]
        if step == STEPS:
            break
progress.close()
tokens_seen = STEPS * BATCH_SIZE * CONTEXT
tokens_per_s = tokens_seen / train_seconds
print(f"{tokens_seen:,} tokens in {train_seconds:.1f} s of training steps: {tokens_per_s:,.0f} tokens/s "
      f"on {env.device}")

# %% [markdown]
# ## 7 · Reading the curves
#
# Training loss per step (noisy: each batch is different) and validation loss every 25 steps, with the
# unigram baseline as a dashed line; on the right, validation perplexity against the unigram's.

# %%
import matplotlib.pyplot as plt

from nlpcourse import plots

loss_ax, ppl_ax = plots.training_curves(history, metric="eval_perplexity")
loss_ax.axhline(unigram_val, ls="--", color="gray", label="unigram (validation)")
loss_ax.legend()
ppl_ax.axhline(math.exp(unigram_val), ls="--", color="gray", label="unigram")
ppl_ax.set_yscale("log")
ppl_ax.legend()
plt.show()

# %% [markdown]
# Both claims of this section, checked: the training loss (the mean of the last 10 steps, to smooth the
# noise) ends well below the unigram's cross-entropy on the same training text, and so does the
# validation loss on text the model never saw, by at least 0.3 nats (a perplexity 26% lower). The model
# has learned something about which token follows which, beyond their frequencies.

# %%
import numpy as np

train_losses = [row["loss"] for row in history if "loss" in row]
val_losses = [row["eval_loss"] for row in history if "eval_loss" in row]
final_train = float(np.mean(train_losses[-10:]))
final_val = val_losses[-1]
MARGIN = 0.3  # nats
print(f"training loss {final_train:.3f} vs unigram {unigram_train:.3f}; validation loss {final_val:.3f} vs "
      f"unigram {unigram_val:.3f}; perplexity {math.exp(final_val):.0f} vs {math.exp(unigram_val):.0f}")
assert final_train < unigram_train - MARGIN
assert final_val < unigram_val - MARGIN
assert math.exp(final_val) < math.exp(unigram_val)

# %% [markdown]
# The schedule and the clipping, step by step: the learning rate warms up for 20 steps and decays to
# zero; the gradient norm (measured before clipping) is largest early on, where clipping caps it at 1.0.

# %%
fig, (lr_ax, norm_ax) = plt.subplots(1, 2, figsize=(11, 3))
lr_ax.plot(range(1, STEPS + 1), lrs)
lr_ax.set(xlabel="training step", ylabel="learning rate", title="Warm-up, then cosine decay")
norm_ax.plot(range(1, STEPS + 1), grad_norms)
norm_ax.axhline(1.0, ls="--", color="gray", label="clipped to 1.0")
norm_ax.set(xlabel="training step", ylabel="gradient norm", title="Gradient norm before clipping")
norm_ax.legend()
plt.show()
assert max(lrs) == lrs[STEPS // 10] and math.isclose(max(lrs), PEAK_LR)
assert lrs[-1] < PEAK_LR / 100

# %% [markdown]
# ## 8 · What the model writes, as it learns
#
# The same seeded sample from the prompt "The" after 0, 50, 100 and 200 steps. At step 0 the model strings
# random tokens together; then frequent words appear, then short runs of words that often follow each
# other, with punctuation, ending a sentence and a paragraph. A model this small, trained for a minute or
# two on 50,000 tokens, does not get much further: GPT-2 small has almost 190 times more parameters and
# was trained on 40 GB of text.

# %%
for at, text in samples.items():
    print(f"step {at:>3}: {text!r}")

# %% [markdown]
# One way to put a number on "better": the share of the words in the samples that occur anywhere in the
# training text. Counted over 8 samples from the untrained model (same configuration, same seed) and 8
# from the trained one:

# %%
import re

known_words = set(re.findall(r"[a-z]+", " ".join(train_paragraphs).lower()))


def known_share(model, n=8):
    continuations = [text[len(PROMPT):] for text in sample(model, n)]
    found = re.findall(r"[a-z]+", " ".join(continuations).lower())
    return sum(w in known_words for w in found) / len(found)


torch.manual_seed(env.seed)
untrained_share = known_share(GPT2LMHeadModel(config).to(env.device))
trained_share = known_share(model)
print(f"words found in the training text: untrained model {untrained_share:.0%}, trained {trained_share:.0%}")
assert trained_share > untrained_share + 0.15

# %% [markdown]
# ## 9 · Overfitting, on purpose
#
# Give the same model far too little data and it memorises. The run below trains a fresh copy on just 8
# windows (512 tokens, 1% of the training text), all of them in every step, for 40 steps at a constant
# learning rate, and scores the held-out text every 4 steps. Training loss heads for zero; validation loss
# improves briefly (the model picks up a few frequent tokens), then rises: everything it learns from now
# on is about those 512 tokens, not about English. With the full training text the model above saw each
# window only about 4 times, too few to memorise.

# %%
OVERFIT_STEPS, OVERFIT_EVERY = 40, 4
tiny = train_windows[:8].to(env.device)
held_out = val_windows[:32]
torch.manual_seed(env.seed)
overfit_model = GPT2LMHeadModel(config).to(env.device)
overfit_opt = torch.optim.AdamW(overfit_model.parameters(), lr=PEAK_LR, weight_decay=0.1)
overfit_scaler = torch.amp.GradScaler(device_type, enabled=precision.fp16)
overfit_history = []
for step in tqdm(range(1, OVERFIT_STEPS + 1), desc="overfitting"):
    with autocast():
        loss = overfit_model(input_ids=tiny, labels=tiny).loss
    overfit_scaler.scale(loss).backward()
    overfit_scaler.unscale_(overfit_opt)
    torch.nn.utils.clip_grad_norm_(overfit_model.parameters(), 1.0)
    overfit_scaler.step(overfit_opt)
    overfit_scaler.update()
    overfit_opt.zero_grad(set_to_none=True)
    overfit_history.append({"step": step, "loss": loss.item()})
    if step % OVERFIT_EVERY == 0:
        overfit_history.append({"step": step, "eval_loss": validation_loss(overfit_model, held_out)})

# %%
over_train = [row["loss"] for row in overfit_history if "loss" in row]
over_val = [row["eval_loss"] for row in overfit_history if "eval_loss" in row]
best = int(np.argmin(over_val))
loss_ax, _ = plots.training_curves(overfit_history, metric="eval_loss")
loss_ax.set_title("8 windows, 40 steps: memorising")
plt.show()
print(f"training loss {over_train[0]:.2f} -> {over_train[-1]:.2f}; validation loss lowest "
      f"{over_val[best]:.2f} at step {(best + 1) * OVERFIT_EVERY}, then {over_val[-1]:.2f} at the end")
OVERFIT_MARGIN = 0.5  # nats; the course's runs rose by 1.5 or more
assert over_train[-1] < over_train[0] - 3  # the 512 tokens are learned by heart
assert over_val[-1] > min(over_val) + OVERFIT_MARGIN  # while held-out text gets worse
assert over_val[-1] > over_val[0]

# %% [markdown]
# The cures are the ones pre-training relies on: much more data than parameters can memorise, few epochs
# (large runs see most text once), weight decay, and watching the validation loss to stop in time.

# %% [markdown]
# ## 10 · The bill: compute as 6 x parameters x tokens
#
# Training a Transformer costs about **6 floating-point operations per parameter per token**: 2 for the
# forward pass (a multiply and an add per weight) and about 4 for the backward pass (one product for the
# gradient of the inputs, one for that of the weights; Kaplan et al., 2020, who also leave out the
# smaller cost of attention over the context). So a run costs $C \approx 6 N D$ for $N$ parameters and
# $D$ training tokens.
#
# Which parameters $N$ counts matters for a model as small as ours. Kaplan et al. count only the
# parameters outside the embedding tables, and leave the output layer's product out of $C$ as well: at
# their sizes both are small. Here the token table holds 39% of the parameters, and since the output
# layer is tied to it, that same matrix is multiplied with the hidden state of every position ($2Vd$
# operations per token in the forward pass): real compute. So this notebook's $N$ is `n_params`, every
# parameter counted once, the tied token table included; the position table, a lookup with no product,
# is counted although it costs nothing (1% of $N$).
#
# A rule of thumb deserves a check that does not use it. PyTorch's `FlopCounterMode` counts the
# operations of every matrix product one training step really runs, forward and backward, from the
# shapes it sees:

# %%
from torch.utils.flop_counter import FlopCounterMode

step_batch = train_windows[:BATCH_SIZE].to(env.device)
counter = FlopCounterMode(display=False)
with counter:
    model(input_ids=step_batch, labels=step_batch).loss.backward()
model.zero_grad(set_to_none=True)  # the gradients were only needed for the count
counted = counter.get_total_flops()
rule = 6 * n_params * step_batch.numel()
non_embedding = n_params - (config.vocab_size + config.n_positions) * config.n_embd
print(f"one step on {step_batch.numel():,} tokens: {counted:.4g} FLOPs counted, 6ND = {rule:.4g} "
      f"(ratio {counted / rule:.3f}); with Kaplan's non-embedding N ({non_embedding:,}): "
      f"{6 * non_embedding * step_batch.numel():.4g}")
assert abs(counted / rule - 1) < 0.1
assert counted > 1.5 * 6 * non_embedding * step_batch.numel()

# %% [markdown]
# The count and the rule agree within a few percent: the attention products, which the rule leaves out,
# add about as much as the position table and the biases, which it counts but never multiplies. Counting
# only the non-embedding parameters would miss more than a third of this model's compute.
#
# The other runs in the table below are those the papers publish:
#
# - **GPT-2** (Radford et al., 2019): four sizes, of which the largest has 1.5 billion parameters (the
#   paper's table says 1,542M); the smallest is listed as 117M, and the released checkpoint counts
#   124,439,808, which the formula above gives for `GPT2Config()`'s default sizes. The paper describes its
#   data (WebText: a little over 8 million documents, 40 GB of text) but not how many tokens training
#   used, so its compute cannot be filled in from the paper.
# - **BERT** (Devlin et al., 2019): BERT-base 110M and BERT-large 340M parameters, both pre-trained for
#   1,000,000 steps of 256 sequences of up to 512 tokens ("128,000 tokens/batch", with 90% of the steps
#   on sequences of 128), so at most 128 billion tokens.
# - **GPT-3** (Brown et al., 2020): 175 billion parameters trained on 300 billion tokens. The paper
#   reports 3.14e23 FLOPs for it, but that figure is not a measurement: its Appendix D computes it with
#   the same rule (6 operations per parameter per token, attention left out). It cannot confirm 6ND;
#   the count above can.

# %%
gpt2_small = GPT2Config()  # default sizes = GPT-2 small; building only the config downloads nothing
gpt2_small_n = gpt2_params(gpt2_small.vocab_size, gpt2_small.n_positions, gpt2_small.n_embd,
                           gpt2_small.n_layer)
achieved = 6 * n_params * tokens_seen / train_seconds  # FLOP/s reached in our run
runs = {  # name: (parameters, training tokens or None where the paper does not say)
    "this notebook": (n_params, tokens_seen),
    "GPT-2 small": (gpt2_small_n, None),
    "BERT-base": (110e6, 128e9),
    "BERT-large": (340e6, 128e9),
    "GPT-3": (175e9, 300e9),
}
rows = {}
for name, (n, d) in runs.items():
    flops = 6 * n * d if d else float("nan")
    rows[name] = {"parameters": n, "tokens": d or float("nan"), "FLOPs (6ND)": flops,
                  "FLOPs per token": 6 * n, "years at our speed": flops / achieved / (365 * 24 * 3600)}
cost = pd.DataFrame(rows).T
assert gpt2_small_n == 124_439_808
print(f"our run: {achieved / 1e9:.1f} GFLOP/s on {env.device}")
cost.style.format("{:.3g}")

# %% [markdown]
# What to notice:
#
# - The last column divides each bill by the speed this notebook reached: GPT-3 comes to centuries at
#   the very least, on a CPU to hundreds of thousands of years. Such a run happens once, on a cluster of
#   thousands of GPUs, and its checkpoint is then shared: this is why chapter 06 *fine-tunes* a
#   pre-trained model for minutes instead of pre-training one.
# - The BERT entries are upper bounds: 90% of their steps used sequences of 128 tokens, not 512.
# - Per token, GPT-2 small costs about 190 times what our model costs (the ratio of the parameter counts);
#   its context is 16 times longer too, which adds attention work the rule leaves out.

# %%
ratio = gpt2_small_n / n_params
print(f"GPT-2 small: {ratio:.0f} times our parameters, so {ratio:.0f} times the compute per token")
assert 150 < ratio < 250
assert cost.loc["GPT-3", "years at our speed"] > 100

# %% [markdown]
# ## 11 · Save, reload, generate: your model as a checkpoint
#
# `save_pretrained` writes the configuration and the weights (safetensors); the tokenizer saves its own
# files beside them. The course keeps trained models under `nlpcourse.paths.models_dir()` (chapter 06
# explains where that is). From then on the folder works like a Hub id: `AutoTokenizer` and
# `AutoModelForCausalLM` read the configuration to pick the classes, and `generate()` continues a prompt.

# %%
from transformers import AutoModelForCausalLM, AutoTokenizer

from nlpcourse.paths import models_dir

model_dir = models_dir() / "gpt-course-corpus"
model.save_pretrained(model_dir)
tokenizer.save_pretrained(model_dir)
reloaded = AutoModelForCausalLM.from_pretrained(model_dir).to(env.device).eval()
reloaded_tokenizer = AutoTokenizer.from_pretrained(model_dir)
assert type(reloaded) is GPT2LMHeadModel
assert reloaded_tokenizer("The model")["input_ids"] == tokenizer("The model")["input_ids"]
print(model_dir, sorted(p.name for p in model_dir.iterdir()))

# %% [markdown]
# Same weights, same predictions: the logits on validation windows agree (to float tolerance), and
# greedy decoding (always the most likely token) gives the same continuation.

# %%
model.eval()
check = val_windows[:4].to(env.device)
with torch.no_grad():
    assert torch.allclose(model(check).logits, reloaded(check).logits, atol=1e-5)
encoded = reloaded_tokenizer("The model", return_tensors="pt").to(env.device)
greedy = reloaded.generate(**encoded, max_new_tokens=20, do_sample=False,
                           pad_token_id=reloaded_tokenizer.eos_token_id)
original = model.generate(**encoded, max_new_tokens=20, do_sample=False, pad_token_id=tokenizer.eos_token_id)
assert greedy.tolist() == original.tolist()
reloaded_tokenizer.decode(greedy[0])

# %% [markdown]
# ## Summary
#
# - A causal language model learns from next-token targets: the targets are the inputs shifted by one, and
#   teacher forcing scores every position of a window in one forward pass; `labels=input_ids` does the
#   shift inside a `transformers` model.
# - An untrained model's loss is about $\ln V$; a unigram model sets the first real baseline. Ours ended
#   below the unigram's cross-entropy on training and on held-out text.
# - The loop: shuffled batches, AdamW, warm-up then cosine decay, `clip_grad_norm_`, `torch.autocast` (and
#   a `GradScaler` for fp16) on a GPU, validation with gradients off, and a progress bar.
# - Overfitting shows as training loss falling while validation loss rises; data, few epochs, weight decay
#   and early stopping keep it away.
# - Parameters follow from the configuration ($Vd + Pd + L(12d^2 + 13d) + 2d$ for GPT-2); compute is about
#   $6ND$. GPT-3's 3e23 FLOPs are why pre-training happens once and fine-tuning everywhere else.
# - `save_pretrained` and `from_pretrained` make your model a checkpoint like any other.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to fill in (replace the `...`) and a checker that tells you what is off.
#
# **1 (easy).** Write `next_token_pairs(ids)` that returns the inputs and the targets for teacher forcing
# on one sequence of token ids, as a pair of lists `(inputs, targets)`.

# %%
from nlpcourse.exercises.ch08 import (
    LEARNING_RATES,
    check_context_params,
    check_cross_entropy,
    check_diverging_lr,
    check_next_token_pairs,
    check_unigram_perplexity,
    lr_trial,
)


def next_token_pairs(ids):
    ...  # return (inputs, targets)


check_next_token_pairs(next_token_pairs)


# %% tags=["solution"]
def next_token_pairs(ids):
    return list(ids[:-1]), list(ids[1:])


assert check_next_token_pairs(next_token_pairs)

# %% [markdown]
# **2 (easy).** A model gave these logits to the 4 tokens of a tiny vocabulary; the true next token is
# id 2. Compute the cross-entropy loss of this one prediction by hand (softmax, then minus the log of
# the true token's probability) with `math` or plain `torch` operations, not `F.cross_entropy`.

# %%
exercise_logits = [2.0, 0.5, 1.0, -1.0]
exercise_target = 2
answer = ...
check_cross_entropy(answer, exercise_logits, exercise_target)

# %% tags=["solution"]
log_sum = math.log(sum(math.exp(z) for z in exercise_logits))
answer = log_sum - exercise_logits[exercise_target]
assert check_cross_entropy(answer, exercise_logits, exercise_target)

# %% [markdown]
# **3 (medium).** A unigram model is trained on `train_ids` (vocabulary of 5 tokens, add-one smoothing:
# each token's count plus 1, divided by the total). What is its perplexity on `test_ids`?

# %%
train_ids = [0, 1, 1, 2, 2, 2, 3, 0, 2, 1]
test_ids = [2, 1, 4, 2, 0]
answer = ...
check_unigram_perplexity(answer, train_ids, test_ids, vocab_size=5)

# %% tags=["solution"]
unigram_counts = [train_ids.count(i) + 1 for i in range(5)]
probs = [c / sum(unigram_counts) for c in unigram_counts]
answer = math.exp(-sum(math.log(probs[i]) for i in test_ids) / len(test_ids))
assert check_unigram_perplexity(answer, train_ids, test_ids, vocab_size=5)

# %% [markdown]
# **4 (medium).** Predict, without building the model, how many parameters our `config` gains when the
# context grows from 64 to 256 positions (`n_positions=256`, everything else the same). Then think: what
# would the change be for a Llama-style model, whose rotary position encoding has no weights?

# %%
answer = ...
check_context_params(answer, config, 256)

# %% tags=["solution"]
answer = (256 - config.n_positions) * config.n_embd  # one learned row of n_embd numbers per position
assert check_context_params(answer, config, 256)

# %% [markdown]
# **5 (stretch).** `lr_trial(lr)` trains a tiny GPT-2 for 20 steps with AdamW at the learning rate `lr`
# (no warm-up, no clipping) and returns the losses. Try the rates in `LEARNING_RATES` and find the
# **smallest one that diverges**: its last loss is not below its first (or is not a number). Plot a few
# runs to see what divergence looks like.

# %%
print(LEARNING_RATES)
answer = ...
check_diverging_lr(answer)

# %% tags=["solution"]
trials = {lr: lr_trial(lr) for lr in LEARNING_RATES}
answer = next(lr for lr, losses in trials.items() if not losses[-1] < losses[0])
for lr, losses in trials.items():
    plt.plot(losses, label=f"lr {lr:g}")
plt.gca().set(xlabel="step", ylabel="loss", yscale="log", title="Learning rate trials")
plt.legend(fontsize=7)
plt.show()
assert check_diverging_lr(answer)

# %% [markdown]
# ## Further reading
#
# - Hugging Face LLM course, "Training a causal language model from scratch":
#   https://huggingface.co/learn/llm-course/chapter7/6
# - The `tokenizers` library, training a byte-level BPE: https://huggingface.co/docs/tokenizers/quicktour
# - GPT-2 in Transformers (`GPT2Config`, `GPT2LMHeadModel`): https://huggingface.co/docs/transformers/model_doc/gpt2
# - Generation (`generate()`, sampling, greedy decoding): https://huggingface.co/docs/transformers/generation_strategies
# - PyTorch automatic mixed precision (`torch.autocast`, `GradScaler`): https://pytorch.org/docs/stable/amp.html
# - Radford et al. (2019), Language Models are Unsupervised Multitask Learners (GPT-2):
#   https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf
# - Devlin et al. (2019), BERT: https://arxiv.org/abs/1810.04805
# - Brown et al. (2020), Language Models are Few-Shot Learners (GPT-3): https://arxiv.org/abs/2005.14165
# - Kaplan et al. (2020), Scaling Laws for Neural Language Models (the 6ND rule): https://arxiv.org/abs/2001.08361
# - Loshchilov and Hutter (2019), Decoupled Weight Decay Regularization (AdamW): https://arxiv.org/abs/1711.05101
# - Sebastian Raschka (2024), Build a Large Language Model (From Scratch), chapter 5 (pre-training):
#   https://github.com/rasbt/LLMs-from-scratch
