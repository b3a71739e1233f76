"""A table model over one statistics ``Breakdown`` (the Reports screen's compact tables).

Invariants: the figures are the raw, unsuppressed ones (for the screen only; returns are written
by the service from ``Statistics.published()``). Category labels are data (sectors, concerns,
free-text ethnicity, agency names) and are returned as plain ``DisplayRole`` strings, never markup.
Replacing the breakdown is one model reset.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.models.statistics import Breakdown, Count, Measure
from app.ui.widgets.plain import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
ValueRole = Qt.ItemDataRole.UserRole + 1  # the raw number (int, float or None); the label for column 0
NOTHING = "n/a"


def value_text(value: Count | Measure) -> str:
    """A raw figure as the screen shows it: counts whole, days to one decimal, percentages whole."""
    if isinstance(value, Count):
        return str(value.value)
    if value.value is None:
        return NOTHING
    if value.percent:
        return f"{value.value:.0f}%"
    return f"{round(value.value, 1):g}"


class BreakdownModel(QAbstractTableModel):
    """Column 0 is the category; then one column per breakdown column. Total rows are bold."""

    def __init__(self, label_heading: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self._label_heading = label_heading
        self._breakdown: Breakdown | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # --- data in ---------------------------------------------------------------------------------
    def set_breakdown(self, breakdown: Breakdown | None, label_heading: str | None = None) -> None:
        self.beginResetModel()
        self._breakdown = breakdown
        if label_heading is not None:
            self._label_heading = label_heading
        self.endResetModel()

    def breakdown(self) -> Breakdown | None:
        return self._breakdown

    # --- Qt interface ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self._breakdown is None:
            return 0
        return len(self._breakdown.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self._breakdown is None:
            return 0
        return 1 + len(self._breakdown.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or self._breakdown is None:
            return None
        if not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._label_heading if section == 0 else self._breakdown.columns[section - 1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignLeft if section == 0 else Qt.AlignmentFlag.AlignRight
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        b = self._breakdown
        if b is None or not index.isValid() or index.parent().isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(b.rows) and 0 <= c <= len(b.columns)):
            return None
        row = b.rows[r]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if c == 0:
                return row.label
            text = value_text(row.values[c - 1])
            if role == Qt.ItemDataRole.ToolTipRole:
                return plain_tooltip(f"{row.label}, {b.columns[c - 1]}: {text}")
            return text
        if role == ValueRole:
            return row.label if c == 0 else row.values[c - 1].value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.is_total:
            return self._bold
        return None
