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
    """Markdown for the badge that opens ``notebook`` in Colab."""
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook)})"
    )


#: The runtime paragraph of every title cell; ``sync-notebooks`` fills it from benchmarks/runtimes.json.
RUNTIME_LINE = (
    "**Runtime:** CPU {cpu}; GPU: {gpu}. Measured by the test run on 2 CPU cores with the small offline "
    "stand-in models, not the real checkpoints: expect longer with them, plus the first download."
)

#: The line a notebook's setup cell runs in Colab to install the course package.
COLAB_INSTALL = f'%pip install -q "nlpcourse @ git+{REPO_URL}"'

#: The first code cell of every notebook, exactly.
SETUP_CELL = f"""import sys

if "google.colab" in sys.modules:  # Colab: install the course package first
    {COLAB_INSTALL}

import nlpcourse

env = nlpcourse.setup()"""
