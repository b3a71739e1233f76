"""Reads for printed documents: everything one meeting's documents may show, in one snapshot.

Job: load a meeting, the previous held meeting, the date of the next one, the panel's members and
agencies, and for every case on either agenda its subject, referral, assessments, current plan,
actions, contributions and latest consent.

Invariant: nothing here filters for need-to-know (``app.services.documents`` does that for each
recipient) and nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from app.models.domain import (
    Action,
    Agency,
    Assessment,
    Case,
    ConsentRecord,
    Contribution,
    LinkedPerson,
    Meeting,
    Member,
    Plan,
    Referral,
    Subject,
)
from app.models.ids import AgencyId, CaseId, MemberId
from app.storage import action_queries, meeting_queries, people_queries, repo
from app.storage.rows import (
    assessment_from,
    consent_from,
    contribution_from,
    plan_from,
    referral_from,
)


@dataclass(frozen=True)
class CaseFacts:
    case: Case
    subject: Subject
    referral: Referral | None
    assessments: tuple[Assessment, ...]  # oldest version first
    plan: Plan | None  # the current (highest) version
    actions: tuple[Action, ...]
    contributions: tuple[Contribution, ...]  # every one: filtered per recipient by the caller
    consent: ConsentRecord | None  # the latest
    linked_people: tuple[LinkedPerson, ...] = ()  # the programme's linked roles (MARAC)


@dataclass(frozen=True)
class MeetingFacts:
    meeting: Meeting
    previous: Meeting | None  # the last meeting held before this one
    next_date: dt.date | None  # the next meeting after this one that is not cancelled
    members: dict[MemberId, Member]
    agencies: dict[AgencyId, Agency]
    cases: dict[CaseId, CaseFacts]  # every case on this and the previous agenda


def case_facts(conn: Connection, case: Case) -> CaseFacts | None:
    """None when the case's subject record is missing."""
    subject = repo.get_subject(conn, case.subject_id)
    if subject is None:
        return None
    rows = repo.rows_for_case
    referrals = [referral_from(r) for r in rows(conn, "referral", case.id, "received")]
    consents = [consent_from(r) for r in rows(conn, "consent", case.id, "recorded_on")]
    plans = [plan_from(r) for r in rows(conn, "plan", case.id, "version")]
    return CaseFacts(
        case=case,
        subject=subject,
        referral=referrals[0] if referrals else None,
        assessments=tuple(
            assessment_from(r) for r in rows(conn, "assessment", case.id, "version")
        ),
        plan=max(plans, key=lambda p: p.version) if plans else None,
        actions=tuple(action_queries.list_actions(conn, case_id=case.id)),
        contributions=tuple(
            contribution_from(r) for r in rows(conn, "contribution", case.id, "recorded_on")
        ),
        consent=consents[-1] if consents else None,
        linked_people=tuple(people_queries.linked_people(conn, case.id)),
    )


def meeting_facts(conn: Connection, meeting_id: str) -> MeetingFacts | None:
    """None when there is no such meeting."""
    meetings = meeting_queries.meetings(conn)
    meeting = next((m for m in meetings if m.id == meeting_id), None)
    if meeting is None:
        return None
    earlier = [m for m in meetings if m.status == "held" and m.held_on < meeting.held_on]
    previous = max(earlier, key=lambda m: m.held_on) if earlier else None
    later = [m.held_on for m in meetings if m.status != "cancelled" and m.held_on > meeting.held_on]
    cases: dict[CaseId, CaseFacts] = {}
    items = [*meeting.agenda, *(previous.agenda if previous else ())]
    for case_id in dict.fromkeys(i.case_id for i in items if i.case_id):
        case = repo.get_case(conn, case_id)
        facts = case_facts(conn, case) if case is not None else None
        if facts is not None:
            cases[facts.case.id] = facts
    return MeetingFacts(
        meeting=meeting,
        previous=previous,
        next_date=min(later, default=None),
        members={m.id: m for m in repo.members(conn)},
        agencies={a.id: a for a in repo.agencies(conn)},
        cases=cases,
    )


def meeting_ids(conn: Connection) -> list[str]:
    return [m.id for m in meeting_queries.meetings(conn)]
