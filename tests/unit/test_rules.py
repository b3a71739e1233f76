from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.config.programmes import available_programmes, load_programme
from app.models import rules
from app.models.dates import format_uk, parse_uk_date
from app.models.domain import Action, Contribution
from app.models.enums import ActionStatus, Marking, Role
from app.models.errors import InvalidInput, TransitionNotAllowed
from app.models.programme_load import programme_from_dict


@pytest.fixture
def prog():
    return load_programme("extremism")


def test_every_shipped_programme_loads():
    for name in available_programmes():
        assert load_programme(name).id == name


def test_transitions_follow_the_programme_and_role(prog):
    t = rules.check_transition(prog, "panel-assessment", "adopted", Role.CHAIR)
    assert t.target == "adopted"
    with pytest.raises(TransitionNotAllowed, match="Only a coordinator"):
        rules.check_transition(prog, "screening", "gathering", Role.OFFICER)
    with pytest.raises(TransitionNotAllowed, match="cannot move"):
        rules.check_transition(prog, "referred", "exited", Role.COORDINATOR)
    with pytest.raises(InvalidInput):
        rules.check_transition(prog, "referred", "no-such-status", Role.COORDINATOR)
    offered = [t.target for t in rules.allowed_transitions(prog, "screening", Role.COORDINATOR)]
    assert offered == ["gathering", "signposted", "police-managed", "closed"]
    assert rules.allowed_transitions(prog, "screening", Role.OFFICER) == []


def test_programme_definition_is_validated():
    with pytest.raises(InvalidInput):
        programme_from_dict({"id": "x"})


def test_working_days_skip_weekends(prog):
    friday = dt.date(2026, 11, 27)
    assert rules.add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert rules.screening_deadline(prog, friday) == dt.date(2026, 12, 4)
    assert rules.working_days_left(dt.date(2026, 12, 7), dt.date(2026, 12, 4)) == -1
    assert rules.working_days_left(friday, dt.date(2026, 12, 4)) == 5


def test_post_exit_reviews_clamp_month_ends(prog):
    assert rules.post_exit_review_dates(prog, dt.date(2026, 8, 31)) == [
        dt.date(2027, 2, 28),
        dt.date(2027, 8, 31),
    ]


def _action(status: ActionStatus, due: dt.date, completed: dt.date | None = None) -> Action:
    return Action(
        "a", "c", "t", "ag", None, due, status, dt.date(2026, 1, 1), completed_on=completed
    )  # type: ignore[arg-type]


def test_overdue_and_on_time():
    today = dt.date(2026, 11, 30)
    assert rules.is_overdue(_action(ActionStatus.OPEN, dt.date(2026, 11, 29)), today)
    assert not rules.is_overdue(_action(ActionStatus.OPEN, today), today)
    assert not rules.is_overdue(_action(ActionStatus.DONE, dt.date(2026, 1, 1)), today)
    assert rules.completed_on_time(_action(ActionStatus.DONE, today, today)) is True
    assert (
        rules.completed_on_time(_action(ActionStatus.DONE, today, today + dt.timedelta(1))) is False
    )
    assert rules.completed_on_time(_action(ActionStatus.OPEN, today)) is None


def test_restricted_contributions_reach_only_named_agencies():
    c = Contribution(
        "x",
        "c",
        "police",
        None,
        "t",
        dt.date(2026, 1, 1),
        Marking.OFFICIAL_SENSITIVE,  # type: ignore[arg-type]
        frozenset({"police", "health"}),
    )  # type: ignore[arg-type]
    assert rules.agency_may_see_contribution(c, "health")  # type: ignore[arg-type]
    assert not rules.agency_may_see_contribution(c, "education")  # type: ignore[arg-type]


def test_suppression():
    assert [rules.suppress(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def test_age_bands_are_read_from_their_labels():
    bands = ("Under 11", "11–15", "16–17", "18–20", "21–30", "31–40", "41 and over", "Unknown")
    ages = (None, 0, 10, 11, 15, 16, 17, 18, 20, 21, 40, 41, 90)
    assert [rules.age_band(a, bands) for a in ages] == [
        "Unknown", "Under 11", "Under 11", "11–15", "11–15", "16–17", "16–17", "18–20", "18–20",
        "21–30", "31–40", "41 and over", "41 and over",
    ]  # fmt: skip
    assert rules.age_band(12, ("Under 11", "18-20")) == "Unknown"  # no band covers it
    assert rules.age_band(19, ("Under 11", "18-20")) == "18-20"  # a hyphen reads as a dash


def test_a_programme_with_an_unreadable_age_band_is_refused():
    import tomllib

    from app.config.programmes import programmes_dir

    data = tomllib.loads((programmes_dir() / "extremism.toml").read_text(encoding="utf-8"))
    data["statistics"]["age_bands"] = ["Under 11", "teenagers", "Unknown"]
    with pytest.raises(InvalidInput, match="teenagers"):
        programme_from_dict(data)


def test_age_bands():
    assert [rules.age_band(a) for a in (None, 14, 15, 20, 21, 40, 41)] == [
        "Unknown",
        "Under 15",
        "15–20",
        "15–20",
        "21–30",
        "31–40",
        "41 and over",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("31/01/2026", dt.date(2026, 1, 31)),
        ("31/1/26", dt.date(2026, 1, 31)),
        ("31-Jan-2026", dt.date(2026, 1, 31)),
        ("2026-01-31", dt.date(2026, 1, 31)),
        ("02/03/2026", dt.date(2026, 3, 2)),
        ("31/02/2026", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_uk_dates(text, expected):
    assert parse_uk_date(text, today=dt.date(2026, 11, 30)) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_uk_date_round_trip(day):
    assert parse_uk_date(format_uk(day)) == day
