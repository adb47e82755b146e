"""The project's own wiring: dependency lists agree, CI calls the README's command, student copies."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import tomllib
import yaml
from packaging.requirements import Requirement

from nlpcourse import _meta, notebooks

ROOT = Path(__file__).resolve().parents[1]


def normalized(line: str) -> str:
    """``"Foo_Bar >=2,<3"`` -> ``"foo-bar<3,>=2"``: a requirement with its name and specifiers in one form."""
    req = Requirement(line)
    specs = ",".join(sorted(str(spec) for spec in req.specifier))
    return re.sub(r"[-_.]+", "-", req.name.lower()) + specs + (f"; {req.marker}" if req.marker else "")


def requirement_lines(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith(("#", "-"))]


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def conda_pip_section() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"] and any(str(d).startswith("python") for d in env["dependencies"])
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))


def test_requirements_and_environment_repeat_the_base_and_lab_lists_of_pyproject():
    """pyproject.toml is the source of truth; the learner's lists install the package and its lab extra."""
    base = project()["dependencies"]
    lab = project()["optional-dependencies"]["lab"]
    expected = sorted(normalized(line) for line in base + lab)
    for name, lines in [
        ("requirements.txt", (ROOT / "requirements.txt").read_text().splitlines()),
        ("environment.yml", conda_pip_section()),
    ]:
        assert sorted(normalized(line) for line in requirement_lines(lines)) == expected, name
        assert "-e ." in [line.strip() for line in lines], f"{name} must install the course package"


def test_base_requirements_leave_jupyter_and_test_tools_to_extras():
    """Colab runs its own Jupyter server: the base package must not replace it (nor bring test tools)."""
    base = {normalized(line).split("<")[0].split(">")[0] for line in project()["dependencies"]}
    extras = project()["optional-dependencies"]
    lab = {Requirement(line).name for line in extras["lab"]}
    assert {"jupyterlab", "ipywidgets", "nbformat", "ipykernel"} <= lab
    assert {"pytest", "nbval", "psutil", "pyyaml"} <= {Requirement(line).name for line in extras["test"]}
    server_side = {"jupyterlab", "notebook", "jupyter-server", "ipykernel", "ipywidgets", "nbformat", "nbval"}
    assert not base & (server_side | {"pytest", "psutil", "pyyaml", "ruff"}), base
    assert "[" not in _meta.COLAB_INSTALL.split("@")[0], "the Colab line installs the base package only"


def imported_modules(source: str) -> set[str]:
    """Top-level modules imported by Python code (IPython magics and shell lines read as ``pass``)."""
    lines = source.splitlines()
    code = "\n".join(re.sub(r"^(\s*)[%!].*", r"\1pass", line) for line in lines)
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_base_requirements_are_what_the_notebooks_and_the_package_import():
    """Every third-party import of a notebook or of nlpcourse is a base requirement, and nothing more."""
    sources = [
        cell.source
        for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    ]
    sources += [path.read_text() for path in sorted((ROOT / "src" / "nlpcourse").rglob("*.py"))]
    modules = set().union(*map(imported_modules, sources)) - set(sys.stdlib_module_names) - {"nlpcourse"}
    # maintainer commands only: strip (nbstripout) and sync-notebooks (jupytext), from the test extra;
    # student (nbformat, nbconvert), from the lab extra
    modules -= {"nbformat", "nbconvert", "nbstripout", "jupytext"}
    dists = importlib.metadata.packages_distributions()
    missing = {m for m in modules if m not in dists}
    assert not missing, f"imported but not installed here: {missing}"
    imported = {re.sub(r"[-_.]+", "-", dist.lower()) for m in modules for dist in dists[m]}
    base = {re.sub(r"[-_.]+", "-", Requirement(line).name.lower()) for line in project()["dependencies"]}
    assert imported <= base, f"imported, not required: {imported - base}"
    assert base <= imported, f"required, not imported: {base - imported}"


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


def test_make_test_online_stops_at_once_where_the_hub_cannot_be_reached():
    """Behind the test run's network guard no host answers: the target says so before any download."""
    env = {
        **os.environ,
        "NLPCOURSE_NETGUARD": "1",
        "PYTHONPATH": str(ROOT / "tests" / "offline_hub" / "netguard"),
    }
    start = time.monotonic()
    result = subprocess.run(
        ["make", "-s", "test-online"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    seconds = time.monotonic() - start
    assert result.returncode != 0
    assert "The Hugging Face Hub cannot be reached (huggingface.co:443" in result.stderr, result.stderr
    assert "Stopped before downloading or running anything." in result.stderr
    # neither download's plan nor pytest started
    assert "Total:" not in result.stdout and "collected" not in result.stdout, result.stdout
    assert seconds < 30, f"took {seconds:.0f} s to stop"


def test_help_lists_every_target():
    targets = re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), flags=re.M)
    help_text = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    listed = set(re.findall(r"make ([\w-]+)", help_text.stdout))
    assert set(targets) - {"help", "debs", "hub"} <= listed, set(targets) - listed  # debs, hub: steps of test


def test_weekly_ci_runs_make_test_online_on_a_cpu_runner():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "online.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    [schedule] = triggers["schedule"]
    _, _, day, month, weekday = schedule["cron"].split()
    assert day == month == "*" and weekday.isdigit(), "once a week"
    [job] = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    python = next(
        step["with"]["python-version"] for step in job["steps"] if "setup-python" in step.get("uses", "")
    )
    assert python == "3.11"
    assert [step["run"] for step in job["steps"] if "run" in step] == ["make test-online"]


def test_maintainer_commands_name_the_missing_extra():
    code = (
        "import sys; sys.modules['nbformat'] = None\n"
        "from nlpcourse.__main__ import main\n"
        "sys.exit(main(['strip', 'x.ipynb']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "needs nbformat (the course's lab extra)" in done.stderr


def test_ruff_passes_on_the_package_the_tests_and_the_notebook_sources():
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert len(sources) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))), "run `make sync`"
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", *map(str, sources)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
