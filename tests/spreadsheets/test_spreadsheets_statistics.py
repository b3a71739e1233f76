"""Statistics against counts made independently here, and the suppression rule (primary,
secondary, derived figures), including a property test that nothing small can be worked out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.enums import ActionStatus
from app.models.errors import InvalidInput
from app.models.statistics import (
    Relation,
    Statistics,
    StatsAction,
    StatsCase,
    protect,
)
from app.models.statistics_compute import compute_statistics
from tests.support.spreadsheets_support import programme
from tests.support.suppression_check import assert_nothing_small_follows as check_published

START, END, TODAY = dt.date(2025, 11, 15), dt.date(2026, 2, 28), dt.date(2026, 3, 15)
SECTORS = ("education", "police", "health", "local-authority", "community")
CONCERNS = ("islamist", "extreme-right-wing", "no-clear-ideology", "conflicted")
OUTCOMES = ("suitable", "signposted", "police-managed", "no-further-action")
AGENCIES = ("Police", "Children's services", "Health", "=HYPERLINK(\"x\")")


def random_cases(seed: int, n: int = 300) -> list[StatsCase]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        received = START + dt.timedelta(days=rng.randrange(-40, 150))
        screened = rng.random() < 0.8
        panel = screened and rng.random() < 0.5
        adopted = panel and rng.random() < 0.6
        actions = tuple(
            StatsAction(
                rng.choice(AGENCIES),
                received + dt.timedelta(days=rng.randrange(5, 90)),
                received + dt.timedelta(days=rng.randrange(0, 120)) if rng.random() < 0.6 else None,
                rng.choice(list(ActionStatus)),
            )
            for _ in range(rng.randrange(0, 4))
        )
        cases.append(
            StatsCase(
                received=received,
                sector=rng.choice(SECTORS),
                concern=rng.choice(CONCERNS),
                age_at_referral=rng.choice([None, *range(9, 70)]),
                gender=rng.choice(["Male", "male ", "Female", "", "Non-binary"]),
                ethnicity=rng.choice(["White British", "Asian", "Black", "Mixed", ""]),
                screening_outcome=rng.choice(OUTCOMES) if screened else None,
                screened_on=received + dt.timedelta(days=rng.randrange(0, 30))
                if screened and rng.random() < 0.95 else None,
                first_panel_on=received + dt.timedelta(days=rng.randrange(10, 80)) if panel else None,
                adopted=adopted,
                exited_on=received + dt.timedelta(days=200) if adopted and rng.random() < 0.3 else None,
                consent_given=adopted and rng.random() < 0.8,
                consent_withdrawn=adopted and rng.random() < 0.1,
                actions=actions,
            )
        )  # fmt: skip
    return cases


def stats_for(cases: list[StatsCase]) -> Statistics:
    return compute_statistics(cases, start=START, end=END, programme=programme(), today=TODAY)


HOME_OFFICE_BANDS = ("Under 11", "11–15", "16–17", "18–20", "21–30", "31–40", "41 and over", "Unknown")


def band(age: int | None) -> str:
    """The Home Office Prevent and Channel statistics' bands (the default programme's)."""
    if age is None:
        return "Unknown"
    for limit, name in ((10, "Under 11"), (15, "11–15"), (17, "16–17"), (20, "18–20"), (30, "21–30"),
                        (40, "31–40")):
        if age <= limit:
            return name
    return "41 and over"


def test_counts_match_an_independent_count() -> None:
    cases = random_cases(7)
    stats = stats_for(cases)
    cohort = [c for c in cases if START <= c.received <= END]
    assert 0 < len(cohort) < len(cases)
    month = stats.breakdown("referrals_by_month")
    assert [r.label for r in month.rows] == ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026",
                                             "Total"]  # fmt: skip
    for label, (y, m) in (("Nov 2025", (2025, 11)), ("Jan 2026", (2026, 1))):
        assert month.value(label) == sum(1 for c in cohort if (c.received.year, c.received.month) == (y, m))
    quarter = stats.breakdown("referrals_by_quarter")
    assert quarter.value("Oct–Dec 2025") == sum(1 for c in cohort if c.received.year == 2025)
    assert quarter.value("Jan–Mar 2026") == sum(1 for c in cohort if c.received.year == 2026)
    assert quarter.value("Total") == len(cohort)
    sectors = stats.breakdown("referrals_by_sector")
    assert sectors.value("Education") == sum(c.sector == "education" for c in cohort)
    assert sectors.value("Prisons and probation") == 0
    assert stats.breakdown("referrals_by_concern").value("Islamist") == sum(
        c.concern == "islamist" for c in cohort
    )
    ages = stats.breakdown("referrals_by_age")
    expected_ages = Counter(band(c.age_at_referral) for c in cohort)
    assert [r.label for r in ages.rows if not r.is_total] == list(HOME_OFFICE_BANDS)
    assert {r.label: r.values[0].value for r in ages.rows if not r.is_total} == {
        b: expected_ages[b] for b in HOME_OFFICE_BANDS
    }
    under_18 = sum(1 for c in cohort if c.age_at_referral is not None and c.age_at_referral < 18)
    assert sum(ages.value(b) for b in ("Under 11", "11–15", "16–17")) == under_18
    genders = stats.breakdown("referrals_by_gender")
    assert genders.value("Male") == sum(c.gender.strip().lower() == "male" for c in cohort)
    assert genders.value("Not recorded") == sum(not c.gender for c in cohort)
    assert [r.label for r in genders.rows][-2:] == ["Not recorded", "Total"]
    assert stats.breakdown("referrals_by_ethnicity").value("Asian") == sum(
        c.ethnicity == "Asian" for c in cohort
    )
    screening = stats.breakdown("screening_outcomes")
    assert screening.value("Suitable for the panel") == sum(
        c.screening_outcome == "suitable" for c in cohort
    )
    assert screening.value("Not yet screened") == sum(c.screening_outcome is None for c in cohort)
    progress = stats.breakdown("case_progress")
    assert progress.value("Discussed at panel") == sum(c.first_panel_on is not None for c in cohort)
    assert progress.value("Adopted by the panel") == sum(c.adopted for c in cohort)
    assert progress.value("Exited after support") == sum(c.exited_on is not None for c in cohort)
    consent = stats.breakdown("consent")
    assert consent.value("Consent given") == sum(c.consent_given or c.consent_withdrawn for c in cohort)
    assert consent.value("Consent later withdrawn") == sum(c.consent_withdrawn for c in cohort)

    timing = stats.breakdown("timeliness")
    days = [(c.screened_on - c.received).days for c in cohort if c.screening_outcome and c.screened_on]
    assert timing.value("Referral to screening", 0) == len(days)
    assert timing.value("Referral to screening", 1) == pytest.approx(float(np.median(days)))
    assert timing.value("Referral to screening", 2) == pytest.approx(float(np.percentile(days, 90)))
    days = [(c.first_panel_on - c.received).days for c in cohort if c.first_panel_on]
    assert timing.value("Referral to first panel", 1) == pytest.approx(float(np.median(days)))
    assert timing.value("Referral to first panel", 2) == pytest.approx(float(np.percentile(days, 90)))

    actions = stats.breakdown("actions_on_time")
    due = [a for c in cases for a in c.actions
           if START <= a.due <= END and a.status is not ActionStatus.CANCELLED]  # fmt: skip
    police = [a for a in due if a.owner_agency == "Police"]
    on_time = sum(a.status is ActionStatus.DONE and a.completed_on is not None
                  and a.completed_on <= a.due for a in police)  # fmt: skip
    late = sum(a.status is ActionStatus.DONE and a.completed_on is not None
               and a.completed_on > a.due for a in police)  # fmt: skip
    assert [actions.value("Police", i) for i in range(4)] == [
        len(police), on_time, late, len(police) - on_time - late
    ]
    assert actions.value("Police", 4) == pytest.approx(100 * on_time / len(police))
    assert actions.value("Total", 0) == len(due)
    overdue = stats.breakdown("overdue_now")
    assert overdue.value("Total") == sum(
        1 for c in cases for a in c.actions
        if a.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and a.due < TODAY
    )  # fmt: skip


def test_period_bounds_are_inclusive_and_checked() -> None:
    cases = [StatsCase(d, "police", "islamist", 20) for d in
             (START - dt.timedelta(days=1), START, END, END + dt.timedelta(days=1))]  # fmt: skip
    assert stats_for(cases).breakdown("referrals_by_month").value("Total") == 2
    with pytest.raises(InvalidInput):
        compute_statistics(cases, start=END, end=START, programme=programme(), today=TODAY)


def _gender_cases(counts: dict[str, int]) -> list[StatsCase]:
    day = dt.date(2026, 1, 10)
    return [StatsCase(day, "police", "islamist", 30, gender=g) for g, n in counts.items()
            for _ in range(n)]  # fmt: skip


def published_column(stats: Statistics, key: str) -> dict[str, str]:
    return {r.label: r.values[0] for r in stats.published().breakdown(key).rows}


def test_primary_and_secondary_in_one_breakdown() -> None:
    stats = stats_for(_gender_cases({"Male": 30, "Female": 3, "Non-binary": 0}))
    shown = published_column(stats, "referrals_by_gender")
    # Female alone would follow from 33 - 30: the next smallest non-zero (Male) is withheld too
    assert shown == {"Female": "<5", "Male": "[c]", "Total": "33"}
    assert stats.breakdown("referrals_by_gender").value("Female") == 3  # raw stays raw


def test_two_small_cells_need_no_secondary() -> None:
    shown = published_column(stats_for(_gender_cases({"Male": 30, "Female": 3, "X": 2})),
                             "referrals_by_gender")  # fmt: skip
    assert shown == {"Female": "<5", "Male": "30", "X": "<5", "Total": "35"}


def test_months_quarters_and_totals_are_protected_together() -> None:
    counts = {dt.date(2025, 11, 20): 6, dt.date(2025, 12, 3): 9, dt.date(2026, 1, 5): 3,
              dt.date(2026, 2, 5): 10}  # fmt: skip
    cases = [StatsCase(d, "police", "islamist", 30) for d, n in counts.items() for _ in range(n)]
    stats = stats_for(cases)
    months = published_column(stats, "referrals_by_month")
    quarters = published_column(stats, "referrals_by_quarter")
    assert months["Jan 2026"] == "<5"
    # Jan–Mar 2026 = Jan + Feb, and the total = both quarters: Jan must not follow from either
    assert months["Feb 2026"] == "[c]" or quarters["Jan–Mar 2026"] == "[c]"
    assert_nothing_small_follows(stats)


def test_withheld_total_when_no_other_part_is_visible() -> None:
    values = {"T": 9, "a": 3, "b": 6, "U": 16, "c": 10}
    relations = [Relation("T", ("a", "b")), Relation("U", ("b", "c"))]
    # b is never shown but follows from U - c, so T would give a away: T itself is withheld
    assert protect(values, {"T", "a", "U", "c"}, relations) == (frozenset({"a"}), frozenset({"T"}))


def test_small_differences_between_nested_counts_are_protected() -> None:
    day = dt.date(2026, 1, 10)
    cases = [StatsCase(day, "police", "islamist", 30, screening_outcome="suitable",
                       screened_on=day, first_panel_on=day + dt.timedelta(days=d),
                       adopted=d < 6) for d in range(8)]  # fmt: skip
    cases += [StatsCase(day, "police", "islamist", 30) for _ in range(10)]
    stats = stats_for(cases)
    shown = published_column(stats, "case_progress")
    assert stats.breakdown("case_progress").value("Adopted by the panel") == 6
    # 8 discussed and 6 adopted would show that 2 were not adopted
    assert "[c]" in (shown["Discussed at panel"], shown["Adopted by the panel"])
    assert_nothing_small_follows(stats)


def test_derived_figures_need_five_cases_and_visible_inputs() -> None:
    day = dt.date(2026, 1, 10)
    few = [StatsCase(day, "police", "islamist", 30, screening_outcome="suitable",
                     screened_on=day + dt.timedelta(days=i)) for i in range(4)]  # fmt: skip
    timing = stats_for(few).published().breakdown("timeliness").rows
    assert timing[0].values == ("<5", "[c]", "[c]") and timing[1].values == ("0", "n/a", "n/a")
    many = [StatsCase(day, "police", "islamist", 30, screening_outcome="suitable",
                      screened_on=day + dt.timedelta(days=i)) for i in range(11)]  # fmt: skip
    assert stats_for(many).published().breakdown("timeliness").rows[0].values == ("11", "5", "9")

    def act(done: bool, late: bool = False) -> StatsAction:
        due = dt.date(2026, 1, 20)
        return StatsAction("Police", due, due + dt.timedelta(days=3 if late else -1) if done else None,
                           ActionStatus.DONE if done else ActionStatus.OPEN)  # fmt: skip

    actions = (*[act(True)] * 8, *[act(True, late=True)] * 2, *[act(False)] * 6)
    row = stats_for([StatsCase(day, "police", "islamist", 30, actions=actions)]).published(
    ).breakdown("actions_on_time").rows[0]  # fmt: skip
    # 16 due, 8 on time, 2 late, 6 not done: the 2 late must not follow from 16 - 8 - 6, so the
    # smallest other part (6 not done) is withheld; 50% on time reveals nothing small
    assert (row.label, row.values) == ("Police", ("16", "8", "<5", "[c]", "50%"))


def test_published_holds_strings_only_and_notes() -> None:
    published = stats_for(random_cases(3, 40)).published()
    for b in published.breakdowns:
        for row in b.rows:
            assert all(isinstance(v, str) for v in row.values)
    assert any("<5" in n for n in published.notes) and any("[c]" in n for n in published.notes)


def assert_nothing_small_follows(stats: Statistics) -> None:
    """Independently: from the published numbers and the stated relations, work out every count
    that can be, and check that none is from 1 to 4 — and that shown numbers are the raw ones
    (the one checker, shared with the regional return's tests)."""
    check_published(stats, stats.published())


def test_the_checker_catches_a_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.models.statistics as statistics_module

    def primary_only(values, shown, relations, threshold=5):
        return frozenset(k for k in shown if 0 < values[k] < threshold), frozenset()

    monkeypatch.setattr(statistics_module, "protect", primary_only)
    with pytest.raises(AssertionError):
        assert_nothing_small_follows(stats_for(_gender_cases({"Male": 30, "Female": 3})))


def test_nothing_small_follows_on_realistic_data() -> None:
    for seed in range(3):
        assert_nothing_small_follows(stats_for(random_cases(seed, 120)))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 60))
def test_nothing_small_follows_property(seed: int, n: int) -> None:
    assert_nothing_small_follows(stats_for(random_cases(seed, n)))


def _with_fields(cases: list[StatsCase], seed: int) -> list[StatsCase]:
    """MAPPA's case fields on random cases: some never assessed, a few with a choice the
    programme no longer lists."""
    rng = random.Random(seed)
    out = []
    for c in cases:
        roll = rng.random()
        if roll < 0.25:
            fields: tuple[tuple[str, str], ...] = ()
        elif roll < 0.28:
            fields = (("category", "9"),)
        else:
            fields = (("category", rng.choice("1234")), ("management-level", rng.choice("123")))
        out.append(dataclasses.replace(c, case_fields=fields))
    return out


def test_case_field_breakdowns_count_every_current_value() -> None:
    from app.config.programmes import load_programme

    prog = load_programme("mappa")
    cases = _with_fields(random_cases(11), 11)
    stats = compute_statistics(cases, start=START, end=END, programme=prog, today=TODAY)
    cohort = [c for c in cases if START <= c.received <= END]
    for cf in prog.choice_fields:
        b = stats.breakdown(f"referrals_by_field:{cf.id}")
        assert b.label_heading == cf.label
        counted = Counter(dict(c.case_fields).get(cf.id, "") for c in cohort)
        labels = {c.id: c.label for c in cf.choices} | {"": "Not recorded"}
        expected = [(c.label, counted[c.id]) for c in cf.choices]
        expected += [(i, counted[i]) for i in sorted(set(counted) - set(labels))]  # unlisted choice
        expected += [("Not recorded", counted[""]), ("Total", len(cohort))]
        assert [(r.label, r.values[0].value) for r in b.rows] == expected
    assert stats.breakdown("referrals_by_field:category").value("9") > 0
    assert stats.breakdown("referrals_by_field:management-level").value("Not recorded") > 0
    assert any("MAPPA category and Management level" in n for n in stats.published().notes)
    for seed in range(3):
        assert_nothing_small_follows(
            compute_statistics(_with_fields(random_cases(seed, 80), seed), start=START, end=END,
                               programme=prog, today=TODAY)
        )


def test_date_fields_count_the_cases_whose_date_falls_in_the_period() -> None:
    """Every case (not only the period's referrals) whose date field falls in the period, both
    ends included: MAPPA's licences and registrations ending in the period."""
    from app.config.programmes import load_programme

    prog = load_programme("mappa")
    base = StatsCase(received=START - dt.timedelta(days=400), sector="education", concern="islamist",
                     age_at_referral=30)
    days = [START, END, START - dt.timedelta(days=1), END + dt.timedelta(days=1)] + [START + dt.timedelta(days=3)] * 6
    cases = [dataclasses.replace(base, case_fields=(("licence-end", d.isoformat()),)) for d in days]
    cases.append(dataclasses.replace(base, case_fields=(("licence-end", "not a date"),)))
    stats = compute_statistics(cases, start=START, end=END, programme=prog, today=TODAY)
    b = stats.breakdown("dates_in_period")
    assert [(r.label, r.values[0].value) for r in b.rows] == [
        ("Release date", 0), ("Licence end date", 8), ("Registration end date", 0), ("Order end date", 0),
    ]
    assert not any(k.startswith("referrals_by_field:licence") for k in (x.key for x in stats.breakdowns))


def test_a_small_case_field_count_is_suppressed_like_any_other() -> None:
    from app.config.programmes import load_programme

    base = StatsCase(received=START, sector="education", concern="islamist", age_at_referral=30)
    cases = [dataclasses.replace(base, case_fields=(("category", "1"), ("management-level", "2")))] * 30
    cases += [dataclasses.replace(base, case_fields=(("category", "2"), ("management-level", "2")))] * 3
    stats = compute_statistics(cases, start=START, end=END, programme=load_programme("mappa"), today=TODAY)
    shown = published_column(stats, "referrals_by_field:category")
    assert shown["Category 2 – violent or other sexual offender"] == "<5"
    assert "[c]" in (shown["Category 1 – registered sexual offender"], shown["Total"])
    assert shown["Not recorded"] == "0"
    assert_nothing_small_follows(stats)


def test_a_programme_without_case_fields_has_no_such_breakdown() -> None:
    stats = stats_for(random_cases(5, 60))
    assert not any(b.key.startswith("referrals_by_field:") for b in stats.breakdowns)
    assert not any("latest assessment" in n for n in stats.published().notes)
