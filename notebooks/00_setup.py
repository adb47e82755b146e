# %% [markdown]
# # 00 · Setup: your environment, device and the course map
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/00_setup.ipynb
#
# Every later notebook starts with the same first code cell. It installs the course package where
# needed (Colab), picks the fastest device your machine has, makes random numbers repeatable and tells
# you whether the Hugging Face Hub can be reached. This notebook runs that cell and explains each line
# of what it prints, so that a warning later ("No GPU found", "Hub unreachable") means something to you.
#
# **You will learn**
# - how to run the course locally (venv or conda), in Google Colab and in a classroom;
# - how the course chooses between a GPU (`cuda`, `mps`) and the CPU, and what a CPU run costs;
# - how to check that every package, NLTK resource and spaCy model is installed (`doctor`);
# - what offline use means and how `python -m nlpcourse download` prepares for it.
#
# **Prerequisites:** Python basics. No earlier notebook.
#
# **Runtime:** about 7 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak memory
# about 515 MB; on a GPU not measured yet. **Download:** nothing.

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
# ## What the course covers
#
# The notebooks build on each other but each one runs on its own, top to bottom, in a fresh kernel.
#
# | Notebook | What you do |
# |---|---|
# | 00 Setup | check the environment (this notebook) |
# | 01 Tokenization | text to tokens to ids and back; WordPiece, BPE, SentencePiece; train a tokenizer |
# | 02 Text cleaning | NLTK and spaCy: stop words, stemming, lemmas, entities; when not to clean |
# | 03 Pipelines | `pipeline()` for sentiment, NER, zero-shot, fill-mask, generation, features |
# | 04 Manual inference | tokenizer -> model -> logits -> probabilities -> label, by hand |
# | 05 Transformer internals | attention from scratch, masks, positions, parameter counts |
# | 06 Fine-tuning | `datasets`, `Trainer` and an Accelerate loop on the course reviews |
# | 07 Evaluation | `evaluate`: accuracy and F1, perplexity, BLEU, ROUGE, METEOR, safety |
# | 08 Pre-training | a small GPT trained from scratch on the course corpus: the whole training loop |
# | 09 Task fine-tuning | named entities and extractive question answering: labels, spans, baselines |
# | 10 LLMs in practice | chat templates, decoding settings, zero/one/few-shot prompting, JSON output |
# | 11 Adapting LLMs | LoRA with `peft` against full fine-tuning; instruction tuning with `trl` |
# | 12 Retrieval and RAG | sentence embeddings, FAISS and BM25 search, answers from retrieved passages |
# | 13 Share your model | a model card with honest metrics, the Hub, a Gradio demo and a Space |
# | 14 Training beyond one notebook | the loop as a script: `accelerate launch`, 2 processes, resuming |

# %% [markdown]
# ## What `setup()` returned
#
# `setup()` printed a few lines and returned an object. Its `device` is the string every later notebook
# passes to models and pipelines (`model.to(env.device)`, `pipeline(..., device=env.device)`), so no
# notebook ever hard-codes `"cuda"`.

# %%
env

# %% [markdown]
# The device is chosen in a fixed order: `cuda` (an NVIDIA GPU), then `mps` (the GPU of an Apple
# silicon Mac, with torch 2.4 or newer), then `cpu`. The same choice is available on its own:

# %%
import torch

device = nlpcourse.pick_device()
assert device == env.device
assert device in {"cuda", "mps", "cpu"}
device

# %% [markdown]
# A quick proof that the device works: create a tensor there and compute with it. On a GPU the
# result lives in GPU memory until you move it back with `.cpu()`.

# %%
x = torch.arange(6, dtype=torch.float32, device=device).reshape(2, 3)
y = x @ x.T
assert y.device.type == device
assert torch.allclose(y.cpu(), torch.tensor([[5.0, 14.0], [14.0, 50.0]]), atol=1e-5)  # floats: a tolerance
y

# %% [markdown]
# On a CPU everything in this course still runs; it is slower, not different. Each notebook's title
# cell gives its measured CPU time. In Colab, *Runtime > Change runtime type > T4 GPU* gives you a free GPU.
# An instructor can force a device for a whole class by setting an environment variable before starting
# Jupyter, for example `NLPCOURSE_DEVICE=cpu make lab`.

# %% [markdown]
# ## Seeds: the same random numbers every run
#
# `setup()` seeded Python's, NumPy's and torch's generators with `env.seed`. Seeding again with the
# same number repeats the same draws, which is what makes the course's sampled outputs reproducible.

# %%
from nlpcourse.core import seed_everything

seed_everything(env.seed)
first = torch.rand(3)
seed_everything(env.seed)
again = torch.rand(3)
assert torch.equal(first, again)  # no arithmetic to round: the generator repeats its draws bit for bit
first

# %% [markdown]
# ## Versions
#
# The course targets the current major releases: transformers 5, datasets 5, torch 2. Tutorials written
# for transformers 4 use names that no longer exist; each notebook points them out where they matter.

# %%
from packaging.version import Version

versions = env.versions
assert Version(versions["transformers"]).major == 5
assert Version(versions["datasets"]).major == 5
assert Version(versions["torch"]).major == 2
versions

# %% [markdown]
# ## Is everything installed? The doctor
#
# `python -m nlpcourse doctor` (or `make doctor`) lists each package with its version, each NLTK
# resource and the spaCy model, and prints the exact command that fixes anything missing. Here are the
# package checks as a table:

# %%
import pandas as pd

from nlpcourse import doctor

checks = doctor.package_checks()
table = pd.DataFrame(checks)
table

# %%
problems = table[~table.ok]
assert problems.empty, f"fix these first:\n{problems[['name', 'found', 'fix']].to_string()}"
assert {"transformers", "datasets", "evaluate", "nltk", "spacy"} <= set(table.name)

# %% [markdown]
# ## Online, offline and `download`
#
# Models, tokenizers and metric scripts come from the Hugging Face Hub the first time you use them and
# are cached on disk (`~/.cache/huggingface` by default). Three situations:
#
# - **Online**: everything downloads on first use. The course keeps each checkpoint small (most under
#   500 MB) so a class of 30 can share one Wi-Fi.
# - **Offline with a cache**: after `python -m nlpcourse download` (or `make download`) on a good
#   connection, every model, NLTK resource and spaCy model the course uses is on disk. Setting
#   `HF_HUB_OFFLINE=1` then makes the libraries use the cache without trying the network.
# - **Offline without a cache**: the course datasets in `data/` and everything that needs no model
#   (tokenizer training, attention from scratch, NLTK's rule-based tools) still work.
#
# `env.hub` says which case this kernel is in:

# %%
from nlpcourse.core import HUB_MESSAGES

assert env.hub in HUB_MESSAGES
print(env.hub, "->", HUB_MESSAGES[env.hub])

# %% [markdown]
# ## Running the course
#
# **Locally with venv (Linux, macOS, WSL).** From the repository folder:
#
# ```bash
# make lab      # creates .venv/, installs everything, opens JupyterLab on notebooks/
# make test     # runs every test and every notebook, offline, on CPU
# ```
#
# **With conda.** `conda env create -f environment.yml`, `conda activate nlpcourse`, then
# `jupyter lab notebooks`.
#
# **With plain pip.** `python -m venv .venv`, activate it, `pip install -r requirements.txt`.
#
# **In Google Colab.** Open a notebook with its *Open in Colab* badge. The setup cell installs the course
# package on its own; switch to a GPU runtime for the training chapters.
#
# **In class.** Run `make download` on each machine (or once, then copy `~/.cache/huggingface`) before
# the session; `make student` writes copies of the notebooks without solutions to `build/student/`.

# %% [markdown]
# ## Where to get help
#
# - `python -m nlpcourse doctor` for anything that does not import or load.
# - The README's *Troubleshooting* section lists the errors learners meet most and their fixes.
# - The official documentation: transformers, datasets, tokenizers, evaluate (links below).

# %% [markdown]
# ## Summary
#
# - Every notebook starts with `env = nlpcourse.setup()`: device, seeds, versions and Hub status.
# - `env.device` is `cuda`, `mps` or `cpu`, in that order of preference; pass it on, never hard-code it.
# - Seeding with `env.seed` makes random draws repeat from run to run.
# - `python -m nlpcourse doctor` names what is missing and the command that fixes it.
# - `python -m nlpcourse download` caches everything the course uses for offline work or a class.

# %% [markdown]
# ## Further reading
#
# - Hugging Face Transformers installation: https://huggingface.co/docs/transformers/installation
# - Offline mode and the cache: https://huggingface.co/docs/huggingface_hub/guides/manage-cache
# - PyTorch devices (CUDA, MPS): https://pytorch.org/docs/stable/notes/mps.html
# - Google Colab GPUs: https://research.google.com/colaboratory/faq.html
