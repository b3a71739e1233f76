"""Every change is captured as operations with a monotonic clock and an audit entry; the audit
chain finds any edit, insertion or deletion."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.models.enums import ActionStatus
from app.services import actions, cases, panel
from app.services.cases import sharing
from app.storage.hlc import COUNTER_MASK, HybridClock, pack, unpack
from app.storage.schema import audit, op_log


def _ops(session):
    with session.view() as conn:
        return list(conn.execute(select(op_log).order_by(op_log.c.received)))


def test_every_change_is_recorded_with_a_monotonic_clock(session):
    before = len(_ops(session))
    action = next(a for a in actions.list_actions(session) if not a.status.is_closed)
    actions.update_action(session, action_id=action.id, status=ActionStatus.DONE, note="seen")
    ops = _ops(session)
    new = ops[before:]
    kinds = [(o.kind, o.entity, o.field) for o in new]
    assert ("set", "action", "status") in kinds
    assert ("create", "action_update", None) in kinds
    status_op = next(o for o in new if o.field == "status")
    assert status_op.prev is not None  # the op the author saw
    assert status_op.case_id == action.case_id
    hlcs = [o.hlc for o in ops]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    counters = [o.counter for o in ops if o.origin == session.workstation.device_id]
    assert counters == list(range(counters[0], counters[0] + len(counters)))


def test_unchanged_values_record_nothing(session):
    case = cases.list_cases(session)[0]
    before = len(_ops(session))
    sharing.set_case_officer(session, case_id=case.id, member_id=None)
    sharing.set_case_officer(session, case_id=case.id, member_id=None)
    assert len(_ops(session)) - before <= 1


def test_views_are_audited(session):
    cid = cases.list_case_ids(session)[0]
    cases.get_case_file(session, cid)
    entries = panel.history(session, entity="case", record_id=cid)
    assert entries[0].action == "view"


def test_audit_holds_no_values(session):
    with session.view() as conn:
        rows = list(conn.execute(select(audit)))
    blob = json.dumps([tuple(r) for r in rows], ensure_ascii=False)
    for name in ("Kowalczyk", "O'Brien", "Súilleabháin", "narrative text"):
        assert name not in blob


def test_the_database_refuses_audit_edits(session):
    with pytest.raises(Exception, match="append-only"), session.store.db.write() as conn:
        conn.execute(text("UPDATE audit SET action = 'x' WHERE seq = 1"))


def _tamper(session, sql: str) -> None:
    with session.store.db.write() as conn:
        conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("DROP TRIGGER audit_no_delete"))
        conn.execute(text(sql))


def test_changed_entry_is_found(session):
    assert panel.verify_audit(session).ok
    _tamper(session, "UPDATE audit SET actor = 'someone-else' WHERE seq = 5")
    r = panel.verify_audit(session)
    assert not r.ok and r.first_broken == 5


def test_deleted_entry_is_found(session):
    _tamper(session, "DELETE FROM audit WHERE seq = 7")
    r = panel.verify_audit(session)
    assert not r.ok and r.first_broken == 7


def test_deleted_tail_is_found(session):
    with session.view() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit")).scalar_one()
    _tamper(session, f"DELETE FROM audit WHERE seq = {last}")
    assert not panel.verify_audit(session).ok


def test_clock_never_goes_back_and_never_wraps():
    now = [1_000]
    clock = HybridClock(now=lambda: now[0])
    a = clock.tick()
    now[0] = 500  # the local clock jumps back
    b = clock.tick()
    assert b > a and unpack(b)[0] == 1_000
    clock.last = pack(2_000, COUNTER_MASK)
    now[0] = 2_000
    c = clock.tick()
    assert unpack(c) == (2_001, 0)


# --- the head of the chain (issue 12) -------------------------------------------------------------


def _last_seq(session) -> int:
    with session.view() as conn:
        return int(conn.execute(text("SELECT max(seq) FROM audit")).scalar_one())


def _reopen(session, store_path):
    """Close and unlock again: the unlock appends an entry, as every command line run does."""
    from app.services.setup import unlock
    from tests.support.stores import PASSPHRASE, today

    session.close()
    return unlock(store_path, passphrase=PASSPHRASE, today_fn=today)


def test_deleting_the_last_entry_is_found_even_after_the_next_unlock(session, store_path):
    last = _last_seq(session)
    _tamper(session, f"DELETE FROM audit WHERE seq = {last}")
    r = panel.verify_audit(session)
    assert not r.ok and r.first_broken == last and "removed" in r.reason
    again = _reopen(session, store_path)  # its "unlock" entry chains onto the shortened log
    try:
        r = panel.verify_audit(again)
        assert not r.ok and r.first_broken == last and "removed" in r.reason
    finally:
        again.close()


def _forge_next(session) -> None:
    """Append a correctly chained entry with the raw key, leaving the signed head where it was."""
    from app.storage.audit import entry_hash

    with session.view() as conn:
        seq, prev = conn.execute(text("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")).one()
    seq += 1
    row = (seq, "2026-11-30T10:00:00.000+00:00", None, None, "view", "case", "x", "[]")
    digest = entry_hash(prev, *row)
    with session.store.db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO audit (seq, at, actor, device, action, entity, record_id, fields,"
                " prev_hash, hash) VALUES (:seq, :at, NULL, NULL, :action, :entity, :rid,"
                " :fields, :prev, :hash)"
            ),
            dict(seq=seq, at=row[1], action="view", entity="case", rid="x", fields="[]",
                 prev=prev, hash=digest),
        )  # fmt: skip


def test_a_forged_entry_appended_behind_the_head_is_found_even_after_the_next_unlock(
    session, store_path
):
    last = _last_seq(session)
    _forge_next(session)
    r = panel.verify_audit(session)
    assert not r.ok and r.first_broken == last + 1 and "added" in r.reason
    again = _reopen(session, store_path)
    try:
        r = panel.verify_audit(again)
        assert not r.ok and r.first_broken == last + 1 and "added" in r.reason
    finally:
        again.close()


def test_a_moved_head_is_found_by_its_signature(session, store_path):
    """Forge an entry and move the head onto it: the head's signature no longer fits."""
    _forge_next(session)
    with session.view() as conn:
        seq, digest = conn.execute(text("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")).one()
    with session.store.db.write() as conn:
        conn.execute(
            text("UPDATE meta SET value = :v WHERE key = 'audit_head'"), {"v": f"{seq}:{digest}"}
        )
    r = panel.verify_audit(session)
    assert not r.ok and r.first_broken == seq and "signed" in r.reason
    again = _reopen(session, store_path)
    try:
        assert not panel.verify_audit(again).ok
    finally:
        again.close()


def test_an_honest_log_verifies_across_unlocks(session, store_path):
    assert panel.verify_audit(session).ok
    again = _reopen(session, store_path)
    try:
        assert panel.verify_audit(again).ok
    finally:
        again.close()


def _note_rows(session):
    case_id = cases.list_cases(session)[0].id
    return [{"case_id": case_id, "at": f"2026-01-0{n}T10:00:00.000+00:00", "from_status": None,
             "to_status": "referral", "rationale": f"note {n}", "member_id": None}
            for n in range(1, 4)]  # fmt: skip


def _shape(session, since_op: int, since_seq: int, n: int = 3):
    """The ``n`` ops and audit entries written after the marks, generated ids and times left out."""
    with session.view() as conn:
        ops = [(o.kind, o.entity, o.field, json.loads(o.value) | {}, o.case_id, o.author)
               for o in conn.execute(select(op_log).order_by(op_log.c.received)).all()[since_op:since_op + n]]
        entries = [(e.action, e.entity, e.fields, e.actor, e.device)
                   for e in conn.execute(select(audit).where(audit.c.seq > since_seq).order_by(audit.c.seq))][:n]
    return ops, entries


def test_create_many_writes_what_that_many_creates_write(session):
    """Bulk intake's path: the same rows, ops and audit entries, the chain still whole, clock
    and counters still monotonic."""
    from app.storage.audit import verify

    rows = _note_rows(session)
    before_ops = len(_ops(session))
    with session.view() as conn:
        before_seq = conn.execute(select(audit.c.seq).order_by(audit.c.seq.desc())).first()[0]
    with session.change() as w:
        one = [w.create("status_change", r) for r in rows]
    mid_ops = len(_ops(session))
    with session.view() as conn:
        mid_seq = conn.execute(select(audit.c.seq).order_by(audit.c.seq.desc())).first()[0]
    with session.change() as w:
        many = w.create_many("status_change", rows)
    assert len(many) == len(one) == 3 and not set(many) & set(one)
    first, second = _shape(session, before_ops, before_seq), _shape(session, mid_ops, mid_seq)
    assert len(first[0]) == 3 and len(first[1]) == 3
    assert first == second
    ops = _ops(session)
    assert [o.record_id for o in ops[mid_ops:]] == many
    hlcs = [o.hlc for o in ops]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    counters = [o.counter for o in ops if o.origin == session.workstation.device_id]
    assert counters == list(range(counters[0], counters[0] + len(counters)))
    with session.view() as conn:
        assert verify(conn).ok
        from app.storage.schema import status_change
        got = {r.id: r.rationale for r in conn.execute(select(status_change).where(status_change.c.id.in_(many)))}
    assert got == {i: r["rationale"] for i, r in zip(many, rows, strict=True)}
