"""The case list: a model over case ids, with rows fetched lazily in blocks (anki's browser table).

Job: show 10,000 cases without loading 10,000 rows. The store sorts and filters (``list_case_ids``
runs in SQL); the model holds only the ordered ids and a cache of the summaries it has shown.

Invariants:
- ``data()`` never touches the store: an uncached row asks for its block on the store worker and
  shows an empty cell until the block arrives (then ``dataChanged``).
- A reload bumps a generation number; blocks that arrive for an older generation are dropped,
  so a slow fetch can never paint yesterday's order into today's rows.
- ``sort()`` asks the store for a new order; the ``SortFilterProxy`` is not needed on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.models.domain import CaseSummary
from app.services import cases
from app.ui.context import UiContext
from app.ui.itemmodels.rows import IdRole, KindRole, RecordRole, SortRole
from app.ui.widgets.common import uk

BLOCK = 100
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

# (header, sort key in repo.case_ids)
COLUMNS = (
    ("Ref", "ref"),
    ("Name", "name"),
    ("Date of birth", "dob"),
    ("Status", "status"),
    ("Risk", "risk"),
    ("Lead", "lead"),
    ("Opened", "opened"),
    ("Next review", "review"),
    ("Overdue actions", "overdue"),
)


class CaseTableModel(QAbstractTableModel):
    ids_loaded = Signal(int)  # row count after a reload
    rows_fetched = Signal()

    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._ids: list[str] = []
        self._cache: dict[str, CaseSummary] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self.filters: dict[str, Any] = {}
        self._sort_key = "ref"
        self._descending = False
        self.loading = False

    # --- loading ---------------------------------------------------------------------------------
    def reload(self, **filters: Any) -> None:
        if filters:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        self._generation += 1
        gen = self._generation
        f, key, desc = dict(self.filters), self._sort_key, self._descending
        self.loading = True
        self.ctx.run(lambda s: cases.list_case_ids(s, sort=key, descending=desc, **f), owner=self,
                     on_done=lambda ids: self._on_ids(gen, ids))

    def _on_ids(self, gen: int, ids: Sequence[str]) -> None:
        if gen != self._generation:
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self._pending.clear()
        self.endResetModel()
        self.loading = False
        self.ids_loaded.emit(len(self._ids))

    def _fetch_block(self, block: int) -> None:
        if block in self._pending:
            return
        self._pending.add(block)
        gen = self._generation
        ids = self._ids[block * BLOCK:(block + 1) * BLOCK]
        self.ctx.run(lambda s: cases.case_summaries(s, ids), owner=self,
                     on_done=lambda rows: self._on_block(gen, block, rows))

    def _on_block(self, gen: int, block: int, rows: list[CaseSummary]) -> None:
        if gen != self._generation:
            return
        self._pending.discard(block)
        for r in rows:
            self._cache[r.id] = r
        first = block * BLOCK
        last = min(len(self._ids), first + BLOCK) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.rows_fetched.emit()

    def summary(self, row: int) -> CaseSummary | None:
        if not 0 <= row < len(self._ids):
            return None
        found = self._cache.get(self._ids[row])
        if found is None:
            self._fetch_block(row // BLOCK)
        return found

    def case_id(self, row: int) -> str:
        return self._ids[row]

    def ids(self) -> list[str]:
        return list(self._ids)

    def is_cached(self, row: int) -> bool:
        return 0 <= row < len(self._ids) and self._ids[row] in self._cache

    # --- Qt interface ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_key = COLUMNS[column][1]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == IdRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, SortRole,
                        RecordRole, KindRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            return None
        s = self.summary(index.row())
        if s is None:
            return None
        if role == RecordRole:
            return s
        col = index.column()
        if role == KindRole:
            return _kind(self.ctx, s, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            from PySide6.QtGui import QColor

            return QColor("#a3321b") if col == 8 and s.overdue_actions else None
        text = _text(self.ctx, s, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        return text


def _text(ctx: UiContext, s: CaseSummary, col: int) -> str:
    if col == 0:
        return s.ref
    if col == 1:
        return s.subject_name
    if col == 2:
        return uk(s.date_of_birth)
    if col == 3:
        return s.status_label
    if col == 4:
        return ctx.snap.risk_label(s.risk_level) if ctx.snapshot else (s.risk_level or "")
    if col == 5:
        return s.lead_agency
    if col == 6:
        return uk(s.opened)
    if col == 7:
        return uk(s.next_review)
    return str(s.overdue_actions) if s.overdue_actions else ""


def _kind(ctx: UiContext, s: CaseSummary, col: int) -> str | None:
    from app.ui.widgets.common import chip_kind_for_risk, chip_kind_for_stage

    if ctx.snapshot is None:
        return None
    prog = ctx.snap.programme
    if col == 3:
        try:
            return chip_kind_for_stage(prog.status(s.status).stage)
        except Exception:
            return "info"
    if col == 4 and s.risk_level:
        ranks = {r.id: r.rank for r in prog.framework.risk_levels}
        return chip_kind_for_risk(ranks.get(s.risk_level))
    return None
