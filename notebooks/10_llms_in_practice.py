# %% [markdown]
# # 10 · Large language models in practice: chat templates, decoding and prompting
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/10_llms_in_practice.ipynb
#
# Most people meet language models as chat assistants: you write a message, the model answers and stops.
# Under the hood it is the same next-token predictor as in chapters 03 and 04, plus three things this
# notebook takes apart: instruction tuning, which teaches a base model to answer rather than continue; the
# chat template, which turns a list of messages into the exact tokens the model was tuned on; and the
# decoding settings that pick the reply's tokens. Then it measures what prompting alone can do on the
# course reviews, next to the classifiers of earlier chapters, and what it costs.
#
# **You will learn**
# - what instruction tuning changes, by running a base and an instruct model on the same prompt;
# - how `apply_chat_template` builds a prompt: roles, the system prompt, `add_generation_prompt`,
#   multi-turn history, and what goes wrong without it;
# - decoding: greedy, beam search, temperature, top-k, top-p, repetition penalty, `max_new_tokens`, stop
#   strings, `GenerationConfig` and streaming, each with the next-token distribution it reshapes;
# - zero-, one- and few-shot prompting measured on the test split, with replies parsed into labels;
# - summarization, translation and JSON output by prompt, scored and validated;
# - the cost and limits: tokens per second, the key/value cache, the context window, made-up answers.
#
# **Prerequisites:** 03 (pipelines, text generation), 04 (logits and a greedy loop); 06 and 07 for the
# comparisons and metrics.
#
# **On a CPU** the notebook scores a stratified sample of the test reviews and a few articles and
# sentences, and says so when it starts; a GPU scores the whole test split. The checkpoints are
# `HuggingFaceTB/SmolLM2-135M` and `-Instruct`: 135 M parameters each, 270 MB of bf16 weights.
#
# **Runtime:** about 90 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 3.0 GB; on a GPU not measured yet. **Download:** 1.1 GB the first time, or ahead with
# `python -m nlpcourse download 10`.

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
# ## 1. Two checkpoints: a base model and its instruct version
#
# SmolLM2-135M is a base model: it was trained to continue text. SmolLM2-135M-Instruct starts from the same
# weights and was trained further on conversations (supervised fine-tuning on instructions and answers,
# then preference tuning). Same architecture, same tokenizer vocabulary, different weights.

# %% [markdown]
# Both checkpoints store their weights in bfloat16 (bf16), and `from_pretrained` loads a checkpoint in the
# precision of its files unless told otherwise. That is not always the fastest choice: most laptop CPUs
# and older GPUs (Colab's T4) have no bf16 arithmetic and emulate it. `nlpcourse.choose_dtype` picks the
# precision for your device and says why; section 7 measures what the wrong choice costs.

# %%
import pandas as pd
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from nlpcourse.registry import get_checkpoint

BASE_ID = "HuggingFaceTB/SmolLM2-135M"
CHAT_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
precision = nlpcourse.choose_dtype(env.device)
print(f"loading in {precision.name}: {precision.reason}")
base_tok = AutoTokenizer.from_pretrained(BASE_ID)
base_model = AutoModelForCausalLM.from_pretrained(BASE_ID, dtype=precision.dtype).to(env.device).eval()
chat_tok = AutoTokenizer.from_pretrained(CHAT_ID)
chat_model = AutoModelForCausalLM.from_pretrained(CHAT_ID, dtype=precision.dtype).to(env.device).eval()
assert chat_model.dtype == precision.dtype
assert type(base_model) is type(chat_model)  # the same architecture, LlamaForCausalLM
assert base_tok.get_vocab() == chat_tok.get_vocab()  # the same tokens, with the same ids
n_params = sum(p.numel() for p in chat_model.parameters())
print(f"{type(chat_model).__name__}, {n_params / 1e6:.1f} M parameters; vocabulary {len(chat_tok):,} tokens; "
      f"download {get_checkpoint(CHAT_ID).size_mb} MB each")

# %% [markdown]
# The first visible change is the token that ends a reply. The base model's end-of-sequence token is
# `<|endoftext|>`, the end of a document; the instruct model's is `<|im_end|>`, the end of a chat turn,
# and `generate()` stops there by default (it reads `eos_token_id` from the model's generation config).
# The base model has no chat template at all: nothing in its training told it what a turn is.

# %%
assert base_tok.eos_token == "<|endoftext|>" and base_tok.chat_template is None
assert chat_tok.eos_token == "<|im_end|>" and chat_tok.chat_template is not None
eos_ids = chat_model.generation_config.eos_token_id  # an int, or a list of ids that each end a reply
eos_ids = eos_ids if isinstance(eos_ids, list) else [eos_ids]
assert chat_tok.convert_tokens_to_ids("<|im_end|>") in eos_ids
{"base eos": base_tok.eos_token, "instruct eos": chat_tok.eos_token,
 "instruct generation config eos ids": eos_ids}

# %% [markdown]
# Instruction tuning is fine-tuning: SmolLM2-135M-Instruct starts from the base model's weights and was
# trained further, first by supervised fine-tuning on conversations, then by preference optimisation
# (DPO), as its model card describes. Chapter 11 does the first of these steps on a small scale.

# %% [markdown]
# Now the same request to both. The base model gets the plain text; the instruct model gets it as a chat
# message through its chat template (section 2 takes the template apart). Greedy decoding, so both replies
# are repeatable.

# %% tags=["quality"]
request = ("Is the sentiment of this review positive or negative? Answer with one word: positive or "
           "negative.\n\nReview: We waited an hour for our food, and it arrived cold.")


def generate_text(model, tok, inputs, max_new_tokens=12, **settings):
    """Generate from tokenized inputs; return the new tokens' ids and their text."""
    inputs = inputs.to(env.device)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, pad_token_id=tok.pad_token_id
                             or tok.eos_token_id, **{"do_sample": False, **settings})
    new = out[0, inputs["input_ids"].shape[1]:]
    return new, tok.decode(new, skip_special_tokens=True)


base_new, base_reply = generate_text(base_model, base_tok, base_tok(request, return_tensors="pt"))
chat_inputs = chat_tok.apply_chat_template([{"role": "user", "content": request}], add_generation_prompt=True,
                                           return_tensors="pt")
chat_new, chat_reply = generate_text(chat_model, chat_tok, chat_inputs)
assert len(base_new) <= 12 and len(chat_new) <= 12
assert chat_new[-1].item() == chat_tok.eos_token_id  # the instruct model ended its turn
print("base:    ", repr(base_reply))
print("instruct:", repr(chat_reply), "| stopped at <|im_end|>:", chat_new[-1].item() == chat_tok.eos_token_id)

# %% [markdown]
# What to notice: the base model was never trained on turns, so whatever it writes continues the
# document. The instruct model answers and closes its turn with `<|im_end|>`: that much instruction tuning
# reliably teaches even a model this small. Whether the answer is right is another matter, which section 4
# measures.

# %% [markdown]
# ## 2. Chat templates
#
# A chat is a list of messages, each a dict with a `role` (`system`, `user`, `assistant`) and `content`.
# The model never sees that list: the tokenizer's chat template, a small Jinja program stored in
# `tokenizer_config.json`, turns it into one string with special tokens around each turn. SmolLM2 uses
# ChatML: `<|im_start|>role\n ... <|im_end|>\n`.

# %%
messages = [{"role": "user", "content": "Translate into French: Could we have the bill, please?"}]
prompt_text = chat_tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
print(prompt_text)

# %% [markdown]
# Three things were added that the messages did not contain:
#
# - a **default system prompt** ("You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
#   because the list has no system message: the template inserts it;
# - the ChatML markers around the user turn;
# - with `add_generation_prompt=True`, the opening of the assistant's turn, `<|im_start|>assistant\n`, so
#   the model's next tokens are the answer.

# %%
default_system = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                  "<|im_end|>\n")
by_hand = (default_system + "<|im_start|>user\n" + messages[0]["content"] + "<|im_end|>\n"
           + "<|im_start|>assistant\n")
assert prompt_text == by_hand
without = chat_tok.apply_chat_template(messages, add_generation_prompt=False, tokenize=False)
assert prompt_text == without + "<|im_start|>assistant\n"

# %% [markdown]
# With the default `tokenize=True` it returns the tokens directly (in transformers 5, as a dict with
# `input_ids` and `attention_mask`, ready for `generate(**inputs)`; older tutorials get a plain list or
# tensor). The markers are single special tokens, not pieces of text:

# %%
encoded = chat_tok.apply_chat_template(messages, add_generation_prompt=True)
ids = encoded["input_ids"]
assert ids == chat_tok(prompt_text, add_special_tokens=False)["input_ids"]
im_start, im_end = chat_tok.convert_tokens_to_ids(["<|im_start|>", "<|im_end|>"])
assert ids[0] == im_start and ids.count(im_start) == 3 and ids.count(im_end) == 2
print(len(ids), "tokens:", chat_tok.convert_ids_to_tokens(ids)[:8], "...")

# %% [markdown]
# **A system prompt of your own** replaces the default one. **Multi-turn history** is just a longer list:
# earlier user and assistant turns, then the new user message. The model sees the whole history every time,
# so each turn of a chat costs more tokens than the one before.

# %%
chat = [
    {"role": "system", "content": "You are a travel assistant. Answer in one short sentence."},
    {"role": "user", "content": "Translate into French: The museum opens again on Tuesday."},
    {"role": "assistant", "content": "Le musée rouvre mardi."},
    {"role": "user", "content": "Translate into French: Could we have the bill, please?"},
]
chat_text = chat_tok.apply_chat_template(chat, add_generation_prompt=True, tokenize=False)
assert "named SmolLM" not in chat_text  # our system prompt replaced the default
assert chat_text.count("<|im_start|>") == len(chat) + 1  # every message, plus the generation prompt
turn_lengths = [len(chat_tok.apply_chat_template(chat[:n], tokenize=False)) for n in (2, 3, 4)]
assert turn_lengths == sorted(turn_lengths)
print(chat_text)

# %% [markdown]
# **What goes wrong without the template.** Give the instruct model the raw request with no markers, or the
# template without the generation prompt, and it no longer knows that it is its turn to answer: it may
# continue the user's text, start a new user turn, or ramble on without ever producing `<|im_end|>`.

# %%
variants = {
    "chat template": chat_tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt"),
    "no generation prompt": chat_tok.apply_chat_template(messages, add_generation_prompt=False,
                                                        return_tensors="pt"),
    "raw text": chat_tok(messages[0]["content"], return_tensors="pt"),
}
rows = []
for name, inputs in variants.items():
    new, text = generate_text(chat_model, chat_tok, inputs, max_new_tokens=20)
    rows.append({"prompt": name, "reply": chat_tok.decode(new), "ended its turn": im_end in new.tolist()})
assert len(rows) == 3 and all(isinstance(r["reply"], str) for r in rows)
pd.DataFrame(rows)

# %% [markdown]
# The decoded replies above keep the special tokens (`decode` without `skip_special_tokens`), so you can
# see where each one stopped or which turn it started. Without the generation prompt the model has to open
# the assistant's turn itself; with raw text it does not know a turn exists. And a model of 135 M
# parameters translates poorly even with the right prompt (section 5 scores it): the template is necessary,
# not sufficient. Always build chat prompts with `apply_chat_template`: the exact spaces and newlines are
# part of what the model was trained on.

# %% [markdown]
# ### The same chat through `pipeline()`
#
# `pipeline("text-generation")` takes a list of messages as well as a string. It applies the chat template
# with the generation prompt, generates, and returns the conversation with the model's reply appended as
# an `assistant` message. With greedy decoding its reply is the one `generate()` gave.

# %%
from transformers import pipeline

chat_pipe = pipeline("text-generation", model=chat_model, tokenizer=chat_tok)
conversation = chat_pipe(messages, max_new_tokens=20, do_sample=False)[0]["generated_text"]
assert conversation[:-1] == messages and conversation[-1]["role"] == "assistant"
_, by_generate = generate_text(chat_model, chat_tok, variants["chat template"], max_new_tokens=20)
assert conversation[-1]["content"].strip() == by_generate.strip()
conversation[-1]

# %% [markdown]
# **Trying another chat model.** The rest of this notebook works with any checkpoint that has a chat
# template: change `CHAT_ID` and `BASE_ID`. A few checks above state facts about SmolLM2 only, and fail by
# design for another model: its end-of-turn token `<|im_end|>`, the ChatML markers and the default system
# prompt that the by-hand prompt copies. Llama 3 ends a turn with `<|eot_id|>` and marks roles with
# `<|start_header_id|>`; Qwen2.5 uses ChatML with a different default system prompt; Gemma's template has
# no system role. Print the new model's `chat_tok.chat_template` and one rendered prompt, then update those
# lines. The checks that compare two results of the same run (the template against its text, the
# pipeline against `generate()`) hold as they are.

# %% [markdown]
# ## 3. Decoding: how the next token is chosen
#
# `generate()` repeats one step: run the model, get a score (logit) for every token in the vocabulary,
# reshape those scores with the chosen settings, pick a token. The reshaping is done by *logits processors*,
# which `transformers` exposes as classes. We apply them by hand to one next-token distribution and draw it
# before and after each setting.

# %%
from transformers import (
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

story = [{"role": "user", "content": "Write one sentence about a small restaurant by the sea."}]
story_inputs = chat_tok.apply_chat_template(story, add_generation_prompt=True, return_tensors="pt")
story_ids = story_inputs["input_ids"].to(env.device)
with torch.inference_mode():
    logits = chat_model(input_ids=story_ids).logits[:, -1].float().cpu()  # shape (1, vocab)
probs = logits.softmax(-1)[0]
assert logits.shape == (1, chat_model.config.vocab_size)
assert abs(probs.sum().item() - 1) < 1e-4
prompt_ids_cpu = story_ids.cpu()
after = {
    "temperature 0.5": TemperatureLogitsWarper(0.5)(prompt_ids_cpu, logits.clone()),
    "temperature 1.5": TemperatureLogitsWarper(1.5)(prompt_ids_cpu, logits.clone()),
    "top-k 5": TopKLogitsWarper(top_k=5)(prompt_ids_cpu, logits.clone()),
    "top-p 0.8": TopPLogitsWarper(top_p=0.8)(prompt_ids_cpu, logits.clone()),
    "repetition penalty 1.5": RepetitionPenaltyLogitsProcessor(1.5)(prompt_ids_cpu, logits.clone()),
}
after_probs = {name: scores.softmax(-1)[0] for name, scores in after.items()}

# %%
import matplotlib.pyplot as plt
import numpy as np

top = probs.topk(12).indices
labels = [repr(chat_tok.decode([int(i)])) for i in top]
fig, axes = plt.subplots(1, len(after_probs), figsize=(18, 3.6), sharey=True)
for ax, (name, p) in zip(axes, after_probs.items(), strict=True):
    x = np.arange(len(top))
    ax.bar(x - 0.2, probs[top].numpy(), width=0.4, label="before")
    ax.bar(x + 0.2, p[top].numpy(), width=0.4, label="after")
    ax.set_xticks(x, labels=labels, rotation=70, fontsize=7)
    ax.set(title=name, xlabel="candidate next token")
axes[0].set_ylabel("probability")
axes[0].legend()
fig.suptitle("Next-token distribution before and after each setting (12 most likely tokens)")
fig.tight_layout()

# %% [markdown]
# What each one did, stated as checks that hold for any model:
#
# - **temperature** divides the logits: below 1 the favourite gains, above 1 the distribution flattens;
# - **top-k** keeps the k highest-scoring tokens and sets the rest to minus infinity (probability 0);
# - **top-p** (nucleus) keeps the smallest set of most likely tokens whose probability adds up to at least p;
# - **repetition penalty** divides the positive logits (multiplies the negative ones) of every token already
#   in the sequence, here the prompt, and leaves the others alone.

# %%
assert after_probs["temperature 0.5"].max() > probs.max() > after_probs["temperature 1.5"].max()

kept_k = torch.isfinite(after["top-k 5"][0])
kth = logits[0].topk(5).values[-1]
assert torch.equal(kept_k, logits[0] >= kth) and kept_k.sum() >= 5  # exactly 5 unless scores tie

kept_p = torch.isfinite(after["top-p 0.8"][0])
n_kept = int(kept_p.sum())
# the kept tokens are the most likely ones; of tokens with equal scores (bf16 rounds many logits to the
# same value) either may be kept, so compare probabilities rather than positions in a sorted order
assert probs[kept_p].min() >= probs[~kept_p].max()
mass = probs[kept_p].sum().item()
assert mass >= 0.8 - 1e-6 and mass - probs[kept_p].min().item() < 0.8 + 1e-6  # smallest such set

seen = torch.unique(prompt_ids_cpu[0])
penalised = after["repetition penalty 1.5"][0]
expected = torch.where(logits[0, seen] > 0, logits[0, seen] / 1.5, logits[0, seen] * 1.5)
assert torch.allclose(penalised[seen], expected)
others = torch.ones_like(kept_p)
others[seen] = False
# exact on purpose: the penalty copies the scores of unseen tokens unchanged, no arithmetic to round
assert torch.equal(penalised[others], logits[0, others])
print(f"top-k keeps {int(kept_k.sum())} tokens; top-p 0.8 keeps {n_kept} tokens holding {mass:.3f} "
      f"of the probability; the penalty touched {len(seen)} prompt tokens")


# %% [markdown]
# ### The settings in `generate()`
#
# **Greedy** (`do_sample=False`, the default) takes the most likely token at every step: the same reply
# every time. **Beam search** (`num_beams=3`) keeps the three best partial replies at each step and returns
# the one with the highest total log-probability (normalized by length); it suits tasks with one right
# answer (translation) more than open-ended chat.

# %%
def continuation_logprob(new_ids):
    """Total log-probability the model gives to new_ids after the story prompt."""
    full = torch.cat([story_ids[0], new_ids.to(env.device)])[None]
    with torch.inference_mode():
        logp = chat_model(input_ids=full).logits[0, :-1].float().log_softmax(-1)
    start = story_ids.shape[1] - 1
    return logp[start:].gather(-1, full[0, 1:, None][start:]).sum().item()


greedy_new, greedy_text = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=20)
again_new, _ = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=20)
assert torch.equal(greedy_new, again_new)  # greedy decoding is repeatable
beam_new, beam_text = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=20, num_beams=3)
pd.DataFrame({"reply": [greedy_text, beam_text],
              "log-probability": [continuation_logprob(greedy_new), continuation_logprob(beam_new)],
              "tokens": [len(greedy_new), len(beam_new)]}, index=["greedy", "beam search (3 beams)"])

# %% [markdown]
# **Sampling** (`do_sample=True`) draws the next token at random from the reshaped distribution, so replies
# vary; `temperature`, `top_k` and `top_p` are the reshaping above. A draw is repeatable only with the seed
# fixed right before the call. **`repetition_penalty`** above 1 discourages tokens already in the text.

# %%
from transformers import set_seed

sampling = dict(do_sample=True, temperature=0.8, top_k=50, top_p=0.9, max_new_tokens=20)
set_seed(env.seed)
sample_a = generate_text(chat_model, chat_tok, story_inputs, **sampling)[1]
set_seed(env.seed)
sample_b = generate_text(chat_model, chat_tok, story_inputs, **sampling)[1]
assert sample_a == sample_b
draws = {}
for temperature in (0.3, 1.0, 1.6):
    set_seed(env.seed)
    draws[f"temperature {temperature}"] = generate_text(chat_model, chat_tok, story_inputs, **{
        **sampling, "temperature": temperature})[1]
for penalty in (1.0, 1.5):
    new, text = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=20,
                              repetition_penalty=penalty)
    distinct = f"[{len(set(new.tolist()))}/{len(new)} distinct tokens]"
    draws[f"greedy, repetition penalty {penalty}"] = f"{text}  {distinct}"
pd.Series(draws, name="reply").to_frame()

# %% [markdown]
# **Where a reply stops.** `max_new_tokens` caps the new tokens (the prompt does not count); the model's
# end-of-turn token stops it earlier; **`stop_strings`** stop it as soon as the text ends with one of the
# given strings. Stop strings are matched on text, so `generate` needs the tokenizer: pass `tokenizer=`.

# %%
capped, _ = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=5)
assert len(capped) <= 5
stopped, stopped_text = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=30,
                                      stop_strings=[".", "!"], tokenizer=chat_tok)
assert len(stopped) == 30 or stopped[-1].item() == im_end or any(s in stopped_text for s in ".!")
print(f"{len(stopped)} new tokens: {stopped_text!r}")

# %% [markdown]
# **`GenerationConfig`** bundles the settings in one object. Every checkpoint ships one
# (`generation_config.json`, loaded as `model.generation_config`) with its defaults, such as the tokens
# that end a reply; a config you pass to `generate()` overrides them for that call, and you can save it
# next to your model.

# %%
from transformers import GenerationConfig

print(chat_model.generation_config)
chat_settings = GenerationConfig(max_new_tokens=24, do_sample=True, temperature=0.7, top_k=50, top_p=0.9,
                                 repetition_penalty=1.1, eos_token_id=im_end,
                                 pad_token_id=chat_tok.pad_token_id)
chat_settings.validate()
set_seed(env.seed)
with torch.inference_mode():
    configured = chat_model.generate(**story_inputs.to(env.device), generation_config=chat_settings)
n_configured = configured.shape[1] - story_ids.shape[1]
assert 0 < n_configured <= chat_settings.max_new_tokens
chat_tok.decode(configured[0, story_ids.shape[1]:], skip_special_tokens=True)

# %% [markdown]
# **Streaming.** A chat interface shows the reply while it is generated. `TextStreamer` prints each piece
# of text as soon as it is complete; `TextIteratorStreamer` hands the pieces to your code instead, while
# `generate` runs in a background thread (how web demos stream).

# %%
from threading import Thread

from transformers import TextIteratorStreamer, TextStreamer

streamer = TextStreamer(chat_tok, skip_prompt=True, skip_special_tokens=True)
_ = generate_text(chat_model, chat_tok, story_inputs, max_new_tokens=20, streamer=streamer)

iterator = TextIteratorStreamer(chat_tok, skip_prompt=True, skip_special_tokens=True)
worker = Thread(target=generate_text, args=(chat_model, chat_tok, story_inputs),
                kwargs={"max_new_tokens": 20, "streamer": iterator})
worker.start()
pieces = [piece for piece in iterator]
worker.join()
assert "".join(pieces).strip() == greedy_text.strip()  # the same greedy reply, delivered in pieces
pieces

# %% [markdown]
# ## 4. Prompting instead of training: sentiment in zero, one and few shots
#
# In chapter 06 a model learned sentiment from the labelled training reviews. A chat model can be asked
# instead: **zero-shot** (only the instruction), **one-shot** (one solved example first) or **few-shot**
# (several). The examples go in as earlier chat turns: a user message with a review, the assistant's
# one-word answer. We measure accuracy on the reviews' test split.

# %%
from nlpcourse.data import load_reviews

reviews = load_reviews()
label_names = reviews["train"].features["label"].names
test = reviews["test"]
if env.device == "cpu":
    test = test.train_test_split(train_size=24, stratify_by_column="label", seed=env.seed)["train"]
    print(f"CPU plan: a stratified sample of {len(test)} of the {len(reviews['test'])} test reviews, so "
          "that each prompting setting takes under a minute (a GPU scores all of them)")
y_test = np.array(test["label"])
assert 2 * y_test.sum() == len(y_test)

INSTRUCTION = ("Is the sentiment of this review positive or negative? Answer with one word: positive or "
               "negative.")


def ask(text):
    return {"role": "user", "content": f"{INSTRUCTION}\n\nReview: {text}"}


def few_shot(examples, text):
    """The examples as earlier turns (review, then its label), then the review to classify."""
    turns = []
    for example in examples:
        turns += [ask(example["text"]), {"role": "assistant", "content": label_names[example["label"]]}]
    return turns + [ask(text)]


train = reviews["train"].shuffle(seed=env.seed)
negatives = [r for r in train.select(range(40)) if r["label"] == 0 and not r["hard"]][:2]
positives = [r for r in train.select(range(40)) if r["label"] == 1 and not r["hard"]][:2]
shots = [negatives[0], positives[0], negatives[1], positives[1]]
assert [label_names[s["label"]] for s in shots] == ["negative", "positive", "negative", "positive"]
few_shot(shots[:1], "An example review.")

# %% [markdown]
# The model answers in words, so the replies must be **parsed** into labels. `clean_reply` from
# `nlpcourse.generation` (chapter 03) tidies the reply; then we look for the label words. A reply with
# neither word, or with both ("positive or negative?"), is **unparseable**: it counts as wrong, and we
# report how often it happens. (The parser is simple on purpose: "not positive" would still read as
# positive.)

# %%
import re

from nlpcourse.generation import clean_reply

LABEL_WORD = re.compile(r"\b(positive|negative)\b", re.IGNORECASE)


def parse_label(reply):
    """The label id a reply names, or None if it names neither label or both."""
    found = {word.lower() for word in LABEL_WORD.findall(clean_reply(reply, cut_unfinished=False))}
    return label_names.index(found.pop()) if len(found) == 1 else None


assert parse_label("Positive") == 1 and parse_label("  NEGATIVE!\n") == 0
assert parse_label("The review is negative.") == 0
assert parse_label("positive or negative") is None and parse_label("") is None
assert parse_label("It is a good restaurant.") is None

# %% [markdown]
# One helper generates replies for many chats at once: the prompts are padded on the left (a causal model
# continues from the last position, so the padding must come first) and decoded without the special tokens.
# Greedy decoding gives the same reply to the same chat every time, so the helper keeps each reply in
# `reply_cache` and never pays twice for a prompt: the few-shot prompts below are long, and on a CPU each
# batch of them takes seconds. It also notes which replies the token cap cut before `<|im_end|>`.

# %%
import json

chat_tok.padding_side = "left"
BATCH = 16
reply_cache = {}  # (model, max_new_tokens, chat) -> (greedy reply, whether the cap cut it)


def chat_replies(chats, max_new_tokens=5, model=chat_model, tok=chat_tok):
    """Greedy replies to a list of chats (each a list of messages), batch by batch; chats this model has
    answered before come from `reply_cache`."""
    keys = [(id(model), max_new_tokens, json.dumps(chat)) for chat in chats]
    unique = dict(zip(keys, chats, strict=True))  # a chat asked twice in one call is answered once
    todo = [(key, chat) for key, chat in unique.items() if key not in reply_cache]
    todo.sort(key=lambda item: len(item[0][2]))  # similar lengths in a batch: less padding to compute
    for start in range(0, len(todo), BATCH):
        part = todo[start:start + BATCH]
        inputs = tok.apply_chat_template([chat for _, chat in part], add_generation_prompt=True,
                                         padding=True, return_tensors="pt").to(env.device)
        with torch.inference_mode():
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=tok.pad_token_id)
        new = out[:, inputs["input_ids"].shape[1]:]
        cut = [tok.eos_token_id not in row for row in new.tolist()]
        texts = tok.batch_decode(new, skip_special_tokens=True)
        reply_cache.update(zip([key for key, _ in part], zip(texts, cut, strict=True), strict=True))
    return [reply_cache[key][0] for key in keys]


def cut_by_cap(chats, max_new_tokens=5, model=chat_model):
    """How many of these chats' replies (already generated) the token cap cut before `<|im_end|>`."""
    return sum(reply_cache[(id(model), max_new_tokens, json.dumps(chat))][1] for chat in chats)


# %% [markdown]
# **How long is an answer?** The cap on new tokens should fit the replies, not cut them. Ask the zero-shot
# question about a few reviews with a generous cap and count the tokens each reply needs, `<|im_end|>`
# included:

# %%
texts = list(test["text"])
probe = [few_shot([], t) for t in texts[:8]]
probe_inputs = chat_tok.apply_chat_template(probe, add_generation_prompt=True, padding=True,
                                            return_tensors="pt").to(env.device)
with torch.inference_mode():
    probe_out = chat_model.generate(**probe_inputs, max_new_tokens=32, do_sample=False,
                                    pad_token_id=chat_tok.pad_token_id)
reply_lengths = [row.index(chat_tok.eos_token_id) + 1 if chat_tok.eos_token_id in row else None
                 for row in probe_out[:, probe_inputs["input_ids"].shape[1]:].tolist()]
print("tokens per reply:", reply_lengths)
MAX_REPLY = 5  # "positive" or "negative" and <|im_end|> take 2; 5 leaves room for "Positive." and the like

# %% [markdown]
# Most replies are the label word and `<|im_end|>`; the cap of 5 leaves room for a little more and stops a
# reply that starts to ramble. Every table below says how many replies it cut.

# %%
results = {}


def score(name, predictions, cut=None):
    """Accuracy (unparseable answers count as wrong), the share of unparseable answers, the share
    answered positive, and how many replies the token cap cut (None where nothing was generated)."""
    predictions = list(predictions)
    assert len(predictions) == len(y_test)
    right = [p is not None and p == y for p, y in zip(predictions, y_test, strict=True)]
    results[name] = {"accuracy": float(np.mean(right)),
                     "unparseable": float(np.mean([p is None for p in predictions])),
                     "answered positive": float(np.mean([p == 1 for p in predictions])),
                     "cut by the cap": cut}
    return results[name]


settings = {"zero-shot": [], "one-shot": shots[:1], "few-shot (4)": shots}
prompt_replies = {}
for name, examples in settings.items():
    chats = [few_shot(examples, t) for t in texts]
    prompt_replies[name] = chat_replies(chats, MAX_REPLY)
    score(f"SmolLM2-Instruct, {name}", [parse_label(r) for r in prompt_replies[name]],
          cut_by_cap(chats, MAX_REPLY))
assert all(len(r) == len(texts) for r in prompt_replies.values())
zero = results["SmolLM2-Instruct, zero-shot"]
print(f"zero-shot: accuracy {zero['accuracy']:.3f}, answered positive {zero['answered positive']:.0%} "
      f"(the true share is 50%)")
pd.DataFrame(results).T.round(3)

# %% [markdown]
# The model answers in the right form, one label word, but it leans hard towards one label: it calls most
# reviews positive, whatever they say, so its accuracy stays near the 0.5 of always giving one answer.
# That is the typical failure of a small instruct model on a classification prompt. On a CPU these are 24
# reviews: one answer moves the accuracy by 4 points, and a difference of less than about 20 points
# between two settings can be chance (a GPU scores all 264 test reviews).

# %% tags=["quality"]
assert zero["answered positive"] > 0.5  # more often than the true share: a lean towards "positive"

# %% [markdown]
# A few replies next to the true labels show what the parser had to read:

# %%
pd.DataFrame({"review": texts[:6], "label": [label_names[y] for y in y_test[:6]],
              **{name: replies[:6] for name, replies in prompt_replies.items()}})

# %% [markdown]
# **The order of the examples matters.** Small models in particular lean towards the label of the last
# example they saw. The same four examples in three orders:

# %%
orders = {
    "alternating (n, p, n, p)": shots,
    "negatives last (p, p, n, n)": [shots[1], shots[3], shots[0], shots[2]],
    "positives last (n, n, p, p)": [shots[0], shots[2], shots[1], shots[3]],
}
order_rows = {}
for name, examples in orders.items():
    chats = [few_shot(examples, t) for t in texts]
    predictions = [parse_label(r) for r in chat_replies(chats, MAX_REPLY)]
    order_rows[name] = score(f"SmolLM2-Instruct, few-shot, {name}", predictions, cut_by_cap(chats, MAX_REPLY))
assert all(0 <= row["answered positive"] <= 1 for row in order_rows.values())
# the alternating order is the few-shot prompt scored above: its replies came from `reply_cache`
same_prompts = ("SmolLM2-Instruct, few-shot, alternating (n, p, n, p)", "SmolLM2-Instruct, few-shot (4)")
assert results[same_prompts[0]] == results[same_prompts[1]]
pd.DataFrame(order_rows).T.round(3)

# %% [markdown]
# Compare the "answered positive" column across the orders. Larger models often follow the label of the
# last example (recency bias, Zhao et al., 2021); for a model this small no order cures the lean towards
# "positive". Parsing free text has hit its limit. The next section asks the model differently.

# %% tags=["quality"]
assert all(row["answered positive"] > 0.5 for row in order_rows.values())

# %% [markdown]
# ### Reading the model's probabilities instead of its text
#
# Greedy decoding keeps only the single most likely first word of the reply. The model's next-token
# distribution holds more: how much probability it gives to "positive" and how much to "negative". One
# forward pass over the prompt gives both, and nothing needs parsing. The score of a review is the
# difference of the two log-probabilities (both spellings of each word, `positive` and `Positive`, added
# together): above 0 the model prefers "positive".
#
# With no reply to generate, a review costs one forward pass, so this section can afford more of them: on
# a CPU it scores 96 test reviews (all 264 on a GPU), enough for differences of about 10 points to mean
# something.

# %%
label_words = {label: [label, label.capitalize()] for label in label_names}
word_ids = {label: [chat_tok.encode(w, add_special_tokens=False)[0] for w in words]
            for label, words in label_words.items()}
print({w: chat_tok.convert_ids_to_tokens(i) for label in label_names
       for w, i in zip(label_words[label], word_ids[label], strict=True)})


def label_scores(chats, batch=8):
    """log P(positive) - log P(negative) for the first token of the reply to each chat, and the
    probability the two words share."""
    scores, mass = [], []
    for start in range(0, len(chats), batch):
        inputs = chat_tok.apply_chat_template(chats[start:start + batch], add_generation_prompt=True,
                                              padding=True, return_tensors="pt").to(env.device)
        with torch.inference_mode():
            logp = chat_model(**inputs).logits[:, -1].float().log_softmax(-1).cpu()
        pos, neg = (logp[:, word_ids[label]].logsumexp(-1) for label in ("positive", "negative"))
        scores += (pos - neg).tolist()
        mass += (pos.exp() + neg.exp()).tolist()
    return np.array(scores), np.array(mass)


# the greedy reply starts with the likelier word: where it named a label, the score's sign agrees
greedy_scores, _ = label_scores([few_shot([], t) for t in texts])
greedy = [parse_label(r) for r in prompt_replies["zero-shot"]]
agree = [p == int(s > 0) for p, s in zip(greedy, greedy_scores, strict=True) if p is not None]
assert sum(agree) >= 0.8 * len(agree)  # (a near-tie can still flip between a batch and a single pass)

scored = reviews["test"]
if env.device == "cpu":
    scored = scored.train_test_split(train_size=96, stratify_by_column="label", seed=env.seed)["train"]
y_scored = np.array(scored["label"])
probability_scores, probability_mass = label_scores([few_shot([], t) for t in scored["text"]])
assert np.isfinite(probability_scores).all()
assert ((0 < probability_mass) & (probability_mass <= 1 + 1e-5)).all()
at_zero = probability_scores > 0
print(f"{len(scored)} test reviews; the two label words hold {probability_mass.mean():.0%} of the "
      f"probability on average; the sign agrees with {sum(agree)} of {len(agree)} greedy replies above")
print(f"threshold 0: accuracy {np.mean(at_zero == y_scored):.3f}, answered positive {at_zero.mean():.0%}")

# %% [markdown]
# A threshold of 0 gives the same lean as the text. But the scores may still **rank** the reviews well:
# if the negative reviews get lower scores than the positive ones, only the threshold is wrong. The
# picture shows the scores by true label.

# %%
from sklearn.metrics import roc_auc_score
from transformers import pipeline

fig, ax = plt.subplots(figsize=(7, 3))
for label in (0, 1):
    ax.hist(probability_scores[y_scored == label], bins=15, alpha=0.6,
            label=f"true label: {label_names[label]}")
ax.axvline(0, color="grey", linestyle="--", label="threshold 0")
ax.set(xlabel="log P(positive) - log P(negative)", ylabel="reviews", title="Zero-shot label scores")
ax.legend()
fig.tight_layout()
print(f"ROC AUC of the scores: {roc_auc_score(y_scored, probability_scores):.3f} "
      "(0.5 is chance, 1 a perfect ranking)")

# %% [markdown]
# **Calibrating the threshold.** Place it with labelled reviews the test never sees: score 48 reviews of the
# training split and put the threshold halfway between the average score of their negative and of their
# positive reviews (choosing the single best cut on so few examples overfits them). A second recipe needs
# no labels at all (*contextual calibration*, Zhao et al., 2021): ask about an empty review, "N/A", and use
# its score as the threshold, since it shows the lean that the prompt alone causes.

# %%
calibration = reviews["train"].shuffle(seed=env.seed).select(range(48))
cal_scores, _ = label_scores([few_shot([], t) for t in calibration["text"]])
cal_y = np.array(calibration["label"])
threshold = (cal_scores[cal_y == 0].mean() + cal_scores[cal_y == 1].mean()) / 2
content_free = label_scores([few_shot([], "N/A")])[0][0]
SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
sst2 = pipeline("sentiment-analysis", model=SST2, device=env.device)
sst2_scored = sst2(list(scored["text"]), batch_size=32)
probability_rows = {
    "threshold 0": at_zero,
    f"threshold from 48 training reviews ({threshold:.2f})": probability_scores >= threshold,
    f"threshold from 'N/A' ({content_free:.2f})": probability_scores > content_free,
    "SST-2 checkpoint (03, 06), for comparison": np.array([o["label"] == "POSITIVE" for o in sst2_scored]),
}
probability_table = pd.DataFrame({
    name: {"accuracy": np.mean(pred == y_scored), "answered positive": pred.mean()}
    for name, pred in probability_rows.items()}).T
probability_table.round(3)

# %% [markdown]
# The same model, the same prompt, one forward pass per review: reading its probabilities and placing the
# threshold with a few labelled examples turns answers that were nearly always one label into a usable
# classifier. The lean was in the threshold more than in the ranking. The check below compares the
# calibrated accuracy with always giving one answer (0.5), with a margin that chance on 96 reviews does
# not reach.

# %% tags=["quality"]
calibrated = probability_table["accuracy"].iloc[1]
assert calibrated >= 0.65, probability_table  # always one label: 0.5

# %% [markdown]
# ### Side by side with the classifiers of earlier chapters
#
# The same reviews, scored by the SST-2 checkpoint (03, 06), the zero-shot NLI model (03, 06) and, if you
# ran chapter 06, the model you fine-tuned there. 06 saves it under `nlpcourse.paths.models_dir()`; if it
# is missing, this cell says so and skips that row (run `06_fine_tuning.ipynb` to create it).

# %%
from transformers import pipeline

from nlpcourse.paths import models_dir

ZERO_SHOT = "typeform/distilbert-base-uncased-mnli"
score("SST-2 checkpoint (03, 06)",
      [label_names.index(o["label"].lower()) for o in sst2(texts, batch_size=32)])
nli = pipeline("zero-shot-classification", model=ZERO_SHOT, device=env.device)
nli_out = nli(texts, candidate_labels=label_names, hypothesis_template="This review is {}.", batch_size=32)
score("zero-shot NLI (03, 06)", [label_names.index(o["labels"][0]) for o in nli_out])
fine_tuned_dir = models_dir() / "distilbert-course-reviews"
if (fine_tuned_dir / "config.json").is_file():
    fine_tuned = pipeline("text-classification", model=str(fine_tuned_dir), device=env.device)
    score("fine-tuned in 06", [label_names.index(o["label"]) for o in fine_tuned(texts, batch_size=32)])
else:
    print(f"no fine-tuned model in {fine_tuned_dir}: run 06_fine_tuning.ipynb to create it")
comparison = pd.DataFrame(results).T
assert comparison["accuracy"].between(0, 1).all() and comparison["unparseable"].between(0, 1).all()
comparison.round(3)

# %%
ax = comparison["accuracy"].plot.barh(figsize=(8, 4.5), xlim=(0, 1), xlabel="accuracy",
                                      title=f"Sentiment on {len(texts)} test reviews")
ax.axvline(0.5, color="grey", linestyle="--", label="always one label")
ax.legend()
best_prompt = max(settings, key=lambda n: results[f"SmolLM2-Instruct, {n}"]["accuracy"])
print(f"best prompt setting: {best_prompt}; SST-2 {results['SST-2 checkpoint (03, 06)']['accuracy']:.3f}")

# %% [markdown]
# Read the table with its setting in mind. The classifiers were trained for exactly this task (SST-2 on
# movie-review sentences, 06's model on these very reviews); the chat model was only asked. Prompting
# needs no labelled data and no training run, takes any labels you can describe, and its accuracy moves
# with the wording, the examples and their order. A model of 135 M parameters follows instructions only
# loosely: its free-text answers lean to one label, and its probabilities, with a threshold set on a few
# labelled examples, do much better. Larger instruct models close much of the remaining gap.

# %% [markdown]
# ## 5. Summarization and translation by prompt
#
# Chapter 03 used dedicated sequence-to-sequence models for these; a chat model takes them as instructions.
# We score the replies with chapter 07's metrics: ROUGE for summaries, sacreBLEU for translations.

# %%
import evaluate

from nlpcourse.data import load_articles, load_translations

n_articles, n_sentences = (3, 8) if env.device == "cpu" else (10, 40)
articles = load_articles()["test"].select(range(n_articles))
pairs = load_translations()["test"].select(range(n_sentences))
print(f"{n_articles} articles, {n_sentences} sentences" + (" (CPU plan)" if env.device == "cpu" else ""))
leads = [a.split("\n")[0] for a in articles["article"]]
summaries = chat_replies([[{"role": "user", "content": f"Summarize this text in one sentence.\n\n{lead}"}]
                          for lead in leads], max_new_tokens=40)
translations = chat_replies([[{"role": "user", "content": f"Translate into French: {en}"}]
                             for en in pairs["en"]], max_new_tokens=40)
assert len(summaries) == n_articles and len(translations) == n_sentences
pd.DataFrame({"English": list(pairs["en"])[:4], "reply": translations[:4],
              "reference": [f[0] for f in list(pairs["fr"])[:4]]})

# %% [markdown]
# Each score comes with a baseline that needs no model: the first sentence of the text as its summary, and
# the English sentence itself as its "translation" (sacreBLEU gives shared names and numbers some credit).

# %%
rouge = evaluate.load("rouge")
sacrebleu = evaluate.load("sacrebleu")
first_sentences = [lead.split(". ")[0] + "." for lead in leads]
refs_fr = [[f[0]] for f in pairs["fr"]]  # sacreBLEU needs as many references for every sentence: the first
generation_scores = pd.DataFrame({
    "chat model": [rouge.compute(predictions=summaries, references=list(articles["summary"]))["rougeL"],
                   sacrebleu.compute(predictions=translations, references=refs_fr)["score"]],
    "baseline": [rouge.compute(predictions=first_sentences, references=list(articles["summary"]))["rougeL"],
                 sacrebleu.compute(predictions=list(pairs["en"]), references=refs_fr)["score"]],
}, index=["summaries: ROUGE-L (0-1)", "translations: sacreBLEU (0-100)"])
assert generation_scores.loc["summaries: ROUGE-L (0-1)"].between(0, 1).all()
assert generation_scores.loc["translations: sacreBLEU (0-100)"].between(0, 100).all()
generation_scores.round(3)

# %% [markdown]
# ## 6. Structured output: asking for JSON
#
# Programs need fields, not prose. Ask for JSON, then **validate** every reply: does it parse, does it have
# exactly the keys, are the values allowed? On failure, **retry once** with the problem spelled out in a
# new user turn, and count what still fails. Never trust unvalidated model output downstream.

# %%
DOMAINS = ("movies", "products", "restaurants")
JSON_INSTRUCTION = ('Reply with a JSON object only, with the keys "sentiment" ("positive" or "negative") and '
                    '"domain" ("movies", "products" or "restaurants").')


def validate(reply):
    """(the object, None) if the reply holds valid JSON with the right keys and values; else (None, why)."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)  # tolerate text or code fences around the object
    if match is None:
        return None, "no JSON object in the reply"
    try:
        obj = json.loads(match.group())
    except json.JSONDecodeError as err:
        return None, f"not valid JSON ({err.msg})"
    if not isinstance(obj, dict) or set(obj) != {"sentiment", "domain"}:
        return None, 'the keys must be exactly "sentiment" and "domain"'
    if obj["sentiment"] not in label_names or obj["domain"] not in DOMAINS:
        return None, "a value is not one of the allowed ones"
    return obj, None


assert validate('```json\n{"sentiment": "positive", "domain": "movies"}\n```')[0] == {
    "sentiment": "positive", "domain": "movies"}
assert validate('{"sentiment": "good"}')[0] is None and validate("positive")[0] is None

# %%
json_reviews = test.select(range(12))
json_chats = [[{"role": "user", "content": f"{JSON_INSTRUCTION}\n\nReview: {t}"}]
              for t in json_reviews["text"]]
JSON_CAP = 40  # the object indented over four lines takes about 25 tokens
first = chat_replies(json_chats, max_new_tokens=JSON_CAP)
checked = [validate(r) for r in first]
retry_at = [i for i, (obj, _) in enumerate(checked) if obj is None]
retry_chats = [json_chats[i] + [{"role": "assistant", "content": first[i]},
                                {"role": "user", "content": f"That reply is invalid: {checked[i][1]}. "
                                                            "Reply with the JSON object only."}]
               for i in retry_at]
for i, reply in zip(retry_at, chat_replies(retry_chats, JSON_CAP) if retry_at else [], strict=True):
    checked[i] = validate(reply)
failures = {"first try": len(retry_at), "after one retry": sum(obj is None for obj, _ in checked)}
assert failures["after one retry"] <= failures["first try"] <= len(json_reviews)
valid = [(obj, label) for (obj, _), label in zip(checked, json_reviews["label"], strict=True) if obj]
agree = sum(obj["sentiment"] == label_names[label] for obj, label in valid)
object_tokens = len(chat_tok('{"sentiment": "negative", "domain": "restaurants"}')["input_ids"])
print(f"invalid replies out of {len(json_reviews)}: {failures}; "
      f"the sentiment field is right in {agree} of the {len(valid)} valid ones; the cap of {JSON_CAP} tokens "
      f"(a complete object needs {object_tokens}) cut {cut_by_cap(json_chats, JSON_CAP)} first replies")
pd.DataFrame({"reply": first[:5], "problem": [why for _, why in checked[:5]]})


# %% [markdown]
# Look at the replies: a model this small knows that JSON has braces and quoted keys, but not how to fill
# a schema it is given in words. It invents its own keys, nests objects in objects until the cap cuts it,
# and a retry asking for "the JSON object only" rarely helps. Asking harder does not fix this; taking the
# structure out of the model's hands does.

# %% [markdown]
# ### Forcing the structure, letting the model choose the values
#
# Our code writes the braces, the keys and the quotes; the model only chooses each value, among the
# allowed ones. For each field we put the object so far at the start of the assistant's turn
# (`continue_final_message=True` leaves that turn open, so the model continues it) and compare how likely
# the model finds each allowed value there: the log-probability of the value's tokens, added up. The result
# is valid JSON by construction, with allowed values only; how often the values are right is what the
# model contributes.

# %%
def pick(prefixes, options):
    """For each prompt text, the index of the option the model finds most likely to follow it."""
    rows = [prefix + option for prefix in prefixes for option in options]
    n_new = [len(chat_tok(prefix + option, add_special_tokens=False)["input_ids"])
             - len(chat_tok(prefix, add_special_tokens=False)["input_ids"])
             for prefix in prefixes for option in options]
    totals = []
    for start in range(0, len(rows), BATCH):
        enc = chat_tok(rows[start:start + BATCH], add_special_tokens=False, padding=True,
                       return_tensors="pt").to(env.device)
        with torch.inference_mode():
            logp = chat_model(**enc).logits.float().log_softmax(-1).cpu()
        ids = enc["input_ids"].cpu()
        for row, n in enumerate(n_new[start:start + BATCH]):  # left padding: the option's tokens come last
            totals.append(logp[row, -n - 1:-1].gather(-1, ids[row, -n:, None]).sum().item())
    return np.array(totals).reshape(len(prefixes), len(options)).argmax(1)


def forced_json(chat):
    """The object, field by field: our code writes the structure, the model picks each value."""
    obj = {}
    for field, options in (("sentiment", label_names), ("domain", DOMAINS)):
        opened = json.dumps(obj)[:-1] + (", " if obj else "") + f'"{field}": "'
        prefix = chat_tok.apply_chat_template(chat + [{"role": "assistant", "content": opened}],
                                              continue_final_message=True, tokenize=False)
        obj[field] = options[pick([prefix], options)[0]]
    return json.dumps(obj)


forced = [forced_json(chat) for chat in json_chats]
forced_objects = [validate(reply)[0] for reply in forced]
assert all(obj is not None for obj in forced_objects)  # valid, with allowed values, every time
right = {field: sum(obj[field] == truth for obj, truth in zip(forced_objects, column, strict=True))
         for field, column in (("sentiment", [label_names[y] for y in json_reviews["label"]]),
                               ("domain", json_reviews["domain"]))}
print(f"{len(forced)} valid objects of {len(forced)}; right values: {right}")
forced[:3]

# %% [markdown]
# The JSON is now always valid; the sentiment values carry the same lean as in section 4 (a calibrated
# threshold would help here too), and the domain values show what the model knows about topics. Libraries
# do this at scale: grammar-constrained generation (`outlines`, `xgrammar`, inference servers' "JSON mode")
# masks, at every step, the tokens that would break the schema. Validation is still needed for what the
# values mean.

# %% [markdown]
# ## 7. Cost and limits
#
# **Speed.** Generation produces one token per forward pass, so time grows with the number of new tokens.
# We time a fixed number of them (`min_new_tokens` prevents an early stop).

# %%
import time

n_new = 32
inputs = chat_tok.apply_chat_template(story, add_generation_prompt=True, return_tensors="pt").to(env.device)
start = time.perf_counter()
with torch.inference_mode():
    out = chat_model.generate(**inputs, max_new_tokens=n_new, min_new_tokens=n_new, do_sample=False,
                              pad_token_id=chat_tok.pad_token_id)
seconds = time.perf_counter() - start
assert out.shape[1] - inputs["input_ids"].shape[1] == n_new
print(f"{n_new / seconds:.0f} new tokens per second on {env.device} (one reply, batch of 1)")

# %% [markdown]
# **Precision costs or saves time.** The model above runs in the precision `choose_dtype` picked for this
# device. Load it in fp32 and in bf16 (the precision of its files, what `from_pretrained` gives by default)
# and time the same forward pass over a batch of review prompts. Hardware without bf16 arithmetic (most
# laptop CPUs, Colab's T4) emulates bf16, slowly; CPUs with AVX512-BF16 or AMX and recent GPUs run it
# faster than fp32.

# %%
timing_inputs = chat_tok.apply_chat_template([few_shot([], t) for t in texts[:4]], add_generation_prompt=True,
                                             padding=True, return_tensors="pt").to(env.device)


def forward_seconds(dtype):
    """Seconds for one forward pass over timing_inputs in `dtype`, and the next-token probabilities."""
    model = AutoModelForCausalLM.from_pretrained(CHAT_ID, dtype=dtype).to(env.device).eval()
    with torch.inference_mode():
        model(**timing_inputs)  # a first pass warms up caches and kernels
        start = time.perf_counter()
        probs = model(**timing_inputs).logits[:, -1].float().softmax(-1)
    return time.perf_counter() - start, probs


fp32_s, fp32_probs = forward_seconds(torch.float32)
bf16_s, bf16_probs = forward_seconds(torch.bfloat16)
print(f"one forward pass over {timing_inputs['input_ids'].numel()} tokens on {env.device}: {fp32_s:.2f} s in "
      f"fp32, {bf16_s:.2f} s in bf16 (bf16 takes {bf16_s / fp32_s:.1f} times as long); choose_dtype picked "
      f"{precision.name}")
print(f"largest difference of a next-token probability: {(fp32_probs - bf16_probs).abs().max():.4f}")
assert (fp32_probs - bf16_probs).abs().max() < 0.1  # bf16 rounds; it does not change the model

# %% [markdown]
# **Memory: the key/value cache.** To avoid recomputing the past, `generate` keeps every layer's keys and
# values for every token so far. Per token that is 2 (keys and values) x layers x key/value heads x head
# size x bytes per number. SmolLM2 uses grouped-query attention: fewer key/value heads than query heads,
# which shrinks the cache by the same factor.

# %%
config = chat_model.config
head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
bytes_per_number = next(chat_model.parameters()).element_size()
per_token = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * bytes_per_number
long_chat = 4096
print(f"{config.num_hidden_layers} layers, {config.num_key_value_heads} key/value heads "
      f"({config.num_attention_heads} query heads), head size {head_dim}, {bytes_per_number} bytes a number")
print(f"{per_token:,} bytes per token; a {long_chat:,}-token chat keeps "
      f"{per_token * long_chat / 2**20:.1f} MiB")

# %% [markdown]
# Check the formula against a real cache: run the model once over the story prompt and add up the sizes of
# the keys and values it returns.

# %%
with torch.inference_mode():
    cache = chat_model(**inputs, use_cache=True).cache  # older releases call it `past_key_values`
measured = sum(t.numel() * t.element_size() for layer in cache.layers for t in (layer.keys, layer.values))
assert measured == per_token * inputs["input_ids"].shape[1]
print(f"{inputs['input_ids'].shape[1]} tokens: {measured:,} bytes in the cache, as computed")

# %% [markdown]
# **The context window** is the longest sequence the model was trained on: the prompt, the whole chat
# history and the reply must fit. The config says how long; the tokenizer agrees:

# %%
window = config.max_position_embeddings
print(f"config: {window:,} positions; tokenizer: model_max_length {chat_tok.model_max_length:,}")
all_articles = "\n\n".join(load_articles()["test"]["article"])
n_tokens = len(chat_tok(all_articles)["input_ids"])
print(f"context window {window:,} tokens; all {len(load_articles()['test'])} course articles together are "
      f"{n_tokens:,} tokens: {'they fit' if n_tokens <= window else 'too long: split or summarize first'}")

# %% [markdown]
# **Made-up answers.** Asked something its context does not contain, a language model tends to answer
# anyway, fluently and wrongly: it predicts likely text, not checked facts. An explicit instruction to say
# so when the answer is missing helps larger models; it guarantees nothing. We ask questions from one
# article about another article's paragraph, with and without that instruction, and count the replies
# that admit it.

# %%
from nlpcourse.data import load_qa

qa = load_qa()["test"]
titles = list(dict.fromkeys(qa["title"]))[:4]
questions = [next(q for q in qa if q["title"] == t) for t in titles]
unanswerable = [(questions[(i + 1) % len(questions)]["context"], q["question"])  # another article's paragraph
                for i, q in enumerate(questions)]
GUARD = ("Answer the question using only the context. If the context does not contain the answer, reply "
         "exactly: I don't know.")
asked = {
    "no instruction": [f"Context: {c}\n\nQuestion: {q}" for c, q in unanswerable],
    "with instruction": [f"{GUARD}\n\nContext: {c}\n\nQuestion: {q}" for c, q in unanswerable],
}
says_unknown = re.compile(r"don'?t know|do not know|not (?:mentioned|stated|say)", re.IGNORECASE)
guard_rows = {}
for name, prompts in asked.items():
    replies = chat_replies([[{"role": "user", "content": p}] for p in prompts], max_new_tokens=16)
    guard_rows[name] = {"said it does not know": sum(bool(says_unknown.search(r)) for r in replies),
                        "questions": len(replies), "first reply": replies[0]}
assert all(0 <= r["said it does not know"] <= r["questions"] for r in guard_rows.values())
pd.DataFrame(guard_rows).T

# %% [markdown]
# Count the admissions in the table and read the first replies: a model this small takes whatever the
# context says and answers from it. An instruction is a request, not a guarantee. Systems that answer from
# documents (retrieval-augmented generation) therefore check for themselves whether the retrieved text is
# relevant enough before they let the model answer.

# %% [markdown]
# ## Summary
#
# - An instruct model is a base model fine-tuned on conversations: same architecture and vocabulary, a chat
#   template, and a reply that ends with its end-of-turn token (`<|im_end|>` for SmolLM2).
# - `from_pretrained` loads the precision the files store (bf16 for SmolLM2); choose it for your hardware
#   instead (`choose_dtype`): emulated bf16 is slow, native bf16 is fast, and either rounds a little.
# - `apply_chat_template(messages, add_generation_prompt=True)` builds the exact prompt the model was tuned
#   on, including a default system prompt; hand-made prompts and missing generation prompts degrade replies.
# - Decoding settings reshape the next-token distribution: temperature sharpens or flattens it, top-k and
#   top-p cut its tail, the repetition penalty lowers tokens already used; greedy and beam search pick the
#   most likely tokens; `max_new_tokens`, the end-of-turn token and `stop_strings` end the reply.
# - Zero-, one- and few-shot prompts adapt a model without training; measure them, parse replies robustly,
#   count the unparseable ones and the replies the token cap cut, and expect the examples' choice and order
#   to move the result. A small model's text answers lean to one label.
# - Its probabilities can do better than its text: score the label words in one forward pass and place
#   the threshold with a few labelled examples (or a content-free input).
# - A chat model summarizes, translates and fills JSON fields on request; score it with the same metrics as
#   dedicated models and validate structured output. Where a small model cannot keep a format, write the
#   structure in code and let the model choose only the values.
# - Every token costs a forward pass and cache memory (2 x layers x key/value heads x head size x bytes);
#   the context window bounds the whole chat, and a model will answer beyond its context unless told not to.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to fill in (replace the `...`) and a checker that tells you what is off.
#
# **1 (easy).** Write `chat_prompt(messages)` that builds SmolLM2's prompt string by hand, with the
# generation prompt, exactly as `apply_chat_template(messages, add_generation_prompt=True, tokenize=False)`
# does: the default system prompt when the first message is not a system message, every message as
# `<|im_start|>role\ncontent<|im_end|>\n`, then `<|im_start|>assistant\n`.

# %%
from nlpcourse.exercises.ch10 import (
    check_chat_prompt,
    check_few_shot,
    check_kv_cache_bytes,
    check_top_p_filter,
)


def chat_prompt(messages):
    return ...


check_chat_prompt(chat_prompt, chat_tok)


# %% tags=["solution"]
def chat_prompt(messages):
    text = ""
    if messages[0]["role"] != "system":
        text += ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                 "<|im_end|>\n")
    for message in messages:
        text += f"<|im_start|>{message['role']}\n{message['content']}<|im_end|>\n"
    return text + "<|im_start|>assistant\n"


assert check_chat_prompt(chat_prompt, chat_tok)

# %% [markdown]
# **2 (easy).** How many bytes does the key/value cache of the real SmolLM2-135M-Instruct need per token in
# bfloat16 (2 bytes per number)? Its configuration is below, as in `chat_model.config`.

# %%
real_config = {"num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
               "hidden_size": 576, "head_dim": 64}
answer = ...
check_kv_cache_bytes(answer, real_config, bytes_per_number=2)

# %% tags=["solution"]
layers, kv_heads = real_config["num_hidden_layers"], real_config["num_key_value_heads"]
answer = 2 * layers * kv_heads * real_config["head_dim"] * 2  # keys and values, 2 bytes each
assert check_kv_cache_bytes(answer, real_config, bytes_per_number=2)


# %% [markdown]
# **3 (medium).** Write `top_p_keep(logits, p)`: given a 1-D tensor of logits, return a boolean tensor of
# the same shape that is True for the tokens top-p sampling keeps (the smallest set of most likely tokens
# whose probabilities add up to at least `p`). The checker compares it with `TopPLogitsWarper`.

# %%
def top_p_keep(logits, p):
    return ...


check_top_p_filter(top_p_keep)


# %% tags=["solution"]
def top_p_keep(logits, p):
    probs = logits.softmax(-1)
    sorted_probs, order = probs.sort(descending=True)
    before = sorted_probs.cumsum(-1) - sorted_probs  # mass of the more likely tokens
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = before < p
    return keep


assert check_top_p_filter(top_p_keep)

# %% [markdown]
# **4 (medium).** Build a few-shot chat for the review below: at least two solved examples from the
# training split, covering both labels, each as a user turn (with `INSTRUCTION` and the review) and an
# assistant turn with exactly the label word, then the user turn with the review to classify. Then score
# your prompt with `chat_replies` and `score` on `texts` and compare it with the zero-shot row: can you
# beat it by choosing other examples?

# %%
query = texts[0]
answer = ...
check_few_shot(answer, query, reviews["train"])

# %% tags=["solution"]
answer = few_shot(shots, query)
assert check_few_shot(answer, query, reviews["train"])
my_replies = chat_replies([few_shot(shots, t) for t in texts])
mine = score("my few-shot prompt", [parse_label(r) for r in my_replies])
print(f"my prompt {mine['accuracy']:.3f}, zero-shot {results['SmolLM2-Instruct, zero-shot']['accuracy']:.3f}")

# %% [markdown]
# ## Further reading
#
# - Chat templates in transformers: https://huggingface.co/docs/transformers/chat_templating
# - Generation strategies and `GenerationConfig`: https://huggingface.co/docs/transformers/generation_strategies
# - Streaming: https://huggingface.co/docs/transformers/internal/generation_utils#transformers.TextStreamer
# - The SmolLM2 models: https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct and Allal et al.,
#   *SmolLM2: When Smol Goes Big* (2025): https://arxiv.org/abs/2502.02737
# - Hugging Face LLM course, chapter on fine-tuning LLMs and chat templates: https://huggingface.co/learn/llm-course
# - Holtzman et al., *The Curious Case of Neural Text Degeneration* (top-p sampling, 2020):
#   https://arxiv.org/abs/1904.09751
# - Brown et al., *Language Models are Few-Shot Learners* (2020): https://arxiv.org/abs/2005.14165
# - Zhao et al., *Calibrate Before Use: Improving Few-Shot Performance of Language Models* (example order
#   and recency bias, 2021): https://arxiv.org/abs/2102.09690
# - Ouyang et al., *Training language models to follow instructions with human feedback* (2022):
#   https://arxiv.org/abs/2203.02155
# - Ainslie et al., *GQA: Training Generalized Multi-Query Transformer Models* (2023): https://arxiv.org/abs/2305.13245
