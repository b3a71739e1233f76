"""Smaller things users notice (issue 10): Print plan checks first and suggests a good name,
Ctrl+Tab switches case tabs, F1 is a dialog, the Edit menu, a restricted note's warning."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QPlainTextEdit

from app.services import cases


def _case(h, *, with_plan: bool):  # type: ignore[no-untyped-def]
    for cid in h.tasks.call_sync(lambda: cases.list_case_ids(h.session)):
        cf = h.tasks.call_sync(lambda cid=cid: cases.get_case_file(h.session, cid, audit_view=False))
        if (cf.current_plan is not None) == with_plan:
            return cf
    raise AssertionError("no such case in the demo")


def _open(h, case_id: str):  # type: ignore[no-untyped-def]
    h.win.open_case(case_id)
    h.idle()
    return h.win.cases.view


def test_print_plan_without_a_plan_says_so_before_any_file_dialog(demo_ui, qtbot, monkeypatch) -> None:
    h = demo_ui
    cf = _case(h, with_plan=False)
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(a) or ("", ""))
    view = _open(h, cf.case.id)
    h.win.act_print.trigger()  # Ctrl+P
    qtbot.waitUntil(lambda: view.print_note is not None and view.print_note.isVisible(), timeout=5000)
    assert asked == []
    assert cf.case.ref in view.print_note.text() and "no risk-management plan" in view.print_note.text()
    view.print_note.close()


def test_print_plan_suggests_the_documents_folder_and_the_case_ref(demo_ui, qtbot, monkeypatch) -> None:
    h = demo_ui
    cf = _case(h, with_plan=True)
    asked: list[tuple[object, ...]] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(a) or ("", ""))
    view = _open(h, cf.case.id)
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    suggested = Path(str(asked[0][2]))
    docs = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
    home = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation))
    # Documents when there is one, else home: never the folder the program was started from
    assert suggested.parent == (docs if docs.is_dir() else home)
    assert suggested.parent.is_absolute() and suggested.parent.is_dir() and suggested.parent != Path.cwd()
    assert cf.case.ref in suggested.name and suggested.suffix == ".pdf"


def test_ctrl_tab_switches_case_tabs(demo_ui, qtbot) -> None:
    h = demo_ui
    cf = _case(h, with_plan=True)
    view = _open(h, cf.case.id)
    view.tabs.setCurrentIndex(5)  # Information: typing a note
    h.win.activateWindow()
    view.information.text.setFocus()
    QTest.keyClick(view.information.text, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 6
    view.tabs.setCurrentIndex(5)
    view.information.text.setFocus()
    QTest.keyClick(view.information.text, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert view.tabs.currentIndex() == 4
    view.tabs.setCurrentIndex(view.tabs.count() - 1)  # round from the last to the first
    view.tabs.currentWidget().setFocus()
    QTest.keyClick(view.tabs.currentWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 0
    # from the case header (Print plan, Subject access…), outside the tab pages
    view.print_button.setFocus()
    QTest.keyClick(view.print_button, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 1


def test_f1_lists_every_shortcut_in_a_dialog(demo_ui, qtbot) -> None:
    h = demo_ui
    h.win.activateWindow()
    QTest.keyClick(h.win.focusWidget() or h.win, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: h.win.shortcuts_dialog is not None and h.win.shortcuts_dialog.isVisible(), timeout=5000)
    text = h.win.shortcuts_dialog.listing()
    for keys in ("Ctrl+K", "Ctrl+L", "Ctrl+Q", "Ctrl+Tab", "F1", "Ctrl+Z", "Ctrl+1"):
        assert keys in text, keys
    assert h.win.statusBar().currentMessage() == ""
    h.win.shortcuts_dialog.close()


def test_edit_menu_acts_on_the_focused_text_widget(demo_ui, qtbot) -> None:
    h = demo_ui
    refs = h.win.show_screen("Referrals")
    refs.new_item()
    field: QLineEdit = refs.form.surname
    field.setFocus()
    QTest.keyClicks(field, "Okafor")
    assert [a.text().replace("&", "") for a in h.win.edit_menu.actions() if not a.isSeparator()] == [
        "Undo", "Redo", "Cut", "Copy", "Paste", "Select all"]
    h.win.act_select_all.trigger()
    assert field.selectedText() == "Okafor"
    h.win.act_copy.trigger()
    assert QApplication.clipboard().text() == "Okafor"
    h.win.act_cut.trigger()
    assert field.text() == ""
    h.win.act_undo.trigger()
    assert field.text() == "Okafor"
    h.win.act_redo.trigger()
    assert field.text() == ""
    h.win.act_paste.trigger()
    assert field.text() == "Okafor"
    note: QPlainTextEdit = refs.form.narrative
    note.setFocus()
    h.win.act_paste.trigger()
    assert note.toPlainText() == "Okafor"


def test_a_restricted_note_naming_an_agency_not_shared_warns_before_saving(demo_ui, qtbot) -> None:
    h = demo_ui
    snap = h.ctx.snap
    for cid in h.tasks.call_sync(lambda: cases.list_case_ids(h.session)):
        cf = h.tasks.call_sync(lambda cid=cid: cases.get_case_file(h.session, cid, audit_view=False))
        shared = set(cf.case.shared_with)
        outside = [a for a in snap.agencies if a.id not in shared and a.id != snap.workstation.agency.id]
        if shared and outside:
            break
    else:
        raise AssertionError("no case shared with only some agencies")
    view = _open(h, cf.case.id)
    view.tabs.setCurrentIndex(5)
    info = view.information
    before = len(cf.contributions)
    QTest.keyClicks(info.text, f"{outside[0].name} said the family moved.")
    info.restrict.setCurrentIndex(info.restrict.findData(outside[0].id))
    qtbot.mouseClick(info.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: info.restrict_prompt is not None and info.restrict_prompt.isVisible(), timeout=5000)
    assert outside[0].name in info.restrict_prompt.text() or outside[0].short in info.restrict_prompt.text()
    QTest.keyClick(info.restrict_prompt, Qt.Key.Key_Escape)
    h.idle()
    after = h.tasks.call_sync(lambda: cases.get_case_file(h.session, cf.case.id, audit_view=False))
    assert len(after.contributions) == before
    assert info.text.toPlainText().endswith("moved.")
