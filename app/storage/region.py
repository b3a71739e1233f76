"""The ``regional_return`` table (migration 0012): the panels' returns a regional coordinator has
imported, kept inside the encrypted store (their counts are unsuppressed: nowhere else).

Infrastructure of the region's store, like ``partner``: rows are written directly and never
travel; the service audits every import in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Index, Table, Text, insert, select

from app.storage.schema import metadata

regional_return = Table(
    "regional_return",
    metadata,
    Column("id", Text, primary_key=True),  # the return's own id (from its body)
    Column("partner_id", Text, nullable=False),  # the enrolled panel that signed it
    Column("panel_name", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("period_start", Text, nullable=False),  # ISO dates
    Column("period_end", Text, nullable=False),
    Column("digest", Text, nullable=False),  # SHA-512 of the signed file (first 64 hex characters)
    Column("body", Text, nullable=False),  # the return's canonical JSON body
    Column("imported_at", Text, nullable=False),
    Column("imported_by", Text, nullable=False),
)
Index("ix_regional_return_period", regional_return.c.period_start, regional_return.c.period_end)
Index("ix_regional_return_digest", regional_return.c.digest, unique=True)


@dataclass(frozen=True)
class StoredReturn:
    id: str
    partner_id: str
    panel_name: str
    programme: str
    period_start: str
    period_end: str
    digest: str
    body: str
    imported_at: str


def _from(row: Any) -> StoredReturn:
    return StoredReturn(row.id, row.partner_id, row.panel_name, row.programme, row.period_start,
                        row.period_end, row.digest, row.body, row.imported_at)  # fmt: skip


def add(conn: Any, r: StoredReturn, *, imported_by: str) -> None:
    conn.execute(insert(regional_return).values(
        id=r.id, partner_id=r.partner_id, panel_name=r.panel_name, programme=r.programme,
        period_start=r.period_start, period_end=r.period_end, digest=r.digest, body=r.body,
        imported_at=r.imported_at, imported_by=imported_by,
    ))  # fmt: skip


def find(conn: Any, *, return_id: str, digest: str) -> StoredReturn | None:
    """A stored return with this id or this file digest."""
    row = conn.execute(
        select(regional_return).where(
            (regional_return.c.id == return_id) | (regional_return.c.digest == digest)
        )
    ).first()
    return _from(row) if row is not None else None


def for_panel_and_period(conn: Any, partner_id: str, start: str, end: str) -> StoredReturn | None:
    row = conn.execute(
        select(regional_return).where(
            regional_return.c.partner_id == partner_id,
            regional_return.c.period_start == start,
            regional_return.c.period_end == end,
        )
    ).first()
    return _from(row) if row is not None else None


def for_period(conn: Any, start: str, end: str) -> list[StoredReturn]:
    rows = conn.execute(
        select(regional_return)
        .where(regional_return.c.period_start == start, regional_return.c.period_end == end)
        .order_by(regional_return.c.panel_name, regional_return.c.id)
    )
    return [_from(r) for r in rows]


def all_returns(conn: Any) -> list[StoredReturn]:
    rows = conn.execute(select(regional_return).order_by(
        regional_return.c.period_start, regional_return.c.panel_name))  # fmt: skip
    return [_from(r) for r in rows]


__all__ = ["StoredReturn", "add", "all_returns", "find", "for_panel_and_period", "for_period",
           "regional_return"]  # fmt: skip
