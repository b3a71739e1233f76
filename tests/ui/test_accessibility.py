"""Every focusable control on every screen (case tabs and meeting editor included) has a name a
screen reader can say: an accessible name, or a label whose buddy it is. Menus show shortcuts."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from app.ui.mainwindow import SCREENS

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit, QAbstractItemView)


def _inside_compound(w: QWidget) -> bool:
    """Parts Qt builds inside a compound control (the combo's line edit, a calendar's buttons,
    a tab bar's scroll arrows) are named by the compound control itself."""
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, (QComboBox, QAbstractSpinBox, QCalendarWidget, QTabBar)):
            return True
        p = p.parentWidget()
    return w.objectName().startswith("qt_")


def unnamed_controls(root: QWidget) -> list[str]:
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or _inside_compound(w) or w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if w.accessibleName().strip() or id(w) in buddies:
            continue
        text = w.text() if isinstance(w, QAbstractButton) else ""
        missing.append(f"{type(w).__name__} {w.objectName() or ''} {text!r} in {type(w.parentWidget()).__name__}")
    return missing


def test_every_control_on_every_screen_has_an_accessible_name(demo_ui) -> None:
    h, win = demo_ui, demo_ui.win
    for name in SCREENS:
        win.show_screen(name)
        h.idle()
    cases = win.show_screen("Cases")
    h.idle()
    win.open_case(cases.model.case_id(0))
    h.idle()
    cases.view.assessment.start_new_version()  # the editor's controls too
    meetings = win.show_screen("Meetings")
    h.idle()
    assert meetings.editor is not None
    missing = unnamed_controls(win)
    assert missing == [], "\n".join(missing)


def test_menus_show_their_shortcuts(demo_ui) -> None:
    win = demo_ui.win
    shown = {a.text().replace("&", ""): a.shortcut().toString() for a in win.actions() if not a.shortcut().isEmpty()}
    for text in ("New…", "Save", "Print…", "Lock", "Quick find…", "Filter this list", "Keyboard shortcuts"):
        assert shown.get(text), text
    assert shown["Lock"] == "Ctrl+L" and shown["Quick find…"] == "Ctrl+K"


def test_forms_tab_in_reading_order(demo_ui) -> None:
    win = demo_ui.win
    meetings = win.show_screen("Meetings")
    demo_ui.idle()
    order = [meetings.when, meetings.time, meetings.venue, meetings.chair, meetings.schedule_button]
    for a, b in itertools.pairwise(order):
        nxt = a.nextInFocusChain()
        while nxt is not None and nxt is not b and (nxt.focusPolicy() == Qt.FocusPolicy.NoFocus or _inside_compound(nxt)):
            nxt = nxt.nextInFocusChain()
        assert nxt is b, f"{a.accessibleName()} → {nxt.accessibleName() if nxt else None}"
