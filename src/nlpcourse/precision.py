"""Which precision a model should load in, and which mixed precision a training run should use.

bf16 keeps fp32's range, so it needs no loss scaling, but only GPUs of compute capability 8.0 or newer
(Ampere and later) run it natively. ``torch.cuda.is_bf16_supported()`` also answers True on older GPUs
such as Colab's T4 (7.5), where bf16 is emulated and slower than fp16: so the capability decides here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

__all__ = [
    "BF16_MIN_CAPABILITY", "Precision", "WeightsDtype", "choose_dtype", "choose_precision", "cpu_has_bf16",
]

#: The first compute capability with native bf16 matrix units (NVIDIA Ampere).
BF16_MIN_CAPABILITY = (8, 0)


@dataclass(frozen=True)
class Precision:
    """The choice and why. ``mode`` is what ``Accelerator(mixed_precision=...)`` takes."""

    mode: str  # "bf16", "fp16" or "no"
    reason: str

    @property
    def bf16(self) -> bool:
        """For ``TrainingArguments(bf16=...)``."""
        return self.mode == "bf16"

    @property
    def fp16(self) -> bool:
        """For ``TrainingArguments(fp16=...)``."""
        return self.mode == "fp16"


def choose_precision(device: str) -> Precision:
    """bf16 on CUDA GPUs with native bf16, fp16 on older CUDA GPUs, fp32 (``"no"``) elsewhere."""
    if device.split(":")[0] != "cuda":
        return Precision("no", f"{device}: full fp32 precision (mixed precision pays off on CUDA GPUs)")
    import torch

    major, minor = torch.cuda.get_device_capability(device)
    name = torch.cuda.get_device_name(device)
    if (major, minor) >= BF16_MIN_CAPABILITY:
        return Precision("bf16", f"{name} (compute capability {major}.{minor}) runs bf16 natively")
    return Precision(
        "fp16", f"{name} (compute capability {major}.{minor}) has no native bf16: fp16 with loss scaling"
    )


@dataclass(frozen=True)
class WeightsDtype:
    """The precision to load weights in and why. ``dtype`` is what ``from_pretrained(dtype=...)`` takes."""

    name: str  # "float32", "bfloat16" or "float16"
    reason: str

    @property
    def dtype(self) -> torch.dtype:
        import torch

        return getattr(torch, self.name)


def choose_dtype(device: str, *, training: bool = False) -> WeightsDtype:
    """The precision to load a model in on ``device``, whatever its files store.

    transformers 5 loads a checkpoint in the precision of its files (``dtype="auto"``): SmolLM2's are
    bf16. A CPU without bf16 instructions (most laptops) emulates bf16 and runs it several times slower
    than fp32; server CPUs with AVX512-BF16 or AMX run it faster. A GPU older than Ampere (Colab's T4)
    emulates bf16 too; fp16 is native there.
    For training the weights stay fp32 everywhere: small updates vanish when added to 16-bit weights,
    and mixed precision (:func:`choose_precision`) already computes in 16 bits where it pays.
    """
    if training:
        return WeightsDtype(
            "float32", f"{device}: fp32 weights for training (mixed precision is choose_precision's job)"
        )
    kind = device.split(":")[0]
    if kind == "cuda":
        import torch

        major, minor = torch.cuda.get_device_capability(device)
        name = torch.cuda.get_device_name(device)
        if (major, minor) >= BF16_MIN_CAPABILITY:
            return WeightsDtype("bfloat16", f"{name} (compute capability {major}.{minor}) runs bf16 natively")
        return WeightsDtype(
            "float16", f"{name} (compute capability {major}.{minor}) emulates bf16; fp16 runs natively"
        )
    if kind == "mps":
        return WeightsDtype("float32", "mps: fp32, supported on every macOS version torch runs on")
    if cpu_has_bf16():
        return WeightsDtype("bfloat16", f"{device}: bf16, which this CPU computes natively (AVX512-BF16/AMX)")
    return WeightsDtype(
        "float32", f"{device}: fp32, because this CPU has no bf16 instructions and would emulate bf16 slowly"
    )


def cpu_has_bf16() -> bool:
    """Whether this x86 CPU has bf16 matrix instructions (AVX512-BF16 or AMX); False elsewhere."""
    import torch

    cpu = torch.cpu
    return any(getattr(cpu, probe, lambda: False)() for probe in ("_is_avx512_bf16_supported",
                                                                  "_is_amx_tile_supported"))
