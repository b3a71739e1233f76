"""`case field`: set a programme's case field from the command line (a MAPPA end date), as a new
assessment version; an impossible date is refused in one sentence and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.services import setup
from tests.support.stores import PASSPHRASE, copy_store, dump_store

ROOT = Path(__file__).resolve().parents[2]


def cli(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUNDTABLE_STORE": str(store), "ROUNDTABLE_PASSPHRASE": PASSPHRASE,
           "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "tests.support.cli_entry", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def _dump(path: Path) -> object:
    """Every table but the audit trail and its head (each unlock, this one included, is audited)."""
    s = setup.unlock(path, passphrase=PASSPHRASE)
    try:
        return {k: v for k, v in dump_store(s).items() if k not in ("audit", "meta")}
    finally:
        s.close()


def test_case_field_sets_a_date_and_refuses_an_impossible_one(mappa_template: Path, tmp_path: Path) -> None:
    store = copy_store(mappa_template, tmp_path / "hub")
    rows = json.loads(cli(store, "cases", "--json").stdout)
    ref = next(r["ref"] for r in rows if r["case_fields"] and r["status"] in ("managed", "level-1"))
    before = _dump(store)
    bad = cli(store, "case", "field", ref, "registration-end", "31/02/2026")
    assert bad.returncode != 0 and "is not a date" in bad.stderr and bad.stderr.count(".") <= 3
    assert _dump(store) == before  # refused: nothing written
    ok = cli(store, "case", "field", ref, "Registration end date", "12/03/2031")
    assert ok.returncode == 0, ok.stderr
    assert f"{ref}: Registration end date 12 March 2031" in ok.stdout
    shown = cli(store, "case", "show", ref).stdout
    assert "Registration end date: 12 March 2031" in shown and "MAPPA category: Category" in shown
    row = next(r for r in json.loads(cli(store, "cases", "--json").stdout) if r["ref"] == ref)
    assert ["registration-end", "2031-03-12"] in row["case_fields"]
    cleared = cli(store, "case", "field", ref, "registration-end", "")
    assert cleared.returncode == 0 and "Registration end date Not recorded" in cleared.stdout
    unknown = cli(store, "case", "field", ref, "parole", "12/03/2031")
    assert unknown.returncode != 0 and "not a case field" in unknown.stderr
