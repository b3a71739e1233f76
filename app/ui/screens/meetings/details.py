"""The meeting editor's Details tab: date, time, venue and chair after scheduling.

Invariants: only the coordinator can change them and only while the meeting is scheduled (the
service checks both; the controls are disabled with a tooltip saying why otherwise); nothing is
saved until "Save details", and a refused change leaves the form as typed with the reason shown.
What is typed and not saved is a draft of its meeting (``("meeting_details", meeting_id)`` in
``ctx.drafts``): kept when another meeting is chosen, shown again on return, saved or dropped at
close, and dropped by "Discard changes".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import Meeting
from app.models.enums import Role
from app.models.errors import InvalidInput
from app.models.fieldrules import field_limit
from app.services import meetings
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.widgets.common import chain_focus, date_edit, day_or_say, required_day, uk
from app.ui.widgets.controls import button, combo, line_edit, row
from app.ui.widgets.plain import muted


class MeetingDetails(QWidget):
    def __init__(self, ctx: UiContext, run: Callable[..., None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._run = run
        self.meeting: Meeting | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(12, 12, 12, 12)
        v.addLayout(self._build_form())
        self.note = muted("")
        self.discard_button = button("Discard changes", on_click=self.discard,
                                     accessible="Discard the unsaved changes to the meeting's details")
        self.discard_button.setAutoDefault(False)
        self.save_button = button("Save &details", accessible="Save meeting details", object_name="Primary",
                                  on_click=self._on_save_button_clicked)
        v.addLayout(row((self.note, 1), self.discard_button, self.save_button))
        v.addStretch(1)
        chain_focus(self.when, self.time, self.venue, self.chair, self.discard_button, self.save_button)
        self.when.textChanged.connect(self._update_discard)
        self.time.textChanged.connect(self._update_discard)
        self.venue.textChanged.connect(self._update_discard)
        self.chair.currentIndexChanged.connect(self._update_discard)
        self._update_discard()

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.when = date_edit("Meeting date", today_fn=self.ctx.today_fn)
        self.time = line_edit("Meeting time (HH:MM)", max_width=80)
        self.time.setInputMask("99:99")
        self.venue = line_edit("Venue", max_length=field_limit("meeting", "venue"))
        self.chair = combo("Chair")
        form.addRow("&Date", self.when)
        form.addRow("&Time", self.time)
        form.addRow("&Venue", self.venue)
        form.addRow("C&hair", self.chair)
        return form

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
        keep_chair = m.chair if first else self.chair.currentData()
        draft = self.ctx.drafts.get(self._key(m.id)) if first else None
        if draft is not None and isinstance(draft.value, tuple):
            keep_chair = draft.value[3]
        self.chair.setCurrentIndex(max(0, self.chair.findData(keep_chair)))
        self.chair.blockSignals(False)
        if first:
            if draft is not None and isinstance(draft.value, tuple):  # typed before, not saved
                when, time, venue, _chair = draft.value
                self.when.setText(when)
                self.time.setText(time)
                self.venue.setText(venue)
            else:
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
        self._update_discard()

    # --- the details typed and not saved are a draft of the meeting (app.ui.drafts) ---------------
    @staticmethod
    def _key(meeting_id: str) -> tuple[str, str]:
        return ("meeting_details", meeting_id)

    def _typed(self) -> tuple[object, str, str, object]:
        day = self.when.day()
        return (day if day is not None else self.when.text().strip(), self.time.text(), self.venue.text(),
                self.chair.currentData())

    def _changed(self) -> bool:
        m = self.meeting
        return m is not None and self._typed() != (m.held_on, m.time, m.venue, m.chair)

    def _update_discard(self, *_args: object) -> None:
        self.discard_button.setEnabled(self._changed())

    def stash(self) -> None:
        """File what is in the form as a draft of the meeting shown, or drop its draft when the form
        shows what is saved. Called on leaving the meeting and whenever the drafts are asked for."""
        m = self.meeting
        if m is None:
            return
        key = self._key(m.id)
        if not self._changed():
            self.ctx.drafts.remove(key)
            return
        mid, time, venue, chair = m.id, self.time.text(), self.venue.text(), self.chair.currentData()
        when_text = self.when.text()
        try:
            held = required_day(self.when, "meeting date")
            problem = ""
        except InvalidInput as exc:
            held, problem = None, exc.user_message

        def save(s: Session) -> None:
            if held is None:
                raise InvalidInput(problem)
            meetings.update_meeting(s, meeting_id=mid, held_on=held, time=time, venue=venue, chair=chair)

        self.ctx.drafts.put(Draft(key, f"Details of the meeting of {uk(m.held_on)}",
                                  (when_text, time, venue, chair), save))

    def discard(self) -> None:
        """Back to the saved details; the draft goes."""
        m = self.meeting
        if m is None:
            return
        self.ctx.drafts.remove(self._key(m.id))
        self.show_saved()

    def show_saved(self) -> None:
        m = self.meeting
        if m is None:
            return
        self.when.setDate(QDate(m.held_on.year, m.held_on.month, m.held_on.day))
        self.time.setText(m.time)
        self.venue.setText(m.venue)
        self.chair.setCurrentIndex(max(0, self.chair.findData(m.chair)))
        self._update_discard()

    def _on_save_button_clicked(self) -> None:
        if self.meeting is None:
            return
        held = day_or_say(self.when, "meeting date", self.note)
        if held is None:
            return
        mid, time, venue, chair = self.meeting.id, self.time.text(), self.venue.text(), self.chair.currentData()

        def saved(_r: object) -> None:  # anything typed after Save is filed again at the next stash
            self.ctx.drafts.remove(self._key(mid))

        self._run(lambda s: meetings.update_meeting(s, meeting_id=mid, held_on=held, time=time, venue=venue,
                                                      chair=chair), done=saved)

    def set_details(self, *, time: str | None = None, venue: str | None = None) -> None:
        """Tests and scripts: type into the form the way a user would."""
        if time is not None:
            self.time.setText(time)
        if venue is not None:
            self.venue.setText(venue)

