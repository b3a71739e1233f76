"""The meeting editor's Attendance tab: the confidentiality statement and each member's
attendance, saved as it is changed (a part of ``MeetingEditor``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QWidget

from app.models.enums import Attendance, Role
from app.models.ids import MemberId
from app.services import meetings, ui_queries
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.widgets.controls import check, combo, page_column
from app.ui.widgets.plain import PlainLabel


class AttendanceTab:
    """Mixed into ``MeetingEditor``, which supplies what is declared here."""

    ctx: UiContext
    meeting_id: str
    view: ui_queries.MeetingView | None
    _run: Callable[..., None]  # MeetingEditor._run: one service call, then the meeting reloads

    def _build_attendance(self) -> QWidget:
        page, v = page_column()
        # the sentence wraps in the label; the box itself stays narrow (the editor shares its width)
        v.addWidget(PlainLabel("Confidentiality statement read and agreed by those present:", wrap=True,
                               accessible="Confidentiality statement"))
        self.statement_read = check("Read and agreed",
                                    "Confidentiality statement read and agreed by those present")
        self.statement_read.toggled.connect(self._on_statement_read_toggled)
        v.addWidget(self.statement_read)
        inner = QWidget()
        self.att_grid = QGridLayout(inner)
        self.att_grid.setColumnStretch(0, 1)
        self.att_rows: dict[str, tuple[QComboBox, QCheckBox]] = {}
        v.addWidget(scrolled(inner), 1)
        return page

    def _on_statement_read_toggled(self, read: bool) -> None:
        mid = self.meeting_id
        self._run(lambda s: meetings.record_confidentiality(s, meeting_id=mid, read=read))

    def _fill_attendance(self) -> None:
        assert self.view is not None
        snap = self.ctx.snap
        m = self.view.meeting
        marked = {a.member_id: a for a in m.attendees}
        editable = snap.workstation.member.role is Role.COORDINATOR
        self.statement_read.blockSignals(True)
        self.statement_read.setChecked(m.confidentiality_read)
        self.statement_read.setEnabled(m.status == "scheduled" and editable)
        self.statement_read.blockSignals(False)
        if not self.att_rows:
            for r, mem in enumerate(sorted(snap.members, key=lambda x: (snap.agency_short(x.agency_id), x.name))):
                name = PlainLabel(f"{mem.name}", accessible="Member")
                agency = PlainLabel(snap.agency_short(mem.agency_id) + (f" · {mem.area}" if mem.area else ""), object_name="Muted")
                box = combo(f"Attendance of {mem.name}")
                box.addItem("Not recorded", None)
                for a in Attendance:
                    box.addItem(a.value.capitalize(), a)
                agreed = check("Confidentiality agreed", f"{mem.name} agreed the confidentiality statement")
                # the agency goes under the name: four columns side by side were wider than the
                # editor at 1366x768 at 125 % with the client's fonts (the box was cut off)
                who, who_v = page_column()
                who_v.setSpacing(0)
                who_v.addWidget(name)
                who_v.addWidget(agency)
                self.att_grid.addWidget(who, r, 0)
                self.att_grid.addWidget(box, r, 1)
                self.att_grid.addWidget(agreed, r, 2)
                self.att_rows[mem.id] = (box, agreed)
                box.currentIndexChanged.connect(lambda _i, mid=mem.id: self._on_attendance_changed(mid))
                agreed.toggled.connect(lambda _b, mid=mem.id: self._on_attendance_changed(mid))
            self.att_grid.setRowStretch(len(self.att_rows), 1)
        for mid, (box, agreed) in self.att_rows.items():
            box.blockSignals(True)
            agreed.blockSignals(True)
            rec = marked.get(MemberId(mid))
            box.setCurrentIndex(box.findData(rec.attendance) if rec else 0)
            agreed.setChecked(bool(rec and rec.confidentiality_agreed))
            box.setEnabled(editable)
            agreed.setEnabled(editable)
            box.blockSignals(False)
            agreed.blockSignals(False)

    def _on_attendance_changed(self, member_id: str) -> None:
        box, agreed = self.att_rows[member_id]
        if box.currentData() is None:
            return
        att = Attendance(box.currentData())
        mid, ok = self.meeting_id, agreed.isChecked()
        member = MemberId(member_id)
        self._run(lambda s: meetings.set_attendance(s, meeting_id=mid, member_id=member,
                                                    attendance=att, confidentiality_agreed=ok))

    def set_attendance(self, member_id: str, attendance: Attendance, agreed: bool = True) -> None:
        """Used by keyboard users' tests and by scripts: the same path as the combo box."""
        choice, box = self.att_rows[member_id]
        box.blockSignals(True)
        box.setChecked(agreed)
        box.blockSignals(False)
        choice.setCurrentIndex(choice.findData(attendance))
