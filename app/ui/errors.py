"""The one error dialog: a clear message, technical details behind a button, never case data.

Invariants:
- The message shown is ``AppError.user_message`` (written to hold no case data) or a fixed
  sentence for anything unexpected; an unexpected exception's own text is never shown, because it
  may quote a name or a narrative.
- Details are the exception's type and the code location only (file, line, function), no values.
- The dialog is opened window-modal and non-blocking (``open()``), so tests and the auto-lock
  never hang on it.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import AppError

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong that Roundtable did not expect. Nothing was changed by the step that "
    "failed. If it happens again, give the technical details to your administrator."
)


def safe_message(exc: BaseException) -> str:
    if isinstance(exc, AppError):
        return exc.user_message
    return UNEXPECTED


def technical_details(exc: BaseException) -> str:
    """Type and code locations only: no exception text, no local values (they may hold case data)."""
    lines = [type(exc).__module__ + "." + type(exc).__qualname__]
    if isinstance(exc, AppError) and exc.details:
        lines.append(f"detail code: {exc.details}")
    for frame in traceback.extract_tb(exc.__traceback__):
        lines.append(f"  {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}")
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        lines.append("caused by " + type(cause).__module__ + "." + type(cause).__qualname__)
    return "\n".join(lines)


class ErrorDialog(QDialog):
    def __init__(self, parent: QWidget | None, exc: BaseException) -> None:
        super().__init__(parent)
        self.setObjectName("ErrorDialog")
        self.setWindowTitle("Roundtable")
        self.setAccessibleName("Error")
        self.message = safe_message(exc)
        layout = QVBoxLayout(self)
        label = QLabel(self.message)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setObjectName("ErrorMessage")
        label.setAccessibleName("Error message")
        layout.addWidget(label)
        self.details = QPlainTextEdit(technical_details(exc))
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Technical details")
        self.details.setVisible(False)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.details_button = QPushButton("Technical details…")
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName("Show technical details")
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.details_button.toggled.connect(self.details.setVisible)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


def show_error(parent: QWidget | None, exc: BaseException) -> ErrorDialog:
    """Show ``exc`` to the user. Unexpected errors are logged by type only."""
    if not isinstance(exc, AppError):
        log.error("unexpected error: %s", technical_details(exc))
    if parent is not None and not isinstance(parent, QWidget):
        parent = None
    if parent is None:
        parent = QApplication.activeWindow()
    dlg = ErrorDialog(parent.window() if parent is not None else None, exc)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.open()
    return dlg
