"""Reports: the statistics of a period on screen, and the suppressed return saved to a file.

A period picker (UK dates, quick choices: last quarter, this financial year, last 12 months); the
figures are computed on the store worker (``services.statistics.compute``) and shown by
``reports.stats_view.StatsView``; "Save return…" writes the published return
(``services.statistics.write_return``, XLSX/CSV/PDF) on the store worker.

Invariants:
- The figures on screen are the raw ones and the screen says so; only ``write_return`` produces a
  file, and it writes suppressed figures only (counts under the threshold as "<5").
- A start after the end is refused inline; nothing is computed or saved for it.
- Only the coordinator and the chair produce statistics; anyone else is told so, no error dialog.
- A result for a period no longer chosen is dropped (the newest request wins).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QWidget

from app.models.enums import Role
from app.models.errors import InvalidInput
from app.models.statistics import Statistics
from app.services import statistics
from app.ui.context import UiContext
from app.ui.reports.stats_view import StatsView
from app.ui.screens.base import Screen, scrolled
from app.ui.widgets.common import date_edit, uk
from app.ui.widgets.controls import button, combo, field_label, row
from app.ui.widgets.plain import PlainLabel, muted

CUSTOM = "Custom dates"
LAST_QUARTER = "Last quarter"
FINANCIAL_YEAR = "This financial year"
LAST_12_MONTHS = "Last 12 months"
QUICK = (LAST_QUARTER, FINANCIAL_YEAR, LAST_12_MONTHS)
FILTERS = {
    "Excel workbook (*.xlsx)": ".xlsx",
    "CSV file (*.csv)": ".csv",
    "PDF document (*.pdf)": ".pdf",
}
DEBOUNCE_MS = 400


def quick_period(choice: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates of a quick choice, as at ``today``.

    Last quarter: the last complete calendar quarter. This financial year: 1 April to today.
    Last 12 months: the first of the month eleven months ago to today (twelve month columns)."""
    if choice == LAST_QUARTER:
        q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = q_start - dt.timedelta(days=1)
        return dt.date(end.year, end.month - 2, 1), end
    if choice == FINANCIAL_YEAR:
        return dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1), today
    if choice == LAST_12_MONTHS:
        y, m = divmod(today.year * 12 + today.month - 1 - 11, 12)
        return dt.date(y, m + 1, 1), today
    raise ValueError(choice)


def may_produce(role: Role) -> bool:
    return role in (Role.COORDINATOR, Role.CHAIR)


class ReportsScreen(Screen):
    title = "Reports"
    watches = ()  # any change can move a figure

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stats: Statistics | None = None
        self.saved_path: Path | None = None
        self._request = 0

        self.period_label = muted("", wrap=False)
        self.period_label.setAccessibleName("Period shown")
        self.header.addWidget(self.period_label)

        self.root.addLayout(self._build_period_bar())
        self.error = PlainLabel("", object_name="InlineError", wrap=True, accessible="Period problem")
        self.error.hide()
        self.root.addWidget(self.error)
        self.note = PlainLabel("", object_name="Hint", wrap=True, accessible="About these figures")
        self.root.addWidget(self.note)
        self.status = PlainLabel("", object_name="Muted", wrap=True, accessible="Status", selectable=True)
        self.status.hide()
        self.root.addWidget(self.status)
        self.view = StatsView()
        self.scroll_area = scrolled(self.view)
        self.scroll_area.setAccessibleName("Statistics for the period")
        self.root.addWidget(self.scroll_area, 1)
        self._watch_period()

    def _build_period_bar(self) -> QHBoxLayout:
        """Quick period, From and to dates, Refresh, and Save return."""
        self.quick = combo("Quick period", ((name, None) for name in (*QUICK, CUSTOM)))
        self.quick.setToolTip("Last quarter: the last complete calendar quarter. This financial year: "
                              "1 April to today. Last 12 months: twelve months to today.")
        self.start_edit = date_edit("From (start of the period)")
        self.end_edit = date_edit("To (end of the period)")
        self.save_button = button("Save return…", object_name="Primary",
                                  accessible="Save the statistics return (counts under 5 shown as <5)",
                                  tip="Save the return for this period as XLSX, CSV or PDF, with small counts "
                                      "suppressed")
        self.refresh_button = button("Refresh", accessible="Work out the figures again")
        bar = row(field_label("Period", self.quick), self.quick, field_label("From", self.start_edit),
                  self.start_edit, field_label("to", self.end_edit), self.end_edit, self.refresh_button, 1,
                  self.save_button)
        bar.setSpacing(8)
        return bar

    def _watch_period(self) -> None:
        """Work the figures out again, a moment after the period is changed."""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self._setting_dates = False
        self._set_note(5)
        self._apply_quick(FINANCIAL_YEAR)
        self.quick.currentTextChanged.connect(self._on_quick_changed)
        self.start_edit.dateChanged.connect(self._on_date_changed)
        self.end_edit.dateChanged.connect(self._on_date_changed)
        self.start_edit.textEdited.connect(self._on_date_changed)  # an unreadable date is refused at once
        self.end_edit.textEdited.connect(self._on_date_changed)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)

    # --- the period ------------------------------------------------------------------------------
    def period(self) -> tuple[dt.date, dt.date]:
        start, end = self.start_edit.day(), self.end_edit.day()
        if start is None or end is None:
            raise InvalidInput("The period needs a start and an end date (dd/mm/yyyy).")
        return start, end

    def set_period(self, start: dt.date, end: dt.date) -> None:
        """Set both dates (a custom period) and work the figures out at once."""
        self._show_period(start, end, CUSTOM)
        self._debounce.stop()
        self.load_figures()

    def _apply_quick(self, choice: str) -> None:
        start, end = quick_period(choice, self.ctx.today_fn())
        self._show_period(start, end, choice)

    def _show_period(self, start: dt.date, end: dt.date, choice: str) -> None:
        self._setting_dates = True
        try:
            self.start_edit.setDate(QDate(start.year, start.month, start.day))
            self.end_edit.setDate(QDate(end.year, end.month, end.day))
            self.quick.setCurrentText(choice)
        finally:
            self._setting_dates = False
        self._period_edited()

    def _on_quick_changed(self, choice: str) -> None:
        if self._setting_dates or choice not in QUICK:
            return
        self._apply_quick(choice)
        self._debounce.stop()
        self.load_figures()

    def _on_date_changed(self) -> None:
        if self._setting_dates:
            return
        self._setting_dates = True
        self.quick.setCurrentText(CUSTOM)
        self._setting_dates = False
        if self._period_edited():
            self._debounce.start()

    def _period_edited(self) -> bool:
        """Check the period; refuse a start after the end inline. True when it is usable."""
        start, end = self.start_edit.day(), self.end_edit.day()
        ok = start is not None and end is not None and start <= end
        if ok:
            self.error.hide()
        else:
            if start is None or end is None:
                which = "start" if start is None else "end"
                self.error.setText(f"The {which} of the period is not a date: write it as dd/mm/yyyy. "
                                   "No figures are worked out until then.")
            else:
                self.error.setText(f"The start of the period ({uk(start)}) is after its end ({uk(end)}). "
                                   "Choose a start on or before the end; no figures are worked out until then.")
            self.error.show()
            self._debounce.stop()
        self.save_button.setEnabled(ok and self._allowed())
        self.refresh_button.setEnabled(ok and self._allowed())
        return ok

    def _on_debounce_timeout(self) -> None:
        self.load_figures()

    def _on_refresh_clicked(self) -> None:
        self.load_figures()

    # --- figures ---------------------------------------------------------------------------------
    def _allowed(self) -> bool:
        snap = self.ctx.snapshot
        return snap is not None and may_produce(snap.workstation.member.role)

    def load(self) -> None:
        if self.quick.currentText() in QUICK:  # a quick choice follows the date (e.g. after midnight)
            self._apply_quick(self.quick.currentText())
        self.load_figures()

    def load_figures(self) -> None:
        if not self._allowed():
            self.note.setText("Statistics are produced by the coordinator and the chair. Ask them for the "
                              "figures or a return.")
            self.save_button.setEnabled(False)
            self.refresh_button.setEnabled(False)
            return
        if not self._period_edited():
            return
        start, end = self.period()
        self._request += 1
        request = self._request
        self.period_label.setText(f"Working out {statistics.describe_period(start, end)}…")

        def done(stats: Statistics) -> None:
            if request == self._request:
                self._on_figures(stats)

        self.ctx.run(lambda s: statistics.compute(s, start=start, end=end), owner=self, on_done=done)

    def _on_figures(self, stats: Statistics) -> None:
        self.stats = stats
        self.view.set_statistics(stats)
        self.period_label.setText(f"{statistics.describe_period(stats.start, stats.end)} · as at {uk(stats.today)}")
        self._set_note(stats.threshold)

    def _set_note(self, threshold: int) -> None:
        self.note.setText(f"Figures on screen are not suppressed; saved returns show counts under {threshold} as "
                          f"<{threshold}. Referral figures follow the cases received in the period; actions "
                          "are those due in the period; overdue is as at today.")

    # --- the return ------------------------------------------------------------------------------
    def _on_save_clicked(self) -> None:
        if not self._period_edited():
            return
        start, end = self.period()
        suggested = str(Path.home() / f"statistics-return-{start.isoformat()}-to-{end.isoformat()}.xlsx")
        name, chosen = QFileDialog.getSaveFileName(self, "Save the statistics return", suggested,
                                                   ";;".join(FILTERS), next(iter(FILTERS)))
        if not name:
            return
        out = Path(name)
        if out.suffix.casefold() not in statistics.FORMATS:
            out = out.with_name(out.name + FILTERS.get(chosen, ".xlsx"))
        self.save_button.setEnabled(False)
        self.status.setText(f"Saving the return for {statistics.describe_period(start, end)}…")
        self.status.show()

        def failed(exc: BaseException) -> None:
            from app.ui.errors import show_error

            self.status.hide()
            self._period_edited()
            show_error(self, exc)

        self.ctx.run(lambda s: statistics.write_return(s, start=start, end=end, out=out), owner=self,
                     on_done=self._on_saved, on_error=failed)

    def _on_saved(self, path: Path) -> None:
        self.saved_path = Path(path)
        self._period_edited()
        t = self.stats.threshold if self.stats else 5
        self.status.setText(f"Return saved to {path}. Counts under {t} are shown there as <{t}, and figures "
                            "that would reveal them are withheld.")
        self.status.show()

    def save(self) -> bool:  # Ctrl+S on this screen saves the return
        if self.save_button.isEnabled():
            self._on_save_clicked()
            return True
        return False
