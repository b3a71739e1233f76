"""Help › Keyboard shortcuts (F1): every shortcut of the window, whole, in a dialog that can be
read at any size (it used to be one status-bar line, cut off)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.plain import heading

# Keys that are not menu actions, said once here so the list is complete.
FIXED = (
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Next / previous tab of an open case"),
    ("Escape", "Back from a case to the case list"),
    ("Enter", "Open the selected row"),
    ("Tab / Shift+Tab", "Next / previous field"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ShortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = [*rows, *FIXED]
        v = QVBoxLayout(self)
        v.addWidget(heading("Keyboard shortcuts"))
        self.table = QTableWidget(len(self.rows), 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        for r, (keys, does) in enumerate(self.rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(does))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        v.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        v.addWidget(buttons)
        self.resize(560, 620)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def listing(self) -> str:
        """The rows as text, one per line ("Ctrl+K: Quick find…")."""
        return "\n".join(f"{keys}: {does}" for keys, does in self.rows)
