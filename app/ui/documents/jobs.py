"""What every document written from the desktop shares: asking where to save the PDF, the job
that reports the file written (or the failure), and opening the result in the system's viewer.

Invariants: the work runs off the GUI thread (the subclass starts it on the task manager);
a failure shows the one error dialog with ``AppError.user_message`` (no case data).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from app.ui.errors import safe_message, show_error
from app.ui.widgets.files import save_path


def open_in_system(path: Path) -> bool:
    """Open a file or folder with the system's viewer (tests replace this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_pdf_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """Where to save a PDF (``.pdf`` added when left out); None if the user cancelled."""
    path = save_path(parent, title, suggested, "PDF documents (*.pdf)")
    if path is None:
        return None
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


class WrittenFileJob(QObject):
    """One document being written; lives as a child of the widget that asked. A subclass starts
    the work with ``_done`` and ``_error`` as its callbacks."""

    written = Signal(object)  # Path
    failed = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent

    def _done(self, path: Path) -> None:
        open_in_system(path)
        self.written.emit(path)

    def _error(self, exc: BaseException) -> None:
        show_error(self._parent, exc)
        self.failed.emit(safe_message(exc))
