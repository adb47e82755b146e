"""`make lab` asks for torch's CPU build on Linux without an NVIDIA driver, and says which build and why."""

from __future__ import annotations

import http.server
import platform
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlpcourse import torch_build

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "src" / "nlpcourse" / "torch_build.py"
LINUX = platform.system() == "Linux"


def fake_nvidia_smi(folder: Path, exit_code: int) -> Path:
    """A folder holding only an ``nvidia-smi`` that exits with ``exit_code``, to use as PATH."""
    folder.mkdir()
    exe = folder / "nvidia-smi"
    exe.write_text(f"#!/bin/sh\necho 'GPU 0: fake'\nexit {exit_code}\n")
    exe.chmod(0o755)
    return folder


@pytest.fixture
def index_url() -> Iterator[str]:
    """An address that answers HTTP, standing in for PyTorch's CPU index."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/whl/cpu"
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/whl/cpu"  # nothing listens there any more


def run_script(path: Path, index: str, *args: str) -> tuple[list[str], list[str], float]:
    """Run the script as the Makefile does (``python -I``, before any venv): stdout words, stderr lines."""
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(path), torch_build.INDEX_ENV: index},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split(), result.stderr.splitlines(), time.monotonic() - start


def test_no_nvidia_driver_and_index_reachable_asks_for_the_cpu_build(tmp_path: Path, index_url: str):
    empty = tmp_path / "bin"
    empty.mkdir()
    args, [line], _ = run_script(empty, index_url, "torch==2.13.0")
    if LINUX:
        assert args == ["torch==2.13.0", "--extra-index-url", index_url]
        assert line.startswith("torch: the CPU build") and "no NVIDIA driver" in line, line
    else:
        assert args == ["torch==2.13.0"] and "PyPI's default build" in line


def test_no_nvidia_driver_and_index_unreachable_falls_back_fast(tmp_path: Path):
    empty = tmp_path / "bin"
    empty.mkdir()
    index = closed_port_url()
    args, [line], seconds = run_script(empty, index, "torch==2.13.0")
    assert args == ["torch==2.13.0"]
    assert seconds < 5, f"took {seconds:.1f} s to fall back"
    if LINUX:
        assert "cannot be reached" in line and index in line, line


def test_nvidia_driver_keeps_the_default_cuda_build(tmp_path: Path, index_url: str):
    args, [line], _ = run_script(fake_nvidia_smi(tmp_path / "bin", 0), index_url, "torch==2.13.0")
    assert args == ["torch==2.13.0"]
    if LINUX:
        assert "CUDA" in line and "nvidia-smi found an NVIDIA GPU" in line, line


def test_nvidia_smi_that_finds_no_gpu_counts_as_no_driver(tmp_path: Path, index_url: str):
    args, _, _ = run_script(fake_nvidia_smi(tmp_path / "bin", 9), index_url, "torch==2.13.0")
    assert args == (["torch==2.13.0", "--extra-index-url", index_url] if LINUX else ["torch==2.13.0"])


def test_torch_given_is_passed_through(tmp_path: Path, index_url: str):
    empty = tmp_path / "bin"
    empty.mkdir()
    given = ["torch==2.13.0", "--index-url", "https://example.invalid/whl/cu130"]
    args, [line], _ = run_script(empty, index_url, "--given", *given)
    assert args == given and "as TORCH= gives it" in line


@pytest.mark.parametrize("system", ["Darwin", "Windows"])
def test_macos_and_windows_keep_pypi_builds(system: str):
    def never(*_: object) -> bool:
        raise AssertionError("no driver or index check off Linux")

    choice = torch_build.choose(["torch==2.13.0"], system, nvidia=never, reachable=never)
    assert choice.pip_args == ["torch==2.13.0"] and system in choice.reason


def test_index_that_accepts_but_never_answers_counts_as_unreachable_within_the_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the handshake completes, no HTTP answer ever comes
        start = time.monotonic()
        assert not torch_build.index_reachable(f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.5)
        assert time.monotonic() - start < 2
