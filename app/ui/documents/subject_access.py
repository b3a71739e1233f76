"""Case → Subject access…: everything held about the case's subject, written to a PDF.

Job: ``request_subject_access(parent, ctx, case_id)`` asks where to save (``QFileDialog``), writes
the report on the store worker (``UiContext.run``) and opens it in the system viewer. The
service checks the role, writes the file safely and audits the disclosure.

Invariants: the GUI thread never touches the store or ReportLab; a failure shows the one error
dialog with ``AppError.user_message`` (no case data) and leaves no file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from app.services import subject_access
from app.ui.context import UiContext
from app.ui.errors import safe_message, show_error


def open_in_system(path: Path) -> bool:
    """Open a file with the system's viewer (tests replace this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SubjectAccessJob(QObject):
    """One report being written; lives as a child of the widget that asked."""

    written = Signal(object)  # Path
    failed = Signal(str)

    def __init__(self, parent: QWidget, ctx: UiContext, case_id: str, out: Path) -> None:
        super().__init__(parent)
        self._parent = parent
        ctx.run(
            lambda s: subject_access.subject_access_report(s, case_id=case_id, out=out),
            owner=self, on_done=self._done, on_error=self._error,
        )

    def _done(self, path: Path) -> None:
        open_in_system(path)
        self.written.emit(path)

    def _error(self, exc: BaseException) -> None:
        show_error(self._parent, exc)
        self.failed.emit(safe_message(exc))


def _ask_path(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save the subject access report", "Subject access report.pdf",
        "PDF documents (*.pdf)",
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def request_subject_access(
    parent: QWidget, ctx: UiContext, case_id: str
) -> SubjectAccessJob | None:
    """Ask where to save the report on the case's subject, then write it. None if not saved."""
    path = _ask_path(parent)
    if path is None:
        return None
    return SubjectAccessJob(parent, ctx, case_id, path)
