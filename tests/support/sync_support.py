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
from app.models.enums import Role
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import exchange, setup
from app.services.cases import referrals
from app.services.context import Session
from app.storage.store import Store
from tests.support.kdf import CHEAP

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
            kdf=CHEAP,
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
    cid = referrals.open_referral(
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


# --- crafting files (a harness that signs arbitrary payloads with a workstation's real key) -------
def wire_op(
    sender: Session, *, kind: str, entity: str, record_id: str, value: object = None,
    field: str | None = None, case_id: str | None = None, prev: str | None = None,
    hlc: int | None = None, counter: int | None = None, origin: str | None = None,
) -> list[object]:
    from app.models.ids import new_id
    from app.storage.hlc import pack, wall_ms

    _counter[0] += 1
    return [
        new_id(), origin or sender.workstation.device_id, 0, counter or 100_000 + _counter[0],
        hlc or pack(wall_ms(), 0), kind, entity, record_id, field, value, prev, case_id,
        sender.workstation.member.id,
    ]


def craft(
    sender: Session,
    recipient: Session,
    *,
    ops: list[list[object]] = (),  # type: ignore[assignment]
    manifest: dict[str, object] | None = None,
    header: dict[str, object] | None = None,
    body: bytes | None = None,
    plaintext: bytes | None = None,
    sequence: int | None = None,
    registry: bytes | None = None,
) -> bytes:
    """A bundle signed by ``sender``'s real key for ``recipient``, with whatever content we like."""
    import zlib

    from app.crypto._canonical import canonical_dumps
    from app.crypto.bundle import seal_bundle
    from app.crypto.identity import PublicIdentity
    from app.models.ids import new_id
    from app.storage.hlc import pack, wall_ms

    me, rec = sender.workstation.device_id, recipient.workstation.device_id
    _counter[0] += 1
    seq = sequence or 500 + _counter[0]
    m: dict[str, object] = {
        "type": "roundtable-sync-payload", "version": 1, "bundle_id": new_id(), "sender": me,
        "recipient": rec, "stream": f"{me}>{rec}/0", "sequence": seq, "sender_epoch": 0,
        "created_hlc": pack(wall_ms(), 0), "schema": [1, 0], "min_reader": [1, 0],
        "registry_version": 0, "acks": [], "received": [], "op_count": len(ops),
    }
    m.update(manifest or {})
    h = {k: m[k] for k in ("bundle_id", "sender", "stream", "sequence", "created_hlc", "schema",
                           "min_reader", "registry_version")}
    h.update(header or {})
    if plaintext is None:
        if body is None:
            lines = [canonical_dumps(m), registry or b"null", *(canonical_dumps(o) for o in ops)]
            body = b"\n".join(lines) + b"\n"
        plaintext = b"\x01" + zlib.compress(body)
    keys = recipient.store.device_keys().public()
    return seal_bundle(
        plaintext=plaintext, header_fields=h, signer=sender.store.device_keys(),
        recipients=[(rec, PublicIdentity(keys.sign_pub, keys.enc_pub))],
    )


def import_bytes(session: Session, folder: Path, data: bytes) -> object:
    f = folder / f"crafted-{new_name()}.rtb"
    f.write_bytes(data)
    return exchange.import_bundle(session, path=f)


def assert_rejected_unchanged(session: Session, folder: Path, data: bytes, *, alert: bool | None = None,
                              reason: str = "") -> object:
    before = dump(session)
    r = import_bytes(session, folder, data)
    assert r.outcome in ("rejected", "kept-aside"), (r.outcome, r.reason)  # type: ignore[attr-defined]
    if alert is not None:
        assert r.security_alert is alert, r.reason  # type: ignore[attr-defined]
    assert reason.casefold() in r.reason.casefold(), r.reason  # type: ignore[attr-defined]
    assert dump(session) == before
    return r
