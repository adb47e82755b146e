"""setup(): device fallback order, seeding, platform and Hub detection."""

from __future__ import annotations

import random

import pytest
import torch

import nlpcourse
from nlpcourse import core


@pytest.fixture
def fake_accelerators(monkeypatch: pytest.MonkeyPatch):
    """Pretend cuda and/or mps are available, whatever this machine has."""

    def fake(cuda: bool, mps: bool, version: str = "2.13.0") -> None:
        monkeypatch.delenv("NLPCOURSE_DEVICE", raising=False)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
        monkeypatch.setattr(torch, "__version__", version)

    return fake


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_device_order_is_cuda_then_mps_then_cpu(fake_accelerators, cuda, mps, expected):
    fake_accelerators(cuda, mps)
    assert core.pick_device() == expected


def test_mps_is_skipped_on_old_torch(fake_accelerators):
    fake_accelerators(cuda=False, mps=True, version="2.1.2")
    assert core.pick_device() == "cpu"


def test_environment_variable_forces_the_device(fake_accelerators, monkeypatch):
    fake_accelerators(cuda=True, mps=False)
    monkeypatch.setenv("NLPCOURSE_DEVICE", "cpu")
    assert core.pick_device() == "cpu"


def test_cpu_message_says_what_it_costs_and_how_to_get_a_gpu_in_colab():
    message = core.device_message("cpu", "colab")
    assert "No GPU" in message and "Runtime > Change runtime type" in message
    assert "Runtime" not in core.device_message("cpu", "local")


def test_seed_everything_makes_runs_repeat():
    core.seed_everything(7)
    first = (random.random(), torch.rand(3).tolist())
    core.seed_everything(7)
    assert (random.random(), torch.rand(3).tolist()) == first


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"COLAB_RELEASE_TAG": "x"}, "colab"),
        ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "kaggle"),
        ({}, "local"),
    ],
)
def test_detect_platform(monkeypatch, env, expected):
    for key in ("COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert core.detect_platform() == expected


def test_hub_status(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert core.hub_status() == "offline-mode"
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(core, "can_connect", lambda host, port=443, timeout=1.5: False)
    assert core.hub_status() == "unreachable"
    monkeypatch.setattr(core, "can_connect", lambda host, port=443, timeout=1.5: True)
    assert core.hub_status() == "online"


def test_setup_returns_the_device_and_says_it(capsys, fake_accelerators, monkeypatch):
    fake_accelerators(cuda=False, mps=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    env = nlpcourse.setup(seed=3)
    out = capsys.readouterr().out
    assert env.device == "cpu" and env.seed == 3 and env.offline
    assert "Device: cpu" in out and "offline mode" in out and "transformers" in out
