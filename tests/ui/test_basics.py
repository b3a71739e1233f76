"""Main window, models, hostile text, the error dialog, auto-lock."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.models.enums import Role
from app.models.referral_input import ReferralInput, SubjectInput
from app.services.cases import referrals
from app.ui.mainwindow import SCREENS
from tests.support.stores import PASSPHRASE, TODAY

HOSTILE = "<b>Robert'); DROP TABLE</b>"


def test_every_screen_opens_with_the_banner_visible(demo_ui) -> None:
    for name in SCREENS:
        demo_ui.win.show_screen(name)
        demo_ui.idle()
        assert demo_ui.win.banner_top.isVisible() and demo_ui.win.banner_bottom.isVisible()
        assert demo_ui.win.banner_top.text() == "OFFICIAL-SENSITIVE"


def test_case_model_passes_the_model_tester(demo_ui, qtmodeltester) -> None:
    screen = demo_ui.win.show_screen("Cases")
    demo_ui.idle()
    model = screen.model
    assert model.rowCount() == 40
    model.data(model.index(0, 1))  # asks for the first block
    demo_ui.idle()
    assert model.is_cached(0)
    qtmodeltester.check(model, force_py=True)
    demo_ui.idle()


def test_case_filters_and_sort_run_in_the_store(demo_ui) -> None:
    screen = demo_ui.win.show_screen("Cases")
    demo_ui.idle()
    all_ids = screen.model.ids()
    screen.overdue.setChecked(True)
    demo_ui.idle()
    overdue = screen.model.ids()
    assert 0 < len(overdue) < len(all_ids)
    screen.overdue.setChecked(False)
    screen.model.sort(1, Qt.SortOrder.DescendingOrder)
    demo_ui.idle()
    assert sorted(screen.model.ids()) == sorted(all_ids)
    assert screen.model.ids() != all_ids


def test_rows_models_pass_the_model_tester(demo_ui, qtmodeltester) -> None:
    actions = demo_ui.win.show_screen("Actions")
    demo_ui.idle()
    assert actions.model.rowCount() > 0
    qtmodeltester.check(actions.model, force_py=True)
    meetings = demo_ui.win.show_screen("Meetings")
    demo_ui.idle()
    qtmodeltester.check(meetings.model, force_py=True)
    dash = demo_ui.win.show_screen("Dashboard")
    demo_ui.idle()
    qtmodeltester.check(dash.screen_model, force_py=True)
    qtmodeltester.check(dash.review_model, force_py=True)


def test_hostile_name_shows_literally_everywhere(demo_ui, qtbot) -> None:
    cid = demo_ui.tasks.call_sync(lambda: referrals.open_referral(
        demo_ui.session,
        subject=SubjectInput(forenames=HOSTILE, surname="Smith"),
        referral=ReferralInput(received=TODAY, referrer="<i>teacher</i>", sector="education",
                                     concern="no-clear-ideology", narrative="<script>alert(1)</script>"),
    ))
    demo_ui.win.open_case(cid)
    demo_ui.idle()
    view = demo_ui.win.screens["Cases"].view
    assert view.name.text() == f"{HOSTILE} Smith"
    assert view.name.textFormat() == Qt.TextFormat.PlainText
    assert view.summary.narrative.text() == "<script>alert(1)</script>"
    assert view.summary.narrative.textFormat() == Qt.TextFormat.PlainText
    # and in the case list model, as a plain DisplayRole string
    screen = demo_ui.win.screens["Cases"]
    screen.show_list()
    screen.search.setText("DROP TABLE")
    demo_ui.idle()
    assert screen.model.rowCount() == 1
    screen.model.data(screen.model.index(0, 1))
    demo_ui.idle()
    assert screen.model.data(screen.model.index(0, 1)) == f"{HOSTILE} Smith"
    # quick find
    demo_ui.win.quick_find()
    dlg = demo_ui.win.quick_find_dialog
    qtbot.keyClicks(dlg.query, "Robert")
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 1)
    assert dlg.model.data(dlg.model.index(0, 1)) == f"{HOSTILE} Smith"
    dlg.close()


def test_error_dialog_shows_no_case_data(qtbot) -> None:
    from app.models.errors import WrongPassphrase
    from app.ui.errors import UNEXPECTED, ErrorDialog

    try:
        raise ValueError("Ngọc Ánh Lefèvre at 89 Church Street")
    except ValueError as exc:
        dlg = ErrorDialog(None, exc)
    qtbot.addWidget(dlg)
    assert dlg.message == UNEXPECTED
    assert "Lef" not in dlg.details.toPlainText() and "Church" not in dlg.details.toPlainText()
    assert "ValueError" in dlg.details.toPlainText()
    assert not dlg.details.isVisible()
    dlg2 = ErrorDialog(None, WrongPassphrase())
    qtbot.addWidget(dlg2)
    assert dlg2.message == "The passphrase is not right for this store."


def test_auto_lock_closes_the_store_and_keeps_drafts(empty_ui, qtbot) -> None:
    win = empty_ui.win
    refs = win.show_screen("Referrals")
    refs.new_item()
    qtbot.keyClicks(refs.form.surname, "Draft-not-lost")
    store = empty_ui.session.store
    win.set_auto_lock_ms(30)
    qtbot.waitUntil(lambda: win.is_locked, timeout=60_000)
    assert empty_ui.ctx.is_locked
    qtbot.waitUntil(lambda: not store.is_open, timeout=60_000)
    dlg = win.unlock_dialog
    assert dlg is not None and dlg.isVisible()
    # a wrong passphrase says so and lets the user try again
    qtbot.keyClicks(dlg.secret, "not the passphrase")
    qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not right" in dlg.error.text(), timeout=10_000)
    assert win.is_locked
    qtbot.keyClicks(dlg.secret, PASSPHRASE)
    qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.unlock_dialog is None or "Try again" in dlg.error.text(), timeout=10_000)
    assert win.unlock_dialog is None, dlg.error.text()
    qtbot.waitUntil(lambda: not win.is_locked, timeout=10_000)
    empty_ui.idle()
    assert refs.form.surname.text() == "Draft-not-lost"
    new_session = empty_ui.ctx._session
    assert new_session is not None and new_session.store.is_open
    empty_ui.session = new_session
    assert new_session.me.role is Role.COORDINATOR


def test_settings_hold_no_case_data(demo_ui, tmp_path) -> None:
    demo_ui.win.show_screen("Cases")
    demo_ui.idle()
    cid = demo_ui.win.screens["Cases"].model.case_id(0)
    demo_ui.win.open_case(cid)
    demo_ui.idle()
    demo_ui.win.close()
    text = (tmp_path / "settings.ini").read_text(errors="replace")
    assert "RT-" not in text and cid not in text
    assert "geometry" in text
