"""The SQL of attachments: their records, and their content in 1 MiB pieces (``attachment_chunk``).

Job: read attachment records as models, write and read an attachment's pieces, and say which
attachments an exchange file carries content for. The record itself is written only through the
``Writer`` (change capture, audit); the pieces are not an entity and are written here, inside the
same transaction as the record (the service's ``Session.change``).

Invariants:
- Content is only ever held a piece at a time (``CHUNK_BYTES``): ``iter_content`` yields pieces,
  ``put_piece`` writes one; nothing here reads a whole attachment.
- A trigger (migration 0011) deletes the pieces whenever the record is deleted (eviction, purge).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, literal_column, select
from sqlalchemy.sql.expression import ColumnClause

from app.models.attachments import Attachment
from app.models.ids import AgencyId, CaseId, MemberId
from app.storage.schema import attachment, attachment_chunk, op_log


def attachment_from(r: Any) -> Attachment:
    try:
        restricted = json.loads(r.restricted_to) if r.restricted_to else []
    except ValueError:
        restricted = []
    return Attachment(
        id=str(r.id),
        case_id=CaseId(str(r.case_id or "")),
        agency_id=AgencyId(str(r.agency_id or "")),
        author=MemberId(str(r.author)) if r.author else None,
        attached_at=str(r.attached_at or ""),
        description=str(r.description or ""),
        filename=str(r.filename or ""),
        media_type=str(r.media_type or "application/octet-stream"),
        size=int(r.size or 0),
        sha256=str(r.sha256 or ""),
        restricted_to=frozenset(AgencyId(str(a)) for a in restricted if isinstance(a, str)),
    )


def attachments_of_case(conn: Connection, case_id: str) -> list[Attachment]:
    rows = conn.execute(
        select(attachment)
        .where(attachment.c.case_id == case_id)
        .order_by(attachment.c.attached_at, attachment.c.id)
    )
    return [attachment_from(r) for r in rows]


def get_attachment(conn: Connection, attachment_id: str) -> Attachment | None:
    r = conn.execute(select(attachment).where(attachment.c.id == attachment_id)).first()
    return attachment_from(r) if r is not None else None


def attachments_with_prefix(conn: Connection, prefix: str) -> list[Attachment]:
    rows = conn.execute(
        select(attachment).where(func.substr(attachment.c.id, 1, len(prefix)) == prefix).limit(2)
    )
    return [attachment_from(r) for r in rows]


def put_piece(conn: Connection, attachment_id: str, seq: int, data: bytes) -> None:
    conn.execute(insert(attachment_chunk), {"attachment_id": attachment_id, "seq": seq, "data": data})


def drop_content(conn: Connection, attachment_id: str) -> None:
    conn.execute(delete(attachment_chunk).where(attachment_chunk.c.attachment_id == attachment_id))


def piece_count(conn: Connection, attachment_id: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(attachment_chunk)
            .where(attachment_chunk.c.attachment_id == attachment_id)
        ).scalar_one()
    )


def stored_size(conn: Connection, attachment_id: str) -> int:
    v = conn.execute(
        select(func.coalesce(func.sum(func.length(attachment_chunk.c.data)), 0)).where(
            attachment_chunk.c.attachment_id == attachment_id
        )
    ).scalar_one()
    return int(v)


def iter_content(conn: Connection, attachment_id: str) -> Iterator[bytes]:
    """The pieces in order, one query each (never the whole content at once)."""
    seqs = [
        int(r[0])
        for r in conn.execute(
            select(attachment_chunk.c.seq)
            .where(attachment_chunk.c.attachment_id == attachment_id)
            .order_by(attachment_chunk.c.seq)
        )
    ]
    for seq in seqs:
        data = conn.execute(
            select(attachment_chunk.c.data).where(
                and_(attachment_chunk.c.attachment_id == attachment_id, attachment_chunk.c.seq == seq)
            )
        ).scalar_one()
        yield bytes(data)


_ROWID: ColumnClause[Any] = literal_column("op_log.rowid")


def carried_attachments(conn: Connection, rowids: array[int], *, batch: int = 1000) -> list[str]:
    """The attachments whose ``create`` op is among the ops of an export (``rowids``), in the
    order of those ops, that this store holds the content of: the file carries their content."""
    out: list[str] = []
    for i in range(0, len(rowids), batch):
        chunk = rowids[i : i + batch].tolist()
        rows = conn.execute(
            select(op_log.c.record_id)
            .where(_ROWID.in_(chunk), op_log.c.entity == "attachment", op_log.c.kind == "create")
            .order_by(op_log.c.received)
        )
        out += [str(r[0]) for r in rows]
    have = set()
    for i in range(0, len(out), 500):
        part = out[i : i + 500]
        have |= {
            str(r[0])
            for r in conn.execute(
                select(attachment_chunk.c.attachment_id)
                .where(attachment_chunk.c.attachment_id.in_(part))
                .distinct()
            )
        }
    return [a for a in out if a in have]


def pieces_of(conn: Connection, attachment_ids: list[str]) -> int:
    """How many pieces these attachments have together (an exchange file's manifest says it)."""
    total = 0
    for i in range(0, len(attachment_ids), 500):
        part = attachment_ids[i : i + 500]
        total += int(
            conn.execute(
                select(func.count())
                .select_from(attachment_chunk)
                .where(attachment_chunk.c.attachment_id.in_(part))
            ).scalar_one()
        )
    return total
