"""Cases: the filterable, sortable list over ids (lazy rows) and, on top of it, the case view.

Invariants: filters and sort run in the store (``list_case_ids``); the list keeps its filters
while a case is open; Escape or "Back to cases" returns to the list.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.case_fields import NOT_RECORDED, CaseField, in_sentence, short_label
from app.ui.context import UiContext
from app.ui.itemmodels.cases import CaseTableModel
from app.ui.itemmodels.rows import IdRole
from app.ui.screens.base import Screen
from app.ui.screens.cases.case_view import CaseView
from app.ui.widgets.controls import check, combo, line_edit, page_column, refill
from app.ui.widgets.plain import muted
from app.ui.widgets.tables import make_table, set_widths, text_width, two_line_rows

DATE_KEY = "date:"
# A date field's filter in the case list: when the date falls, from today (docs/programmes.md)
DATE_FILTERS = (
    ("Passed", "date:passed"),
    ("In the next 4 weeks", "date:28"),
    ("In the next 3 months", "date:91"),
    ("More than 3 months ahead", "date:later"),
)


def date_range(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates (both included; None: open) a date filter's choice keeps."""
    which = key.removeprefix(DATE_KEY)
    if which == "passed":
        return None, today - dt.timedelta(days=1)
    if which == "later":
        return today + dt.timedelta(days=92), None
    return today, today + dt.timedelta(days=int(which))


class CasesScreen(Screen):
    title = "Cases"
    watches = ("case", "subject", "assessment", "action", "referral")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.pages = QStackedWidget()
        self.root.addWidget(self.pages, 1)

        listing, v = page_column()
        self._build_filters(v)
        self._build_table(v)
        self.pages.addWidget(listing)

        self.view = CaseView(ctx)
        self.view.back_requested.connect(self.show_list)
        self.pages.addWidget(self.view)
        self.back_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.view)
        self.back_shortcut.activated.connect(self.show_list)

        self.search.textChanged.connect(lambda _t: self._apply_filters())
        for c in (self.status, self.risk, self.lead, *self.field_filters.values()):
            c.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.overdue.toggled.connect(lambda _b: self._apply_filters())
        self.review_due.toggled.connect(lambda _b: self._apply_filters())
        self.model.ids_loaded.connect(lambda n: self.count.setText(f"{n} case{'s' if n != 1 else ''}"))
        ctx.snapshot_changed.connect(self._fill_filters)
        ctx.unlocked.connect(self._fill_filters)
        self._fill_filters()

    def _build_filters(self, v: QVBoxLayout) -> None:
        ctx = self.ctx
        bar = QHBoxLayout()
        self.search = line_edit("Filter cases by name, date of birth, identifier or ref",
                                placeholder="Filter: name, alias, dd/mm/yyyy, PNC/NHS, ref")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 2)
        self.status = self._combo("Status")
        self.risk = self._combo("Risk level")
        self.lead = self._combo("Lead agency")
        # the choices on a row of their own: the search box keeps room for its hint
        choices = QHBoxLayout()
        for c in (self.status, self.risk, self.lead):
            choices.addWidget(c, 1)
        self.overdue = check("Overdue actions", "Only cases with overdue actions")
        self.review_due = check("Review due (14 days)", "Only cases with a review due in 14 days")
        self.review_due.setToolTip("Reviews, post-exit reviews and consent re-assessments due in the next 14 days "
                                   "(or late)")
        bar.addWidget(self.overdue)
        bar.addWidget(self.review_due)
        v.addLayout(bar)
        v.addLayout(choices)
        # one filter per case field of the programme, on a second row (none without case fields)
        self.case_fields = ctx.snap.programme.case_fields if ctx.snapshot else ()
        self.field_filters = {cf.id: self._combo(cf.label) for cf in self.case_fields}
        # choices on one row, dates (when each falls) on the next, so that every "Any …" shows whole
        for group in ([cf for cf in self.case_fields if not cf.is_date], [cf for cf in self.case_fields if cf.is_date]):
            if not group:
                continue
            fields_bar = QHBoxLayout()
            for cf in group:
                c = self.field_filters[cf.id]
                c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
                fields_bar.addWidget(c)
            fields_bar.addStretch(1)
            v.addLayout(fields_bar)

    def _build_table(self, v: QVBoxLayout) -> None:
        ctx = self.ctx
        self.model = CaseTableModel(ctx, self)
        self.table = make_table("Cases", self.model, chip_columns=(3, 4))
        widths = [105, 0, 96, 200, 88, 64, 92, 128, 112]  # next review: "dd/mm/yyyy · late"
        widths[4] = self._risk_width()
        widths[5:5] = [self._field_width(cf) for cf in self.case_fields]
        # With case fields the list is wider than a 1280-pixel window: refs, dates, risk chips and
        # the fields' values keep their width and the other columns give way (text elides, tooltips).
        n = len(self.case_fields)
        # refs, dates, risk and choice fields stay whole; date fields (MAPPA's end dates) and the
        # opening date are dropped while the window is too narrow for them (their filters remain)
        dated = tuple(5 + i for i, cf in enumerate(self.case_fields) if cf.is_date)
        keep = (0, 2, 4, *(c for c in range(5, 5 + n) if c not in dated), 6 + n, 7 + n)
        set_widths(self.table, widths, stretch=1, keep=keep, optional=(6 + n, *dated))  # opened
        two_line_rows(self.table)  # names and statuses wrap rather than elide
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(lambda idx: self.open_case(idx.data(IdRole)))
        v.addWidget(self.table, 1)
        self.count = muted("")
        v.addWidget(self.count)

    def _combo(self, name: str) -> QComboBox:
        c = combo(name)
        c.setMinimumContentsLength(len("Any lead agency"))  # the "any" choice shows whole
        return c

    def _risk_width(self) -> int:
        """Room for the longest of the programme's risk levels as a chip ("Medium", "Very high"):
        a risk is never elided, whatever the window's width."""
        snap = self.ctx.snapshot
        if snap is None:  # no programme yet: the width the column had before it was known
            return 88
        labels = [r.label for r in snap.programme.framework.risk_levels]
        return max(text_width(self.table, t, pad=28) for t in ("Risk", *labels))  # a chip pads 16px

    def _field_width(self, cf: CaseField) -> int:
        """Room for the field's longest short choice (the full one is the cell's tooltip); a
        longer header elides (the header's tooltip is whole)."""
        shown = ("00/00/0000",) if cf.is_date else tuple(short_label(c.label) for c in cf.choices)
        return min(160, max(text_width(self.table, t) for t in (cf.heading, *shown)))

    def _fill_filters(self) -> None:
        snap = self.ctx.snapshot
        if snap is None:
            return
        for cf in self.case_fields:
            refill(self.field_filters[cf.id], [
                (f"Any {in_sentence(cf.label)}", None),
                # a date field: when it falls
                *((label, key, f"{cf.label}: {label.lower()}") for label, key in (DATE_FILTERS if cf.is_date else ())),
                *((short_label(c.label), c.id, c.label) for c in cf.choices),
                (NOT_RECORDED, ""),  # "": the current assessment does not record it
            ], quiet=True)
        refill(self.status, [("Any status", None), *((s.label, s.id) for s in snap.programme.statuses)], quiet=True)
        refill(self.risk, [("Any risk level", None), *((r.label, r.id) for r in snap.programme.framework.risk_levels)],
               quiet=True)
        refill(self.lead, [("Any lead agency", None), *((a.name, a.id) for a in snap.agencies)], quiet=True)

    def filters(self) -> dict[str, object]:
        status = self.status.currentData()
        return {
            "search": self.search.text().strip() or None,
            "statuses": [status] if status else None,
            "risk": self.risk.currentData(),
            "lead_agency": self.lead.currentData(),
            "overdue_only": self.overdue.isChecked(),
            "review_due_by": (self.ctx.today_fn() + dt.timedelta(days=14)) if self.review_due.isChecked() else None,
            "case_fields": {
                fid: c.currentData() for fid, c in self.field_filters.items()
                if c.currentData() is not None and not str(c.currentData()).startswith(DATE_KEY)
            } or None,
            "date_ranges": {
                fid: date_range(str(c.currentData()), self.ctx.today_fn()) for fid, c in self.field_filters.items()
                if str(c.currentData() or "").startswith(DATE_KEY)
            } or None,
        }

    def _apply_filters(self) -> None:
        if not self.ctx.is_locked:
            self.model.filters = {k: v for k, v in self.filters().items() if v not in (None, "", False)}
            self.model.reload()

    def load(self) -> None:
        self._apply_filters()
        if self.pages.currentWidget() is self.view:
            self.view.reload()

    # --- case view -------------------------------------------------------------------------------
    def open_case(self, case_id: str | None) -> None:
        if not case_id:
            return
        self.pages.setCurrentWidget(self.view)
        self.view.show_case(case_id)

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.table.setFocus()

    def focus_find(self) -> bool:
        self.show_list()
        self.search.setFocus()
        self.search.selectAll()
        return True

    def save(self) -> bool:
        return self.pages.currentWidget() is self.view and self.view.save()

    def print_(self) -> bool:
        """Ctrl+P on an open case: its risk-management plan."""
        if self.pages.currentWidget() is not self.view or self.view.case_id is None:
            return False
        self.view.print_plan()
        return True
