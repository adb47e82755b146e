"""``setup()``: the one call at the top of every notebook.

It finds out where the notebook runs (Colab, Kaggle, a local machine), picks the device, seeds
every random number generator, prints the library versions and says whether the Hugging Face Hub
can be reached, in plain words a learner can act on.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import socket
import sys
from dataclasses import dataclass, field

__all__ = [
    "CourseEnv", "setup", "pick_device", "detect_platform", "hub_status", "can_connect", "seed_everything"
]

#: Libraries whose versions ``setup()`` prints, in this order.
LIBRARIES = (
    "torch",
    "transformers",
    "datasets",
    "tokenizers",
    "evaluate",
    "accelerate",
    "nltk",
    "spacy",
)

#: MPS before this torch release lacked operators that transformers models use.
MPS_MIN_TORCH = (2, 4)

COLAB_GPU_HINT = "In Colab: Runtime > Change runtime type > T4 GPU, then run the notebook again."
CPU_COST = (
    "No GPU found: running on the CPU. Every notebook runs on a laptop CPU; its title cell gives its "
    "measured CPU time. Training (chapter 06) costs the most: on a CPU it picks a smaller setting and "
    "says so, and a GPU runs the full one many times faster."
)


@dataclass(frozen=True)
class CourseEnv:
    """What ``setup()`` found. ``device`` is what to pass to models and pipelines."""

    device: str
    platform: str
    seed: int
    hub: str
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return self.hub != "online"


def detect_platform() -> str:
    """``"colab"``, ``"kaggle"`` or ``"local"``."""
    if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:
        return "colab"
    if "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        return "kaggle"
    return "local"


def _torch_version(torch_module: object) -> tuple[int, int]:
    release = str(getattr(torch_module, "__version__", "0.0")).split("+")[0].split(".")
    return int(release[0]), int(release[1])


def pick_device() -> str:
    """The best device torch can use here: ``cuda``, then ``mps``, then ``cpu``.

    ``NLPCOURSE_DEVICE`` overrides the choice (an instructor forcing ``cpu``, say).
    """
    forced = os.environ.get("NLPCOURSE_DEVICE")
    if forced:
        return forced
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available() and _torch_version(torch) >= MPS_MIN_TORCH:
        return "mps"
    return "cpu"


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators (CPU and every GPU), as ``Trainer`` does."""
    from transformers import set_seed

    set_seed(seed)


def can_connect(host: str, port: int = 443, timeout: float = 1.5) -> bool:
    """Whether a TCP connection to ``host:port`` opens within ``timeout`` seconds.

    The one reachability check of the package: the Hub status, NLTK's data server and ``download``
    all ask it, so faking it in a test fakes the network for all of them.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


#: The Hugging Face Hub's host; ``download`` and ``hub_status`` test it.
HUB_HOST = "huggingface.co"


def hub_status() -> str:
    """``"online"``, ``"offline-mode"`` (HF_HUB_OFFLINE set) or ``"unreachable"``."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        return "offline-mode"
    return "online" if can_connect(HUB_HOST) else "unreachable"


HUB_MESSAGES = {
    "online": "Hugging Face Hub: reachable; models download on first use and are cached.",
    "offline-mode": (
        "Hugging Face Hub: offline mode (HF_HUB_OFFLINE=1). Models, metrics and datasets load "
        "from the local cache only; anything not cached fails with a clear error."
    ),
    "unreachable": (
        "Hugging Face Hub: unreachable (no network?). Models already in your cache still load, "
        "and the course datasets in data/ always work. On a good connection run "
        "`python -m nlpcourse download` once to cache everything the course uses."
    ),
}


def installed_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def device_message(device: str, where: str) -> str:
    if device == "cuda":
        import torch

        return f"Device: cuda ({torch.cuda.get_device_name(0)})."
    if device == "mps":
        return "Device: mps (Apple GPU)."
    hint = COLAB_GPU_HINT if where == "colab" else ""
    return f"Device: cpu. {CPU_COST} {hint}".strip()


def setup(seed: int = 42, verbose: bool = True) -> CourseEnv:
    """Prepare a notebook: device, seeds, versions, Hub status. Returns a :class:`CourseEnv`."""
    where = detect_platform()
    device = pick_device()
    seed_everything(seed)
    env = CourseEnv(device=device, platform=where, seed=seed, hub=hub_status(), versions=installed_versions())
    if verbose:
        print(f"Running on: {where}. Random seed: {seed}.")
        print(device_message(device, where))
        print(HUB_MESSAGES[env.hub])
        print("Versions: " + ", ".join(f"{k} {v}" for k, v in env.versions.items()))
    return env
