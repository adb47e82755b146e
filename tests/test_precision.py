"""choose_precision on faked devices: bf16 only where the GPU runs it natively."""

from __future__ import annotations

import pytest
import torch

from nlpcourse.precision import choose_dtype, choose_precision


@pytest.mark.parametrize("device", ["cpu", "mps"])
def test_fp32_off_cuda(device: str):
    choice = choose_precision(device)
    assert choice.mode == "no" and not choice.bf16 and not choice.fp16


@pytest.mark.parametrize(
    ("name", "capability", "mode"),
    [
        ("Tesla T4", (7, 5), "fp16"),  # Colab's free GPU: bf16 is only emulated there
        ("Tesla V100-SXM2-16GB", (7, 0), "fp16"),
        ("NVIDIA A100-SXM4-40GB", (8, 0), "bf16"),
        ("NVIDIA L4", (8, 9), "bf16"),
        ("NVIDIA H100 80GB HBM3", (9, 0), "bf16"),
    ],
)
def test_cuda_by_compute_capability(monkeypatch, name: str, capability: tuple[int, int], mode: str):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    # what older code asked: True on a T4 too, because bf16 can be emulated there
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    choice = choose_precision("cuda")
    assert choice.mode == mode
    assert choice.bf16 == (mode == "bf16") and choice.fp16 == (mode == "fp16")
    assert name in choice.reason and f"{capability[0]}.{capability[1]}" in choice.reason
    assert choose_precision("cuda:0").mode == mode


def test_weights_load_in_fp32_on_mps():
    assert choose_dtype("mps").dtype == torch.float32


@pytest.mark.parametrize(("native", "dtype"), [(False, torch.float32), (True, torch.bfloat16)])
def test_weights_on_a_cpu_by_its_bf16_instructions(monkeypatch, native: bool, dtype: torch.dtype):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: native, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    choice = choose_dtype("cpu")
    assert choice.dtype == dtype and "cpu" in choice.reason
    assert ("emulate" in choice.reason) != native


@pytest.mark.parametrize(
    ("name", "capability", "dtype"),
    [("Tesla T4", (7, 5), torch.float16), ("NVIDIA A100-SXM4-40GB", (8, 0), torch.bfloat16)],
)
def test_weights_dtype_on_cuda_by_compute_capability(monkeypatch, name, capability, dtype):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    choice = choose_dtype("cuda:0")
    assert choice.dtype == dtype and name in choice.reason


@pytest.mark.parametrize("device", ["cpu", "cuda", "mps"])
def test_training_keeps_fp32_weights(device: str):
    assert choose_dtype(device, training=True).dtype == torch.float32  # no device query needed
