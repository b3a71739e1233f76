"""Two panels' stores on the command line for transfer tests: Northshire (the 40-case demo
template) and Southshire (no cases), each having enrolled the other's coordinator card."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.support.cli_inprocess import Run


@dataclass
class Panels:
    north: Path
    south: Path
    south_name: str
    north_name: str


def card(run: Run, store: Path, out: Path) -> str:
    code, text, err = run(store, "identity", "--out", str(out))
    assert code == 0, err
    return text.split("Fingerprint: ")[1].strip()


def partner_up(run: Run, north: Path, south: Path, tmp: Path) -> Panels:
    nfpr, sfpr = card(run, north, tmp / "north.card"), card(run, south, tmp / "south.card")
    code, _, err = run(north, "partner", "enrol", str(tmp / "south.card"), "--fingerprint", sfpr)
    assert code == 0, err
    code, _, err = run(south, "partner", "enrol", str(tmp / "north.card"), "--fingerprint", nfpr)
    assert code == 0, err
    sname = json.loads(run(north, "partners", "--json")[1])[0]["name"]
    nname = json.loads(run(south, "partners", "--json")[1])[0]["name"]
    return Panels(north, south, sname, nname)


def open_case(run: Run, store: Path, *, status: str | None = None) -> dict[str, object]:
    code, text, err = run(store, "cases", "--json")
    assert code == 0, err
    rows = json.loads(text)
    closed = {"signposted", "police-managed", "not-adopted", "consent-refused", "closed",
              "transferred-out"}
    return next(r for r in rows if r["status"] not in closed and (status is None or r["status"] == status))
