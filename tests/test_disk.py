"""nlpcourse.disk: free space, and what of the course's downloads the Hugging Face cache already holds."""

from __future__ import annotations

from pathlib import Path

from nlpcourse import disk, registry


def fake_repo(cache: Path, repo_id: str, megabytes: int, kind: str = "models") -> None:
    """A repository as huggingface_hub lays it out: a blob, a snapshot that links to it, a ref."""
    folder = cache / f"{kind}--{repo_id.replace('/', '--')}"
    (folder / "blobs").mkdir(parents=True)
    (folder / "blobs" / "0123abcd").write_bytes(b"\0" * megabytes * 1_000_000)
    (folder / "snapshots" / "f00d").mkdir(parents=True)
    (folder / "snapshots" / "f00d" / "model.safetensors").symlink_to("../../blobs/0123abcd")
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text("f00d")


def test_cached_mb_counts_the_course_repositories_only(tmp_path):
    fake_repo(tmp_path, registry.CHECKPOINTS[0].id, 2)
    fake_repo(tmp_path, registry.DATASETS[0].id, 1, kind="datasets")
    fake_repo(tmp_path, "someone/not-in-the-course", 3)
    assert disk.cached_mb(tmp_path) == 3


def test_a_cache_that_does_not_exist_yet_holds_nothing(tmp_path):
    assert disk.cached_mb(tmp_path / "hub") == 0


def test_free_mb_of_a_folder_not_made_yet_is_that_of_its_disk(tmp_path):
    assert abs(disk.free_mb(tmp_path / "not" / "made" / "yet") - disk.free_mb(tmp_path)) < 200
    assert disk.free_mb(tmp_path) > 0


def test_room_problem_names_the_first_folder_without_room(tmp_path):
    free = {tmp_path / "a": 5000, tmp_path / "b": 120}
    problem = disk.room_problem(free, 3000, "the test run", free=free.__getitem__)
    assert problem is not None and problem.startswith(f"only 120 MB free at {tmp_path / 'b'}")
    assert "the test run needs about 3000 MB" in problem
    assert disk.room_problem(free, 100, "the test run", free=free.__getitem__) is None
