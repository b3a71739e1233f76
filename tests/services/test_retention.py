"""Retention: the review list against dates computed here, a purge that deletes every record of a
case for real (rows, op content, the store file's plaintext, agency stores), refusals that change
nothing, the override, and an audit chain that still verifies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import select, text

from app.models.errors import PermissionDenied, Refused
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, exchange, panel, retention
from app.services.cases import lifecycle, referrals
from app.services.context import Session
from app.storage import audit
from app.storage.schema import ENTITIES, op_log, tombstone
from tests.support.stores import dump_store
from tests.support.sync_support import open_case, panel_template  # noqa: F401 - fixture
from tests.support.sync_support import panel as sync_panel  # noqa: F401 - fixture

LATER = dt.date(2030, 6, 1)
PANEL_STATUSES = {"panel-assessment", "adopted", "support-plan", "exited"}  # extremism.toml
YEARS = {"panel": 6, "not-panel": 3}


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expected_due(session: Session) -> dict[str, tuple[str, dt.date]]:
    """ref -> (class, due) for every closed case, from the case files (not the service's query)."""
    out = {}
    for summary in cases.list_cases(session):
        cf = cases.get_case_file(session, summary.id, audit_view=False)
        if not session.programme.status(cf.case.status).terminal:
            continue
        reached = {s for _, s, _ in cf.status_history}
        cls = "panel" if reached & PANEL_STATUSES else "not-panel"
        assert cf.case.closed is not None
        out[cf.case.ref] = (cls, _plus_years(cf.case.closed, YEARS[cls]))
    return out


def test_review_matches_independent_dates(session: Session):
    expected = expected_due(session)
    assert {c for c, _ in expected.values()} == {"panel", "not-panel"}  # the demo has both
    assert retention.retention_review(session) == []  # nothing closed three years ago yet
    far = retention.retention_review(session, within_days=10 * 366)
    assert {i.ref: (i.retention_class, i.due) for i in far} == expected
    assert [i.due for i in far] == sorted(i.due for i in far)
    session.today_fn = lambda: LATER
    due = retention.retention_review(session)
    assert {i.ref for i in due} == {r for r, (_, d) in expected.items() if d <= LATER}
    assert due and all(i.overdue and i.days_left <= 0 for i in due)
    item = due[0]
    assert item.subject_name and item.outcome == session.programme.status_label(item.status)
    # The window: a case due N days ahead is listed with --within N, not with N - 1.
    session.today_fn = lambda: item.due - dt.timedelta(days=10)
    assert item.ref in {i.ref for i in retention.retention_review(session, within_days=10)}
    assert item.ref not in {i.ref for i in retention.retention_review(session, within_days=9)}


def test_retention_class_from_data_not_names(session: Session):
    prog = session.programme
    suitable = next(o for o in prog.screening_outcomes if not prog.status(o.target).terminal)
    closing = next(o for o in prog.screening_outcomes if prog.status(o.target).terminal)
    assert retention.retention_class(prog, frozenset({"screening"}), (closing.id,)) == closing.retention
    reached = frozenset({next(iter(prog.panel_statuses))})
    assert retention.retention_class(prog, reached, (closing.id,)) == suitable.retention
    longest = max(prog.retention_years, key=lambda c: prog.retention_years[c])
    assert retention.retention_class(prog, frozenset(), ()) == longest


def _closed_case(session: Session, surname: str = "Quillfeather") -> str:
    cid = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Zephyrine", surname=surname,
                             date_of_birth=dt.date(2001, 2, 3)),
        referral=ReferralInput(received=dt.date(2026, 11, 20), referrer="A teacher",
                               sector="education", concern="other",
                               narrative="Marker XYZZYPLUGH in the narrative."),
    )
    lifecycle.change_status(session, case_id=cid, status="police-assessment", rationale="")  # the police gateway first
    lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(session, case_id=cid, outcome="no-further-action",
                      rationale="Nothing further XYZZYRAT")
    return str(cid)


def _rows_of_case(session: Session, case_id: str, subject_id: str) -> int:
    n = 0
    with session.view() as conn:
        for spec in ENTITIES.values():
            t = spec.table
            if "case_id" in t.c:
                n += len(conn.execute(select(t.c.id).where(t.c.case_id == case_id)).all())
        for name, rid in (("case", case_id), ("subject", subject_id)):
            t = ENTITIES[name].table
            n += len(conn.execute(select(t.c.id).where(t.c.id == rid)).all())
    return n


def _plaintext(path: Path, key: bytes, page: int = 4096, reserve: int = 80) -> bytes:
    """The decrypted pages of a SQLCipher 4 file (AES-256-CBC, raw key, IV in each page's tail)."""
    data = path.read_bytes() if path.exists() else b""
    out = bytearray()
    for n in range(len(data) // page):
        pg = data[n * page : (n + 1) * page]
        iv = pg[page - reserve : page - reserve + 16]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += dec.update(pg[16 if n == 0 else 0 : page - reserve]) + dec.finalize()
    return bytes(out)


def test_purge_deletes_everything_of_the_case(session: Session):
    session.today_fn = lambda: LATER
    item = retention.retention_review(session)[0]
    cf = cases.get_case_file(session, item.case_id, audit_view=False)
    others = [c.id for c in cases.list_cases(session) if c.id != item.case_id]
    other_files = {c: cases.get_case_file(session, c, audit_view=False) for c in others}
    before = _rows_of_case(session, item.case_id, cf.subject.id)
    with session.view() as conn:
        agenda = conn.execute(text("SELECT count(*) FROM agenda_item WHERE case_id = :c"),
                              {"c": item.case_id}).scalar_one()

    result = retention.purge_case(session, case_id=item.case_id, reason="Retention period over")

    assert result.subject_deleted and not result.overridden
    assert sum(result.counts.values()) == before + agenda and result.counts["case"] == 1
    assert _rows_of_case(session, item.case_id, cf.subject.id) == 0
    assert item.case_id not in {c.id for c in cases.list_cases(session)}
    for cid, f in list(other_files.items())[:5]:  # other cases untouched
        assert cases.get_case_file(session, cid, audit_view=False) == f
    with session.view() as conn:
        ops = conn.execute(select(op_log).where(op_log.c.case_id == item.case_id)).all()
        subject_ops = conn.execute(
            select(op_log).where(op_log.c.entity == "subject", op_log.c.record_id == cf.subject.id)
        ).all()
        tombs = conn.execute(select(tombstone).where(tombstone.c.case_id == item.case_id)).all()
        assert verify_ok(conn)
        entries = conn.execute(text(
            "SELECT action, fields FROM audit WHERE record_id = :c AND action LIKE 'retention-%' "
            "ORDER BY seq"), {"c": item.case_id}).all()
    # Tombstones (delete ops that travel) for every record; every other op of them is blanked.
    deletes = [o for o in [*ops, *subject_ops] if o.kind == "delete"]
    assert len(deletes) == sum(result.counts.values()) and len(tombs) == len(deletes) - 1
    for o in [*ops, *subject_ops]:
        assert o.value in (None, "{}", "null"), o.kind
    assert [a for a, _ in entries] == ["retention-delete", "retention-purge"]
    fields = json.loads(entries[1][1])
    assert "reason:Retention period over" in fields and "case:1" in fields
    assert all(cf.subject.surname not in f for _, f in entries)
    # Nothing of the case in any table.
    blob = repr(dump_store(session))
    for needle in (cf.case.ref, cf.subject.display_name, cf.referral.narrative if cf.referral else ""):
        if needle and all(needle not in repr(f) for f in other_files.values()):
            assert needle not in blob


def verify_ok(conn: Any) -> bool:
    return audit.verify(conn).ok


def test_no_plaintext_left_in_the_store_file(session: Session):
    cid = _closed_case(session)
    session.store.db.checkpoint()
    key, path = session.store.data_key, session.store.path
    needles = (b"Quillfeather", b"quillfeather", b"XYZZYPLUGH", b"XYZZYRAT")
    assert all(n in _plaintext(path, key) for n in needles)  # the check can see them
    retention.purge_case(session, case_id=cid, reason="Erasure", override_reason="Agreed")
    wal = path.with_name(path.name + "-wal")
    for f in (path, wal):
        plain = _plaintext(f, key)
        assert not [n for n in needles if n in plain], f


def test_refused_before_due_changes_nothing(session: Session):
    cid = _closed_case(session)
    before = dump_store(session)
    with pytest.raises(Refused, match="has not passed"):
        retention.purge_case(session, case_id=cid, reason="Too soon")
    open_case_id = next(c.id for c in cases.list_cases(session, statuses=["support-plan"]))
    with pytest.raises(Refused, match="Only a closed case"):
        retention.purge_case(session, case_id=open_case_id, reason="x", override_reason="y")
    assert dump_store(session) == before


def test_override_is_audited(session: Session):
    cid = _closed_case(session)
    result = retention.purge_case(session, case_id=cid, reason="Erasure request",
                                  override_reason="Panel agreed erasure on 30/11/2026")
    assert result.overridden
    with session.view() as conn:
        rows = conn.execute(text(
            "SELECT action, fields FROM audit WHERE record_id = :c AND action IN "
            "('retention-override', 'retention-purge') ORDER BY seq"), {"c": cid}).all()
        assert verify_ok(conn)
    assert [r[0] for r in rows] == ["retention-override", "retention-purge"]
    assert "reason:Panel agreed erasure on 30/11/2026" in json.loads(rows[0][1])


def test_only_the_coordinator(session: Session):
    session.today_fn = lambda: LATER
    item = retention.retention_review(session)[0]
    officer = next(m for m in panel.list_members(session) if m.role.value == "officer")
    agency = next(a for a in panel.list_agencies(session) if a.id == officer.agency_id)
    other = Session(session.store, today_fn=lambda: LATER, _workstation=dataclasses.replace(
        session.workstation, member=officer, agency=agency))
    before = dump_store(session)
    with pytest.raises(PermissionDenied):
        retention.purge_case(other, case_id=item.case_id, reason="x", override_reason="y")
    with pytest.raises(PermissionDenied):
        retention.retention_review(other)
    assert dump_store(session) == before


def test_subject_kept_when_another_case_names_them(session: Session):
    cid = _closed_case(session)
    subject_id = cases.get_case_file(session, cid, audit_view=False).subject.id
    second = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Zephyrine", surname="Quillfeather"),
        referral=ReferralInput(received=dt.date(2026, 11, 25), referrer="GP", sector="health",
                               concern="other", narrative="A new concern."),
        link_subject=subject_id,
    )
    result = retention.purge_case(session, case_id=cid, reason="x", override_reason="y")
    assert not result.subject_deleted and "subject" not in result.counts
    cf = cases.get_case_file(session, second, audit_view=False)
    assert cf.subject.surname == "Quillfeather"


def test_purge_reaches_agency_stores(sync_panel: Any):  # noqa: F811
    hub, police = sync_panel.hub, sync_panel.police
    cid = open_case(hub, share=[police], surname="Quillfeather")
    lifecycle.change_status(hub, case_id=cid, status="police-assessment", rationale="")  # the police gateway first
    lifecycle.change_status(hub, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(hub, case_id=cid, outcome="signposted", rationale="Early help")
    assert exchange.import_bundle(police, path=sync_panel.ship(hub, police)).ok
    assert cases.get_case_file(police, cid, audit_view=False).subject.surname == "Quillfeather"
    retention.purge_case(hub, case_id=cid, reason="x", override_reason="y")
    report = exchange.import_bundle(police, path=sync_panel.ship(hub, police))
    assert report.ok and report.evicted == 1
    assert "Quillfeather" not in repr(dump_store(police))
    assert "Quillfeather" not in repr(dump_store(hub))
