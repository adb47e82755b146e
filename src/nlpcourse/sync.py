"""``python -m nlpcourse sync-notebooks``: write what every notebook shares from its one definition.

The setup cell (``_meta.SETUP_CELL``), the Colab badge (``_meta.colab_badge``) and the runtime line
(``_meta.RUNTIME_LINE`` filled from ``benchmarks/runtimes.json``, which ``make runtimes`` fills from
``make bench``) are written into every notebook, the README's CPU, memory and GPU columns from the same
file, and each notebook's paired jupytext source
(``notebooks/NN_topic.py``) is rewritten from the ``.ipynb``. A test runs the same functions and fails
when a stored file differs from what this command would write.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nlpcourse import _meta

__all__ = [
    "Runtime", "load_runtimes", "paired_source", "read_pair", "record", "sync_all", "sync_notebook",
    "sync_readme",
]

#: The badge as ``_meta.colab_badge`` writes it (reference links), or as one inline link.
BADGE = re.compile(
    r"^\[!\[Open In Colab\]\[colab-badge\]\]\[colab\]\n\n\[colab-badge\]: \S+\n\[colab\]: \S+$"
    r"|^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)$",
    re.MULTILINE,
)
#: The runtime paragraph: from ``**Runtime:**`` to the blank line that ends it.
RUNTIME_PARAGRAPH = re.compile(r"^\*\*Runtime:\*\*.*?(?=\n\n|\Z)", re.MULTILINE | re.DOTALL)
WRAP = 104  # characters per markdown line, so the paired .py stays within ruff's line length
#: jupytext's percent format, with only cell tags kept (no notebook metadata in the .py header).
JUPYTEXT_FORMAT = {"extension": ".py", "format_name": "percent"}
JUPYTEXT_OPTIONS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "tags"}


@dataclass(frozen=True)
class Runtime:
    """What one notebook costs at real size (``make bench``); ``None`` where it has not been measured.

    ``cpu_s`` and ``peak_mb`` (the kernel's peak resident memory) on a CPU, ``gpu_s`` on a GPU.
    """

    cpu_s: float | None = None
    gpu_s: float | None = None
    peak_mb: float | None = None


#: benchmarks/runtimes.json's keys for the real-size measurements. The stand-ins' test-run times that
#: the file once held (``cpu_s``) are not read: a notebook with none of these keys is "not measured yet".
CPU_KEY, PEAK_KEY, GPU_KEY = "cpu_s_real", "peak_mb_real", "gpu_s_real"


def format_seconds(seconds: float | None) -> str:
    """``"12 s"``, ``"2.1 min"``, or ``"not measured yet"``."""
    if seconds is None:
        return "not measured yet"
    return f"{round(seconds)} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def format_mb(mb: float | None) -> str:
    """``"850 MB"``, ``"2.3 GB"`` (10^3 MB, rounded to 0.1 GB), or ``"not measured yet"``."""
    if mb is None:
        return "not measured yet"
    return f"{round(mb)} MB" if round(mb) < 1000 else f"{mb / 1000:.1f} GB"


def about(seconds: float | None) -> str:
    return "not measured yet" if seconds is None else f"about {format_seconds(seconds)}"


def load_runtimes(path: Path) -> dict[str, Runtime]:
    """``benchmarks/runtimes.json``: notebook file name -> the real-size measurements."""
    raw = json.loads(path.read_text(encoding="utf-8"))["notebooks"]
    return {name: Runtime(row.get(CPU_KEY), row.get(GPU_KEY), row.get(PEAK_KEY)) for name, row in raw.items()}


def download_sentence(chapter: str) -> str:
    """What ``python -m nlpcourse download <chapter>`` fetches, from the registry's sizes."""
    from nlpcourse import download, registry

    items = download.plan([chapter]) if chapter in registry.CHAPTERS else []
    if not items:
        return _meta.NO_DOWNLOAD_LINE
    return _meta.DOWNLOAD_LINE.format(size=download.format_mb(download.total_mb(items)), chapter=chapter)


def runtime_paragraph(runtime: Runtime, chapter: str) -> str:
    memory = "not measured yet" if runtime.peak_mb is None else f"about {format_mb(runtime.peak_mb)}"
    text = _meta.RUNTIME_LINE.format(
        cpu=about(runtime.cpu_s), memory=memory, gpu=about(runtime.gpu_s), download=download_sentence(chapter)
    )
    return fill(text)


def fill(text: str) -> str:
    """``text`` wrapped at ``WRAP`` characters, never inside a `code span` (a command stays on one line)."""
    kept = re.sub(r"`[^`\n]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    wrapped = textwrap.fill(kept, width=WRAP, break_long_words=False, break_on_hyphens=False)
    return wrapped.replace("\0", " ")


def sync_notebook(nb: nbformat.NotebookNode, name: str, runtime: Runtime) -> nbformat.NotebookNode:
    """Write the badge and runtime line into the title cell and the setup cell as the first code cell."""
    title = nb.cells[0]
    if title.cell_type != "markdown" or not title.source.startswith("# "):
        raise ValueError(f"{name}: the first cell must be the markdown title cell")
    badge = _meta.colab_badge(name)
    source = BADGE.sub(lambda _: badge, title.source, count=1)
    if badge not in source:  # no badge yet: under the heading
        heading, _, rest = source.partition("\n")
        source = f"{heading}\n\n{badge}\n{rest}"
    paragraph = runtime_paragraph(runtime, name[:2])
    source, count = RUNTIME_PARAGRAPH.subn(lambda _: paragraph, source, count=1)
    if count != 1:
        source = source.rstrip("\n") + "\n\n" + paragraph
    title.source = source
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if code and code[0].source.lstrip().startswith(("import sys", "import subprocess")):
        code[0].source = _meta.SETUP_CELL
    else:
        nb.cells.insert(1, nbformat.v4.new_code_cell(_meta.SETUP_CELL))
    return nb


def sync_readme(readme: str, runtimes: dict[str, Runtime]) -> str:
    """The README with its chapter table's CPU time, peak memory and GPU time taken from ``runtimes``.

    A chapter row is ``| [title](notebooks/NN_x.ipynb) | topics | CPU | memory | GPU | download |``; a row
    written with fewer measurement columns gets all three, and a notebook missing from ``runtimes``
    reads "not measured yet".
    """
    lines = readme.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"\| \[[^]]*\]\(notebooks/([^)]+\.ipynb)\)", line):
            cells = line.split("|")
            name = re.search(r"\(notebooks/([^)]+\.ipynb)\)", cells[1]).group(1)  # type: ignore[union-attr]
            runtime = runtimes.get(name, Runtime())
            cpu, gpu = format_seconds(runtime.cpu_s), format_seconds(runtime.gpu_s)
            measured = (cpu, format_mb(runtime.peak_mb), gpu)
            lines[i] = "|".join([*cells[:3], *(f" {m} " for m in measured), *cells[-2:]])
    return "\n".join(lines) + "\n"


def paired_source(nb: nbformat.NotebookNode) -> str:
    """The notebook in jupytext's percent format, as the paired ``.py`` beside it holds it."""
    import jupytext

    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    copy.metadata["jupytext"] = dict(JUPYTEXT_OPTIONS)
    return jupytext.writes(copy, fmt=JUPYTEXT_FORMAT)


def read_pair(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``, with the cells of its paired ``.py`` when that file is newer.

    Edit either file of a pair; the newer one wins, as with ``jupytext --sync``. Cell ids and tags of
    the ``.ipynb`` are kept for the cells that did not change.
    """
    nb = nbformat.read(path, as_version=4)
    script = path.with_suffix(".py")
    if script.exists() and script.stat().st_mtime > path.stat().st_mtime:
        import jupytext

        edited = jupytext.read(script, fmt=JUPYTEXT_FORMAT)
        nb.cells = _keep_ids(nb.cells, edited.cells)
    nb.metadata.pop("jupytext", None)
    return nb


def _keep_ids(old: list, new: list) -> list:
    """``new`` cells as nbformat cells, with the ids of the ``old`` cells they match.

    A cell keeps its id when an old cell has the same type and source, else when the old cell at its
    position has the same type and was not matched; other cells get new ids.
    """
    unused = {i: cell for i, cell in enumerate(old)}
    by_content: dict[tuple[str, str], list[int]] = {}
    for i, cell in enumerate(old):
        by_content.setdefault((cell.cell_type, cell.source), []).append(i)
    cells = []
    for position, cell in enumerate(new):
        maker = nbformat.v4.new_code_cell if cell.cell_type == "code" else nbformat.v4.new_markdown_cell
        tags = cell.metadata.get("tags")
        fresh = maker(cell.source, metadata={"tags": list(tags)} if tags else {})
        match = next((i for i in by_content.get((cell.cell_type, cell.source), []) if i in unused), None)
        if match is None and position in unused and unused[position].cell_type == cell.cell_type:
            match = position
        if match is not None:
            fresh.id = unused.pop(match).id
        cells.append(fresh)
    return cells


#: A CPU run counts only if the 1-minute load average before and after it was at most this many
#: times the core count: on a shared, busy machine the wall time says more about the others' work.
BUSY_LOAD_PER_CORE = 1.25


def busy(row: dict) -> bool:
    """True where a CPU run of ``make bench`` shared its cores with other work."""
    limit = BUSY_LOAD_PER_CORE * row["cpu_cores"]
    return row["device"] == "cpu" and max(row["load_before"], row["load_after"]) > limit


def record(results_json: Path, runtimes_json: Path) -> tuple[list[str], list[str]]:
    """Copy ``make bench``'s real-size wall times and peak memory into ``runtimes_json``.

    Only notebooks whose run finished are recorded (a failed cell does not count: with random weights
    an accuracy check may fail, and the time is still what the notebook costs). A CPU run gives the wall
    time and the kernel's peak memory, a GPU run the wall time; the notebooks not in the results keep
    their entries. ``measured`` says what was measured on what, per device.

    CPU runs made on a busy machine (``busy``) are not recorded: their wall time grows with the load.
    Returns the notebooks recorded and those refused as busy.
    """
    results = json.loads(results_json.read_text(encoding="utf-8"))["notebooks"]
    data = json.loads(runtimes_json.read_text(encoding="utf-8")) if runtimes_json.exists() else {}
    table = data.setdefault("notebooks", {})
    measured = data.get("measured") if isinstance(data.get("measured"), dict) else {}
    recorded, refused = [], []
    for name, row in sorted(results.items()):
        if not row["completed"]:
            continue
        if busy(row):
            refused.append(name)
            continue
        entry = table.setdefault(name, {})
        entry.pop("cpu_s", None)  # a stand-in test-run time, not a real-size one
        on_gpu = row["device"] != "cpu"
        if on_gpu:
            entry[GPU_KEY] = row["seconds"]
        else:
            entry[CPU_KEY], entry[PEAK_KEY] = row["seconds"], row["peak_kernel_mb"]
        measured["gpu" if on_gpu else "cpu"] = (
            f"make bench, real-size configurations with random weights, {row['cpu_cores']} cores of "
            f"{row['cpu_model']}, device {row['device']}, torch {row['torch']}, {row['date'][:10]}; "
            + ("wall time" if on_gpu else "wall time on otherwise idle cores and the kernel's peak resident "
               "memory")
        )
        recorded.append(name)
    data["measured"] = dict(sorted(measured.items()))
    data["notebooks"] = dict(sorted(table.items()))
    runtimes_json.parent.mkdir(parents=True, exist_ok=True)
    runtimes_json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return recorded, refused


def sync_all(
    notebooks_dir: Path, readme: Path, runtimes_json: Path, only: Iterable[str] = ()
) -> list[Path]:
    """Bring every notebook (or those named in ``only``), its paired source and the README in step.

    Returns the files that changed.
    """
    runtimes = load_runtimes(runtimes_json)
    changed: list[Path] = []

    def write(path: Path, text: str) -> None:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)

    names = {Path(name).with_suffix(".ipynb").name for name in only}
    for path in sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb")):
        if names and path.name not in names:
            continue
        nb = sync_notebook(read_pair(path), path.name, runtimes.get(path.name, Runtime()))
        write(path, nbformat.writes(nb) + "\n")
        write(path.with_suffix(".py"), paired_source(nb))
    write(readme, sync_readme(readme.read_text(encoding="utf-8"), runtimes))
    return changed
