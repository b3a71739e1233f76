"""Meeting → Generate packs, Case → Print plan, Meeting → Minutes: documents from the desktop.

Job: ``PackDialog`` lets the coordinator choose recipients from the meeting's distribution
(checkboxes), choose an output folder, and write one pack per chosen recipient with a progress bar
and a Cancel button while the packs render on a worker thread, then open the folder.
``print_plan`` and ``print_minutes`` ask where to save (``QFileDialog``), render on a worker and
open the PDF in the system viewer (``QDesktopServices``).

How the screens call it (nothing else needs wiring; all three take the unlocked ``Session``):

    # Meetings screen, "Generate packs…" action for the selected meeting:
    PackDialog(self, session, meeting_id, tasks=ctx.tasks).open()
    # Cases screen, "Print plan…":
    print_plan(self, session, case_id, tasks=ctx.tasks)
    # Meetings screen, "Minutes…" / "Executive summary…":
    print_minutes(self, session, meeting_id, summary=False, tasks=ctx.tasks)

Invariants:
- The GUI thread never touches the store or ReportLab: loading the distribution runs on the task
  manager's store worker and every render on its heavy pool (``app.ui.tasks``: results are
  delivered on the GUI thread, only while the widget that asked is alive, and no Qt object is
  ever created or released on a worker). The store's own lock serialises the renders' reads and
  writes with the store worker. Progress is read from ``Progress`` by a GUI-thread timer.
- Nothing is ever terminated: Cancel only asks (``Progress.cancel``); the service stops before the
  next pack and writes nothing (``write_all_packs`` is all or nothing). Closing the dialog while
  packs render cancels and closes once the worker has stopped.
- Need-to-know, the safe file write and the disclosure audit all happen in
  ``app.services.documents``; this module only chooses, shows progress and opens the result.
- Messages shown are ``AppError.user_message`` (no case data) or a fixed sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.models.ids import MemberId
from app.services.context import Session
from app.services.documents import minutes, packs, plans
from app.ui.documents import jobs
from app.ui.errors import safe_message
from app.ui.tasks import Progress, TaskManager
from app.ui.widgets.controls import button, line_edit, row

POLL_MS = 80  # how often the progress bar reads the task's progress


class PackDialog(QDialog):
    recipients_loaded = Signal(int)
    packs_written = Signal(list)  # list[Path]
    packs_failed = Signal(str)  # the message shown

    def __init__(self, parent: QWidget | None, session: Session, meeting_id: str, *,
                 tasks: TaskManager) -> None:
        super().__init__(parent)
        self.setWindowTitle("Generate meeting packs")
        self.setMinimumWidth(520)
        self._session = session
        self._meeting_id = meeting_id
        self._tasks = tasks
        self._work: Progress | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._running = False
        self._close_when_stopped = False
        self._folder: Path | None = None
        self.boxes: dict[MemberId, QCheckBox] = {}

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Each recipient's pack holds only what their agency may see."))
        layout.addWidget(QLabel("<b>Recipients</b>"))
        layout.addWidget(self._build_recipients())
        self.all_button = button("Select &all", on_click=lambda: self._check_all(True))
        self.none_button = button("Select &none", on_click=lambda: self._check_all(False))
        layout.addLayout(row(self.all_button, self.none_button, 0))
        layout.addWidget(QLabel("<b>Save the packs in</b>"))
        self.folder_edit = line_edit("Folder for the packs")
        self.browse_button = button("&Choose…", on_click=self._browse)
        layout.addLayout(row(self.folder_edit, self.browse_button))
        # issue 16: the attached PDFs and images each recipient may see, as an appendix
        self.attachments_box = QCheckBox("Append the attached PDFs and images each recipient may see")
        self.attachments_box.setAccessibleName("Append attached documents")
        layout.addWidget(self.attachments_box)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.open_button = button("&Open folder", enabled=False, on_click=self._open_folder)
        self.generate_button = button("&Generate packs", object_name="Primary", enabled=False, on_click=self.generate)
        self.cancel_button = button("Cancel", on_click=self.reject)
        layout.addLayout(row(self.open_button, 0, self.generate_button, self.cancel_button))
        self._load()

    def _build_recipients(self) -> QScrollArea:
        """The distribution list, a check box a recipient once loaded."""
        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.addWidget(QLabel("Loading the distribution list…"))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setMinimumHeight(220)  # a distribution of a dozen or so people, most of it in view
        scroll.setAccessibleName("Recipients")
        scroll.setWidget(self._list)
        return scroll

    # --- recipients ------------------------------------------------------------------------------
    def _load(self) -> None:
        session, mid = self._session, self._meeting_id
        self._tasks.run(lambda: packs.pack_recipients(session, meeting_id=mid), owner=self,
                        on_done=self._loaded, on_error=self._failed)

    def _loaded(self, recipients: list[packs.PackRecipient]) -> None:
        while self._list_layout.count():
            item = self._list_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for r in recipients:
            box = QCheckBox(f"Copy {r.copy_number}: {r.name}, {r.agency}")
            box.setChecked(True)
            self.boxes[r.member_id] = box
            self._list_layout.addWidget(box)
        self._list_layout.addStretch()
        self._list_layout.activate()  # lay the new rows out now, before anyone paints or grabs
        self.generate_button.setEnabled(bool(recipients))
        self.recipients_loaded.emit(len(recipients))

    def _check_all(self, on: bool) -> None:
        for box in self.boxes.values():
            box.setChecked(on)

    def chosen(self) -> list[MemberId]:
        return [m for m, box in self.boxes.items() if box.isChecked()]

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Save the packs in", self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    # --- generating ------------------------------------------------------------------------------
    def generate(self) -> None:
        chosen = self.chosen()
        folder_text = self.folder_edit.text().strip()
        if not chosen:
            self.status.setText("Choose at least one recipient.")
            return
        if not folder_text:
            self.status.setText("Choose the folder to save the packs in.")
            return
        folder = Path(folder_text).expanduser()
        session, mid = self._session, self._meeting_id
        self._set_running(True)
        self.progress.setRange(0, len(chosen))
        self.progress.setValue(0)
        self.status.setText(f"Preparing {len(chosen)} pack(s)…")

        with_attachments = self.attachments_box.isChecked()

        def work(progress: Progress) -> list[Path]:
            def report(done: int, total: int) -> None:
                progress.done, progress.total = done, total

            return packs.write_all_packs(
                session,
                meeting_id=mid,
                out_dir=folder,
                recipients=chosen,
                progress=report,
                cancelled=lambda: progress.cancelled,
                with_attachments=with_attachments,
            )

        self._folder = folder
        self._work = self._tasks.run_heavy(work, owner=self, on_done=self._written, on_error=self._failed)
        self._poll.start()

    def cancel(self) -> None:
        """Ask the worker to stop before the next pack; nothing is written."""
        if self._running and self._work is not None:
            self._work.cancel()
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _on_poll_timeout(self) -> None:
        if self._work is not None and self._work.total > 0:
            self._progress(self._work.done, self._work.total)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if not (self._work is not None and self._work.cancelled):
            self.status.setText(f"Rendered {done} of {total} pack(s)…")

    def _written(self, paths: list[Path]) -> None:
        self._progress(len(paths), len(paths))
        self._set_running(False)
        self.open_button.setEnabled(True)
        self.status.setText(f"{len(paths)} pack(s) written to {self._folder}.")
        self.packs_written.emit(paths)
        if self._close_when_stopped:
            super().reject()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        message = safe_message(exc)
        self.status.setText(message)
        self.packs_failed.emit(message)
        if self._close_when_stopped:
            super().reject()

    def _set_running(self, running: bool) -> None:
        self._running = running
        if not running:
            self._poll.stop()
        for w in (self.generate_button, self.all_button, self.none_button, self.browse_button):
            w.setEnabled(not running)
        self.folder_edit.setEnabled(not running)
        for box in self.boxes.values():
            box.setEnabled(not running)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel" if running else "Close")
        if running:
            self.open_button.setEnabled(False)

    def _open_folder(self) -> None:
        if self._folder is not None:
            jobs.open_in_system(self._folder)

    def reject(self) -> None:
        """Cancel or Escape: while packs render, ask them to stop and close when they have."""
        if self._running:
            self._close_when_stopped = True
            self.cancel()
            return
        super().reject()


# --- plan and minutes ----------------------------------------------------------------------------


class DocumentJob(jobs.WrittenFileJob):
    """One plan or minutes being written on the heavy pool."""

    def __init__(self, parent: QWidget, work: Callable[[], Path], *, tasks: TaskManager) -> None:
        super().__init__(parent)
        tasks.run_heavy(lambda _progress: work(), owner=self, on_done=self._done, on_error=self._error)


def print_plan(parent: QWidget, session: Session, case_id: str, *, tasks: TaskManager,
               suggested: str = "Risk-management plan.pdf") -> DocumentJob | None:
    """Ask where to save the case's plan, write it on a worker, open it. None if not saved."""
    path = jobs.ask_pdf_path(parent, "Save the risk-management plan", suggested)
    if path is None:
        return None
    return DocumentJob(parent, lambda: plans.write_plan(session, case_id=case_id, out=path), tasks=tasks)


def print_minutes(
    parent: QWidget, session: Session, meeting_id: str, summary: bool = False, *, tasks: TaskManager
) -> DocumentJob | None:
    """Ask where to save the minutes (or the executive summary), write, open. None if not saved."""
    what = "Executive summary" if summary else "Minutes"
    path = jobs.ask_pdf_path(parent, f"Save the {what.lower()}", f"{what}.pdf")
    if path is None:
        return None
    return DocumentJob(
        parent,
        lambda: minutes.write_minutes(session, meeting_id=meeting_id, out=path, summary=summary),
        tasks=tasks,
    )
