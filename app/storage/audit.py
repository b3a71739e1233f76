"""The audit log: append-only, each entry chained to the previous by SHA-256.

An entry records who, when, what action, which record and which fields — never field values, so
the log holds no names. Triggers forbid UPDATE and DELETE on the table; ``verify`` recomputes the
chain and finds any edited, inserted or deleted entry.

The head — the last entry's number and hash — is kept in ``meta`` with the workstation's
signature of it (made by ``app.crypto.identity``; the private key is in the same encrypted
store). Every transaction that appends first compares the chain's end with the signed head; a
disagreement (an entry removed from the end, one appended behind the head's back, a head that is
not signed) is recorded once, for good, in ``meta`` as ``audit_break``, so the next entry — the
command line's own "unlock", say — cannot hide it. ``verify`` reports the break, and checks the
head against the chain's end in both directions (count and hash) and its signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from app.crypto.identity import DeviceKeys, audit_head_signed_by, sign_audit_head
from app.models.domain import AuditEntry
from app.models.ids import DeviceId, MemberId
from app.storage import meta as meta_store
from app.storage.codec import canonical_json
from app.storage.schema import audit, secret

GENESIS = "0" * 64
_INSERT = insert(audit)
HEAD_KEY = "audit_head"  # "<seq>:<hash>" of the last entry
SIGNATURE_KEY = "audit_head_signature"  # the workstation's signature of it (base64)
BREAK_KEY = "audit_break"  # JSON: when the chain's end was first found not to match its head


def _device_keys(conn: Connection) -> DeviceKeys | None:
    row = conn.execute(secret.select().where(secret.c.name == "device_keys")).first()
    return DeviceKeys.from_private_bytes(bytes(row.value)) if row is not None else None


def _last(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _stored_head(conn: Connection) -> tuple[int, str] | None:
    text = meta_store.get(conn, HEAD_KEY)
    if not text:
        return None
    seq, _, digest = text.partition(":")
    try:
        return int(seq), digest
    except ValueError:
        return (-1, digest)


def head_problem(conn: Connection, *, unsigned_ok: bool = False) -> tuple[int, str] | None:
    """Whether the chain's end agrees with the signed head in ``meta``: None when it does, else
    (the first entry concerned, why). ``unsigned_ok``: a head with no signature at all is
    accepted (a store written before heads were signed; the next write signs it)."""
    last_seq, last_hash = _last(conn)
    stored = _stored_head(conn)
    if stored is None:
        return None if last_seq == 0 else (1, "the recorded end of the log is missing")
    seq, digest = stored
    if seq < last_seq:
        return (seq + 1, "entries were added after the recorded end of the log")
    if seq > last_seq:
        return (last_seq + 1, "entries at the end were removed")
    if digest != last_hash:
        return (last_seq, "the last entry is not the one recorded as the end of the log")
    signature = meta_store.get(conn, SIGNATURE_KEY)
    keys = _device_keys(conn)
    store_id = meta_store.get(conn, "store_id") or ""
    if signature is None and unsigned_ok:
        return None
    if signature is None or keys is None:
        return (last_seq, "the recorded end of the log is not signed")
    if not audit_head_signed_by(keys.public().sign_pub, store_id, seq, digest, signature):
        return (last_seq, "the recorded end of the log is not signed by this workstation")
    return None


def recorded_break(conn: Connection) -> tuple[int, str] | None:
    """The disagreement found when an entry was last about to be appended, if ever."""
    text = meta_store.get(conn, BREAK_KEY)
    if not text:
        return None
    try:
        found = json.loads(text)
        return int(found["entry"]), str(found["reason"]) + f" (found {found['at'][:16]} UTC)"
    except (ValueError, KeyError, TypeError):
        return (1, "the log's record of an earlier break is unreadable")


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
            problem = head_problem(self.conn, unsigned_ok=True)
            if problem is not None and meta_store.get(self.conn, BREAK_KEY) is None:
                # Kept for good: the entries appended from now on chain onto what is there, and
                # would otherwise make the end look whole again.
                at = dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds")
                found = {"at": at, "entry": problem[0], "reason": problem[1]}
                meta_store.put(self.conn, BREAK_KEY, json.dumps(found, sort_keys=True))
            self._head = _last(self.conn)
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

    def append_many(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """``append`` for each of ``entries`` (its keyword arguments), chained in order and
        inserted in one ``executemany``."""
        if not entries:
            return
        seq, prev = self._load_head()
        rows = []
        for e in entries:
            seq += 1
            fields_json = json.dumps(sorted(e.get("fields", ())))
            digest = entry_hash(
                prev, seq, e["at"], self.actor, self.device, e["action"], e["entity"],
                e["record_id"], fields_json,
            )  # fmt: skip
            rows.append(dict(
                seq=seq, at=e["at"], actor=self.actor, device=self.device, action=e["action"],
                entity=e["entity"], record_id=e["record_id"], fields=fields_json,
                prev_hash=prev, hash=digest,
            ))  # fmt: skip
            prev = digest
        self.conn.execute(_INSERT, rows)
        self._head = (seq, prev)
        self._dirty = True

    def flush(self) -> None:
        """Record the head of the chain, signed by this workstation; once per transaction."""
        if getattr(self, "_dirty", False) and self._head is not None:
            seq, digest = self._head
            meta_store.put(self.conn, HEAD_KEY, f"{seq}:{digest}")
            keys = _device_keys(self.conn)
            if keys is not None:
                store_id = meta_store.get(self.conn, "store_id") or ""
                meta_store.put(
                    self.conn, SIGNATURE_KEY, sign_audit_head(keys, store_id, seq, digest)
                )
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
    found = recorded_break(conn)
    if found is not None:
        return VerifyResult(False, count, found[0], found[1])
    problem = head_problem(conn)
    if problem is not None:
        return VerifyResult(False, count, problem[0], problem[1])
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
