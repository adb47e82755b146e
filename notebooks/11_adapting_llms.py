# %% [markdown]
# # 11 · Adapting models cheaply: LoRA with peft and instruction tuning with trl
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/11_adapting_llms.ipynb
#
# Notebook 06 fine-tuned every weight of an encoder, or froze it and trained only a head. Today the first
# thing people try is in between: keep the pre-trained weights frozen and learn a small low-rank *update*
# to some of them (LoRA). It trains a few percent of the parameters, saves an adapter of a few MB instead
# of a whole model, and usually gets close to full fine-tuning. The same idea, with `trl`'s `SFTTrainer`,
# is how a base language model that only continues text is taught to follow instructions in a chat format.
# This notebook builds LoRA from the matrix product up, then measures it against full fine-tuning and a
# frozen encoder, then instruction-tunes a small base model on the course data.
#
# **You will learn**
# - what LoRA computes (`W x + (alpha / r) B A x`), and what rank, alpha and target modules mean;
# - how to wrap a model with `peft` (`LoraConfig`, `get_peft_model`), count what it trains, save, reload
#   and merge the adapter;
# - how LoRA compares with full fine-tuning and a frozen encoder in time, memory and accuracy;
# - how to turn course data into an instruction dataset in the messages format, and train on the answers'
#   tokens only with `SFTTrainer` and `SFTConfig`;
# - when to prompt, when to use LoRA and when to fine-tune every weight.
#
# **Prerequisites:** 06 (fine-tuning) and 07 (evaluation); 10 (prompting) helps.
#
# **On a CPU** (or an Apple GPU) every training run takes the CPU plan (small subsets, short sequences,
# one epoch) and says so in one line; a CUDA GPU takes a larger one.
#
# **Runtime:** about 1.9 min on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 5.4 GB; on a GPU not measured yet. **Download:** 544 MB the first time, or ahead with
# `python -m nlpcourse download 11`.

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
# ## LoRA from the idea up
#
# A linear layer computes `y = W x + b`, with `W` of shape `(out, in)`. Fine-tuning changes `W` into
# `W + ΔW`. LoRA (Hu et al., 2021) bets that the useful change has a low rank and writes it as a product of
# two thin matrices: `ΔW = (alpha / r) · B A`, with `A` of shape `(r, in)` and `B` of shape `(out, r)`.
# `W` stays frozen; only `A` and `B` learn.
#
# - **rank `r`**: the width of the bottleneck. `A` and `B` hold `r · (in + out)` numbers instead of the
#   `in · out` of `W`: for a 768 × 768 layer and `r = 8`, 12,288 instead of 589,824.
# - **alpha**: a fixed scale. The update is multiplied by `alpha / r`, so changing `r` does not change how
#   strongly the update acts at the same learning rate; `alpha = 2 r` is a common default.
# - **target modules**: which linear layers get an update. The original paper adapts the attention's
#   query and value projections; adapting every linear layer usually helps a little more.
#
# `A` starts random and `B` starts at zero, so before training the adapted layer computes exactly what the
# original did. Here is the forward pass written by hand on one small layer, with a non-zero `B` so that
# the update shows.

# %%
import torch
from torch import nn

torch.manual_seed(env.seed)
IN, OUT, R, ALPHA = 16, 12, 4, 8
linear = nn.Linear(IN, OUT)
A = torch.randn(R, IN) * 0.1  # (r, in)
B = torch.randn(OUT, R) * 0.1  # (out, r)
x = torch.randn(5, IN)  # a batch of 5 inputs

with torch.no_grad():
    by_hand = linear(x) + (ALPHA / R) * (x @ A.T @ B.T)  # W x + b + (alpha / r) B A x
    merged_weight = linear.weight + (ALPHA / R) * B @ A  # the same update folded into W
    by_merged = x @ merged_weight.T + linear.bias
assert by_hand.shape == (5, OUT)
assert torch.allclose(by_hand, by_merged, atol=1e-5)
print(f"W: {linear.weight.numel()} numbers; A and B: {A.numel() + B.numel()} = r · (in + out) = "
      f"{R} · ({IN} + {OUT})")

# %% [markdown]
# The last check is why LoRA costs nothing at inference: `W + (alpha / r) B A` is one matrix of the
# original shape, so the update can be merged into the weight once training is over.
#
# Now the same with `peft`. `LoraConfig` names the rank, alpha and target modules; `get_peft_model` swaps
# each targeted `nn.Linear` for a LoRA layer that keeps the original as `base_layer` and adds `lora_A` and
# `lora_B`. We copy our `A` and `B` into it and compare.

# %%
from peft import LoraConfig, get_peft_model


class OneLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(IN, OUT)

    def forward(self, x):
        return self.proj(x)


tiny = OneLayer()
tiny.proj.load_state_dict(linear.state_dict())
tiny_lora = get_peft_model(tiny, LoraConfig(r=R, lora_alpha=ALPHA, target_modules=["proj"], lora_dropout=0.0))
layer = tiny_lora.base_model.model.proj
with torch.no_grad():
    untouched = tiny_lora(x)  # B is still zero: the layer computes what the original did
    layer.lora_A["default"].weight.copy_(A)
    layer.lora_B["default"].weight.copy_(B)
    by_peft = tiny_lora(x)
assert torch.allclose(untouched, linear(x).detach(), atol=1e-6)
assert layer.scaling["default"] == ALPHA / R
assert torch.allclose(by_peft, by_hand, atol=1e-5)
print(type(layer).__name__, {n: tuple(p.shape) for n, p in layer.named_parameters()})

# %% [markdown]
# peft's layer computes exactly our formula. Only `lora_A` and `lora_B` require gradients; the original
# weight and bias are frozen:

# %%
trainable_names = [n for n, p in tiny_lora.named_parameters() if p.requires_grad]
assert len(trainable_names) == 2 and all("lora_" in n for n in trainable_names)
tiny_lora.print_trainable_parameters()

# %% [markdown]
# ## LoRA on the sentiment task of notebook 06
#
# The task: the course reviews, `negative` or `positive`, scored on the test split. Three ways to adapt
# `distilbert/distilbert-base-uncased`, trained on the same reviews with the same seed, batch size and
# epochs:
#
# 1. **full fine-tuning**: every weight learns (notebook 06);
# 2. **frozen encoder**: only the classification head learns (notebook 06);
# 3. **LoRA**: low-rank updates on the attention projections, plus the head, which is new and must learn
#    in full.

# %%
from transformers import AutoTokenizer

from nlpcourse.data import load_reviews

reviews = load_reviews()
label_names = reviews["train"].features["label"].names
CHECKPOINT = "distilbert/distilbert-base-uncased"
tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT)
MAX_LENGTH = 64  # the longest review is far shorter


def tokenize(batch):
    return tokenizer(batch["text"], truncation=True, max_length=MAX_LENGTH)


tokenized = reviews.map(tokenize, batched=True)
assert max(len(ids) for ids in tokenized["train"]["input_ids"]) < MAX_LENGTH
assert label_names == ["negative", "positive"]

# %% [markdown]
# The plan, as in 06: `nlpcourse.training_plan(env.device)` gives the full plan on a CUDA GPU, with mixed
# precision, and the CPU plan on a CPU or an Apple GPU. The full plan trains three epochs on all 1,236
# training reviews in batches of 32; the CPU plan trains one epoch on a stratified sample in batches of
# 8, printed below. All three runs use this plan.

# %%
import time

import numpy as np

plan = nlpcourse.training_plan(env.device)
print(plan)
batch_size = plan.pick(32, 8)  # CPU plan: small batches, more optimizer steps for the same work
EPOCHS = plan.pick(3, 1)
train_set = tokenized["train"]
if not plan.full:  # the CPU plan: a stratified sample of the training reviews
    train_set = train_set.train_test_split(train_size=320, stratify_by_column="label", seed=env.seed)["train"]
    print(f"CPU plan: {EPOCHS} epoch on {len(train_set)} of the {len(tokenized['train'])} training "
          f"reviews, batch {batch_size}, for each of the three runs (the full plan: 3 epochs on all of them)")
assert 2 * sum(train_set["label"]) == len(train_set)  # both labels equally frequent

# %% [markdown]
# What each run costs. Time is measured around `train()`. Memory is measured on a CUDA GPU
# (`torch.cuda.max_memory_allocated`, the peak of tensors torch allocated during the run). For that peak
# to be the run's own, the earlier runs must not hold GPU memory any more: after each run its optimizer
# state is dropped and its model moved to the CPU (where later cells use it), and before each run
# `gc.collect()` and `torch.cuda.empty_cache()` clear what is left before the peak counter is reset. A CPU
# has no such counter, so the table also gives a number computed from the parameter counts: the weights
# (4 bytes per parameter in fp32) plus, for each *trainable* parameter, its gradient and AdamW's two
# moment estimates (12 bytes more). That part is what LoRA saves; the activations come on top.

# %%
import gc

import torch
from sklearn.metrics import accuracy_score
from transformers import (
    AutoModelForSequenceClassification,
    DataCollatorWithPadding,
    Trainer,
)

from nlpcourse.paths import scratch_dir

id2label = dict(enumerate(label_names))
label2id = {name: i for i, name in id2label.items()}
collator = DataCollatorWithPadding(tokenizer)
workdir = scratch_dir("11")
y_test = np.array(tokenized["test"]["label"])
on_cuda = torch.device(env.device).type == "cuda"  # where torch counts GPU memory
runs = {}


def new_model():
    torch.manual_seed(env.seed)  # the same fresh head for every run
    return AutoModelForSequenceClassification.from_pretrained(
        CHECKPOINT, num_labels=len(label_names), id2label=id2label, label2id=label2id
    )


def count(model):
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return total, trainable


def train_and_score(name, model, learning_rate):
    """Train with the shared plan; record time, memory, trainable parameters and test accuracy.

    Afterwards the trained model is on the CPU and the run holds no GPU memory.
    """
    args = plan.training_args(
        str(workdir / name), seed=env.seed, learning_rate=learning_rate, num_train_epochs=EPOCHS,
        per_device_train_batch_size=batch_size, eval_strategy="no", save_strategy="no", logging_steps=5,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_set, data_collator=collator,
                      processing_class=tokenizer)
    total, trainable = count(model)
    gc.collect()  # tensors of earlier runs that nothing refers to any more
    if on_cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()  # from here on: this model, its training state, activations
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    peak_mb = torch.cuda.max_memory_allocated() / 2**20 if on_cuda else float("nan")
    predictions = trainer.predict(tokenized["test"]).predictions.argmax(-1)
    runs[name] = {
        "trainable parameters": trainable,
        "trainable %": 100 * trainable / total,
        "train seconds": seconds,
        "weights + training state MB (computed)": (4 * total + 12 * trainable) / 2**20,
        "peak GPU MB (measured)": peak_mb,
        "test accuracy": accuracy_score(y_test, predictions),
    }
    trainer.optimizer.state.clear()  # AdamW's two numbers per trainable weight: a finished run needs none
    model.to("cpu")


# %% [markdown]
# ### 1. Full fine-tuning
#
# Every weight learns, at the learning rate of 06. On a CPU this is the longest of the three runs.

# %%
full_model = new_model()
train_and_score("full fine-tuning", full_model, learning_rate=1e-4)
runs["full fine-tuning"]

# %% [markdown]
# ### 2. Frozen encoder
#
# Only the head (`pre_classifier` and `classifier`) learns; a fresh layer takes a larger learning rate.

# %%
frozen_model = new_model()
for param in frozen_model.distilbert.parameters():
    param.requires_grad = False
train_and_score("frozen encoder", frozen_model, learning_rate=1e-3)
runs["frozen encoder"]

# %% [markdown]
# ### 3. LoRA
#
# DistilBERT names its attention projections `q_lin`, `k_lin`, `v_lin` and `out_lin`, and its feed-forward
# layers `lin1` and `lin2` (Llama-style models call them `q_proj`, `k_proj`, `v_proj`, `o_proj`,
# `gate_proj`, `up_proj`, `down_proj`). Printing the names of a model's linear layers tells you what to
# target:

# %%
lora_base = new_model()
linear_names = sorted({name.split(".")[-1] for name, module in lora_base.named_modules()
                       if isinstance(module, nn.Linear)})
assert {"q_lin", "k_lin", "v_lin", "out_lin", "lin1", "lin2", "classifier"} <= set(linear_names)
linear_names

# %% [markdown]
# The adapter targets the four attention projections with rank 8 and alpha 16. The classification head is
# new, so it cannot be frozen: `modules_to_save` trains it in full and stores it with the adapter.
# `task_type="SEQ_CLS"` tells peft the model is a sequence classifier. LoRA takes a larger learning rate than
# full fine-tuning (1e-3 against 1e-4, a common pairing): its update starts at zero and has few parameters.

# %%
from peft import TaskType

TARGETS, HEAD = ("q_lin", "k_lin", "v_lin", "out_lin"), ("pre_classifier", "classifier")
lora_config = LoraConfig(
    r=8,
    lora_alpha=16,
    lora_dropout=0.05,
    target_modules=list(TARGETS),
    modules_to_save=list(HEAD),  # a copy: peft extends this list in place
    task_type=TaskType.SEQ_CLS,
)
lora_model = get_peft_model(lora_base, lora_config)
lora_model.print_trainable_parameters()

# %% [markdown]
# The trainable count follows from the config alone: every targeted linear layer adds `r · (in + out)`
# (LoRA adds no bias), and each module in `modules_to_save` trains all its parameters. (With
# `task_type="SEQ_CLS"` peft appends the head names of other model families, such as `score`, to the list
# passed as `modules_to_save`; they match nothing in DistilBERT, and the cell above passed a copy.)

# %%
plain_model = new_model()
targets = [m for name, m in plain_model.named_modules()
           if isinstance(m, nn.Linear) and name.split(".")[-1] in TARGETS]
by_formula = sum(lora_config.r * (m.in_features + m.out_features) for m in targets)
by_formula += sum(p.numel() for name in HEAD for p in getattr(plain_model, name).parameters())
total, trainable = count(lora_model)
assert len(targets) == 4 * plain_model.config.n_layers
assert trainable == by_formula
print(f"{len(targets)} adapted layers; trainable {trainable:,} of {total:,} ({trainable / total:.2%})")
del plain_model

# %%
train_and_score("LoRA", lora_model, learning_rate=1e-3)
runs["LoRA"]

# %% [markdown]
# ### Side by side
#
# Measured in this run, on this machine, with the plan printed above:

# %%
import pandas as pd

table = pd.DataFrame(runs).T
computed, measured = table["weights + training state MB (computed)"], table["peak GPU MB (measured)"]
assert computed["LoRA"] < computed["full fine-tuning"]
if on_cuda:  # measured only on a CUDA GPU
    assert measured["LoRA"] < measured["full fine-tuning"], measured
table.round({"trainable %": 2, "train seconds": 1, "weights + training state MB (computed)": 0,
             "peak GPU MB (measured)": 0, "test accuracy": 3})

# %% [markdown]
# The claim to check: LoRA comes within a few points of full fine-tuning's accuracy (here: at most 0.10
# below it, 26 of the 264 test reviews) while training under 5% of the parameters full fine-tuning trains,
# and it beats always answering one label by at least as much.

# %% tags=["quality"]
full_acc, lora_acc = runs["full fine-tuning"]["test accuracy"], runs["LoRA"]["test accuracy"]
MARGIN = 0.10
print(f"LoRA {lora_acc:.3f}, full fine-tuning {full_acc:.3f}, frozen encoder "
      f"{runs['frozen encoder']['test accuracy']:.3f}")
assert runs["LoRA"]["trainable parameters"] < 0.05 * runs["full fine-tuning"]["trainable parameters"]
assert lora_acc >= full_acc - MARGIN
assert lora_acc >= 0.5 + MARGIN  # and it learned the task: always one label scores 0.5

# %% [markdown]
# ### Save, reload and merge the adapter
#
# `save_pretrained` on a peft model writes only the adapter: `adapter_config.json` (the `LoraConfig` and
# the base model's id) and `adapter_model.safetensors` (`A`, `B` and the head). Compare its size with the
# whole fine-tuned model.

# %%
adapter_dir, full_dir = workdir / "lora-adapter", workdir / "full-model"
lora_model.save_pretrained(adapter_dir)
full_model.save_pretrained(full_dir)


def folder_mb(folder):
    return sum(f.stat().st_size for f in folder.iterdir()) / 1e6


adapter_mb, full_mb = folder_mb(adapter_dir), folder_mb(full_dir)
print(sorted(f.name for f in adapter_dir.iterdir()))
print(f"adapter {adapter_mb:.1f} MB, full model {full_mb:.1f} MB ({adapter_mb / full_mb:.1%})")
assert {"adapter_config.json", "adapter_model.safetensors"} <= {f.name for f in adapter_dir.iterdir()}
assert adapter_mb < full_mb / 10

# %% [markdown]
# To use it, load the base model again and put the adapter on top with `PeftModel.from_pretrained`. It
# must give the trained model's logits. `merge_and_unload()` then folds each `(alpha / r) B A` into its
# `W`, as in the first section, and returns a plain `transformers` model with no LoRA layers left: the
# same logits again, at the original model's speed.

# %%
from peft import PeftModel

sample = collator([{k: tokenized["test"][i][k] for k in ("input_ids", "attention_mask")} for i in range(8)])
sample = {k: v.to(lora_model.device) for k, v in sample.items()}
reloaded = PeftModel.from_pretrained(new_model(), adapter_dir).to(lora_model.device)
lora_model.eval()
reloaded.eval()
with torch.no_grad():
    trained_logits = lora_model(**sample).logits.float()
    reloaded_logits = reloaded(**sample).logits.float()
merged = reloaded.merge_and_unload()
with torch.no_grad():
    merged_logits = merged(**sample).logits.float()
assert torch.allclose(reloaded_logits, trained_logits, atol=1e-4)
assert torch.allclose(merged_logits, reloaded_logits, atol=1e-4)
assert type(merged).__name__ == "DistilBertForSequenceClassification"
assert not any("lora_" in name for name, _ in merged.named_parameters())
print(f"largest difference merged vs adapter: {(merged_logits - reloaded_logits).abs().max():.2e}")

# %% [markdown]
# Keep the adapter (a few MB) when you serve several tasks from one base model, switching adapters as
# needed; merge when you deploy one task and want no extra work per token.

# %%
# free the classifiers' memory before the next part: the language model's training needs several GB
del full_model, frozen_model, lora_model, lora_base, reloaded, merged
gc.collect()

# %% [markdown]
# ## Instruction tuning: from a base model to an assistant
#
# `HuggingFaceTB/SmolLM2-135M` is a *base* model: trained to continue text, not to answer. Supervised
# fine-tuning (SFT) on conversations teaches it to answer in a chat format. Its weights are stored in bf16;
# for training we load them in fp32 (`choose_dtype(..., training=True)` says why) and let mixed precision
# speed up the GPU's matrix products.

# %%
from transformers import AutoModelForCausalLM

LM_ID = "HuggingFaceTB/SmolLM2-135M"
lm_dtype = nlpcourse.choose_dtype(env.device, training=True)
print(f"loading in {lm_dtype.name}: {lm_dtype.reason}")
lm_tokenizer = AutoTokenizer.from_pretrained(LM_ID)
lm = AutoModelForCausalLM.from_pretrained(LM_ID, dtype=lm_dtype.dtype).to(env.device)
assert lm.dtype == torch.float32
n_lm = sum(p.numel() for p in lm.parameters())
print(f"{n_lm / 1e6:.1f} M parameters; chat template: {lm_tokenizer.chat_template}")

# %% [markdown]
# A base model has **no chat template**: it was trained on documents, and nothing in its files says what
# a turn looks like (`apply_chat_template` would raise an error). We must pick one before training, and
# the model will learn whatever we pick. Taking the template of the model family's instruct version keeps
# the format that the rest of the ecosystem expects from SmolLM2; trl's `clone_chat_template` copies it
# from `HuggingFaceTB/SmolLM2-135M-Instruct` (only its tokenizer is downloaded), adds any special tokens
# the base lacks, and makes the end of a turn, `<|im_end|>`, the token that ends generation. SmolLM2's
# vocabulary already has ChatML's markers, so no embedding rows are added.

# %%
from trl import clone_chat_template

assert lm_tokenizer.chat_template is None
vocab_before = len(lm_tokenizer)
lm, lm_tokenizer, added_tokens = clone_chat_template(lm, lm_tokenizer, "HuggingFaceTB/SmolLM2-135M-Instruct")
lm_tokenizer.pad_token = lm_tokenizer.eos_token  # the base model has no padding token
IM_END = lm_tokenizer.convert_tokens_to_ids("<|im_end|>")
assert added_tokens == [] and len(lm_tokenizer) == vocab_before
assert lm_tokenizer.eos_token == "<|im_end|>" and lm.generation_config.eos_token_id == IM_END
print(lm_tokenizer.apply_chat_template([{"role": "user", "content": "Hello!"},
                                        {"role": "assistant", "content": "Hi."}], tokenize=False))

# %% [markdown]
# ### An instruction dataset from the course data
#
# Four tasks, each written as a user message and the answer we want from the assistant: summarise an
# article (`load_articles`), translate a sentence into French (`load_translations`), answer a question
# with a span of a paragraph (`load_qa`) and name a review's sentiment (`load_reviews`). A held-out part of
# each task is kept for scoring: the last articles and translations, the questions about paragraphs the
# training part never shows, and reviews from the test split.
#
# Training time grows with the tokens of every example. As a conversation, an article with its summary is
# about 370 tokens, a question with its paragraph about 140 and a review about 60 (medians, SmolLM2's
# tokenizer). The CPU plan therefore gives the model only the first 80 words of each article
# (the lead, where news puts its main facts), 24 training examples, and scores 3 held-out examples of
# each task; the full plan gets whole articles and every example.

# %%
from nlpcourse.data import load_articles, load_qa, load_translations

ARTICLE_WORDS = plan.pick(None, 80)  # CPU plan: each article's first 80 words


def chat(user, answer, task, **extra):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}],
            "task": task, **extra}


def summary_example(row):
    article = " ".join(row["article"].split()[:ARTICLE_WORDS]) if ARTICLE_WORDS else row["article"]
    return chat(f"Summarize this article in one or two sentences.\n\n{article}", row["summary"], "summary")


def translation_example(row):
    return chat(f"Translate into French: {row['en']}", row["fr"][0], "translation")


def qa_example(row):
    return chat(f"Answer with a short phrase from the text.\n\nText: {row['context']}\n\n"
                f"Question: {row['question']}", row["answers"]["text"][0], "qa", id=row["id"])


def sentiment_example(row):
    return chat(f"Is this review positive or negative? Answer with one word.\n\n{row['text']}",
                label_names[row["label"]], "sentiment")


articles, translations, qa = load_articles()["test"], load_translations()["test"], load_qa()["test"]
contexts = sorted(set(qa["context"]))
held_contexts = set(contexts[::8])  # every eighth paragraph and all its questions are held out
qa_rows = list(qa)
n_articles, n_translations = len(articles) - 4, len(translations) - 8
train_examples = (
    [summary_example(r) for r in articles.select(range(n_articles))]
    + [translation_example(r) for r in translations.select(range(n_translations))]
    + [qa_example(r) for r in qa_rows if r["context"] not in held_contexts]
    + [sentiment_example(r) for r in reviews["train"].shuffle(seed=env.seed).select(range(200))]
)
held_examples = (
    [summary_example(r) for r in articles.select(range(n_articles, len(articles)))]
    + [translation_example(r) for r in translations.select(range(n_translations, len(translations)))]
    + [qa_example(r) for r in qa_rows if r["context"] in held_contexts]
    + [sentiment_example(r) for r in reviews["test"].shuffle(seed=env.seed).select(range(8))]
)
assert not {e["messages"][0]["content"] for e in train_examples} & {e["messages"][0]["content"]
                                                                    for e in held_examples}


def first_of_each(examples, per_task):
    """The first ``per_task[task]`` examples of each task, task by task."""
    return [e for task, n in per_task.items() for e in [e for e in examples if e["task"] == task][:n]]


if not plan.full:  # the CPU plan: fewer examples of each task, to train on and to score
    per_task = {"summary": 2, "translation": 8, "qa": 4, "sentiment": 10}
    train_examples = first_of_each(train_examples, per_task)
    held_examples = first_of_each(held_examples, dict.fromkeys(per_task, 3))
    print(f"CPU plan: {len(train_examples)} training examples ({per_task}), {len(held_examples)} held "
          f"out, articles cut to their first {ARTICLE_WORDS} words; the full plan uses all of them, with "
          "whole articles")
print(pd.Series([e["task"] for e in train_examples]).value_counts().to_dict(), "for training;",
      pd.Series([e["task"] for e in held_examples]).value_counts().to_dict(), "held out")
train_examples[1]["messages"]

# %% [markdown]
# With the chat template applied, one training example is one string. The model should learn to write
# only the part after `<|im_start|>assistant`: the user's message is given, not something to imitate.

# %%
print(lm_tokenizer.apply_chat_template(train_examples[len(train_examples) - 1]["messages"], tokenize=False))

# %% [markdown]
# ### Loss on the assistant's tokens only
#
# `trl` offers two ways to compute the loss on the answer alone:
#
# - a dataset in the *messages* format (`{"messages": [...]}`) with `SFTConfig(assistant_only_loss=True)`.
#   It needs a chat template that marks the assistant's part with `{% generation %}` ... `{% endgeneration
#   %}`, which SmolLM2's template does not have (checked below); trl patches only the templates of some
#   model families;
# - the *prompt-completion* format: `prompt` is the conversation so far and `completion` the assistant's
#   message, both as lists of messages. `SFTTrainer` renders both with the chat template and computes the
#   loss on the completion only (`completion_only_loss`, on by default for this format). It works with any
#   template, so we split each conversation into that form.

# %%
from datasets import Dataset
from trl.chat_template_utils import has_generation_markers


def to_prompt_completion(example):
    return {"prompt": example["messages"][:-1], "completion": example["messages"][-1:]}


print("generation markers in SmolLM2's template:", has_generation_markers(lm_tokenizer.chat_template))
keep = ["prompt", "completion"]

sft_train = Dataset.from_list([to_prompt_completion(e) for e in train_examples]).select_columns(keep)
sft_held = Dataset.from_list([to_prompt_completion(e) for e in held_examples]).select_columns(keep)
assert sft_train[0]["completion"][0]["role"] == "assistant"
sft_train

# %% [markdown]
# ### The same prompts, before training
#
# Greedy decoding, stopping at `<|im_end|>`. The base model has never seen this format: expect it to
# continue the text rather than answer.

# %%
from tqdm.auto import tqdm

MAX_NEW = {"summary": 48, "translation": 32, "qa": 12, "sentiment": 3}


def answer_all(model, examples, desc):
    """Greedy answers to each example's user message, one batch per task."""
    lm_tokenizer.padding_side = "left"  # generation continues at the right end of every row
    model.eval()
    answers = [None] * len(examples)
    for task, max_new in tqdm(MAX_NEW.items(), desc=desc):
        idx = [i for i, e in enumerate(examples) if e["task"] == task]
        prompts = [examples[i]["messages"][:-1] for i in idx]
        inputs = lm_tokenizer.apply_chat_template(prompts, add_generation_prompt=True, padding=True,
                                                  return_tensors="pt", return_dict=True).to(model.device)
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=max_new, do_sample=False, eos_token_id=[IM_END],
                                 pad_token_id=lm_tokenizer.pad_token_id)
        new_tokens = out[:, inputs["input_ids"].shape[1]:]
        for i, text in zip(idx, lm_tokenizer.batch_decode(new_tokens, skip_special_tokens=True), strict=True):
            answers[i] = text.strip()
    lm_tokenizer.padding_side = "right"
    return answers


print(f"Answering {len(held_examples)} held-out prompts, greedy, at most {max(MAX_NEW.values())} new tokens")
before = answer_all(lm, held_examples, "before")
assert all(isinstance(a, str) for a in before)

# %% [markdown]
# ### Scoring with the metrics of 07
#
# ROUGE for the summaries (and the translations, for a rough overlap score), exact match and word F1 from
# `squad` for the questions, accuracy for the sentiment answers.

# %%
import evaluate

rouge = evaluate.load("rouge")
squad = evaluate.load("squad")


def scores(answers):
    by_task = {}
    for task in MAX_NEW:
        by_task[task] = [(e, a) for e, a in zip(held_examples, answers, strict=True) if e["task"] == task]
    preds = {task: [a for _, a in pairs] for task, pairs in by_task.items()}
    refs = {task: [e["messages"][-1]["content"] for e, _ in pairs] for task, pairs in by_task.items()}
    qa_scores = squad.compute(
        predictions=[{"id": e["id"], "prediction_text": a} for e, a in by_task["qa"]],
        references=[{"id": e["id"], "answers": {"text": [e["messages"][-1]["content"]], "answer_start": [0]}}
                    for e, _ in by_task["qa"]],
    )
    return {
        "summary ROUGE-L": rouge.compute(predictions=preds["summary"], references=refs["summary"])["rougeL"],
        "translation ROUGE-L": rouge.compute(predictions=preds["translation"],
                                             references=refs["translation"])["rougeL"],
        "QA exact match": qa_scores["exact_match"] / 100,
        "QA F1": qa_scores["f1"] / 100,
        "sentiment accuracy": np.mean([p.lower().strip(" .") == r for p, r in
                                       zip(preds["sentiment"], refs["sentiment"], strict=True)]),
    }


before_scores = scores(before)
assert all(0 <= v <= 1 for v in before_scores.values())
before_scores

# %% [markdown]
# ### SFTConfig and SFTTrainer with LoRA
#
# `SFTConfig` extends `TrainingArguments`. Its defaults differ in ways that matter here: it turns on
# gradient checkpointing (saves memory, costs time; off for a model this small) and bf16 unless told
# otherwise, so the plan's precision is passed explicitly, as before. `max_length` truncates the rendered
# conversations. Passing `peft_config` makes `SFTTrainer` wrap the model with LoRA itself; `"all-linear"`
# targets every linear layer except the output head. Older tutorials pass `max_seq_length`,
# `dataset_text_field` with a formatting function and `DataCollatorForCompletionOnlyLM`; current trl
# releases call it `max_length` and do the masking themselves for prompt-completion data.
#
# A batch is padded to its longest example, so one long article in a batch of short questions makes every
# row cost as much as the article. `train_sampling_strategy="group_by_length"` (called `group_by_length=True`
# before transformers 5) batches examples of similar length together, for training and evaluation.
#
# The CPU plan trains one epoch in batches of 4, to keep the memory within a laptop's; the full plan
# trains three epochs in batches of 8. `plan.shared_kwargs(seed=..., **settings)` gives the settings every
# run of the course shares (as `plan.training_args` does for `TrainingArguments`, which `SFTConfig`
# extends), with this run's own on top.

# %%
from trl import SFTConfig, SFTTrainer

SFT_EPOCHS = plan.pick(3, 1)
sft_args = SFTConfig(
    output_dir=str(workdir / "sft"),
    **plan.shared_kwargs(
        seed=env.seed,
        max_length=512,
        num_train_epochs=SFT_EPOCHS,
        # a step's memory grows with the batch: for this model, with 170-token examples on a CPU, about 4 GB
        # at batch 4 and 7 GB at batch 8
        per_device_train_batch_size=plan.pick(8, 4),
        per_device_eval_batch_size=plan.pick(8, 4),
        train_sampling_strategy="group_by_length",
        learning_rate=1e-3,
        logging_steps=2,
        completion_only_loss=True,
        gradient_checkpointing=False,
        eval_strategy="no",
        save_strategy="no",
    ),
)
assert sft_args.bf16 == plan.precision.bf16  # SFTConfig alone would turn bf16 on
sft_lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear",
                      task_type=TaskType.CAUSAL_LM)
sft_trainer = SFTTrainer(model=lm, args=sft_args, train_dataset=sft_train, eval_dataset=sft_held,
                         processing_class=lm_tokenizer, peft_config=sft_lora)
sft_trainer.model.print_trainable_parameters()
print(f"{SFT_EPOCHS} epoch(s) on {len(sft_train)} examples, sequences cut at {sft_args.max_length} tokens")

# %% [markdown]
# Look at one collated batch: the labels are `-100` (ignored by the loss) everywhere except on the
# assistant's answer and the `<|im_end|>` that closes it, so the model also learns to stop.

# %%
first_of_task = [next(i for i, e in enumerate(train_examples) if e["task"] == task) for task in MAX_NEW]
batch = sft_trainer.data_collator([sft_trainer.train_dataset[i] for i in first_of_task])
for i, ids, labels in zip(first_of_task, batch["input_ids"], batch["labels"], strict=True):
    kept = lm_tokenizer.decode(ids[labels != -100])  # the training set keeps the order of train_examples
    assert kept == train_examples[i]["messages"][-1]["content"] + "<|im_end|>\n", kept
    assert torch.equal(labels[labels != -100], ids[labels != -100])
print(f"labelled tokens in this batch: {(batch['labels'] != -100).sum().item()} "
      f"of {batch['attention_mask'].sum().item()}")
print(repr(kept))

# %% [markdown]
# Train. The loss on the held-out conversations (answers only) is measured before and after; the training
# loss, logged every two steps on different batches, is noisier.

# %%
loss_before = sft_trainer.evaluate()["eval_loss"]
t0 = time.perf_counter()
sft_trainer.train()
sft_seconds = time.perf_counter() - t0
loss_after = sft_trainer.evaluate()["eval_loss"]
train_losses = [row["loss"] for row in sft_trainer.state.log_history if "loss" in row]
print(f"held-out loss {loss_before:.3f} -> {loss_after:.3f}; training took {sft_seconds:.0f} s; "
      f"training loss {train_losses[0]:.3f} -> {train_losses[-1]:.3f}")
assert loss_after < loss_before

# %% [markdown]
# ### The same prompts, after training

# %%
after = answer_all(sft_trainer.model, held_examples, "after")
after_scores = scores(after)
comparison = pd.DataFrame({"before": before_scores, "after": after_scores})
for e, b, a in list(zip(held_examples, before, after, strict=True))[::6]:
    print(f"[{e['task']}] reference: {e['messages'][-1]['content'][:80]!r}\n"
          f"   before: {b[:80]!r}\n   after:  {a[:80]!r}")
assert all(0 <= v <= 1 for v in after_scores.values())
comparison.round(3)

# %% [markdown]
# Read the scores for what they measured: a few held-out examples of each task (3 in the CPU plan), a
# model trained for one short epoch on a few examples (24 in the CPU plan, a few hundred in the full
# one). The format (short answers that stop at `<|im_end|>`) is learned first; content needs far more data
# and a larger model. The printed answers show which of the two happened.

# %% [markdown]
# ### Save, reload and merge the assistant's adapter
#
# The assistant is the base model plus the adapter `SFTTrainer` trained. As with the classifier, the
# `PeftModel`'s `save_pretrained` writes only the adapter: `adapter_config.json` (the `LoraConfig`, with
# the base model's id) and `adapter_model.safetensors` (every `A` and `B`). Compare it with the base model's
# weights in fp32, as they were trained:

# %%
sft_model = sft_trainer.model  # SmolLM2 with LoRA layers in every linear layer
sft_dir = workdir / "sft-adapter"
sft_model.save_pretrained(sft_dir)
sft_files = {f.name: f.stat().st_size / 1e6 for f in sorted(sft_dir.iterdir())}
sft_adapter_mb, lm_mb = sum(sft_files.values()), 4 * n_lm / 1e6
print({name: f"{mb:.2f} MB" for name, mb in sft_files.items()})
print(f"adapter {sft_adapter_mb:.1f} MB, base model {lm_mb:.0f} MB in fp32 ({sft_adapter_mb / lm_mb:.1%})")
assert {"adapter_config.json", "adapter_model.safetensors"} <= set(sft_files)
assert sft_adapter_mb < lm_mb / 10

# %% [markdown]
# To use it elsewhere, load the base model fresh and put the adapter on it with `PeftModel.from_pretrained`:
# it must hold exactly the trained matrices (`get_peft_model_state_dict` lists them). Then
# `merge_and_unload()` folds each update into its weight; the merged model must give the adapter model's
# next-token logits on the same conversations, in fp32 up to rounding (`W + (alpha / r) B A` is summed once
# instead of on every forward pass).

# %%
from peft import get_peft_model_state_dict
from peft.tuners.lora import LoraLayer

fresh_lm = AutoModelForCausalLM.from_pretrained(LM_ID, dtype=lm_dtype.dtype)
assert fresh_lm.get_input_embeddings().weight.shape == sft_model.get_input_embeddings().weight.shape
reloaded_lm = PeftModel.from_pretrained(fresh_lm, sft_dir).to(env.device)
trained_state, reloaded_state = get_peft_model_state_dict(sft_model), get_peft_model_state_dict(reloaded_lm)
assert trained_state.keys() == reloaded_state.keys()
assert all(torch.equal(trained_state[k].cpu(), reloaded_state[k].cpu()) for k in trained_state)
conversations = [e["messages"] for e in first_of_each(held_examples, dict.fromkeys(MAX_NEW, 1))]
rows = lm_tokenizer.apply_chat_template(conversations, padding=True, return_tensors="pt",
                                        return_dict=True).to(env.device)
reloaded_lm.eval()
with torch.no_grad():
    adapter_logits = reloaded_lm(**rows).logits
merged_lm = reloaded_lm.merge_and_unload()
with torch.no_grad():
    merged_lm_logits = merged_lm(**rows).logits
mask = rows["attention_mask"].bool()  # compare the real tokens, not the padding
merge_gap = (merged_lm_logits - adapter_logits)[mask].abs().max().item()
print(f"{len(trained_state)} adapter tensors reloaded; {type(merged_lm).__name__}, largest difference "
      f"merged vs adapter: {merge_gap:.1e} (logits up to {adapter_logits[mask].abs().max():.0f})")
assert adapter_logits.dtype == merged_lm_logits.dtype == torch.float32
assert torch.allclose(merged_lm_logits[mask], adapter_logits[mask], atol=1e-3)
assert not any(isinstance(m, LoraLayer) for m in merged_lm.modules())
assert not any("lora_" in name for name, _ in merged_lm.named_parameters())

# %% [markdown]
# Merge for serving one task: the merged model is a plain `transformers` model that any inference server
# loads, with no extra work per token. Keep the adapter when one base model serves many tasks or customers:
# each adapter is a few MB, and peft loads several on one base (`load_adapter`) and switches between them
# (`set_adapter`) without a second copy of the base weights.

# %% [markdown]
# ## When to use what
#
# The measured costs of this notebook, on this machine:

# %%
costs = table[["trainable parameters", "train seconds", "test accuracy"]].copy()
costs.loc["LoRA", "saved size MB"] = adapter_mb
costs.loc["full fine-tuning", "saved size MB"] = full_mb
costs

# %% [markdown]
# - **Prompting** (notebook 10): no training and no labelled data, only a capable instruction-tuned model
#   and a good prompt. Try it first; its cost is per request (long prompts, a large model).
# - **LoRA**: a few percent of the parameters, an adapter of a few MB per task, one base model for many
#   tasks; within a few points of full fine-tuning on most tasks. The default when prompting is not enough
#   and you have a few hundred labelled examples or more, and the only way to adapt a model that does not
#   fit in memory with its optimizer state. (QLoRA goes further: the frozen base model in 4 bits.)
# - **Full fine-tuning**: every weight moves; the most accurate when you have much data and the hardware,
#   and a full model copy per task.
# - **Frozen encoder**: cheapest to train, a fixed feature extractor; good when the features already fit.

# %% [markdown]
# ## Summary
#
# - LoRA keeps `W` frozen and learns `ΔW = (alpha / r) B A` with `r · (in + out)` parameters per layer; `B`
#   starts at zero, so training starts from the original model.
# - `LoraConfig(r, lora_alpha, target_modules, modules_to_save, task_type)` and `get_peft_model` wrap any
#   `transformers` model; `print_trainable_parameters` shows the share it trains.
# - New layers (a classification head) go in `modules_to_save`; they train in full and are saved with the
#   adapter.
# - `save_pretrained` writes a small adapter; `PeftModel.from_pretrained(base, folder)` reloads it;
#   `merge_and_unload` folds it into the weights with the same outputs.
# - Instruction tuning is fine-tuning on conversations rendered with the chat template; the loss belongs on
#   the assistant's tokens (prompt-completion data, or `assistant_only_loss` with a `{% generation %}`
#   template).
# - `SFTTrainer(model, args=SFTConfig(...), train_dataset, processing_class, peft_config)` does the
#   rendering, masking and LoRA wrapping.

# %% [markdown]
# ## Exercises
#
# **1 (easy).** Count by formula: how many parameters does LoRA with rank `r = 8` train on the query and
# value projections (`q_proj`, `v_proj`) of every layer of the real `HuggingFaceTB/SmolLM2-135M`? It has 30
# layers, 576 wide; `q_proj` maps 576 -> 576 and `v_proj` 576 -> 192 (3 key-value heads of 64, shared by
# the 9 query heads). Only the LoRA matrices.

# %%
from nlpcourse.exercises.ch11 import check_lora_parameters

answer = ...
check_lora_parameters(answer)

# %% tags=["solution"]
answer = 30 * (8 * (576 + 576) + 8 * (576 + 192))
assert check_lora_parameters(answer)

# %% [markdown]
# **2.** Write `merge_lora(W, A, B, alpha, r)` that returns the merged weight `W + (alpha / r) B A` for
# tensors `W` of shape `(out, in)`, `A` of shape `(r, in)` and `B` of shape `(out, r)`.

# %%
from nlpcourse.exercises.ch11 import check_merge_lora

answer = ...  # your function merge_lora(W, A, B, alpha, r)
check_merge_lora(answer)


# %% tags=["solution"]
def merge_lora(W, A, B, alpha, r):
    return W + (alpha / r) * B @ A


answer = merge_lora
assert check_merge_lora(answer)

# %% [markdown]
# **3.** Choose target modules: write `attention_targets(model)` that returns the sorted short names
# (the last part of the module name, as `target_modules` takes them) of the `nn.Linear` layers inside the
# model's attention blocks. The checker tries it on a small DistilBERT and a small Llama; look at
# `model.named_modules()` first.

# %%
from nlpcourse.exercises.ch11 import check_attention_targets

answer = ...  # your function attention_targets(model)
check_attention_targets(answer)


# %% tags=["solution"]
def attention_targets(model):
    names = {name.split(".")[-1] for name, module in model.named_modules()
             if isinstance(module, nn.Linear) and ("attention" in name or "self_attn" in name)}
    return sorted(names)


answer = attention_targets
assert check_attention_targets(answer)

# %% [markdown]
# **4 (stretch).** Mask the prompt: write `mask_prompt(input_ids, prompt_length)` that returns the labels
# for one tokenized prompt + answer: `-100` for the first `prompt_length` positions (the prompt), the token
# ids themselves for the rest. The model shifts labels by one position internally; do not shift them.

# %%
from nlpcourse.exercises.ch11 import check_mask_prompt

answer = ...  # your function mask_prompt(input_ids, prompt_length)
check_mask_prompt(answer)


# %% tags=["solution"]
def mask_prompt(input_ids, prompt_length):
    return [-100] * prompt_length + list(input_ids[prompt_length:])


answer = mask_prompt
assert check_mask_prompt(answer)

# %% [markdown]
# ## Further reading
#
# - Hu et al. (2021), LoRA: Low-Rank Adaptation of Large Language Models: https://arxiv.org/abs/2106.09685
# - PEFT documentation, LoRA: https://huggingface.co/docs/peft/developer_guides/lora
# - TRL documentation, SFT Trainer: https://huggingface.co/docs/trl/sft_trainer
# - TRL dataset formats (messages, prompt-completion): https://huggingface.co/docs/trl/dataset_formats
# - Dettmers et al. (2023), QLoRA: https://arxiv.org/abs/2305.14314
# - Hugging Face LLM course, chapter 11 (fine-tuning LLMs): https://huggingface.co/learn/llm-course/chapter11
# - smol-course (instruction tuning SmolLM2): https://github.com/huggingface/smol-course
