"""The project's own wiring: dependency lists agree, CI calls the README's command, student copies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import tomllib
import yaml
from packaging.requirements import Requirement

from nlpcourse import notebooks

ROOT = Path(__file__).resolve().parents[1]


def names(lines: list[str]) -> set[str]:
    reqs = [line.strip() for line in lines if line.strip() and not line.strip().startswith(("#", "-"))]
    return {re.sub(r"[-_.]+", "-", Requirement(r).name.lower()) for r in reqs}


def test_pyproject_requirements_and_environment_name_the_same_packages():
    pyproject = names(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    requirements = names((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda = names(pip_section)
    assert pyproject == requirements, pyproject ^ requirements
    assert pyproject == conda, pyproject ^ conda
    assert "conda-forge" in env["channels"] and any(str(d).startswith("python") for d in env["dependencies"])


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    assert "make test" in readme and "make lab" in readme


def test_strip_removes_outputs_and_keeps_tags(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", metadata={"tags": ["solution"], "collapsed": True})
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    cell.execution_count = 1
    nb.cells = [cell]
    nb.metadata["widgets"] = {}
    path = tmp_path / "00_x.ipynb"
    nbformat.write(nb, path)
    assert notebooks.strip_files([path]) == [path]
    stripped = nbformat.read(path, as_version=4)
    assert stripped.cells[0].outputs == [] and stripped.cells[0].execution_count is None
    assert stripped.cells[0].metadata == {"tags": ["solution"]} and "widgets" not in stripped.metadata
    assert notebooks.strip_files([path]) == []


def test_make_student_drops_solution_cells(tmp_path: Path):
    dest = tmp_path / "student"
    subprocess.run(["make", "-s", "student", f"PYTHON={sys.executable}"], cwd=ROOT, check=True)
    built = sorted((ROOT / "build" / "student").glob("*.ipynb"))
    assert [p.name for p in built] == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    for path in built:
        nb = nbformat.read(path, as_version=4)
        assert not [c for c in nb.cells if "solution" in c.get("metadata", {}).get("tags", [])], path.name
    # and the function itself, on a notebook that has a solution
    src = tmp_path / "src"
    src.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("answer = ..."),
        nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
    ]
    nbformat.write(nb, src / "01_x.ipynb")
    [out] = notebooks.build_student(src, dest)
    assert [c.source for c in nbformat.read(out, as_version=4).cells] == ["answer = ..."]


def test_record_runtimes_updates_title_and_readme(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 03 · X\n\n**Runtime:** CPU about 5 s; GPU: not measured yet.")
    ]
    (tmp_path / "03_x.ipynb").write_text(nbformat.writes(nb))
    readme = tmp_path / "README.md"
    readme.write_text(
        "| Notebook | Topics | CPU time | GPU time |\n| [03 · X](notebooks/03_x.ipynb) | t | – | – |\n"
    )
    assert notebooks.record_runtimes({"03_x.ipynb": 125.0, "09_gone.ipynb": 1.0}, tmp_path, readme) == [
        "03_x.ipynb"
    ]
    title = nbformat.read(tmp_path / "03_x.ipynb", as_version=4).cells[0].source
    assert "CPU about 2.1 min;" in title
    assert "| [03 · X](notebooks/03_x.ipynb) | t | 2.1 min | – |" in readme.read_text()


def test_readme_cpu_times_match_the_title_cells():
    readme = (ROOT / "README.md").read_text()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        match = notebooks.RUNTIME_LINE.search(nbformat.read(path, as_version=4).cells[0].source)
        assert match, f"{path.name}: title cell needs '**Runtime:** CPU about N s'"
        row = next(line for line in readme.splitlines() if f"](notebooks/{path.name})" in line)
        assert row.split("|")[3].strip() == match.group(2), f"README and {path.name} disagree on the CPU time"
