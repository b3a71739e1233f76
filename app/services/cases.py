"""Referrals, cases, screening, status changes, consent and sharing.

Each public function is one use case: a permission check, one transaction, audit entries, and a
return of plain models. Need-to-know: a store shows a case only to an agency it is shared with
(the coordinator's hub store sees all) and filters contributions by their restrictions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.models import fieldrules, people, rules
from app.models.domain import Case, CaseFile, CaseSummary, Subject
from app.models.enums import ConsentState, Marking, Role
from app.models.errors import Ambiguous, InvalidInput, NotFound, PermissionDenied, Refused
from app.models.ids import AgencyId, CaseId, SubjectId, case_ref
from app.models.referral_input import (
    ALIAS,
    ALIAS_LIMIT,
    REFERRAL_TEXT,
    SUBJECT_TEXT,
    ReferralInput,
    SubjectInput,
    TextField,
)
from app.services.context import Session
from app.services.review_dates import next_review_for, post_exit_reviews_for
from app.storage import (
    action_queries,
    case_list,
    meeting_queries,
    people_queries,
    ref_queries,
    repo,
    review_queries,
    visibility,
)
from app.storage.db import Connection
from app.storage.rows import (
    assessment_from,
    consent_from,
    contribution_from,
    plan_from,
    referral_from,
    screening_from,
)
from app.storage.writer import Writer


def clean_text(value: str, what: str, *, required: bool = False, limit: int = fieldrules.MAX_TEXT) -> str:
    """Trimmed free text, refused with a clear message when required and blank, too long, or
    holding control characters (C0, DEL, C1; tab and line breaks allowed) or bytes that are not
    UTF-8. Every service that takes text from a person uses this; an exchange file's operations
    pass the same rules (``app.models.fieldrules``)."""
    return fieldrules.check_text(value, what, required=required, limit=limit)


# --- reading ---------------------------------------------------------------------------------


def visible_agency(session: Session) -> AgencyId | None:
    """None for the hub (sees everything), else the agency whose need-to-know applies."""
    return None if session.workstation.is_hub else session.agency.id


def resolve_case(session: Session, text: str) -> Case:
    with session.view() as conn:
        found = [c for c in repo.find_case(conn, text.strip()) if _may_see(session, c, conn)]
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


def _may_see(session: Session, case: Case, conn: Connection | None = None) -> bool:
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
        if case is None or not _may_see(session, case, conn):
            raise NotFound("There is no case with that id on this store.")
        subject = repo.get_subject(conn, case.subject_id)
        if subject is None:
            raise NotFound("The case's subject record is missing.")
        refs = [
            referral_from(r) for r in repo.rows_for_case(conn, "referral", case.id, "received")
        ]
        screenings = tuple(
            screening_from(r)
            for r in repo.rows_for_case(conn, "screening", case.id, "decided_on")
        )
        consents = tuple(
            consent_from(r)
            for r in repo.rows_for_case(conn, "consent", case.id, "recorded_on")
        )
        assessments = tuple(
            assessment_from(r)
            for r in repo.rows_for_case(conn, "assessment", case.id, "version")
        )
        plans = tuple(
            plan_from(r) for r in repo.rows_for_case(conn, "plan", case.id, "version")
        )
        actions = tuple(action_queries.list_actions(conn, case_id=case.id))
        contributions = [
            contribution_from(r)
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


# --- referrals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectMatch:
    subject: Subject
    reason: str  # "name and date of birth" | "identifier" | "alias and date of birth"
    case_refs: tuple[str, ...]
    repeat: str = ""  # "Repeat referral …" when the programme counts repeats and this is one


def find_matching_subjects(
    session: Session, subject: SubjectInput, *, incident: dt.date | None = None
) -> list[SubjectMatch]:
    """Earlier subjects that look like the same person: name or alias with DOB, or an identifier
    (the rule of ``people.person_keys``, which intake uses for two rows of one file)."""
    wanted = _subject_keys(subject)
    matches: list[SubjectMatch] = []
    with session.view() as conn:
        candidates = people_queries.subjects_matching(
            conn,
            date_of_birth=subject.date_of_birth,
            identifier_values=[i.value for i in subject.identifiers if i.value],
        )
        for subj in candidates:
            reason = people.same_person_reason(wanted, _subject_keys(subj))
            if reason:
                refs = tuple(ref_queries.refs_for_subject(conn, subj.id))
                repeat = _repeat_text(session, conn, refs, incident or session.today())
                matches.append(SubjectMatch(subj, reason, refs, repeat))
    return matches


def _subject_keys(s: SubjectInput | Subject) -> set[people.PersonKey]:
    return people.person_keys(
        s.forenames, s.surname, s.aliases, s.date_of_birth, [(i.kind, i.value) for i in s.identifiers]
    )


def _repeat_text(session: Session, conn: Any, refs: Sequence[str], incident: dt.date) -> str:
    """ "Repeat referral …" when a new incident falls within the programme's repeat window of
    the subject's last referral (see ``rules.is_repeat_referral``); "" otherwise. A programme
    whose repeats also need the same linked person (the same person causing harm) never
    calls the subject alone a repeat: ``linked_people.repeat_of_case`` decides on the case."""
    if session.programme.repeat_role is not None:
        return ""
    return subject_repeat_text(session, conn, refs, incident)


def subject_repeat_text(session: Session, conn: Any, refs: Sequence[str], incident: dt.date) -> str:
    """The subject-only repeat rule over the cases ``refs``."""
    prog = session.programme
    if prog.intervals.repeat_referral_months is None:
        return ""
    received: list[tuple[dt.date, str]] = []
    for ref in refs:
        for case in repo.find_case(conn, ref):
            for r in repo.rows_for_case(conn, "referral", case.id, "received"):
                received.append((referral_from(r).received, case.ref))
    last = rules.repeat_of(prog, incident, [d for d, _ in received])
    if last is None:
        return ""
    ref = next(r for d, r in received if d == last)
    return (
        f"Repeat referral: within {prog.intervals.repeat_referral_months} months of "
        f"{ref} ({last.strftime('%d %b %Y')})"
    )


def repeat_referral(session: Session, *, subject_id: SubjectId, incident: dt.date) -> str:
    """The "Repeat referral" note for a new incident about a known subject ("" when not one)."""
    with session.view() as conn:
        return _repeat_text(session, conn, ref_queries.refs_for_subject(conn, subject_id), incident)


def _checked(value: str, f: TextField) -> str:
    """``value`` trimmed, or ``InvalidInput`` by the field's rule (``models.referral_input``)."""
    return clean_text(value, f.label, required=f.required, limit=f.limit)


def _subject_values(subject: SubjectInput) -> dict[str, object]:
    text = {f.name: _checked(getattr(subject, f.name), f) for f in SUBJECT_TEXT}
    aliases = tuple(
        clean_text(a, ALIAS.label, limit=ALIAS_LIMIT) for a in subject.aliases if a.strip()
    )
    return {
        **text,
        "aliases": list(aliases),
        "date_of_birth": subject.date_of_birth,
        "postcode": text["postcode"].upper(),
        "identifiers": [
            {"kind": i.kind, "value": i.value.strip()}
            for i in subject.identifiers
            if i.value.strip()
        ],
        "search_key": people.subject_search_key(
            text["forenames"], text["surname"], aliases, [i.value for i in subject.identifiers]
        ),
    }


def _check_referral(session: Session, referral: ReferralInput, subject: SubjectInput) -> None:
    today = session.today()
    if referral.received > today:
        raise InvalidInput("The referral date is in the future.")
    if subject.date_of_birth and subject.date_of_birth > today:
        raise InvalidInput("The date of birth is in the future.")
    if subject.date_of_birth and subject.date_of_birth.year < 1900:
        raise InvalidInput("The date of birth is before 1900.")
    prog = session.programme
    if prog.sector(referral.sector) is None:
        raise InvalidInput("The referring sector is not one the programme knows.")
    if prog.concern(referral.concern) is None:
        raise InvalidInput("The type of concern is not one the programme knows.")


def open_referral_in(
    session: Session,
    w: Writer,
    *,
    subject: SubjectInput,
    referral: ReferralInput,
    link_subject: SubjectId | None = None,
    lead_agency: AgencyId | None = None,
    shared_with: Sequence[AgencyId] = (),
) -> CaseId:
    """Open a case from a referral inside an existing transaction (used by bulk import)."""
    rules.check_role(session.me, Role.COORDINATOR, doing="open a case from a referral")
    _check_referral(session, referral, subject)
    prog = session.programme
    if link_subject:
        if repo.get_row(w.conn, "subject", link_subject) is None:
            raise NotFound("The subject to link to is not on this store.")
        subject_id = link_subject
    else:
        subject_id = SubjectId(w.create("subject", _subject_values(subject)))
    year = referral.received.year
    ref = case_ref(year, ref_queries.next_case_number(w.conn, year))
    lead = lead_agency or session.agency.id
    case_id = CaseId(
        w.create(
            "case",
            {
                "ref": ref,
                "subject_id": subject_id,
                "programme": prog.id,
                "status": prog.initial_status,
                "lead_agency": lead,
                "case_officer": None,
                "shared_with": sorted({lead, *shared_with}),
                "marking": Marking.default(),
                "opened": referral.received,
                "closed": None,
                "exited_on": None,
                "next_review": None,
            },
        )
    )
    w.create(
        "referral",
        {
            "case_id": case_id,
            "subject_id": subject_id,
            "received": referral.received,
            **{f.name: _checked(getattr(referral, f.name), f) for f in REFERRAL_TEXT},
            "sector": prog.sector(referral.sector).id,  # type: ignore[union-attr]
            "concern": prog.concern(referral.concern).id,  # type: ignore[union-attr]
        },
    )
    w.create(
        "status_change",
        {
            "case_id": case_id,
            "at": w.audit_time(),
            "from_status": None,
            "to_status": prog.initial_status,
            "rationale": "Referral received",
            "member_id": session.me.id,
        },
    )
    return case_id


def open_referral(
    session: Session,
    *,
    subject: SubjectInput,
    referral: ReferralInput,
    link_subject: SubjectId | None = None,
    lead_agency: AgencyId | None = None,
    shared_with: Sequence[AgencyId] = (),
) -> CaseId:
    with session.change() as w:
        return open_referral_in(
            session,
            w,
            subject=subject,
            referral=referral,
            link_subject=link_subject,
            lead_agency=lead_agency,
            shared_with=shared_with,
        )


def update_subject(session: Session, *, subject_id: SubjectId, subject: SubjectInput) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="change a subject's details")
    if subject.date_of_birth and subject.date_of_birth > session.today():
        raise InvalidInput("The date of birth is in the future.")
    with session.change() as w:
        w.update("subject", subject_id, _subject_values(subject))


# --- lifecycle -------------------------------------------------------------------------------


def load_case(session: Session, w: Writer, case_id: str) -> Case:
    """The case inside a change, or ``NotFound`` when it is not on this store for this user."""
    case = repo.get_case(w.conn, case_id)
    if case is None or not _may_see(session, case, w.conn):
        raise NotFound("There is no case with that id on this store.")
    return case


@dataclass(frozen=True)
class DecisionMeeting:
    """A meeting a panel decision on a case may be recorded at: the case was on its agenda and
    the meeting was held or is under way. ``decided``: a decision on the case is already
    recorded at it; ``default``: the meeting the service takes when none is named."""

    id: str
    held_on: dt.date
    status: str
    decided: bool
    default: bool


def _heard_at(conn: Connection, case_id: str, today: dt.date) -> list[Any]:
    """Meetings with the case on their agenda, held or under way (not cancelled, not in the
    future), newest first."""
    heard = {i.meeting_id for i in meeting_queries.agenda_items_for_case(conn, case_id)}
    found = [m for m in (meeting_queries.get_meeting(conn, mid) for mid in heard) if m is not None]
    ok = [m for m in found if m.status == "held" or (m.status != "cancelled" and m.held_on <= today)]
    return sorted(ok, key=lambda m: (m.held_on, m.id), reverse=True)


def _decided_at(conn: Connection, case_id: str) -> set[str]:
    return {r.meeting_id for r in repo.rows_for_case(conn, "status_change", case_id, "at") if r.meeting_id}


def decision_meetings(session: Session, *, case_id: str) -> list[DecisionMeeting]:
    """The meetings a panel decision on the case can be recorded at, newest first (the
    desktop's choice of meeting for a ``panel_decision`` transition). Empty: the case has not
    been heard at a meeting held or under way, and a panel decision is refused."""
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None or not _may_see(session, case, conn):
            raise NotFound("There is no case with that id or reference on this store.")
        used = _decided_at(conn, case.id)
        found = _heard_at(conn, case.id, session.today())
    default = next((m.id for m in found if m.status == "held" and m.id not in used), None)
    return [DecisionMeeting(m.id, m.held_on, m.status, m.id in used, m.id == default) for m in found]


def _decision_meeting(session: Session, w: Writer, case: Case, meeting_id: str | None) -> str:
    """The meeting a panel decision on ``case`` is taken at: ``meeting_id`` if given (a meeting
    with the case on its agenda, held or under way: not in the future), else the latest held
    meeting that had the case on its agenda and has no decision on it recorded yet. Refused when
    there is none: the coordinator or the chair alone cannot take the panel's decision."""
    today = session.today()
    heard = {i.meeting_id for i in meeting_queries.agenda_items_for_case(w.conn, case.id)}
    if meeting_id:
        m = meeting_queries.get_meeting(w.conn, meeting_id)
        if m is None:
            raise NotFound("There is no such meeting.")
        if m.id not in heard:
            raise InvalidInput("The case is not on that meeting's agenda: the panel decides at a "
                               "meeting where the case is heard.")
        if m.status == "cancelled" or (m.status != "held" and m.held_on > today):
            raise InvalidInput("That meeting has not taken place: the panel decides at a meeting "
                               "held or under way.")
        return m.id
    # a meeting decides once: one whose decision on the case is already recorded does not count
    used = _decided_at(w.conn, case.id)
    held = [m for m in _heard_at(w.conn, case.id, today) if m.status == "held" and m.id not in used]
    if not held:
        raise InvalidInput(
            "This is the panel's decision: record it at a meeting held with the case on its agenda "
            "(none has been held since the panel last decided on it)."
        )
    return str(held[0].id)


def change_status_in(
    session: Session, w: Writer, case_id: str, target: str, rationale: str,
    meeting_id: str | None = None,
) -> None:
    case = load_case(session, w, case_id)
    prog = session.programme
    t = rules.check_transition(prog, case.status, target, session.me.role)
    rationale = clean_text(rationale, "The rationale", required=t.requires_rationale)
    decided_at = _decision_meeting(session, w, case, meeting_id) if t.panel_decision else None
    changes: dict[str, object] = {"status": target}
    today = session.today()
    st = prog.status(target)
    if target == prog.exit_status:
        changes["exited_on"] = today
        dates = post_exit_reviews_for(prog, w.conn, case.id, today)
        changes["next_review"] = dates[0] if dates else None
    elif st.terminal:
        changes["closed"] = today
        changes["next_review"] = None
    elif prog.is_reviewed(target):
        changes["next_review"] = next_review_for(prog, w.conn, case.id, target, today)
        changes["closed"] = None
    w.update("case", case.id, changes, audit_action="status")
    w.create(
        "status_change",
        {
            "case_id": case.id,
            "at": w.audit_time(),
            "from_status": case.status,
            "to_status": target,
            "rationale": rationale,
            "member_id": session.me.id,
            "meeting_id": decided_at,
        },
    )


def change_status(
    session: Session, *, case_id: str, status: str, rationale: str, meeting_id: str | None = None
) -> None:
    """Move a case along one of the programme's transitions. A transition that is the panel's
    decision (``panel_decision``) is taken at a meeting: ``meeting_id``, or the latest held
    meeting with the case on its agenda, which the status change records."""
    with session.change() as w:
        change_status_in(session, w, case_id, status, rationale, meeting_id)


def screen_case(session: Session, *, case_id: str, outcome: str, rationale: str) -> None:
    """Record the screening decision and move the case to where the outcome leads."""
    prog = session.programme
    o = prog.screening_outcome(outcome)
    rationale = clean_text(rationale, "The screening rationale", required=True)
    with session.change() as w:
        case = load_case(session, w, case_id)
        if prog.status(case.status).stage != "screening":
            raise InvalidInput("Only a case awaiting screening can be screened.")
        w.create(
            "screening",
            {
                "case_id": case.id,
                "outcome": o.id,
                "rationale": rationale,
                "decided_by": session.me.id,
                "decided_on": session.today(),
            },
        )
        change_status_in(session, w, case.id, o.target, rationale)


def record_consent(
    session: Session,
    *,
    case_id: str,
    state: ConsentState,
    given_by: str = "subject",
    notes: str = "",
    reassess_on: dt.date | None = None,
) -> None:
    """Record consent given, refused or withdrawn. A refusal or a withdrawal is re-assessed on
    ``reassess_on`` (today or later), or after the programme's ``consent_reassess_days``."""
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="record consent")
    if not session.programme.records_consent:
        raise Refused("This panel's programme does not seek consent, so none is recorded.")
    if given_by not in ("subject", "parent", "guardian"):
        raise InvalidInput("Consent is given by the subject, a parent or a guardian.")
    today = session.today()
    reassess = rules.consent_reassess_on(session.programme, state, today, reassess_on)
    with session.change() as w:
        case = load_case(session, w, case_id)
        w.create(
            "consent",
            {
                "case_id": case.id,
                "state": state,
                "given_by": given_by,
                "recorded_on": today,
                "notes": clean_text(notes, "Notes"),
                "reassess_on": reassess,
            },
        )


def consent_reassessments(session: Session, case_ids: Sequence[str]) -> dict[str, dt.date]:
    """Case id -> when its refused or withdrawn consent is to be re-assessed (those that are)."""
    with session.view() as conn:
        return review_queries.consent_reassessments(conn, case_ids)


def set_sharing(
    session: Session,
    *,
    case_id: str,
    shared_with: Sequence[AgencyId],
    lead_agency: AgencyId | None = None,
) -> None:
    """Only the coordinator decides which agencies a case is shared with."""
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator may change who a case is shared with.")
    with session.change() as w:
        case = load_case(session, w, case_id)
        known = {a.id for a in repo.agencies(w.conn)}
        unknown = set(shared_with) - known
        if unknown:
            raise InvalidInput("One of those agencies is not on the panel.")
        lead = lead_agency or case.lead_agency
        changes: dict[str, object] = {
            "shared_with": sorted({*shared_with, *([lead] if lead else [])})
        }
        if lead_agency:
            changes["lead_agency"] = lead_agency
        w.update("case", case.id, changes, audit_action="sharing")


def set_case_officer(session: Session, *, case_id: str, member_id: str | None) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="assign a case officer")
    with session.change() as w:
        case = load_case(session, w, case_id)
        w.update("case", case.id, {"case_officer": member_id})


def set_marking(session: Session, *, case_id: str, marking: Marking) -> None:
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator may change a case's marking.")
    with session.change() as w:
        case = load_case(session, w, case_id)
        w.update("case", case.id, {"marking": marking}, audit_action="marking")


def case_counts(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """(cases by status id, open cases by risk level id) this store may show, in one trip."""
    prog = session.programme
    open_statuses = [st.id for st in prog.statuses if st.open_case and not st.terminal]
    with session.view() as conn:
        return case_list.case_counts(
            conn, visible_to=case_reach(session, conn), open_statuses=open_statuses
        )


def share_case(
    session: Session,
    *,
    case_id: str,
    add: Sequence[AgencyId] = (),
    remove: Sequence[AgencyId] = (),
) -> list[AgencyId]:
    """Add and remove agencies a case is shared with (the coordinator, at the hub). The lead
    agency cannot be removed. The next bundle to an added agency brings the case; the next one to a
    removed agency evicts it. Returns the agencies the case is now shared with."""
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator may change who a case is shared with.")
    overlap = set(add) & set(remove)
    if overlap:
        raise InvalidInput("An agency cannot be both added and removed in one go.")
    case = resolve_case(session, case_id)
    if case.lead_agency and case.lead_agency in set(remove):
        raise Refused(
            "The lead agency always sees its case; make another agency the lead before removing it."
        )
    now = sorted({*case.shared_with, *add} - set(remove))
    set_sharing(session, case_id=case.id, shared_with=now)
    return [AgencyId(a) for a in now]
