"""Subject access: everything the store holds about one person, as one PDF (docs/records.md).

Job: gather the person's subject record and, for every case that names them, the referrals,
status history, screening decisions, consent, assessments, plans, actions, panel discussions and
contributions; render them with the common page template (``app.reports.subject_access``); write
the file with ``write_file_atomic`` and audit it as a disclosure in the same transaction.

Invariants:
- Coordinator only. Nothing about another person is gathered: only cases whose ``subject_id`` is
  the person's, and only records of those cases.
- Contributions of other agencies are printed marked "Contributed by X — for X's decision on
  disclosure". Items their originator restricted away from this store's agency are listed
  (originator, date) but their text is never put in the data (need-to-know still applies to the
  people preparing the response).
- Refusals (role, unknown person or case, unwritable path) happen before anything is written:
  no file, no audit entry. The audit entry names ids only.
"""

from __future__ import annotations

from pathlib import Path

from app.models import rules
from app.models.attachments import agency_may_see_attachment
from app.models.documents import (
    Names,
    SubjectAccessCase,
    SubjectAccessData,
    SubjectAccessDiscussion,
    action_lines,
)
from app.models.domain import Case, Subject
from app.models.enums import Role
from app.models.errors import InvalidInput, NotFound, PermissionDenied
from app.reports.subject_access import render_subject_access
from app.services.context import Session
from app.services.documents import check_target, document_context, document_marking, write_audited
from app.storage import action_queries, meeting_queries, people_queries, ref_queries, repo
from app.storage import attachments as attachment_store
from app.storage.db import Connection
from app.storage.rows import (
    assessment_from,
    consent_from,
    contribution_from,
    plan_from,
    referral_from,
    screening_from,
)


def _check_coordinator(session: Session) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="produce a subject access report")
    if not session.workstation.is_hub:
        raise PermissionDenied(
            "Only the coordinator's workstation may produce a subject access report."
        )


def _case_part(session: Session, conn: Connection, case: Case) -> SubjectAccessCase:
    rows = repo.rows_for_case
    history = tuple(
        (str(r.at or ""), str(r.from_status or ""), str(r.to_status or ""), str(r.rationale or ""))
        for r in rows(conn, "status_change", case.id, "at")
    )
    contributions = [contribution_from(r) for r in rows(conn, "contribution", case.id, "recorded_on")]
    me = session.agency.id
    files = attachment_store.attachments_of_case(conn, case.id)
    meetings = {m.id: m for m in meeting_queries.meetings(conn)}
    discussions = tuple(
        sorted(
            (
                SubjectAccessDiscussion(meetings[i.meeting_id].held_on, i)
                for i in meeting_queries.agenda_items_for_case(conn, case.id)
                if i.meeting_id in meetings
            ),
            key=lambda d: (d.held_on, d.item.position),
        )
    )
    return SubjectAccessCase(
        case=case,
        referrals=tuple(referral_from(r) for r in rows(conn, "referral", case.id, "received")),
        status_history=history,
        screenings=tuple(
            screening_from(r) for r in rows(conn, "screening", case.id, "decided_on")
        ),
        consents=tuple(consent_from(r) for r in rows(conn, "consent", case.id, "recorded_on")),
        assessments=tuple(
            assessment_from(r) for r in rows(conn, "assessment", case.id, "version")
        ),
        plans=tuple(plan_from(r) for r in rows(conn, "plan", case.id, "version")),
        actions=action_lines(action_queries.list_actions(conn, case_id=case.id), session.today()),
        contributions=tuple(c for c in contributions if rules.agency_may_see_contribution(c, me)),
        withheld=tuple(c for c in contributions if not rules.agency_may_see_contribution(c, me)),
        discussions=discussions,
        linked_people=tuple(
            (next((r.label for r in session.programme.linked_roles if r.id == p.role), p.role), p)
            for p in people_queries.linked_people(conn, case.id)
        ),
        attachments=tuple(a for a in files if agency_may_see_attachment(a, me)),
        withheld_attachments=tuple(a for a in files if not agency_may_see_attachment(a, me)),
    )


def subject_access_data(
    session: Session, *, subject_id: str | None = None, case_id: str | None = None
) -> SubjectAccessData:
    """The report's data for the person named by ``subject_id``, or the subject of ``case_id``."""
    _check_coordinator(session)
    if (subject_id is None) == (case_id is None):
        raise InvalidInput("Name the person or one of their cases (one of the two).")
    with session.view() as conn:
        if case_id is not None:
            case = repo.get_case(conn, case_id)
            if case is None:
                raise NotFound("There is no case with that id on this store.")
            subject_id = case.subject_id
        assert subject_id is not None
        subject: Subject | None = repo.get_subject(conn, subject_id)
        if subject is None:
            raise NotFound("There is no such person on this store.")
        found: dict[str, Case] = {}
        for ref in ref_queries.refs_for_subject(conn, subject.id):
            for c in repo.find_case(conn, ref):
                if c.subject_id == subject.id:
                    found[c.id] = c
        cases = sorted(found.values(), key=lambda c: (c.opened, ref_queries.ref_sort_key(c.ref)))
        parts = tuple(_case_part(session, conn, c) for c in cases)
        names = Names(
            members={str(m.id): m.name for m in repo.members(conn)},
            agencies={str(a.id): a.name for a in repo.agencies(conn)},
            cases={str(c.id): c.ref for c in cases},
        )
    return SubjectAccessData(
        context=document_context(session, document_marking(session, cases)),
        subject=subject,
        own_agency=session.agency.id,
        cases=parts,
        names=names,
    )


def subject_access_report(
    session: Session, *, out: Path, subject_id: str | None = None, case_id: str | None = None
) -> Path:
    """Write the subject access report for one person to ``out``; audited as a disclosure."""
    _check_coordinator(session)
    target = check_target(out)
    data = subject_access_data(session, subject_id=subject_id, case_id=case_id)
    pdf = render_subject_access(data)
    event = (
        "disclosure-subject-access",
        "subject",
        str(data.subject.id),
        [f"case:{p.case.id}" for p in data.cases],
    )
    return write_audited(session, [(target, pdf, event)])[0]
