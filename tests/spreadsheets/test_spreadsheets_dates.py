"""The strict day-first date parser: accepted forms, refusals, and round trips of generated dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.intake import DateError, parse_date

TODAY = dt.date(2026, 3, 15)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/01/2026", dt.date(2026, 1, 31)),
        ("31/1/26", dt.date(2026, 1, 31)),
        ("02/03/2026", dt.date(2026, 3, 2)),  # day first: 2 March, never 3 February
        ("31-Jan-2026", dt.date(2026, 1, 31)),
        ("31 January 2026", dt.date(2026, 1, 31)),
        ("1st Sept 2025", dt.date(2025, 9, 1)),
        ("2026-01-31", dt.date(2026, 1, 31)),
        ("  31.01.2026 ", dt.date(2026, 1, 31)),
        ("31/01/2026 00:00", dt.date(2026, 1, 31)),
        ("2026-01-31T00:00:00", dt.date(2026, 1, 31)),
        ("5/6/30", dt.date(1930, 6, 5)),  # two-digit year: never after today's year
        ("5/6/26", dt.date(2026, 6, 5)),
        (dt.datetime(2026, 1, 31, 13, 5), dt.date(2026, 1, 31)),  # an Excel date cell
        (dt.date(2001, 2, 3), dt.date(2001, 2, 3)),
    ],
)
def test_accepted_forms(text: object, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2026", "Not a real date: that day does not exist in that month."),
        ("29/02/2025", "Not a real date: that day does not exist in that month."),
        ("01/13/2026", "Not a real date: there is no month above 12 (dates are day/month/year)."),
        ("1/1/1850", "Not a plausible date: the year is before 1900."),
        ("not known", "Not a date. Write dates as day/month/year, for example 31/01/2026."),
        ("31/01-2026", "Not a date. Write dates as day/month/year, for example 31/01/2026."),
        ("Jan 31 2026", "Not a date. Write dates as day/month/year, for example 31/01/2026."),
        ("31-Foo-2026", "Not a date. Write dates as day/month/year, for example 31/01/2026."),
        ("2026", "Not a date. Write dates as day/month/year, for example 31/01/2026."),
        (46053, "Not a date. Format the cell as a date, or write it as day/month/year."),
        (None, "Not a date. Format the cell as a date, or write it as day/month/year."),
    ],
)
def test_refusals(value: object, message: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(value, today=TODAY)  # type: ignore[arg-type]
    assert str(err.value) == message


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(dates)
def test_round_trip_four_digit_forms(day: dt.date) -> None:
    forms = [
        f"{day.day:02}/{day.month:02}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02}-{MONTHS[day.month - 1]}-{day.year}",
        f"{day.day} {day.strftime('%B')} {day.year}",
        day.isoformat(),
    ]
    for text in forms:
        assert parse_date(text, today=TODAY) == day, text
    assert parse_date(dt.datetime.combine(day, dt.time(9, 30)), today=TODAY) == day


@given(st.dates(min_value=dt.date(TODAY.year - 99, 1, 1), max_value=dt.date(TODAY.year, 12, 31)))
def test_round_trip_two_digit_years(day: dt.date) -> None:
    yy = day.year % 100
    assert parse_date(f"{day.day}/{day.month}/{yy:02}", today=TODAY) == day
    assert parse_date(f"{day.day}-{MONTHS[day.month - 1]}-{yy:02}", today=TODAY) == day


@given(st.integers(1, 31), st.integers(1, 12), st.integers(1900, 2100))
def test_numeric_is_always_day_first(d: int, m: int, y: int) -> None:
    text = f"{d:02}/{m:02}/{y}"
    try:
        expected = dt.date(y, m, d)
    except ValueError:
        with pytest.raises(DateError, match="Not a real date"):
            parse_date(text, today=TODAY)
    else:
        assert parse_date(text, today=TODAY) == expected
