"""Which torch build ``make lab`` installs: the CPU build on Linux machines without an NVIDIA driver.

PyPI's Linux wheel of torch is the CUDA build; with it come about 3 GB of ``nvidia-*`` libraries
that a machine without an NVIDIA GPU never uses. Where no NVIDIA driver answers (``nvidia-smi``),
PyTorch's CPU index is added as an *extra* index: ``torch==2.13.0`` also matches ``2.13.0+cpu``
there, which sorts above ``2.13.0``, so pip picks the CPU build. When that index cannot be reached,
pip is left to its default (which may still find a CPU wheel, e.g. in a local wheel folder).
macOS and Windows wheels on PyPI are the right ones already (MPS on Apple silicon, CPU on Windows).

The Makefile runs this file with the system Python, before the virtual environment exists, so it uses
the standard library only: ``python3 -I src/nlpcourse/torch_build.py [--given] TORCH-ARGS...``
prints pip's arguments on stdout and one line on stderr saying which build and why. ``--given``
(``make lab TORCH=...``) passes the arguments through unchanged.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
INDEX_ENV = "NLPCOURSE_TORCH_CPU_INDEX"  # the tests point it at a local address
TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Choice:
    pip_args: list[str]
    reason: str


def has_nvidia_driver() -> bool:
    """Whether ``nvidia-smi`` is on PATH and lists a GPU (it comes with NVIDIA's driver)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return False
    try:
        return subprocess.run([exe, "-L"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def index_reachable(url: str, timeout: float = TIMEOUT_S) -> bool:
    """Whether ``url`` answers within ``timeout`` seconds, through any proxy pip would use too."""
    answered: list[bool] = []

    def probe() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
                answered.append(True)
        except urllib.error.HTTPError:
            answered.append(True)  # the server answered, if only with an error page
        except (OSError, ValueError):
            answered.append(False)

    # urlopen's timeout does not bound the name lookup, so wait for the probe no longer than timeout
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return answered == [True]


def choose(
    torch_args: list[str],
    system: str,
    nvidia: Callable[[], bool] = has_nvidia_driver,
    reachable: Callable[[str], bool] = index_reachable,
    index: str = CPU_INDEX,
) -> Choice:
    """The pip arguments that install torch on this machine, and why."""
    if system != "Linux":
        return Choice(torch_args, f"torch: PyPI's default build, the right one on {system}.")
    if nvidia():
        return Choice(
            torch_args, "torch: PyPI's default build (CUDA), because nvidia-smi found an NVIDIA GPU."
        )
    if reachable(index):
        return Choice(
            [*torch_args, "--extra-index-url", index],
            f"torch: the CPU build from {index}, because no NVIDIA driver was found (no nvidia-smi); "
            "TORCH=... chooses another.",
        )
    return Choice(
        torch_args,
        f"torch: pip's default build, because no NVIDIA driver was found but {index} cannot be reached; "
        "on PyPI that is the CUDA build.",
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--given"]:
        choice = Choice(argv[1:], f"torch: {' '.join(argv[1:])}, as TORCH= gives it.")
    else:
        choice = choose(argv, platform.system(), index=os.environ.get(INDEX_ENV, CPU_INDEX))
    print(choice.reason, file=sys.stderr)
    print(" ".join(choice.pip_args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
