"""Keyboard order on the busiest forms, the focus ring in the stylesheet, and the Actions screen's
lazy id-backed model (the store filters and sorts; rows arrive for what is shown)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.models import rules
from app.models.enums import Role
from app.services import actions, panel
from tests.support.stores import today


def _tab_walk(qtbot, first: QWidget, count: int) -> list[QWidget]:  # type: ignore[no-untyped-def]
    """Focus ``first`` and press Tab ``count - 1`` times: the widgets that held focus, in order."""
    first.window().activateWindow()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=60_000)
    seen = [first]
    for _ in range(count - 1):
        current = QApplication.focusWidget()
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda c=current: QApplication.focusWidget() is not c, timeout=60_000)
        seen.append(QApplication.focusWidget())
    return seen


def test_new_referral_form_tabs_in_reading_order(demo_ui, qtbot) -> None:
    screen = demo_ui.win.show_screen("Referrals")
    form = screen.form
    screen.tabs.setCurrentWidget(form)
    order = form.focus_order()
    walked = _tab_walk(qtbot, order[0], len(order))
    assert [w.accessibleName() for w in walked] == [w.accessibleName() for w in order]
    assert walked == list(order)


def test_meeting_editor_minutes_and_agenda_tab_in_order(demo_ui, qtbot) -> None:
    screen = demo_ui.win.show_screen("Meetings")
    demo_ui.idle()
    mid = screen.model.record(0).id
    editor = screen.open_editor(mid)
    demo_ui.idle()
    editor.tabs.setCurrentIndex(2)  # Minutes
    minutes = [editor.minute_item, editor.discussion, editor.decision, editor.rationale, editor.dissent,
               editor.method, editor.save_minutes_button, editor.action_title, editor.action_agency,
               editor.action_due, editor.raise_button]
    minutes = [w for w in minutes if w.isEnabled()]
    assert len(minutes) >= 8
    assert _tab_walk(qtbot, minutes[0], len(minutes)) == minutes
    editor.tabs.setCurrentIndex(1)  # Agenda
    agenda = [w for w in (editor.agenda, editor.up, editor.down, editor.remove, editor.aob, editor.add_aob,
                          editor.proposals, editor.add_proposed) if w.isEnabled()]
    assert _tab_walk(qtbot, agenda[0], len(agenda)) == agenda


def test_stylesheet_draws_a_focus_ring_on_every_kind_of_control() -> None:
    from app.ui.app import stylesheet

    sheet = stylesheet()
    for selector in ("QLineEdit:focus", "QComboBox:focus", "QPushButton:focus", "QPushButton#Flat:focus",
                     "QCheckBox:focus", "QTableView:focus", "QTabBar::tab:selected:focus", "#Nav::item:selected:focus"):
        assert selector in sheet, selector


def test_actions_screen_lists_ids_from_the_store_and_fetches_rows_lazily(demo_ui, qtmodeltester) -> None:
    h = demo_ui
    screen = h.win.show_screen("Actions")
    h.idle()
    every = h.tasks.call_sync(lambda: actions.list_actions(h.session))
    open_ = [a for a in every if not a.status.is_closed]
    model = screen.model
    assert model.rowCount() == len(open_) and model.total == len(every)
    assert f"{len(open_)} of {len(every)} actions" == screen.count.text()
    # due order from the store
    assert model.ids() == [a.id for a in sorted(open_, key=lambda a: (a.due, a.id))]
    # nothing but what was painted or asked for is cached; asking for a far row fetches its block
    far = model.rowCount() - 1
    assert model.data(model.index(far, 1)) in (None, "") or model.is_cached(far)
    h.idle()
    assert model.is_cached(far)
    assert model.data(model.index(far, 1)) == next(a.title for a in open_ if a.id == model.ids()[far])
    # overdue and sort run in the store
    screen.overdue.setChecked(True)
    h.idle()
    overdue = {a.id for a in every if rules.is_overdue(a, today())}
    assert set(model.ids()) == overdue
    screen.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    h.idle()
    titles = {a.id: a.title for a in every}
    got = [titles[i] for i in model.ids()]
    assert got == sorted(got, reverse=True)
    qtmodeltester.check(model, force_py=True)


def test_an_officer_ticks_only_their_own_agencys_actions(demo_ui) -> None:
    h = demo_ui
    members = h.tasks.call_sync(lambda: panel.list_members(h.session))
    officer = next(m for m in members if m.role is Role.OFFICER)
    win = h.window_as(officer.id, is_hub=False)
    screen = win.show_screen("Actions")
    h.idle()
    screen.open_only.setChecked(False)
    h.idle()
    screen.tick_all.click()
    h.idle()
    ticked = set(screen.model.checked_ids())
    mine = {a.id for a in h.tasks.call_sync(lambda: actions.list_actions(h.session, agency=officer.agency_id))}
    assert ticked and ticked <= mine
