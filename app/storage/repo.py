"""Records by id and by case, and the panel's registers (agencies, members, devices).

The plain look-ups every service uses; the case list, search, people, meetings, actions and refs
have their own query modules (``case_list``, ``people_queries``, ``meeting_queries``,
``action_queries``, ``ref_queries``). Rows become models through ``app.storage.rows``.

Invariant: nothing here writes. Need-to-know filtering by agency happens in services, which know
who is asking; these functions return what the store holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from app.models.domain import Agency, Case, Device, Member, Subject
from app.storage import schema as s
from app.storage.case_sql import risk_level_expr
from app.storage.rows import agency_from, case_from, device_from, member_from, subject_from


def agencies(conn: Connection) -> list[Agency]:
    return [agency_from(r) for r in conn.execute(select(s.agency).order_by(s.agency.c.name))]


def members(conn: Connection) -> list[Member]:
    return [member_from(r) for r in conn.execute(select(s.member).order_by(s.member.c.name))]


def devices(conn: Connection) -> list[Device]:
    return [device_from(r) for r in conn.execute(select(s.device))]


def get_row(conn: Connection, entity: str, record_id: str) -> Any | None:
    t = s.ENTITIES[entity].table
    return conn.execute(select(t).where(t.c.id == record_id)).first()


def get_case(conn: Connection, case_id: str) -> Case | None:
    row = conn.execute(
        select(s.case, risk_level_expr().label("risk")).where(s.case.c.id == case_id)
    ).first()
    return case_from(row, row.risk) if row else None


def find_case(conn: Connection, text: str) -> list[Case]:
    """By id, or by human ref (case-insensitive)."""
    row = conn.execute(
        select(s.case, risk_level_expr().label("risk")).where(
            or_(s.case.c.id == text, func.upper(s.case.c.ref) == text.upper())
        )
    ).all()
    return [case_from(r, r.risk) for r in row]


def get_subject(conn: Connection, subject_id: str) -> Subject | None:
    row = get_row(conn, "subject", subject_id)
    return subject_from(row) if row else None


def rows_for_case(
    conn: Connection, entity: str, case_id: str, order: str | None = None
) -> list[Any]:
    t = s.ENTITIES[entity].table
    q = select(t).where(t.c.case_id == case_id)
    if order:
        q = q.order_by(t.c[order])
    return list(conn.execute(q))


def count_rows(conn: Connection, entity: str) -> int:
    t = s.ENTITIES[entity].table
    return int(conn.execute(select(func.count()).select_from(t)).scalar_one())


CASE_CHILD_ENTITIES = (
    "referral",
    "assessment",
    "plan",
    "action",
    "contribution",
    "screening",
    "consent",
    "linked_person",
    "attachment",
)


def case_record_ids(conn: Connection, case_id: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for entity in CASE_CHILD_ENTITIES:
        t = s.ENTITIES[entity].table
        out.extend(
            (entity, r[0]) for r in conn.execute(select(t.c.id).where(t.c.case_id == case_id))
        )
    return out
