"""The Exchange screen's import queue: files chosen, dropped or found in the watched folder are
imported one at a time on the store worker, each giving a report row.

Job: a mixin of ``ExchangeScreen`` (it uses the screen's status line, progress bar, reports table
and alert banner). A store problem stops the batch; a bad file is a report, not an error.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QProgressBar, QTableView, QTabWidget

from app.models.entities import KINDS
from app.services import exchange
from app.services.context import Changed
from app.services.exchange import ImportReport
from app.ui.screens.exchange.models import ImportRow
from app.ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from app.ui.itemmodels.rows import RowsModel
    from app.ui.screens.base import Screen as _Base
else:
    _Base = object

ALL_ENTITIES = frozenset(KINDS) | {"conflict"}


class ImportQueue(_Base):
    # the screen's widgets this part uses (built by ``ExchangeScreen``)
    status: PlainLabel
    progress: QProgressBar
    reports: RowsModel[ImportRow]
    reports_table: QTableView
    tabs: QTabWidget
    alert: QFrame
    alert_text: PlainLabel

    def _init_queue(self) -> None:
        self.setAcceptDrops(True)
        self._queue: deque[tuple[Path, str]] = deque()
        self._importing = False
        self._batch_total = 0
        self._batch_done = 0

    def import_files(self, paths: Sequence[Path], *, source: str) -> None:
        """Queue files; each is imported in turn on the store worker."""
        files = [p for p in paths if p.is_file()]
        if not files:
            return
        if not self._importing and not self._queue:
            self._batch_total = self._batch_done = 0
        self._queue.extend((p, source) for p in files)
        self._batch_total += len(files)
        self._pump()

    @property
    def busy(self) -> bool:
        return self._importing or bool(self._queue)

    def _pump(self) -> None:
        if self._importing:
            return
        if not self._queue:
            self.progress.setVisible(False)
            if self._batch_total:
                n = self._batch_total
                self.status.setText(f"Imported {n} file{'s' if n != 1 else ''}: see the reports below.")
            return
        path, source = self._queue.popleft()
        self._importing = True
        self.progress.setRange(0, self._batch_total)
        self.progress.setValue(self._batch_done)
        self.progress.setVisible(True)
        self.status.setText(f"Importing file {self._batch_done + 1} of {self._batch_total}…")

        def work(session: object) -> ImportReport:
            return exchange.import_bundle(session, path=path)  # type: ignore[arg-type]

        self.ctx.run(work, owner=self, on_done=lambda r: self._on_imported(r, source),
                     on_error=lambda exc: self._on_import_failed(exc))

    def _on_imported(self, r: ImportReport, source: str) -> None:
        self._importing = False
        self._batch_done += 1
        row = ImportRow(r, source)
        rows = [row, *self.reports.rows()]
        self.reports.set_rows(rows)
        self.tabs.setCurrentIndex(0)
        self.reports_table.setCurrentIndex(self.reports.index(0, 0))
        if r.security_alert:
            self.alert_text.setText(
                f"Security alert \u2014 {row.file}: {r.reason} Nothing from this file was imported. "
                "Keep the file, do not try it again, and tell the panel coordinator.")
            self.alert.setVisible(True)
        elif r.revoked:
            from app.services.membership import REVOKED_MESSAGE

            self.alert_text.setText(f"Access revoked — {REVOKED_MESSAGE}")
            self.alert.setVisible(True)
        elif r.audit_warning:
            self.alert_text.setText(
                f"Audit warning — {row.file} was imported, but {r.audit_warning[0].lower()}"
                f"{r.audit_warning[1:]}")
            self.alert.setVisible(True)
        if r.outcome == "applied":
            # Ops applied by an import are not in the Writer's change list: tell every screen.
            self.ctx.refresh_snapshot()
            self.ctx.changed.emit(Changed(ALL_ENTITIES))  # this screen reloads too
        elif r.outcome in ("duplicate", "superseded"):
            self.reload()
        self._pump()

    def _on_import_failed(self, exc: BaseException) -> None:
        """A store problem (not a bad file, which is a report): stop the batch and say so."""
        from app.ui.errors import show_error

        self._importing = False
        self._queue.clear()
        self.progress.setVisible(False)
        self.status.setText("Importing stopped.")
        show_error(self, exc)

    # drag and drop
    @staticmethod
    def _local_files(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._local_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._local_files(event)
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_files(files, source="dropped")

