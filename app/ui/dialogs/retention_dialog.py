"""Records → Retention review…: closed cases due for deletion, and deleting one permanently.

Job: ``RetentionDialog`` lists the closed cases whose retention date has passed (or falls within
the chosen number of days) in a small table model; "Delete permanently…" opens
``PurgeConfirmDialog``, which asks for the case reference typed again and a reason (and, before
the retention date, a reason for deleting early); the purge then runs on the store worker.

Invariants:
- Store work only through ``UiContext.run`` (the store worker); the GUI thread never waits.
- The confirm button stays disabled until the typed reference matches exactly and the reasons
  needed are given; nothing is deleted on Cancel.
- Names are shown as plain text; messages shown are ``AppError.user_message`` (no case data).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import retention
from app.services.retention import PurgeResult, RetentionItem
from app.ui.context import UiContext
from app.ui.errors import safe_message
from app.ui.widgets.controls import button, line_edit
from app.ui.widgets.plain import PlainLabel, muted

HEADERS = ("Ref", "Subject", "Outcome", "Closed", "Delete from")
AnyIndex = QModelIndex | QPersistentModelIndex


def _uk(day: Any) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class RetentionModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[RetentionItem] = []

    def set_items(self, items: list[RetentionItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        i = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            due = _uk(i.due) if i.overdue else f"{_uk(i.due)} (in {i.days_left} days)"
            return (i.ref, i.subject_name, i.outcome, _uk(i.closed), due)[index.column()]
        return None


class PurgeConfirmDialog(QDialog):
    """Type the case's reference and a reason; before the due date, a reason to delete early."""

    def __init__(self, parent: QWidget | None, item: RetentionItem) -> None:
        super().__init__(parent)
        self.item = item
        self.setWindowTitle("Delete a case permanently")
        v = QVBoxLayout(self)
        v.addWidget(PlainLabel(
            f"Every record of case {item.ref} will be deleted on this store and, at the next "
            "exchange, on every agency's store that holds it. This cannot be undone.",
            wrap=True,
        ))
        form = QFormLayout()
        self.ref_edit = line_edit("Type the case reference to confirm", placeholder=item.ref)
        form.addRow("Type the case reference:", self.ref_edit)
        self.reason_edit = line_edit("Reason for the deletion")
        form.addRow("Reason:", self.reason_edit)
        self.override_edit = line_edit("Reason for deleting before the retention date")
        if not item.overdue:
            form.addRow("Why before the retention date:", self.override_edit)
            v.addWidget(muted(f"Its retention date is {_uk(item.due)}: give a reason to delete "
                              "it early; the reason is recorded in the audit log."))
        else:
            self.override_edit.hide()
        v.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton(
            "Delete permanently", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setAccessibleName("Delete the case permanently")
        self.delete_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        v.addWidget(self.buttons)
        for edit in (self.ref_edit, self.reason_edit, self.override_edit):
            edit.textChanged.connect(self._update)
        self._update()

    def ready(self) -> bool:
        return (
            self.ref_edit.text().strip() == self.item.ref
            and bool(self.reason_edit.text().strip())
            and (self.item.overdue or bool(self.override_edit.text().strip()))
        )

    def _update(self) -> None:
        self.delete_button.setEnabled(self.ready())

    def accept(self) -> None:
        if self.ready():
            super().accept()

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    @property
    def override_reason(self) -> str | None:
        return None if self.item.overdue else self.override_edit.text().strip()


class RetentionDialog(QDialog):
    loaded = Signal(int)  # number of cases listed
    purged = Signal(str)  # the case reference
    failed = Signal(str)  # the message shown

    def __init__(self, parent: QWidget | None, ctx: UiContext) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.confirm: PurgeConfirmDialog | None = None
        self.setWindowTitle("Retention review")
        self.setMinimumSize(720, 420)
        v = QVBoxLayout(self)
        v.addWidget(muted("Closed cases whose retention period has ended are reviewed here for "
                          "deletion. Deletion is permanent, recorded and synchronised."))
        top = QHBoxLayout()
        self.within = QSpinBox()
        self.within.setRange(0, 3650)
        self.within.setSuffix(" days ahead")
        self.within.setAccessibleName("Also list cases due within this many days")
        self.within.valueChanged.connect(lambda _v: self.load())
        top.addWidget(PlainLabel("Also show cases due within"))
        top.addWidget(self.within)
        top.addStretch(1)
        v.addLayout(top)
        self.model = RetentionModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Cases due for deletion")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        v.addWidget(self.table, 1)
        self.status = PlainLabel("", accessible="Retention review status")
        v.addWidget(self.status)
        row = QHBoxLayout()
        self.delete_button = button("&Delete permanently…", accessible="Delete the selected case permanently",
                                    on_click=self.request_delete)
        close = button("Close", on_click=self.reject)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(close)
        v.addLayout(row)
        self._update()
        self.load()

    def selected(self) -> RetentionItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.items[rows[0].row()]

    def _update(self) -> None:
        self.delete_button.setEnabled(self.selected() is not None)

    def load(self) -> None:
        days = self.within.value()
        self.ctx.run(lambda s: retention.retention_review(s, within_days=days), owner=self,
                     on_done=self._show, on_error=self._error)

    def _show(self, items: list[RetentionItem]) -> None:
        self.model.set_items(items)
        self.status.setText(f"{len(items)} case(s) listed." if items
                            else "No closed case is due for deletion.")
        self._update()
        self.loaded.emit(len(items))

    def request_delete(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.confirm = PurgeConfirmDialog(self, item)
        self.confirm.accepted.connect(self._confirmed)
        self.confirm.open()

    def _confirmed(self) -> None:
        dlg = self.confirm
        if dlg is None:
            return
        item, reason, override = dlg.item, dlg.reason, dlg.override_reason
        self.delete_button.setEnabled(False)
        self.status.setText(f"Deleting {item.ref}…")
        self.ctx.run(
            lambda s: retention.purge_case(s, case_id=item.case_id, reason=reason,
                                           override_reason=override),
            owner=self, on_done=self._purged, on_error=self._error, mutates=True,
        )

    def _purged(self, result: PurgeResult) -> None:
        self.status.setText(f"Case {result.ref} was deleted permanently.")
        self.purged.emit(result.ref)
        self.load()

    def _error(self, exc: BaseException) -> None:
        message = safe_message(exc)
        self.status.setText(message)
        self._update()
        self.failed.emit(message)


def show_retention_review(parent: QWidget | None, ctx: UiContext) -> RetentionDialog:
    dlg = RetentionDialog(parent, ctx)
    dlg.open()
    return dlg
