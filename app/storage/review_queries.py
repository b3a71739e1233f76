"""What falls due for cases: their consent re-assessment dates, the day each reached its current
status, and every case's status and next review (the agenda proposer's input).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from app.storage import schema as s
from app.storage.case_sql import consent_reassess_expr
from app.storage.rows import _d


def consent_reassessments(conn: Connection, case_ids: Sequence[str]) -> dict[str, dt.date]:
    """Case id -> the latest consent record's re-assessment date, for the cases that have one."""
    if not case_ids:
        return {}
    q = select(s.case.c.id, consent_reassess_expr().label("due")).where(s.case.c.id.in_(list(case_ids)))
    return {r.id: d for r in conn.execute(q) if (d := _d(r.due)) is not None}


def status_reached_on(conn: Connection, case_ids: Sequence[str]) -> dict[str, dt.date]:
    """Case id -> the day the case last reached its current status (its latest status change
    into it), for the cases that have one."""
    if not case_ids:
        return {}
    sc, c = s.status_change, s.case
    q = (
        select(sc.c.case_id, func.max(sc.c.at).label("at"))
        .join(c, c.c.id == sc.c.case_id)
        .where(sc.c.case_id.in_(list(case_ids)), sc.c.to_status == c.c.status)
        .group_by(sc.c.case_id)
    )
    return {r.case_id: dt.date.fromisoformat(str(r.at)[:10]) for r in conn.execute(q) if r.at}


def case_review_states(conn: Connection) -> list[tuple[str, str, dt.date | None]]:
    """(case id, status, next review) for every case: the agenda proposer's input."""
    return [
        (r.id, r.status, _d(r.next_review))
        for r in conn.execute(select(s.case.c.id, s.case.c.status, s.case.c.next_review))
    ]
