"""NLTK resources and spaCy models with error messages that say the exact fix."""

from __future__ import annotations

from typing import Any

from nlpcourse.registry import NLTK

__all__ = ["NLTK_PATHS", "MissingResource", "load_spacy", "nltk_resource_path", "nltk_server", "require_nltk"]

#: Where ``nltk.data.find`` looks for each resource the course uses (from the registry).
NLTK_PATHS: dict[str, str] = {resource.name: resource.path for resource in NLTK}


class MissingResource(LookupError):
    """A data package the course needs is not installed; the message says how to get it."""


def nltk_resource_path(name: str) -> str:
    if name not in NLTK_PATHS:
        raise KeyError(f"unknown NLTK resource {name!r}; the course uses {sorted(NLTK_PATHS)}")
    return NLTK_PATHS[name]


def has_nltk(name: str) -> bool:
    import nltk

    try:
        nltk.data.find(nltk_resource_path(name))
    except LookupError:
        return False
    return True


def nltk_server() -> str:
    """The host NLTK's downloader fetches its data index and packages from."""
    from urllib.parse import urlparse

    from nltk.downloader import Downloader

    return urlparse(Downloader.DEFAULT_URL).hostname or "raw.githubusercontent.com"


def require_nltk(*names: str) -> None:
    """Make sure NLTK resources are installed: download the missing ones when NLTK's server answers.

    Colab and fresh installs have NLTK without its data, so this fetches it (quietly, into NLTK's
    default folder) where the network allows; offline it raises :class:`MissingResource` with the
    exact command to run once a network is there.
    """
    missing = [name for name in names if not has_nltk(name)]
    if not missing:
        return
    from nlpcourse.core import can_connect

    if can_connect(nltk_server()):
        import nltk

        fetched = list(missing)
        for name in fetched:
            nltk.download(name, quiet=True, raise_on_error=True)
        missing = [name for name in fetched if not has_nltk(name)]
        if not missing:
            print(f"Downloaded NLTK data: {', '.join(fetched)}.")
            return
    command = "python -m nltk.downloader " + " ".join(missing)
    raise MissingResource(
        f"NLTK data missing: {', '.join(missing)}, and NLTK's server ({nltk_server()}) cannot be reached "
        f"or did not provide it. With a network, install it with:\n    {command}\n"
        "(or `python -m nlpcourse download` for everything the course uses)."
    )


#: Where ``spacy download`` fetches models from (GitHub releases of explosion/spacy-models).
SPACY_MODELS_HOST = "github.com"


def load_spacy(name: str = "en_core_web_sm", **kwargs: Any) -> Any:
    """``spacy.load(name)``; a missing model is downloaded when its server answers, as NLTK data is.

    Offline it raises :class:`MissingResource` with the exact command to run once a network is there.
    """
    import spacy

    try:
        return spacy.load(name, **kwargs)
    except OSError as err:
        missing = err
    from nlpcourse.core import can_connect

    if can_connect(SPACY_MODELS_HOST):
        import importlib

        from spacy.cli import download

        download(name)  # pip-installs the model package into this environment
        importlib.invalidate_caches()  # so that this running interpreter finds the new package
        print(f"Downloaded spaCy model {name}.")
        return spacy.load(name, **kwargs)
    raise MissingResource(
        f"spaCy model {name!r} is not installed, and its server ({SPACY_MODELS_HOST}) cannot be reached. "
        f"With a network, install it with:\n    python -m spacy download {name}\n"
        "(offline, `spacy.blank('en')` still gives a tokenizer and stop words)."
    ) from missing
