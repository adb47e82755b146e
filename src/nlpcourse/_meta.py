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


#: The runtime paragraph of every title cell; ``sync-notebooks`` fills it from benchmarks/runtimes.json.
RUNTIME_LINE = (
    "**Runtime:** on 2 CPU cores {cpu}, peak memory {memory}; on a GPU {gpu}. Measured by `make bench` with "
    "models of the real checkpoints' size (random weights), top to bottom on otherwise idle cores, downloads "
    "excluded; the machine and torch build are in `benchmarks/cpu-2-cores.md`. {download}"
)
#: The download sentence of the runtime paragraph, with the chapter's size from the registry.
DOWNLOAD_LINE = (
    "**Download:** {size} the first time it runs (`python -m nlpcourse download {chapter}` fetches it ahead)."
)
NO_DOWNLOAD_LINE = "**Download:** nothing."

#: What the setup cell installs in Colab: the course package with its base dependencies only (Colab
#: brings its own Jupyter server; installing another one there can break the runtime).
COLAB_SPEC = f"nlpcourse @ git+{REPO_URL}"

#: The lines a notebook's setup cell runs in Colab to install the course package. Plain Python rather
#: than ``%pip`` so that the notebook's paired .py source is valid Python that ruff can check.
COLAB_INSTALL = (
    f'course = "{COLAB_SPEC}"\n'
    '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", course], check=True)'
)

#: The first code cell of every notebook, exactly.
SETUP_CELL = f"""import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package first
    {COLAB_INSTALL}

import nlpcourse

env = nlpcourse.setup()"""
