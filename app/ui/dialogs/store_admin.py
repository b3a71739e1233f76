"""File menu: keys and backups of this workstation's store (docs/ui.md, "Keys and backups").

Job: ``StoreActions(window, file_menu)`` adds "Remember on this workstation", "Forget on this
workstation", "Back up…", "Restore a backup…" and "Change passphrase…" to the File menu. Each goes
through the existing services (``setup``, ``ui_queries``): nothing here touches the keyring, the key
file or the store directly.

Invariants:
- Keyring calls run on the store worker and give up after 10 seconds ("the keyring is locked or not
  answering", ``app.crypto.keyring_slot``), so a locked keyring never freezes the window.
- The remember/forget items follow the key file: only one of them is enabled, chosen each time the
  menu opens (remember also needs the panel's policy, which the service checks).
- Backup and restore run with ``run_with_progress``; the user picks every path; a backup is the
  encrypted store with its key file, never plaintext. Restore writes a *new* store beside, never over,
  an existing one (the service refuses that); this window keeps working on its own store.
- Secrets typed here are handed to the worker and the fields cleared at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import AppError
from app.services import setup, ui_queries
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.errors import safe_message, show_error
from app.ui.progress import run_with_progress
from app.ui.tasks import Progress
from app.ui.widgets.files import BACKUP_FILES, open_path, save_path
from app.ui.widgets.plain import PlainLabel, muted

MESSAGE_MS = 10_000


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


class StoreActions:
    """The File menu's key and backup items for one main window."""

    def __init__(self, window: QMainWindow, ctx: UiContext, menu: QMenu) -> None:
        self.window = window
        self.ctx = ctx
        self.last_message = ""
        self.act_remember = self._add(menu, "&Remember on this workstation",
                                      self.remember, "Unlock this store with your login keyring from now on")
        self.act_forget = self._add(menu, "&Forget on this workstation", self.forget,
                                    "Stop unlocking this store with your login keyring")
        menu.addSeparator()
        self.act_backup = self._add(menu, "&Back up…", self.backup, "An encrypted copy of the store")
        self.act_restore = self._add(menu, "R&estore a backup…", self.restore,
                                     "Restore a backup into a new store file")
        self.act_passphrase = self._add(menu, "Change pass&phrase…", self.change_passphrase,
                                        "Change the passphrase that unlocks this store")
        self.actions = [self.act_remember, self.act_forget, self.act_backup, self.act_restore,
                        self.act_passphrase]
        menu.aboutToShow.connect(self.update_keyring_items)
        self.update_keyring_items()

    def _add(self, menu: QMenu, text: str, slot: object, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _say(self, text: str) -> None:
        self.last_message = text
        self.window.statusBar().showMessage(text, MESSAGE_MS)

    def _failed(self, exc: BaseException) -> None:
        self.last_message = safe_message(exc)
        show_error(self.window, exc)

    # --- keyring -----------------------------------------------------------------------------------
    def update_keyring_items(self) -> None:
        """Enable remember or forget after the key file (read only; no keyring call here)."""
        if self.ctx.is_locked or self.ctx.store_path is None:
            return
        remembered = ui_queries.remembered_here(Path(self.ctx.store_path))
        self.act_remember.setEnabled(not remembered)
        self.act_forget.setEnabled(remembered)

    def remember(self) -> None:
        self._say("Asking the keyring…")
        self.ctx.run(ui_queries.remember_here, owner=self.window, on_done=self._on_remembered,
                     on_error=self._failed)

    def _on_remembered(self, _result: object) -> None:
        self.update_keyring_items()
        self._say("Remembered: this store now unlocks with your login keyring on this workstation.")

    def forget(self) -> None:
        self._say("Asking the keyring…")
        self.ctx.run(ui_queries.forget_here, owner=self.window, on_done=self._on_forgotten,
                     on_error=self._failed)

    def _on_forgotten(self, result: setup.Forgotten) -> None:
        self.update_keyring_items()
        if result.keyring_cleared:
            self._say("Forgotten: this store no longer unlocks with the keyring on this workstation.")
        else:
            self._say("Forgotten here, but the keyring's own entry could not be removed: "
                      + result.reason)

    # --- backup and restore --------------------------------------------------------------------------
    def backup(self) -> None:
        suggested = str(Path(_documents()) / "roundtable-backup.rtbackup")
        out = save_path(self.window, "Back up the store", suggested, BACKUP_FILES)
        if not out:
            return

        def job(session: Session, progress: Progress) -> Path:
            progress.check()
            return setup.backup(session, out=out)

        self.progress = run_with_progress(self.ctx, self.window, "Backing up the store…", job,
                                          on_done=self._on_backed_up, on_error=self._failed)

    def _on_backed_up(self, path: Path) -> None:
        self._say(f"Backup written: {path}. Keep it somewhere safe; it opens with the passphrase.")

    def restore(self) -> None:
        source = open_path(self.window, "Choose a backup to restore", BACKUP_FILES, _documents())
        if not source:
            return
        here = Path(self.ctx.store_path).parent if self.ctx.store_path else Path(_documents())
        target = save_path(self.window, "Restore into a new store file", str(here / "restored.rtdb"),
                           "Roundtable stores (*.rtdb)")
        if not target:
            return
        passphrase, ok = QInputDialog.getText(
            self.window, "Restore a backup", "The passphrase of the backup:", QLineEdit.EchoMode.Password)
        if not ok or not passphrase:
            return

        def job(_session: Session, progress: Progress) -> Path:
            progress.check()
            setup.restore(source, target=target, passphrase=passphrase).close()
            return target

        self.progress = run_with_progress(self.ctx, self.window, "Restoring the backup…", job,
                                          on_done=self._on_restored, on_error=self._failed)

    def _on_restored(self, path: Path) -> None:
        self._say(f"Restored into {path}. Start Roundtable with that store to use it; this window "
                  "keeps working on its own store.")

    # --- passphrase ----------------------------------------------------------------------------------
    def change_passphrase(self) -> None:
        dlg = PassphraseDialog(self.ctx, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self._say("Passphrase changed. Use the new one from now on."))
        self.passphrase_dialog = dlg
        dlg.open()


class PassphraseDialog(QDialog):
    """Current passphrase, new passphrase twice; checked and changed on the store worker."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PassphraseDialog")
        self.setWindowTitle("Roundtable – change passphrase")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.ctx = ctx
        v = QVBoxLayout(self)
        v.addWidget(muted("The passphrase unlocks this store on this workstation. The recovery key "
                          "and a remembered keyring keep working."))
        form = QFormLayout()
        self.current = self._field("Current passphrase")
        self.new = self._field("New passphrase")
        self.again = self._field("New passphrase again")
        form.addRow("&Current passphrase", self.current)
        form.addRow("&New passphrase", self.new)
        form.addRow("New passphrase a&gain", self.again)
        v.addLayout(form)
        self.error = PlainLabel("", wrap=True, object_name="InlineError", accessible="Problem")
        v.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Change passphrase")
        ok.setAccessibleName("Change passphrase")
        self.ok_button = ok
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        v.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self.current.setFocus()

    def _field(self, name: str) -> QLineEdit:
        f = QLineEdit()
        f.setEchoMode(QLineEdit.EchoMode.Password)
        f.setAccessibleName(name)
        return f

    def _on_ok(self) -> None:
        current, new, again = self.current.text(), self.new.text(), self.again.text()
        if not current:
            self.error.setText("Type the current passphrase.")
            return
        if new != again:
            self.error.setText("The two new passphrases are not the same.")
            return
        if len(new) < 8:
            self.error.setText("The new passphrase must be at least 8 characters long.")
            return
        for f in (self.current, self.new, self.again):
            f.clear()
        self.error.setText("")
        self.ok_button.setEnabled(False)
        def job(session: Session, progress: Progress) -> None:
            progress.check()
            setup.change_passphrase(session, new_passphrase=new, current_passphrase=current)

        self.progress = run_with_progress(self.ctx, self, "Changing the passphrase…", job,
                                          on_done=self._on_changed, on_error=self._on_failed)

    def _on_changed(self, _result: object) -> None:
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, AppError):
            self.error.setText(exc.user_message)
            self.current.setFocus()
        else:
            show_error(self, exc)
