"""Edit › Undo, Redo, Cut, Copy, Paste, Select all: acting on whichever text field has the focus.

The keys are the fields' own: the actions show them but never intercept them (a table keeps its
own Ctrl+C), so the menu is a map of the keys as much as a way to use them.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
)

_ITEMS = (("&Undo", "undo", QKeySequence.StandardKey.Undo),
          ("&Redo", "redo", QKeySequence.StandardKey.Redo),
          None,
          ("Cu&t", "cut", QKeySequence.StandardKey.Cut),
          ("&Copy", "copy", QKeySequence.StandardKey.Copy),
          ("&Paste", "paste", QKeySequence.StandardKey.Paste),
          None,
          ("Select &all", "selectAll", QKeySequence.StandardKey.SelectAll))


def text_target() -> QLineEdit | QPlainTextEdit | QTextEdit | None:
    """The text field an edit command acts on: the focused one (an editable combo box's or a
    spin box's line edit included), or None."""
    w = QApplication.focusWidget()
    if isinstance(w, QComboBox) and w.isEditable():
        return w.lineEdit()
    if isinstance(w, QAbstractSpinBox):
        return w.findChild(QLineEdit)
    return w if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit) else None


class EditMenu(QObject):
    """Fills ``menu`` with the six edit actions; each is enabled, when the menu opens, only if it
    would do something to the focused field."""

    def __init__(self, menu: QMenu, parent: QObject) -> None:
        super().__init__(parent)
        self.menu = menu
        made = []
        for item in _ITEMS:
            if item is None:
                menu.addSeparator()
                continue
            text, method, key = item
            action = QAction(text, parent)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # shown, never intercepts
            action.triggered.connect(partial(self._edit, method))
            menu.addAction(action)
            made.append(action)
        self.undo, self.redo, self.cut, self.copy, self.paste, self.select_all = made
        menu.aboutToShow.connect(self._update)

    @staticmethod
    def _edit(method: str) -> None:
        target = text_target()
        if target is not None:
            getattr(target, method)()

    def _update(self) -> None:
        t = text_target()
        writable = t is not None and not t.isReadOnly()
        if isinstance(t, QLineEdit):
            has_sel, undo, redo = t.hasSelectedText(), t.isUndoAvailable(), t.isRedoAvailable()
        elif t is not None:
            doc = t.document()
            has_sel, undo, redo = t.textCursor().hasSelection(), doc.isUndoAvailable(), doc.isRedoAvailable()
        else:
            has_sel = undo = redo = False
        self.undo.setEnabled(writable and undo)
        self.redo.setEnabled(writable and redo)
        self.cut.setEnabled(writable and has_sel)
        self.copy.setEnabled(has_sel)
        self.paste.setEnabled(writable)
        self.select_all.setEnabled(t is not None)
