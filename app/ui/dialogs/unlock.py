"""Unlock: passphrase, recovery key, or the workstation keyring where the store is remembered.

Invariants:
- Unlocking runs on the store worker (Argon2id takes about half a second); a wrong secret shows the
  error's own message inline and clears the field so the user can try again; nothing else changes.
- The secret is cleared from the field as soon as it has been handed to the worker.
- Esc and Enter never quit: Esc does nothing, Enter only ever presses Unlock (and nothing while
  unlocking); focus stays in the passphrase field, which is read-only while the worker unlocks.
  Only the Quit button (or the window's close button) asks to quit, through ``quit_requested``:
  the main window then asks about unsaved drafts before anything closes.
- It names the store it unlocks, and says so before asking for the passphrase when another
  Roundtable window or command already has that store open (``setup.store_in_use``).
- "Use this workstation's keyring" is shown only when the key file beside the store has a keyring
  slot; the keyring call gives up after 10 seconds ("the keyring is locked or not answering").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import AppError, KeyFileTooWeak
from app.services import setup, ui_queries
from app.services.context import Session
from app.ui.tasks import TaskManager
from app.ui.widgets.controls import button, check, error_line, line_edit, page_column
from app.ui.widgets.plain import PlainLabel, heading, muted

IN_USE = "Roundtable is already open on this store."


class UnlockDialog(QDialog):
    quit_requested = Signal()

    def __init__(
        self,
        tasks: TaskManager,
        store_path: Path,
        *,
        today_fn: Callable[[], dt.date] = dt.date.today,
        reason: str = "",
        title: str = "Unlock Roundtable",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("UnlockDialog")
        self.setWindowTitle("Roundtable – unlock")
        self._tasks = tasks
        self._path = store_path
        self._today_fn = today_fn
        self.session: Session | None = None
        self._unlocking = False
        v = QVBoxLayout(self)
        self.title = heading(title)
        v.addWidget(self.title)
        self.reason = muted(reason or "The store on this workstation is encrypted. Unlock it to continue.")
        v.addWidget(self.reason)
        self._build_store_lines(v)
        self.form = self._build_secret()
        v.addWidget(self.form)
        self.error = error_line()
        v.addWidget(self.error)
        self.status = PlainLabel("", object_name="Muted", accessible="Unlock progress")
        v.addWidget(self.status)
        v.addWidget(self._build_buttons())
        self.setMinimumWidth(440)
        self.secret.setFocus()
        self.check_in_use()

    def _build_store_lines(self, v: QVBoxLayout) -> None:
        """Which store this unlocks, and (hidden until asked) whether it is open elsewhere."""
        path = Path(self._path)
        self.store_label = PlainLabel(f"Store: {path.name} in {path.parent}", wrap=True,
                                      selectable=True, object_name="Muted", accessible="Store being unlocked")
        v.addWidget(self.store_label)
        self.in_use = error_line("Store already open")
        self.in_use.setVisible(False)
        v.addWidget(self.in_use)
        self.retry_button = button("&Try again", accessible="Check again whether the store is free", visible=False,
                                   on_click=self.check_in_use)
        v.addWidget(self.retry_button)

    def _build_secret(self) -> QWidget:
        """Passphrase or recovery key, the field, and Show."""
        form, fv = page_column()
        self.by_passphrase = QRadioButton("&Passphrase")
        self.by_passphrase.setChecked(True)
        self.by_recovery = QRadioButton("&Recovery key")
        for b in (self.by_passphrase, self.by_recovery):
            b.setAccessibleName(b.text().replace("&", "") )
            b.toggled.connect(self._on_mode_toggled)
            fv.addWidget(b)
        self.secret = line_edit("Passphrase", placeholder="Passphrase", password=True)
        fv.addWidget(self.secret)
        self.show_secret = check("S&how passphrase", "Show the passphrase as it is typed")
        self.show_secret.toggled.connect(self._on_mode_toggled)
        fv.addWidget(self.show_secret)
        return form

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.unlock_button = button("&Unlock", accessible="Unlock", default=True,
                                    on_click=self._on_unlock_button_clicked)
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.keyring_button = button("Use this &workstation's keyring", accessible="Unlock with the workstation keyring",
                                     on_click=self._on_keyring_button_clicked)
        buttons.addButton(self.keyring_button, QDialogButtonBox.ButtonRole.ActionRole)
        # After addButton: adding a button to a QDialogButtonBox shows it again.
        self.keyring_button.setVisible(ui_queries.remembered_here(self._path))
        self.quit_button = button("&Quit", accessible="Quit", on_click=self.quit_requested.emit)
        self.quit_button.setAutoDefault(False)  # Enter never presses Quit, even when it has focus
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.keyring_button.setAutoDefault(False)
        return buttons

    # --- never quit by accident ----------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # Esc on the lock screen does nothing (it used to close everything)
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Nothing rejects this dialog but the Quit button (through ``quit_requested``)."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.quit_requested.emit()

    # --- is the store free? ----------------------------------------------------------------------
    def check_in_use(self) -> None:
        """Ask on the store worker (after any close of this window's own store has finished)."""
        path = self._path
        self._tasks.run(lambda: setup.store_in_use(path), owner=self, on_done=self._on_in_use_checked,
                        on_error=lambda _exc: self._on_in_use_checked(False))

    def _on_in_use_checked(self, in_use: bool) -> None:
        self.in_use.setText(f"{IN_USE} Switch to the window that has it open, or close it, then press Try again."
                            if in_use else "")
        self.in_use.setVisible(in_use)
        self.retry_button.setVisible(in_use)
        self.form.setVisible(not in_use)
        self.unlock_button.setEnabled(not in_use and not self._unlocking)
        self.keyring_button.setEnabled(not in_use and not self._unlocking)
        (self.retry_button if in_use else self.secret).setFocus()
        self.adjustSize()

    def _on_mode_toggled(self, _checked: bool) -> None:
        what = "Passphrase" if self.by_passphrase.isChecked() else "Recovery key"
        self.secret.setAccessibleName(what)
        self.secret.setPlaceholderText(what)
        self.show_secret.setText("S&how passphrase" if self.by_passphrase.isChecked() else "S&how recovery key")
        hidden = self.by_passphrase.isChecked() and not self.show_secret.isChecked()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password if hidden else QLineEdit.EchoMode.Normal)

    def _busy(self, busy: bool) -> None:
        """While unlocking: the field stays focused but read-only, Unlock is disabled (so Enter
        does nothing), and focus never wanders to another button."""
        self._unlocking = busy
        self.unlock_button.setEnabled(not busy)
        self.keyring_button.setEnabled(not busy)
        self.secret.setReadOnly(busy)
        self.status.setText("Unlocking…" if busy else "")
        self.secret.setFocus()

    def _on_unlock_button_clicked(self) -> None:
        if self._unlocking:
            return
        secret = self.secret.text()
        if not secret:
            self.error.setText("Type the passphrase or the recovery key.")
            return
        self.secret.clear()
        self.error.setText("")
        self._busy(True)
        path, today_fn = self._path, self._today_fn
        if self.by_passphrase.isChecked():
            def job() -> Session:
                return setup.unlock(path, passphrase=secret, today_fn=today_fn)
        else:
            def job() -> Session:
                return setup.unlock(path, recovery_key=secret, today_fn=today_fn)
        self._tasks.run(job, owner=self, on_done=self._on_unlocked, on_error=self._on_unlock_failed)

    def _on_keyring_button_clicked(self) -> None:
        self._busy(True)
        path, today_fn = self._path, self._today_fn
        self._tasks.run(lambda: ui_queries.unlock_with_keyring(path, today_fn=today_fn), owner=self,
                        on_done=self._on_unlocked, on_error=self._on_unlock_failed)

    def _on_unlocked(self, session: Session) -> None:
        self._busy(False)
        self.session = session
        if session.failed_unlocks or session.unlock_record_reset:
            self.failed_unlocks_notice = _show_failed_unlocks(
                self.parentWidget(), *(session.failed_unlocks or (0, "")),
                reset=session.unlock_record_reset)
        self.accept()

    def _on_unlock_failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, KeyFileTooWeak):  # no secret will do: trying again would not help
            self.error.setText(exc.user_message)
        elif isinstance(exc, AppError):
            self.error.setText(exc.user_message + " Try again.")
        else:
            from app.ui.errors import show_error

            show_error(self, exc)
        self.secret.setFocus()


_notices: list[QMessageBox] = []  # kept alive while shown (a notice may have no parent window)


def _show_failed_unlocks(parent: QWidget | None, failed: int, since: str, *, reset: str = "") -> QMessageBox:
    """Wrong passphrases or recovery keys were tried since the last unlock, or the record of them
    was found reset: say so (not modal)."""
    told = [setup.failed_unlocks_message(failed, since)] if failed else []
    box = QMessageBox(QMessageBox.Icon.Warning, "Failed unlock attempts",
                      " ".join([*told, *([reset] if reset else [])])
                      + " If that was not you, tell your administrator.", parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _notices.append(box)
    box.finished.connect(lambda _r: _notices.remove(box) if box in _notices else None)
    box.open()
    return box
