"""Gather the inputs of the statistics (one ``StatsCase`` per case) in a few set-based queries.

Job: read what ``app.models.statistics.compute_statistics`` needs for every case this store may
show, without loading whole case files: one query per kind of record (cases with their first
referral and subject, screenings, adoptions, consents, the panel meetings held, actions), grouped
in Python. Read-only; called inside ``Session.view()``.

Invariants: a case counts once, with its earliest referral; the first screening decision decides
the outcome; "discussed at panel" means an agenda item in a meeting marked held; "adopted" means
the case once moved to the programme's adopted status; action owners are agency names; case fields
are those of the current assessment (``case_sql.current_assessment_order``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, func, select

from app.models.enums import ActionStatus, ConsentState
from app.models.rules import Reach
from app.models.statistics import StatsAction, StatsCase
from app.storage import case_sql, visibility
from app.storage import schema as s
from app.storage.codec import parse_date


def _visible(visible_to: str | Reach | None) -> Any:
    if visible_to is None:
        return None
    return visibility.visible_condition(visible_to)


def _age(dob: dt.date | None, day: dt.date) -> int | None:
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def stats_cases(
    conn: Connection,
    *,
    adopted_status: str,
    visible_to: str | Reach | None = None,
    with_case_fields: bool = False,
) -> list[StatsCase]:
    """One ``StatsCase`` per case with a referral (``visible_to``: None for the hub, which sees
    every case; else the agency whose need-to-know applies). ``with_case_fields`` adds the case
    fields recorded by each case's current assessment (one more query)."""
    base = _first_referrals(conn, _visible(visible_to))
    ids = set(base)
    screened = _first_screenings(conn, ids)
    adopted = _adopted(conn, adopted_status)
    given, withdrawn, refused = _consent_states(conn)
    heard = _heard(conn)
    panel = {case_id: min(days) for case_id, days in heard.items()}
    actions = _actions(conn, ids)
    fields = _current_case_fields(conn, ids) if with_case_fields else {}
    out: list[StatsCase] = []
    for case_id, row in base.items():
        received = parse_date(row.received)
        if received is None:
            continue
        scr = screened.get(case_id)
        out.append(
            StatsCase(
                received=received,
                sector=row.sector or "",
                concern=row.concern or "",
                age_at_referral=_age(parse_date(row.date_of_birth), received),
                gender=row.gender or "",
                ethnicity=row.ethnicity or "",
                screening_outcome=scr[1] if scr else None,
                screened_on=scr[0] if scr else None,
                first_panel_on=panel.get(case_id),
                adopted=case_id in adopted,
                exited_on=parse_date(row.exited_on),
                consent_given=case_id in given or case_id in withdrawn,
                consent_withdrawn=case_id in withdrawn,
                consent_refused=case_id in refused,
                actions=tuple(sorted(actions.get(case_id, ()), key=lambda x: x.due)),
                case_fields=fields.get(case_id, ()),
                case_id=case_id,
                heard_on=tuple(sorted(heard.get(case_id, ()))),
            )
        )
    return out


def _first_referrals(conn: Connection, vis: Any) -> dict[str, Any]:
    """Case id -> the row of the case, its earliest referral and its subject (visible cases)."""
    c, r, subj = s.case, s.referral, s.subject
    first = (
        select(r.c.case_id, func.min(r.c.received).label("received"))
        .group_by(r.c.case_id)
        .subquery()
    )
    q = (
        select(
            c.c.id, c.c.exited_on, r.c.received, r.c.sector, r.c.concern,
            subj.c.date_of_birth, subj.c.gender, subj.c.ethnicity,
        )
        .select_from(
            c.join(first, first.c.case_id == c.c.id)
            .join(r, and_(r.c.case_id == c.c.id, r.c.received == first.c.received))
            .join(subj, subj.c.id == c.c.subject_id)
        )
    )
    if vis is not None:
        q = q.where(vis)
    base: dict[str, Any] = {}
    row: Any
    for row in conn.execute(q):
        base.setdefault(row.id, row)  # two referrals on one day: either will do
    return base


def _first_screenings(conn: Connection, ids: set[str]) -> dict[str, tuple[dt.date, str]]:
    """Case id -> (day, outcome) of its first screening decision."""
    screened: dict[str, tuple[dt.date, str]] = {}
    for row in conn.execute(
        select(s.screening.c.case_id, s.screening.c.decided_on, s.screening.c.outcome)
    ):
        day = parse_date(row.decided_on)
        if row.case_id not in ids or day is None:
            continue
        if row.case_id not in screened or day < screened[row.case_id][0]:
            screened[row.case_id] = (day, row.outcome)
    return screened


def _adopted(conn: Connection, adopted_status: str) -> set[str]:
    """The cases that are, or once were, in the programme's adopted status."""
    c = s.case
    adopted = {
        row.case_id
        for row in conn.execute(
            select(s.status_change.c.case_id).where(s.status_change.c.to_status == adopted_status)
        )
    }
    adopted |= {
        row.id for row in conn.execute(select(c.c.id).where(c.c.status == adopted_status))
    }
    return adopted


def _consent_states(conn: Connection) -> tuple[set[str], set[str], set[str]]:
    """The cases with a consent record given, withdrawn, refused (a case may be in several)."""
    given: set[str] = set()
    withdrawn: set[str] = set()
    refused: set[str] = set()
    for row in conn.execute(select(s.consent.c.case_id, s.consent.c.state)):
        if row.state == ConsentState.GIVEN.value:
            given.add(row.case_id)
        elif row.state == ConsentState.WITHDRAWN.value:
            withdrawn.add(row.case_id)
        elif row.state == ConsentState.REFUSED.value:
            refused.add(row.case_id)
    return given, withdrawn, refused


def _heard(conn: Connection) -> dict[str, set[dt.date]]:
    """Case id -> the days of the held meetings that had it on their agenda."""
    a, m = s.agenda_item, s.meeting
    heard: dict[str, set[dt.date]] = defaultdict(set)
    for row in conn.execute(
        select(a.c.case_id, m.c.held_on)
        .select_from(a.join(m, m.c.id == a.c.meeting_id))
        .where(m.c.status == "held", a.c.case_id.is_not(None))
    ):
        day = parse_date(row.held_on)
        if day is not None:
            heard[row.case_id].add(day)
    return heard


def _actions(conn: Connection, ids: set[str]) -> dict[str, list[StatsAction]]:
    """Case id -> its actions with a due date and a known status (owners as agency names)."""
    act, ag = s.action, s.agency
    actions: dict[str, list[StatsAction]] = defaultdict(list)
    for row in conn.execute(
        select(act.c.case_id, act.c.due, act.c.completed_on, act.c.status, ag.c.name)
        .select_from(act.outerjoin(ag, ag.c.id == act.c.owner_agency))
        .where(act.c.due.is_not(None))
    ):
        due = parse_date(row.due)
        if row.case_id in ids and due is not None:
            try:
                status = ActionStatus(row.status)
            except ValueError:
                continue
            actions[row.case_id].append(
                StatsAction(row.name or "Unknown agency", due, parse_date(row.completed_on), status)
            )
    return actions


def _current_case_fields(conn: Connection, ids: set[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Case id -> the case fields its current assessment records."""
    asm = s.assessment
    ranked = select(
        asm.c.case_id,
        asm.c.dimension_summaries,
        func.row_number()
        .over(partition_by=asm.c.case_id, order_by=case_sql.current_assessment_order(asm))
        .label("n"),
    ).subquery()
    fields: dict[str, tuple[tuple[str, str], ...]] = {}
    for row in conn.execute(
        select(ranked.c.case_id, ranked.c.dimension_summaries).where(ranked.c.n == 1)
    ):
        if row.case_id in ids:
            fields[row.case_id] = case_sql.case_fields_of(row.dimension_summaries)
    return fields
