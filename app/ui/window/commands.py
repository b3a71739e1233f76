"""The menu plumbing and the commands that open a dialog over the window: Records › Retention
review and Check the store file, Help › Keyboard shortcuts and About."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QWidget

from app.ui.context import UiContext


class WindowCommands(QMainWindow):
    """A part of ``MainWindow`` (``app.ui.mainwindow``)."""

    ctx: UiContext
    edit_menu: QMenu
    shortcuts_dialog: QDialog | None

    def _act(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
             *, extra: tuple[str, ...] = ()) -> QAction:
        """An action in ``menu`` whose keys work anywhere in the application."""
        action = QAction(text, self)
        keys = []
        if shortcut is not None:
            keys.append(QKeySequence(shortcut))
        keys += [QKeySequence(k) for k in extra]
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _cmd_retention(self) -> None:
        from app.ui.dialogs.retention_dialog import show_retention_review

        show_retention_review(self, self.ctx)

    def _cmd_disclosures(self) -> None:
        """Records › Disclosures…: what was sent to whom, read from the audit chain (issue 16)."""
        from app.ui.dialogs.disclosures_dialog import show_disclosures

        self.disclosures_dialog = show_disclosures(self, self.ctx)

    def _cmd_check_store(self) -> None:
        """Records › Check the store file…: every page's HMAC and SQLite's structure, with
        progress; changes nothing (issue 12)."""
        from app.services import integrity
        from app.ui.progress import run_with_progress

        def done(result: integrity.CheckResult) -> None:
            if result.ok:
                from PySide6.QtWidgets import QMessageBox

                box = QMessageBox(QMessageBox.Icon.Information, "Store file", result.message, parent=self)
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.open()
                self.check_store_result: QWidget = box
            else:
                from app.models.errors import StoreCorrupt
                from app.ui.errors import show_error

                self.check_store_result = show_error(self, StoreCorrupt(result.message))

        self.check_store_progress = run_with_progress(
            self.ctx, self, "Checking every page of the store file…",
            lambda session, progress: integrity.check_store(session, progress=progress.step),
            on_done=done,
        )

    def _cmd_about(self) -> None:
        from app.ui.dialogs.about import AboutDialog

        self.about_dialog = AboutDialog(self.ctx, self)
        self.about_dialog.open()

    def _cmd_shortcuts(self) -> None:
        from app.ui.dialogs.shortcuts import ShortcutsDialog

        acts = [*self.actions(), *self.edit_menu.actions()]
        rows = [(", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()),
                 a.text().replace("&", "")) for a in acts if not a.shortcut().isEmpty()]
        dlg = ShortcutsDialog(rows, self)
        dlg.finished.connect(lambda _r: setattr(self, "shortcuts_dialog", None))
        self.shortcuts_dialog = dlg
        dlg.open()
