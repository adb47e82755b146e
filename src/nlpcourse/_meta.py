"""Facts about the course that several places need: kept here, and only here."""

from __future__ import annotations

#: The course repository. Colab badges and the Colab install line are built from it.
REPO_URL = "https://github.com/hands-on-nlp/hf-nlp-course"
BRANCH = "main"


def _repo_path() -> str:
    """``owner/name`` part of :data:`REPO_URL`."""
    return REPO_URL.removeprefix("https://github.com/").rstrip("/")


def colab_url(notebook: str) -> str:
    """The "Open in Colab" address of ``notebooks/<notebook>``."""
    return f"https://colab.research.google.com/github/{_repo_path()}/blob/{BRANCH}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    """Markdown for the badge that opens ``notebook`` in Colab.

    Reference-style links keep every line short, so the notebook's paired .py passes ruff's line length.
    """
    return (
        "[![Open In Colab][colab-badge]][colab]\n\n"
        "[colab-badge]: https://colab.research.google.com/assets/colab-badge.svg\n"
        f"[colab]: {colab_url(notebook)}"
    )


#: How the runtimes were measured (machine, torch build, method), relative to a notebook in notebooks/.
BENCH_LINK = "../benchmarks/cpu-2-cores.md"
#: The runtime paragraph of every title cell; ``sync-notebooks`` fills it from benchmarks/runtimes.json.
#: Time, memory and download in one or two lines; the linked page says how they were measured.
RUNTIME_LINE = (
    "**Runtime:** {cpu} on [2 CPU cores](" + BENCH_LINK + ") with real-size models, peak memory {memory}; "
    "on a GPU {gpu}. {download}"
)
#: The download sentence of the runtime paragraph, with the chapter's size from the registry.
DOWNLOAD_LINE = "**Download:** {size} the first time, or ahead with `python -m nlpcourse download {chapter}`."
NO_DOWNLOAD_LINE = "**Download:** nothing."

#: What the setup cell installs in Colab: the course package with its base dependencies only (Colab
#: brings its own Jupyter server; installing another one there can break the runtime).
COLAB_SPEC = f"nlpcourse @ git+{REPO_URL}"

#: The lines a notebook's setup cell runs in Colab to install the course package. Plain Python rather
#: than ``%pip`` so that the notebook's paired .py source is valid Python that ruff can check.
#: On failure it shows pip's own error and says what to do, rather than a bare CalledProcessError.
COLAB_INSTALL = (
    f'course = "{COLAB_SPEC}"\n'
    '    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", course],\n'
    "                         capture_output=True, text=True)\n"
    "    if pip.returncode != 0:\n"
    '        print(pip.stdout[-2000:], pip.stderr[-2000:], sep="\\n")\n'
    '        raise RuntimeError(f"pip could not install {course} (its output is above): check that "\n'
    '                           "this runtime has internet and can reach the repository, then run again")'
)

#: The first code cell of every notebook, exactly.
SETUP_CELL = f"""import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package first
    {COLAB_INSTALL}

import nlpcourse

env = nlpcourse.setup()"""
