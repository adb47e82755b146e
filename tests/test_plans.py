"""training_plan: the full plan only on CUDA; MPS and CPUs get the cheaper plan; shared TrainingArguments."""

from __future__ import annotations

import pytest
import torch

from nlpcourse.plans import SHARED_ARGS, training_plan


def fake_gpu(monkeypatch, capability: tuple[int, int]) -> None:
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Tesla T4")


@pytest.mark.parametrize("device", ["cpu", "mps", "xpu"])
def test_cheap_plan_off_cuda(device: str):
    plan = training_plan(device)
    assert not plan.full and plan.pick(32, 16) == 16
    assert plan.precision.mode == "no"
    assert "CPU plan" in str(plan) and device in str(plan)


def test_mps_plan_says_why():
    assert "measured on CUDA GPUs only" in training_plan("mps").reason


def test_full_plan_on_cuda(monkeypatch):
    fake_gpu(monkeypatch, (7, 5))
    plan = training_plan("cuda:0")
    assert plan.full and plan.pick(32, 16) == 32
    assert plan.precision.mode == "fp16" and "full plan" in str(plan)


def test_training_args_shared_and_overridden(tmp_path):
    args = training_plan("cpu").training_args(str(tmp_path), seed=7, learning_rate=3e-4, logging_steps=5)
    assert args.use_cpu and not args.bf16 and not args.fp16
    assert args.seed == 7 and args.learning_rate == 3e-4 and args.logging_steps == 5
    assert args.weight_decay == SHARED_ARGS["weight_decay"]
    assert args.per_device_eval_batch_size == SHARED_ARGS["per_device_eval_batch_size"]
    assert args.report_to in ("none", [], ["none"])


def test_mps_does_not_force_cpu(tmp_path):
    # the Trainer moves to MPS by itself; use_cpu=True would keep it on the CPU
    assert not training_plan("mps").training_args(str(tmp_path), seed=0).use_cpu


def test_shared_kwargs_build_an_sft_config(tmp_path):
    # SFTConfig extends TrainingArguments with its own settings, so it takes the shared keyword arguments
    from trl import SFTConfig

    kwargs = training_plan("cpu").shared_kwargs(seed=3, logging_steps=2, max_length=128)
    assert kwargs["logging_steps"] == 2 and kwargs["seed"] == 3 and kwargs["use_cpu"]
    assert kwargs["weight_decay"] == SHARED_ARGS["weight_decay"]
    config = SFTConfig(output_dir=str(tmp_path), **kwargs)
    assert config.max_length == 128 and config.logging_steps == 2 and config.seed == 3
    # SFTConfig turns bf16 on by default; the plan decides it instead
    assert not config.bf16 and not config.fp16


def test_shared_kwargs_leave_the_shared_dict_alone():
    before = dict(SHARED_ARGS)
    training_plan("cpu").shared_kwargs(seed=0, logging_steps=1)
    assert SHARED_ARGS == before
