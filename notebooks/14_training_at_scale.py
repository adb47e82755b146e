# %% [markdown]
# # 14 · Training beyond one notebook: a script, `accelerate launch`, checkpoints and resuming
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/14_training_at_scale.ipynb
#
# A notebook is the place to try things; a real training run outgrows it. It runs for hours on a machine
# with no browser, on several GPUs or several machines at once, and it must survive being stopped: a
# preempted cloud instance, a time limit on a cluster, a crash at step 9,000. The code that does this is
# the loop you wrote in chapter 06, moved into a script and started by a launcher. This notebook runs that
# script the way you would in a terminal: on one process, on two processes that split every batch, stopped
# on purpose and resumed, and with gradient accumulation, and checks each time that the result is the
# same training.
#
# **You will learn**
# - how chapter 06's Accelerate loop becomes a script with `argparse`, started by `python -m` or
#   `accelerate launch`;
# - what data parallelism changes: each process trains on its share of every batch, gradients are
#   averaged, only the main process writes; and that two processes reach the same weights as one;
# - why two processes on a 2-core CPU are not twice as fast;
# - checkpoints with `accelerator.save_state` and resuming with `load_state` and `skip_first_batches`,
#   ending with the weights of an uninterrupted run;
# - gradient accumulation with `accelerator.accumulate`, equal to the larger batch;
# - what the same command becomes on several GPUs, several machines, with mixed precision, DeepSpeed or FSDP.
#
# **Prerequisites:** 06 (fine-tuning, the Accelerate loop).
#
# **On any device** the notebook trains the same small setting: `sentence-transformers/all-MiniLM-L6-v2`
# (6 layers, 22 M parameters, 92 MB download) with a new classification head, two epochs on 128 of the
# course's training reviews, five times, each run a separate process with one CPU thread. The lesson is
# the mechanics, not the accuracy, and the mechanics are the same for a model a thousand times larger.
#
# **Runtime:** about 76 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 2.8 GB; on a GPU not measured yet. **Download:** 92 MB the first time, or ahead with
# `python -m nlpcourse download 14`.

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
# ## 1. From notebook to script
#
# Chapter 06 trained with a loop of its own: `prepare`, then for each batch the forward pass, `backward`,
# clipping, an optimizer step, a schedule step and `zero_grad`. That loop lives in the course package, in
# `nlpcourse/train_script.py`, as the function `train`; chapter 06 calls it and so does the script. Here it
# is. Three things in it matter only outside a notebook, and this notebook puts each to work:
# `accelerator.accumulate` (section 5), `save_state` every `checkpoint_every` steps (section 4) and
# `start_step` with `skip_first_batches` (section 4). `accelerator.reduce` averages each step's loss over
# the processes, so that a run on two processes logs the numbers one process would.

# %%
import inspect

from nlpcourse import train_script

print(inspect.getsource(train_script.train))


# %% [markdown]
# Around the loop, `main()` does what a notebook does in its first cells: it reads the settings,
# tokenizes the data, builds the model, the optimizer and the schedule, calls `prepare` and `train`, and
# writes what happened to `results.json` in the output folder, with the final model beside it. The
# settings come from the command line through `argparse`, so that the same file runs with other values
# without an edit, and `if __name__ == "__main__": main(sys.argv[1:])` at the end makes
# `python -m nlpcourse.train_script` run it. `--help` lists the options; a wrong value stops with a message
# that names it.

# %%
def show(output):
    """Print a command's output as a terminal shows it: each progress bar in its final state only."""
    for line in output.split("\n"):  # a progress bar redraws itself after "\r": keep its last state
        line = line.rsplit("\r", 1)[-1].rstrip()
        if line:
            print(line)


helped = subprocess.run([sys.executable, "-m", "nlpcourse.train_script", "--help"],
                        capture_output=True, text=True, timeout=120)
show(helped.stdout)
assert helped.returncode == 0
assert "--checkpoint-every" in helped.stdout and "--gradient-accumulation-steps" in helped.stdout

# %%
refused = subprocess.run([sys.executable, "-m", "nlpcourse.train_script", "--output-dir", "x",
                          "--batch-size", "0"], capture_output=True, text=True, timeout=120)
show(refused.stderr)
assert refused.returncode == 2
assert "--batch-size: expected a number of at least 1, got 0" in refused.stderr

# %% [markdown]
# ## 2. Running it: one process, then two
#
# The script fine-tunes `sentence-transformers/all-MiniLM-L6-v2` with a new classification head. Load it
# once here before any launch: the download happens once, into the Hugging Face cache, and the processes
# started below read it from there instead of downloading the same files side by side.

# %%
from transformers import AutoModelForSequenceClassification

CHECKPOINT = "sentence-transformers/all-MiniLM-L6-v2"
n_params = AutoModelForSequenceClassification.from_pretrained(CHECKPOINT, num_labels=2).num_parameters()
print(f"{CHECKPOINT}: {n_params / 1e6:.1f} M parameters with the new head")
assert 20e6 < n_params < 25e6

# %% [markdown]
#
# Every run below is a separate program, started from this notebook with `subprocess` exactly as you would
# start it in a terminal; the cell shows the command and what the program printed. `run` also measures the
# wall time from start to exit, which includes starting Python, importing torch and loading the model.
#
# Each process gets one CPU thread (`OMP_NUM_THREADS=1`): then one process uses one core and two
# processes use two, and two processes never fight over the same cores with several threads each, which
# can make a CPU run many times slower. Each run writes into its own folder under `scratch_dir("14")`, a
# temporary folder that is removed when the kernel stops: copy out what you want to keep.

# %%
import json
import os
import shutil
import signal
import socket
import time

from nlpcourse.paths import scratch_dir

runs_dir = scratch_dir("14")
launch_env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
wall = {}  # run name -> seconds from start to exit


def run(name, command, timeout=600):
    """Run a command, show its output and return the results.json the run wrote."""
    shown = ["accelerate", "launch"] + command[3:] if command[1:3] == ["-m", "accelerate.commands.launch"] \
        else ["python"] + command[1:]
    print("$", " ".join(shown))
    t0 = time.perf_counter()
    # a session of its own, so that a run that hangs can be stopped with every process it started
    with subprocess.Popen(command, env=launch_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, start_new_session=True) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            show(process.communicate()[0])
            raise RuntimeError(f"the {name} run did not finish in {timeout} s and was stopped; "
                               "its output is above") from None
    wall[name] = time.perf_counter() - t0
    show(output)
    if process.returncode != 0:
        raise RuntimeError(f"the {name} run failed with exit code {process.returncode}; its output is above")
    return json.loads((runs_dir / name / "results.json").read_text())


SCRIPT = ["-m", "nlpcourse.train_script", "--checkpoint", CHECKPOINT, "--cpu", "--train-size", "128",
          "--epochs", "2"]
LAUNCH = [sys.executable, "-m", "accelerate.commands.launch", "--num_machines", "1",
          "--mixed_precision", "no", "--dynamo_backend", "no"]
print(f"runs go to {runs_dir}")

# %% [markdown]
# First the plain run: one process, a batch of 16. `accelerate launch --num_processes 1` starts the
# script once, as `python -m` would; the launcher earns its place in the next run. The flags after it
# (`--num_machines 1 --mixed_precision no --dynamo_backend no`) are the defaults, written out so that the
# launcher does not warn about each one. On 2 CPU cores this run takes under a minute.

# %%
one = run("one", LAUNCH + ["--num_processes", "1"] + SCRIPT
          + ["--batch-size", "16", "--output-dir", str(runs_dir / "one")])
assert one["processes"] == 1 and one["finished"]
assert one["steps"] == 2 * 128 // 16

# %% [markdown]
# Now two processes. `--multi_gpu --num_processes 2` picks accelerate's multi-process launcher
# (`torchrun` underneath), which starts the script twice and tells each copy its rank (0 or 1) and where
# to meet the other (`--main_process_port`, a free port on this machine). With the script's `--cpu`, each
# process trains on the CPU and they talk over gloo, PyTorch's CPU backend for collective operations. (The
# launcher's own `--cpu` flag would start a single process: accelerate starts several CPU processes only
# through MPI, with `--mpirun_hostfile`.)
#
# `--batch-size` is per process, so 8 per process gives the same 16 reviews per optimizer step as the run
# above. The script asks accelerate for a seedable sampler: both processes draw the same shuffled order of
# the 128 reviews, and `prepare` gives each process its own half of every batch of 16.

# %%
with socket.socket() as probe:  # a free port for the processes to meet on
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
two = run("two", LAUNCH + ["--multi_gpu", "--num_processes", "2", "--main_process_port", str(port)] + SCRIPT
          + ["--batch-size", "8", "--output-dir", str(runs_dir / "two")])
assert two["processes"] == 2 and two["finished"]

# %% [markdown]
# The script printed one line from each process ("process 0 of 2", "process 1 of 2"), in whichever order
# they came, and everything else once: `accelerator.print` prints on the main process only, and the
# progress bars show only on the main process of each machine (`is_local_main_process`). Here is what
# each run did:

# %%
import pandas as pd

table = pd.DataFrame.from_dict(orient="index", data={
    name: {
        "processes": r["processes"],
        "batch per process": r["batch_size"],
        "batch per step": r["effective_batch_size"],
        "batches per epoch, each process": r["batches_per_epoch_per_process"][0],
        "reviews per epoch, each process": r["batches_per_epoch_per_process"][0] * r["batch_size"],
        "optimizer steps": r["steps"],
        "validation loss": r["eval_loss"],
        "training loop (s)": r["train_seconds"],
        "wall time (s)": wall[name],
    }
    for name, r in {"one": one, "two": two}.items()
})
assert one["effective_batch_size"] == two["effective_batch_size"] == 16
assert two["batches_per_epoch_per_process"] == [8, 8]  # each process: 8 batches of 8, half the reviews
assert one["steps"] == two["steps"]
table

# %% [markdown]
# What happened in the two-process run, step by step:
#
# - each process computed the loss and the gradients on its 8 reviews of the batch;
# - `accelerator.backward` then averaged the gradients of the two processes (an *all-reduce*: every
#   process ends with the same average), which for equal halves is the gradient of the whole batch of 16;
# - each process took the same optimizer step with the same gradient, so the two copies of the model stay
#   identical without ever sending weights;
# - only the main process wrote: `results.json` under `if accelerator.is_main_process`, and the model with
#   `save_pretrained(..., is_main_process=accelerator.is_main_process)`. Two processes writing one file
#   at once can leave it corrupt.
#
# The lines of `main()` that decide who writes:

# %%
for line in inspect.getsource(train_script.main).splitlines():
    if "main_process" in line or "accelerator.print" in line:
        print(line.strip())

# %% [markdown]
# If two processes compute the same training as one, they end with the same loss and the same weights,
# up to rounding. Not bit for bit: floating-point addition depends on the order, and the two runs add in
# different orders (a batch of 16 in one matrix product against two of 8, then the all-reduce). Each step
# differs in the last of float32's 24 bits, about 1e-7 of the value. The per-step losses should agree to
# well within 1e-4. The weights get a looser bound, 1e-3: AdamW divides each gradient by its own running
# size, so where a gradient is zero in exact arithmetic and only rounding noise in practice (an attention
# layer's key bias shifts every score of a query by the same amount, which softmax ignores), the noise is
# turned into steps as large as real ones, up to the learning rate, 1e-4, at each of the 16 steps.

# %%
import numpy as np


def weights(name):
    return AutoModelForSequenceClassification.from_pretrained(runs_dir / name / "model").state_dict()


def largest_difference(a, b):
    """The largest absolute difference between two runs' weights, and the weight where it is."""
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    return max(((wa[k] - wb[k]).abs().max().item(), k) for k in wa)


loss_gap = np.abs(np.array(one["losses"]) - np.array(two["losses"])).max()
weight_gap, where = largest_difference("one", "two")
print(f"validation loss: one process {one['eval_loss']:.6f}, two processes {two['eval_loss']:.6f}")
print(f"per-step training losses differ by at most {loss_gap:.1e}; weights by at most {weight_gap:.1e} "
      f"(in {where})")
assert loss_gap < 1e-4
assert abs(one["eval_loss"] - two["eval_loss"]) < 1e-4
assert weight_gap < 1e-3

# %% [markdown]
# The learning-rate schedule needs one more detail to come out the same. With `--batch-size 8` on two
# processes the data loader has 16 batches per epoch before `prepare` shards it and 8 after, and the run
# takes 8 optimizer steps per epoch. accelerate therefore steps a prepared schedule once per process at
# each optimizer step, and expects it to have been built for the batches of the unsharded loader.
# `schedule_steps` in the script builds it so:

# %%
print(inspect.getsource(train_script.schedule_steps))
assert train_script.schedule_steps(16, epochs=2) == 2 * train_script.schedule_steps(8, epochs=2)
assert one["learning_rate"] == two["learning_rate"] == 0.0  # both schedules ran to their end

# %% [markdown]
# **Times.** Compare the two rows' time columns. The training loop of the two-process run does half
# the arithmetic per process, but on a 2-core machine it is rarely much faster and can be slower:
#
# - after every backward pass the processes exchange the whole gradient, 22 M numbers (88 MB), through
#   gloo and the loopback network, and wait for each other;
# - a laptop's or a cloud VM's two "cores" are often two hyper-threads of one physical core, or share its
#   memory bandwidth, so a second process gets less than a second core's worth of work done;
# - anything else running on the machine (a browser, another notebook) takes a core from one process, and
#   the other waits for it at every step.
#
# The wall time adds what each run pays once: starting the launcher, Python, importing torch and loading
# the model, in each process. Data parallelism pays off when each process has a device of its own (a GPU)
# and a batch large enough to keep it busy; that is the setting of section 6.

# %%
print(f"training loop: one process {one['train_seconds']:.1f} s, two processes {two['train_seconds']:.1f} s "
      f"({one['train_seconds'] / two['train_seconds']:.2f}x); wall time {wall['one']:.1f} s against "
      f"{wall['two']:.1f} s on {os.cpu_count()} CPU cores")

# %% [markdown]
# ## 3. Checkpoints: what a run saves to survive
#
# A checkpoint holds everything the next step depends on, not only the weights: the optimizer's state
# (AdamW keeps two running averages per weight, so twice the model's size), the schedule's position and
# the random number generators. `accelerator.save_state(folder)` writes all of them, from every process
# (each saves its own random state; the main process writes the rest). `--checkpoint-every 5` saves after
# steps 5, 10 and 15 in `checkpoints/step_N`.
#
# To see resuming work, this run stops on purpose after step 12 (`--stop-after 12`), as a crash or a
# time limit would stop it: the last checkpoint is from step 10, and the two steps after it are lost. One
# process needs no launcher: `python -m` is enough.

# %%
resumed_dir = runs_dir / "resumed"
stopped = run("resumed", [sys.executable] + SCRIPT + ["--batch-size", "16", "--output-dir", str(resumed_dir),
                                                     "--checkpoint-every", "5", "--stop-after", "12"])
saved = sorted((resumed_dir / "checkpoints").iterdir(), key=train_script.checkpoint_step)
assert not stopped["finished"] and stopped["steps"] == 12
assert [p.name for p in saved] == ["step_5", "step_10"]
for path in sorted(saved[-1].iterdir()):
    print(f"{path.stat().st_size / 1e6:8.1f} MB  {path.name}")

# %% [markdown]
# `model.safetensors` is the weights, `optimizer.bin` the optimizer's state (about twice as large),
# `scheduler.bin` the schedule, `random_states_0.pkl` process 0's random generators. Saving them costs
# time and disk at every checkpoint, so a real run saves every few hundred or thousand steps and keeps only
# the last few (`ProjectConfiguration(automatic_checkpoint_naming=True, total_limit=...)` does the
# deleting).
#
# ## 4. Resuming
#
# `--resume` finds the latest checkpoint, calls `accelerator.load_state` on it (after `prepare`, so that
# the restored state lands in the prepared objects) and reads the step from the folder's name. `train`
# then skips the finished epochs and, in the current epoch, the batches already trained on:
# `accelerator.skip_first_batches(train_loader, n)` gives a loader that starts at batch n+1. That only
# works because the order of an epoch depends on the seed and the epoch number alone (the seedable
# sampler), not on how many batches were drawn before.

# %%
resumed = run("resumed", [sys.executable] + SCRIPT + ["--batch-size", "16", "--output-dir", str(resumed_dir),
                                                     "--checkpoint-every", "5", "--resume"])
assert resumed["start_step"] == 10 and resumed["steps"] == 16 and resumed["finished"]
per_epoch = resumed["steps_per_epoch"]
print(f"resumed at step {resumed['start_step']}: epoch {resumed['start_step'] // per_epoch + 1}, after "
      f"skipping {resumed['start_step'] % per_epoch} of its {per_epoch} batches")

# %% [markdown]
# The stopped-and-resumed run took the same steps with the same data and the same optimizer state as
# the uninterrupted one-process run of section 2, so it should end with the same weights. Here nothing
# changes the order of any sum, so the match should be exact or within a few units of rounding; the
# check allows 1e-5.

# %%
resume_gap, where = largest_difference("one", "resumed")
late_losses = np.abs(np.array(one["losses"][10:]) - np.array(resumed["losses"])).max()
print(f"resumed against uninterrupted: weights differ by at most {resume_gap:.1e}, the losses of steps "
      f"11-16 by at most {late_losses:.1e}; validation loss {resumed['eval_loss']:.6f} against "
      f"{one['eval_loss']:.6f}")
assert resume_gap < 1e-5 and late_losses < 1e-5

# %% [markdown]
# What goes wrong without each piece, in a run of your own: without the optimizer state, AdamW restarts
# its running averages and the first steps after the restart are too large; without the schedule, the
# learning rate jumps back to the warm-up; without skipping, the batches before the checkpoint are trained
# on twice; with an unseeded shuffle, the resumed epoch sees another order, so some reviews twice and some
# never.
#
# ## 5. Gradient accumulation: a large batch in small pieces
#
# When a batch of 16 does not fit in memory, train on 8 and accumulate:
# `Accelerator(gradient_accumulation_steps=2)` and the loop's `with accelerator.accumulate(model):` add
# the gradients of two batches and step once.
# Inside `accumulate`, `backward` divides the loss by 2 (so the sum of two half-batch gradients is the mean
# over 16), `optimizer.step` and `zero_grad` do nothing until the second batch, and on several processes
# the gradient exchange waits for that batch too. It is the same training as the batch of 16, at the cost
# of twice as many forward passes per step.

# %%
accumulated = run("accumulated", [sys.executable] + SCRIPT + [
    "--batch-size", "8", "--gradient-accumulation-steps", "2", "--output-dir", str(runs_dir / "accumulated")])
accumulation_gap, where = largest_difference("one", "accumulated")
accumulation_loss_gap = np.abs(np.array(one["losses"]) - np.array(accumulated["losses"])).max()
print(f"batch 8 x 2 accumulated against batch 16: weights differ by at most {accumulation_gap:.1e}, "
      f"per-step losses by at most {accumulation_loss_gap:.1e}")
assert accumulated["effective_batch_size"] == 16 and accumulated["steps"] == one["steps"]
assert accumulation_loss_gap < 1e-4 and accumulation_gap < 1e-3  # the same rounding as two processes

# %% [markdown]
# The batch an optimizer step sees is *batch per process x processes x accumulation steps*. The three
# runs that trained on 16 reviews per step did it three ways:

# %%
summary = pd.DataFrame.from_dict(orient="index", data={
    name: {"batch per process": r["batch_size"], "processes": r["processes"],
           "accumulation steps": r["gradient_accumulation_steps"],
           "batch per step": r["effective_batch_size"],
           "validation loss": r["eval_loss"], "wall time (s)": wall[name]}
    for name, r in {"one": one, "two": two, "accumulated": accumulated}.items()
})
assert (summary["batch per step"] == summary["batch per process"] * summary["processes"]
        * summary["accumulation steps"]).all()
summary

# %% [markdown]
# ## 6. The same command on real hardware
#
# Nothing in the script names a device, a number of processes or a precision: the launcher and the
# `Accelerator` decide. The same file runs everywhere below; only the launch changes. None of these run
# here; they need the hardware.
#
# **Several GPUs on one machine.** `accelerate launch --multi_gpu --num_processes 4 -m nlpcourse.train_script
# --output-dir runs/four` (without the script's `--cpu`) starts one process per GPU; they exchange
# gradients over NCCL, NVIDIA's backend, through NVLink or PCIe. With `--batch-size 16` a step sees 64
# reviews: to keep the training the same as on one GPU with a batch of 64, divide the batch per process
# by the number of processes (or raise the learning rate with the batch, and check).
#
# **Mixed precision.** `--mixed_precision bf16` (Ampere GPUs and newer) or `fp16` (older ones, with loss
# scaling, which `accelerator.backward` does) runs the matrix products in 16 bits: about twice as fast and
# half the activation memory, with the weights and the optimizer kept in 32 bits. The script needs no
# change; chapter 06 chose the mode with `nlpcourse.choose_precision`.
#
# **Several machines.** Every machine runs the same command with its own `--machine_rank` (0 on the
# first), the total `--num_processes`, `--num_machines`, and the address and port of machine 0
# (`--main_process_ip`, `--main_process_port`), which the others must reach through the network. On a
# cluster a scheduler such as Slurm starts the commands; the `accelerate` documentation has a Slurm
# example. `is_main_process` is then true on one process of the whole job, `is_local_main_process` on one
# per machine: the script writes files on the first and shows progress bars on the second.
#
# **Too big for one GPU: DeepSpeed and FSDP.** Plain data parallelism keeps a whole copy of the weights,
# the gradients and the optimizer state on every GPU; for AdamW in mixed precision that is about 16 bytes
# per parameter, so a 7 B model needs over 100 GB per GPU before any activations. DeepSpeed's ZeRO and
# PyTorch's FSDP (fully sharded data parallel) split those copies across the GPUs instead: ZeRO stage 1
# shards the optimizer state, stage 2 also the gradients, stage 3 (and FSDP's full sharding) also the
# weights, gathering each layer's weights just before it runs. Both can also offload to CPU memory. With
# accelerate, each is a configuration file and the script stays as it is; the script already saves the
# model through `accelerator.get_state_dict`, which gathers sharded weights.
#
# `accelerate config` asks these questions once and saves the answers in a file that `accelerate launch`
# reads by default; `accelerate launch --config_file FILE` picks another. Here are four such files, written
# and read back with accelerate's own loader, which rejects unknown keys:

# %%
from accelerate.commands.config.config_args import load_config_from_file

CONFIGS = {
    "multi_gpu.yaml": """\
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
num_machines: 1
num_processes: 4          # one per GPU
gpu_ids: all
mixed_precision: bf16
""",
    "two_machines_rank0.yaml": """\
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
num_machines: 2
num_processes: 16         # in all: 8 GPUs on each machine
machine_rank: 0           # 1 in the file of the second machine
main_process_ip: 10.0.0.1 # machine 0, reachable from machine 1
main_process_port: 29500
rdzv_backend: static
same_network: true
mixed_precision: bf16
""",
    "deepspeed_zero2.yaml": """\
compute_environment: LOCAL_MACHINE
distributed_type: DEEPSPEED
num_machines: 1
num_processes: 4
mixed_precision: bf16
deepspeed_config:
  zero_stage: 2                  # shard optimizer state and gradients
  offload_optimizer_device: none # or cpu, when GPU memory is short
  offload_param_device: none
  gradient_accumulation_steps: 1
  gradient_clipping: 1.0
  zero3_init_flag: false
""",
    "fsdp.yaml": """\
compute_environment: LOCAL_MACHINE
distributed_type: FSDP
num_machines: 1
num_processes: 4
mixed_precision: bf16
fsdp_config:
  fsdp_version: 2
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
  fsdp_transformer_layer_cls_to_wrap: BertLayer  # the unit gathered and freed as one
  fsdp_reshard_after_forward: true               # free each layer's full weights after use
  fsdp_state_dict_type: SHARDED_STATE_DICT       # checkpoints: each process saves its shard
  fsdp_cpu_ram_efficient_loading: true
  fsdp_offload_params: false
""",
}
config_dir = runs_dir / "configs"
config_dir.mkdir()
loaded = {}
for name, text in CONFIGS.items():
    (config_dir / name).write_text(text)
    loaded[name] = load_config_from_file(str(config_dir / name))
    config = loaded[name]
    print(f"{name:24} {config.distributed_type!s:28} {config.num_processes:2} processes on "
          f"{config.num_machines} machine(s), mixed precision {config.mixed_precision}")
assert loaded["two_machines_rank0.yaml"].machine_rank == 0
assert loaded["deepspeed_zero2.yaml"].deepspeed_config["zero_stage"] == 2
assert loaded["fsdp.yaml"].fsdp_config["fsdp_transformer_layer_cls_to_wrap"] == "BertLayer"

# %% [markdown]
# The commands that use them, one line each (on the second machine, the same command with a file that
# says `machine_rank: 1`):
#
# ```bash
# accelerate launch --config_file multi_gpu.yaml -m nlpcourse.train_script --output-dir runs/gpus
# accelerate launch --config_file two_machines_rank0.yaml -m nlpcourse.train_script --output-dir runs/nodes
# accelerate launch --config_file deepspeed_zero2.yaml -m nlpcourse.train_script --output-dir runs/zero2
# accelerate launch --config_file fsdp.yaml -m nlpcourse.train_script --output-dir runs/fsdp
# ```
#
# DeepSpeed needs `pip install deepspeed` and a GPU; FSDP is part of PyTorch. Under both, a checkpoint
# from `save_state` holds each process's shard, so a run resumes on the same number of GPUs, or after a
# conversion step (`accelerate merge-weights` for FSDP's sharded files). A model of this chapter's size
# needs none of it: sharding pays off when the copies no longer fit.

# %%
shutil.rmtree(runs_dir / "resumed" / "checkpoints")  # 0.5 GB of checkpoints this notebook no longer needs
print(f"results and models of every run, until the kernel stops: {runs_dir}")

# %% [markdown]
# ## Summary
#
# - A training script is the notebook's loop with its settings read by `argparse` and its results written
#   to files; keep the loop in one place (here `nlpcourse.train_script.train`) and import it where needed.
# - `accelerate launch --multi_gpu --num_processes N` starts N copies of the script; `prepare` gives each
#   its share of every batch, `backward` averages the gradients, and every copy takes the same step.
#   Only the main process writes files (`is_main_process`, `accelerator.print`, `save_pretrained(...,
#   is_main_process=...)`).
# - With the same batch per step, the same data order and no dropout, two processes and one reach the same
#   loss and weights up to float32 rounding; on a 2-core CPU the second process buys little time, because
#   the processes exchange every gradient and share the machine.
# - `save_state` saves weights, optimizer, schedule and random states; `load_state` plus
#   `skip_first_batches` over a seeded order resumes a stopped run to the weights of an uninterrupted one.
# - `gradient_accumulation_steps` with `accelerator.accumulate` trains a large batch in small pieces: the
#   batch per step is batch per process x processes x accumulation steps.
# - More GPUs, more machines, mixed precision, DeepSpeed or FSDP are a change of launch command or
#   configuration file, not of the script.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to fill in (replace the `...`) and a checker that tells you what is off.
#
# **1 (easy).** A run is started with `accelerate launch --multi_gpu --num_processes 4 -m
# nlpcourse.train_script --batch-size 8 --gradient-accumulation-steps 2 --output-dir runs/big`. How many
# reviews does one optimizer step train on?

# %%
from nlpcourse.exercises.ch14 import (
    check_effective_batch,
    check_resume_point,
    check_schedule_length,
    check_who_writes,
)

reviews_per_step = ...
check_effective_batch(reviews_per_step)

# %% tags=["solution"]
reviews_per_step = 8 * 4 * 2
assert check_effective_batch(reviews_per_step)

# %% [markdown]
# **2 (easy).** The script runs on 2 machines with 4 processes each; the processes are numbered 0 to 7
# across the job (machine 0 has 0-3, machine 1 has 4-7). Which processes write `results.json`, and which
# show a progress bar? Answer with a dict of two sets of process numbers. The answers are in `train` and
# in the lines of `main()` printed in section 2.

# %%
who = {"writes results.json": ..., "shows a progress bar": ...}
check_who_writes(who)

# %% tags=["solution"]
who = {"writes results.json": {0}, "shows a progress bar": {0, 4}}
assert check_who_writes(who)

# %% [markdown]
# **3 (medium).** A run on 2 processes with `--batch-size 8 --gradient-accumulation-steps 2 --train-size 256
# --epochs 2 --checkpoint-every 5` is killed during step 13. Started again with `--resume`, from which step
# does it continue, in which epoch (counting from 1), and how many batches of that epoch does each process
# skip? Answer with a tuple `(step, epoch, batches skipped)`.

# %%
resume_point = ...
check_resume_point(resume_point)

# %% tags=["solution"]
steps_per_epoch = 256 // (8 * 2 * 2)  # 8 optimizer steps per epoch
last_checkpoint = (13 - 1) // 5 * 5  # 12 steps finished, the last saved is 10
resume_point = (last_checkpoint, last_checkpoint // steps_per_epoch + 1,
                (last_checkpoint % steps_per_epoch) * 2)  # a step is 2 batches per process
assert check_resume_point(resume_point)


# %% [markdown]
# **4 (stretch).** Write `schedule_length(n_reviews, batch_size, processes, accumulation, epochs)`: how many
# times the learning-rate schedule inside a prepared scheduler is stepped over a whole run, when the data
# loader has `batch_size` reviews per batch on each of `processes` processes and every number divides
# evenly. The checker tries several launches; compare with `train_script.schedule_steps`, which the script
# gives the schedule as its length.

# %%
def schedule_length(n_reviews, batch_size, processes, accumulation, epochs):
    return ...


check_schedule_length(schedule_length)


# %% tags=["solution"]
def schedule_length(n_reviews, batch_size, processes, accumulation, epochs):
    optimizer_steps = epochs * n_reviews // (batch_size * processes * accumulation)
    return optimizer_steps * processes  # accelerate steps the schedule once per process at each step


assert check_schedule_length(schedule_length)
assert schedule_length(128, 8, 2, 1, 2) == train_script.schedule_steps(128 // 8, epochs=2)

# %% [markdown]
# ## Further reading
#
# - Accelerate: [Launching your code](https://huggingface.co/docs/accelerate/basic_tutorials/launch),
#   [checkpointing](https://huggingface.co/docs/accelerate/usage_guides/checkpoint),
#   [gradient accumulation](https://huggingface.co/docs/accelerate/usage_guides/gradient_accumulation) and
#   [what happens on several processes](https://huggingface.co/docs/accelerate/concept_guides/performance).
# - The Hugging Face LLM course, chapter 3:
#   [a full training loop with Accelerate](https://huggingface.co/learn/llm-course/chapter3/4).
# - PyTorch: [distributed data parallel](https://pytorch.org/docs/stable/notes/ddp.html) and
#   [torchrun](https://pytorch.org/docs/stable/elastic/run.html).
# - DeepSpeed and FSDP with accelerate: [DeepSpeed](https://huggingface.co/docs/accelerate/usage_guides/deepspeed),
#   [FSDP](https://huggingface.co/docs/accelerate/usage_guides/fsdp); Rajbhandari et al., *ZeRO: Memory
#   Optimizations Toward Training Trillion Parameter Models* (2020), <https://arxiv.org/abs/1910.02054>.
