"""Unlock: passphrase, recovery key, or the workstation keyring where the store is remembered.

Invariants:
- Unlocking runs on the store worker (Argon2id takes about half a second); a wrong secret shows the
  error's own message inline and clears the field so the user can try again; nothing else changes.
- The secret is cleared from the field as soon as it has been handed to the worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import AppError
from app.services import setup, ui_queries
from app.services.context import Session
from app.ui.tasks import TaskManager
from app.ui.widgets.plain import PlainLabel, heading, muted


class UnlockDialog(QDialog):
    def __init__(
        self,
        tasks: TaskManager,
        store_path: Path,
        *,
        today_fn: Callable[[], dt.date] = dt.date.today,
        reason: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("UnlockDialog")
        self.setWindowTitle("Roundtable – unlock")
        self._tasks = tasks
        self._path = store_path
        self._today_fn = today_fn
        self.session: Session | None = None
        v = QVBoxLayout(self)
        v.addWidget(heading("Unlock Roundtable"))
        v.addWidget(muted(reason or "The store on this workstation is encrypted. Unlock it to continue."))
        self.by_passphrase = QRadioButton("&Passphrase")
        self.by_passphrase.setChecked(True)
        self.by_recovery = QRadioButton("&Recovery key")
        for b in (self.by_passphrase, self.by_recovery):
            b.setAccessibleName(b.text().replace("&", "") )
            b.toggled.connect(self._on_mode_toggled)
            v.addWidget(b)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName("Passphrase")
        self.secret.setPlaceholderText("Passphrase")
        v.addWidget(self.secret)
        self.error = PlainLabel("", wrap=True, object_name="InlineError", accessible="Problem")
        v.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAccessibleName("Unlock")
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.keyring_button = QPushButton("Use this &workstation's keyring")
        self.keyring_button.setAccessibleName("Unlock with the workstation keyring")
        self.keyring_button.setVisible(ui_queries.remembered_here(store_path))
        buttons.addButton(self.keyring_button, QDialogButtonBox.ButtonRole.ActionRole)
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAccessibleName("Quit")
        buttons.rejected.connect(self.reject)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.keyring_button.clicked.connect(self._on_keyring_button_clicked)
        v.addWidget(buttons)
        self.setMinimumWidth(440)
        self.secret.setFocus()

    def _on_mode_toggled(self, _checked: bool) -> None:
        what = "Passphrase" if self.by_passphrase.isChecked() else "Recovery key"
        self.secret.setAccessibleName(what)
        self.secret.setPlaceholderText(what)
        self.secret.setEchoMode(
            QLineEdit.EchoMode.Password if self.by_passphrase.isChecked() else QLineEdit.EchoMode.Normal
        )

    def _busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.keyring_button.setEnabled(not busy)
        self.secret.setEnabled(not busy)
        self.unlock_button.setText("Unlocking…" if busy else "&Unlock")

    def _on_unlock_button_clicked(self) -> None:
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
        if session.failed_unlocks:
            self.failed_unlocks_notice = _show_failed_unlocks(self.parentWidget(), *session.failed_unlocks)
        self.accept()

    def _on_unlock_failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, AppError):
            self.error.setText(exc.user_message + " Try again.")
        else:
            from app.ui.errors import show_error

            show_error(self, exc)
        self.secret.setFocus()


_notices: list[QMessageBox] = []  # kept alive while shown (a notice may have no parent window)


def _show_failed_unlocks(parent: QWidget | None, failed: int, since: str) -> QMessageBox:
    """Wrong passphrases or recovery keys were tried since the last unlock: say so (not modal)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Failed unlock attempts",
                      setup.failed_unlocks_message(failed, since)
                      + " If that was not you, tell your administrator.", parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _notices.append(box)
    box.finished.connect(lambda _r: _notices.remove(box) if box in _notices else None)
    box.open()
    return box
