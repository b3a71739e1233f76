"""Case refs (``RT-<year>-<n>``): the order they sort in, the next number of a year, and the
refs of given cases or of a subject's cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, literal_column, select

from app.models.ids import case_ref_number, case_ref_prefix
from app.storage import schema as s
from app.storage.db import in_chunks


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


def case_refs(conn: Connection, case_ids: Iterable[str]) -> dict[str, str]:
    ids = list(set(case_ids))
    out: dict[str, str] = {}
    for chunk in in_chunks(ids):
        for r in conn.execute(select(s.case.c.id, s.case.c.ref).where(s.case.c.id.in_(chunk))):
            out[r.id] = r.ref
    return out


def refs_for_subject(conn: Connection, subject_id: str) -> list[str]:
    return [
        r.ref for r in conn.execute(select(s.case.c.ref).where(s.case.c.subject_id == subject_id))
    ]
