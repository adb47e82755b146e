"""`make lab`, the README's first command, starts a JupyterLab that answers."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_serves_jupyterlab_on_loopback():
    port, token = free_port(), secrets.token_hex(8)
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
    )
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/status?token={token}"
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = json.load(response)
                    break
            except OSError:
                time.sleep(1)
        log = proc.stdout.read().decode()[-2000:] if proc.poll() is not None else "still starting"
        assert status is not None, f"JupyterLab did not answer: {log}"
        assert "started" in status
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as page:
            assert page.status == 200 and b"JupyterLab" in page.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_fresh_lab_venv_chooses_the_torch_build_then_installs_the_lab_extra(tmp_path: Path):
    """`make lab` in a fresh clone (dry run): venv, the torch build chosen, the package with its lab extra."""
    venv = tmp_path / "venv"

    def dry_run(*args: str) -> str:
        cmd = ["make", "-n", "lab", f"VENV={venv}", *args]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    steps = [
        f"-m venv {venv}\n",
        "-I src/nlpcourse/torch_build.py  torch==2.13.0)",  # no TORCH given: the script chooses
        f'{venv}/bin/python -m pip install -q $args"',
        f'{venv}/bin/python -m pip install -q -e ".[lab]"',
        f"{venv}/bin/jupyter lab notebooks",
    ]
    plan = dry_run()
    positions = [plan.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), plan
    given = dry_run("TORCH=torch --index-url https://example.invalid/whl/cu130")
    assert "torch_build.py --given torch --index-url https://example.invalid/whl/cu130)" in given, given
