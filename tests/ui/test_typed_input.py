"""Every field takes what people type (issue 10): scenario tests that drive the real widgets with
the keyboard and the mouse wheel, as a coordinator does on the day of a meeting."""

from __future__ import annotations

import datetime as dt

import pytest
import shiboken6
from PySide6.QtCore import QDate, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QVBoxLayout, QWidget

from app.models.enums import ConsentState
from app.services import cases
from app.ui.widgets.common import date_edit
from tests.support.stores import today


def click(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    assert widget.isEnabled(), widget.accessibleName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _open_case_tab(h, index: int):  # type: ignore[no-untyped-def]
    summary = next(c for c in h.tasks.call_sync(lambda: cases.list_cases(h.session)) if c.status != "closed")
    h.win.open_case(summary.id)
    h.idle()
    view = h.win.screens["Cases"].view
    view.tabs.setCurrentIndex(index)
    h.idle()
    return summary, view


def _actions_of(h, case_id: str) -> list:  # type: ignore[no-untyped-def]
    return h.tasks.call_sync(lambda: cases.get_case_file(h.session, case_id, audit_view=False).actions)


def _form_with(qtbot, widget):  # type: ignore[no-untyped-def]
    """``widget`` in an active window with a field after it."""
    form = QWidget()
    v = QVBoxLayout(form)
    v.addWidget(widget)
    after = QLineEdit()
    after.setAccessibleName("Next field")
    v.addWidget(after)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitExposed(form)
    return form, widget


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("15122026", dt.date(2026, 12, 15)),
    ("15/12/2026", dt.date(2026, 12, 15)),
    ("15/12/26", dt.date(2026, 12, 15)),
    ("151227", dt.date(2027, 12, 15)),
    ("1-2-2027", dt.date(2027, 2, 1)),
    ("15 12 2026", dt.date(2026, 12, 15)),
])
def test_a_date_field_takes_uk_dates_typed_with_or_without_separators(qtbot, typed: str, expected: dt.date) -> None:
    _form, edit = _form_with(qtbot, date_edit("Due date", dt.date(2026, 1, 1), today_fn=today))
    click(qtbot, edit)
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    qtbot.keyClicks(edit, typed)
    assert edit.hasFocus(), "typing '/' or digits moved focus away from the date"
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.day() == expected and edit.date() == QDate(expected.year, expected.month, expected.day)
    assert edit.text() == expected.strftime("%d/%m/%Y")


def test_a_date_that_is_not_one_is_marked_and_reads_as_no_date(qtbot) -> None:
    edit = date_edit("Due date", dt.date(2026, 1, 1), today_fn=today)
    qtbot.addWidget(edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "31/02/2026")
    assert edit.day() is None and edit.property("invalid") is True and not edit.is_valid()
    edit.clear()
    assert edit.day() is None and edit.is_valid() and edit.property("invalid") is False


def test_the_calendar_popup_picks_a_date_and_the_arrows_move_a_day(qtbot) -> None:
    edit = date_edit("Meeting date", today_fn=today)
    qtbot.addWidget(edit)
    edit.show()
    assert edit.day() is None and edit.text() == ""  # empty until chosen
    qtbot.keyClick(edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    cal = edit.calendarWidget()
    assert cal.isVisible()
    cal.setSelectedDate(QDate(2026, 12, 24))
    qtbot.keyClick(cal.focusWidget() or cal, Qt.Key.Key_Return)
    assert not cal.isVisible() and edit.day() == dt.date(2026, 12, 24)
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.day() == dt.date(2026, 12, 25)


def test_an_action_typed_due_date_is_saved_and_none_is_never_invented(demo_ui, qtbot) -> None:
    h = demo_ui
    summary, view = _open_case_tab(h, 4)
    tab = view.actions_tab
    before = len(_actions_of(h, summary.id))
    assert tab.due.day() is None and tab.due.text() == ""  # no due date until one is given
    qtbot.keyClicks(tab.title, "Check school attendance")
    click(qtbot, tab.raise_button)
    h.idle()
    assert "due date" in tab.error.text().lower()
    assert len(_actions_of(h, summary.id)) == before  # nothing saved
    click(qtbot, tab.due)
    qtbot.keyClicks(tab.due, "15/12/2026")
    assert tab.due.hasFocus()
    click(qtbot, tab.raise_button)
    h.idle()
    after = _actions_of(h, summary.id)
    assert len(after) == before + 1, tab.error.text()
    new = next(a for a in after if a.title == "Check school attendance")
    assert new.due == dt.date(2026, 12, 15)


def test_the_meeting_editor_raises_an_action_only_with_a_due_date_typed(demo_ui, qtbot) -> None:
    h = demo_ui
    screen = h.win.show_screen("Meetings")
    h.idle()
    scheduled = [m for m in screen._meetings if m.status == "scheduled" and any(i.case_id for i in m.agenda)]
    assert scheduled
    ed = screen.open_editor(scheduled[0].id)
    h.idle()
    ed.tabs.setCurrentIndex(2)
    item = next(i for i in ed.view.meeting.agenda if i.case_id)
    ed.minute_item.setCurrentIndex(ed.minute_item.findData(item.id))
    h.idle()
    before = len(_actions_of(h, item.case_id))
    qtbot.keyClicks(ed.action_title, "Share the school report")
    click(qtbot, ed.raise_button)
    h.idle()
    assert "due date" in ed.error.text().lower() and len(_actions_of(h, item.case_id)) == before
    click(qtbot, ed.action_due)
    qtbot.keyClicks(ed.action_due, "20 12 2026")
    click(qtbot, ed.raise_button)
    h.idle()
    dues = {a.title: a.due for a in _actions_of(h, item.case_id)}
    assert dues.get("Share the school report") == dt.date(2026, 12, 20), ed.error.text()


def test_a_meeting_is_scheduled_on_the_date_typed(demo_ui, qtbot) -> None:
    h = demo_ui
    screen = h.win.show_screen("Meetings")
    h.idle()
    click(qtbot, screen.when)
    screen.when.selectAll()
    qtbot.keyClicks(screen.when, "08012027")
    qtbot.keyClicks(screen.venue, "Civic Centre")
    click(qtbot, screen.schedule_button)
    h.idle()
    from app.services import meetings

    days = [m.held_on for m in h.tasks.call_sync(lambda: meetings.list_meetings(h.session))]
    assert dt.date(2027, 1, 8) in days, screen.error.text()


def test_the_report_period_takes_typed_dates(demo_ui, qtbot) -> None:
    h = demo_ui
    screen = h.win.show_screen("Reports")
    h.idle()
    screen.start_edit.selectAll()
    qtbot.keyClicks(screen.start_edit, "010426")
    screen.end_edit.selectAll()
    qtbot.keyClicks(screen.end_edit, "30/06/2026")
    assert screen.period() == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    screen.end_edit.selectAll()
    qtbot.keyClicks(screen.end_edit, "30/06")
    assert not screen.refresh_button.isEnabled() and "not a date" in screen.error.text()


# --- the mouse wheel and drop-downs ------------------------------------------------------------------


def _wheel(widget, steps: int = -1) -> None:  # type: ignore[no-untyped-def]
    """A mouse-wheel notch over the middle of ``widget`` (negative: towards the user)."""
    at = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(at, QPointF(widget.mapToGlobal(at.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _assessment_editor(h, qtbot):  # type: ignore[no-untyped-def]
    view = h.win.screens["Cases"].view
    for summary in h.tasks.call_sync(lambda: cases.list_cases(h.session)):
        h.win.open_case(summary.id)
        h.idle()
        view.tabs.setCurrentIndex(1)
        if view.assessment.new_button.isEnabled():
            click(qtbot, view.assessment.new_button)
            h.idle()
            return view, view.assessment.editor_page
    raise AssertionError("no case takes a new assessment")


def test_the_wheel_scrolls_a_long_assessment_form_and_never_changes_an_answer(demo_ui, qtbot) -> None:
    h = demo_ui
    _view, editor = _assessment_editor(h, qtbot)
    rating = next(iter(editor.rows.values()))[0]
    source = next(iter(editor.rows.values()))[2]
    editor.overall.setFocus()
    from PySide6.QtWidgets import QScrollArea

    area = editor.findChild(QScrollArea)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0, "the form is long enough to scroll"
    bar.setValue(0)
    answers = (rating.currentIndex(), source.currentIndex(), editor.level.currentIndex())
    for combo in (rating, source, editor.level):
        before = bar.value()
        _wheel(combo)
        _wheel(combo)
        assert bar.value() > before or bar.value() == bar.maximum(), f"the page did not scroll over {combo.accessibleName()}"
        bar.setValue(0)
    assert (rating.currentIndex(), source.currentIndex(), editor.level.currentIndex()) == answers
    assert rating.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel does not take focus either
    # a control the user has chosen (focused) still takes the wheel
    rating.setFocus()
    qtbot.waitUntil(rating.hasFocus)
    rating.setCurrentIndex(1)  # away from the ends, so one wheel step has somewhere to go
    start = rating.currentIndex()
    _wheel(rating)
    assert rating.currentIndex() != start


def test_a_new_assessment_risk_level_starts_unset_and_must_be_chosen(demo_ui, qtbot) -> None:
    h = demo_ui
    view, editor = _assessment_editor(h, qtbot)
    versions = len(view.case_file.assessments)
    assert editor.level.currentData() is None and editor.level.currentText().startswith("Choose a level")
    click(qtbot, editor.save_button)
    h.idle()
    assert "Choose the risk level" in editor.error.text()
    assert len(view.case_file.assessments) == versions  # nothing saved
    editor.level.setCurrentIndex(editor.level.findData("medium"))
    for rating, _evidence, _source in editor.rows.values():  # a checklist needs every answer
        if rating.currentData() is None:
            rating.setCurrentIndex(1)
    qtbot.keyClicks(editor.overall, "Engaged with the mentor; intent unclear.")
    click(qtbot, editor.save_button)
    h.idle()
    assert len(view.case_file.assessments) == versions + 1, editor.error.text()


def _popup_shows_everything(qtbot, combo) -> None:  # type: ignore[no-untyped-def]
    for current in (0, combo.count() - 1):  # the old popup opened at the chosen entry
        combo.setCurrentIndex(current)
        combo.showPopup()
        view = combo.view()
        qtbot.waitUntil(view.isVisible)
        first = view.visualRect(combo.model().index(0, 0))
        last = view.visualRect(combo.model().index(combo.count() - 1, 0))
        name = combo.accessibleName()
        assert first.top() >= 0 and last.bottom() < view.viewport().height(), f"{name}: an entry is cut off"
        assert not view.verticalScrollBar().isVisible(), f"{name}: the popup scrolls"
        arrows = [w for w in view.parentWidget().findChildren(QWidget) if shiboken6.isValid(w)
                  and w.metaObject().className() == "QComboBoxPrivateScroller" and w.isVisible()]
        assert not arrows, f"{name}: the popup shows scroll arrows"
        combo.hidePopup()


@pytest.mark.slow
def test_every_drop_down_shows_all_its_options_without_scrolling(demo_ui, qtbot) -> None:
    from app.ui.app import stylesheet

    app = QApplication.instance()
    app.setStyleSheet(stylesheet())
    try:
        h = demo_ui
        # a drop-down near the bottom of the screen, as on a long form
        form, combo = _form_with(qtbot, QComboBox())
        combo.setAccessibleName("Rating")
        combo.addItems([r.label for r in h.session.programme.framework.ratings])
        screen = app.primaryScreen().availableGeometry()
        form.move(0, screen.bottom() - form.height())
        _popup_shows_everything(qtbot, combo)
        _view, editor = _assessment_editor(h, qtbot)
        rating = next(iter(editor.rows.values()))[0]
        for combo in (rating, editor.level, next(iter(editor.rows.values()))[2]):
            _popup_shows_everything(qtbot, combo)
            assert combo.maxVisibleItems() >= combo.count()
    finally:
        app.setStyleSheet("")


# --- quick find ----------------------------------------------------------------------------------------


def test_quick_find_arrows_move_the_selection_and_enter_opens_the_selected_case(demo_ui, qtbot) -> None:
    h = demo_ui
    h.win.quick_find()
    dlg = h.win.quick_find_dialog
    all_cases = h.tasks.call_sync(lambda: cases.list_cases(h.session))
    year = all_cases[0].ref[:7]  # "RT-2026": several cases match
    qtbot.keyClicks(dlg.query, year)
    qtbot.waitUntil(lambda: dlg.model.rowCount() >= 3)
    h.idle()
    assert dlg.query.hasFocus() or QApplication.focusWidget() is dlg.query
    qtbot.keyClick(dlg.query, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.query, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.query, Qt.Key.Key_Up)
    from app.ui.itemmodels.rows import IdRole

    chosen = dlg.table.currentIndex()
    assert chosen.row() == 1
    wanted = chosen.data(IdRole)
    first = dlg.table.model().index(0, 0).data(IdRole)
    assert wanted != first
    opened: list[str] = []
    dlg.case_chosen.connect(opened.append)
    qtbot.keyClick(dlg.query, Qt.Key.Key_Return)
    assert opened == [wanted]
    h.idle()
    assert h.win.screens["Cases"].view.case_id == wanted


# --- a person already known ------------------------------------------------------------------------


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``text``; QTest types ASCII only, so other letters are inserted as an input method would."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def _fill_referral(qtbot, form, known) -> None:  # type: ignore[no-untyped-def]
    _type(qtbot, form.forenames, known.forenames)
    _type(qtbot, form.surname, known.surname)
    qtbot.keyClicks(form.dob, known.date_of_birth.strftime("%d%m%Y"))  # no separators
    qtbot.keyClicks(form.referrer, "Mrs Jones, designated safeguarding lead")
    qtbot.keyClicks(form.narrative, "Shared violent material in a class chat.")


def test_a_referral_for_a_known_person_says_so_and_asks_link_or_new(demo_ui, qtbot) -> None:
    h = demo_ui
    summary = next(c for c in h.tasks.call_sync(lambda: cases.list_cases(h.session)) if c.date_of_birth)
    known = h.tasks.call_sync(lambda: cases.get_case_file(h.session, summary.id, audit_view=False)).subject
    before = len(h.tasks.call_sync(lambda: cases.list_cases(h.session)))
    screen = h.win.show_screen("Referrals")
    form = screen.form
    screen.tabs.setCurrentWidget(form)
    _fill_referral(qtbot, form, known)
    qtbot.waitUntil(lambda: form.match_warning.isVisible(), timeout=60_000)
    assert summary.ref in form.match_warning.text() and known.surname in form.match_warning.text()
    assert form.match_warning.objectName() == "Warning"  # said plainly, not as a grey note
    # submitting asks; Cancel saves nothing
    click(qtbot, form.save_button)
    h.idle()
    prompt = form.duplicate_prompt
    assert prompt is not None and prompt.isVisible()
    assert f"Link this referral to {summary.ref}, or create a new person?" in prompt.informativeText() \
        or "or create a new person?" in prompt.informativeText()
    assert any(b.text() == f"Link to {summary.ref}" for b in prompt.link_buttons)
    click(qtbot, prompt.cancel_button)
    h.idle()
    assert len(h.tasks.call_sync(lambda: cases.list_cases(h.session))) == before
    # submitting again and linking opens a case for the same person (no second person)
    click(qtbot, form.save_button)
    h.idle()
    prompt = form.duplicate_prompt
    link = next(b for b in prompt.link_buttons if prompt.link_buttons[b] == known.id)
    click(qtbot, link)
    h.idle()
    after = h.tasks.call_sync(lambda: cases.list_cases(h.session))
    assert len(after) == before + 1
    new = max((c for c in after if c.subject_name == summary.subject_name), key=lambda c: c.ref)
    assert new.id != summary.id and new.opened == today()
    assert h.tasks.call_sync(lambda: cases.get_case_file(h.session, new.id, audit_view=False)).subject.id == known.id


def test_creating_a_new_person_is_an_explicit_choice(demo_ui, qtbot) -> None:
    h = demo_ui
    summary = next(c for c in h.tasks.call_sync(lambda: cases.list_cases(h.session)) if c.date_of_birth)
    known = h.tasks.call_sync(lambda: cases.get_case_file(h.session, summary.id, audit_view=False)).subject
    screen = h.win.show_screen("Referrals")
    form = screen.form
    screen.tabs.setCurrentWidget(form)
    _fill_referral(qtbot, form, known)
    click(qtbot, form.save_button)  # at once, before the live check has run
    h.idle()
    prompt = form.duplicate_prompt
    assert prompt is not None and prompt.isVisible()
    click(qtbot, prompt.new_button)
    h.idle()
    subjects = {h.tasks.call_sync(lambda c=c: cases.get_case_file(h.session, c.id, audit_view=False)).subject.id
                for c in h.tasks.call_sync(lambda: cases.list_cases(h.session))
                if c.subject_name == summary.subject_name}
    assert len(subjects) == 2  # the user chose a new person


def test_a_consent_re_assessment_date_is_typed_or_left_to_the_programme(demo_ui, qtbot) -> None:
    h = demo_ui
    summary, view = _open_case_tab(h, 0)
    box = view.summary.consent
    box.state.setCurrentIndex(box.state.findData(ConsentState.GIVEN))
    assert not box.reassess.isEnabled()  # given consent is not re-assessed
    box.state.setCurrentIndex(box.state.findData(ConsentState.WITHDRAWN))
    assert box.reassess.isEnabled() and box.reassess.day() is None
    click(qtbot, box.reassess)
    qtbot.keyClicks(box.reassess, "15012027")
    click(qtbot, box.record_button)
    h.idle()
    consents = h.tasks.call_sync(lambda: cases.get_case_file(h.session, summary.id, audit_view=False).consents)
    assert consents[-1].state is ConsentState.WITHDRAWN and consents[-1].reassess_on == dt.date(2027, 1, 15), \
        box.error.text()
    box.state.setCurrentIndex(box.state.findData(ConsentState.REFUSED))
    click(qtbot, box.record_button)  # left blank: the programme's interval
    h.idle()
    consents = h.tasks.call_sync(lambda: cases.get_case_file(h.session, summary.id, audit_view=False).consents)
    days = h.session.programme.intervals.consent_reassess_days
    assert consents[-1].reassess_on == today() + dt.timedelta(days=days)


def test_the_wheel_over_an_unfocused_spin_box_scrolls_its_page(qtbot) -> None:
    from PySide6.QtWidgets import QLabel, QScrollArea, QSpinBox

    from app.ui.widgets.inputs import install_input_rules

    install_input_rules()
    area = QScrollArea()
    inner = QWidget()
    v = QVBoxLayout(inner)
    first = QLineEdit()
    first.setAccessibleName("First field")
    v.addWidget(first)
    for i in range(30):
        v.addWidget(QLabel(f"Question {i}"))
    spin = QSpinBox()
    spin.setAccessibleName("Auto-lock minutes")
    spin.setValue(10)
    v.addWidget(spin)
    area.setWidget(inner)
    area.resize(300, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    first.setFocus()
    bar = area.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    before = bar.value()
    _wheel(spin, -1)
    assert spin.value() == 10 and bar.value() > before
