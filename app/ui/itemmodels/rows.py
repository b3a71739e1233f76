"""A table model over a list of frozen records with declared columns.

Used where the whole list is small enough to hold (actions, meetings, members, history). Sorting
happens in a ``QSortFilterProxyModel`` using ``SortRole`` (typed keys, so dates sort as dates).

Invariants: DisplayRole values are plain strings (views render them as text, never markup);
``IdRole`` gives the record's id; replacing the rows is one reset, never a widget per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.ui.widgets.plain import plain_tooltip
from app.ui.widgets.roles import KindRole as KindRole  # defined beside the delegate that draws it
from app.ui.widgets.roles import SortRole as SortRole  # defined beside the proxy that sorts by it

R = TypeVar("R")

IdRole = Qt.ItemDataRole.UserRole + 2
RecordRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def _sortable(key: Any) -> Any:
    """A sort key Qt can compare: QVariant cannot order Python tuples (or dates inside them), so a
    tuple becomes one string whose text order is the tuple's order."""
    if key is None:
        return ""
    if isinstance(key, tuple):
        return "\x1f".join(_part(k) for k in key)
    return key


def _part(k: Any) -> str:
    if k is None:
        return ""
    if isinstance(k, bool):
        return "1" if k else "0"
    if isinstance(k, int):
        return f"{k + 10**12:013d}"
    if isinstance(k, dt.date):
        return k.isoformat()
    return str(k)


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    kind: Callable[[R], str] | None = None
    align_right: bool = False


RecordT = TypeVar("RecordT")


def record_at(index: Index, kind: type[RecordT]) -> RecordT | None:
    """The record a row of a model here holds (``RecordRole``), if it is a ``kind``."""
    rec = index.data(RecordRole) if index.isValid() else None
    return rec if isinstance(rec, kind) else None


class FlatTable(QAbstractTableModel):
    """A flat table's shape, shared by the models here: ``row_total`` rows under the
    ``header_texts`` (no tree below a row, no vertical header texts)."""

    def row_total(self) -> int:
        raise NotImplementedError

    def header_texts(self) -> Sequence[str]:
        raise NotImplementedError

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.header_texts())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        headers = self.header_texts()
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(headers):
            return headers[section]
        return None


class RowsModel(FlatTable, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], id_of: Callable[[R], str], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[R] = []
        self._id_of = id_of
        self._danger: Callable[[R], bool] | None = None
        self._checkable = False
        self._checked: set[str] = set()

    # --- data in ---------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        ids = {self._id_of(r) for r in self._rows}
        self._checked &= ids
        self.endResetModel()

    def set_danger(self, fn: Callable[[R], bool]) -> None:
        self._danger = fn

    def set_checkable(self, on: bool) -> None:
        self._checkable = on

    def rows(self) -> list[R]:
        return list(self._rows)

    def record(self, row: int) -> R:
        return self._rows[row]

    def set_checked(self, ids: Sequence[str], on: bool = True) -> None:
        """Tick (or untick) many rows at once: one ``dataChanged`` for the check column."""
        if on:
            self._checked.update(ids)
        else:
            self._checked.difference_update(ids)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0),
                                  [Qt.ItemDataRole.CheckStateRole])

    def checked_ids(self) -> list[str]:
        return [self._id_of(r) for r in self._rows if self._id_of(r) in self._checked]

    # --- Qt interface ----------------------------------------------------------------------------
    def row_total(self) -> int:
        return len(self._rows)

    def header_texts(self) -> Sequence[str]:
        return [c.header for c in self._columns]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._checkable and index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        rec = self._rows[index.row()]
        col = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return col.text(rec)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(col.text(rec))
        if role == SortRole:
            key = col.sort(rec) if col.sort else col.text(rec)
            return _sortable(key)
        if role == IdRole:
            return self._id_of(rec)
        if role == RecordRole:
            return rec
        if role == KindRole and col.kind is not None:
            return col.kind(rec)
        if role == Qt.ItemDataRole.ForegroundRole and self._danger is not None and self._danger(rec):
            return QColor("#a3321b")
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.CheckStateRole and self._checkable and index.column() == 0:
            return Qt.CheckState.Checked if self._id_of(rec) in self._checked else Qt.CheckState.Unchecked
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not (self._checkable and index.isValid() and index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole):
            return False
        rid = self._id_of(self._rows[index.row()])
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        (self._checked.add if checked else self._checked.discard)(rid)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True
