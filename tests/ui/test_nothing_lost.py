"""Nothing typed is ever lost (issue 10): drafts per item, the close prompt, the lock screen,
"Mark as held" asked and undone. Each test drives the real widgets as a person does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import meetings


def _scheduled(h):  # type: ignore[no-untyped-def]
    ms = [m for m in h.tasks.call_sync(lambda: meetings.list_meetings(h.session))
          if m.status == "scheduled" and len(m.agenda) >= 2]
    assert ms
    return ms[0]


def _open_minutes(h):  # type: ignore[no-untyped-def]
    m = _scheduled(h)
    screen = h.win.show_screen("Meetings")
    h.idle()
    screen.select_meeting(m.id)
    h.idle()
    ed = screen.editor
    assert ed is not None and ed.meeting_id == m.id
    ed.tabs.setCurrentIndex(2)
    return m, screen, ed


def test_minutes_typed_for_one_item_survive_choosing_another(demo_ui, qtbot) -> None:
    h = demo_ui
    _m, _screen, ed = _open_minutes(h)
    ed.minute_item.setCurrentIndex(0)
    first = ed.minute_item.currentData()
    ed.discussion.setFocus()
    QTest.keyClicks(ed.discussion, "Police report two call-outs this month.")
    ed.minute_item.setFocus()
    QTest.keyClick(ed.minute_item, Qt.Key.Key_Down)  # the next item, as the keyboard chooses it
    h.idle()
    assert ed.minute_item.currentData() != first
    assert ed.discussion.toPlainText() == "" or "call-outs" not in ed.discussion.toPlainText()
    QTest.keyClick(ed.minute_item, Qt.Key.Key_Up)
    h.idle()
    assert ed.minute_item.currentData() == first
    assert ed.discussion.toPlainText().endswith("Police report two call-outs this month.")


def _type_minutes(h, text: str):  # type: ignore[no-untyped-def]
    m, _screen, ed = _open_minutes(h)
    ed.minute_item.setCurrentIndex(0)
    item = ed.minute_item.currentData()
    ed.discussion.setFocus()
    QTest.keyClicks(ed.discussion, text)
    return m, item, ed


def _saved_discussion(h, m, item_id: str) -> str:  # type: ignore[no-untyped-def]
    meeting = h.tasks.call_sync(lambda: meetings.get_meeting(h.session, meeting_id=m.id))
    return next(i.discussion for i in meeting.agenda if i.id == item_id)


def _ctrl_q(h, qtbot) -> None:  # type: ignore[no-untyped-def]
    h.win.activateWindow()
    qtbot.waitUntil(lambda: h.win.isActiveWindow(), timeout=5000)
    QTest.keyClick(h.win.focusWidget() or h.win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_q_with_unsaved_minutes_asks_and_cancel_keeps_everything(demo_ui, qtbot) -> None:
    h = demo_ui
    m, item, ed = _type_minutes(h, "Chair asked for a safety plan.")
    _ctrl_q(h, qtbot)
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    box = h.win.close_prompt
    assert "Minutes of" in box.informativeText()
    QTest.keyClick(box, Qt.Key.Key_Escape)  # Cancel
    qtbot.waitUntil(lambda: h.win.close_prompt is None)
    assert h.win.isVisible()
    assert ed.discussion.toPlainText() == "Chair asked for a safety plan."
    assert _saved_discussion(h, m, item) != "Chair asked for a safety plan."


def test_closing_with_unsaved_minutes_saves_them_when_asked(demo_ui, qtbot) -> None:
    h = demo_ui
    m, item, ed = _type_minutes(h, "Agreed: refer to housing.")
    ed.minute_item.setCurrentIndex(1)  # left the item: the draft is kept, not saved
    h.idle()
    assert _saved_discussion(h, m, item) != "Agreed: refer to housing."
    h.win.close()  # the window's close button
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    assert h.win.close_save_button is not None
    qtbot.mouseClick(h.win.close_save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not h.win.isVisible(), timeout=10_000)
    h.idle()
    assert _saved_discussion(h, m, item).endswith("Agreed: refer to housing.")


def test_file_quit_with_unsaved_minutes_discards_when_asked(demo_ui, qtbot) -> None:
    h = demo_ui
    m, item, _ed = _type_minutes(h, "Not to be kept.")
    before = _saved_discussion(h, m, item)
    h.win.act_quit.trigger()  # File › Quit
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    qtbot.mouseClick(h.win.close_discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not h.win.isVisible(), timeout=5000)
    assert _saved_discussion(h, m, item) == before


def test_closing_without_drafts_does_not_ask(demo_ui, qtbot) -> None:
    h = demo_ui
    _open_minutes(h)
    h.win.close()
    assert not h.win.isVisible() and h.win.close_prompt is None


# --- the lock screen -----------------------------------------------------------------------------
def _lock(h, qtbot):  # type: ignore[no-untyped-def]
    h.win.lock()  # what Ctrl+L does
    qtbot.waitUntil(lambda: h.win.unlock_dialog is not None and h.win.unlock_dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: not h.session.store.is_open, timeout=10_000)
    h.idle()
    return h.win.unlock_dialog


def _unlock(h, qtbot, dlg) -> None:  # type: ignore[no-untyped-def]
    from tests.support.stores import PASSPHRASE

    QTest.keyClicks(dlg.secret, PASSPHRASE)
    QTest.keyClick(dlg.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not h.win.is_locked, timeout=20_000)
    h.idle()
    h.session = h.ctx._session


def test_esc_and_enter_on_the_lock_screen_never_quit(demo_ui, qtbot) -> None:
    h = demo_ui
    _m, item, ed = _type_minutes(h, "Kept through the lock.")
    dlg = _lock(h, qtbot)
    assert dlg.secret.hasFocus() or dlg.focusWidget() is dlg.secret
    QTest.keyClick(dlg.secret, Qt.Key.Key_Escape)
    QTest.keyClick(dlg, Qt.Key.Key_Escape)
    h.idle()
    assert dlg.isVisible() and h.win.isVisible() and h.win.is_locked
    QTest.keyClick(dlg.secret, Qt.Key.Key_Return)  # empty: says what to do, quits nothing
    assert "Type the passphrase" in dlg.error.text()
    assert dlg.isVisible() and h.win.isVisible()
    # while unlocking, focus stays in the field and a second Enter does nothing
    from tests.support.stores import PASSPHRASE

    QTest.keyClicks(dlg.secret, PASSPHRASE)
    QTest.keyClick(dlg.secret, Qt.Key.Key_Return)
    assert not dlg.unlock_button.isEnabled()  # unlocking now
    assert dlg.focusWidget() is dlg.secret
    QTest.keyClick(dlg.focusWidget(), Qt.Key.Key_Return)
    QTest.keyClick(dlg.quit_button, Qt.Key.Key_Return)  # even with focus on Quit, Enter is not Quit
    qtbot.waitUntil(lambda: not h.win.is_locked, timeout=20_000)
    h.idle()
    h.session = h.ctx._session
    assert h.win.isVisible()
    assert ed.discussion.toPlainText() == "Kept through the lock."
    assert h.ctx.drafts.pending() and item


def test_the_lock_screen_says_locked_names_the_store_and_shows_the_passphrase(demo_ui, qtbot) -> None:
    h = demo_ui
    dlg = _lock(h, qtbot)
    assert dlg.title.text() == "Locked"
    assert "locked itself" not in dlg.reason.text()
    assert h.store.name in dlg.store_label.text()
    QTest.keyClicks(dlg.secret, "abc")
    assert dlg.secret.echoMode().name == "Password"
    QTest.keyClick(dlg.show_secret, Qt.Key.Key_Space)
    assert dlg.secret.echoMode().name == "Normal"
    QTest.keyClick(dlg.show_secret, Qt.Key.Key_Space)
    assert dlg.secret.echoMode().name == "Password"
    dlg.secret.clear()
    _unlock(h, qtbot, dlg)
    h.win.set_auto_lock_ms(30)  # inactivity says why it locked
    qtbot.waitUntil(lambda: h.win.unlock_dialog is not None and h.win.unlock_dialog.isVisible(), timeout=20_000)
    assert "locked itself" in h.win.unlock_dialog.reason.text()
    qtbot.waitUntil(lambda: not h.session.store.is_open, timeout=10_000)
    h.idle()
    h.win.set_auto_lock_ms(3_600_000)
    _unlock(h, qtbot, h.win.unlock_dialog)


def test_quit_on_the_lock_screen_asks_about_drafts(demo_ui, qtbot) -> None:
    h = demo_ui
    _type_minutes(h, "Do not drop me.")
    dlg = _lock(h, qtbot)
    qtbot.mouseClick(dlg.quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    assert h.win.close_save_button is None  # locked: unlock first to save
    assert "unlock first" in h.win.close_prompt.informativeText()
    QTest.keyClick(h.win.close_prompt, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: h.win.close_prompt is None)
    assert h.win.isVisible() and dlg.isVisible()
    _unlock(h, qtbot, dlg)


def test_a_second_copy_on_the_same_store_says_so_before_asking(demo_ui, qtbot) -> None:
    from app.ui.dialogs.unlock import IN_USE, UnlockDialog

    h = demo_ui  # this window has the store open
    dlg = UnlockDialog(h.tasks, h.store)
    qtbot.addWidget(dlg)
    dlg.show()
    h.idle()
    assert dlg.in_use.isVisible() and IN_USE in dlg.in_use.text()
    assert not dlg.form.isVisible() and not dlg.unlock_button.isEnabled()
    dlg.close()


# --- "Mark as held" ----------------------------------------------------------------------------
def test_mark_as_held_asks_first_and_can_be_undone(demo_ui, qtbot) -> None:
    h = demo_ui
    m, _screen, ed = _open_minutes(h)
    assert m.held_on > h.ctx.today_fn() or not m.attendees  # the demo's next meeting: ahead, not attended
    qtbot.mouseClick(ed.held_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.held_prompt is not None and ed.held_prompt.isVisible(), timeout=10_000)
    said = ed.held_prompt.informativeText()
    assert "None of the" in said or ("no minutes" in said and "item" in said)
    QTest.keyClick(ed.held_prompt, Qt.Key.Key_Escape)  # Cancel
    h.idle()
    assert meetings.get_meeting(h.session, meeting_id=m.id).status == "scheduled"
    qtbot.mouseClick(ed.held_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.held_prompt is not None and ed.held_prompt.isVisible(), timeout=10_000)
    qtbot.mouseClick(ed.held_confirm, Qt.MouseButton.LeftButton)
    h.idle()
    assert meetings.get_meeting(h.session, meeting_id=m.id).status == "held"
    qtbot.waitUntil(lambda: ed.unheld_button.isVisible() and ed.unheld_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(ed.unheld_button, Qt.MouseButton.LeftButton)
    h.idle()
    assert meetings.get_meeting(h.session, meeting_id=m.id).status == "scheduled"
    qtbot.waitUntil(lambda: ed.held_button.isEnabled() and not ed.unheld_button.isVisible(), timeout=10_000)


# --- drafts per case: assessment, plan, note; the new referral ---------------------------------
def _two_cases(h):  # type: ignore[no-untyped-def]
    from app.services import cases

    ids = h.tasks.call_sync(lambda: cases.list_case_ids(h.session))
    return ids[0], ids[1]


def _open(h, case_id: str):  # type: ignore[no-untyped-def]
    h.win.open_case(case_id)
    h.idle()
    view = h.win.cases.view
    assert view.case_id == case_id and view.case_file is not None
    return view


def test_a_new_assessment_version_is_kept_per_case_and_through_a_lock(demo_ui, qtbot) -> None:
    h = demo_ui
    a, b = _two_cases(h)
    view = _open(h, a)
    view.tabs.setCurrentIndex(1)
    qtbot.mouseClick(view.assessment.new_button, Qt.MouseButton.LeftButton)
    editor = view.assessment.editor_page
    QTest.keyClicks(editor.overall, " Escalating since the summer.")
    typed = editor.overall.toPlainText()
    view = _open(h, b)
    view.tabs.setCurrentIndex(1)
    assert view.assessment.pages.currentIndex() == 0  # case B shows its own assessment
    view = _open(h, a)
    view.tabs.setCurrentIndex(1)
    assert view.assessment.pages.currentWidget() is editor and editor.overall.toPlainText() == typed
    _unlock(h, qtbot, _lock(h, qtbot))
    assert view.assessment.pages.currentWidget() is editor and editor.overall.toPlainText() == typed
    labels = [d.label for d in h.ctx.drafts.pending()]
    assert any("assessment" in x for x in labels)


def test_a_plan_draft_stays_with_its_case(demo_ui, qtbot) -> None:
    h = demo_ui
    a, b = _two_cases(h)
    view = _open(h, a)
    view.tabs.setCurrentIndex(3)
    qtbot.mouseClick(view.plan.new_button, Qt.MouseButton.LeftButton)
    pe = view.plan.editor
    QTest.keyClicks(pe.risk_edits["nature"], " Threats made online.")
    typed = pe.risk_edits["nature"].toPlainText()
    view = _open(h, b)
    view.tabs.setCurrentIndex(3)
    # case B never shows case A's plan draft (saving it there would write into case A)
    assert view.plan.pages.currentIndex() == 0 and view.plan.editor is None
    view = _open(h, a)
    view.tabs.setCurrentIndex(3)
    assert view.plan.editor is pe and view.plan.pages.currentWidget() is pe
    assert pe.risk_edits["nature"].toPlainText() == typed


def test_a_note_typed_for_one_case_is_not_shown_on_another_and_comes_back(demo_ui, qtbot) -> None:
    h = demo_ui
    a, b = _two_cases(h)
    view = _open(h, a)
    view.tabs.setCurrentIndex(5)
    QTest.keyClicks(view.information.text, "School reports absences.")
    view = _open(h, b)
    view.tabs.setCurrentIndex(5)
    assert view.information.text.toPlainText() == ""
    view = _open(h, a)
    view.tabs.setCurrentIndex(5)
    assert view.information.text.toPlainText() == "School reports absences."


def test_an_unsaved_new_referral_is_asked_about_at_close(demo_ui, qtbot) -> None:
    h = demo_ui
    refs = h.win.show_screen("Referrals")
    refs.new_item()
    QTest.keyClicks(refs.form.surname, "Okafor")
    h.win.close()
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    assert "New referral" in h.win.close_prompt.informativeText()
    QTest.keyClick(h.win.close_prompt, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: h.win.close_prompt is None)
    assert h.win.isVisible() and refs.form.surname.text() == "Okafor"


def test_mark_as_held_names_items_with_unsaved_minutes(demo_ui, qtbot) -> None:
    h = demo_ui
    _m, _item, ed = _type_minutes(h, "Still typing.")
    qtbot.mouseClick(ed.held_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.held_prompt is not None and ed.held_prompt.isVisible(), timeout=10_000)
    assert "Minutes typed for item 1 are not saved yet" in ed.held_prompt.informativeText()
    QTest.keyClick(ed.held_prompt, Qt.Key.Key_Escape)


def test_a_screening_rationale_stays_with_its_referral(demo_ui, qtbot) -> None:
    from app.services import ui_queries

    h = demo_ui
    screen = h.win.show_screen("Referrals")
    h.idle()
    waiting = h.tasks.call_sync(lambda: ui_queries.awaiting_screening(h.session))
    screening = [w.summary.id for w in waiting if w.summary.status_label.lower().startswith("screening")]
    assert len(screening) >= 2
    a, b = screening[:2]
    screen.select_case(a)
    h.idle()
    assert screen.rationale.isEnabled()
    QTest.keyClicks(screen.rationale, "Meets the threshold: repeated threats.")
    screen.select_case(b)
    h.idle()
    assert screen._current is not None and screen._current.case.id == b
    assert screen.rationale.toPlainText() == ""  # never B's rationale, never recorded on B
    screen.select_case(a)
    h.idle()
    assert screen.rationale.toPlainText() == "Meets the threshold: repeated threats."
    assert any("Screening" in d.label for d in h.ctx.drafts.pending())


def test_a_refused_draft_keeps_the_window_open_and_says_why(demo_ui, qtbot) -> None:
    h = demo_ui
    _m, _item, ed = _open_minutes(h)
    ed.minute_item.setCurrentIndex(0)
    ed.decision.setFocus()
    QTest.keyClicks(ed.decision, "Adopt the case.")  # a decision without its rationale
    h.win.close()
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and h.win.close_prompt.isVisible(), timeout=5000)
    qtbot.mouseClick(h.win.close_save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.win.close_prompt is not None and "stays open" in h.win.close_prompt.text(),
                    timeout=10_000)
    assert "A decision needs its rationale." in h.win.close_prompt.informativeText()
    assert h.win.isVisible() and ed.decision.toPlainText() == "Adopt the case."
    h.win.close_prompt.close()


def test_drafts_never_reach_the_disk(demo_ui, qtbot, tmp_path) -> None:
    h = demo_ui
    marker = "Zyzzogeton-draft-marker"
    _type_minutes(h, marker)
    refs = h.win.show_screen("Referrals")
    refs.new_item()
    QTest.keyClicks(refs.form.narrative, marker)
    _unlock(h, qtbot, _lock(h, qtbot))
    assert len(h.ctx.drafts.pending()) == 2
    h.win.close_discarding_drafts()
    h.ctx.settings.sync()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes(), path
