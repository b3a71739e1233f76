"""The audit log: append-only, each entry chained to the previous by SHA-256.

An entry records who, when, what action, which record and which fields — never field values, so
the log holds no names. Triggers forbid UPDATE and DELETE on the table; ``verify`` recomputes the
chain and finds any edited, inserted or deleted entry (a deleted tail is found against the head
kept in ``meta``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from app.models.domain import AuditEntry
from app.models.ids import DeviceId, MemberId
from app.storage import meta as meta_store
from app.storage.codec import canonical_json
from app.storage.schema import audit

GENESIS = "0" * 64
_INSERT = insert(audit)


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str | None,
    device: str | None,
    action: str,
    entity: str,
    record_id: str,
    fields: str,
) -> str:
    body = canonical_json([seq, at, actor, device, action, entity, record_id, fields, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class AuditWriter:
    """Appends entries within the caller's transaction."""

    conn: Connection
    actor: str | None
    device: str | None
    _head: tuple[int, str] | None = None

    def _load_head(self) -> tuple[int, str]:
        if self._head is None:
            row = self.conn.execute(
                select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)
            ).first()
            self._head = (int(row[0]), str(row[1])) if row else (0, GENESIS)
        return self._head

    def append(
        self, *, action: str, entity: str, record_id: str, fields: Sequence[str] = (), at: str
    ) -> int:
        seq, prev = self._load_head()
        seq += 1
        fields_json = json.dumps(sorted(fields))
        digest = entry_hash(
            prev, seq, at, self.actor, self.device, action, entity, record_id, fields_json
        )
        self.conn.execute(
            _INSERT,
            dict(
                seq=seq,
                at=at,
                actor=self.actor,
                device=self.device,
                action=action,
                entity=entity,
                record_id=record_id,
                fields=fields_json,
                prev_hash=prev,
                hash=digest,
            ),
        )
        self._head = (seq, digest)
        self._dirty = True
        return seq

    def flush(self) -> None:
        """Record the head of the chain (so a removed tail is noticed); once per transaction."""
        if getattr(self, "_dirty", False) and self._head is not None:
            meta_store.put(self.conn, "audit_head", f"{self._head[0]}:{self._head[1]}")
            self._dirty = False


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken: int | None
    reason: str


def verify(conn: Connection) -> VerifyResult:
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in conn.execute(select(audit).order_by(audit.c.seq)):
        count += 1
        if row.seq != expected_seq:
            return VerifyResult(False, count, expected_seq, "an entry is missing")
        if row.prev_hash != prev:
            return VerifyResult(False, count, row.seq, "the chain is broken before this entry")
        digest = entry_hash(
            row.prev_hash,
            row.seq,
            row.at,
            row.actor,
            row.device,
            row.action,
            row.entity,
            row.record_id,
            row.fields,
        )
        if digest != row.hash:
            return VerifyResult(False, count, row.seq, "this entry was changed")
        prev = row.hash
        expected_seq += 1
    head = meta_store.get(conn, "audit_head")
    if head:
        head_seq, head_hash = head.split(":", 1)
        if int(head_seq) != expected_seq - 1 or head_hash != prev:
            return VerifyResult(False, count, expected_seq, "entries at the end were removed")
    return VerifyResult(True, count, None, "")


def head(conn: Connection) -> tuple[int, str]:
    """The last entry's (seq, hash); (0, GENESIS) for an empty log."""
    row = conn.execute(select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def hash_at(conn: Connection, seq: int) -> str | None:
    """The hash of entry ``seq`` (it pins every entry before it), or None if there is no such entry."""
    row = conn.execute(select(audit.c.hash).where(audit.c.seq == seq)).first()
    return str(row[0]) if row else None


def entries_for(
    conn: Connection, entity: str, record_id: str, limit: int = 500
) -> list[AuditEntry]:
    rows = conn.execute(
        select(audit)
        .where(audit.c.entity == entity, audit.c.record_id == record_id)
        .order_by(audit.c.seq.desc())
        .limit(limit)
    )
    return [
        AuditEntry(
            seq=r.seq,
            at=r.at,
            actor=MemberId(r.actor) if r.actor else None,
            device=DeviceId(r.device) if r.device else None,
            action=r.action,
            entity=r.entity,
            record_id=r.record_id,
            fields=tuple(json.loads(r.fields)),
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit)).scalar_one())
