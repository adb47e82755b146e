import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nlpcourse import paths


def test_env_var_wins(tmp_path, monkeypatch):
    target = tmp_path / "my-models"
    monkeypatch.setenv(paths.MODELS_ENV, str(target))
    assert paths.models_dir() == target
    assert target.is_dir()


def test_env_var_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(paths.MODELS_ENV, "~/models")
    assert paths.models_dir(create=False) == tmp_path / "models"


def test_repository_checkout_uses_build_models(monkeypatch):
    monkeypatch.delenv(paths.MODELS_ENV, raising=False)
    root = Path(paths.__file__).resolve().parents[2]
    assert (root / "pyproject.toml").is_file()
    assert paths.repo_root() == root
    assert paths.models_dir(create=False) == root / "build" / "models"


def test_installed_copy_uses_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.MODELS_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths, "repo_root", lambda: None)
    folder = paths.models_dir()
    assert folder == tmp_path / ".cache" / "nlpcourse" / "models"
    assert folder.is_dir()


def test_repo_root_is_none_outside_a_checkout(tmp_path, monkeypatch):
    fake = tmp_path / "site-packages" / "nlpcourse" / "paths.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("")
    monkeypatch.setattr(paths, "__file__", str(fake))
    assert paths.repo_root() is None


@pytest.mark.parametrize("value", ["", None])
def test_empty_env_var_is_ignored(value, monkeypatch):
    if value is None:
        monkeypatch.delenv(paths.MODELS_ENV, raising=False)
    else:
        monkeypatch.setenv(paths.MODELS_ENV, value)
    assert paths.models_dir(create=False).parts[-2:] == ("build", "models") or paths.repo_root() is None


def test_build_dir_is_the_checkout_build_folder_or_the_user_cache(tmp_path, monkeypatch):
    root = Path(paths.__file__).resolve().parents[2]
    assert paths.build_dir(create=False) == root / "build"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths, "repo_root", lambda: None)
    assert paths.build_dir() == tmp_path / ".cache" / "nlpcourse"
    assert (tmp_path / ".cache" / "nlpcourse").is_dir()


def test_scratch_dir_removes_only_folders_of_processes_that_ended(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name, pid in {"ended": ended.pid, "running": running.pid}.items():
            (tmp_path / f"nlpcourse-06-{name}").mkdir()
            (tmp_path / f"nlpcourse-06-{name}" / ".owner-pid").write_text(str(pid))
        (tmp_path / "nlpcourse-spacy-unowned").mkdir()  # not made by scratch_dir: never touched
        folder = paths.scratch_dir("09")
    finally:
        running.kill()
        running.wait()
    assert folder.parent == tmp_path and folder.name.startswith("nlpcourse-09-") and folder.is_dir()
    assert (folder / ".owner-pid").read_text() == str(os.getpid())
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {folder.name, "nlpcourse-06-running", "nlpcourse-spacy-unowned"}


def test_scratch_dir_is_removed_when_python_exits(tmp_path):
    code = "from nlpcourse.paths import scratch_dir; print(scratch_dir('14'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    folder = Path(done.stdout.strip())
    assert folder.parent == tmp_path and folder.name.startswith("nlpcourse-14-")
    assert not folder.exists()
