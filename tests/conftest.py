"""Shared pytest set-up: the per-notebook table of the nbval run (see tests/notebook_times.py)."""

from __future__ import annotations

import pytest

from tests import notebook_times


def pytest_configure(config: pytest.Config) -> None:
    notebook_times.register(config)
