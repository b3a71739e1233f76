"""What a coordinator changes after the fact: meeting details, consent, sharing/lead/marking, case
officer, a member's access; and what others see (greyed with a reason, refused by the service)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from app.models.enums import ConsentState, Marking, MemberStatus, Role
from app.models.errors import InvalidInput, PermissionDenied
from app.services import cases, meetings, panel
from app.services.cases import sharing


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _scheduled(h):  # type: ignore[no-untyped-def]
    ms = [m for m in h.tasks.call_sync(lambda: meetings.list_meetings(h.session)) if m.status == "scheduled"]
    assert ms
    return ms[0]


def test_meeting_details_can_be_changed_after_scheduling(demo_ui, qtbot) -> None:
    h = demo_ui
    m = _scheduled(h)
    screen = h.win.show_screen("Meetings")
    h.idle()
    screen.select_meeting(m.id)
    h.idle()
    ed = screen.editor
    assert ed is not None and ed.meeting_id == m.id
    details = ed.details
    assert details.save_button.isEnabled()
    new_day = m.held_on + dt.timedelta(days=7)
    details.when.setDate(QDate(new_day.year, new_day.month, new_day.day))
    details.time.setText("14:30")
    details.venue.setText("Council Chamber, Room 2")
    chairs = [details.chair.itemData(i) for i in range(1, details.chair.count())]
    assert chairs
    details.chair.setCurrentIndex(details.chair.findData(chairs[-1]))
    click(qtbot, details.save_button)
    h.idle()
    after = h.tasks.call_sync(lambda: meetings.get_meeting(h.session, meeting_id=m.id))
    assert (after.held_on, after.time, after.venue, after.chair) == (new_day, "14:30", "Council Chamber, Room 2", chairs[-1])
    assert "14:30" in ed.title.text()
    # a bad time is refused with the service's message and nothing changes
    details.time.setText("25:00")
    click(qtbot, details.save_button)
    h.idle()
    assert "HH:MM" in ed.error.text()
    assert h.tasks.call_sync(lambda: meetings.get_meeting(h.session, meeting_id=m.id)).time == "14:30"


def test_update_meeting_service_checks_like_scheduling(session) -> None:
    s = session
    m = next(x for x in meetings.list_meetings(s) if x.status == "scheduled")
    with pytest.raises(InvalidInput):
        meetings.update_meeting(s, meeting_id=m.id, held_on=m.held_on, time="9am", venue="", chair=None)
    with pytest.raises(InvalidInput):
        meetings.update_meeting(s, meeting_id=m.id, held_on=m.held_on, time="09:00", venue="", chair="nobody")
    held = next((x for x in meetings.list_meetings(s) if x.status == "held"), None)
    if held is not None:
        with pytest.raises(InvalidInput):
            meetings.update_meeting(s, meeting_id=held.id, held_on=held.held_on, time="09:00", venue="", chair=None)
    meetings.update_meeting(s, meeting_id=m.id, held_on=m.held_on, time="09:15", venue="Hall", chair=None)
    assert s.last_changed.touches("meeting")
    assert meetings.get_meeting(s, meeting_id=m.id).time == "09:15"


def _open_first_case(h):  # type: ignore[no-untyped-def]
    screen = h.win.show_screen("Cases")
    h.idle()
    cid = screen.model.case_id(0)
    h.win.open_case(cid)
    h.idle()
    return cid, screen.view.summary


def test_consent_is_recorded_from_the_summary(demo_ui, qtbot) -> None:
    h = demo_ui
    cid, summary = _open_first_case(h)
    box = summary.consent
    before = len(h.tasks.call_sync(lambda: cases.get_case_file(h.session, cid, audit_view=False)).consents)
    box.state.setCurrentIndex(box.state.findData(ConsentState.REFUSED))
    box.given_by.setCurrentIndex(box.given_by.findData("guardian"))
    qtbot.keyClicks(box.notes, "Guardian declined at the home visit")
    click(qtbot, box.record_button)
    h.idle()
    cf = h.tasks.call_sync(lambda: cases.get_case_file(h.session, cid, audit_view=False))
    assert len(cf.consents) == before + 1
    last = cf.consents[-1]
    assert (last.state, last.given_by) == (ConsentState.REFUSED, "guardian")
    assert last.reassess_on is not None
    assert box.notes.text() == ""


def test_sharing_lead_marking_and_officer_from_the_summary(demo_ui, qtbot) -> None:
    h = demo_ui
    cid, summary = _open_first_case(h)
    box = summary.sharing
    snap = h.ctx.snap
    police = next(a for a in snap.agencies if a.is_police)
    for i in range(box.agencies.count()):
        item = box.agencies.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == police.id
                           else Qt.CheckState.Unchecked)
    box.lead.setCurrentIndex(box.lead.findData(police.id))
    box.marking.setCurrentIndex(box.marking.findData(Marking.SECRET))
    click(qtbot, box.save_button)
    h.idle()
    case = h.tasks.call_sync(lambda: cases.get_case_file(h.session, cid, audit_view=False)).case
    assert case.lead_agency == police.id
    assert set(case.shared_with) == {police.id}
    assert case.marking is Marking.SECRET
    assert h.win.cases.view.marking_chip.text() == Marking.SECRET.value
    officer = next(m for m in snap.members if m.status is MemberStatus.ACTIVE and m.role is Role.OFFICER)
    box.officer.setCurrentIndex(box.officer.findData(officer.id))
    click(qtbot, box.assign_button)
    h.idle()
    case = h.tasks.call_sync(lambda: cases.get_case_file(h.session, cid, audit_view=False)).case
    assert case.case_officer == officer.id
    assert summary.officer.text() == officer.name


def test_an_agency_workstation_sees_sharing_greyed_with_a_reason(demo_ui) -> None:
    h = demo_ui
    snap = h.ctx.snap
    officer = next(m for m in snap.members if m.role is Role.OFFICER and m.status is MemberStatus.ACTIVE)
    win = h.window_as(officer.id, is_hub=False)
    screen = win.show_screen("Cases")
    h.idle()
    if screen.model.rowCount() == 0:
        pytest.skip("this officer's agency shares no case in the demo")
    win.open_case(screen.model.case_id(0))
    h.idle()
    box = screen.view.summary.sharing
    assert not box.save_button.isEnabled() and "coordinator" in box.save_button.toolTip()
    assert not box.assign_button.isEnabled() and box.assign_button.toolTip()
    assert not screen.view.summary.consent.record_button.isEnabled()
    with pytest.raises(PermissionDenied):
        sharing.set_sharing(win.ctx._session, case_id=screen.model.case_id(0), shared_with=[])


def test_member_access_is_revoked_and_reactivated_in_panel(demo_ui, qtbot) -> None:
    h = demo_ui
    pnl = h.win.show_screen("Panel")
    h.idle()
    me = h.ctx.snap.workstation.member
    assert pnl.select_member(me.id)
    assert not pnl.member_status_button.isEnabled()  # not yourself
    other = next(m for m in h.ctx.snap.members if m.id != me.id and m.status is MemberStatus.ACTIVE)
    assert pnl.select_member(other.id)
    assert "Revoke" in pnl.member_status_button.text()
    click(qtbot, pnl.member_status_button)
    h.idle()
    got = {m.id: m for m in h.tasks.call_sync(lambda: panel.list_members(h.session))}
    assert got[other.id].status is MemberStatus.REVOKED
    assert pnl.selected_member() is not None and pnl.selected_member().id == other.id
    assert "Reactivate" in pnl.member_status_button.text().replace("&", "")
    click(qtbot, pnl.member_status_button)
    h.idle()
    got = {m.id: m for m in h.tasks.call_sync(lambda: panel.list_members(h.session))}
    assert got[other.id].status is MemberStatus.ACTIVE

