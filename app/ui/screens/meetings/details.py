"""The meeting editor's Details tab: date, time, venue and chair after scheduling.

Invariants: only the coordinator can change them and only while the meeting is scheduled (the
service checks both; the controls are disabled with a tooltip saying why otherwise); nothing is
saved until "Save details", and a refused change leaves the form as typed with the reason shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import Meeting
from app.models.enums import Role
from app.models.errors import InvalidInput
from app.services import meetings
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.widgets.common import date_edit, required_day
from app.ui.widgets.plain import muted


class MeetingDetails(QWidget):
    def __init__(self, ctx: UiContext, run: Callable[[Callable[[Session], object]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._run = run
        self.meeting: Meeting | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(12, 12, 12, 12)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.when = date_edit("Meeting date", today_fn=ctx.today_fn)
        self.time = QLineEdit()
        self.time.setAccessibleName("Meeting time (HH:MM)")
        self.time.setInputMask("99:99")
        self.time.setMaximumWidth(80)
        self.venue = QLineEdit()
        self.venue.setAccessibleName("Venue")
        self.venue.setMaxLength(300)
        self.chair = QComboBox()
        self.chair.setAccessibleName("Chair")
        form.addRow("&Date", self.when)
        form.addRow("&Time", self.time)
        form.addRow("&Venue", self.venue)
        form.addRow("C&hair", self.chair)
        v.addLayout(form)
        row = QHBoxLayout()
        self.note = muted("")
        row.addWidget(self.note, 1)
        self.save_button = QPushButton("Save &details")
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save meeting details")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        row.addWidget(self.save_button)
        v.addLayout(row)
        v.addStretch(1)
        self.setTabOrder(self.when, self.time)
        self.setTabOrder(self.time, self.venue)
        self.setTabOrder(self.venue, self.chair)
        self.setTabOrder(self.chair, self.save_button)

    def show_meeting(self, m: Meeting) -> None:
        first = self.meeting is None or self.meeting.id != m.id
        self.meeting = m
        snap = self.ctx.snap
        self.chair.blockSignals(True)
        self.chair.clear()
        self.chair.addItem("No chair yet", None)
        for mem in snap.members:
            if mem.role is Role.CHAIR or mem.id == m.chair:
                self.chair.addItem(f"{mem.name} ({snap.agency_short(mem.agency_id)})", mem.id)
        self.chair.setCurrentIndex(max(0, self.chair.findData(m.chair)))
        self.chair.blockSignals(False)
        if first:
            self.when.setDate(QDate(m.held_on.year, m.held_on.month, m.held_on.day))
            self.time.setText(m.time)
            self.venue.setText(m.venue)
        coordinator = snap.workstation.member.role is Role.COORDINATOR
        editable = coordinator and m.status == "scheduled"
        why = ("" if editable else
               "Only the panel coordinator can change a meeting's details." if not coordinator else
               "This meeting has been held: its details stay as they were.")
        for w in (self.when, self.time, self.venue, self.chair, self.save_button):
            w.setEnabled(editable)
            w.setToolTip(why)
        self.note.setText(why)

    def _on_save_button_clicked(self) -> None:
        if self.meeting is None:
            return
        try:
            held = required_day(self.when, "meeting date")
        except InvalidInput as exc:
            self.note.setText(exc.user_message)
            return
        mid, time, venue, chair = self.meeting.id, self.time.text(), self.venue.text(), self.chair.currentData()
        self._run(lambda s: meetings.update_meeting(s, meeting_id=mid, held_on=held, time=time, venue=venue,
                                                      chair=chair))

    def set_details(self, *, time: str | None = None, venue: str | None = None) -> None:
        """Tests and scripts: type into the form the way a user would."""
        if time is not None:
            self.time.setText(time)
        if venue is not None:
            self.venue.setText(venue)

