"""The recovery key, shown once: copy (the clipboard is cleared again after a minute) or print
it, confirm it is stored, optionally remember the store in the OS keyring; a joined workstation
also saves its identity card for the coordinator.

Invariant: the key is never written anywhere by the client, and the dialog cannot finish until
the user confirms they have stored it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from app.services import ui_queries
from app.services.context import Session
from app.ui.tasks import TaskManager
from app.ui.widgets.controls import button, check, row
from app.ui.widgets.files import CARD_FILES, save_path
from app.ui.widgets.plain import PlainLabel, heading, muted

CLIPBOARD_CLEAR_MS = 60_000


class RecoveryPart(QDialog):
    """A part of ``FirstRunDialog``: its second page."""

    _tasks: TaskManager
    _path: Path
    session: Session | None

    def _build_recovery(self) -> QWidget:
        self.card_saved: Path | None = None
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(heading("Your recovery key"))
        v.addWidget(muted(
            "This key opens the store if the passphrase is forgotten. It is shown once, now. "
            "Write it down or print it and keep it somewhere locked, away from this workstation."
        ))
        v.addWidget(self._build_key())
        self.copy_button = button("&Copy", accessible="Copy the recovery key", on_click=self._on_copy_button_clicked)
        self.print_button = button("&Print…", accessible="Print the recovery key",
                                   on_click=self._on_print_button_clicked)
        self.copy_note = PlainLabel("", wrap=True, object_name="Muted", accessible="Copied")
        v.addLayout(row(self.copy_button, self.print_button, (self.copy_note, 1)))
        self._build_choices(v)
        v.addStretch(1)
        buttons = QDialogButtonBox()
        self.finish_button = button("&Open Roundtable", accessible="Open Roundtable", enabled=False,
                                    on_click=self._on_finish_button_clicked)
        buttons.addButton(self.finish_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.toggled.connect(self.finish_button.setEnabled)
        v.addWidget(buttons)
        return page

    def _build_key(self) -> PlainLabel:
        self.recovery = PlainLabel("", object_name="RecoveryKey", accessible="Recovery key", selectable=True)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(13)
        self.recovery.setFont(font)
        self.recovery.setWordWrap(True)
        return self.recovery

    def _build_choices(self, v: QVBoxLayout) -> None:
        """The confirmation, the keyring offer (with why not), and a joined store's next step."""
        self.confirm = check("I have stored the recovery key somewhere safe", "I have stored the recovery key")
        v.addWidget(self.confirm)
        self.remember = check("Remember on this workstation (unlock with my login keyring)",
                              "Remember on this workstation")
        v.addWidget(self.remember)
        self.remember_reason = PlainLabel("", wrap=True, object_name="Muted")
        v.addWidget(self.remember_reason)
        self.next_step = PlainLabel("", wrap=True, object_name="Lead", accessible="Next step",
                                    selectable=True)
        self.next_step.setVisible(False)
        v.addWidget(self.next_step)
        self.save_card_button = button("&Save identity card…", visible=False,
                                       accessible="Save this workstation's identity card for the coordinator",
                                       on_click=self._on_save_card_clicked)
        v.addWidget(self.save_card_button)

    def _on_copy_button_clicked(self) -> None:
        """Copy the key for a password manager; the clipboard is cleared again after a minute
        (if it still holds the key), as password managers do."""
        from PySide6.QtCore import QTimer
        from PySide6.QtGui import QGuiApplication

        key = self.recovery.text()
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(key)
        self.copy_note.setText("Copied. The clipboard is cleared in one minute.")

        def clear() -> None:
            if clipboard.text() == key:
                clipboard.clear()

        QTimer.singleShot(CLIPBOARD_CLEAR_MS, clear)

    def _on_print_button_clicked(self) -> None:
        """Print the key on paper (the system's print dialog; nothing is written by us)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_document().print_(printer)

    def print_document(self) -> Any:
        """What Print puts on paper: the store, the key and what it is for."""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setPlainText(
            "Roundtable recovery key\n\n"
            f"Store: {self._path}\n\n"
            f"{self.recovery.text()}\n\n"
            "This key opens the store if the passphrase is forgotten. Keep it locked away from "
            "the workstation."
        )
        return doc

    def _on_save_card_clicked(self) -> None:
        path = save_path(self, "Save your identity card", "identity.rtid", CARD_FILES)
        if path:
            self.save_identity_card(path)

    def save_identity_card(self, path: Path) -> None:
        """Write this workstation's card (safe-file helper) on the store worker."""
        from app.services import exchange

        session = self.session
        if session is None:
            return
        self._tasks.run(lambda: exchange.write_identity_card(session, out=path), owner=self,
                        on_done=self._on_card_saved, on_error=self._show_error)

    def _on_card_saved(self, path: Path) -> None:
        self.card_saved = path
        self.save_card_button.setText(f"Identity card saved: {path.name}")

    def _show_error(self, exc: BaseException) -> None:
        from app.ui.errors import show_error

        show_error(self, exc)

    def _on_finish_button_clicked(self) -> None:
        if not self.confirm.isChecked() or self.session is None:
            return
        self.recovery.setText("")
        if self.remember.isChecked():
            session = self.session
            self._tasks.run(lambda: ui_queries.remember_here(session), owner=self,
                            on_done=lambda _r: self.accept(), on_error=self._on_remember_failed)
        else:
            self.accept()

    def _on_remember_failed(self, exc: BaseException) -> None:
        self._show_error(exc)
        self.accept()
