"""People linked to a case besides its subject, and the duplicate and repeat checks that use them.

A programme declares the kinds of linked people it records (``[[linked_roles]]``: a domestic abuse panel's person
causing harm and the children in the household; the other shipped programmes declare none). Each linked
person has their own names, date of birth and identifiers, is stored as a ``linked_person``
record of the case, and so follows the case's need-to-know: it travels to, and is evicted from,
exactly the stores the case does. Only the coordinator records them (as a subject's details).

Names and identifiers are compared only through ``app.models.people``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.models import fieldrules, people, rules
from app.models.domain import Case, Identifier, LinkedPerson
from app.models.enums import Role
from app.models.errors import NotFound, Refused
from app.models.fieldrules import check_text
from app.services import cases
from app.services.cases import may_see, referrals
from app.services.context import Session, in_own_change
from app.storage import meeting_queries, people_queries, ref_queries, repo
from app.storage.db import Connection
from app.storage.rows import linked_person_from
from app.storage.writer import Writer


@dataclass(frozen=True)
class PersonInput:
    forenames: str
    surname: str
    date_of_birth: dt.date | None = None
    aliases: tuple[str, ...] = ()
    gender: str = ""
    identifiers: tuple[Identifier, ...] = ()
    notes: str = ""


def _values(session: Session, person: PersonInput) -> dict[str, object]:
    forenames = check_text(
        person.forenames, "Forenames", limit=fieldrules.field_limit("linked_person", "forenames")
    )
    surname = check_text(
        person.surname, "Surname", required=True, limit=fieldrules.field_limit("linked_person", "surname")
    )
    aliases = tuple(check_text(a, "Alias", limit=fieldrules.MAX_NAME) for a in person.aliases if a.strip())
    dob = person.date_of_birth
    referrals.check_date_of_birth(dob, session.today())
    idents = [
        {"kind": i.kind, "value": check_text(i.value, "Identifier", limit=fieldrules.MAX_NAME)}
        for i in person.identifiers
        if i.value.strip()
    ]
    return {
        "forenames": forenames,
        "surname": surname,
        "aliases": list(aliases),
        "date_of_birth": dob,
        "gender": check_text(person.gender, "Gender", limit=fieldrules.field_limit("linked_person", "gender")),
        "identifiers": idents,
        "notes": check_text(person.notes, "Notes"),
        "search_key": people.subject_search_key(
            forenames, surname, aliases, [str(i["value"]) for i in idents]
        ),
    }


def _roles_check(session: Session, role: str) -> str:
    prog = session.programme
    if not prog.linked_roles:
        raise Refused("This programme records no linked people.")
    return prog.linked_role(role).id


def add_person_in(
    session: Session, w: Writer, *, case_id: str, role: str, person: PersonInput
) -> str:
    """Link a person to a case inside an existing transaction (the demo panel uses it)."""
    rules.check_role(session.me, Role.COORDINATOR, doing="record a person linked to a case")
    role_id = _roles_check(session, role)
    case = cases.load_case(session, w, case_id)
    return w.create("linked_person", {"case_id": case.id, "role": role_id, **_values(session, person)})


add_person = in_own_change(add_person_in)


def _load(session: Session, w: Writer, person_id: str) -> LinkedPerson:
    row = repo.get_row(w.conn, "linked_person", person_id)
    if row is None:
        raise NotFound("There is no linked person with that id on this store.")
    person = linked_person_from(row)
    cases.load_case(session, w, person.case_id)  # need-to-know: the person's case
    return person


def update_person(
    session: Session, *, person_id: str, person: PersonInput, role: str | None = None
) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="change a linked person's details")
    with session.change() as w:
        _load(session, w, person_id)
        values = _values(session, person)
        if role is not None:
            values["role"] = _roles_check(session, role)
        w.update("linked_person", person_id, values)


def remove_person(session: Session, *, person_id: str) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="remove a person linked to a case")
    with session.change() as w:
        _load(session, w, person_id)
        w.delete("linked_person", person_id)


def people_of(session: Session, case_id: str) -> list[LinkedPerson]:
    """The people linked to a case this user may see, by the programme's role order, then name."""
    with session.view() as conn:
        return _people_of(session, conn, case_id)


def _people_of(session: Session, conn: Connection, case_id: str) -> list[LinkedPerson]:
    case = repo.get_case(conn, case_id)
    if case is None or not may_see(session, case, conn):
        raise NotFound("There is no case with that id on this store.")
    order = {r.id: i for i, r in enumerate(session.programme.linked_roles)}
    found = people_queries.linked_people(conn, case.id)
    return sorted(found, key=lambda p: (order.get(p.role, len(order)), p.surname.casefold(), p.forenames.casefold()))


def role_label(session: Session, role: str) -> str:
    """The programme's label for a linked role (the id itself for one it no longer declares)."""
    return next((r.label for r in session.programme.linked_roles if r.id == role), role)


# --- identity --------------------------------------------------------------------------------


def _names(forenames: str, surname: str, aliases: Iterable[str]) -> set[str]:
    keys = {people.name_key(f"{forenames} {surname}")}
    return keys | {people.name_key(a) for a in aliases if a}


def _idents(identifiers: Iterable[Identifier]) -> set[tuple[str, str]]:
    return {(i.kind, people.identifier_key(i.value)) for i in identifiers if i.value}


def match_reason(
    a_names: set[str], a_surname: str, a_dob: dt.date | None, a_ids: set[tuple[str, str]],
    b_names: set[str], b_surname: str, b_dob: dt.date | None, b_ids: set[tuple[str, str]],
) -> str:
    """Why two records look like the same person ("identifier", "name and date of birth"), or ""
    — the rule of the intake duplicate check (``referrals.find_matching_subjects``)."""
    if a_ids & b_ids:
        return "identifier"
    if a_dob and a_dob == b_dob and (
        a_names & b_names or people.name_key(a_surname) == people.name_key(b_surname)
    ):
        return "name and date of birth"
    return ""


def same_person(a: LinkedPerson, b: LinkedPerson) -> bool:
    return bool(
        match_reason(
            _names(a.forenames, a.surname, a.aliases), a.surname, a.date_of_birth, _idents(a.identifiers),
            _names(b.forenames, b.surname, b.aliases), b.surname, b.date_of_birth, _idents(b.identifiers),
        )
    )


@dataclass(frozen=True)
class LinkedMatch:
    """An earlier linked person who looks like the person being referred (a victim who is
    recorded as the person causing harm on another case, say)."""

    person: LinkedPerson
    role_label: str
    reason: str
    case_ref: str


def find_matching_linked(
    session: Session,
    *,
    forenames: str,
    surname: str,
    date_of_birth: dt.date | None,
    aliases: Sequence[str] = (),
    identifiers: Sequence[Identifier] = (),
) -> list[LinkedMatch]:
    """Linked people on cases this user may see who look like this person, by the same rule as
    the subject duplicate check."""
    names = _names(forenames, surname, aliases)
    ids = _idents(identifiers)
    out: list[LinkedMatch] = []
    with session.view() as conn:
        reach = cases.case_reach(session, conn)
        also = reach.cases if reach is not None else frozenset()
        for p in people_queries.linked_people_matching(
            conn, date_of_birth=date_of_birth, identifier_values=[i.value for i in identifiers]
        ):
            case = repo.get_case(conn, p.case_id)
            if case is None or (
                reach is not None and not rules.agency_may_see_case(case, session.agency.id, also=also)
            ):
                continue
            reason = match_reason(
                names, surname, date_of_birth, ids,
                _names(p.forenames, p.surname, p.aliases), p.surname, p.date_of_birth, _idents(p.identifiers),
            )
            if reason:
                out.append(LinkedMatch(p, role_label(session, p.role), reason, case.ref))
    return out


# --- repeat referrals ------------------------------------------------------------------------


def repeat_of_case(session: Session, case_id: str) -> str:
    """ "Repeat referral …" when the case is a repeat under the programme's rule, else "".

    With a repeat role (the person causing harm), a repeat is a referral with the same
    subject and the same person in that role as an earlier case that was heard at a meeting,
    within ``intervals.repeat_referral_months`` of that earlier case's last referral. A different
    person causing harm is not a repeat. Without a repeat role the subject alone decides
    (``referrals.repeat_referral``)."""
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None or not may_see(session, case, conn):
            raise NotFound("There is no case with that id on this store.")
        return _repeat_text(session, conn, case)


def repeat_cases(session: Session, conn: Connection, case_ids: Iterable[str]) -> set[str]:
    """Those of ``case_ids`` (cases this store may show) that are repeats under the programme's
    rule (``repeat_of_case``); none when the programme counts no repeats. Inside a view."""
    if session.programme.intervals.repeat_referral_months is None:
        return set()
    found = set()
    for case_id in case_ids:
        case = repo.get_case(conn, case_id)
        if case is not None and _repeat_text(session, conn, case):
            found.add(case_id)
    return found


def _repeat_text(session: Session, conn: Connection, case: Case) -> str:
    """``repeat_of_case`` for a case already read, inside a view."""
    prog = session.programme
    months = prog.intervals.repeat_referral_months
    received = [d for d, _ in referrals.referral_dates(conn, case)]
    if months is None or not received:
        return ""
    incident = min(received)
    role = prog.repeat_role
    if role is None:
        others = [r for r in ref_queries.refs_for_subject(conn, case.subject_id) if r != case.ref]
        return referrals.subject_repeat_text(session, conn, others, incident)
    mine = [p for p in people_queries.linked_people(conn, case.id) if p.role == role.id]
    if not mine:
        return ""
    earlier: list[tuple[dt.date, str]] = []
    for ref in ref_queries.refs_for_subject(conn, case.subject_id):
        for other in repo.find_case(conn, ref):
            if other.id == case.id or meeting_queries.last_heard(conn, other.id) is None:
                continue
            theirs = [p for p in people_queries.linked_people(conn, other.id) if p.role == role.id]
            if not any(same_person(a, b) for a in mine for b in theirs):
                continue
            earlier.extend(referrals.referral_dates(conn, other))
    found = referrals.repeated_referral(prog, incident, earlier)
    if found is None:
        return ""
    last, ref = found
    return (
        f"Repeat referral: same person at risk and {role.label.lower()} as {ref}, heard at the "
        f"panel, within {months} months of its referral ({last.strftime('%d %b %Y')})"
    )

