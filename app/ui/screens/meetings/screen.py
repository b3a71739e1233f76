"""Meetings: a month calendar and the list of meetings; scheduling; the editor for one meeting.

Invariant: meeting dates show in the calendar as bold days; the list is a model, the editor is
rebuilt per meeting so an edit in one meeting never leaks into another.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFormLayout,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import Meeting
from app.models.enums import Role
from app.services import meetings
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, RowsModel
from app.ui.screens.base import Screen, scrolled
from app.ui.screens.meetings.editor import MeetingEditor
from app.ui.widgets.common import Section, date_edit, day_or_say, qdate_to_date, uk
from app.ui.widgets.controls import button, combo, line_edit, page_column, refill, row
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import set_widths, sorted_table


class MeetingsScreen(Screen):
    title = "Meetings"
    watches = ("meeting", "agenda_item", "attendance")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._meetings: list[Meeting] = []
        split = QSplitter()
        left, lv = page_column()
        lv.addWidget(self._build_calendar())
        lv.addWidget(self._build_list(), 1)
        lv.addWidget(self._build_schedule())
        split.addWidget(scrolled(left))  # at small window sizes the column scrolls, the list keeps its rows
        self.editor_host = QWidget()
        self.editor_layout = QVBoxLayout(self.editor_host)
        self.editor_layout.setContentsMargins(14, 0, 0, 0)
        self.editor: MeetingEditor | None = None
        self.editor_layout.addWidget(PlainLabel("Choose a meeting.", object_name="Muted"))
        split.addWidget(self.editor_host)
        left.setMinimumWidth(340)
        split.setSizes([360, 680])
        split.setChildrenCollapsible(False)
        split.setStretchFactor(1, 1)
        self.root.addWidget(split, 1)

    def _build_calendar(self) -> QCalendarWidget:
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Meeting calendar")
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.SingleLetterDayNames)
        self.calendar.setMinimumHeight(236)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        return self.calendar

    def _build_list(self) -> QTableView:
        self.model: RowsModel[Meeting] = RowsModel(
            [
                Column("Date", lambda m: uk(m.held_on), sort=lambda m: (m.held_on, m.time)),
                Column("Time", lambda m: m.time),
                Column("Status", lambda m: m.status.capitalize(),
                       kind=lambda m: {"held": "muted", "scheduled": "accent"}.get(m.status, "info")),
                Column("Items", lambda m: str(len(m.agenda)), sort=lambda m: len(m.agenda), align_right=True),
                Column("Venue", lambda m: m.venue),
            ],
            lambda m: m.id,
            self,
        )
        self.proxy, self.table = sorted_table("Meetings", self.model, self, chip_columns=(2,))
        set_widths(self.table, [92, 56, 0, 52], stretch=2)
        self.table.setColumnHidden(4, True)  # the venue is in the editor's title; no room here
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.table.setMinimumHeight(170)  # five meetings or so in view, never two
        return self.table

    def _build_schedule(self) -> Section:
        """Date, time, venue and chair of a new meeting (the coordinator's), and Schedule."""
        today_fn = self.ctx.today_fn
        self.new_box = Section("Schedule a meeting")
        form = QFormLayout()
        self.when = date_edit("Meeting date", today_fn() + dt.timedelta(days=14), today_fn=today_fn)
        self.time = line_edit("Meeting time")
        self.time.setText("10:00")
        self.venue = line_edit("Venue")
        self.chair = combo("Chair")
        form.addRow("&Date", self.when)
        form.addRow("T&ime", self.time)
        form.addRow("&Venue", self.venue)
        form.addRow("C&hair", self.chair)
        self.new_box.body.addLayout(form)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        self.schedule_button = button("&Schedule", accessible="Schedule meeting",
                                      on_click=self._on_schedule_button_clicked)
        self.new_box.body.addLayout(row((self.error, 1), self.schedule_button))
        return self.new_box

    def load(self) -> None:
        snap = self.ctx.snapshot
        if snap is not None:
            refill(self.chair, [("No chair yet", None), *((f"{m.name} ({snap.agency_short(m.agency_id)})", m.id)
                                                          for m in snap.members if m.role is Role.CHAIR)])
            self.new_box.setVisible(snap.workstation.member.role is Role.COORDINATOR)
        self.ctx.run(meetings.list_meetings, owner=self, on_done=self._on_loaded)

    def _on_loaded(self, ms: list[Meeting]) -> None:
        self._meetings = ms
        self.model.set_rows(ms)
        fmt = QTextCharFormat()
        fmt.setFontWeight(700)
        fmt.setForeground(Qt.GlobalColor.darkBlue)
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())
        for m in ms:
            self.calendar.setDateTextFormat(QDate(m.held_on.year, m.held_on.month, m.held_on.day), fmt)
        if self.editor is not None:
            self.editor.reload()
        elif ms:
            upcoming = [m for m in ms if m.held_on >= self.ctx.today_fn()]
            self.select_meeting((min(upcoming, key=lambda m: m.held_on) if upcoming else ms[-1]).id)

    def select_meeting(self, meeting_id: str) -> None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(IdRole) == meeting_id:
                self.table.setCurrentIndex(self.proxy.index(r, 0))
                return

    def _on_calendar_clicked(self, day: QDate) -> None:
        for m in self._meetings:
            if m.held_on == qdate_to_date(day):
                self.select_meeting(m.id)
                return

    def _on_table_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if not current.isValid():
            return
        mid = self.proxy.index(current.row(), 0).data(IdRole)
        if self.editor is not None and self.editor.meeting_id == mid:
            return
        self.open_editor(mid)

    def open_editor(self, meeting_id: str) -> MeetingEditor:
        if self.editor is not None:
            self.editor.stash_drafts()  # its drafts outlive it (app.ui.drafts)
        while self.editor_layout.count():
            item = self.editor_layout.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.editor = MeetingEditor(self.ctx, meeting_id)
        self.editor_layout.addWidget(self.editor)
        m = next((x for x in self._meetings if x.id == meeting_id), None)
        if m is not None:
            self.calendar.setSelectedDate(QDate(m.held_on.year, m.held_on.month, m.held_on.day))
        return self.editor

    def _on_schedule_button_clicked(self) -> None:
        held = day_or_say(self.when, "meeting date", self.error)
        if held is None:
            return
        time, venue, chair = self.time.text(), self.venue.text(), self.chair.currentData()
        self.error.setText("")

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.error.setText(safe_message(exc))

        def done(mid: str) -> None:
            self.venue.clear()
            self.open_editor(mid)

        self.ctx.run(lambda s: meetings.schedule_meeting(s, held_on=held, time=time, venue=venue, chair=chair),
                     owner=self, mutates=True, on_done=done, on_error=failed)

    def new_item(self) -> bool:
        self.when.setFocus()
        return True

    def save(self) -> bool:
        return self.editor is not None and self.editor.save()

    def print_(self) -> bool:
        """Ctrl+P on Meetings: the minutes of the meeting being edited."""
        if self.editor is None:
            return False
        self.editor.print_minutes(summary=False)
        return True
