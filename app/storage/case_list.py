"""The case list: the ids of the cases that pass the filters (search, status, risk, case fields,
dates due) in the order asked, one summary row per case, and the dashboard's counts.

Invariant: nothing here writes; ``visible_to`` limits the list to what that agency or member may
see (``visibility``), ``None`` is everything (the hub).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select
from sqlalchemy.sql import ColumnElement

from app.models import people
from app.models.case_fields import CaseField
from app.models.domain import CaseSummary
from app.models.framework import CASE_FIELD_PREFIX
from app.models.ids import AgencyId, CaseId
from app.models.rules import Reach
from app.storage import schema as s
from app.storage.case_sql import (
    case_field_expr,
    case_fields_of,
    consent_reassess_expr,
    current_summaries_expr,
    risk_level_expr,
    risk_rank_expr,
)
from app.storage.ref_queries import ref_order
from app.storage.rows import _d
from app.storage.visibility import visible_condition

# and "field:<id>" for each case field of the programme (see ``case_ids``)
CASE_SORT_KEYS = ("ref", "name", "dob", "status", "risk", "lead", "opened", "review", "overdue")


def _list_from() -> Any:
    """The case list's rows: each case with its subject and its lead agency (if known)."""
    c, subj, ag = s.case, s.subject, s.agency
    return c.join(subj, subj.c.id == c.c.subject_id).outerjoin(ag, ag.c.id == c.c.lead_agency)


def _list_columns(today: dt.date, case_fields: Sequence[CaseField] = ()) -> dict[str, Any]:
    """The case list's columns by sort key (``CASE_SORT_KEYS``, and ``field:<id>`` for each of
    ``case_fields``); "overdue" counts the case's open actions due before ``today``."""
    c, subj, ag, act = s.case, s.subject, s.agency, s.action
    overdue = (
        select(func.count())
        .select_from(act)
        .where(
            act.c.case_id == c.c.id,
            act.c.status.in_(("open", "in-progress")),
            act.c.due < today.isoformat(),
        )
        .scalar_subquery()
    )
    name = func.coalesce(subj.c.surname, "") + ", " + func.coalesce(subj.c.forenames, "")
    cols = {
        "ref": c.c.ref,
        "name": name,
        "dob": subj.c.date_of_birth,
        "status": c.c.status,
        "risk": risk_level_expr(),
        "lead": ag.c.short,
        "opened": c.c.opened,
        "review": c.c.next_review,
        "overdue": overdue,
    }
    for cf in case_fields:
        if cf.is_date:  # ISO text sorts as the date does; not recorded after every date
            cols[CASE_FIELD_PREFIX + cf.id] = func.coalesce(case_field_expr(cf.id), "9999-12-31~")
            continue
        order = {c.id: n for n, c in enumerate(cf.choices)}
        # in the programme's order; not recorded (or a choice it no longer lists) after them
        cols[CASE_FIELD_PREFIX + cf.id] = case(order, value=case_field_expr(cf.id), else_=len(order))
    return cols


def _list_conditions(
    cols: Mapping[str, Any],
    *,
    visible_to: AgencyId | Reach | None,
    statuses: Iterable[str] | None,
    search: str | None,
    risk: str | None,
    lead_agency: str | None,
    overdue_only: bool,
    review_due_by: dt.date | None,
    field_values: Mapping[str, str] | None,
    date_ranges: Mapping[str, tuple[dt.date | None, dt.date | None]] | None,
) -> list[ColumnElement[bool]]:
    """The case list's filters, over the columns of ``_list_columns``."""
    c = s.case
    conds: list[ColumnElement[bool]] = []
    if visible_to is not None:
        conds.append(visible_condition(visible_to))
    if statuses:
        conds.append(c.c.status.in_(list(statuses)))
    if risk:
        conds.append(cols["risk"] == risk)
    if lead_agency:
        conds.append(c.c.lead_agency == lead_agency)
    if overdue_only:
        conds.append(cols["overdue"] > 0)
    if review_due_by is not None:  # a review, a post-exit review or a consent re-assessment
        consent_due = consent_reassess_expr()
        conds.append(
            or_(
                and_(c.c.next_review.is_not(None), c.c.next_review <= review_due_by.isoformat()),
                and_(consent_due.is_not(None), consent_due <= review_due_by.isoformat()),
            )
        )
    if search:
        conds.append(search_condition(search))
    for field_id, choice in (field_values or {}).items():
        value = case_field_expr(field_id)
        conds.append(or_(value.is_(None), value == "") if not choice else value == choice)
    for field_id, (start, end) in (date_ranges or {}).items():
        value = case_field_expr(field_id)
        conds.append(and_(value.is_not(None), value != ""))
        if start is not None:
            conds.append(value >= start.isoformat())
        if end is not None:
            conds.append(value <= end.isoformat())
    return conds


def search_condition(text: str) -> ColumnElement[bool]:
    """Names, aliases, identifiers (via the subject's search key), refs, and dates of birth.

    Each word of the search must appear in the search key with its spaces removed
    (``app.models.people``): "OBrien" finds "O'Brien", "4309813641" finds "430 981 3641"."""
    from app.models.dates import parse_typed_date

    words = people.search_words(text)
    c, subj, lp = s.case, s.subject, s.linked_person
    parts: list[ColumnElement[bool]] = [func.upper(c.c.ref).contains(text.strip().upper())]
    if words:
        key = func.replace(func.coalesce(subj.c.search_key, ""), " ", "")
        parts.append(and_(*[key.contains(w, autoescape=True) for w in words]))
        # a person linked to the case (MARAC's person causing harm, a child) finds it too
        lkey = func.replace(func.coalesce(lp.c.search_key, ""), " ", "")
        linked = select(lp.c.case_id).where(*[lkey.contains(w, autoescape=True) for w in words])
        parts.append(c.c.id.in_(linked))
    day = parse_typed_date(text.strip(), past=True)  # a date of birth, with or without separators
    if day is not None:
        parts.append(subj.c.date_of_birth == day.isoformat())
        parts.append(
            c.c.id.in_(select(lp.c.case_id).where(lp.c.date_of_birth == day.isoformat()))
        )
    return or_(*parts)


def case_ids(
    conn: Connection,
    *,
    today: dt.date,
    visible_to: AgencyId | Reach | None = None,
    statuses: Iterable[str] | None = None,
    search: str | None = None,
    risk: str | None = None,
    lead_agency: str | None = None,
    overdue_only: bool = False,
    review_due_by: dt.date | None = None,
    case_fields: Sequence[CaseField] = (),
    field_values: Mapping[str, str] | None = None,
    sort: str = "ref",
    descending: bool = False,
    limit: int | None = None,
    date_ranges: Mapping[str, tuple[dt.date | None, dt.date | None]] | None = None,
) -> list[CaseId]:
    """The ids of the cases that pass the filters, in order. ``case_fields`` (the programme's)
    make the sort keys ``field:<id>`` (choices in the programme's order, not recorded last);
    ``field_values`` keeps the cases whose current assessment records that choice for that
    field (``""``: cases where it is not recorded)."""
    cols = _list_columns(today, case_fields)
    conds = _list_conditions(
        cols,
        visible_to=visible_to,
        statuses=statuses,
        search=search,
        risk=risk,
        lead_agency=lead_agency,
        overdue_only=overdue_only,
        review_due_by=review_due_by,
        field_values=field_values,
        date_ranges=date_ranges,
    )
    q = select(s.case.c.id).select_from(_list_from()).where(*conds)
    if sort != "risk" and (sort not in cols or sort == "ref"):
        q = q.order_by(*(k.desc() if descending else k.asc() for k in ref_order()))
    else:
        key = risk_rank_expr() if sort == "risk" else cols[sort]  # risk: the programme's rank
        q = q.order_by(key.desc() if descending else key.asc(), *ref_order())
    if limit:
        q = q.limit(limit)
    return [CaseId(r[0]) for r in conn.execute(q)]


def case_summaries(
    conn: Connection,
    ids: Sequence[str],
    *,
    today: dt.date,
    status_label: Any,
    with_case_fields: bool = False,
) -> list[CaseSummary]:
    """One row per id (in the order given) in one query; ``with_case_fields`` adds the case
    fields recorded by each case's current assessment."""
    if not ids:
        return []
    cols = _list_columns(today)
    extra = [current_summaries_expr().label("summaries")] if with_case_fields else []
    q = (
        select(
            s.case.c.id,
            s.case.c.ref,
            s.subject.c.forenames,
            s.subject.c.surname,
            s.subject.c.date_of_birth,
            s.case.c.status,
            cols["risk"].label("risk"),
            s.agency.c.short.label("lead"),
            s.case.c.opened,
            s.case.c.next_review,
            cols["overdue"].label("overdue"),
            *extra,
        )
        .select_from(_list_from())
        .where(s.case.c.id.in_(list(ids)))
    )
    by_id = {}
    for r in conn.execute(q):
        by_id[r.id] = CaseSummary(
            id=CaseId(r.id),
            ref=r.ref,
            subject_name=f"{r.forenames or ''} {r.surname or ''}".strip(),
            date_of_birth=_d(r.date_of_birth),
            status=r.status,
            status_label=status_label(r.status),
            risk_level=r.risk,
            lead_agency=r.lead or "",
            opened=_d(r.opened) or dt.date.min,
            next_review=_d(r.next_review),
            overdue_actions=int(r.overdue or 0),
            case_fields=case_fields_of(r.summaries) if with_case_fields else (),
        )
    return [by_id[i] for i in ids if i in by_id]


def case_counts(
    conn: Connection, *, visible_to: AgencyId | Reach | None, open_statuses: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Cases by status, and open cases by current risk level, in two grouped queries."""
    c = s.case
    conds: list[ColumnElement[bool]] = []
    if visible_to is not None:
        conds.append(visible_condition(visible_to))
    by_status = {
        r[0]: int(r[1])
        for r in conn.execute(select(c.c.status, func.count()).where(*conds).group_by(c.c.status))
    }
    risk = risk_level_expr().label("risk")
    inner = select(risk).where(*conds, c.c.status.in_(list(open_statuses))).subquery()
    by_risk = {
        r[0]: int(r[1])
        for r in conn.execute(select(inner.c.risk, func.count()).group_by(inner.c.risk))
        if r[0] is not None
    }
    return by_status, by_risk
