"""People in the store: subjects and linked people that match a date of birth or an identifier
(the duplicate check), and the people linked to a case. Identifiers compare in the forms
``app.models.people`` gives them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.sql import ColumnElement

from app.models import people
from app.models.domain import LinkedPerson, Subject
from app.storage import schema as s
from app.storage.rows import linked_person_from, subject_from


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
