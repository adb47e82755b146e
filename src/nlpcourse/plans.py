"""Which training plan a device gets, and the ``TrainingArguments`` every chapter's runs share.

The course measures two plans for each training chapter: the full plan on a CUDA GPU and a cheaper plan
on 2 CPU cores. Apple's MPS and any other device get the cheaper plan: nobody measured the full plan
there, and MPS trains in fp32 only, so it is closer to a CPU than to a CUDA GPU in cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from nlpcourse.precision import Precision, choose_precision

if TYPE_CHECKING:
    from transformers import TrainingArguments

__all__ = ["TrainingPlan", "training_plan"]

T = TypeVar("T")

#: Settings shared by every fine-tuning run in the course; a chapter overrides what its lesson changes.
SHARED_ARGS: dict[str, Any] = {
    "per_device_eval_batch_size": 64,
    "weight_decay": 0.01,
    "warmup_steps": 0.1,  # below 1: a fraction of all steps
    "logging_steps": 10,
    "report_to": "none",
}


@dataclass(frozen=True)
class TrainingPlan:
    """The plan for one device: ``full`` is the plan measured on CUDA GPUs, else the cheaper CPU plan."""

    device: str
    full: bool
    precision: Precision
    reason: str

    def pick(self, full: T, cheap: T) -> T:
        """``full`` on the full plan, ``cheap`` on the cheaper one."""
        return full if self.full else cheap

    def shared_kwargs(self, *, seed: int, **overrides: Any) -> dict[str, Any]:
        """The keyword arguments every run shares, the device's precision, then ``overrides``.

        For classes that extend ``TrainingArguments`` with their own settings, such as trl's ``SFTConfig``:
        ``SFTConfig(output_dir=..., **plan.shared_kwargs(seed=..., max_length=512))``. ``use_cpu`` is set only
        on a CPU: on MPS the Trainer finds the Apple GPU itself.
        """
        return {
            **SHARED_ARGS,
            "seed": seed,
            "bf16": self.precision.bf16,
            "fp16": self.precision.fp16,
            "use_cpu": self.device.split(":")[0] == "cpu",
            **overrides,
        }

    def training_args(self, output_dir: str, *, seed: int, **overrides: Any) -> TrainingArguments:
        """``TrainingArguments`` with the shared settings, the device's precision, then ``overrides``."""
        from transformers import TrainingArguments

        return TrainingArguments(output_dir=output_dir, **self.shared_kwargs(seed=seed, **overrides))

    def __str__(self) -> str:
        plan = "full plan" if self.full else "CPU plan"
        return f"{self.device}: {plan} ({self.reason}); mixed precision {self.precision.mode} " \
               f"({self.precision.reason})"


def training_plan(device: str) -> TrainingPlan:
    """The full plan on CUDA GPUs, the cheaper CPU plan on CPUs, MPS and anything else."""
    kind = device.split(":")[0]
    precision = choose_precision(device)
    if kind == "cuda":
        return TrainingPlan(device, True, precision, "measured on CUDA GPUs")
    if kind == "mps":
        reason = "the full plan was measured on CUDA GPUs only, and MPS trains in fp32 like a CPU"
    elif kind == "cpu":
        reason = "smaller data or fewer epochs, so the notebook runs in minutes on 2 cores"
    else:
        reason = f"the full plan was measured on CUDA GPUs only, not on {kind}"
    return TrainingPlan(device, False, precision, reason)
