"""Columns for action tables (case tab, dashboard) over ``RowsModel``, and the Actions screen's lazy
id-backed ``ActionTableModel``.

Invariant: overdue is computed by ``rules.is_overdue`` with the session's today, never by the view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.models import rules
from app.models.domain import Action
from app.services import ui_queries
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, KindRole, RecordRole, RowsModel
from app.ui.widgets.common import uk

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

STATUS_KIND = {"open": "info", "in-progress": "accent", "done": "ok", "cancelled": "muted"}


def action_columns(ctx: UiContext, refs: Callable[[str], str] | None = None) -> list[Column[Action]]:
    today: Callable[[], dt.date] = ctx.today_fn

    def status_text(a: Action) -> str:
        return "Overdue" if rules.is_overdue(a, today()) else a.status.value.replace("-", " ").capitalize()

    def status_kind(a: Action) -> str:
        return "danger" if rules.is_overdue(a, today()) else STATUS_KIND.get(a.status.value, "info")

    cols: list[Column[Action]] = []
    if refs is not None:
        cols.append(Column("Case", lambda a: refs(a.case_id)))
    cols += [
        Column("Action", lambda a: a.title),
        Column("Agency", lambda a: ctx.snap.agency_short(a.owner_agency)),
        Column("Owner", lambda a: ctx.snap.member_name(a.owner)),
        Column("Due", lambda a: uk(a.due), sort=lambda a: a.due),
        Column("Status", status_text, sort=lambda a: (not rules.is_overdue(a, today()), a.status.value), kind=status_kind),
        Column("Last update", lambda a: a.updates[-1].note if a.updates else ""),
    ]
    return cols


def action_model(ctx: UiContext, parent: object, refs: Callable[[str], str] | None = None) -> RowsModel[Action]:
    model: RowsModel[Action] = RowsModel(action_columns(ctx, refs), lambda a: a.id, parent)
    return model


# (header, sort key in action_queries.action_ids) for the Actions screen's lazy model
LAZY_SORT_KEYS = ("case", "title", "agency", "owner", "due", "status", "update")
BLOCK = 100


class ActionTableModel(QAbstractTableModel):
    """Every action the store may show, as ids in the store's order with rows fetched in blocks
    for what is painted (the Cases model's way: ``CaseTableModel``).

    Invariants: ``data()`` never touches the store (an uncached row asks for its block and is
    empty until it arrives); a reload bumps a generation and late blocks of an older one are
    dropped; ``sort()`` and the filters run in the store (``ui_queries.action_ids``); ticks are
    kept by id across reloads, with the owning agency of each ticked action (for the "own agency
    only" check) taken from the row the user ticked.
    """

    ids_loaded = Signal(int)
    rows_fetched = Signal()

    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._columns = action_columns(ctx, refs=lambda cid: self._refs.get(cid, ""))
        self._ids: list[str] = []
        self._cache: dict[str, Action] = {}
        self._refs: dict[str, str] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self._checked: dict[str, str] = {}  # ticked id -> owning agency
        self.filters: dict[str, Any] = {}
        self.sort_key = "due"
        self.descending = False
        self.total = 0  # every action the store may show, before the filters
        self.loading = False

    # --- loading ---------------------------------------------------------------------------------
    def reload(self, **filters: Any) -> None:
        if filters:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        self._generation += 1
        gen = self._generation
        f, key, desc = dict(self.filters), self.sort_key, self.descending
        self.loading = True

        def job(s: Session) -> tuple[list[str], int]:
            ids = ui_queries.action_ids(s, sort=key, descending=desc, **f)
            total = len(ids) if not f else len(ui_queries.action_ids(s))
            return ids, total

        self.ctx.run(job, owner=self, on_done=lambda r: self._on_ids(gen, *r))

    def _on_ids(self, gen: int, ids: Sequence[str], total: int) -> None:
        if gen != self._generation:
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self._pending.clear()
        self.total = total
        self.endResetModel()
        self.loading = False
        self.ids_loaded.emit(len(self._ids))

    def _fetch_block(self, block: int) -> None:
        if block in self._pending:
            return
        self._pending.add(block)
        gen = self._generation
        ids = self._ids[block * BLOCK:(block + 1) * BLOCK]
        self.ctx.run(lambda s: ui_queries.action_rows(s, ids), owner=self,
                     on_done=lambda r: self._on_block(gen, block, *r))

    def _on_block(self, gen: int, block: int, rows: list[Action], refs: dict[str, str]) -> None:
        if gen != self._generation:
            return
        self._pending.discard(block)
        self._refs.update(refs)
        for r in rows:
            self._cache[r.id] = r
        first = block * BLOCK
        last = min(len(self._ids), first + BLOCK) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1))
        self.rows_fetched.emit()

    def action(self, row: int) -> Action | None:
        if not 0 <= row < len(self._ids):
            return None
        found = self._cache.get(self._ids[row])
        if found is None:
            self._fetch_block(row // BLOCK)
        return found

    def ids(self) -> list[str]:
        return list(self._ids)

    def is_cached(self, row: int) -> bool:
        return 0 <= row < len(self._ids) and self._ids[row] in self._cache

    # --- ticks -----------------------------------------------------------------------------------
    def set_checked(self, ids: Sequence[str], on: bool = True, *, agency: str = "") -> None:
        """Tick (or untick) many actions at once; ``agency`` is their owning agency when known."""
        for i in ids:
            if on:
                cached = self._cache.get(i)
                self._checked[i] = cached.owner_agency if cached else agency
            else:
                self._checked.pop(i, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, 0),
                                  [Qt.ItemDataRole.CheckStateRole])

    def checked_ids(self) -> list[str]:
        return list(self._checked)

    def checked_agencies(self) -> dict[str, str]:
        return dict(self._checked)

    # --- Qt interface ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._columns):
            return self._columns[section].header
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        return f

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(LAZY_SORT_KEYS):
            return
        self.sort_key = LAZY_SORT_KEYS[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        rid = self._ids[index.row()]
        if role == IdRole:
            return rid
        if role == Qt.ItemDataRole.CheckStateRole:
            if index.column() != 0:
                return None
            return Qt.CheckState.Checked if rid in self._checked else Qt.CheckState.Unchecked
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, RecordRole, KindRole,
                        Qt.ItemDataRole.ToolTipRole):
            return None
        a = self.action(index.row())
        if a is None:
            return None
        if role == RecordRole:
            return a
        col = self._columns[index.column()]
        if role == KindRole:
            return col.kind(a) if col.kind is not None else None
        text = col.text(a)
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        return text

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not (index.isValid() and index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole):
            return False
        rid = self._ids[index.row()]
        if value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2):
            cached = self._cache.get(rid)
            self._checked[rid] = cached.owner_agency if cached else ""
        else:
            self._checked.pop(rid, None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True
