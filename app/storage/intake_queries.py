"""Reads for bulk referral intake (issue 14): every subject a file's rows could match, in a few
queries rather than one a row. The rule is ``repo.subjects_matching``'s, applied to many rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, literal_column, select

from app.models import people
from app.models.domain import Subject
from app.storage import schema as s
from app.storage.rows import subject_from

_CHUNK = 500  # well under SQLite's limit on bound parameters


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def subjects_matching_any(
    conn: Connection, *, dates_of_birth: Iterable[dt.date], identifier_values: Iterable[str]
) -> list[Subject]:
    """Subjects born on one of ``dates_of_birth`` or holding one of the identifiers (through the
    trigger-kept identifier index), each once, in the store's row order."""
    ids: set[str] = set()
    for part in _chunks(d.isoformat() for d in dates_of_birth):
        ids.update(r[0] for r in conn.execute(
            select(s.subject.c.id).where(s.subject.c.date_of_birth.in_(part))))  # fmt: skip
    keys = (k for k in (people.identifier_key(v) for v in identifier_values) if k)
    ident = s.subject_identifier
    for part in _chunks(keys):
        ids.update(r[0] for r in conn.execute(
            select(ident.c.subject_id).where(ident.c.value.in_(part))))  # fmt: skip
    return subjects_by_id(conn, ids)


def subjects_by_id(conn: Connection, ids: Iterable[str]) -> list[Subject]:
    """The subjects with these ids, in the store's row order."""
    found: list[tuple[int, Subject]] = []
    for part in _chunks(ids):
        q = select(literal_column("subject.rowid").label("rowid_"), s.subject).where(s.subject.c.id.in_(part))
        found += [(r[0], subject_from(r)) for r in conn.execute(q)]
    return [subj for _, subj in sorted(found, key=lambda x: x[0])]
