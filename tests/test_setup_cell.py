"""The setup cell's Colab branch: a failed install shows pip's own error and says what to do."""

from __future__ import annotations

import sys
import types

import pytest

from nlpcourse import _meta


def test_a_failed_colab_install_shows_pips_error_and_the_way_out(monkeypatch, capsys, tmp_path):
    missing = (tmp_path / "no-such-wheel.whl").as_uri()
    colab_part = _meta.SETUP_CELL.split("\n\nimport nlpcourse")[0]
    install = colab_part.replace(_meta.COLAB_SPEC, f"nlpcourse @ {missing}")
    assert install != colab_part  # the spec was found and replaced
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    with pytest.raises(RuntimeError, match=r"could not install .* \(its output is above\)"):
        exec(install, {})
    printed = capsys.readouterr().out
    assert "no-such-wheel.whl" in printed and "ERROR" in printed  # pip's own words, not a bare exit code
