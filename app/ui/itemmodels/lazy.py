"""A table model over ids, with rows fetched lazily in blocks (anki's browser table).

Job: show 10,000 records without loading 10,000 rows. The store sorts and filters; the model holds
only the ordered ids and a cache of the rows it has shown. A subclass says how to load the ids
and a block of rows (``_load_ids``, ``_load_rows``: static, as they run on the store worker) and
how to paint a row (``data``): ``CaseTableModel`` and ``ActionTableModel``.

Invariants:
- ``data()`` never touches the store: an uncached row asks for its block on the store worker and
  shows an empty cell until the block arrives (then ``dataChanged``).
- A reload bumps a generation number; blocks that arrive for an older generation are dropped,
  so a slow fetch can never paint yesterday's order into today's rows.
- ``sort()`` asks the store for a new order (``SORT_KEYS[column]``); no ``SortFilterProxy`` on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.rows import FlatTable

BLOCK = 100
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=HasId)


class LazyIdModel(FlatTable, Generic[R]):
    ids_loaded = Signal(int)  # row count after a reload
    rows_fetched = Signal()

    SORT_KEYS: tuple[str, ...] = ()  # the store's sort key for each sortable column, in order

    def __init__(self, ctx: UiContext, headers: Sequence[str], sort_key: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._headers = tuple(headers)
        self._ids: list[str] = []
        self._cache: dict[str, R] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self.filters: dict[str, Any] = {}
        self.sort_key = sort_key
        self.descending = False
        self.loading = False

    # --- what a subclass says ----------------------------------------------------------------------
    @staticmethod
    def _load_ids(session: Session, filters: dict[str, Any], sort_key: str,
                  descending: bool) -> tuple[Sequence[str], Any]:
        """On the store worker: the ids in order, and anything else ``_took_ids`` wants."""
        raise NotImplementedError

    @staticmethod
    def _load_rows(session: Session, ids: Sequence[str]) -> tuple[Sequence[R], Any]:
        """On the store worker: the rows for these ids, and anything else ``_took_rows`` wants."""
        raise NotImplementedError

    def _took_ids(self, extra: Any) -> None:
        """On the GUI thread, inside the reset that installs new ids."""

    def _took_rows(self, extra: Any) -> None:
        """On the GUI thread, before a block's rows are cached and painted."""

    # --- loading ---------------------------------------------------------------------------------
    def reload(self, **filters: Any) -> None:
        if filters:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        self._generation += 1
        gen = self._generation
        f, key, desc, load = dict(self.filters), self.sort_key, self.descending, self._load_ids
        self.loading = True
        self.ctx.run(lambda s: load(s, f, key, desc), owner=self,
                     on_done=lambda r: self._on_ids(gen, *r))

    def _on_ids(self, gen: int, ids: Sequence[str], extra: Any) -> None:
        if gen != self._generation:
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self._pending.clear()
        self._took_ids(extra)
        self.endResetModel()
        self.loading = False
        self.ids_loaded.emit(len(self._ids))

    def _fetch_block(self, block: int) -> None:
        if block in self._pending:
            return
        self._pending.add(block)
        gen = self._generation
        ids, load = self._ids[block * BLOCK:(block + 1) * BLOCK], self._load_rows
        self.ctx.run(lambda s: load(s, ids), owner=self,
                     on_done=lambda r: self._on_block(gen, block, *r))

    def _on_block(self, gen: int, block: int, rows: Sequence[R], extra: Any) -> None:
        if gen != self._generation:
            return
        self._pending.discard(block)
        self._took_rows(extra)
        for r in rows:
            self._cache[r.id] = r
        first = block * BLOCK
        last = min(len(self._ids), first + BLOCK) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._headers) - 1))
        self.rows_fetched.emit()

    def record(self, row: int) -> R | None:
        """The row's record if cached; else None, and its block is asked for."""
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

    # --- Qt interface ----------------------------------------------------------------------------
    def row_total(self) -> int:
        return len(self._ids)

    def header_texts(self) -> Sequence[str]:
        return self._headers

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.SORT_KEYS):
            return
        self.sort_key = self.SORT_KEYS[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()
