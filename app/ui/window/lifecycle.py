"""The session's lifecycle in the main window: lock (Ctrl+L or inactivity) and unlock, and
closing with unsaved drafts (``app.ui.drafts``).

Invariants:
- Locking detaches the session first (so no new store work can start), closes the store on the
  store worker (dropping the key), replaces the work area with a locked page and hides open
  dialogs; widgets are not destroyed, so nothing typed is lost.
- Closing with drafts pending asks first: save them (not while locked), discard them, or cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.context import Session
from app.ui.context import Snapshot, UiContext, load_snapshot
from app.ui.dialogs.unlock import UnlockDialog
from app.ui.drafts import Draft, save_drafts
from app.ui.security import InactivityTimer
from app.ui.widgets.controls import add_cancel, question
from app.ui.widgets.plain import heading, muted


class LockedPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("LockedPage")
        v = QVBoxLayout(self)
        v.addStretch(1)
        title = heading("Roundtable is locked")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(title)
        note = muted("The store is closed and its key has been dropped. Unlock to carry on where you were.")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(note)
        v.addStretch(2)


class WindowLifecycle(QMainWindow):
    """A part of ``MainWindow`` (``app.ui.mainwindow``), which builds ``lock_stack`` (the work
    area, then ``locked_page``) and lists in ``_lockable`` the actions a lock disables."""

    lock_changed = Signal(bool)

    ctx: UiContext
    inactivity: InactivityTimer
    lock_stack: QStackedWidget
    locked_page: LockedPage
    _lockable: list[QAction]

    def _init_lifecycle(self) -> None:
        self._hidden_dialogs: list[QDialog] = []
        self.unlock_dialog: QDialog | None = None
        self._close_confirmed = False
        self._locked_by_timer = False
        self.close_prompt: QMessageBox | None = None
        self.close_save_button: QPushButton | None = None
        self.close_discard_button: QPushButton | None = None

    def _apply_snapshot(self) -> None:
        raise NotImplementedError  # the window's: show who is signed in, and the panel's settings

    def _resume_watched_folder(self) -> None:
        raise NotImplementedError  # the window's: watch the exchange folder again

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_confirmed:
            drafts = self.ctx.drafts.pending()
            if drafts:  # Ctrl+Q, File › Quit, the close button, Quit on the lock screen
                event.ignore()
                self._ask_about_drafts(drafts)
                return
        self.ctx.settings.setValue("ui/geometry", self.saveGeometry())
        self.ctx.settings.sync()
        self.inactivity.deactivate()
        super().closeEvent(event)

    # --- unsaved drafts at close (app.ui.drafts) --------------------------------------------------
    def _ask_about_drafts(self, drafts: list[Draft]) -> None:
        n = len(drafts)
        # on the lock screen the question sits over the unlock dialog (both are window-modal)
        over = self.unlock_dialog if self.ctx.is_locked and self.unlock_dialog is not None else self
        listing = "\n".join(f"• {d.label}" for d in drafts)
        if self.ctx.is_locked:
            listing += "\n\nRoundtable is locked: unlock first to save them."
        box = question(over, "UnsavedDrafts", "Unsaved work", f"{n} draft{'s are' if n != 1 else ' is'} not saved:",
                       details=listing)
        self.close_save_button = None
        if not self.ctx.is_locked:
            self.close_save_button = box.addButton("&Save and quit", QMessageBox.ButtonRole.AcceptRole)
        self.close_discard_button = box.addButton("&Discard and quit", QMessageBox.ButtonRole.DestructiveRole)
        cancel = add_cancel(box, default=False)
        box.setDefaultButton(self.close_save_button or cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.buttonClicked.connect(lambda b: self._on_drafts_answer(b, drafts))
        self.close_prompt = box
        box.open()

    def _on_drafts_answer(self, button: object, drafts: list[Draft]) -> None:
        self.close_prompt = None
        if button is self.close_discard_button:
            self.close_discarding_drafts()
        elif button is not None and button is self.close_save_button:
            self.ctx.run(lambda s: save_drafts(s, drafts), owner=self, mutates=True,
                         on_done=lambda failed: self._on_drafts_saved(drafts, failed))

    def _on_drafts_saved(self, drafts: list[Draft], failed: list[tuple[Draft, str]]) -> None:
        refused = {d.key for d, _why in failed}
        for d in drafts:
            if d.key not in refused:
                self.ctx.drafts.remove(d.key)
        if failed:
            box = QMessageBox(QMessageBox.Icon.Warning, "Not everything was saved",
                              "These drafts were not saved; Roundtable stays open so you can correct them:",
                              QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setInformativeText("\n".join(f"• {d.label}: {why}" for d, why in failed))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.close_prompt = box
            box.open()
            return
        self._close_confirmed = True
        self.close()

    def close_discarding_drafts(self) -> None:
        """Close now; every unsaved draft is dropped (the user said Discard)."""
        self.ctx.drafts.discard()
        self._close_confirmed = True
        self.close()

    # --- lock ------------------------------------------------------------------------------------
    def _on_inactivity_inactive(self) -> None:
        self.lock(auto=True)

    @property
    def is_locked(self) -> bool:
        return self.lock_stack.currentWidget() is self.locked_page

    def lock(self, *, auto: bool = False) -> None:
        """Ctrl+L (``auto`` False: the lock screen says "Locked") or inactivity (it says why)."""
        if self.is_locked:
            return
        self._locked_by_timer = auto
        self.inactivity.deactivate()
        session = self.ctx.detach()
        if session is not None:
            self.ctx.tasks.run(session.close, owner=None)
        self.lock_stack.setCurrentWidget(self.locked_page)
        for a in self._lockable:
            a.setEnabled(False)
        self._hidden_dialogs = [d for d in self.findChildren(QDialog) if d.isVisible()]
        for d in self._hidden_dialogs:
            d.hide()
        self.lock_changed.emit(True)
        self._show_unlock()

    def _show_unlock(self) -> None:
        if self._locked_by_timer:
            minutes = self.ctx.snapshot.auto_lock_minutes if self.ctx.snapshot else 0
            reason = (f"Roundtable locked itself after {minutes} minute{'s' if minutes != 1 else ''} without use. "
                      "Unlock to carry on where you were: nothing you typed is lost.")
        else:
            reason = "Unlock to carry on where you were: nothing you typed is lost."
        dlg = UnlockDialog(self.ctx.tasks, self.ctx.store_path, today_fn=self.ctx.today_fn,
                           reason=reason, title="Locked", parent=self)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.accepted.connect(lambda: self._on_unlock_accepted(dlg))
        dlg.quit_requested.connect(self.close)  # asks about unsaved drafts first
        self.unlock_dialog = dlg
        dlg.open()

    def _on_unlock_accepted(self, dlg: UnlockDialog) -> None:
        session = dlg.session
        dlg.deleteLater()
        if session is None:
            return
        self.unlock_dialog = None
        self.ctx.tasks.run(lambda: load_snapshot(session), owner=self,
                           on_done=lambda snap: self._on_snapshot_loaded(session, snap))

    def _on_snapshot_loaded(self, session: Session, snap: Snapshot) -> None:
        self.ctx.attach(session, snap)
        self.lock_stack.setCurrentIndex(0)
        for a in self._lockable:
            a.setEnabled(True)
        for d in self._hidden_dialogs:
            d.show()
        self._hidden_dialogs = []
        self._apply_snapshot()
        self.lock_changed.emit(False)
        self._resume_watched_folder()
