"""The ``partner`` table (migration 0009): the coordinator's enrolled partner panels and regions.

Infrastructure of the coordinator's store, like ``sync_trust``: rows are written directly (not
through change capture) and never travel; the service audits every enrolment in the same
transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Table, Text, insert, select

from app.models.partners import Partner
from app.storage.schema import metadata

partner = Table(
    "partner",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),  # panel | region
    Column("name", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("coordinator", Text, nullable=False),
    Column("agency_name", Text, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("sign_pub", LargeBinary, nullable=False),
    Column("enc_pub", LargeBinary, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("enrolled_at", Text, nullable=False),
    Column("enrolled_by", Text, nullable=False),
)
Index("ix_partner_device", partner.c.device_id, unique=True)


def _from(row: Any) -> Partner:
    return Partner(
        id=row.id, kind=row.kind, name=row.name, programme=row.programme,
        fingerprint=row.fingerprint, enrolled_at=row.enrolled_at, coordinator=row.coordinator,
        agency_name=row.agency_name, device_id=row.device_id, enrolled_by=row.enrolled_by,
        sign_pub=bytes(row.sign_pub), enc_pub=bytes(row.enc_pub),
    )


def add(conn: Any, p: Partner) -> None:
    conn.execute(insert(partner).values(
        id=p.id, kind=p.kind, name=p.name, programme=p.programme, coordinator=p.coordinator,
        agency_name=p.agency_name, device_id=p.device_id, sign_pub=p.sign_pub,
        enc_pub=p.enc_pub, fingerprint=p.fingerprint, enrolled_at=p.enrolled_at,
        enrolled_by=p.enrolled_by,
    ))


def all_partners(conn: Any) -> list[Partner]:
    rows = conn.execute(select(partner).order_by(partner.c.kind, partner.c.name, partner.c.id))
    return [_from(r) for r in rows]


def get(conn: Any, partner_id: str) -> Partner | None:
    row = conn.execute(select(partner).where(partner.c.id == partner_id)).first()
    return _from(row) if row is not None else None


def by_device(conn: Any, device_id: str) -> Partner | None:
    row = conn.execute(select(partner).where(partner.c.device_id == device_id)).first()
    return _from(row) if row is not None else None


__all__ = ["add", "all_partners", "by_device", "get", "partner"]
