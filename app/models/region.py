"""The return a panel sends its region: a period's statistics as **unsuppressed** counts.

Pure. :func:`return_body` turns a panel's raw :class:`~app.models.statistics.Statistics` (and the
day counts behind its medians) into the JSON body that the service signs and encrypts to the
regional coordinator; :func:`read_return_body` checks such a body (untrusted: it is signed by an
enrolled panel, but is still read under caps) and gives a :class:`PanelReturn`. The format is in
``docs/sync.md`` ("Regional return file").

Invariants:
- The body holds counts and the relations between them, never a median or a percentage (those
  cannot be added up across panels): a measure is named by its kind and the counts it summarises;
  the region recomputes it from the summed counts and the pooled day counts.
- A body whose counts do not add up along its own relations is refused, so a region never rolls
  up figures that contradict themselves.
- Nothing here knows about suppression: a return is for the region's eyes only, and the region
  suppresses when it publishes (``app.spreadsheets.region``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.models.errors import InvalidInput
from app.models.fieldrules import text_problem
from app.models.statistics import Count, Measure, Relation, Statistics

RETURN_TYPE = "roundtable-regional-return"
RETURN_VERSION = 1
RETURN_DOMAIN = "roundtable/regional-return/v1"  # the bundle stream's prefix

MEDIAN, P90, PERCENT = "median", "p90", "percent"
MEASURE_KINDS = (MEDIAN, P90, PERCENT)

MAX_BREAKDOWNS = 400
MAX_ROWS = 20_000  # rows in one breakdown (a panel's agencies, free-text ethnicities)
MAX_TEXT = 500
MAX_COUNT = 10**9
MAX_DAYS = 100_000


@dataclass(frozen=True)
class ReturnCell:
    """One value of a return: a count (``key``, ``count``) or a measure (``measure`` kind over the
    count ``key``, computed also from ``depends``)."""

    key: str
    count: int | None = None
    measure: str = ""
    depends: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnRow:
    label: str
    cells: tuple[ReturnCell, ...]
    is_total: bool = False


@dataclass(frozen=True)
class ReturnBreakdown:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[ReturnRow, ...]


@dataclass(frozen=True)
class PanelReturn:
    """A checked return: who sent it, for which period and programme, and its counts."""

    return_id: str
    panel_id: str
    panel_name: str
    programme: str  # programme id
    start: dt.date
    end: dt.date
    produced: dt.date
    threshold: int
    breakdowns: tuple[ReturnBreakdown, ...]
    hidden: tuple[tuple[str, int], ...]
    relations: tuple[Relation, ...]
    days: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]  # count key -> (days, cases) pairs
    notes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        values = dict(self.hidden)
        for b in self.breakdowns:
            for r in b.rows:
                values.update((c.key, c.count) for c in r.cells if c.count is not None)
        return values


# --- writing -------------------------------------------------------------------------------------


def _cell(value: Count | Measure, kinds: list[str]) -> dict[str, Any]:
    if isinstance(value, Count):
        return {"key": value.key, "count": value.value}
    kind = PERCENT if value.percent else kinds.pop(0)
    return {"key": value.base, "measure": kind, "depends": list(value.depends_on)}


def return_body(
    stats: Statistics,
    *,
    return_id: str,
    panel_id: str,
    panel_name: str,
    programme_id: str,
    days: Mapping[str, Mapping[int, int]],
) -> dict[str, Any]:
    """The JSON body of the return (no floats: counts, labels and keys only)."""
    breakdowns = []
    for b in stats.breakdowns:
        rows = []
        for r in b.rows:
            kinds = [MEDIAN, P90]  # a row's non-percentage measures come in this order
            rows.append(
                {"label": r.label, "total": r.is_total, "cells": [_cell(v, kinds) for v in r.values]}
            )
        breakdowns.append({"key": b.key, "title": b.title, "columns": list(b.columns), "rows": rows})
    return {
        "type": RETURN_TYPE,
        "version": RETURN_VERSION,
        "return_id": return_id,
        "panel_id": panel_id,
        "panel_name": panel_name,
        "programme": programme_id,
        "start": stats.start.isoformat(),
        "end": stats.end.isoformat(),
        "produced": stats.today.isoformat(),
        "threshold": stats.threshold,
        "breakdowns": breakdowns,
        "hidden": [[k, n] for k, n in stats.hidden],
        "relations": [[r.total, list(r.parts)] for r in stats.relations],
        "days": {k: sorted([d, n] for d, n in v.items()) for k, v in sorted(days.items())},
        "notes": list(stats.notes),
    }


# --- reading -------------------------------------------------------------------------------------

_BAD = "The regional return is not valid"


def _text(value: object, what: str, *, limit: int = MAX_TEXT, empty: bool = False) -> str:
    if not isinstance(value, str) or (not value and not empty):
        raise InvalidInput(f"{_BAD}: its {what} is missing.")
    problem = text_problem(value, limit=limit, lines=False)
    if problem is not None:
        raise InvalidInput(f"{_BAD}: its {what} {problem}.")
    return value


def _int(value: object, what: str, low: int = 0, high: int = MAX_COUNT) -> int:
    if type(value) is not int or not low <= value <= high:
        raise InvalidInput(f"{_BAD}: its {what} is not a whole number from {low} to {high}.")
    return value


def _list(value: object, what: str, cap: int) -> list[Any]:
    if not isinstance(value, list) or len(value) > cap:
        raise InvalidInput(f"{_BAD}: its {what} are missing or too many.")
    return value


def _date(value: object, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_text(value, what, limit=10))
    except ValueError as exc:
        raise InvalidInput(f"{_BAD}: its {what} is not a date.") from exc


def _read_cell(c: object) -> ReturnCell:
    if not isinstance(c, dict):
        raise InvalidInput(f"{_BAD}: a figure is malformed.")
    key = _text(c.get("key"), "figure key")
    if set(c) == {"key", "count"}:
        return ReturnCell(key, count=_int(c["count"], "count"))
    if set(c) == {"key", "measure", "depends"} and c["measure"] in MEASURE_KINDS:
        depends = tuple(_text(d, "figure key") for d in _list(c["depends"], "inputs", 8))
        return ReturnCell(key, measure=c["measure"], depends=depends)
    raise InvalidInput(f"{_BAD}: a figure is malformed.")


def _read_breakdown(b: object) -> ReturnBreakdown:
    if not isinstance(b, dict) or set(b) != {"key", "title", "columns", "rows"}:
        raise InvalidInput(f"{_BAD}: a table is malformed.")
    columns = tuple(_text(c, "column heading") for c in _list(b["columns"], "columns", 16))
    rows = []
    for r in _list(b["rows"], "rows", MAX_ROWS):
        if not isinstance(r, dict) or set(r) != {"label", "total", "cells"}:
            raise InvalidInput(f"{_BAD}: a row is malformed.")
        if type(r["total"]) is not bool:
            raise InvalidInput(f"{_BAD}: a row is malformed.")
        cells = tuple(_read_cell(c) for c in _list(r["cells"], "figures", 16))
        if len(cells) != len(columns) or not cells or cells[0].count is None:
            raise InvalidInput(f"{_BAD}: a row does not match its table's columns.")
        rows.append(ReturnRow(_text(r["label"], "row label"), cells, r["total"]))
    return ReturnBreakdown(_text(b["key"], "table key"), _text(b["title"], "table title"), columns,
                           tuple(rows))  # fmt: skip


_FIELDS = {
    "type", "version", "return_id", "panel_id", "panel_name", "programme", "start", "end",
    "produced", "threshold", "breakdowns", "hidden", "relations", "days", "notes",
}  # fmt: skip


def read_return_body(body: object) -> PanelReturn:
    """A checked :class:`PanelReturn`, or ``InvalidInput`` in one sentence (never a figure)."""
    if not isinstance(body, dict) or body.get("type") != RETURN_TYPE:
        raise InvalidInput("This file is not a regional return.")
    if body.get("version") != RETURN_VERSION:
        raise InvalidInput("This regional return was made by another version of Roundtable.")
    if set(body) != _FIELDS:
        raise InvalidInput(f"{_BAD}: it has missing or unexpected fields.")
    start, end = _date(body["start"], "start date"), _date(body["end"], "end date")
    if start > end:
        raise InvalidInput(f"{_BAD}: its period starts after it ends.")
    breakdowns = tuple(_read_breakdown(b) for b in _list(body["breakdowns"], "tables", MAX_BREAKDOWNS))
    hidden = []
    for h in _list(body["hidden"], "hidden counts", 1000):
        if not isinstance(h, list) or len(h) != 2:
            raise InvalidInput(f"{_BAD}: a hidden count is malformed.")
        hidden.append((_text(h[0], "figure key"), _int(h[1], "count")))
    relations = []
    for rel in _list(body["relations"], "relations", 4 * MAX_ROWS):
        if not isinstance(rel, list) or len(rel) != 2:
            raise InvalidInput(f"{_BAD}: a relation is malformed.")
        parts = tuple(_text(p, "figure key") for p in _list(rel[1], "relation parts", MAX_ROWS))
        relations.append(Relation(_text(rel[0], "figure key"), parts))
    days_in = body["days"]
    if not isinstance(days_in, dict) or len(days_in) > 16:
        raise InvalidInput(f"{_BAD}: its day counts are malformed.")
    days = []
    for key, pairs in sorted(days_in.items()):
        seen = []
        for p in _list(pairs, "day counts", MAX_DAYS):
            if not isinstance(p, list) or len(p) != 2:
                raise InvalidInput(f"{_BAD}: its day counts are malformed.")
            seen.append((_int(p[0], "number of days", -MAX_DAYS, MAX_DAYS), _int(p[1], "count")))
        days.append((_text(key, "figure key"), tuple(seen)))
    notes = tuple(_text(n, "note", limit=2000) for n in _list(body["notes"], "notes", 20))
    out = PanelReturn(
        return_id=_text(body["return_id"], "id", limit=64),
        panel_id=_text(body["panel_id"], "panel id", limit=64),
        panel_name=_text(body["panel_name"], "panel name", limit=200),
        programme=_text(body["programme"], "programme", limit=64),
        start=start,
        end=end,
        produced=_date(body["produced"], "date produced"),
        threshold=_int(body["threshold"], "suppression threshold", 2, 100),
        breakdowns=breakdowns,
        hidden=tuple(hidden),
        relations=tuple(relations),
        days=tuple(days),
        notes=notes,
    )
    _check_consistent(out)
    return out


def _check_consistent(ret: PanelReturn) -> None:
    """Every key a relation or measure names is a count of the return; the relations hold; the
    day counts add up to the cases they are for; no key stands for two different numbers."""
    values: dict[str, int] = dict(ret.hidden)
    for b in ret.breakdowns:
        for r in b.rows:
            for c in r.cells:
                if c.count is None:
                    continue
                if values.setdefault(c.key, c.count) != c.count:
                    raise InvalidInput(f"{_BAD}: one figure has two different values.")
    for b in ret.breakdowns:
        for r in b.rows:
            for c in r.cells:
                if c.count is None and not {c.key, *c.depends} <= values.keys():
                    raise InvalidInput(f"{_BAD}: a measure names a count it does not hold.")
    for rel in ret.relations:
        if not {rel.total, *rel.parts} <= values.keys():
            raise InvalidInput(f"{_BAD}: a total names a count it does not hold.")
        if values[rel.total] != sum(values[p] for p in rel.parts):
            raise InvalidInput(f"{_BAD}: its figures do not add up to their totals.")
    for key, pairs in ret.days:
        if key not in values or sum(n for _, n in pairs) != values[key]:
            raise InvalidInput(f"{_BAD}: its day counts do not match the cases they are for.")


def expand_days(pairs: Sequence[tuple[int, int]]) -> list[int]:
    """The sorted list of day counts from (days, cases) pairs."""
    return [d for d, n in sorted(pairs) for _ in range(n)]
