"""Case Summary boxes that change who holds a case: consent, sharing/lead/marking, case officer.

Invariants:
- Each box is one explicit button press → one service call (``cases.record_consent``,
  ``cases.set_sharing`` + ``cases.set_marking``, ``cases.set_case_officer``); the services check
  the role and the hub, the boxes only mirror that: controls a user may not use are disabled with
  a tooltip saying who can (never hidden, so people know the thing exists).
- A refused change shows the service's message in the box; nothing is changed on screen until the
  store has taken it (the case file reloads through ``ctx.changed``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.models.domain import CaseFile
from app.models.enums import ConsentState, Marking, MemberStatus, Role
from app.models.ids import AgencyId
from app.services.cases import sharing
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.widgets.common import Section, date_edit
from app.ui.widgets.controls import button, combo, line_edit
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import wrap_list

HUB_ONLY = "Only the panel coordinator's workstation (the hub) can change this."
COORDINATOR_ONLY = "Only the panel coordinator can change this."
CONSENT_ROLES = "Only the coordinator or the chair records consent."


def _label(text: str, buddy: QWidget) -> PlainLabel:
    label = PlainLabel(text, object_name="FieldLabel")
    label.setBuddy(buddy)
    return label


class _Box(Section):
    def __init__(self, ctx: UiContext, title: str) -> None:
        super().__init__(title)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(6)
        self.body.addLayout(self.form)
        self.row = QHBoxLayout()
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        self.row.addWidget(self.error, 1)
        self.body.addLayout(self.row)

    def _run(self, fn: Callable[[Session], object], done: Callable[[], None] | None = None) -> None:
        self.error.setText("")

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.error.setText(safe_message(exc))

        def ok(_r: object) -> None:
            if done is not None:
                done()

        self.ctx.run(fn, owner=self, mutates=True, on_done=ok, on_error=failed)

    @staticmethod
    def _allow(widgets: tuple[QWidget, ...], allowed: bool, why: str) -> None:
        for w in widgets:
            w.setEnabled(allowed)
            w.setToolTip("" if allowed else why)


class ConsentBox(_Box):
    """Record consent given, refused or withdrawn, by the subject, a parent or a guardian."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "Record consent")
        self.state = combo("Consent")
        for st in ConsentState:
            self.state.addItem(st.value.capitalize(), st)
        self.given_by = combo("Consent given by")
        for who in ("subject", "parent", "guardian"):
            self.given_by.addItem(who.capitalize(), who)
        self.notes = line_edit("Consent notes", placeholder="Notes (optional)")
        # refused or withdrawn consent is looked at again: on the date typed, else the programme's
        days = ctx.snap.programme.intervals.consent_reassess_days if ctx.snapshot else 90
        self.reassess = date_edit("Re-assess consent on", today_fn=ctx.today_fn)
        self.reassess.setPlaceholderText(f"dd/mm/yyyy (blank: in {days} days)")
        self.form.addRow(_label("&Consent", self.state), self.state)
        self.form.addRow(_label("&By", self.given_by), self.given_by)
        self.form.addRow(_label("&Notes", self.notes), self.notes)
        self.form.addRow(_label("Re-&assess on", self.reassess), self.reassess)
        self.state.currentIndexChanged.connect(self._on_state_changed)
        self._on_state_changed()
        self.record_button = button("&Record consent", accessible="Record consent",
                                    on_click=self._on_record_button_clicked)
        self.row.addWidget(self.record_button)

    def show_case(self, cf: CaseFile) -> None:
        self.cf = cf
        self.error.setText("")
        role = self.ctx.snap.workstation.member.role
        self._allow((self.state, self.given_by, self.notes, self.record_button),
                    role in (Role.COORDINATOR, Role.CHAIR), CONSENT_ROLES)
        self._on_state_changed()

    def _on_state_changed(self, _i: int = 0) -> None:
        """A re-assessment date only for refused or withdrawn consent."""
        needed = self.state.currentData() in (ConsentState.REFUSED, ConsentState.WITHDRAWN)
        self.reassess.setEnabled(needed and self.state.isEnabled())

    def _on_record_button_clicked(self) -> None:
        if self.cf is None:
            return
        if not self.reassess.is_valid():
            self.error.setText("The re-assessment date is not a date: write it as dd/mm/yyyy.")
            return
        cid, state, by, notes = (self.cf.case.id, ConsentState(self.state.currentData()), str(self.given_by.currentData()),
                                 self.notes.text())
        again = self.reassess.day() if self.reassess.isEnabled() else None
        self._run(lambda s: sharing.record_consent(s, case_id=cid, state=state, given_by=by, notes=notes,
                                                 reassess_on=again),
                  done=self._recorded)

    def _recorded(self) -> None:
        self.notes.clear()
        self.reassess.clear()


class SharingBox(_Box):
    """Who the case is shared with, its lead agency and marking (hub), and its case officer."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "Sharing, marking and case officer")
        self.agencies = QListWidget()
        self.agencies.setAccessibleName("Agencies the case is shared with")
        self.agencies.setMaximumHeight(118)
        wrap_list(self.agencies)  # long agency names wrap; no sideways scrolling
        self.lead = combo("Lead agency")
        self.marking = combo("Case marking")
        for m in Marking:
            self.marking.addItem(m.value, m)
        self.form.addRow(_label("&Shared with", self.agencies), self.agencies)
        self.form.addRow(_label("&Lead agency", self.lead), self.lead)
        self.form.addRow(_label("&Marking", self.marking), self.marking)
        self.save_button = button("Save s&haring", accessible="Save sharing, lead agency and marking",
                                  on_click=self._on_save_button_clicked)
        officer_row = QHBoxLayout()
        self.officer = combo("Case officer")
        self.assign_button = button("Assi&gn", accessible="Assign case officer",
                                    on_click=self._on_assign_button_clicked)
        officer_row.addWidget(self.officer, 1)
        officer_row.addWidget(self.assign_button)
        self.form.addRow(_label("Case &officer", self.officer), officer_row)
        self.row.addWidget(self.save_button)

    def show_case(self, cf: CaseFile) -> None:
        self.cf = cf
        self.error.setText("")
        snap = self.ctx.snap
        case = cf.case
        self.agencies.clear()
        self.lead.clear()
        for a in snap.agencies:
            item = QListWidgetItem(f"{a.name} ({a.short})")
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if a.id in case.shared_with else Qt.CheckState.Unchecked)
            self.agencies.addItem(item)
            self.lead.addItem(a.name, a.id)
        self.lead.setCurrentIndex(max(0, self.lead.findData(case.lead_agency)))
        self.marking.setCurrentIndex(max(0, self.marking.findData(case.marking)))
        self.officer.clear()
        self.officer.addItem("No case officer", None)
        for m in snap.members:
            if m.status is MemberStatus.ACTIVE or m.id == case.case_officer:
                self.officer.addItem(f"{m.name} ({snap.agency_short(m.agency_id)})", m.id)
        self.officer.setCurrentIndex(max(0, self.officer.findData(case.case_officer)))
        # as wide as its longest name, whichever is chosen ("Gareth Lloyd (CSC)" was cut with the
        # client's fonts at 1366x768 at 125 %)
        self.officer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.officer.setMinimumWidth(self.officer.sizeHint().width())
        hub = snap.workstation.is_hub
        self._allow((self.agencies, self.lead, self.marking, self.save_button), hub, HUB_ONLY)
        self._allow((self.officer, self.assign_button), snap.workstation.member.role is Role.COORDINATOR,
                    COORDINATOR_ONLY)

    def shared_ids(self) -> list[AgencyId]:
        out = []
        for i in range(self.agencies.count()):
            item = self.agencies.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(AgencyId(str(item.data(Qt.ItemDataRole.UserRole))))
        return out

    def _on_save_button_clicked(self) -> None:
        if self.cf is None:
            return
        cid, shared = self.cf.case.id, self.shared_ids()
        lead = AgencyId(str(self.lead.currentData())) if self.lead.currentData() else None
        marking = Marking(self.marking.currentData())
        old_marking = self.cf.case.marking

        def job(s: Session) -> None:
            sharing.set_sharing(s, case_id=cid, shared_with=shared, lead_agency=lead)
            if marking is not old_marking:
                sharing.set_marking(s, case_id=cid, marking=marking)

        self._run(job)

    def _on_assign_button_clicked(self) -> None:
        if self.cf is None:
            return
        cid, member = self.cf.case.id, self.officer.currentData()
        self._run(lambda s: sharing.set_case_officer(s, case_id=cid, member_id=member))
