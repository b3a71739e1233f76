"""Counting a period's statistics: the breakdowns of :class:`~app.models.statistics.Statistics`
from one :class:`~app.models.statistics.StatsCase` per case.

Which cases count, and the suppression rule applied when publishing, are in the docstring of
``app.models.statistics``. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from app.models.case_fields import Choice, in_sentence
from app.models.enums import ActionStatus
from app.models.errors import InvalidInput
from app.models.programme import Programme
from app.models.rules import DEFAULT_AGE_BANDS, age_band
from app.models.statistics import (
    NOT_RECORDED,
    Breakdown,
    Count,
    Measure,
    Relation,
    Row,
    Statistics,
    StatsCase,
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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


Total = tuple[str, str, int]  # the total row of a breakdown: (label, key, count)


def compute_statistics(
    cases: Iterable[StatsCase],
    *,
    start: dt.date,
    end: dt.date,
    programme: Programme,
    today: dt.date,
) -> Statistics:
    """Every breakdown of the return for ``start..end`` (inclusive); see ``app.models.statistics``."""
    if start > end:
        raise InvalidInput("The start of the period is after its end.")
    every = list(cases)
    cohort = [c for c in every if start <= c.received <= end]
    b = _Builder()
    total: Total = ("Total", "referrals", len(cohort))
    _by_time(b, cohort, start, end, total)
    notes = _by_person(b, cohort, programme, total)
    screened = _screening(b, cohort, programme, total)
    words = progress_words(programme)
    discussed = _progress(b, cohort, programme, words)
    _timeliness(b, cohort, screened, discussed)
    _actions(b, every, start=start, end=end, today=today)
    _dates_in_period(b, every, programme, start, end)
    _repeats(b, every, programme, start, end)
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
    )  # fmt: skip


def _dates_in_period(
    b: _Builder, every: list[StatsCase], programme: Programme, start: dt.date, end: dt.date
) -> None:
    """The programme's date fields: how many cases (of every case, not only the period's
    referrals) have the date within the period (licences and registrations ending, say)."""
    if not programme.date_fields:
        return

    def within(c: StatsCase, field_id: str) -> bool:
        text = dict(c.case_fields).get(field_id, "")
        return start.isoformat() <= text <= end.isoformat() if len(text) == 10 else False

    b.counts(
        "dates_in_period", "Case dates falling in the period", "Cases",
        [(cf.label, f"dates:{cf.id}", sum(1 for c in every if within(c, cf.id)))
         for cf in programme.date_fields],
        None,
    )  # fmt: skip


REPEAT_WORDS = {
    "repeats_title": "Repeat referrals among the cases heard",
    "heard": "Cases heard at panel in the period", "repeats": "Of which repeat referrals",
    "repeat_rate": "Repeat rate (% of the cases heard)",
}


def _repeats(
    b: _Builder, every: list[StatsCase], programme: Programme, start: dt.date, end: dt.date
) -> None:
    """A programme with a repeat rule (``intervals.repeat_referral_months``): the cases heard at a
    held meeting in the period (each once, whenever referred), how many of them are repeat
    referrals, and the repeat rate (repeats / cases heard). Its words: ``[statistics.labels]``
    ``repeats_title``, ``heard``, ``repeats`` and ``repeat_rate``. The rate is shown, like every
    percentage, only when it summarises at least the suppression threshold of cases heard and
    the repeat count is not withheld."""
    if programme.intervals.repeat_referral_months is None:
        return
    given = programme.statistics.get("labels", {})
    words = {k: str(given.get(k, default)) for k, default in REPEAT_WORDS.items()}
    heard = [c for c in every if any(start <= d <= end for d in c.heard_on)]
    repeats = sum(1 for c in heard if c.repeat)
    rate = Measure(100 * repeats / len(heard) if heard else None, "heard", ("heard:repeat",),
                   percent=True)
    # one row, the figures side by side: every column of a table is all counts or all measures,
    # which is how the regional return rolls tables up (app/spreadsheets/region.py)
    b.breakdowns.append(
        Breakdown(
            "repeats", words["repeats_title"], ("Cases", words["repeats"], words["repeat_rate"]),
            (Row(words["heard"], (Count("heard", len(heard)), Count("heard:repeat", repeats), rate)),),
        )
    )  # fmt: skip
    b.imply("heard", len(heard), "heard:repeat", repeats, "heard:not-repeat")


def _by_time(b: _Builder, cohort: list[StatsCase], start: dt.date, end: dt.date, total: Total) -> None:
    """Referrals by month and by quarter (calendar quarters, named by their months)."""
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


def _by_person(
    b: _Builder, cohort: list[StatsCase], programme: Programme, total: Total
) -> tuple[str, ...]:
    """Referrals by sector, concern, age, gender, ethnicity and each of the programme's case fields
    (as each case's current assessment records them); returns the notes the return carries."""

    def by(key: str, title: str, rows: list[tuple[str, str]], of: Callable[[StatsCase], str]) -> None:
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
    for cf in programme.choice_fields:
        recorded = [_field_of(cf.id)(c) for c in cohort]
        listed = {c.id for c in cf.choices}
        field_rows = [(c.label, c.id) for c in cf.choices]
        field_rows += [(i, i) for i in sorted({r for r in recorded if r} - listed)]
        field_rows.append((NOT_RECORDED, ""))
        by(f"field:{cf.id}", f"Referrals by {in_sentence(cf.label)}", field_rows,
           _field_of(cf.id))
        b.breakdowns[-1] = replace(b.breakdowns[-1], label_heading=cf.label)
    if not programme.choice_fields:
        return ()
    labels = " and ".join(cf.label for cf in programme.choice_fields)
    return (
        f"{labels}: as recorded by each case's latest assessment on the date of the return; "
        f"“{NOT_RECORDED}” counts the cases not yet assessed, or assessed without it.",
    )  # fmt: skip


def _screening(
    b: _Builder, cohort: list[StatsCase], programme: Programme, total: Total
) -> list[StatsCase]:
    """Screening outcomes of the cohort; returns the cases screened."""
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
    return screened


def _progress(
    b: _Builder, cohort: list[StatsCase], programme: Programme, words: dict[str, str]
) -> list[StatsCase]:
    """The panel: discussed ⊇ adopted ⊇ exited, and consent; returns the cases discussed."""
    discussed = [c for c in cohort if c.first_panel_on is not None or c.adopted]
    adopted = [c for c in cohort if c.adopted]
    exited = [c for c in adopted if c.exited_on is not None]
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
    return discussed


def _timeliness(
    b: _Builder, cohort: list[StatsCase], screened: list[StatsCase], discussed: list[StatsCase]
) -> None:
    """Days from referral to screening and to first panel."""
    measured = _timing_days(cohort, screened)
    to_screen, to_panel = measured["timing:screening"], measured["timing:panel"]
    timing_rows = []
    for label, key, days in (
        ("Referral to screening", "timing:screening", to_screen),
        ("Referral to first panel", "timing:panel", to_panel),
    ):
        median, p90 = median_and_p90(days)
        timing_rows.append(
            Row(label, (Count(key, len(days)), Measure(median, key), Measure(p90, key)))
        )
    b.breakdowns.append(
        Breakdown(
            "timeliness", "Days from referral",
            ("Cases", "Median days", "90th percentile days"), tuple(timing_rows),
        )
    )  # fmt: skip
    b.imply("screened", len(screened), "timing:screening", len(to_screen), "screened-undated")
    b.imply("discussed", len(discussed), "timing:panel", len(to_panel), "discussed-undated")


def _timing_days(cohort: list[StatsCase], screened: list[StatsCase]) -> dict[str, list[int]]:
    panelled = [c for c in cohort if c.first_panel_on is not None]
    return {
        "timing:screening": _days((c.received, c.screened_on) for c in screened if c.screened_on),
        "timing:panel": _days((c.received, c.first_panel_on) for c in panelled if c.first_panel_on),
    }


def timing_days(cases: Iterable[StatsCase], *, start: dt.date, end: dt.date) -> dict[str, Counter[int]]:
    """How many of the period's referrals took each number of days to screening and to first
    panel (the counts behind the timeliness medians, for a regional return): timing key ->
    {days: cases}. The same cases as ``compute_statistics`` measures."""
    cohort = [c for c in cases if start <= c.received <= end]
    screened = [c for c in cohort if c.screening_outcome]
    return {k: Counter(v) for k, v in _timing_days(cohort, screened).items()}


def median_and_p90(days: Sequence[int]) -> tuple[float | None, float | None]:
    """The median and 90th percentile of sorted day counts (None when there are none)."""
    return (float(pystats.median(days)) if days else None), _p90(days)


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
