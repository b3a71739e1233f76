"""The SQL of exchange: trust, registry, streams, acknowledgements, ledger, audit witnesses.

Job: what the exchange service reads or writes in the store, except what goes to a peer
(``sync.selection``: scope, export selection, eviction), applying ops (``sync.apply``) and
conflict rows (``sync.conflicts``). Decisions (scope, merge, authorisation)
are pure functions in ``app.sync``; this module only gathers their facts and stores results.

Invariants:
- MUST be called inside the service's transaction (``Session.change``) for anything that writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models.sync_ops import Op, op_from_row
from app.storage import meta as meta_store
from app.storage.schema import ENTITIES, conflict, op_log
from app.storage.sync.tables import (
    sync_ack_in,
    sync_ack_out,
    sync_ledger,
    sync_peer,
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


def open_conflicts(conn: Connection) -> list[Any]:
    return list(conn.execute(select(conflict).where(conflict.c.status == "open").order_by(conflict.c.id)))


def conflict_row(conn: Connection, conflict_id: str) -> Any | None:
    return conn.execute(select(conflict).where(conflict.c.id == conflict_id)).first()


def op_rows(conn: Connection, op_ids: list[str]) -> dict[str, Op]:
    rows = conn.execute(select(op_log).where(op_log.c.op_id.in_(op_ids)))
    return {str(r.op_id): op_from_row(r) for r in rows}
