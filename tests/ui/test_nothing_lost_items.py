"""Nothing typed is lost when moving between items (issue 10, the rest): a meeting's Details,
the action raised at an agenda item, and the update note of a case's action are drafts of what
they belong to. Each test types with the keyboard, moves to another item, comes back and finds
the text; the store is unchanged until the user saves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import cases, meetings


def _meetings(h):  # type: ignore[no-untyped-def]
    return h.tasks.call_sync(lambda: meetings.list_meetings(h.session))


def _meeting(h, mid: str):  # type: ignore[no-untyped-def]
    return h.tasks.call_sync(lambda: meetings.get_meeting(h.session, meeting_id=mid))


def _choose(h, screen, mid: str):  # type: ignore[no-untyped-def]
    screen.select_meeting(mid)
    h.idle()
    ed = screen.editor
    assert ed is not None and ed.meeting_id == mid
    return ed


def _retype(edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)


# --- the meeting's Details tab -----------------------------------------------------------------
def test_meeting_details_typed_survive_choosing_another_meeting(demo_ui, qtbot) -> None:
    h = demo_ui
    ms = _meetings(h)
    a = next(m for m in ms if m.status == "scheduled")
    b = next(m for m in ms if m.id != a.id)
    screen = h.win.show_screen("Meetings")
    h.idle()
    ed = _choose(h, screen, a.id)
    ed.tabs.setCurrentWidget(ed.details)
    d = ed.details
    _retype(d.venue, "Civic Centre, room 4")
    _retype(d.time, "1430")
    _retype(d.when, "15122026")
    ed = _choose(h, screen, b.id)
    assert ed.details.venue.text() != "Civic Centre, room 4"  # never another meeting's draft
    ed = _choose(h, screen, a.id)
    d = ed.details
    assert d.venue.text() == "Civic Centre, room 4"
    assert d.time.text() == "14:30"
    assert d.when.day() is not None and d.when.day().isoformat() == "2026-12-15"
    saved = _meeting(h, a.id)
    assert saved.venue == a.venue and saved.time == a.time and saved.held_on == a.held_on
    assert any("Details of the meeting" in x.label for x in h.ctx.drafts.pending())
    # Discard changes shows what is saved again and drops the draft
    qtbot.mouseClick(d.discard_button, Qt.MouseButton.LeftButton)
    assert d.venue.text() == a.venue and d.time.text() == a.time
    assert not any("Details of the meeting" in x.label for x in h.ctx.drafts.pending())


def test_meeting_details_draft_is_saved_from_the_close_prompt(demo_ui, qtbot) -> None:
    h = demo_ui
    a = next(m for m in _meetings(h) if m.status == "scheduled")
    b = next(m for m in _meetings(h) if m.id != a.id)
    screen = h.win.show_screen("Meetings")
    h.idle()
    ed = _choose(h, screen, a.id)
    ed.tabs.setCurrentWidget(ed.details)
    _retype(ed.details.venue, "Town Hall annexe")
    _choose(h, screen, b.id)
    h.win.close()
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    assert "Details of the meeting" in h.win.close_prompt.informativeText()
    qtbot.mouseClick(h.win.close_save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not h.win.isVisible(), timeout=10_000)
    h.idle()
    assert _meeting(h, a.id).venue == "Town Hall annexe"


# --- the minutes' "Action raised" -------------------------------------------------------------
def _minutes_on_cases(h, qtbot):  # type: ignore[no-untyped-def]
    m = next(x for x in _meetings(h)
             if x.status == "scheduled" and sum(1 for i in x.agenda if i.case_id) >= 2)
    screen = h.win.show_screen("Meetings")
    h.idle()
    ed = _choose(h, screen, m.id)
    ed.tabs.setCurrentIndex(2)
    rows = [r for r in range(ed.minute_item.count())
            if next(i for i in m.agenda if i.id == ed.minute_item.itemData(r)).case_id]
    return m, screen, ed, rows


def test_an_action_raised_typed_at_one_item_survives_choosing_another(demo_ui, qtbot) -> None:
    h = demo_ui
    m, screen, ed, rows = _minutes_on_cases(h, qtbot)
    ed.minute_item.setCurrentIndex(rows[0])
    h.idle()
    first = ed.minute_item.currentData()
    ed.action_title.setFocus()
    QTest.keyClicks(ed.action_title, "Housing to confirm the move date")
    agency = ed.action_agency.itemData(ed.action_agency.count() - 1)
    ed.action_agency.setCurrentIndex(ed.action_agency.count() - 1)
    ed.action_due.setFocus()
    QTest.keyClicks(ed.action_due, "20/12/2026")
    ed.minute_item.setCurrentIndex(rows[1])  # another item
    h.idle()
    assert ed.action_title.text() == "" and ed.action_due.text() == ""
    ed.minute_item.setCurrentIndex(rows[0])
    h.idle()
    assert ed.minute_item.currentData() == first
    assert ed.action_title.text() == "Housing to confirm the move date"
    assert ed.action_agency.currentData() == agency
    assert ed.action_due.day() is not None and ed.action_due.day().isoformat() == "2026-12-20"
    # another meeting and back: still there (the editor is rebuilt per meeting)
    other = next(x for x in _meetings(h) if x.id != m.id)
    _choose(h, screen, other.id)
    ed = _choose(h, screen, m.id)
    ed.tabs.setCurrentIndex(2)
    ed.minute_item.setCurrentIndex(ed.minute_item.findData(first))
    h.idle()
    assert ed.action_title.text() == "Housing to confirm the move date"
    labels = [d.label for d in h.ctx.drafts.pending()]
    assert any(x.startswith("Action raised at") for x in labels)
    assert not any(a.title == "Housing to confirm the move date" for a in _meeting_actions(h, m.id))
    # clearing the title (and the date) is discarding it
    ed.action_title.clear()
    ed.action_due.clear()
    assert not any(x.label.startswith("Action raised at") for x in h.ctx.drafts.pending())


def _meeting_actions(h, mid: str):  # type: ignore[no-untyped-def]
    from app.services import ui_queries

    return h.tasks.call_sync(lambda: ui_queries.meeting_view(h.session, meeting_id=mid)).actions


def test_an_action_raised_draft_is_created_from_the_close_prompt(demo_ui, qtbot) -> None:
    h = demo_ui
    m, _screen, ed, rows = _minutes_on_cases(h, qtbot)
    ed.minute_item.setCurrentIndex(rows[0])
    h.idle()
    QTest.keyClicks(ed.action_title, "Police to review the bail conditions")
    QTest.keyClicks(ed.action_due, "21122026")
    ed.minute_item.setCurrentIndex(rows[1])
    h.idle()
    h.win.close()
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    assert "Action raised at" in h.win.close_prompt.informativeText()
    qtbot.mouseClick(h.win.close_save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not h.win.isVisible(), timeout=10_000)
    h.idle()
    raised = [a for a in _meeting_actions(h, m.id) if a.title == "Police to review the bail conditions"]
    assert len(raised) == 1 and raised[0].due.isoformat() == "2026-12-21"


# --- the update note of a case's action --------------------------------------------------------
def _cases_with_actions(h):  # type: ignore[no-untyped-def]
    ids = h.tasks.call_sync(lambda: cases.list_case_ids(h.session))
    found = []
    for cid in ids:
        cf = h.tasks.call_sync(lambda c=cid: cases.get_case_file(h.session, c, audit_view=False))
        if len(cf.actions) >= 2:
            found.append(cid)
        if len(found) == 2:
            return found
    raise AssertionError("the demo has two cases with two actions each")


def _actions_tab(h, case_id: str):  # type: ignore[no-untyped-def]
    h.win.open_case(case_id)
    h.idle()
    view = h.win.cases.view
    assert view.case_id == case_id and view.case_file is not None
    view.tabs.setCurrentWidget(view.actions_tab)
    return view.actions_tab


def test_an_action_update_note_stays_with_its_action_and_case(demo_ui, qtbot) -> None:
    h = demo_ui
    a, b = _cases_with_actions(h)
    tab = _actions_tab(h, a)
    tab.table.selectRow(0)
    chosen = tab._selected_ids()
    assert len(chosen) == 1
    tab.note.setFocus()
    QTest.keyClicks(tab.note, "Tenancy signed, keys on Friday.")
    tab.table.selectRow(1)  # another action of the same case: not its note
    assert tab.note.text() == ""
    tab.table.selectRow(0)
    assert tab.note.text() == "Tenancy signed, keys on Friday."
    tab = _actions_tab(h, b)  # another case: never case A's note (Update would apply it to B)
    assert tab.note.text() == ""
    tab = _actions_tab(h, a)
    assert tab._selected_ids() == chosen
    assert tab.note.text() == "Tenancy signed, keys on Friday."
    assert any(d.label.startswith("Update of") for d in h.ctx.drafts.pending())
    saved = h.tasks.call_sync(lambda: cases.get_case_file(h.session, a, audit_view=False))
    assert not any(u.note == "Tenancy signed, keys on Friday." for x in saved.actions for u in x.updates)
    # a reload of the case (another change) keeps the note and its selection
    tab.table.selectRow(0)
    h.win.cases.view.reload()
    h.idle()
    assert tab._selected_ids() == chosen and tab.note.text() == "Tenancy signed, keys on Friday."
    # Update saves it and the draft goes
    qtbot.mouseClick(tab.update_button, Qt.MouseButton.LeftButton)
    h.idle()
    saved = h.tasks.call_sync(lambda: cases.get_case_file(h.session, a, audit_view=False))
    assert any(u.note == "Tenancy signed, keys on Friday." for x in saved.actions for u in x.updates)
    assert not any(d.label.startswith("Update of") for d in h.ctx.drafts.pending())
    assert tab.note.text() == ""


def test_an_action_update_note_is_saved_from_the_close_prompt(demo_ui, qtbot) -> None:
    h = demo_ui
    a, b = _cases_with_actions(h)
    tab = _actions_tab(h, a)
    tab.table.selectRow(0)
    (aid,) = tab._selected_ids()
    QTest.keyClicks(tab.note, "Referral to the refuge made.")
    _actions_tab(h, b)
    h.win.close()
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    assert "Update of" in h.win.close_prompt.informativeText()
    qtbot.mouseClick(h.win.close_save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not h.win.isVisible(), timeout=10_000)
    h.idle()
    saved = h.tasks.call_sync(lambda: cases.get_case_file(h.session, a, audit_view=False))
    notes = [u.note for x in saved.actions if x.id == aid for u in x.updates]
    assert "Referral to the refuge made." in notes
