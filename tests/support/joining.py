"""Helpers for the joining tests (tests/sync/test_sync_join*.py): the command line in a child
process, the demo panel's police officer, a fingerprint read from output, and an invitation made
and used in-process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from app.models.enums import Role
from app.services import joining, panel
from app.services.context import Session
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE
from tests.support.sync_support import PASS

ROOT = Path(__file__).resolve().parents[2]


def cli(store: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUNDTABLE_STORE": str(store), "ROUNDTABLE_PASSPHRASE": PASSPHRASE,
           "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, "-m", "tests.support.cli_entry", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=180)
    if check and p.returncode != 0:
        raise AssertionError(f"{args}: {p.returncode} {p.stderr}")
    return p


def police_officer(s: Session) -> tuple[str, str]:
    """(member id, agency id) of a Northshire Police officer the demo panel lists."""
    police = next(a for a in panel.list_agencies(s) if a.name == "Northshire Police")
    officer = next(m for m in panel.list_members(s)
                   if m.agency_id == police.id and m.role is Role.OFFICER)
    return officer.id, police.id


def fingerprint_in(text: str) -> str:
    found = re.search(r"(\d{5}(?: \d{5}){7})", text)
    assert found, text
    return found.group(1)


def invite(hub: Session, tmp_path: Path, **kw: object) -> tuple[bytes, str, str]:
    """An invitation for the demo panel's police officer: (file bytes, fingerprint, member id)."""
    member_id, _ = police_officer(hub)
    r = joining.invite(hub, member=member_id, out=tmp_path / "inv.rtinv", **kw)  # type: ignore[arg-type]
    return (tmp_path / "inv.rtinv").read_bytes(), r.fingerprint, member_id


def join(tmp_path: Path, data: bytes, fp: str, name: str = "joined") -> Session:
    """A store joined with that invitation, in-process, with cheap key derivation."""
    return joining.join_panel(tmp_path / name / "panel.rtdb", invitation=data, fingerprint=fp,
                              passphrase=PASS, kdf=CHEAP).session
