"""Every change is captured as operations with a monotonic clock and an audit entry; the audit
chain finds any edit, insertion or deletion."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.models.enums import ActionStatus
from app.services import actions, cases, panel
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
    cases.set_case_officer(session, case_id=case.id, member_id=None)
    cases.set_case_officer(session, case_id=case.id, member_id=None)
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
