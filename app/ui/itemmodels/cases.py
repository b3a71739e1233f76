"""The case list: ``LazyIdModel`` over case ids (``cases.list_case_ids`` sorts and filters in SQL),
with ``CaseSummary`` rows fetched in blocks (``cases.case_summaries``) for what is painted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from app.models.domain import CaseSummary
from app.services import cases
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.lazy import Index, LazyIdModel
from app.ui.itemmodels.rows import IdRole, KindRole, RecordRole, SortRole
from app.ui.widgets.common import uk
from app.ui.widgets.plain import plain_tooltip

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


class CaseTableModel(LazyIdModel[CaseSummary]):
    SORT_KEYS = tuple(key for _, key in COLUMNS)

    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        super().__init__(ctx, [header for header, _ in COLUMNS], "ref", parent)

    @staticmethod
    def _load_ids(session: Session, filters: dict[str, Any], sort_key: str,
                  descending: bool) -> tuple[Sequence[str], None]:
        return cases.list_case_ids(session, sort=sort_key, descending=descending, **filters), None

    @staticmethod
    def _load_rows(session: Session, ids: Sequence[str]) -> tuple[list[CaseSummary], None]:
        return cases.case_summaries(session, ids), None

    def summary(self, row: int) -> CaseSummary | None:
        return self.record(row)

    def case_id(self, row: int) -> str:
        return self._ids[row]

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
            return plain_tooltip(text)
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
