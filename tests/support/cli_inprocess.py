"""The command line run in-process (``app.cli.main.main``), for tests that read its exit status
and its one sentence on standard error: ``Run`` is the shape of the ``run`` fixture in
tests/functional/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli.main import main
from tests.support.stores import PASSPHRASE

Run = Callable[..., tuple[int, str, str]]


def make_run(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("ROUNDTABLE_TODAY", "2026-11-30")
    monkeypatch.setenv("ROUNDTABLE_DATA_DIR", str(tmp_path / "data"))

    def _run(store: Path, *args: str, passphrase: str = PASSPHRASE) -> tuple[int, str, str]:
        monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", passphrase)
        capfd.readouterr()
        code = main(["--store", str(store), *args])
        captured = capfd.readouterr()
        return code, captured.out, captured.err

    return _run


def one_sentence(err: str) -> str:
    """The single line a refused command prints, checked to be one sentence and no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("roundtable: ") and "Traceback" not in err, err
    return lines[0]
