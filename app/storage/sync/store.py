"""The SQL of exchange: trust, registry, streams, acknowledgements, ledger, export selection, eviction.

Job: everything the exchange service needs to read or write in the store, except applying ops
(``sync.apply``) and conflict rows (``sync.conflicts``). Decisions (scope, merge, authorisation)
are pure functions in ``app.sync``; this module only gathers their facts and stores results.

Invariants:
- MUST be called inside the service's transaction (``Session.change``) for anything that writes.
- Export selection never yields an op its recipient's scope excludes (``Scope.op_visible``) and
  yields ops in (hlc, origin, op_id) order.
- ``evict_case`` removes every row of a case on this store (records, ops, states, conflicts,
  pending ops), keeping only this store's own ops the hub has not acknowledged yet.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, literal_column, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.expression import ColumnClause

from app.models.sync_ops import Op, op_from_row
from app.models.sync_scope import Scope, case_shared_with, contribution_visible, subjects_of
from app.storage import meta as meta_store
from app.storage.schema import ENTITIES, conflict, field_state, op_log, record_state, tombstone
from app.storage.sync.tables import (
    sync_ack_in,
    sync_ack_out,
    sync_ledger,
    sync_peer,
    sync_peer_case,
    sync_pending,
    sync_registry,
    sync_stream,
    sync_trust,
)


def now_iso() -> str:
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds")


# --- trust anchors (an officer's coordinator) -------------------------------------------------------
@dataclass(frozen=True)
class Trusted:
    device_id: str
    member_id: str
    agency_id: str
    name: str
    agency_name: str
    role: str
    sign_pub: bytes
    enc_pub: bytes
    fingerprint: str
    enrolled_at: str


def save_trust(conn: Connection, t: Trusted) -> None:
    values = {k: getattr(t, k) for k in Trusted.__dataclass_fields__}
    stmt = sqlite_insert(sync_trust).values(**values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[sync_trust.c.device_id], set_=values))


def trusted(conn: Connection) -> list[Trusted]:
    out = []
    for r in conn.execute(select(sync_trust)):
        m = dict(r._mapping)
        m["sign_pub"], m["enc_pub"] = bytes(m["sign_pub"]), bytes(m["enc_pub"])
        out.append(Trusted(**m))
    return out


# --- registry ------------------------------------------------------------------------------------
def registry(conn: Connection) -> tuple[int, str, bytes] | None:
    row = conn.execute(select(sync_registry).where(sync_registry.c.id == 1)).first()
    return (int(row.version), str(row.body_hash), bytes(row.document)) if row else None


def save_registry(conn: Connection, version: int, body_hash: str, document: bytes) -> None:
    values = {"version": version, "body_hash": body_hash, "document": document}
    stmt = sqlite_insert(sync_registry).values(id=1, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[sync_registry.c.id], set_=values))


def registry_rows(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """The panel's agencies, members and devices as plain dicts (for the signed registry)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entity in ("agency", "member", "device"):
        t = ENTITIES[entity].table
        out[entity] = [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))]
    return out


# --- streams and peers ---------------------------------------------------------------------------
def next_sequence(conn: Connection, peer: str, stream: str) -> int:
    row = conn.execute(select(sync_stream).where(sync_stream.c.peer == peer)).first()
    if row is None or row.stream != stream:
        return 1
    return int(row.last_seq) + 1


def record_sent(conn: Connection, peer: str, stream: str, seq: int, bundle_id: str) -> None:
    values = {"stream": stream, "last_seq": seq, "last_sent_at": now_iso(), "last_bundle_id": bundle_id}
    stmt = sqlite_insert(sync_stream).values(peer=peer, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[sync_stream.c.peer], set_=values))


def reserve_sequence(conn: Connection, peer: str, stream: str) -> tuple[int, dict[str, Any] | None]:
    """Take the next sequence number of ``stream`` for an export about to be written (the caller
    commits this before the file exists, so no number is ever issued twice); returns it and the
    stream's row as it was, for ``release_sequence``."""
    row = conn.execute(select(sync_stream).where(sync_stream.c.peer == peer)).first()
    previous = dict(row._mapping) if row is not None else None
    seq = next_sequence(conn, peer, stream)
    values = {"stream": stream, "last_seq": seq}
    stmt = sqlite_insert(sync_stream).values(peer=peer, last_sent_at=None, last_bundle_id=None, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[sync_stream.c.peer], set_=values))
    return seq, previous


def release_sequence(conn: Connection, peer: str, seq: int, previous: dict[str, Any] | None) -> None:
    """Give back a reserved number whose export failed cleanly (no file was left): the stream's
    row is put back exactly as it was, unless something else has used the stream since."""
    row = conn.execute(select(sync_stream).where(sync_stream.c.peer == peer)).first()
    if row is None or int(row.last_seq) != seq or row.last_bundle_id is not None:
        return
    if previous is None:
        conn.execute(delete(sync_stream).where(sync_stream.c.peer == peer))
    else:
        conn.execute(update(sync_stream).where(sync_stream.c.peer == peer).values(previous))


def stream_state(conn: Connection, peer: str) -> Any | None:
    return conn.execute(select(sync_stream).where(sync_stream.c.peer == peer)).first()


# --- audit witnesses (docs/sync.md, "Audit witnesses") ---------------------------------------------
# "audit-witness:<peer>": the peer's audit heads as its applied files stated them, newest last
# (a few are kept, so a proof about an older one can still be checked); "audit-witnessed-by:<peer>":
# this store's head as the peer last said it had seen it.
_WITNESS = "audit-witness:"
_WITNESSED_BY = "audit-witnessed-by:"
KEEP_WITNESSES = 16


def witnesses_of(conn: Connection, peer: str) -> list[tuple[int, int, str]]:
    """(peer's epoch, seq, hash) of the peer's audit heads as witnessed, oldest first."""
    raw = meta_store.get(conn, _WITNESS + peer)
    return [(int(e), int(q), str(h)) for e, q, h in json.loads(raw)] if raw else []


def witness_of(conn: Connection, peer: str) -> tuple[int, int, str] | None:
    """The peer's latest witnessed audit head, or None."""
    seen = witnesses_of(conn, peer)
    return seen[-1] if seen else None


def add_witness(conn: Connection, peer: str, epoch: int, seq: int, digest: str) -> None:
    seen = [*witnesses_of(conn, peer), (epoch, seq, digest)][-KEEP_WITNESSES:]
    meta_store.put(conn, _WITNESS + peer, json.dumps(seen))


def witnessed_by(conn: Connection, peer: str) -> tuple[int, int, str] | None:
    """This store's (epoch, seq, hash) as ``peer`` last said it saw it, or None."""
    raw = meta_store.get(conn, _WITNESSED_BY + peer)
    if not raw:
        return None
    e, q, h = json.loads(raw)
    return int(e), int(q), str(h)


def set_witnessed_by(conn: Connection, peer: str, point: tuple[int, int, str]) -> None:
    meta_store.put(conn, _WITNESSED_BY + peer, json.dumps(list(point)))


def peer_state(conn: Connection, peer: str) -> Any | None:
    return conn.execute(select(sync_peer).where(sync_peer.c.peer == peer)).first()


def update_peer(
    conn: Connection, peer: str, *, epoch: int, acked_stream: str | None, acked_seq: int
) -> None:
    values = {
        "epoch": epoch,
        "acked_stream": acked_stream,
        "acked_seq": acked_seq,
        "last_received_at": now_iso(),
    }
    stmt = sqlite_insert(sync_peer).values(peer=peer, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[sync_peer.c.peer], set_=values))


# --- acknowledgements ------------------------------------------------------------------------------
def my_acks(conn: Connection, me: str) -> list[tuple[str, int, int]]:
    """What this store holds, per (origin, epoch): received counters and its own log."""
    acks: dict[tuple[str, int], int] = {
        (str(r.origin), int(r.epoch)): int(r.counter) for r in conn.execute(select(sync_ack_in))
    }
    own = select(op_log.c.epoch, func.max(op_log.c.counter)).where(op_log.c.origin == me)
    for epoch, counter in conn.execute(own.group_by(op_log.c.epoch)):
        key = (me, int(epoch))
        acks[key] = max(acks.get(key, 0), int(counter))
    return sorted((o, e, c) for (o, e), c in acks.items())


def bump_acks_in(conn: Connection, ops: list[Op]) -> None:
    best: dict[tuple[str, int], int] = {}
    for op in ops:
        if op.kind == "evict":
            continue
        key = (op.origin, op.epoch)
        best[key] = max(best.get(key, 0), op.counter)
    for (origin, epoch), counter in best.items():
        stmt = sqlite_insert(sync_ack_in).values(origin=origin, epoch=epoch, counter=counter)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[sync_ack_in.c.origin, sync_ack_in.c.epoch],
                set_={"counter": func.max(sync_ack_in.c.counter, stmt.excluded.counter)},
            )
        )


def replace_acks_out(conn: Connection, peer: str, acks: tuple[tuple[str, int, int], ...]) -> None:
    conn.execute(delete(sync_ack_out).where(sync_ack_out.c.peer == peer))
    if acks:
        conn.execute(
            insert(sync_ack_out),
            [{"peer": peer, "origin": o, "epoch": e, "counter": c} for o, e, c in acks],
        )


def acks_out(conn: Connection, peer: str) -> dict[tuple[str, int], int]:
    rows = conn.execute(select(sync_ack_out).where(sync_ack_out.c.peer == peer))
    return {(str(r.origin), int(r.epoch)): int(r.counter) for r in rows}


# --- ledger ------------------------------------------------------------------------------------------
def ledger_entry(conn: Connection, *, bundle_id: str, stream: str, sequence: int) -> Any | None:
    return conn.execute(
        select(sync_ledger).where(
            or_(
                sync_ledger.c.bundle_id == bundle_id,
                and_(sync_ledger.c.stream == stream, sync_ledger.c.sequence == sequence),
            )
        )
    ).first()


def last_sequence(conn: Connection, stream: str) -> int:
    v = conn.execute(select(func.max(sync_ledger.c.sequence)).where(sync_ledger.c.stream == stream))
    return int(v.scalar() or 0)


def record_ledger(
    conn: Connection, *, bundle_id: str, sender: str, stream: str, sequence: int, digest: str,
    outcome: str, op_count: int,
) -> None:
    conn.execute(
        insert(sync_ledger).values(
            bundle_id=bundle_id, sender=sender, stream=stream, sequence=sequence, digest=digest,
            received_at=now_iso(), outcome=outcome, op_count=op_count,
        )
    )


def received_streams(conn: Connection, sender: str) -> list[tuple[str, int]]:
    q = (
        select(sync_ledger.c.stream, func.max(sync_ledger.c.sequence))
        .where(sync_ledger.c.sender == sender)
        .group_by(sync_ledger.c.stream)
    )
    return sorted((str(s), int(n)) for s, n in conn.execute(q))


def ledger_for(conn: Connection, sender: str) -> list[Any]:
    q = select(sync_ledger).where(sync_ledger.c.sender == sender)
    return list(conn.execute(q.order_by(sync_ledger.c.stream, sync_ledger.c.sequence)))


def pending_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(sync_pending)).scalar_one())


# --- scope -------------------------------------------------------------------------------------------
def scope_for(conn: Connection, agency: str, *, also: frozenset[str] = frozenset()) -> Scope:
    """What ``agency``'s store may hold; ``also``: cases a member of it holds whatever their
    sharing (the programme's chair rule, ``repo.chair_cases``)."""
    c = ENTITIES["case"].table
    cases: set[str] = set()
    pairs: list[tuple[str, str | None]] = []
    for r in conn.execute(select(c.c.id, c.c.shared_with, c.c.lead_agency, c.c.subject_id)):
        pairs.append((str(r.id), r.subject_id))
        if str(r.id) in also or case_shared_with(r.shared_with, r.lead_agency, agency):
            cases.add(str(r.id))
    k = ENTITIES["contribution"].table
    hidden = {
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


_ROWID: ColumnClause[Any] = literal_column("op_log.rowid")


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


def max_received(conn: Connection) -> int:
    return int(conn.execute(select(func.max(op_log.c.received))).scalar() or 0)


def touched_since(conn: Connection, received: int, entities: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(entity, record id) of ops of ``entities`` logged with ``received`` >= the given value."""
    q = (
        select(op_log.c.entity, op_log.c.record_id)
        .where(op_log.c.received >= received, op_log.c.entity.in_(entities))
        .distinct()
    )
    for entity, rid in conn.execute(q):
        yield str(entity), str(rid)


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
    for i in range(0, len(doomed), 500):
        conn.execute(delete(op_log).where(op_log.c.op_id.in_(doomed[i : i + 500])))


def open_conflicts(conn: Connection) -> list[Any]:
    return list(conn.execute(select(conflict).where(conflict.c.status == "open").order_by(conflict.c.id)))


def conflict_row(conn: Connection, conflict_id: str) -> Any | None:
    return conn.execute(select(conflict).where(conflict.c.id == conflict_id)).first()


def op_rows(conn: Connection, op_ids: list[str]) -> dict[str, Op]:
    rows = conn.execute(select(op_log).where(op_log.c.op_id.in_(op_ids)))
    return {str(r.op_id): op_from_row(r) for r in rows}
