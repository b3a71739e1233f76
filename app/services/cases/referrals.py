"""Referrals: subjects that look like one already known, repeat referrals, opening a case from
a referral (the form and bulk intake use the same door) and changing a subject's details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.models import people, rules
from app.models.domain import Case, Subject
from app.models.enums import Marking, Role
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import check_text
from app.models.ids import AgencyId, CaseId, SubjectId, case_ref
from app.models.programme import Programme
from app.models.referral_input import (
    ALIAS,
    ALIAS_LIMIT,
    REFERRAL_TEXT,
    SUBJECT_TEXT,
    ReferralInput,
    SubjectInput,
    TextField,
)
from app.services.context import Session, in_own_change
from app.storage import people_queries, ref_queries, repo, rows
from app.storage.writer import Writer


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
    received = [d for ref in refs for case in repo.find_case(conn, ref) for d in referral_dates(conn, case)]
    found = repeated_referral(prog, incident, received)
    if found is None:
        return ""
    last, ref = found
    return (
        f"Repeat referral: within {prog.intervals.repeat_referral_months} months of "
        f"{ref} ({last.strftime('%d %b %Y')})"
    )


def referral_dates(conn: Any, case: Case) -> list[tuple[dt.date, str]]:
    """(received, the case's ref) for each of the case's referrals, oldest first."""
    return [
        (rows.referral_from(r).received, case.ref)
        for r in repo.rows_for_case(conn, "referral", case.id, "received")
    ]


def repeated_referral(
    prog: Programme, incident: dt.date, earlier: Sequence[tuple[dt.date, str]]
) -> tuple[dt.date, str] | None:
    """The earlier referral (received, case ref) that a new incident makes this a repeat of,
    under the programme's rule (``rules.repeat_of``), or None."""
    last = rules.repeat_of(prog, incident, [d for d, _ in earlier])
    if last is None:
        return None
    return last, next(r for d, r in earlier if d == last)


def repeat_referral(session: Session, *, subject_id: SubjectId, incident: dt.date) -> str:
    """The "Repeat referral" note for a new incident about a known subject ("" when not one)."""
    with session.view() as conn:
        return _repeat_text(session, conn, ref_queries.refs_for_subject(conn, subject_id), incident)


def _checked(value: str, f: TextField) -> str:
    """``value`` trimmed, or ``InvalidInput`` by the field's rule (``models.referral_input``)."""
    return check_text(value, f.label, required=f.required, limit=f.limit)


def _subject_values(subject: SubjectInput) -> dict[str, object]:
    text = {f.name: _checked(getattr(subject, f.name), f) for f in SUBJECT_TEXT}
    aliases = tuple(
        check_text(a, ALIAS.label, limit=ALIAS_LIMIT) for a in subject.aliases if a.strip()
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


def check_date_of_birth(dob: dt.date | None, today: dt.date) -> None:
    """A person's date of birth, when known, is neither in the future nor before 1900."""
    if dob and dob > today:
        raise InvalidInput("The date of birth is in the future.")
    if dob and dob.year < 1900:
        raise InvalidInput("The date of birth is before 1900.")


def _check_referral(session: Session, referral: ReferralInput, subject: SubjectInput) -> None:
    today = session.today()
    if referral.received > today:
        raise InvalidInput("The referral date is in the future.")
    check_date_of_birth(subject.date_of_birth, today)
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
    """Open a case from a referral inside an existing transaction."""
    opened = referral_records(
        session, w, subject=subject, referral=referral, link_subject=link_subject,
        lead_agency=lead_agency, shared_with=shared_with,
    )  # fmt: skip
    case_id = CaseId(w.create("case", opened.case))
    w.create("referral", {"case_id": case_id, **opened.referral})
    w.create("status_change", {"case_id": case_id, "at": w.audit_time(), **opened.status_change})
    return case_id


@dataclass(frozen=True)
class OpenedReferral:
    """The records a referral opens once its subject is known (``referral_records``): the case's
    values, and the referral's and first status change's values without their ``case_id`` (and
    the status change without its ``at``), for the caller to create, one by one or in bulk."""

    subject_id: SubjectId
    ref: str
    subject: dict[str, Any] | None  # the new subject's values when the caller creates it
    case: dict[str, Any]
    referral: dict[str, Any]
    status_change: dict[str, Any]


def referral_records(
    session: Session,
    w: Writer,
    *,
    subject: SubjectInput,
    referral: ReferralInput,
    link_subject: SubjectId | None = None,
    lead_agency: AgencyId | None = None,
    shared_with: Sequence[AgencyId] = (),
    case_number: int | None = None,
    new_subject_id: SubjectId | None = None,
) -> OpenedReferral:
    """Check a referral and create (or find) its subject; the case, referral and status change
    it opens are returned for the caller to write. ``case_number`` is the number of the case's
    ref in the year of receipt when the caller already knows it (bulk intake), else the next.
    With ``new_subject_id`` a new subject is not created here but returned (``subject``) for the
    caller to create with that id."""
    rules.check_role(session.me, Role.COORDINATOR, doing="open a case from a referral")
    _check_referral(session, referral, subject)
    prog = session.programme
    new_subject: dict[str, Any] | None = None
    if link_subject:
        if repo.get_row(w.conn, "subject", link_subject) is None:
            raise NotFound("The subject to link to is not on this store.")
        subject_id = link_subject
    elif new_subject_id:
        subject_id, new_subject = new_subject_id, _subject_values(subject)
    else:
        subject_id = SubjectId(w.create("subject", _subject_values(subject)))
    year = referral.received.year
    ref = case_ref(year, case_number or ref_queries.next_case_number(w.conn, year))
    lead = lead_agency or session.agency.id
    case = {
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
    }
    values = {
        "subject_id": subject_id,
        "received": referral.received,
        **{f.name: _checked(getattr(referral, f.name), f) for f in REFERRAL_TEXT},
        "sector": prog.sector(referral.sector).id,  # type: ignore[union-attr]
        "concern": prog.concern(referral.concern).id,  # type: ignore[union-attr]
    }
    change = {
        "from_status": None,
        "to_status": prog.initial_status,
        "rationale": "Referral received",
        "member_id": session.me.id,
    }
    return OpenedReferral(subject_id, ref, new_subject, case, values, change)


open_referral = in_own_change(open_referral_in)


def update_subject(session: Session, *, subject_id: SubjectId, subject: SubjectInput) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="change a subject's details")
    if subject.date_of_birth and subject.date_of_birth > session.today():
        raise InvalidInput("The date of birth is in the future.")
    with session.change() as w:
        w.update("subject", subject_id, _subject_values(subject))

