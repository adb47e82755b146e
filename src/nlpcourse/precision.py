"""Which mixed precision a training run should use on a device.

bf16 keeps fp32's range, so it needs no loss scaling, but only GPUs of compute capability 8.0 or newer
(Ampere and later) run it natively. ``torch.cuda.is_bf16_supported()`` also answers True on older GPUs
such as Colab's T4 (7.5), where bf16 is emulated and slower than fp16: so the capability decides here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BF16_MIN_CAPABILITY", "Precision", "choose_precision"]

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
