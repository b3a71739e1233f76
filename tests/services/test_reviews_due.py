"""Reviews due (issue 10): post-exit reviews at every interval counted from the exit date, the next
after one is held and none after the last; consent refused or withdrawn comes back for
re-assessment, on the dashboard and in the case list's review filter."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.models import rules
from app.models.enums import ConsentState
from app.models.errors import InvalidInput
from app.services import cases, meetings, ui_queries
from app.services.cases import sharing
from app.services.context import Session
from app.services.meetings import agenda, minutes
from tests.support.stores import TODAY, dump_store


def _exited_case(session: Session):  # type: ignore[no-untyped-def]
    prog = session.programme
    exited = [c for c in cases.list_cases(session) if c.status == prog.exit_status]
    assert exited, "the demo store has exited cases"
    case = cases.get_case_file(session, exited[0].id, audit_view=False).case
    assert case.exited_on is not None
    return case


def _hold_review(session: Session, case_id: str, on: dt.date) -> None:
    mid = meetings.schedule_meeting(session, held_on=on, venue="Civic Centre")
    agenda.add_agenda_item(session, meeting_id=mid, case_id=case_id)
    minutes.mark_held(session, meeting_id=mid)


def test_post_exit_reviews_come_at_each_interval_from_the_exit_date(session: Session) -> None:
    prog = session.programme
    case = _exited_case(session)
    dates = rules.post_exit_review_dates(prog, case.exited_on)
    assert tuple(prog.intervals.post_exit_review_months) == (6, 12) and len(dates) == 2
    assert case.next_review == dates[0]
    _hold_review(session, case.id, TODAY)
    after = cases.get_case_file(session, case.id, audit_view=False).case
    assert after.next_review == dates[1]  # the 12-month review, counted from the exit date
    due = {r.summary.id: r for r in ui_queries.reviews_due(session, by=dates[1])}
    assert due[case.id].kind == "Post-exit review" and due[case.id].due == dates[1]
    _hold_review(session, case.id, TODAY + dt.timedelta(days=1))
    last = cases.get_case_file(session, case.id, audit_view=False).case
    assert last.next_review is None  # the last one held: off the list
    far = TODAY + dt.timedelta(days=800)
    assert case.id not in {r.summary.id for r in ui_queries.reviews_due(session, by=far) if r.kind != "Consent re-assessment"}


def test_the_dashboard_lists_reviews_by_date_and_marks_late_ones(session: Session) -> None:
    d = ui_queries.dashboard(session)
    assert d.due, "the demo store has reviews due"
    assert [r.due for r in d.due] == sorted(r.due for r in d.due)
    assert any(r.days_late for r in d.due), "the demo store has a late review"
    for r in d.due:
        assert r.days_late == max(0, (TODAY - r.due).days)


@pytest.mark.parametrize("state", [ConsentState.REFUSED, ConsentState.WITHDRAWN])
def test_refused_or_withdrawn_consent_is_re_assessed(session: Session, state: ConsentState) -> None:
    prog = session.programme
    summary = next(c for c in cases.list_cases(session) if c.status in prog.panel_statuses
                   and c.status != prog.exit_status and not (c.next_review and c.next_review <= TODAY + dt.timedelta(days=14)))
    sharing.record_consent(session, case_id=summary.id, state=state, given_by="parent")
    consent = cases.get_case_file(session, summary.id, audit_view=False).consents[-1]
    assert consent.reassess_on == TODAY + dt.timedelta(days=prog.intervals.consent_reassess_days)
    # a date chosen is kept; the consent re-assessment is then due
    sharing.record_consent(session, case_id=summary.id, state=state, given_by="parent", reassess_on=TODAY + dt.timedelta(days=5))
    due = [r for r in ui_queries.dashboard(session).due if r.summary.id == summary.id]
    assert [(r.kind, r.due) for r in due] == [("Consent re-assessment", TODAY + dt.timedelta(days=5))]
    in_filter = cases.list_case_ids(session, review_due_by=TODAY + dt.timedelta(days=14))
    assert summary.id in in_filter
    # consent given later: nothing to re-assess
    sharing.record_consent(session, case_id=summary.id, state=ConsentState.GIVEN, given_by="parent")
    assert summary.id not in cases.list_case_ids(session, review_due_by=TODAY + dt.timedelta(days=14))


def test_a_re_assessment_date_in_the_past_is_refused(session: Session) -> None:
    summary = cases.list_cases(session)[0]
    before = dump_store(session)
    with pytest.raises(InvalidInput, match="past"):
        sharing.record_consent(session, case_id=summary.id, state=ConsentState.WITHDRAWN,
                             reassess_on=TODAY - dt.timedelta(days=1))
    assert dump_store(session) == before
    assert dataclasses.is_dataclass(summary)
