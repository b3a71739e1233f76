"""Which cases an agency or member may see, as SQL: led by or shared with their agency, or given
to them by the programme's chair rule (``Reach``). Services decide who is asking; this says what
that means in the store.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.sql import ColumnElement

from app.models.enums import Role
from app.models.programme import ChairRule
from app.models.rules import Reach
from app.storage import schema as s


def visible_condition(visible_to: str | Reach) -> ColumnElement[bool]:
    """SQL for "the case (``s.case``) is visible": led by or shared with the agency, or one of
    the cases the chair rule gives the member (``Reach.cases``)."""
    agency = visible_to.agency if isinstance(visible_to, Reach) else visible_to
    c = s.case
    conds = [
        c.c.lead_agency == agency,
        func.instr(func.coalesce(c.c.shared_with, ""), '"' + agency + '"') > 0,
    ]
    if isinstance(visible_to, Reach) and visible_to.cases:
        conds.append(c.c.id.in_(sorted(visible_to.cases)))
    return or_(*conds)


def chair_cases(conn: Connection, rule: ChairRule, *, member_id: str, role: str) -> frozenset[str]:
    """The cases the programme's chair rule gives this member, whatever their sharing: those on
    the agenda of a meeting they chair (``rule.agendas``) and, for a member whose role is chair,
    those in one of ``rule.statuses`` (awaiting panel). Empty when the rule gives nothing."""
    out: set[str] = set()
    if rule.agendas:
        a, m = s.agenda_item, s.meeting
        q = (
            select(a.c.case_id)
            .select_from(a.join(m, m.c.id == a.c.meeting_id))
            .where(m.c.chair == member_id, a.c.case_id.is_not(None))
        )
        out.update(str(r[0]) for r in conn.execute(q))
    if rule.statuses and role == Role.CHAIR.value:
        c = s.case
        q2 = select(c.c.id).where(c.c.status.in_(sorted(rule.statuses)))
        out.update(str(r[0]) for r in conn.execute(q2))
    return frozenset(out)
