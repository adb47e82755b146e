"""python -m nlpcourse doctor: finds what is missing and names the fix."""

from __future__ import annotations

import subprocess
import sys

from packaging.requirements import Requirement

from nlpcourse import doctor


def test_missing_package_gets_an_install_command():
    [check] = doctor.package_checks([Requirement("surely-not-installed-pkg>=1,<2")])
    assert not check.ok and check.found == "not installed"
    assert check.fix == 'pip install "surely-not-installed-pkg<2,>=1"'


def test_wrong_version_is_reported():
    [check] = doctor.package_checks([Requirement("pytest<1")])
    assert not check.ok and check.fix.startswith('pip install "pytest')


def test_local_version_label_satisfies_a_range():
    [check] = doctor.package_checks([Requirement("torch>=2.4,<3")])
    assert check.ok, check


def test_requirements_come_from_the_installed_metadata():
    names = {r.name for r in doctor.requirements()}
    assert {"transformers", "torch", "datasets", "evaluate"} <= names
    assert "pytest" not in names  # extras are not required by learners


def test_exit_code_is_nonzero_when_something_is_missing(monkeypatch, capsys):
    monkeypatch.setattr(
        doctor, "data_checks", lambda: [doctor.Check("nltk:punkt_tab", False, "missing", "x")]
    )
    assert doctor.run() == 1
    assert "fix: x" in capsys.readouterr().out


def test_cli_runs():
    result = subprocess.run([sys.executable, "-m", "nlpcourse", "doctor"], capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    assert "transformers" in result.stdout and "Device:" in result.stdout
