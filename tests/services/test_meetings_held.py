""""Mark as held": what is asked first, and taking it back until the next exchange file."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models.enums import Attendance
from app.models.errors import InvalidInput
from app.services import cases, meetings, panel
from app.services.context import Session
from app.services.meetings import agenda, minutes
from tests.support.stores import TODAY, dump_store


def _with_cases(session: Session):  # type: ignore[no-untyped-def]
    """A scheduled meeting with at least two case items (the demo's next meeting)."""
    ms = [m for m in meetings.list_meetings(session)
          if m.status == "scheduled" and sum(1 for i in m.agenda if i.case_id) >= 2]
    assert ms
    return ms[0]


def test_held_warnings_name_the_date_the_attendance_and_the_items(session: Session) -> None:
    mid = meetings.schedule_meeting(session, held_on=TODAY + dt.timedelta(days=14))
    ids = cases.list_case_ids(session)[:3]
    assert len(ids) == 3
    for cid in ids:
        agenda.add_agenda_item(session, meeting_id=mid, case_id=cid)
    m = meetings.get_meeting(session, meeting_id=mid)
    first = sorted(m.agenda, key=lambda i: i.position)[0]
    minutes.record_minutes(session, item_id=first.id, minute=minutes.MinuteInput(discussion="Discussed."))
    warnings = minutes.held_warnings(session, meeting_id=mid)
    assert any("in the future" in w for w in warnings)
    assert "No attendance has been recorded." in warnings
    no_minutes = next(w for w in warnings if "no minutes" in w)
    assert no_minutes.startswith(f"{len(ids) - 1} of {len(ids)} agenda items")
    refs = {cases.get_case_file(session, i.case_id, audit_view=False).case.ref for i in m.agenda[1:] if i.case_id}
    second = sorted(m.agenda, key=lambda i: i.position)[1]
    assert f"{second.position} (" in no_minutes
    assert all(r in no_minutes for r in refs if r)


def test_a_past_meeting_fully_minuted_and_attended_asks_nothing(session: Session) -> None:
    mid = meetings.schedule_meeting(session, held_on=TODAY - dt.timedelta(days=1))
    me = session.workstation.member.id
    meetings.set_attendance(session, meeting_id=mid, member_id=me, attendance=Attendance.PRESENT)
    assert minutes.held_warnings(session, meeting_id=mid) == []


def test_mark_held_is_undone_exactly(session: Session) -> None:
    m = _with_cases(session)
    before = dump_store(session)
    reviews = {c: cases.get_case_file(session, c, audit_view=False).case.next_review
               for c in (i.case_id for i in m.agenda if i.case_id)}
    minutes.mark_held(session, meeting_id=m.id)
    assert meetings.get_meeting(session, meeting_id=m.id).status == "held"
    after_held = {c: cases.get_case_file(session, c, audit_view=False).case.next_review for c in reviews}
    assert after_held != reviews  # marking held set the next reviews
    assert minutes.held_undo_refusal(session, meeting_id=m.id) is None
    minutes.unmark_held(session, meeting_id=m.id)
    assert meetings.get_meeting(session, meeting_id=m.id).status == "scheduled"
    assert {c: cases.get_case_file(session, c, audit_view=False).case.next_review for c in reviews} == reviews
    assert "unmark-held" in [e.action for e in panel.history(session, entity="meeting", record_id=m.id)]
    after = dump_store(session)
    for table in ("meeting", "case", "agenda_item"):
        assert after[table] == before[table], table
    with pytest.raises(InvalidInput, match="not marked as held"):
        minutes.unmark_held(session, meeting_id=m.id)


def test_marked_again_after_undo_and_never_twice(session: Session) -> None:
    m = _with_cases(session)
    minutes.mark_held(session, meeting_id=m.id)
    minutes.unmark_held(session, meeting_id=m.id)
    minutes.mark_held(session, meeting_id=m.id)
    with pytest.raises(InvalidInput, match="already marked as held"):
        minutes.mark_held(session, meeting_id=m.id)


def test_unmark_held_is_refused_for_a_meeting_not_marked_here(session: Session) -> None:
    m = _with_cases(session)
    before = dump_store(session)
    with pytest.raises(InvalidInput, match="not marked as held"):
        minutes.unmark_held(session, meeting_id=m.id)
    assert dump_store(session) == before


def test_a_meeting_with_no_minutes_at_all_says_so_in_one_line(session: Session) -> None:
    mid = meetings.schedule_meeting(session, held_on=TODAY)
    for cid in cases.list_case_ids(session)[:4]:
        agenda.add_agenda_item(session, meeting_id=mid, case_id=cid)
    assert "None of the 4 agenda items has minutes." in minutes.held_warnings(session, meeting_id=mid)


def test_a_meeting_held_before_this_workstation_kept_undo_records_is_refused(session: Session) -> None:
    held = next(m for m in meetings.list_meetings(session) if m.status == "held")  # the demo's past meetings
    refusal = minutes.held_undo_refusal(session, meeting_id=held.id)
    assert refusal is not None and "marked as held on this workstation" in refusal
    before = dump_store(session)
    with pytest.raises(InvalidInput, match="on this workstation"):
        minutes.unmark_held(session, meeting_id=held.id)
    assert dump_store(session) == before
