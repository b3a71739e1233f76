"""The case list: ``LazyIdModel`` over case ids (``cases.list_case_ids`` sorts and filters in SQL),
with ``CaseSummary`` rows fetched in blocks (``cases.case_summaries``) for what is painted.

A programme with case fields (a category and a management level, say) gets one column per field
after Risk: the short form of the choice its current assessment records, the full label in the
tooltip, sorted in the store in the programme's order of choices. A programme without case fields
has exactly the base columns. The columns are fixed when the model is made (a store's programme
never changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from app.models.case_fields import CaseField, CaseFieldValue
from app.models.domain import CaseSummary
from app.models.framework import CASE_FIELD_PREFIX
from app.services import cases
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.lazy import Index, LazyIdModel
from app.ui.itemmodels.rows import IdRole, KindRole, RecordRole, SortRole
from app.ui.widgets.common import uk
from app.ui.widgets.plain import plain_tooltip

# (header, sort key in case_list.case_ids); the programme's case fields follow "Risk"
COLUMNS = (
    ("Ref", "ref"),
    ("Name", "name"),
    ("Date of birth", "dob"),
    ("Status", "status"),
    ("Risk", "risk"),
    ("Lead", "lead"),
    ("Opened", "opened"),
    ("Next review", "review"),
    ("Overdue", "overdue"),
)
FIELDS_AFTER = "risk"
HEADER_TOOLTIPS = {"overdue": "Overdue actions", "review": "Next review date"}  # short headers, whole


def columns_for(case_fields: Sequence[CaseField]) -> list[tuple[str, str]]:
    """The list's (header, key) columns for a programme with these case fields."""
    out: list[tuple[str, str]] = []
    for header, key in COLUMNS:
        out.append((header, key))
        if key == FIELDS_AFTER:
            out += [(cf.heading, CASE_FIELD_PREFIX + cf.id) for cf in case_fields]
    return out


class CaseTableModel(LazyIdModel[CaseSummary]):
    def __init__(self, ctx: UiContext, parent: Any = None) -> None:
        self.case_fields: tuple[CaseField, ...] = ctx.snap.programme.case_fields if ctx.snapshot else ()
        self.columns = columns_for(self.case_fields)
        super().__init__(ctx, [header for header, _ in self.columns], "ref", parent)
        self.SORT_KEYS = tuple(key for _, key in self.columns)

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

    def column_of(self, key: str) -> int:
        """The column showing ``key`` (a sort key: "risk", "overdue", "field:category"…)."""
        return self.SORT_KEYS.index(key)

    def field_value(self, s: CaseSummary, key: str) -> CaseFieldValue | None:
        field_id = key.removeprefix(CASE_FIELD_PREFIX)
        cf = next((f for f in self.case_fields if f.id == field_id), None)
        return CaseFieldValue(cf, dict(s.case_fields).get(field_id)) if cf else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            key = self.columns[section][1]
            field = next((cf for cf in self.case_fields if CASE_FIELD_PREFIX + cf.id == key), None)
            whole = field.label if field else HEADER_TOOLTIPS.get(key, self.columns[section][0])
            return plain_tooltip(whole)  # the whole header
        return super().headerData(section, orientation, role)

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
        if not 0 <= index.column() < len(self.SORT_KEYS):
            return None
        key = self.SORT_KEYS[index.column()]
        if role == KindRole:
            return _kind(self.ctx, s, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            from PySide6.QtGui import QColor

            late = key == "review" and _review_late(self.ctx, s)
            return QColor("#a3321b") if (key == "overdue" and s.overdue_actions) or late else None
        if key.startswith(CASE_FIELD_PREFIX):
            value = self.field_value(s, key)
            if value is None or value.choice is None:
                return None if role == Qt.ItemDataRole.ToolTipRole else ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return plain_tooltip(value.label)
            return value.short
        text = _text(self.ctx, s, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(text)
        return text


def _text(ctx: UiContext, s: CaseSummary, key: str) -> str:
    if key == "ref":
        return s.ref
    if key == "name":
        return s.subject_name
    if key == "dob":
        return uk(s.date_of_birth)
    if key == "status":
        return s.status_label
    if key == "risk":
        return ctx.snap.risk_label(s.risk_level) if ctx.snapshot else (s.risk_level or "")
    if key == "lead":
        return s.lead_agency
    if key == "opened":
        return uk(s.opened)
    if key == "review":  # a late review is marked, as late screening is
        return f"{uk(s.next_review)} · late" if _review_late(ctx, s) else uk(s.next_review)
    return str(s.overdue_actions) if s.overdue_actions else ""


def _review_late(ctx: UiContext, s: CaseSummary) -> bool:
    return s.next_review is not None and s.next_review < ctx.today_fn()


def _kind(ctx: UiContext, s: CaseSummary, key: str) -> str | None:
    from app.ui.widgets.common import chip_kind_for_risk, chip_kind_for_stage

    if ctx.snapshot is None:
        return None
    prog = ctx.snap.programme
    if key == "status":
        try:
            return chip_kind_for_stage(prog.status(s.status).stage)
        except Exception:
            return "info"
    if key == "risk" and s.risk_level:
        ranks = {r.id: r.rank for r in prog.framework.risk_levels}
        return chip_kind_for_risk(ranks.get(s.risk_level))
    return None
