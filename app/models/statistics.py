"""Statistics and returns: counts for a period, and the suppressed version fit to publish.

Pure: the service gathers one :class:`StatsCase` per case and calls :func:`compute_statistics`.

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
import statistics as pystats
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from app.models.enums import ActionStatus
from app.models.errors import InvalidInput
from app.models.programme import Choice, Programme, in_sentence
from app.models.rules import DEFAULT_AGE_BANDS, age_band

NOT_RECORDED = "Not recorded"
CASE_FIELD_BREAKDOWN = "referrals_by_field:"  # + the case field's id
SECONDARY = "[c]"
NO_DATA = "n/a"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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

    def published(self) -> PublishedStatistics:
        values = self.counts()
        primary, secondary = self.suppression()
        small = f"<{self.threshold}"

        def show(v: Value) -> str:
            if isinstance(v, Count):
                if v.key in primary:
                    return small
                return SECONDARY if v.key in secondary else str(v.value)
            if v.value is None:
                return NO_DATA
            withheld = primary | secondary
            if values[v.base] < self.threshold or withheld & {v.base, *v.depends_on}:
                return SECONDARY
            return f"{v.value:.0f}%" if v.percent else f"{round(v.value, 1):g}"

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


# --- computing -----------------------------------------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.breakdowns: list[Breakdown] = []
        self.relations: list[Relation] = []
        self.hidden: dict[str, int] = {}

    def counts(
        self,
        key: str,
        title: str,
        column: str,
        rows: Sequence[tuple[str, str, int]],
        total: tuple[str, str, int] | None,
    ) -> None:
        """A one-column breakdown of (label, key, count) rows; with a total, a relation too."""
        out = [Row(label, (Count(k, n),)) for label, k, n in rows]
        if total is not None:
            label, k, n = total
            out.append(Row(label, (Count(k, n),), is_total=True))
            self.relate(k, [k2 for _, k2, _ in rows])
        self.breakdowns.append(Breakdown(key, title, (column,), tuple(out)))

    def relate(self, total: str, parts: Sequence[str]) -> None:
        self.relations.append(Relation(total, tuple(parts)))

    def imply(self, total: str, total_value: int, part: str, part_value: int, rest: str) -> None:
        """``total`` = ``part`` + a hidden remainder ``rest``."""
        self.hidden[rest] = total_value - part_value
        self.relate(total, [part, rest])


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _days(pairs: Iterable[tuple[dt.date, dt.date]]) -> list[int]:
    return sorted((later - earlier).days for earlier, later in pairs)


def _p90(days: Sequence[int]) -> float | None:
    if not days:
        return None
    if len(days) == 1:
        return float(days[0])
    return pystats.quantiles(days, n=10, method="inclusive")[8]


def _free_text(values: Iterable[str]) -> tuple[list[tuple[str, str]], Callable[[str], str]]:
    """Categories of free text grouped case-blind: (label, group key) rows, and value -> key."""
    spellings: dict[str, set[str]] = defaultdict(set)
    for v in values:
        v = " ".join(v.split())
        spellings[v.casefold() if v else ""].add(v or NOT_RECORDED)
    rows = sorted(((min(s), k) for k, s in spellings.items() if k), key=lambda r: r[0].casefold())
    if "" in spellings:
        rows.append((NOT_RECORDED, ""))
    return rows, lambda v: " ".join(v.split()).casefold()


def _choices(choices: tuple[Choice, ...], seen: Iterable[str]) -> list[tuple[str, str]]:
    known = [(c.label, c.id) for c in choices]
    ids = {c.id for c in choices}
    return known + [(i or NOT_RECORDED, i) for i in sorted(set(seen) - ids)]


def _field_of(field_id: str) -> Callable[[StatsCase], str]:
    """A case's choice for one case field ("" when not recorded)."""
    return lambda c: dict(c.case_fields).get(field_id, "")


def compute_statistics(
    cases: Iterable[StatsCase],
    *,
    start: dt.date,
    end: dt.date,
    programme: Programme,
    today: dt.date,
) -> Statistics:
    """Every breakdown of the return for ``start..end`` (inclusive); see the module docstring."""
    if start > end:
        raise InvalidInput("The start of the period is after its end.")
    every = list(cases)
    cohort = [c for c in every if start <= c.received <= end]
    b = _Builder()
    total = ("Total", "referrals", len(cohort))

    # referrals by month and by quarter (calendar quarters, named by their months)
    months = _months(start, end)
    by_month = Counter((c.received.year, c.received.month) for c in cohort)
    b.counts(
        "referrals_by_month", "Referrals by month received", "Referrals",
        [(f"{_MONTHS[m - 1]} {y}", f"referrals:month:{y}-{m:02}", by_month[(y, m)])
         for y, m in months],
        total,
    )  # fmt: skip
    quarters: dict[tuple[int, int], list[str]] = {}
    for y, m in months:
        quarters.setdefault((y, (m - 1) // 3), []).append(f"referrals:month:{y}-{m:02}")
    quarter_rows = []
    for (y, q), month_keys in quarters.items():
        key = f"referrals:quarter:{y}-Q{q + 1}"
        count = sum(by_month[(y, int(k[-2:]))] for k in month_keys)
        quarter_rows.append((f"{_MONTHS[3 * q]}–{_MONTHS[3 * q + 2]} {y}", key, count))
        b.relate(key, month_keys)
    b.counts("referrals_by_quarter", "Referrals by quarter", "Referrals", quarter_rows, total)

    def by(
        key: str, title: str, rows: list[tuple[str, str]], of: Callable[[StatsCase], str]
    ) -> None:
        counts = Counter(of(c) for c in cohort)
        b.counts(
            f"referrals_by_{key}", title, "Referrals",
            [(label, f"referrals:{key}:{k}", counts[k]) for label, k in rows], total,
        )  # fmt: skip

    by("sector", "Referrals by referring sector",
       _choices(programme.sectors, (c.sector for c in cohort)), lambda c: c.sector)
    by("concern", "Referrals by type of concern",
       _choices(programme.concerns, (c.concern for c in cohort)), lambda c: c.concern)
    bands = list(programme.statistics.get("age_bands", DEFAULT_AGE_BANDS))
    bands += sorted({age_band(c.age_at_referral, bands) for c in cohort} - set(bands))  # "Unknown"
    by("age", "Referrals by age at referral", [(a, a) for a in bands],
       lambda c: age_band(c.age_at_referral, bands))
    gender_rows, gender_key = _free_text(c.gender for c in cohort)
    by("gender", "Referrals by gender", gender_rows, lambda c: gender_key(c.gender))
    ethnicity_rows, ethnicity_key = _free_text(c.ethnicity for c in cohort)
    by("ethnicity", "Referrals by ethnicity", ethnicity_rows, lambda c: ethnicity_key(c.ethnicity))

    # the programme's case fields, as each case's current assessment records them
    for cf in programme.choice_fields:
        recorded = [_field_of(cf.id)(c) for c in cohort]
        listed = {c.id for c in cf.choices}
        field_rows = [(c.label, c.id) for c in cf.choices]
        field_rows += [(i, i) for i in sorted({r for r in recorded if r} - listed)]
        field_rows.append((NOT_RECORDED, ""))
        by(f"field:{cf.id}", f"Referrals by {in_sentence(cf.label)}", field_rows,
           _field_of(cf.id))
        b.breakdowns[-1] = replace(b.breakdowns[-1], label_heading=cf.label)
    # the programme's date fields: how many cases (of every case, not only the period's
    # referrals) have the date within the period — MAPPA: licences and registrations ending
    if programme.date_fields:
        def within(c: StatsCase, field_id: str) -> bool:
            text = dict(c.case_fields).get(field_id, "")
            return start.isoformat() <= text <= end.isoformat() if len(text) == 10 else False

        b.counts(
            "dates_in_period", "Case dates falling in the period", "Cases",
            [(cf.label, f"dates:{cf.id}", sum(1 for c in every if within(c, cf.id)))
             for cf in programme.date_fields],
            None,
        )  # fmt: skip
    notes: tuple[str, ...] = ()
    if programme.choice_fields:
        labels = " and ".join(cf.label for cf in programme.choice_fields)
        notes = (
            f"{labels}: as recorded by each case's latest assessment on the date of the return; "
            f"“{NOT_RECORDED}” counts the cases not yet assessed, or assessed without it.",
        )

    # screening outcomes of the cohort
    outcome_rows = _choices(
        tuple(Choice(o.id, o.label) for o in programme.screening_outcomes),
        (c.screening_outcome for c in cohort if c.screening_outcome),
    )
    outcomes = Counter(c.screening_outcome or "" for c in cohort)
    screened = [c for c in cohort if c.screening_outcome]
    rows = [(label, f"screening:{k}", outcomes[k]) for label, k in outcome_rows]
    b.counts(
        "screening_outcomes", "Screening outcomes of the referrals", "Cases",
        [*rows, ("Not yet screened", "screening:not-yet", outcomes[""])], total,
    )  # fmt: skip
    b.hidden["screened"] = len(screened)
    b.relate("screened", [k for _, k, _ in rows])

    # the panel: discussed ⊇ adopted ⊇ exited, and consent
    discussed = [c for c in cohort if c.first_panel_on is not None or c.adopted]
    adopted = [c for c in cohort if c.adopted]
    exited = [c for c in adopted if c.exited_on is not None]
    words = progress_words(programme)
    b.counts(
        "case_progress", "What happened to the referrals", "Cases",
        [("Referrals received", "referrals", len(cohort)),
         ("Discussed at panel", "discussed", len(discussed)),
         (words["adopted"], "adopted", len(adopted)),
         (words["exited"], "exited", len(exited))],
        None,
    )  # fmt: skip
    b.imply("referrals", len(cohort), "discussed", len(discussed), "not-discussed")
    b.imply("discussed", len(discussed), "adopted", len(adopted), "discussed-not-adopted")
    b.imply("adopted", len(adopted), "exited", len(exited), "adopted-not-exited")
    if programme.records_consent:  # a statutory programme (MAPPA) seeks no consent to count
        given = sum(1 for c in cohort if c.consent_given or c.consent_withdrawn)
        withdrawn = sum(1 for c in cohort if c.consent_withdrawn)
        refused = sum(1 for c in cohort if c.consent_refused)
        b.counts(
            "consent", "Consent", "Cases",
            [("Consent given", "consent:given", given),
             ("Consent later withdrawn", "consent:withdrawn", withdrawn),
             ("Consent refused", "consent:refused", refused)],
            None,
        )  # fmt: skip
        b.imply("consent:given", given, "consent:withdrawn", withdrawn, "consent:kept")

    # days from referral to screening and to first panel
    to_screen = _days((c.received, c.screened_on) for c in screened if c.screened_on)
    panelled = [c for c in cohort if c.first_panel_on is not None]
    to_panel = _days((c.received, c.first_panel_on) for c in panelled if c.first_panel_on)
    timing_rows = []
    for label, key, days in (
        ("Referral to screening", "timing:screening", to_screen),
        ("Referral to first panel", "timing:panel", to_panel),
    ):
        median = float(pystats.median(days)) if days else None
        timing_rows.append(
            Row(label, (Count(key, len(days)), Measure(median, key), Measure(_p90(days), key)))
        )
    b.breakdowns.append(
        Breakdown(
            "timeliness", "Days from referral",
            ("Cases", "Median days", "90th percentile days"), tuple(timing_rows),
        )
    )  # fmt: skip
    b.imply("screened", len(screened), "timing:screening", len(to_screen), "screened-undated")
    b.imply("discussed", len(discussed), "timing:panel", len(to_panel), "discussed-undated")

    _actions(b, every, start=start, end=end, today=today)
    return Statistics(
        programme=programme.name,
        start=start,
        end=end,
        today=today,
        breakdowns=tuple(b.breakdowns),
        relations=tuple(b.relations),
        hidden=tuple(sorted(b.hidden.items())),
        threshold=int(programme.statistics.get("suppress_below", 5)),
        notes=notes,
        captions=(("referrals", "Referrals"), ("discussed", "Discussed at panel"),
                  ("adopted", words["adopted_short"]), ("exited", words["exited_short"])),
    )


PROGRESS_WORDS = {
    "adopted": "Adopted by the panel", "adopted_short": "Adopted",
    "exited": "Exited after support", "exited_short": "Exited",
}


def progress_words(programme: Programme) -> dict[str, str]:
    """How the programme names the adopted and exited stages (``[statistics.labels]``), e.g.
    "Managed at level 2 or 3" and "Stepped down"; the defaults otherwise."""
    given = programme.statistics.get("labels", {})
    return {k: str(given.get(k, default)) for k, default in PROGRESS_WORDS.items()}


def _actions(
    b: _Builder, cases: Sequence[StatsCase], *, start: dt.date, end: dt.date, today: dt.date
) -> None:
    """Actions due in the period by agency (on time, late, not completed), and overdue now."""
    # same meaning as rules.completed_on_time / rules.is_overdue, over StatsAction
    parts = ("on-time", "late", "not-done")
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    overdue: Counter[str] = Counter()
    for a in (a for c in cases for a in c.actions):
        if a.status is ActionStatus.CANCELLED:
            continue
        if not a.status.is_closed and a.due < today:
            overdue[a.owner_agency] += 1
        if not start <= a.due <= end:
            continue
        if a.status is ActionStatus.DONE and a.completed_on is not None:
            tally[a.owner_agency]["on-time" if a.completed_on <= a.due else "late"] += 1
        else:
            tally[a.owner_agency]["not-done"] += 1

    agencies = sorted(tally, key=str.casefold)
    rows = []
    for name in [*agencies, None]:
        counts = (
            tally[name] if name is not None else sum(tally.values(), Counter())
        )
        prefix = f"actions:{name}" if name is not None else "actions"
        due_key = f"{prefix}:due"
        due = sum(counts[p] for p in parts)
        on_time = counts["on-time"]
        rows.append(
            Row(
                name if name is not None else "Total",
                (
                    Count(due_key, due),
                    *(Count(f"{prefix}:{p}", counts[p]) for p in parts),
                    Measure(100 * on_time / due if due else None, due_key, (f"{prefix}:on-time",),
                            percent=True),
                ),
                is_total=name is None,
            )
        )
        b.relate(due_key, [f"{prefix}:{p}" for p in parts])
    for column in ("due", *parts):
        b.relate(f"actions:{column}", [f"actions:{n}:{column}" for n in agencies])
    b.breakdowns.append(
        Breakdown(
            "actions_on_time", "Actions due in the period, by agency",
            ("Due", "Completed on time", "Completed late", "Not completed", "% on time"),
            tuple(rows),
        )
    )  # fmt: skip
    names = sorted(overdue, key=str.casefold)
    b.counts(
        "overdue_now", f"Actions overdue on {today.isoformat()}", "Overdue actions",
        [(n, f"overdue:{n}", overdue[n]) for n in names],
        ("Total", "overdue", sum(overdue.values())),
    )  # fmt: skip
