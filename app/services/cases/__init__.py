"""Cases: what this store may show of them (need-to-know) and reading them.

A store shows a case only to an agency it is shared with, and to a member the programme's
chair rule gives it (the coordinator's hub store sees all); contributions are filtered by their
restrictions. The use cases that change a case live beside this, one topic a module:
``referrals`` (matching subjects, opening a case), ``lifecycle`` (status changes, screening, the
panel's decisions) and ``sharing`` (consent, agencies, case officer, marking). Each public
function is one use case: a permission check, one transaction, audit entries, and a return of
plain models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from app.models import rules
from app.models.domain import Case, CaseFile, CaseSummary
from app.models.errors import Ambiguous, InvalidInput, NotFound
from app.models.ids import CaseId
from app.services.context import Session
from app.storage import (
    action_queries,
    case_list,
    meeting_queries,
    people_queries,
    repo,
    review_queries,
    rows,
    visibility,
)
from app.storage.db import Connection
from app.storage.writer import Writer


def resolve_case(session: Session, text: str) -> Case:
    with session.view() as conn:
        found = [c for c in repo.find_case(conn, text.strip()) if may_see(session, c, conn)]
    if not found:
        raise NotFound("There is no case with that id or reference on this store.")
    if len(found) > 1:
        raise Ambiguous()
    return found[0]


def case_reach(session: Session, conn: Connection) -> rules.Reach | None:
    """None for the hub (sees everything); else this member's need-to-know: the agency's
    cases and those the programme's chair rule gives this member (docs/programmes.md, "The
    chair")."""
    if session.workstation.is_hub:
        return None
    me = session.me
    extra = visibility.chair_cases(conn, session.programme.chair, member_id=me.id, role=me.role.value)
    return rules.Reach(session.agency.id, extra)


def may_see(session: Session, case: Case, conn: Connection | None = None) -> bool:
    if session.workstation.is_hub:
        return True
    if conn is None:
        with session.view() as c:
            reach = case_reach(session, c)
    else:
        reach = case_reach(session, conn)
    also = reach.cases if reach is not None else frozenset()
    return rules.agency_may_see_case(case, session.agency.id, also=also)


def list_case_ids(
    session: Session,
    *,
    statuses: Sequence[str] | None = None,
    search: str | None = None,
    risk: str | None = None,
    lead_agency: str | None = None,
    overdue_only: bool = False,
    review_due_by: dt.date | None = None,
    case_fields: Mapping[str, str] | None = None,
    sort: str = "ref",
    descending: bool = False,
    limit: int | None = None,
    date_ranges: Mapping[str, tuple[dt.date | None, dt.date | None]] | None = None,
) -> list[CaseId]:
    """The visible cases that pass the filters, in order. ``case_fields`` filters on the
    programme's case fields as the current assessment records them (field id -> choice id, or
    ``""`` for "not recorded"); ``sort`` may also be ``field:<id>`` (the programme's order; a
    date field by its date, not recorded last). ``date_ranges`` keeps the cases whose date field
    falls between the two dates, both included (``None``: open at that end)."""
    prog = session.programme
    for field_id, choice in (case_fields or {}).items():
        cf = prog.case_field(field_id)  # unknown field: InvalidInput
        if choice and not cf.is_date:
            cf.choice(choice)
        elif choice:
            raise InvalidInput(f"{cf.label} is a date: filter it by a range of dates.")
    for field_id, (start, end) in (date_ranges or {}).items():
        cf = prog.case_field(field_id)
        if not cf.is_date:
            raise InvalidInput(f"{cf.label} is not a date.")
        if start is not None and end is not None and start > end:
            raise InvalidInput(f"{cf.label}: the range starts after it ends.")
    with session.view() as conn:
        return case_list.case_ids(
            conn,
            today=session.today(),
            visible_to=case_reach(session, conn),
            statuses=statuses,
            search=search.strip() if search else None,
            risk=risk,
            lead_agency=lead_agency,
            overdue_only=overdue_only,
            review_due_by=review_due_by,
            case_fields=prog.case_fields,
            field_values=case_fields,
            date_ranges=date_ranges,
            sort=sort,
            descending=descending,
            limit=limit,
        )


def case_summaries(session: Session, ids: Sequence[str]) -> list[CaseSummary]:
    prog = session.programme
    with session.view() as conn:
        return case_list.case_summaries(
            conn,
            ids,
            today=session.today(),
            status_label=prog.status_label,
            with_case_fields=bool(prog.case_fields),
        )


def status_reached_on(session: Session, ids: Sequence[str]) -> dict[str, dt.date]:
    """Case id -> the day the case reached its current status (a step's due time counts from it)."""
    with session.view() as conn:
        return review_queries.status_reached_on(conn, ids)


def list_cases(session: Session, **filters: object) -> list[CaseSummary]:
    ids = list_case_ids(session, **filters)  # type: ignore[arg-type]
    return case_summaries(session, ids)


def get_case_file(session: Session, case_id: str, *, audit_view: bool = True) -> CaseFile:
    """Everything this store may show of one case. Viewing is audited."""
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None or not may_see(session, case, conn):
            raise NotFound("There is no case with that id on this store.")
        subject = repo.get_subject(conn, case.subject_id)
        if subject is None:
            raise NotFound("The case's subject record is missing.")
        refs = [
            rows.referral_from(r) for r in repo.rows_for_case(conn, "referral", case.id, "received")
        ]
        screenings = tuple(
            rows.screening_from(r)
            for r in repo.rows_for_case(conn, "screening", case.id, "decided_on")
        )
        consents = tuple(
            rows.consent_from(r)
            for r in repo.rows_for_case(conn, "consent", case.id, "recorded_on")
        )
        assessments = tuple(
            rows.assessment_from(r)
            for r in repo.rows_for_case(conn, "assessment", case.id, "version")
        )
        plans = tuple(
            rows.plan_from(r) for r in repo.rows_for_case(conn, "plan", case.id, "version")
        )
        actions = tuple(action_queries.list_actions(conn, case_id=case.id))
        contributions = [
            rows.contribution_from(r)
            for r in repo.rows_for_case(conn, "contribution", case.id, "recorded_on")
        ]
        history = tuple(
            (r.at, r.to_status, r.rationale or "")
            for r in repo.rows_for_case(conn, "status_change", case.id, "at")
        )
        agenda = tuple(meeting_queries.agenda_items_for_case(conn, case.id))
        linked = tuple(people_queries.linked_people(conn, case.id))
    # Need-to-know applies to people: even the hub shows a restricted item only to the agencies
    # it names (the hub stores it so that it can route it; packs filter by recipient).
    contributions = rules.visible_contributions(contributions, session.agency.id)
    if audit_view:
        with session.change() as w:
            w.record_event("view", "case", case.id)
    return CaseFile(
        case=case,
        subject=subject,
        referral=refs[0] if refs else None,
        screenings=screenings,
        consents=consents,
        assessments=assessments,
        plans=plans,
        actions=actions,
        contributions=tuple(contributions),
        status_history=history,
        agenda_items=agenda,
        linked_people=linked,
    )


def load_case(session: Session, w: Writer, case_id: str) -> Case:
    """The case inside a change, or ``NotFound`` when it is not on this store for this user."""
    case = repo.get_case(w.conn, case_id)
    if case is None or not may_see(session, case, w.conn):
        raise NotFound("There is no case with that id on this store.")
    return case


def case_counts(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """(cases by status id, open cases by risk level id) this store may show, in one trip."""
    prog = session.programme
    open_statuses = [st.id for st in prog.statuses if st.open_case and not st.terminal]
    with session.view() as conn:
        return case_list.case_counts(
            conn, visible_to=case_reach(session, conn), open_statuses=open_statuses
        )
