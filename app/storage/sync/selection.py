"""The SQL of what goes to a peer: an agency's scope, the export selection, the cases a peer holds,
and eviction of a case that left an agency's scope.

Job: gather the facts the pure scope rules (``app.models.sync_scope``) decide on, select the ops a
file carries, and remove a case from an agency's store.

Invariants:
- MUST be called inside the service's transaction (``Session.change``) for anything that writes.
- Export selection never yields an op its recipient's scope excludes (``Scope.op_visible``) and
  yields ops in (hlc, origin, op_id) order.
- ``evict_case`` removes every row of a case on this store (records, ops, states, conflicts,
  pending ops), keeping only this store's own ops the hub has not acknowledged yet.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, and_, delete, func, literal_column, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.expression import ColumnClause

from app.models.sync_ops import Op, op_from_row
from app.models.sync_scope import (
    RESTRICTABLE,
    Scope,
    case_shared_with,
    contribution_visible,
    subjects_of,
)
from app.storage.db import in_chunks
from app.storage.schema import ENTITIES, conflict, field_state, op_log, record_state, tombstone
from app.storage.sync.tables import sync_peer_case, sync_pending

_ROWID: ColumnClause[Any] = literal_column("op_log.rowid")


# --- scope -------------------------------------------------------------------------------------------
def scope_for(conn: Connection, agency: str, *, also: frozenset[str] = frozenset()) -> Scope:
    """What ``agency``'s store may hold; ``also``: cases a member of it holds whatever their
    sharing (the programme's chair rule, ``visibility.chair_cases``)."""
    c = ENTITIES["case"].table
    cases: set[str] = set()
    pairs: list[tuple[str, str | None]] = []
    for r in conn.execute(select(c.c.id, c.c.shared_with, c.c.lead_agency, c.c.subject_id)):
        pairs.append((str(r.id), r.subject_id))
        if str(r.id) in also or case_shared_with(r.shared_with, r.lead_agency, agency):
            cases.add(str(r.id))
    hidden: set[str] = set()
    for entity in RESTRICTABLE:  # contributions and attachments restricted to other agencies
        k = ENTITIES[entity].table
        hidden |= {
            str(r.id)
            for r in conn.execute(
                select(k.c.id, k.c.agency_id, k.c.restricted_to).where(
                    k.c.restricted_to.is_not(None), k.c.restricted_to != "[]"
                )
            )
            if not contribution_visible(r.agency_id, r.restricted_to, agency)
        }
    frozen = frozenset(cases)
    return Scope(agency, frozen, subjects_of(pairs, frozen), frozenset(hidden))


def cases_authored(conn: Connection, origin: str) -> frozenset[str]:
    """The cases on this store that its own ops (``origin``) name (an evicted case is not)."""
    c = ENTITIES["case"].table
    q = select(op_log.c.case_id).where(
        op_log.c.origin == origin, op_log.c.case_id.in_(select(c.c.id))
    )
    return frozenset(str(r[0]) for r in conn.execute(q.distinct()))


def case_subject(conn: Connection, case_id: str) -> str | None:
    c = ENTITIES["case"].table
    v = conn.execute(select(c.c.subject_id).where(c.c.id == case_id)).scalar()
    return str(v) if v else None


# --- export selection -------------------------------------------------------------------------------
def ops_after_acks(
    conn: Connection, acks: dict[tuple[str, int], int], *, origin: str | None = None
) -> Iterator[Op]:
    """Ops the peer has not acknowledged (optionally only from ``origin``), in key order."""
    q = select(op_log)
    if origin is not None:
        q = q.where(op_log.c.origin == origin)
    for row in conn.execute(q.order_by(op_log.c.hlc, op_log.c.origin, op_log.c.op_id)):
        if row.counter > acks.get((row.origin, row.epoch), 0):
            yield op_from_row(row)


def select_for_export(
    conn: Connection,
    acks: dict[tuple[str, int], int],
    keep: Callable[[Op], bool],
    *,
    origin: str | None = None,
    snapshot_cases: frozenset[str] = frozenset(),
    snapshot_subjects: frozenset[str] = frozenset(),
    full: bool = False,
) -> tuple[array[int], set[str]]:
    """The rowids of the ops to send, in arrival order, and the cases they name.

    An op is a candidate if the peer has not acknowledged it, or if it belongs to a snapshot
    (its case is in ``snapshot_cases``, or it is a subject in ``snapshot_subjects``); each
    candidate is sent if ``keep(op)``. One pass over ``op_log`` along its ``received`` index (no
    sort, no op held): 8 bytes per selected op. With ``full=False`` ``keep`` sees the op without
    its value, prev or author (enough for ``Scope.op_visible``).
    """
    light = (
        _ROWID.label("rid"), op_log.c.op_id, op_log.c.origin, op_log.c.epoch, op_log.c.counter,
        op_log.c.hlc, op_log.c.kind, op_log.c.entity, op_log.c.record_id, op_log.c.case_id,
    )
    q = select(_ROWID.label("rid"), op_log) if full else select(*light)
    if origin is not None:
        q = q.where(op_log.c.origin == origin)
    out: array[int] = array("q")
    cases: set[str] = set()
    for row in conn.execute(q.order_by(op_log.c.received)):
        if row.counter <= acks.get((row.origin, row.epoch), 0) and not (
            row.case_id in snapshot_cases
            or (row.entity == "subject" and row.record_id in snapshot_subjects)
        ):
            continue
        op = op_from_row(row) if full else Op(
            row.op_id, row.origin, int(row.epoch), int(row.counter), int(row.hlc), row.kind,
            row.entity, row.record_id, None, None, None, row.case_id, None,
        )
        if keep(op):
            out.append(int(row.rid))
            if row.case_id:
                cases.add(str(row.case_id))
    return out, cases


def ops_by_rowid(conn: Connection, rowids: array[int], *, batch: int = 1000) -> Iterator[Op]:
    """The ops of ``select_for_export``, fetched ``batch`` at a time, in the same order."""
    for i in range(0, len(rowids), batch):
        chunk = rowids[i : i + batch].tolist()
        rows = conn.execute(select(op_log).where(_ROWID.in_(chunk)).order_by(op_log.c.received))
        for row in rows:
            yield op_from_row(row)


def ops_of_case(conn: Connection, case_id: str, subject_id: str | None) -> list[Op]:
    """Every op of a case and of its subject (a snapshot for a case entering a scope)."""
    cond = op_log.c.case_id == case_id
    if subject_id:
        cond = or_(cond, and_(op_log.c.entity == "subject", op_log.c.record_id == subject_id))
    rows = conn.execute(select(op_log).where(cond))
    return [op_from_row(r) for r in rows]


def peer_cases(conn: Connection, peer: str) -> dict[str, tuple[str, int]]:
    rows = conn.execute(select(sync_peer_case).where(sync_peer_case.c.peer == peer))
    return {str(r.case_id): (str(r.state), int(r.since_seq)) for r in rows}


def set_peer_case(conn: Connection, peer: str, case_id: str, state: str | None, seq: int) -> None:
    where = and_(sync_peer_case.c.peer == peer, sync_peer_case.c.case_id == case_id)
    if state is None:
        conn.execute(delete(sync_peer_case).where(where))
        return
    stmt = sqlite_insert(sync_peer_case).values(peer=peer, case_id=case_id, state=state, since_seq=seq)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[sync_peer_case.c.peer, sync_peer_case.c.case_id],
            set_={"state": state, "since_seq": seq},
        )
    )


# --- eviction (an agency's store) --------------------------------------------------------------------
def evict_case(conn: Connection, case_id: str, *, me: str, keep_own_after: dict[int, int]) -> int:
    """Remove a case and everything of it; returns the number of records removed."""
    removed = 0
    subject_id = case_subject(conn, case_id)
    doomed: list[tuple[str, str]] = [("case", case_id)]
    for name, spec in ENTITIES.items():
        if spec.case_field == "case_id":
            t = spec.table
            doomed += [(name, str(r[0])) for r in conn.execute(select(t.c.id).where(t.c.case_id == case_id))]
    if subject_id:
        c = ENTITIES["case"].table
        others = conn.execute(
            select(func.count()).select_from(c).where(c.c.subject_id == subject_id, c.c.id != case_id)
        ).scalar_one()
        if not others:
            doomed.append(("subject", subject_id))
    for entity, rid in doomed:
        t = ENTITIES[entity].table
        removed += conn.execute(delete(t).where(t.c.id == rid)).rowcount or 0
        for state in (record_state, field_state, tombstone):
            conn.execute(delete(state).where(state.c.entity == entity, state.c.record_id == rid))
        conn.execute(delete(conflict).where(conflict.c.entity == entity, conflict.c.record_id == rid))
        conn.execute(delete(sync_pending).where(sync_pending.c.wait_record == rid))
        _drop_ops(conn, and_(op_log.c.entity == entity, op_log.c.record_id == rid), me, keep_own_after)
    _drop_ops(conn, op_log.c.case_id == case_id, me, keep_own_after)
    conn.execute(delete(conflict).where(conflict.c.case_id == case_id))
    return removed


def _drop_ops(conn: Connection, cond: Any, me: str, keep_own_after: dict[int, int]) -> None:
    rows = conn.execute(select(op_log.c.op_id, op_log.c.origin, op_log.c.epoch, op_log.c.counter).where(cond))
    doomed = [
        r.op_id
        for r in rows
        if not (r.origin == me and r.counter > keep_own_after.get(int(r.epoch), 0))
    ]
    for chunk in in_chunks(doomed):
        conn.execute(delete(op_log).where(op_log.c.op_id.in_(chunk)))
