"""python -m nlpcourse doctor: finds what is missing and names the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

from nlpcourse import doctor


def test_missing_package_gets_an_install_command():
    [check] = doctor.package_checks([Requirement("surely-not-installed-pkg>=1,<2")])
    assert not check.ok and check.found == "not installed"
    assert check.fix == f'{doctor.python_command()} -m pip install "surely-not-installed-pkg<2,>=1"'


def test_wrong_version_is_reported():
    [check] = doctor.package_checks([Requirement("pytest<1")])
    assert not check.ok and check.fix.startswith(f'{doctor.python_command()} -m pip install "pytest')


def test_fixes_run_with_the_python_that_runs_the_course(monkeypatch, tmp_path):
    """`pip` or `python` on PATH may belong to another environment; the fix names this one."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no python on PATH at all
    monkeypatch.chdir(tmp_path)
    assert doctor.python_command() == str(Path(sys.executable).absolute())
    (tmp_path / "python").symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert doctor.python_command() == "python"  # PATH's python is this one (an activated venv)


def test_every_fix_command_exists_here():
    """The module each fix runs is there and answers --help (the downloads themselves need a network)."""
    for module in ("pip install", "nltk.downloader", "spacy download"):
        args = [sys.executable, "-m", *module.split(), "--help"]
        result = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (module, result.stderr[-500:])


def test_lab_extra_is_checked_locally_with_its_own_fix(monkeypatch):
    monkeypatch.setattr(doctor, "requirements", lambda extra="": [Requirement("surely-not-jupyter>=4")])
    monkeypatch.setattr(doctor, "detect_platform", lambda: "local")
    [check] = doctor.lab_checks()
    assert not check.ok and check.fix.endswith("(part of the `lab` extra)")
    assert '-m pip install "surely-not-jupyter>=4"' in check.fix
    monkeypatch.setattr(doctor, "detect_platform", lambda: "colab")
    assert doctor.lab_checks() == []  # Colab runs its own Jupyter: installing one there breaks it


def test_local_version_label_satisfies_a_range():
    [check] = doctor.package_checks([Requirement("torch>=2.4,<3")])
    assert check.ok, check


def test_requirements_come_from_the_installed_metadata():
    names = {r.name for r in doctor.requirements()}
    assert {"transformers", "torch", "datasets", "evaluate"} <= names
    assert not names & {"pytest", "jupyterlab"}  # extras are not what every learner needs
    assert {"jupyterlab", "ipywidgets"} <= {r.name for r in doctor.requirements("lab")}


def test_missing_data_gets_its_own_download_command(monkeypatch):
    monkeypatch.setattr(doctor, "has_nltk", lambda name: name != "wordnet")
    checks = {c.name: c for c in doctor.data_checks()}
    python = doctor.python_command()
    assert checks["nltk:wordnet"].fix == f"{python} -m nltk.downloader wordnet"
    assert checks["nltk:punkt_tab"].ok and checks["nltk:punkt_tab"].fix == ""


def test_report_ends_with_a_line_that_is_true(monkeypatch, capsys):
    """`make lab` installs no NLTK data, so the report must not send learners there."""
    fix = "python -m nltk.downloader punkt_tab"
    missing = doctor.Check("nltk:punkt_tab", False, "missing", fix)
    monkeypatch.setattr(doctor, "data_checks", lambda: [missing])
    monkeypatch.setattr(doctor, "lab_checks", lambda: [])
    assert doctor.run() == 1
    out = capsys.readouterr().out
    assert f"fix: {fix}" in out
    assert "make lab" not in out
    assert out.rstrip().splitlines()[-1] == (
        "1 problem(s). Run the fix shown on each line above; "
        "they download, so they need a network connection."
    )


def test_online_run_stops_where_the_hub_cannot_be_reached():
    [problem] = doctor.online_problems({}, connect=lambda host: False)
    assert "Hugging Face Hub cannot be reached" in problem and "huggingface.co:443" in problem
    assert doctor.online_problems({}, connect=lambda host: host == "huggingface.co") == []


def test_online_run_refuses_the_offline_test_settings():
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": "/src/course/build/offline-hub/hf", "NLTK_DATA": "/data/nltk"}
    [problem] = doctor.online_problems(env, connect=lambda host: True)
    assert "HF_HUB_OFFLINE" in problem and "HF_HOME in build/offline-hub" in problem
    assert "NLTK_DATA" not in problem


def test_cli_runs():
    result = subprocess.run([sys.executable, "-m", "nlpcourse", "doctor"], capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    assert "transformers" in result.stdout and "Device:" in result.stdout


def test_python_below_3_11_gets_a_fix_that_names_the_version():
    from nlpcourse.doctor import platform_checks

    (old,) = platform_checks((3, 10, 14), "Linux", "x86_64")
    assert not old.ok and old.found == "3.10.14" and "3.11" in old.fix
    (new,) = platform_checks((3, 12, 1), "Linux", "x86_64")
    assert new.ok and new.fix == ""


def test_intel_macs_are_sent_to_colab():
    from nlpcourse.doctor import platform_checks

    checks = platform_checks((3, 12, 1), "Darwin", "x86_64")
    assert [c.name for c in checks] == ["python", "platform"]
    assert not checks[1].ok and "Colab" in checks[1].fix
    assert [c.name for c in platform_checks((3, 12, 1), "Darwin", "arm64")] == ["python"]


def test_low_disk_space_is_advice_with_the_variable_that_moves_each_folder(tmp_path):
    low = {c.name: c for c in doctor.disk_checks(tmp_path / "hub", tmp_path, free=lambda path: 100)}
    assert not low["disk:downloads"].ok and not low["disk:downloads"].required
    assert "HF_HOME" in low["disk:downloads"].fix and "nlpcourse download 06" in low["disk:downloads"].fix
    assert not low["disk:scratch"].ok and "TMPDIR" in low["disk:scratch"].fix
    roomy = doctor.disk_checks(tmp_path / "hub", tmp_path, free=lambda path: 10**6)
    assert all(c.ok and c.fix == "" for c in roomy)


def test_what_is_cached_already_needs_no_room(tmp_path, monkeypatch):
    total = doctor.total_mb(doctor.plan(doctor.registry.CHAPTERS))
    monkeypatch.setattr(doctor.disk, "cached_mb", lambda cache: total)
    [downloads, _] = doctor.disk_checks(tmp_path / "hub", tmp_path, free=lambda path: 10)
    assert downloads.ok and "already downloaded" in downloads.found


def test_low_disk_space_does_not_fail_the_report(monkeypatch, capsys):
    for name in ("platform_checks", "package_checks", "lab_checks", "data_checks"):
        monkeypatch.setattr(doctor, name, lambda: [])
    low = doctor.Check("disk:scratch", False, "100 MB free at /tmp", "set TMPDIR", required=False)
    monkeypatch.setattr(doctor, "disk_checks", lambda: [low])
    assert doctor.run() == 0
    assert capsys.readouterr().out.startswith("LOW      disk:scratch")
