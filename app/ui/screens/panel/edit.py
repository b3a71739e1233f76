"""A small dialog that edits a few text fields of a panel record (an agency, a member).

Invariants: the change runs on the store worker through the service given (which checks the role,
refuses a name the panel already has and writes in one transaction); a refusal is shown inline and
the dialog stays open with what was typed; on success the dialog closes and the screen reloads
(``mutates``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.context import Session
from app.ui.context import UiContext
from app.ui.errors import safe_message
from app.ui.widgets.controls import error_line, labelled_line


class EditRecordDialog(QDialog):
    def __init__(
        self,
        ctx: UiContext,
        title: str,
        fields: list[tuple[str, str, str]],  # (key, label with mnemonic, current value)
        save: Callable[[dict[str, str]], Callable[[Session], object]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EditRecordDialog")
        self.setWindowTitle(f"Roundtable – {title.lower()}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx = ctx
        self._save = save
        v = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, label, value in fields:
            self.fields[key] = labelled_line(form, label, value=value)
        v.addLayout(form)
        self.error = error_line()
        v.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        v.addWidget(buttons)
        self.setMinimumWidth(420)

    def _on_save(self) -> None:
        values = {k: f.text() for k, f in self.fields.items()}
        self.error.setText("")
        self.save_button.setEnabled(False)
        self.ctx.run(self._save(values), owner=self, mutates=True, on_done=self._on_saved,
                     on_error=self._on_failed)

    def _on_saved(self, _result: object) -> None:
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(safe_message(exc))
