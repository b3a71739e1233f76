"""Read side: the queries services ask; rows become models through ``app.storage.rows``.

Invariant: nothing here writes. Need-to-know filtering by agency happens in services, which know
who is asking; these functions return what the store holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, literal_column, or_, select, true
from sqlalchemy.sql import ColumnElement

from app.models import people
from app.models.case_fields import CaseField
from app.models.domain import (
    Action,
    ActionUpdate,
    Agency,
    AgendaItem,
    Attendee,
    Case,
    CaseSummary,
    Device,
    LinkedPerson,
    Meeting,
    Member,
    Subject,
)
from app.models.enums import (
    Attendance,
    Role,
)
from app.models.framework import CASE_FIELD_PREFIX, split_summaries
from app.models.ids import (
    AgencyId,
    CaseId,
    MeetingId,
    MemberId,
    case_ref_number,
    case_ref_prefix,
)
from app.models.programme import ChairRule
from app.models.rules import Reach
from app.storage import schema as s
from app.storage.rows import (  # noqa: F401 - the mapping functions are part of repo's API
    _d,
    _j,
    action_from,
    action_update_from,
    agency_from,
    agenda_item_from,
    assessment_from,
    case_from,
    consent_from,
    contribution_from,
    device_from,
    linked_person_from,
    member_from,
    plan_from,
    referral_from,
    screening_from,
    subject_from,
)

# --- queries ---------------------------------------------------------------------------------


def agencies(conn: Connection) -> list[Agency]:
    return [agency_from(r) for r in conn.execute(select(s.agency).order_by(s.agency.c.name))]


def members(conn: Connection) -> list[Member]:
    return [member_from(r) for r in conn.execute(select(s.member).order_by(s.member.c.name))]


def devices(conn: Connection) -> list[Device]:
    return [device_from(r) for r in conn.execute(select(s.device))]


def get_row(conn: Connection, entity: str, record_id: str) -> Any | None:
    t = s.ENTITIES[entity].table
    return conn.execute(select(t).where(t.c.id == record_id)).first()


def risk_level_expr() -> Any:
    """The current risk level of a case: latest version; the higher level wins a tie (concurrent)."""
    a = s.assessment
    return (
        select(a.c.risk_level)
        .where(a.c.case_id == s.case.c.id)
        .order_by(a.c.version.desc(), a.c.risk_rank.desc())
        .limit(1)
        .scalar_subquery()
    )


def risk_rank_expr() -> Any:
    """The programme's rank of the case's current risk level (as recorded with the assessment):
    what sorting by risk means, so "Very high" sorts above "High" (never the level ids' A-Z)."""
    a = s.assessment
    return (
        select(a.c.risk_rank)
        .where(a.c.case_id == s.case.c.id)
        .order_by(a.c.version.desc(), a.c.risk_rank.desc())
        .limit(1)
        .scalar_subquery()
    )


def consent_reassess_expr() -> Any:
    """The re-assessment date of the case's latest consent record (NULL when none is set): a
    refusal or withdrawal is looked at again on that date."""
    k = s.consent
    return (
        select(k.c.reassess_on)
        .where(k.c.case_id == s.case.c.id)
        .order_by(k.c.recorded_on.desc(), literal_column("consent.rowid").desc())
        .limit(1)
        .scalar_subquery()
    )


def current_assessment_order(a: Any = s.assessment) -> tuple[Any, ...]:
    """The order that puts a case's current assessment first: latest version, then the higher
    level (concurrent versions), then the larger id (as ``rules.current_assessment``)."""
    return (a.c.version.desc(), a.c.risk_rank.desc(), a.c.id.desc())


def current_summaries_expr() -> Any:
    """The ``dimension_summaries`` JSON of the case's current assessment (NULL if none)."""
    a = s.assessment
    return (
        select(a.c.dimension_summaries)
        .where(a.c.case_id == s.case.c.id)
        .order_by(*current_assessment_order(a))
        .limit(1)
        .scalar_subquery()
    )


def case_field_expr(field_id: str) -> Any:
    """The choice id recorded for case field ``field_id`` in the case's current assessment
    (NULL when never assessed or not recorded): the value of the ``["field:<id>", choice]`` pair
    in that assessment's ``dimension_summaries``."""
    latest = s.assessment.alias("latest")
    current = (
        select(latest.c.id)
        .where(latest.c.case_id == s.case.c.id)
        .order_by(*current_assessment_order(latest))
        .limit(1)
        .correlate(s.case)
        .scalar_subquery()
    )
    a = s.assessment.alias("field_assessment")
    summaries = case(
        (func.json_valid(a.c.dimension_summaries) == 1, a.c.dimension_summaries), else_=literal("[]")
    )
    pairs = func.json_each(summaries).table_valued("value", joins_implicitly=True)
    return (
        select(func.json_extract(pairs.c.value, "$[1]"))
        .select_from(a.join(pairs, true()))
        .where(
            a.c.id == current,
            func.json_extract(pairs.c.value, "$[0]") == CASE_FIELD_PREFIX + field_id,
        )
        .limit(1)
        .scalar_subquery()
    )


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


def actions_for(
    conn: Connection, where: ColumnElement[bool] | None, *, limit: int | None = None
) -> list[Action]:
    q = select(s.action)
    if where is not None:
        q = q.where(where)
    q = q.order_by(s.action.c.due)
    if limit:
        q = q.limit(limit)
    rows = list(conn.execute(q))
    ids = [r.id for r in rows]
    updates: dict[str, list[ActionUpdate]] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for u in conn.execute(
            select(s.action_update)
            .where(s.action_update.c.action_id.in_(chunk))
            .order_by(s.action_update.c.at)
        ):
            updates.setdefault(u.action_id, []).append(action_update_from(u))
    return [action_from(r, updates.get(r.id, ())) for r in rows]


def meeting_from(conn: Connection, r: Any) -> Meeting:
    att = [
        Attendee(
            member_id=MemberId(a.member_id),
            attendance=Attendance(a.attendance),
            confidentiality_agreed=bool(a.confidentiality_agreed),
        )
        for a in conn.execute(select(s.attendance).where(s.attendance.c.meeting_id == r.id))
    ]
    agenda = [
        agenda_item_from(a)
        for a in conn.execute(
            select(s.agenda_item)
            .where(s.agenda_item.c.meeting_id == r.id)
            .order_by(s.agenda_item.c.position)
        )
    ]
    held = _d(r.held_on)
    assert held is not None
    return Meeting(
        id=MeetingId(r.id),
        held_on=held,
        time=r.time or "",
        venue=r.venue or "",
        chair=MemberId(r.chair) if r.chair else None,
        attendees=tuple(att),
        agenda=tuple(agenda),
        status=r.status or "scheduled",
        distribution=frozenset(MemberId(m) for m in _j(r.distribution, [])),
        confidentiality_read=bool(r.confidentiality_read),
    )


def meetings(conn: Connection) -> list[Meeting]:
    return [
        meeting_from(conn, r) for r in conn.execute(select(s.meeting).order_by(s.meeting.c.held_on))
    ]


def get_meeting(conn: Connection, meeting_id: str) -> Meeting | None:
    r = get_row(conn, "meeting", meeting_id)
    return meeting_from(conn, r) if r else None


# --- the case list ---------------------------------------------------------------------------

# and "field:<id>" for each case field of the programme (see ``case_ids``)
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


CASE_SORT_KEYS = ("ref", "name", "dob", "status", "risk", "lead", "opened", "review", "overdue")


def _case_list_query(
    *,
    today: dt.date,
    visible_to: AgencyId | Reach | None,
    statuses: Iterable[str] | None,
    search: str | None,
    risk: str | None,
    lead_agency: str | None,
    overdue_only: bool,
    review_due_by: dt.date | None,
    case_fields: Sequence[CaseField] = (),
    field_values: Mapping[str, str] | None = None,
    date_ranges: Mapping[str, tuple[dt.date | None, dt.date | None]] | None = None,
) -> tuple[Any, dict[str, Any]]:
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
        conds.append(overdue > 0)
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
    from_ = c.join(subj, subj.c.id == c.c.subject_id).outerjoin(ag, ag.c.id == c.c.lead_agency)
    return (from_, conds), cols


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
    (from_, conds), cols = _case_list_query(
        today=today,
        visible_to=visible_to,
        statuses=statuses,
        search=search,
        risk=risk,
        lead_agency=lead_agency,
        overdue_only=overdue_only,
        review_due_by=review_due_by,
        case_fields=case_fields,
        field_values=field_values,
        date_ranges=date_ranges,
    )
    q = select(s.case.c.id).select_from(from_).where(*conds)
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
    (from_, _conds), cols = _case_list_query(
        today=today,
        visible_to=None,
        statuses=None,
        search=None,
        risk=None,
        lead_agency=None,
        overdue_only=False,
        review_due_by=None,
    )
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
        .select_from(from_)
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


def case_fields_of(summaries: Any) -> tuple[tuple[str, str], ...]:
    """The (field id, choice id) pairs an assessment's ``dimension_summaries`` JSON records."""
    try:
        pairs = [(str(k), str(v)) for k, v in _j(summaries, [])]
    except (ValueError, TypeError):  # not JSON pairs: nothing recorded that can be read
        return ()
    return split_summaries(pairs).case_fields


def count_rows(conn: Connection, entity: str) -> int:
    t = s.ENTITIES[entity].table
    return int(conn.execute(select(func.count()).select_from(t)).scalar_one())


def ref_order(col: Any = s.case.c.ref) -> tuple[Any, ...]:
    """The order refs sort in: year (the first eight characters, ``RT-2026-``), then length (a
    number with more digits is larger: ``RT-2026-10000`` after ``RT-2026-9999``), then the ref.
    Index ``ix_case_ref_order`` (migration 0004) holds exactly this order."""
    # constants, not bound parameters: only the same expression matches the index
    return (func.substr(col, literal_column("1"), literal_column("8")), func.length(col), col)


def ref_sort_key(ref: str) -> tuple[str, int, str]:
    """``ref_order`` in Python, for lists sorted outside SQL."""
    return (ref[:8], len(ref), ref)


def next_case_number(conn: Connection, year: int) -> int:
    """One more than the largest number of the year's refs (``RT-<year>-<digits>``), 1 if none.

    The year's refs in ``ref_order`` descending: the longest first, the largest of those first;
    an index walk that stops at the first ref whose tail is all digits."""
    rows = conn.execute(
        select(s.case.c.ref)
        .where(ref_order()[0] == case_ref_prefix(year))
        .order_by(*(k.desc() for k in ref_order()[1:]))
    )
    for (ref,) in rows:
        if (number := case_ref_number(str(ref), year)) is not None:
            return number + 1
    return 1


# --- queries used by services (kept here: no SQL outside storage) ----------------------------


def list_actions(
    conn: Connection,
    *,
    owner_agency: str | None = None,
    status: str | None = None,
    case_id: str | None = None,
    open_only: bool = False,
    due_before: dt.date | None = None,
    action_id: str | None = None,
) -> list[Action]:
    a = s.action
    conds: list[ColumnElement[bool]] = []
    if owner_agency:
        conds.append(a.c.owner_agency == owner_agency)
    if status:
        conds.append(a.c.status == status)
    if case_id:
        conds.append(a.c.case_id == case_id)
    if open_only:
        conds.append(a.c.status.in_(("open", "in-progress")))
    if due_before is not None:
        conds.append(a.c.due < due_before.isoformat())
    if action_id:
        conds.append(a.c.id == action_id)
    return actions_for(conn, and_(*conds) if conds else None)


def case_refs(conn: Connection, case_ids: Iterable[str]) -> dict[str, str]:
    ids = list(set(case_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        for r in conn.execute(
            select(s.case.c.id, s.case.c.ref).where(s.case.c.id.in_(ids[i : i + 500]))
        ):
            out[r.id] = r.ref
    return out


def agenda_items_for_case(conn: Connection, case_id: str) -> list[AgendaItem]:
    return [
        agenda_item_from(r)
        for r in conn.execute(select(s.agenda_item).where(s.agenda_item.c.case_id == case_id))
    ]


def subjects_matching(
    conn: Connection, *, date_of_birth: dt.date | None, identifier_values: Iterable[str]
) -> list[Subject]:
    conds: list[ColumnElement[bool]] = []
    if date_of_birth:
        conds.append(s.subject.c.date_of_birth == date_of_birth.isoformat())
    keys = sorted({k for k in (people.identifier_key(v) for v in identifier_values) if k})
    if keys:  # through the trigger-kept index, not a scan of every subject
        ident = s.subject_identifier
        conds.append(s.subject.c.id.in_(select(ident.c.subject_id).where(ident.c.value.in_(keys))))
    if not conds:
        return []
    return [subject_from(r) for r in conn.execute(select(s.subject).where(or_(*conds)))]


def linked_people(conn: Connection, case_id: str) -> list[LinkedPerson]:
    """The people linked to a case, by role then name."""
    lp = s.linked_person
    q = select(lp).where(lp.c.case_id == case_id).order_by(lp.c.role, lp.c.surname, lp.c.forenames, lp.c.id)
    return [linked_person_from(r) for r in conn.execute(q)]


def linked_people_matching(
    conn: Connection, *, date_of_birth: dt.date | None, identifier_values: Iterable[str]
) -> list[LinkedPerson]:
    """Linked people born on ``date_of_birth`` or holding one of the identifiers (compared as
    ``people.compact`` forms inside the stored search key)."""
    lp = s.linked_person
    conds: list[ColumnElement[bool]] = []
    if date_of_birth:
        conds.append(lp.c.date_of_birth == date_of_birth.isoformat())
    key = func.replace(func.coalesce(lp.c.search_key, ""), " ", "")
    for v in sorted({k for k in (people.compact(v) for v in identifier_values) if k}):
        conds.append(key.contains(v, autoescape=True))
    if not conds:
        return []
    return [linked_person_from(r) for r in conn.execute(select(lp).where(or_(*conds)))]


def refs_for_subject(conn: Connection, subject_id: str) -> list[str]:
    return [
        r.ref for r in conn.execute(select(s.case.c.ref).where(s.case.c.subject_id == subject_id))
    ]


def attendance_id(conn: Connection, meeting_id: str, member_id: str) -> str | None:
    row = conn.execute(
        select(s.attendance.c.id).where(
            s.attendance.c.meeting_id == meeting_id, s.attendance.c.member_id == member_id
        )
    ).first()
    return str(row.id) if row else None


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


def last_heard(conn: Connection, case_id: str) -> dt.date | None:
    """The date of the last held meeting that had the case on its agenda, if any."""
    held = conn.execute(
        select(func.max(s.meeting.c.held_on))
        .select_from(s.meeting.join(s.agenda_item, s.agenda_item.c.meeting_id == s.meeting.c.id))
        .where(s.agenda_item.c.case_id == case_id, s.meeting.c.status == "held")
    ).scalar_one_or_none()
    return _d(held)
