"""Dates as a UK user writes them. Pure parsing; impossible dates are ``None``, never guessed."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    m.casefold(): i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_TYPED = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{2}|\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-/]([A-Za-z]{3,9})[\s\-/](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _year(text: str, pivot_today: dt.date | None) -> int:
    y = int(text)
    if len(text) == 4:
        return y
    today = pivot_today or dt.date.today()
    century = today.year - today.year % 100
    full = century + y
    return full - 100 if full > today.year else full


def parse_uk_date(text: str, *, today: dt.date | None = None) -> dt.date | None:
    """``31/01/2026``, ``31/1/26``, ``31-Jan-2026``, ``2026-01-31``; day first; else None."""
    t = text.strip()
    try:
        if m := _ISO.match(t):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.match(t):
            return dt.date(_year(m[3], today), int(m[2]), int(m[1]))
        if m := _NAMED.match(t):
            month = _MONTHS.get(m[2].casefold())
            if month is None:
                return None
            return dt.date(_year(m[3], today), month, int(m[1]))
    except ValueError:
        return None
    return None


def _near_year(text: str, today: dt.date | None) -> int:
    """A two-digit year as the year ending in those digits nearest ``today`` (``27`` in 2026 is
    2027, ``80`` is 2080 only from 2031 on): for dates due, held or reported on."""
    if len(text) == 4:
        return int(text)
    now = (today or dt.date.today()).year
    base = now - now % 100 + int(text)
    return min((base - 100, base, base + 100), key=lambda y: (abs(y - now), y))


def parse_typed_date(text: str, *, today: dt.date | None = None, past: bool = False) -> dt.date | None:
    """What a person types into a date field: anything ``parse_uk_date`` reads, and also the
    separators left out (``15122026``, ``151226``) or spaces for separators (``15 12 2026``).
    Day first. A two-digit year is the nearest such year to ``today``, or with ``past`` (dates of
    birth) the latest one not after this year. Impossible dates are None."""
    t = text.strip()
    m = _COMPACT.match(t) or _TYPED.match(t) or _NUMERIC.match(t)
    if m is None:
        return parse_uk_date(t, today=today)
    year = _year(m[3], today) if past else _near_year(m[3], today)
    try:
        return dt.date(year, int(m[2]), int(m[1]))
    except ValueError:
        return None


def format_uk(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
