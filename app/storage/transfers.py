"""Case transfers between panels (migration 0010_transfer): local to the coordinator's store,
never travelling to the agencies' stores.

- ``transfer``: one row per transfer, at the sender (``direction`` "out": the case offered, the
  partner, its state offered/accepted/declined and the receiver's new ref once accepted) and at the
  receiver ("in": the offer's content — the history that travelled, kept read-only —, its state
  received/accepted/declined, the case made from it).
- ``transfer_file``: every transfer file written or imported (its id and SHA-256), so a file
  imported twice, or a different file reusing an id, is refused.

The service writes these rows inside its ``Session.change`` transaction, with the audit entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Index, Table, Text, insert, select, update

from app.storage.schema import metadata

transfer = Table(
    "transfer",
    metadata,
    Column("id", Text, primary_key=True),
    Column("direction", Text, nullable=False),  # out | in
    Column("partner_id", Text, nullable=False),
    Column("partner_name", Text, nullable=False),
    Column("state", Text, nullable=False),  # out: offered|accepted|declined; in: received|...
    Column("case_id", Text, nullable=True),  # out: the case offered; in: the case made on accepting
    Column("case_ref", Text, nullable=False),  # out: our ref; in: the sender's ref
    Column("their_ref", Text, nullable=True),  # out: the receiver's new ref, once accepted
    Column("offered_on", Text, nullable=False),  # ISO date
    Column("answered_on", Text, nullable=True),
    Column("reason", Text, nullable=True),  # a decline's reason
    Column("discuss_by", Text, nullable=True),  # in: the transfer-in discussion's latest date
    Column("content", Text, nullable=True),  # in: the offered case (canonical JSON), read-only
)
Index("ix_transfer_case", transfer.c.case_id)

transfer_file = Table(
    "transfer_file",
    metadata,
    Column("file_id", Text, primary_key=True),
    Column("transfer_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # offer | accept | decline
    Column("direction", Text, nullable=False),  # sent | received
    Column("digest", Text, nullable=False),
    Column("at", Text, nullable=False),
)


@dataclass(frozen=True)
class TransferRow:
    id: str
    direction: str
    partner_id: str
    partner_name: str
    state: str
    case_id: str | None
    case_ref: str
    their_ref: str | None
    offered_on: str
    answered_on: str | None
    reason: str | None
    discuss_by: str | None
    content: dict[str, Any] | None


def _row(r: Any) -> TransferRow:
    return TransferRow(
        id=r.id, direction=r.direction, partner_id=r.partner_id, partner_name=r.partner_name,
        state=r.state, case_id=r.case_id, case_ref=r.case_ref, their_ref=r.their_ref,
        offered_on=r.offered_on, answered_on=r.answered_on, reason=r.reason,
        discuss_by=r.discuss_by, content=json.loads(r.content) if r.content else None,
    )


def add(conn: Any, t: TransferRow) -> None:
    conn.execute(insert(transfer).values(
        id=t.id, direction=t.direction, partner_id=t.partner_id, partner_name=t.partner_name,
        state=t.state, case_id=t.case_id, case_ref=t.case_ref, their_ref=t.their_ref,
        offered_on=t.offered_on, answered_on=t.answered_on, reason=t.reason,
        discuss_by=t.discuss_by,
        content=json.dumps(t.content, sort_keys=True) if t.content is not None else None,
    ))


def set_fields(conn: Any, transfer_id: str, **values: Any) -> None:
    conn.execute(update(transfer).where(transfer.c.id == transfer_id).values(**values))


def get(conn: Any, transfer_id: str) -> TransferRow | None:
    r = conn.execute(select(transfer).where(transfer.c.id == transfer_id)).first()
    return _row(r) if r is not None else None


def all_transfers(conn: Any) -> list[TransferRow]:
    rows = conn.execute(select(transfer).order_by(transfer.c.offered_on.desc(), transfer.c.id))
    return [_row(r) for r in rows]


def for_case(conn: Any, case_id: str) -> list[TransferRow]:
    rows = conn.execute(
        select(transfer).where(transfer.c.case_id == case_id)
        .order_by(transfer.c.offered_on, transfer.c.id)
    )
    return [_row(r) for r in rows]


def file_digest(conn: Any, file_id: str) -> str | None:
    r = conn.execute(select(transfer_file.c.digest).where(transfer_file.c.file_id == file_id)).first()
    return str(r[0]) if r is not None else None


def add_file(conn: Any, *, file_id: str, transfer_id: str, kind: str, direction: str,
             digest: str, at: str) -> None:
    conn.execute(insert(transfer_file).values(
        file_id=file_id, transfer_id=transfer_id, kind=kind, direction=direction, digest=digest,
        at=at,
    ))


__all__ = [
    "TransferRow", "add", "add_file", "all_transfers", "file_digest", "for_case", "get",
    "set_fields", "transfer", "transfer_file",
]
