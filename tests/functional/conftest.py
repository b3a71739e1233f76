"""Fixtures shared by the functional tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_inprocess import Run, make_run


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    """The command line in-process: ``run(store, *args, passphrase=...)`` -> (code, out, err)."""
    return make_run(monkeypatch, capfd, tmp_path)
