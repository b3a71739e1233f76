"""``roundtable --version`` prints the package version (the installed packages run it)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys


def test_version_needs_no_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True,
                         env={"ROUNDTABLE_STORE": str(tmp_path / "none.rtdb"), "ROUNDTABLE_NO_LOG": "1",
                              "PATH": "/usr/bin:/bin"}, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"roundtable {importlib.metadata.version('roundtable')}\n"
    assert not (tmp_path / "none.rtdb").exists()
