"""Fixtures for exchange tests: a panel of three enrolled stores, built once and copied per test.

The template (a coordinator, a Police officer and a Health officer, each having enrolled the
other side) is created once per session with a cheap KDF; each test gets fresh copies of the
files, so no test sees another's changes and no test pays for key derivation.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from app.crypto.identity import read_identity_card
from app.crypto.keyfile import KdfParams
from app.models.enums import Role
from app.services import cases, exchange, setup
from app.services.cases import ReferralInput, SubjectInput
from app.services.context import Session
from app.storage.store import Store

PASS = "correct horse battery"


@dataclass
class Panel:
    folder: Path
    hub: Session
    police: Session
    health: Session

    def all(self) -> list[Session]:
        return [self.hub, self.police, self.health]

    def ship(self, sender: Session, recipient: Session, name: str | None = None) -> Path:
        """Export from ``sender`` for ``recipient``; returns the file."""
        out = self.folder / (name or f"{sender.workstation.member.name}-{new_name()}.rtb")
        exchange.export_bundle(sender, to_member=recipient.workstation.device_id, out=out)
        return out


_counter = [0]


def new_name() -> str:
    _counter[0] += 1
    return str(_counter[0])


def _make_template(folder: Path) -> None:
    made = {}
    for key, name, agency, role in (
        ("hub", "Cora Ordinator", "Borough Council", Role.COORDINATOR),
        ("police", "Pat Constable", "Police", Role.OFFICER),
        ("health", "Harriet Nurse", "NHS Health", Role.OFFICER),
    ):
        made[key] = setup.create_store(
            folder / f"{key}.rtdb", passphrase=PASS, name=name, agency=agency, role=role,
            kdf=KdfParams.cheap(),
        ).session
    hub = made["hub"]
    hub_card = exchange.identity_card(hub)
    for key in ("police", "health"):
        card = exchange.identity_card(made[key])
        exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
        exchange.enrol(made[key], card=hub_card, fingerprint=read_identity_card(hub_card).fingerprint)
    for s in made.values():
        s.close()


@pytest.fixture(scope="session")
def panel_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("panel-template")
    _make_template(folder)
    return folder


def open_store(path: Path) -> Session:
    return Session(Store.open_with_passphrase(path, PASS), today_fn=lambda: dt.date(2026, 11, 30))


@pytest.fixture
def panel(panel_template: Path, tmp_path: Path) -> Iterator[Panel]:
    for f in panel_template.iterdir():
        if f.suffix in (".rtdb", ".rtkey"):
            shutil.copy2(f, tmp_path / f.name)
    p = Panel(tmp_path, *(open_store(tmp_path / f"{k}.rtdb") for k in ("hub", "police", "health")))
    yield p
    for s in p.all():
        if s.store.is_open:
            s.close()


# --- helpers ---------------------------------------------------------------------------------------
def open_case(hub: Session, *, share: list[Session] = (), surname: str = "Doe") -> str:  # type: ignore[assignment]
    cid = cases.open_referral(
        hub,
        subject=SubjectInput(forenames="Jo", surname=surname, date_of_birth=dt.date(2005, 3, 1)),
        referral=ReferralInput(
            received=dt.date(2026, 11, 20), referrer="A teacher", sector="education",
            concern="other", narrative="Concerning remarks in class.",
        ),
        shared_with=[s.workstation.agency.id for s in share],
    )
    return str(cid)


SKIP_TABLES = frozenset()


def dump(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (a byte-for-byte stand-in for the store's content)."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with session.view() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        for name in sorted(names):
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).fetchall()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


VISIBLE = ("case", "subject", "referral", "contribution", "action", "action_update", "assessment",
           "agenda_item", "meeting", "status_change", "plan", "screening", "consent")


def state(session: Session, tables: tuple[str, ...] = VISIBLE) -> dict[str, list[tuple[object, ...]]]:
    """The visible records (what convergence compares)."""
    d = dump(session)
    out = {t: d[t] for t in tables}
    out["open_conflicts"] = sorted((r[0], r[5]) for r in d["conflict"] if r[7] == "open")
    return out
