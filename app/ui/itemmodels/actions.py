"""Columns for action tables (case tab, dashboard) over ``RowsModel``, and the Actions screen's lazy
id-backed ``ActionTableModel``.

Invariant: overdue is computed by ``rules.is_overdue`` with the session's today, never by the view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from app.models import rules
from app.models.domain import Action
from app.services import ui_queries
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.lazy import Index, LazyIdModel
from app.ui.itemmodels.rows import Column, IdRole, KindRole, RecordRole, RowsModel
from app.ui.widgets.common import uk
from app.ui.widgets.plain import plain_tooltip

STATUS_KIND = {"open": "info", "in-progress": "accent", "done": "ok", "cancelled": "muted"}


def action_columns(ctx: UiContext, refs: Callable[[str], str] | None = None) -> list[Column[Action]]:
    today: Callable[[], dt.date] = ctx.today_fn

    def status_text(a: Action) -> str:
        return "Overdue" if rules.is_overdue(a, today()) else a.status.label

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


# sort key in ui_queries.action_ids, by column, for the Actions screen's lazy model
LAZY_SORT_KEYS = ("case", "title", "agency", "owner", "due", "status", "update")


class ActionTableModel(LazyIdModel[Action]):
    """Every action the store may show, as ids in the store's order with rows fetched in blocks
    for what is painted (``LazyIdModel``, as the Cases list).

    Invariants: as ``LazyIdModel`` (``data()`` never touches the store; late blocks of an older
    reload are dropped; ``sort()`` and the filters run in the store, ``ui_queries.action_ids``);
    ticks are kept by id across reloads, with the owning agency of each ticked action (for the
    "own agency only" check) taken from the row the user ticked.
    """

    SORT_KEYS = LAZY_SORT_KEYS

    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        columns = action_columns(ctx, refs=lambda cid: self._refs.get(cid, ""))
        super().__init__(ctx, [c.header for c in columns], "due", parent)
        self._columns = columns
        self._refs: dict[str, str] = {}
        self._checked: dict[str, str] = {}  # ticked id -> owning agency
        self.total = 0  # every action the store may show, before the filters

    @staticmethod
    def _load_ids(session: Session, filters: dict[str, Any], sort_key: str,
                  descending: bool) -> tuple[list[str], int]:
        ids = ui_queries.action_ids(session, sort=sort_key, descending=descending, **filters)
        total = len(ids) if not filters else len(ui_queries.action_ids(session))
        return ids, total

    def _took_ids(self, extra: int) -> None:
        self.total = extra

    @staticmethod
    def _load_rows(session: Session, ids: Sequence[str]) -> tuple[list[Action], dict[str, str]]:
        return ui_queries.action_rows(session, ids)

    def _took_rows(self, extra: dict[str, str]) -> None:
        self._refs.update(extra)

    def action(self, row: int) -> Action | None:
        return self.record(row)

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
    def flags(self, index: Index) -> Qt.ItemFlag:
        f = super().flags(index)
        if index.isValid() and index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        return f

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
            return plain_tooltip(text)
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
