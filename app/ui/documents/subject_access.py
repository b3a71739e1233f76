"""Case → Subject access…: everything held about the case's subject, written to a PDF.

Job: ``request_subject_access(parent, ctx, case_id)`` asks where to save (``QFileDialog``), writes
the report on the store worker (``UiContext.run``) and opens it in the system viewer. The
service checks the role, writes the file safely and audits the disclosure.

Invariants: the GUI thread never touches the store or ReportLab; a failure shows the one error
dialog with ``AppError.user_message`` (no case data) and leaves no file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.services.documents import subject_access
from app.ui.context import UiContext
from app.ui.documents import jobs


class SubjectAccessJob(jobs.WrittenFileJob):
    """One report being written on the store worker."""

    def __init__(self, parent: QWidget, ctx: UiContext, case_id: str, out: Path) -> None:
        super().__init__(parent)
        ctx.run(
            lambda s: subject_access.subject_access_report(s, case_id=case_id, out=out),
            owner=self, on_done=self._done, on_error=self._error,
        )


def request_subject_access(
    parent: QWidget, ctx: UiContext, case_id: str
) -> SubjectAccessJob | None:
    """Ask where to save the report on the case's subject, then write it. None if not saved."""
    path = jobs.ask_pdf_path(parent, "Save the subject access report", "Subject access report.pdf")
    if path is None:
        return None
    return SubjectAccessJob(parent, ctx, case_id, path)
