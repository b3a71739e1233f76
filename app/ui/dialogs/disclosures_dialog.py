"""Records → Disclosures…: what this store sent or printed, to whom and when (issue 16).

Job: ``DisclosuresDialog`` shows the disclosure log (``services.disclosures``: one row per pack,
plan, minutes, subject access report, exchange file, statistics return or saved attachment, read
from the audit log) with its filters — case (ref), recipient's agency, recipient, period — and
saves the rows shown as a spreadsheet or a PDF (one button each), marked as the panel's documents.

Invariants:
- Store work only through ``UiContext.run`` (the store worker); the GUI thread never waits.
- The rows shown and the rows saved come from the same filters, resolved by the service; a bad
  filter (an unknown ref, a period that ends before it starts) is one sentence under the filters
  and the table keeps what it showed.
- Names are shown as plain text (``RowsModel``); messages shown are ``AppError.user_message``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.disclosures import DisclosureRow
from app.services import disclosures
from app.services import panel as panel_svc
from app.ui.context import UiContext
from app.ui.documents import jobs
from app.ui.errors import safe_message
from app.ui.itemmodels.rows import Column, RowsModel, SortRole
from app.ui.widgets.common import date_edit
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import make_table, set_widths, text_width, wrap_rows

SAVE_FILTERS = {".xlsx": "Excel workbook (*.xlsx)", ".pdf": "PDF document (*.pdf)"}


def _to(r: DisclosureRow) -> str:
    if not r.recipient:
        return "—"
    return r.recipient + (f", copy {r.copy_number}" if r.copy_number is not None else "")


class DisclosuresDialog(QDialog):
    loaded = Signal(int)  # rows shown
    saved = Signal(object)  # the Path written
    failed = Signal(str)  # the sentence shown

    def __init__(self, parent: QWidget | None, ctx: UiContext) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Disclosures")
        self.setMinimumSize(900, 480)
        # as wide as the window allows (a 1280-wide laptop): What, About and To shown whole
        self.resize(min(1180, parent.window().width() - 80) if parent is not None else 900, 520)
        v = QVBoxLayout(self)
        v.addWidget(muted("Every pack, plan, minutes, subject access report, exchange file, "
                          "statistics return and saved attachment this store recorded in its "
                          "audit log: what, about which cases, to whom and by whom."))
        v.addLayout(self._build_filters())
        self.error = PlainLabel("", object_name="InlineError", wrap=True,
                                accessible="Filter problem")
        self.error.hide()
        v.addWidget(self.error)
        v.addWidget(self._build_table(), 1)
        self.status = PlainLabel("", accessible="Disclosures status")
        v.addWidget(self.status)
        v.addLayout(self._build_buttons())
        self._load_choices()
        self.load()

    def _build_filters(self) -> QHBoxLayout:
        """Case, agency, member and period, and Show."""
        ctx = self.ctx
        bar = QHBoxLayout()
        self.case_edit = QLineEdit()
        self.case_edit.setPlaceholderText("Case ref")
        self.case_edit.setAccessibleName("Only disclosures that carried this case (its ref)")
        self.case_edit.setClearButtonEnabled(True)
        self.case_edit.returnPressed.connect(self.load)
        self.agency_box = QComboBox()
        self.agency_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.agency_box.setMaximumWidth(260)
        self.agency_box.setAccessibleName("Only disclosures to members of this agency")
        self.agency_box.addItem("Any agency", None)
        self.member_box = QComboBox()
        self.member_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.member_box.setMaximumWidth(220)
        self.member_box.setAccessibleName("Only disclosures to this member")
        self.member_box.addItem("Anyone", None)
        self.start_edit = date_edit("From (first day of the period)", today_fn=ctx.today_fn)
        self.end_edit = date_edit("To (last day of the period)", today_fn=ctx.today_fn)
        for edit in (self.start_edit, self.end_edit):  # room for dd/mm/yyyy beside the calendar button
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        self.show_button = QPushButton("&Show")
        self.show_button.setAccessibleName("Show the disclosures matching these filters")
        self.show_button.clicked.connect(self.load)
        for label, w in (("Case", self.case_edit), ("Agency", self.agency_box),
                         ("To", self.member_box), ("From", self.start_edit),
                         ("until", self.end_edit)):
            text = QLabel(label)
            text.setObjectName("FieldLabel")
            text.setBuddy(w)
            bar.addWidget(text)
            bar.addWidget(w)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        return bar

    def _build_table(self) -> QTableView:
        """The rows, newest first."""
        self.model: RowsModel[DisclosureRow] = RowsModel(
            [
                Column("When", lambda r: r.at.strftime("%d/%m/%Y %H:%M"), sort=lambda r: r.seq),
                Column("What", lambda r: r.what),
                Column("About", lambda r: r.about),
                Column("Cases", lambda r: r.cases_text),
                Column("To", _to),
                Column("Agency", lambda r: r.recipient_agency),
                Column("By", lambda r: r.by),
            ],
            lambda r: str(r.seq),
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = make_table("Disclosures", self.proxy)
        t = self.table
        set_widths(t, [text_width(t, "00/00/0000 00:00"), text_width(t, "Statistics return"),
                       text_width(t, "Meeting of 30 September 2026"), 0,
                       text_width(t, "Firstname Lastname, copy 12"),
                       text_width(t, "Northshire Integrated Care"),
                       text_width(t, "Firstname Lastname")], stretch=3, keep=(0,))
        wrap_rows(t)
        t.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first, as the log is
        return t

    def _build_buttons(self) -> QHBoxLayout:
        """Save as spreadsheet, Save as PDF, Close."""
        row = QHBoxLayout()
        self.xlsx_button = QPushButton("Save as &spreadsheet…")
        self.xlsx_button.setAccessibleName("Save the disclosures shown as an Excel workbook")
        self.xlsx_button.clicked.connect(lambda: self.request_save(".xlsx"))
        self.pdf_button = QPushButton("Save as &PDF…")
        self.pdf_button.setAccessibleName("Save the disclosures shown as a PDF")
        self.pdf_button.clicked.connect(lambda: self.request_save(".pdf"))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        row.addWidget(self.xlsx_button)
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    # --- filters ---------------------------------------------------------------------------------
    def _load_choices(self) -> None:
        def both(s: Any) -> tuple[list[Any], list[Any]]:
            return panel_svc.list_agencies(s), panel_svc.list_members(s)

        self.ctx.run(both, owner=self, on_done=self._fill_choices)

    def _fill_choices(self, found: tuple[list[Any], list[Any]]) -> None:
        agencies, members = found
        for a in sorted(agencies, key=lambda a: a.name.casefold()):
            self.agency_box.addItem(a.name, str(a.id))
        for m in sorted(members, key=lambda m: m.name.casefold()):
            self.member_box.addItem(m.name, str(m.id))
        self.agency_box.currentIndexChanged.connect(lambda _i: self.load())
        self.member_box.currentIndexChanged.connect(lambda _i: self.load())

    def filters(self) -> dict[str, Any]:
        """The filters as the service takes them (``resolve_filters``)."""
        for edit, what in ((self.start_edit, "start"), (self.end_edit, "end")):
            if edit.text().strip() and edit.day() is None:
                raise ValueError(f"The {what} of the period is not a date: write it as dd/mm/yyyy.")
        return {
            "case": self.case_edit.text().strip() or None,
            "agency": self.agency_box.currentData(),
            "member": self.member_box.currentData(),
            "start": self.start_edit.day(),
            "end": self.end_edit.day(),
        }

    def _chosen(self) -> dict[str, Any] | None:
        try:
            return self.filters()
        except ValueError as exc:
            self._error(exc)
            return None

    # --- loading ---------------------------------------------------------------------------------
    def load(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        self.ctx.run(lambda s: disclosures.disclosures(s, **chosen), owner=self,
                     on_done=self._show, on_error=self._error)

    def _show(self, rows: list[DisclosureRow]) -> None:
        self.error.hide()
        self.model.set_rows(rows)
        self.status.setText(f"{len(rows)} disclosure(s) listed." if rows
                            else "No disclosure matches these filters.")
        self._busy(False)
        self.loaded.emit(len(rows))

    def _error(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, ValueError) else safe_message(exc)
        self.error.setText(message)
        self.error.show()
        self._busy(False)
        self.failed.emit(message)

    # --- saving ----------------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        self.xlsx_button.setEnabled(not busy)
        self.pdf_button.setEnabled(not busy)

    def ask_path(self, suffix: str) -> Path | None:
        """Where to save (``suffix`` added when left out); None if the user cancelled."""
        day = dt.date.today().isoformat()
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the disclosure log", f"Disclosures {day}{suffix}", SAVE_FILTERS[suffix])
        if not name:
            return None
        out = Path(name)
        return out if out.suffix.casefold() == suffix else out.with_name(out.name + suffix)

    def request_save(self, suffix: str) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        out = self.ask_path(suffix)
        if out is None:
            return
        self._busy(True)
        self.status.setText("Saving the disclosure log…")

        def write(s: Any) -> Path:
            return disclosures.write_log(s, disclosures.resolve_filters(s, **chosen), out=out)

        self.ctx.run(write, owner=self, on_done=self._saved, on_error=self._error)

    def _saved(self, path: Path) -> None:
        self._busy(False)
        self.status.setText(f"Saved {path.name}.")
        jobs.open_in_system(path)
        self.saved.emit(path)


def show_disclosures(parent: QWidget | None, ctx: UiContext) -> DisclosuresDialog:
    dlg = DisclosuresDialog(parent, ctx)
    dlg.open()
    return dlg
