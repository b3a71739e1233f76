"""The bundle's two executables: ``roundtable`` is the command line (the desktop client with no
command); ``roundtable-gui``, which has no console, is always the desktop client."""

from __future__ import annotations

import sys

import pytest

from app import bootstrap


@pytest.mark.parametrize(
    ("frozen", "executable", "argv", "expected"),
    [
        (True, "/opt/roundtable/roundtable", ["roundtable", "status"], "cli"),
        (True, "/opt/roundtable/roundtable", ["roundtable"], "gui"),
        (True, "/opt/roundtable/roundtable-gui", ["roundtable-gui", "-style", "x"], "gui"),
        (True, r"C:\Program Files\Roundtable\roundtable-gui.exe", ["x", "status"], "gui"),
        (False, "/usr/bin/python3", ["-m", "status"], "cli"),
    ],
)
def test_which_entry_point_runs(monkeypatch: pytest.MonkeyPatch, frozen: bool, executable: str,
                                argv: list[str], expected: str) -> None:  # fmt: skip
    import app.cli.main

    monkeypatch.setattr(sys, "frozen", frozen, raising=False)
    monkeypatch.setattr(sys, "executable", executable.replace("\\", "/"))
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(bootstrap, "gui_main", lambda: "gui")
    monkeypatch.setattr(app.cli.main, "main", lambda: "cli")
    assert bootstrap.main() == expected
