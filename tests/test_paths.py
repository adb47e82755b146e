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
