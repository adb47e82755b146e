"""The student copies run the Colab way: from the built wheel, outside the repository, offline.

Each notebook's student copy (solution cells removed, as ``make student`` writes it) is copied to a
temporary folder and executed with nbclient in a kernel of build/colab/venv (see conftest.py).
``google.colab`` is importable there and imported when the kernel starts, as on Colab, so the setup
cell takes its Colab branch; its install line is pointed at the built wheel instead of the
repository. The kernel gets the offline hub's environment (stand-in models, NLTK data, the network
guard). Every cell must run, the setup cell must report Colab, and every exercise checker, called
with its stub still unanswered, must say so.
"""

from __future__ import annotations

import ast
import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from nlpcourse._meta import COLAB_INSTALL, COLAB_SPEC
from nlpcourse.exercises import not_answered
from nlpcourse.notebooks import build_student, is_solution

ROOT = Path(__file__).resolve().parents[2]

ALL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: The notebooks `make test` runs the Colab way: the setup and install path (00), NLTK data and the
#: preinstalled spaCy model (02), evaluate's modules with the NLTK data they fetch (07). Every notebook
#: also runs under nbval; `make test-colab` (NLPCOURSE_COLAB_NOTEBOOKS=all) runs them all this way too,
#: which would take `make test` past its time budget.
DEFAULT_CHAPTERS = ("00", "02", "07")
CHAPTERS_ENV = "NLPCOURSE_COLAB_NOTEBOOKS"


def selected(notebooks: list[Path], wanted: str | None) -> list[Path]:
    """The notebooks named by ``wanted``: "all", chapter numbers ("03 06"), or None for the default set."""
    if wanted is not None and wanted.strip() == "all":
        return notebooks
    chapters = wanted.split() if wanted is not None else DEFAULT_CHAPTERS
    by_chapter = {p.name[:2]: p for p in notebooks}
    unknown = sorted(set(chapters) - by_chapter.keys())
    if unknown:
        raise ValueError(f"{CHAPTERS_ENV}: no notebook numbered {', '.join(unknown)} in notebooks/")
    return [by_chapter[c] for c in sorted(set(chapters))]


NOTEBOOKS = selected(ALL_NOTEBOOKS, os.environ.get(CHAPTERS_ENV))
KERNEL = "colab-like"
HARNESS_TAG = "colab-harness"
#: What a checker says about an unanswered stub: not_answered()'s text around what it asks for.
_BEFORE, _AFTER = str(not_answered("\0")).split("\0")
NOT_ANSWERED = re.compile(re.escape(_BEFORE) + r".+?" + re.escape(_AFTER))
NBVAL_SKIP = re.compile(r"^\s*#\s*NBVAL_SKIP\s*$", re.MULTILINE)
NBVAL_RAISES = re.compile(r"^\s*#\s*NBVAL_RAISES_EXCEPTION\s*$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in IPython's tracebacks
FAKE_COLAB = '"""Stand-in for Colab\'s own module: importable, as in a Colab runtime, and nothing more."""\n'

# Last cell: what the run was made of.
REPORT = """\
import json, sys
import nlpcourse
print(json.dumps({"colab": "google.colab" in sys.modules, "platform": env.platform,
                  "python": sys.version.split()[0],
                  "prefix": sys.prefix, "nlpcourse": nlpcourse.__file__}))
"""


@pytest.fixture(scope="session")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``make student`` copies, in a folder outside the repository."""
    folder = tmp_path_factory.mktemp("student")
    build_student(ROOT / "notebooks", folder)
    return folder


@pytest.fixture(scope="session")
def kernel_manager_factory(
    offline_hub: Path, colab_python: Path, tmp_path_factory: pytest.TempPathFactory
):
    """Makes kernel managers for a kernel of build/colab/venv that starts as Colab's does."""
    base = tmp_path_factory.mktemp("colab-kernel")
    fake = base / "pythonpath" / "google" / "colab"  # `google` stays a namespace package
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(FAKE_COLAB)
    startup = base / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-google-colab.py").write_text("import google.colab  # noqa: F401  (Colab imports it)\n")
    env = {
        # The offline hub's variables come from os.environ; the guard is on PYTHONPATH already.
        "PYTHONPATH": os.pathsep.join([str(fake.parent.parent), os.environ.get("PYTHONPATH", "")]),
        "IPYTHONDIR": str(base / "ipython"),
        "VIRTUAL_ENV": str(colab_python.parent.parent),
        "PATH": os.pathsep.join([str(colab_python.parent), os.environ.get("PATH", "")]),
    }
    spec_dir = base / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [str(colab_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab-like)",
        "language": "python",
        "env": env,
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    specs = KernelSpecManager(kernel_dirs=[str(base / "kernels")], ensure_native_kernel=False)
    return lambda: KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


def nbval_markers(nb: nbformat.NotebookNode) -> None:
    """Honour nbval's cell markers as the nbval run does: skip ``NBVAL_SKIP`` cells, allow raising ones."""
    kept = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "nbval-skip" in tags or NBVAL_SKIP.search(cell.source):
            continue
        if NBVAL_RAISES.search(cell.source):
            cell.setdefault("metadata", {})["tags"] = [*tags, "raises-exception"]  # nbclient's tag
        kept.append(cell)
    nb.cells = kept


def _cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": [HARNESS_TAG]})


def prepare(nb: nbformat.NotebookNode, wheel: Path) -> int:
    """Point the setup cell's install line at ``wheel`` and add the report cell.

    Returns the index of the setup cell (the first code cell).
    """
    setup = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    source = nb.cells[setup].source
    assert source.count(COLAB_INSTALL) == 1, f"the first code cell lacks the install line {COLAB_INSTALL!r}"
    name = COLAB_SPEC.split(" @ ")[0]  # "nlpcourse", with any extras
    line = COLAB_INSTALL.replace(COLAB_SPEC, f"{name} @ {wheel.as_uri()}")
    nb.cells[setup].source = source.replace(COLAB_INSTALL, line)
    nb.cells.append(_cell(REPORT))
    return setup


def text_of(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell printed or showed as plain text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def calls_checker(cell: nbformat.NotebookNode) -> bool:
    """A code cell with a top-level expression that calls an exercise checker ``check_...(...)``."""
    if cell.cell_type != "code":
        return False
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:  # IPython magics
        return False
    return any(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id.startswith("check_")
        for node in tree.body
    )


def test_selected_notebooks() -> None:
    paths = [Path(f"{n}_x.ipynb") for n in ("00", "01", "02", "07")]
    assert selected(paths, None) == [paths[0], paths[2], paths[3]]
    assert selected(paths, "all") == paths
    assert selected(paths, "07 01 07") == [paths[1], paths[3]]
    with pytest.raises(ValueError, match="no notebook numbered 09"):
        selected(paths, "01 09")


def test_not_answered_pattern_tells_stubs_from_answers() -> None:
    from nlpcourse.exercises.ch01 import check_wordpiece_tokens

    assert NOT_ANSWERED.search(str(check_wordpiece_tokens(...)))
    assert not NOT_ANSWERED.search(str(check_wordpiece_tokens(["transformers"])))


def test_calls_checker_finds_top_level_checker_calls() -> None:
    stub = nbformat.v4.new_code_cell("answer = ...\ncheck_stems(answer)")
    solution = nbformat.v4.new_code_cell("answer = 1\nassert check_stems(answer)")
    assert calls_checker(stub) and not calls_checker(solution)
    assert not calls_checker(nbformat.v4.new_code_cell("%pip install x"))


def test_nbval_markers_skip_and_allow_like_nbval() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in ("# NBVAL_SKIP\nlogin()", "x = 1",
                                                           "# NBVAL_RAISES_EXCEPTION\n1 / 0")]
    nbval_markers(nb)
    assert [cell.source for cell in nb.cells] == ["x = 1", "# NBVAL_RAISES_EXCEPTION\n1 / 0"]
    assert nb.cells[1].metadata["tags"] == ["raises-exception"]


@pytest.mark.colab
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_notebook_runs_like_colab(
    offline_hub: Path,
    notebook: Path,
    student_dir: Path,
    course_wheel: Path,
    colab_python: Path,
    kernel_manager_factory,
    colab_times,
) -> None:
    venv = colab_python.parent.parent
    nb = nbformat.read(student_dir / notebook.name, as_version=4)
    nbval_markers(nb)
    setup = prepare(nb, course_wheel)
    km = kernel_manager_factory()
    client = NotebookClient(
        nb,
        km=km,
        timeout=900,
        startup_timeout=180,
        resources={"metadata": {"path": str(student_dir)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        message = ANSI.sub("", str(error))
        pytest.fail(f"{notebook.name} (student copy, Colab-like run): a cell failed\n{message}", False)
    finally:
        colab_times.notebooks[notebook.name] = time.perf_counter() - start
        if km.has_kernel:  # nbclient shuts down only the kernels it started itself
            km.shutdown_kernel(now=True)

    assert re.search(r"Running on: colab\b", text_of(nb.cells[setup])), (
        f"{notebook.name}: the setup cell does not report Colab:\n{text_of(nb.cells[setup])}"
    )
    report = json.loads(text_of(nb.cells[-1]))
    assert report["colab"] and report["platform"] == "colab", report
    assert Path(report["prefix"]).resolve() == venv.resolve(), report
    assert Path(report["nlpcourse"]).resolve().is_relative_to(venv.resolve()), (
        f"{notebook.name} imported nlpcourse from {report['nlpcourse']}, not from the installed wheel"
    )

    checkers = [cell for cell in nb.cells if calls_checker(cell)]
    full = nbformat.read(notebook, as_version=4)
    if any(is_solution(cell) for cell in full.cells):
        assert checkers, f"{notebook.name} has solution cells but its student copy calls no checker"
    for cell in checkers:
        assert NOT_ANSWERED.search(text_of(cell)), (
            f"{notebook.name}: the checker in this student cell does not say 'not answered yet':\n"
            f"{cell.source}\n--- output ---\n{text_of(cell)}"
        )
