"""Shared pytest set-up: the per-notebook table of the nbval run (see tests/notebook_times.py)."""

from __future__ import annotations

# pytest puts this folder on sys.path before importing a conftest.py that is not in a package.
import notebook_times
import pytest


def pytest_configure(config: pytest.Config) -> None:
    notebook_times.register(config)
