"""The command line run as an administrator or a script would, in a child process: the real
``app.cli.main`` through ``tests.support.cli_entry`` (cheap key derivation in that process only),
with its own HOME, TMPDIR, log and data folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Cli:
    def __init__(self, home: Path):
        self.home = home
        self.store = home / "data" / "panel.rtdb"
        self.tmp = home / "tmp"
        self.tmp.mkdir(parents=True)
        self.logs = home / "logs"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "TMPDIR": str(self.tmp),
            "ROUNDTABLE_STORE": str(self.store),
            "ROUNDTABLE_PASSPHRASE": "correct horse battery",
            "ROUNDTABLE_LOG_DIR": str(self.logs),
            "ROUNDTABLE_DATA_DIR": str(home / "data"),
            "ROUNDTABLE_TODAY": "2026-11-30",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tests.support.cli_entry", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
