"""Quick find (Ctrl+K): names, aliases, dates of birth, identifiers and case refs.

Invariants: each keystroke restarts a short debounce; the search runs on the store worker; results
older than the latest query are dropped; rows are plain text. The arrow keys (and Page Up/Down,
Home/End with Ctrl) move the selected result while typing goes on in the search box; Enter opens
the selected result (the first until another is chosen).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QObject,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app.models.domain import CaseSummary
from app.services import ui_queries
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, RowsModel
from app.ui.widgets.common import uk
from app.ui.widgets.controls import line_edit
from app.ui.widgets.plain import muted
from app.ui.widgets.tables import make_table, set_widths


def summary_columns(ctx: UiContext) -> list[Column[CaseSummary]]:
    return [
        Column("Ref", lambda s: s.ref),
        Column("Name", lambda s: s.subject_name),
        Column("Date of birth", lambda s: uk(s.date_of_birth), sort=lambda s: s.date_of_birth),
        Column("Status", lambda s: s.status_label),
        Column("Lead", lambda s: s.lead_agency),
    ]


class QuickFindDialog(QDialog):
    case_chosen = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QuickFind")
        self.setWindowTitle("Find a case")
        self.ctx = ctx
        self._query_no = 0
        v = QVBoxLayout(self)
        self.query = line_edit("Find a case",
                               placeholder="Name, alias, date of birth (dd/mm/yyyy), PNC or NHS number, or case ref")
        self.query.setClearButtonEnabled(True)
        v.addWidget(self.query)
        self.status = muted("Type at least two characters.")
        v.addWidget(self.status)
        self.model: RowsModel[CaseSummary] = RowsModel(summary_columns(ctx), lambda s: s.id, self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        self.table = make_table("Matching cases", proxy)
        set_widths(self.table, [110, 220, 100, 180])
        v.addWidget(self.table)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.query.textChanged.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._on_query_return_pressed)
        self.query.installEventFilter(self)  # arrows in the box move the selected result
        self.table.activated.connect(lambda idx: self._choose(idx.data(IdRole)))
        self.resize(760, 440)

    def _on_debounce_timeout(self) -> None:
        text = self.query.text()
        self._query_no += 1
        n = self._query_no
        self.ctx.run(lambda s: ui_queries.quick_find(s, text), owner=self,
                     on_done=lambda rows: self._on_results(n, rows))

    def _on_results(self, n: int, rows: list[CaseSummary]) -> None:
        if n != self._query_no:
            return
        self.model.set_rows(rows)
        if rows:
            self._select_row(0)
        if len(self.query.text().strip()) < 2:
            self.status.setText("Type at least two characters.")
        else:
            self.status.setText(f"{len(rows)} case{'s' if len(rows) != 1 else ''} found. "
                                "Up and Down choose one; Enter opens it.")

    _MOVES = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.query and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            rows = self.table.model().rowCount()
            if key in self._MOVES and rows:
                current = self.table.currentIndex()
                row = current.row() if current.isValid() else -1
                self._select_row(max(0, min(rows - 1, row + self._MOVES[Qt.Key(key)])))
                return True
        return super().eventFilter(obj, event)

    def _select_row(self, row: int) -> None:
        index = self.table.model().index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def _on_query_return_pressed(self) -> None:
        idx = self.table.currentIndex()
        if not idx.isValid() and self.table.model().rowCount() > 0:
            idx = self.table.model().index(0, 0)
        if idx.isValid():
            self._choose(idx.data(IdRole))

    def _choose(self, case_id: str | None) -> None:
        if case_id:
            self.case_chosen.emit(case_id)
            self.accept()
