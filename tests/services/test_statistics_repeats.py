"""The repeat rate (issue 18's closing note): a programme with a repeat rule
(``intervals.repeat_referral_months``) reports, for the period, the cases heard at a held meeting,
how many of them are repeat referrals under its rule, and the repeat rate (repeats / cases heard),
in its own words (``[statistics.labels]``) and suppressed like every other line. A programme
without a repeat rule has no such line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.programmes import load_programme
from app.models.domain import Identifier
from app.models.ids import SubjectId
from app.models.referral_input import ReferralInput, SubjectInput
from app.models.statistics import StatsCase
from app.models.statistics_compute import compute_statistics
from app.services import cases, linked_people, meetings, setup, statistics
from app.services.cases import lifecycle, referrals
from app.services.context import Session
from app.services.meetings import minutes
from tests.support.programme_stores import build_programme_store
from tests.support.stores import PASSPHRASE, copy_store, today

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def _heard_case(n: int, *, repeat: bool, heard: tuple[dt.date, ...] = (dt.date(2026, 2, 10),)) -> StatsCase:
    return StatsCase(received=dt.date(2025, 12, 1), sector="police", concern="partner",
                     age_at_referral=30, case_id=f"c{n}", heard_on=heard, repeat=repeat)


def _stats(cases_: list[StatsCase], programme: str = "marac"):  # type: ignore[no-untyped-def]
    return compute_statistics(cases_, start=START, end=END, programme=load_programme(programme),
                              today=dt.date(2026, 4, 2))


def test_the_repeat_rate_is_the_repeats_among_the_cases_heard_in_the_period() -> None:
    heard = [_heard_case(i, repeat=i < 6) for i in range(12)]
    twice = _heard_case(20, repeat=False, heard=(dt.date(2026, 1, 5), dt.date(2026, 3, 2)))
    before = _heard_case(21, repeat=True, heard=(dt.date(2025, 12, 20),))  # heard before the period
    never = StatsCase(received=dt.date(2026, 2, 1), sector="police", concern="partner", age_at_referral=40)
    stats = _stats([*heard, twice, before, never])
    b = stats.breakdown("repeats")
    labels = load_programme("marac").statistics["labels"]
    assert b.title == labels["repeats_title"]
    assert b.value(labels["heard"]) == 13  # each case heard in the period once
    assert b.columns[1:] == (labels["repeats"], labels["repeat_rate"])
    assert b.value(labels["heard"], 1) == 6
    assert b.value(labels["heard"], 2) == pytest.approx(100 * 6 / 13)
    shown = stats.published().breakdown("repeats")
    assert list(shown.rows[0].values) == ["13", "6", "46%"]


def test_the_repeat_line_is_suppressed_like_the_others() -> None:
    small = _stats([_heard_case(i, repeat=i < 2) for i in range(10)]).published().breakdown("repeats")
    assert list(small.rows[0].values) == ["10", "<5", "[c]"]  # 2 repeats: the rate would tell
    # 1 case not a repeat out of 8: the repeats would give it away by subtraction
    near_all = _stats([_heard_case(i, repeat=i < 7) for i in range(8)]).published().breakdown("repeats")
    assert near_all.rows[0].values[1] == "[c]" and near_all.rows[0].values[2] == "[c]"
    few = _stats([_heard_case(i, repeat=False) for i in range(3)]).published().breakdown("repeats")
    assert list(few.rows[0].values) == ["<5", "0", "[c]"]


@pytest.mark.parametrize("programme", ["extremism", "mappa"])
def test_a_programme_without_a_repeat_rule_has_no_repeat_line(programme: str) -> None:
    assert load_programme(programme).intervals.repeat_referral_months is None
    with pytest.raises(KeyError):
        _stats([_heard_case(i, repeat=False) for i in range(6)], programme).breakdown("repeats")


# --- through the service, with the programme's own repeat rule ----------------------------------

PERP = linked_people.PersonInput(forenames="Darren", surname="Kell", date_of_birth=dt.date(1985, 2, 14),
                                 identifiers=(Identifier("pnc", "12/345678A"),))
OTHER = linked_people.PersonInput(forenames="Wayne", surname="Osei", date_of_birth=dt.date(1979, 9, 1))


@pytest.fixture
def marac(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Session]:
    template = build_programme_store(tmp_path_factory.mktemp("marac-stats") / "panel.rtdb", "marac")
    s = setup.unlock(copy_store(template, tmp_path / "marac"), passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


def _referral(session: Session, received: dt.date, *, link: SubjectId | None = None) -> str:
    prog = session.programme
    return referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Leanne", surname="Marsh", date_of_birth=dt.date(1991, 6, 3)),
        referral=ReferralInput(received=received, referrer="IDVA", sector=prog.sectors[0].label,
                               concern=prog.concerns[0].label, narrative="Checklist completed."),
        link_subject=link,
    )


def _heard(session: Session, case_id: str, on: dt.date) -> None:
    lifecycle.change_status(session, case_id=case_id, status="screening", rationale="")
    lifecycle.screen_case(session, case_id=case_id, outcome="meets-threshold", rationale="High risk.")
    lifecycle.change_status(session, case_id=case_id, status="listed", rationale="")
    mid = meetings.schedule_meeting(session, held_on=on, case_ids=[case_id])
    meetings.record_confidentiality(session, meeting_id=mid, read=True)
    minutes.mark_held(session, meeting_id=mid)


def test_the_service_counts_repeats_by_the_programmes_rule(marac: Session) -> None:
    start, end = today() - dt.timedelta(days=60), today()

    def figures() -> tuple[int, int]:
        b = statistics.compute(marac, start=start, end=end).breakdown("repeats")
        return b.count_of("heard"), b.count_of("heard:repeat")

    heard0, repeats0 = figures()
    first = _referral(marac, today() - dt.timedelta(days=200))
    linked_people.add_person(marac, case_id=first, role="perpetrator", person=PERP)
    _heard(marac, first, today() - dt.timedelta(days=190))  # heard before the period
    victim = cases.get_case_file(marac, first, audit_view=False).case.subject_id
    repeat = _referral(marac, today() - dt.timedelta(days=40), link=victim)
    linked_people.add_person(marac, case_id=repeat, role="perpetrator", person=PERP)
    _heard(marac, repeat, today() - dt.timedelta(days=30))
    other = _referral(marac, today() - dt.timedelta(days=35), link=victim)  # another perpetrator
    linked_people.add_person(marac, case_id=other, role="perpetrator", person=OTHER)
    _heard(marac, other, today() - dt.timedelta(days=20))
    assert linked_people.repeat_of_case(marac, repeat) and not linked_people.repeat_of_case(marac, other)
    assert figures() == (heard0 + 2, repeats0 + 1)
