"""The layer rules of docs/architecture.md, checked as a test: import-linter's contracts, and a
scan for the things a contract cannot see (SQL strings, pickles, temp files, secrets in f-strings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def test_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "0 broken" in r.stdout
    for contract in (  # issue 13: the contracts that say what docs/architecture.md says
        "ui and cli reach storage, sync, reports, spreadsheets, crypto via services",
        "Models import no I/O module",
        "Widgets (the ground floor) import no item models",
    ):
        assert f"{contract} KEPT" in r.stdout, r.stdout[-3000:]


def _sources(exclude: tuple[str, ...] = ()) -> list[Path]:
    return [p for p in APP.rglob("*.py") if not any(part in p.parts for part in exclude)]


def test_no_sql_outside_storage():
    sql = re.compile(
        r"""["']\s*(SELECT\s+[\w*,\s.()]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"""
        r"""|CREATE\s+(TABLE|TRIGGER|INDEX)|PRAGMA\s+\w+)"""
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources(exclude=("storage",))
        if sql.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_unsafe_calls():
    banned = {
        "pickle": re.compile(r"^\s*(import pickle|from pickle)", re.M),
        "tempfile": re.compile(r"^\s*(import tempfile|from tempfile)", re.M),
        "eval/exec": re.compile(r"(?:^|[\s=(,])(eval|exec)\(", re.M),
        "shell=True": re.compile(r"shell\s*=\s*True"),
        "yaml.load": re.compile(r"yaml\.load\("),
    }
    found = []
    for p in _sources():
        text = p.read_text(encoding="utf-8")
        for name, rx in banned.items():
            if rx.search(text):
                found.append(f"{p.relative_to(ROOT)}: {name}")
    assert found == []


def test_files_are_written_only_through_the_safe_helper():
    writes = re.compile(r"\.write_(bytes|text)\(|open\([^)]*['\"][wax]b?['\"]")
    allowed = {"app/storage/files.py", "app/config/logging.py"}
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources()
        if writes.search(p.read_text(encoding="utf-8")) and str(p.relative_to(ROOT)) not in allowed
    ]
    assert offenders == []


def test_no_programme_name_in_code():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources(exclude=("config",))
        if re.search(r"""==\s*["']extremism["']|["']extremism["']\s*==""", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
