"""Statistics and returns: counts for a period, and the suppressed version fit to publish.

Pure: the service gathers one :class:`StatsCase` per case and calls
``app.models.statistics_compute.compute_statistics``; this module holds the shapes and the
suppression rule, that one the counting.

Which cases count:
- Referral breakdowns and outcomes follow the **cohort** of cases received in ``start..end``
  (inclusive): how many were referred, and what has happened to those cases by ``today`` (screening
  outcome, discussed at panel, adopted, exited, consent, days to screening and to first panel, and
  each of the programme's case fields as the case's current assessment records it).
- Actions completed on time: actions (not cancelled) of any case **due** in ``start..end``.
- Overdue now: actions of any case still open and due before ``today``.

Invariants:
- :class:`Statistics` holds raw numbers; it is for the screen only. Anything written or printed for
  others uses :meth:`Statistics.published`, which applies the suppression rule below and returns
  only strings, so raw small numbers cannot leak into a return by accident.
- Suppression rule (documented in ``docs/spreadsheets.md``):
  1. *Primary*: every count from 1 to ``threshold - 1`` (default 4) is shown as ``"<5"``. Zero is
     shown. Counts that are implied but not shown (e.g. "discussed but not adopted" = discussed -
     adopted) are protected the same way.
  2. *Secondary*: every published total is linked to its parts (months to quarters to the total,
     each breakdown to the total, rows and columns of the actions table, nested counts such as
     referred ⊇ discussed ⊇ adopted ⊇ exited). Whenever a small count could be worked out by
     subtraction from what is shown, another count in the same group is withheld as ``"[c]"``: the
     smallest non-zero part, or the total when no part is left. Repeat until nothing small can be
     worked out.
  3. *Derived figures* (medians, 90th percentiles, percentages) are shown only when they summarise
     at least ``threshold`` cases or actions and none of the counts they come from is withheld.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.models.enums import ActionStatus

NOT_RECORDED = "Not recorded"
CASE_FIELD_BREAKDOWN = "referrals_by_field:"  # + the case field's id
SECONDARY = "[c]"
NO_DATA = "n/a"


# --- input ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsAction:
    owner_agency: str  # agency name, as it should appear in the return
    due: dt.date
    completed_on: dt.date | None
    status: ActionStatus


@dataclass(frozen=True)
class StatsCase:
    received: dt.date
    sector: str  # programme sector id
    concern: str  # programme concern id
    age_at_referral: int | None
    gender: str = ""
    ethnicity: str = ""
    screening_outcome: str | None = None  # programme screening outcome id
    screened_on: dt.date | None = None
    first_panel_on: dt.date | None = None
    adopted: bool = False
    exited_on: dt.date | None = None
    consent_given: bool = False
    consent_withdrawn: bool = False
    consent_refused: bool = False  # the person refused when asked (at any time)
    actions: tuple[StatsAction, ...] = ()
    case_fields: tuple[tuple[str, str], ...] = ()  # (field id, choice id) in the current assessment
    case_id: str = ""
    heard_on: tuple[dt.date, ...] = ()  # the held meetings that had the case on their agenda
    repeat: bool = False  # a repeat referral under the programme's rule (the service decides)


# --- raw output ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    key: str  # one key per quantity: the same number in two tables shares its key
    value: int


@dataclass(frozen=True)
class Measure:
    value: float | None  # None when there is nothing to measure
    base: str  # key of the count it summarises (cases or actions)
    depends_on: tuple[str, ...] = ()  # other counts it is computed from
    percent: bool = False


Value = Count | Measure


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    label_heading: str = ""  # what the categories are, where the screen has no heading of its own

    def value(self, label: str, column: int = 0) -> int | float | None:
        for row in self.rows:
            if row.label == label:
                return row.values[column].value
        raise KeyError(label)

    def count_of(self, key: str) -> int:
        """A count by its key ("adopted"), whatever the programme calls it."""
        for row in self.rows:
            for v in row.values:
                if isinstance(v, Count) and v.key == key:
                    return v.value
        raise KeyError(key)


@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``parts`` (so any one of them follows from the others)."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class PublishedRow:
    label: str
    values: tuple[str, ...]
    is_total: bool = False


@dataclass(frozen=True)
class PublishedBreakdown:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[PublishedRow, ...]


@dataclass(frozen=True)
class PublishedStatistics:
    """Suppressed statistics: the only form that may leave the application."""

    programme: str
    start: dt.date
    end: dt.date
    today: dt.date
    breakdowns: tuple[PublishedBreakdown, ...]
    notes: tuple[str, ...]

    def breakdown(self, key: str) -> PublishedBreakdown:
        for b in self.breakdowns:
            if b.key == key:
                return b
        raise KeyError(key)


@dataclass(frozen=True)
class Statistics:
    programme: str
    start: dt.date
    end: dt.date
    today: dt.date
    breakdowns: tuple[Breakdown, ...]
    relations: tuple[Relation, ...]
    hidden: tuple[tuple[str, int], ...]  # implied counts that are never shown
    threshold: int = 5
    notes: tuple[str, ...] = ()  # said under the standing notes of the return
    # (count key, short caption) of the headline figures, in the programme's words
    captions: tuple[tuple[str, str], ...] = ()

    def breakdown(self, key: str) -> Breakdown:
        for b in self.breakdowns:
            if b.key == key:
                return b
        raise KeyError(key)

    def counts(self) -> dict[str, int]:
        values = dict(self.hidden)
        for b in self.breakdowns:
            for row in b.rows:
                values.update((v.key, v.value) for v in row.values if isinstance(v, Count))
        return values

    def suppression(self) -> tuple[frozenset[str], frozenset[str]]:
        """(primary, secondary) keys of the shown counts that are withheld."""
        shown = set(self.counts()) - {k for k, _ in self.hidden}
        return protect(self.counts(), shown, self.relations, self.threshold)

    def published(
        self, withheld: tuple[frozenset[str], frozenset[str]] | None = None
    ) -> PublishedStatistics:
        """The suppressed figures. ``withheld`` is (primary, secondary) when the caller has worked
        them out by this same rule another way (the regional return's vectorised form)."""
        values = self.counts()
        primary, secondary = self.suppression() if withheld is None else withheld
        small = f"<{self.threshold}"
        withheld_keys = primary | secondary

        def show(v: Value) -> str:
            if isinstance(v, Count):
                if v.key in primary:
                    return small
                return SECONDARY if v.key in secondary else str(v.value)
            return show_measure(
                v.value,
                percent=v.percent,
                base=values[v.base],
                inputs_withheld=bool(withheld_keys & {v.base, *v.depends_on}),
                threshold=self.threshold,
            )

        return PublishedStatistics(
            programme=self.programme,
            start=self.start,
            end=self.end,
            today=self.today,
            breakdowns=tuple(
                PublishedBreakdown(
                    b.key,
                    b.title,
                    b.columns,
                    tuple(
                        PublishedRow(r.label, tuple(show(v) for v in r.values), r.is_total)
                        for r in b.rows
                    ),
                )
                for b in self.breakdowns
            ),
            notes=(
                f"{small}: a count from 1 to {self.threshold - 1}.",
                f"{SECONDARY}: withheld so that a count under {self.threshold} cannot be worked "
                "out from totals or other figures.",
                f"Medians, percentiles and percentages are shown only when they summarise at "
                f"least {self.threshold} cases or actions.",
                f"{NO_DATA}: nothing to measure.",
                "Referral figures are for cases received in the period and what has happened to "
                "them since; actions are those due in the period; overdue actions are as at the "
                "date of the return.",
                *self.notes,
            ),
        )


# --- suppression ---------------------------------------------------------------------------------


def show_measure(
    value: float | None, *, percent: bool, base: int, inputs_withheld: bool, threshold: int
) -> str:
    """Rule 3 (derived figures): a median, percentile or percentage as published — ``n/a`` when
    there is nothing to measure, ``[c]`` unless it summarises at least ``threshold`` cases or
    actions (``base``) and none of the counts it comes from is withheld."""
    if value is None:
        return NO_DATA
    if base < threshold or inputs_withheld:
        return SECONDARY
    return f"{value:.0f}%" if percent else f"{round(value, 1):g}"


def protect(
    values: Mapping[str, int],
    shown: Iterable[str],
    relations: Sequence[Relation],
    threshold: int = 5,
) -> tuple[frozenset[str], frozenset[str]]:
    """Primary and secondary suppression (module docstring); returns (primary, secondary)."""
    shown = set(shown)
    groups = [(r.total, *r.parts) for r in relations]
    sensitive = sorted(k for k, v in values.items() if 0 < v < threshold)
    primary = {k for k in sensitive if k in shown}
    secondary: set[str] = set()
    while True:
        known = shown - primary - secondary
        derived_by: dict[str, int] = {}
        changed = True
        while changed:
            changed = False
            for gi, group in enumerate(groups):
                missing = [k for k in group if k not in known]
                if len(missing) == 1:
                    known.add(missing[0])
                    derived_by[missing[0]] = gi
                    changed = True
        leak = next((k for k in sensitive if k in known), None)
        if leak is None:
            return frozenset(primary), frozenset(secondary)
        pick = _breaker(leak, derived_by, groups, values, shown - primary - secondary)
        if pick is None:  # cannot happen for consistent relations; fail safe
            secondary |= shown - primary
        else:
            secondary.add(pick)


def _breaker(
    leak: str,
    derived_by: Mapping[str, int],
    groups: Sequence[tuple[str, ...]],
    values: Mapping[str, int],
    visible: set[str],
) -> str | None:
    """A visible count to withhold so that ``leak`` can no longer be worked out."""
    queue, seen = [leak], set()
    while queue:
        key = queue.pop(0)
        if key in seen or key not in derived_by:
            continue
        seen.add(key)
        group = groups[derived_by[key]]
        total, parts = group[0], group[1:]
        candidates = [p for p in parts if p != key and p in visible]
        nonzero = sorted(
            (p for p in candidates if values[p] > 0), key=lambda p: (values[p], parts.index(p))
        )
        if nonzero:
            return nonzero[0]
        if total != key and total in visible:
            return total
        if candidates:
            return candidates[0]
        queue.extend(k for k in group if k != key)
    return None
