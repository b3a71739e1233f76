"""Summary tab: the subject, identifiers, the referral, screening and consent, and the status
(with the programme's case fields, if it has any, as the current assessment records them).

Invariant: the status box offers only ``rules.allowed_transitions`` for this programme, status and
the user's role; a transition that needs a rationale cannot be sent without one. A panel decision
(``panel_decision``) is sent with the meeting chosen for it, and cannot be sent without one.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from app.models import rules
from app.models.domain import CaseFile
from app.services import ui_queries
from app.services.cases import lifecycle
from app.services.history import long_date
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.screens.cases.case_admin import ConsentBox, SharingBox
from app.ui.screens.cases.tab_common import failed_into
from app.ui.widgets.common import Section, chain_focus, uk
from app.ui.widgets.controls import button, combo, text_box
from app.ui.widgets.plain import PlainLabel, muted


def _form(section: Section) -> QFormLayout:
    form = QFormLayout()
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(4)
    section.body.addLayout(form)
    return form


def _row(form: QFormLayout, label: str, value: str) -> PlainLabel:
    v = PlainLabel(value, wrap=True, selectable=True, accessible=label)
    form.addRow(PlainLabel(label, object_name="FieldLabel"), v)
    return v


class SummaryTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        inner = self._build_columns()
        self._build_status_rows()
        self._build_transition()
        self._build_rationale()
        self._build_page(inner)
        # keyboard order follows reading order: the status column top to bottom, then the right
        chain_focus(self.transition, self.meeting, self.rationale, self.change_button,
                    self.consent.state, self.consent.given_by, self.consent.notes, self.consent.reassess, self.consent.record_button,
                    self.sharing.agencies, self.sharing.lead, self.sharing.marking, self.sharing.officer,
                    self.sharing.assign_button, self.sharing.save_button)

    # --- layout ----------------------------------------------------------------------------------
    def _build_columns(self) -> QWidget:
        ctx = self.ctx
        inner = QWidget()
        inner.setObjectName("SummaryPage")
        # two calm columns that scroll together inside the tab: what to do now (status and the
        # transitions, screening, consent) | who and why (the person, the referral, sharing).
        # Each column stacks its cards at their own height; nothing shares a row height.
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, inner)
        self.columns.setContentsMargins(0, 0, 6, 6)
        self.columns.setSpacing(14)
        self.left, self.right = QVBoxLayout(), QVBoxLayout()
        for col in (self.left, self.right):
            col.setSpacing(14)
            self.columns.addLayout(col, 1)
        self.person = Section("Subject")
        self.referral = Section("Referral")
        self.status_box = Section("Status")
        self.screening = Section("Screening and consent")
        self.sharing = SharingBox(ctx)
        self.consent = ConsentBox(ctx)
        for w in (self.status_box, self.screening, self.consent):
            self.left.addWidget(w)
        for w in (self.person, self.referral, self.sharing):
            self.right.addWidget(w)
        self.left.addStretch(1)
        self.right.addStretch(1)
        self.person_form = _form(self.person)
        self.referral_form = _form(self.referral)
        self.screening_form = _form(self.screening)
        self.narrative = PlainLabel("", wrap=True, selectable=True, accessible="Referral narrative")
        self.referral.body.addWidget(self.narrative)
        return inner

    def _build_status_rows(self) -> None:
        ctx = self.ctx
        sf = self.status_form = _form(self.status_box)
        self.current_status = _row(sf, "Current", "")
        # a step another agency holds (the police gateway assessment): who, and when it is due
        self.step = _row(sf, "With", "")
        # the programme's case fields as the current assessment records them (none: no rows)
        fields = ctx.snap.programme.case_fields if ctx.snapshot else ()
        self.case_fields = {cf.id: _row(sf, cf.label, "") for cf in fields}
        # what a date field proposes once its date has passed ("Registration ended on … —
        # propose: …"); the change below starts on it, and the coordinator makes it, or not
        self.proposal = _row(sf, "Proposed", "")
        sf.setRowVisible(self.proposal, False)
        self.shared = _row(sf, "Shared with", "")
        self.lead = _row(sf, "Lead agency", "")
        self.officer = _row(sf, "Case officer", "")
        self.review = _row(sf, "Next review", "")

    def _build_transition(self) -> None:
        sf = self.status_form
        # the status change on rows of its own under its label, the box as wide as its longest
        # choice ("Consent withdrawn: re-assess later → Consent refused or withdrawn"): the
        # chosen change always shows whole, and the column widens for it when it must
        self.transition = combo("Change status to")
        self.transition.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # sizeHint: longest
        move_label = PlainLabel("&Move to", object_name="FieldLabel")
        move_label.setBuddy(self.transition)
        sf.addRow(move_label)
        sf.addRow(self.transition)
        # a panel decision (``panel_decision``) is taken at a meeting: which one, from the held
        # meetings (or one under way) that had the case on their agenda
        self.meeting = combo("Meeting the panel decided at")
        self.meeting_label = PlainLabel("Decided at the &meeting of", object_name="FieldLabel")
        self.meeting_label.setBuddy(self.meeting)
        sf.addRow(self.meeting_label)
        sf.addRow(self.meeting)
        self.no_meeting = PlainLabel("", wrap=True, object_name="InlineError", accessible="No meeting to decide at")
        sf.addRow(self.no_meeting)
        self._decision_meetings: list[lifecycle.DecisionMeeting] = []
        self.transition.currentIndexChanged.connect(self._show_meeting_choice)

    def _build_rationale(self) -> None:
        sf = self.status_form
        self.rationale = text_box("Rationale for the status change", placeholder="Rationale", max_height=70)
        rationale_label = PlainLabel("R&ationale", object_name="FieldLabel")
        rationale_label.setBuddy(self.rationale)
        sf.addRow(rationale_label)
        sf.addRow(self.rationale)
        row = QHBoxLayout()
        self.status_error = PlainLabel("", wrap=True, object_name="InlineError")
        row.addWidget(self.status_error, 1)
        self.change_button = button("Change &status", accessible="Change status",
                                    on_click=self._on_change_button_clicked)
        row.addWidget(self.change_button)
        self.status_box.body.addLayout(row)
        self.no_transitions = muted("")
        self.status_box.body.addWidget(self.no_transitions)

    def _build_page(self, inner: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.page_scroll = scrolled(inner)
        self.page_scroll.setAccessibleName("Case summary")
        layout.addWidget(self.page_scroll)
        self.page_scroll.viewport().installEventFilter(self)  # the page resized
        inner.installEventFilter(self)  # its widths changed (another case's status changes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        resized = event.type() == QEvent.Type.Resize and watched is self.page_scroll.viewport()
        relaid = event.type() == QEvent.Type.LayoutRequest and watched is self.page_scroll.widget()
        if resized or relaid:
            self.stack_columns()
        return False

    def stack_columns(self) -> None:
        """The two columns side by side when the page has room for both at their least widths
        (the status box is as wide as its longest change), else one above the other: the page
        scrolls rather than cut the right-hand column off."""
        m = self.columns.contentsMargins()
        need = (self.left.minimumSize().width() + self.right.minimumSize().width()
                + self.columns.spacing() + m.left() + m.right())
        narrow = self.page_scroll.viewport().width() < need
        want = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.columns.direction() != want:
            self.columns.setDirection(want)

    @staticmethod
    def _clear(form: QFormLayout) -> None:
        while form.rowCount():
            form.removeRow(0)

    def show_case(self, cf: CaseFile) -> None:
        self.cf = cf
        prog = self.ctx.snap.programme
        self._show_subject(cf)
        self._show_referral(cf)
        self._show_screening(cf)
        proposals = self._show_status(cf)
        self.sharing.show_case(cf)
        # a programme that seeks no consent (MAPPA: statutory) shows no consent at all
        self.consent.setVisible(prog.records_consent)
        screening_title = "Screening and consent" if prog.records_consent else "Screening"
        self.screening.title.setText(screening_title)
        self.screening.setAccessibleName(screening_title)
        if prog.records_consent:
            self.consent.show_case(cf)
        self.review.setText(uk(cf.case.next_review) or "None set")
        self._show_transitions(cf, proposals)

    def _show_subject(self, cf: CaseFile) -> None:
        s = cf.subject
        self._clear(self.person_form)
        age = s.age_on(self.ctx.today_fn())
        for label, value in (
            ("Name", s.display_name),
            ("Aliases", ", ".join(s.aliases)),
            ("Date of birth", f"{uk(s.date_of_birth)} (age {age})" if s.date_of_birth else "Not known"),
            ("Gender", s.gender),
            ("Ethnicity", s.ethnicity),
            ("Address", ", ".join(p for p in (s.address, s.postcode) if p)),
            ("Policing area", s.area),
            ("Identifiers", ", ".join(f"{i.kind.upper()} {i.value}" for i in s.identifiers)),
            ("Vulnerabilities", s.vulnerabilities),
        ):
            if value or label in ("Name", "Date of birth"):
                _row(self.person_form, label, value)

    def _show_referral(self, cf: CaseFile) -> None:
        prog = self.ctx.snap.programme
        self._clear(self.referral_form)
        ref = cf.referral
        if ref is not None:
            sector = next((c.label for c in prog.sectors if c.id == ref.sector), ref.sector)
            concern = next((c.label for c in prog.concerns if c.id == ref.concern), ref.concern)
            _row(self.referral_form, "Received", uk(ref.received))
            _row(self.referral_form, "Referrer", ref.referrer)
            _row(self.referral_form, "Sector", sector)
            _row(self.referral_form, "Concern", concern)
            self.narrative.setText(ref.narrative)
        else:
            self.narrative.setText("No referral on this store.")

    def _show_screening(self, cf: CaseFile) -> None:
        prog = self.ctx.snap.programme
        self._clear(self.screening_form)
        for d in cf.screenings:
            label = next((o.label for o in prog.screening_outcomes if o.id == d.outcome), d.outcome)
            _row(self.screening_form, f"Screened {uk(d.decided_on)}", rules.label_and_rationale(label, d.rationale))
        for c in cf.consents:
            extra = f" Re-assess on {uk(c.reassess_on)}." if c.reassess_on else ""
            _row(self.screening_form, f"Consent {uk(c.recorded_on)}", f"{c.state.value.capitalize()} by {c.given_by}.{extra}")
        if not cf.screenings and not cf.consents:
            _row(self.screening_form, "", "Not screened yet.")

    def _show_status(self, cf: CaseFile) -> list[rules.DateProposal]:
        """The status rows; returns what the case's date fields propose."""
        snap = self.ctx.snap
        prog = snap.programme
        self.current_status.setText(prog.status_label(cf.case.status))
        today = self.ctx.today_fn()
        entered = rules.status_entered(cf.case.status, cf.status_history) or cf.case.opened
        due = rules.step_deadline(prog, cf.case.status, entered)
        self.step.setText(ui_queries.step_text(
            prog, cf.case.status, ui_queries.step_agencies(prog, cf.case.status, snap.agencies), due,
            rules.working_days_left(today, due) if due else None))
        self.status_form.setRowVisible(self.step, bool(self.step.text()))
        current_fields = rules.current_case_fields(prog, cf.assessments)
        for field_value in current_fields:
            shown = self.case_fields.get(field_value.field.id)
            if shown is not None:
                shown.setText(field_value.label)
        proposals = rules.date_proposals(prog, cf.case.status, current_fields, self.ctx.today_fn())
        self.proposal.setText("\n".join(p.text for p in proposals))
        self.status_form.setRowVisible(self.proposal, bool(proposals))
        self.shared.setText(", ".join(sorted(snap.agency_short(a) or "?" for a in cf.case.shared_with)))
        self.lead.setText(snap.agency_name(cf.case.lead_agency) or "None")
        self.officer.setText(snap.member_name(cf.case.case_officer) or "None assigned")
        return proposals

    def _show_transitions(self, cf: CaseFile, proposals: list[rules.DateProposal]) -> None:
        snap = self.ctx.snap
        prog = snap.programme
        allowed = rules.allowed_transitions(prog, cf.case.status, snap.workstation.member.role)
        self.transition.clear()
        for t in allowed:
            self.transition.addItem(f"{t.label} → {prog.status_label(t.target)}", t.target)
        # Qt keeps a combo's first minimum size hint (taken while it was empty): the box is held
        # at the width of its longest choice here, so whichever is chosen shows whole
        self.transition.setMinimumWidth(self.transition.sizeHint().width() if allowed else 0)
        for p in proposals:  # the proposed change is the one offered first
            at = self.transition.findData(p.status)
            if at >= 0:
                self.transition.setCurrentIndex(at)
        self.stack_columns()
        has = bool(allowed)
        for w in (self.transition, self.rationale, self.change_button):
            w.setEnabled(has)
        self.no_transitions.setText("" if has else "No status change is open to your role from here.")
        self.no_transitions.setVisible(not has)
        self.status_error.setText("")
        self._decision_meetings = []
        self._show_meeting_choice()
        if any(t.panel_decision for t in allowed):
            cid = cf.case.id
            self.ctx.run(lambda s: lifecycle.decision_meetings(s, case_id=cid), owner=self,
                         on_done=lambda found: self._on_meetings_loaded(cid, found))

    def _on_meetings_loaded(self, case_id: str, found: list[lifecycle.DecisionMeeting]) -> None:
        if self.cf is None or self.cf.case.id != case_id:
            return
        self._decision_meetings = list(found)
        self.meeting.clear()
        for m in found:
            note = "held" if m.status == "held" else "under way"
            if m.decided:
                note += "; a decision on this case is already recorded at it"
            self.meeting.addItem(f"{long_date(m.held_on)} ({note})", m.id)
        default = next((i for i, m in enumerate(found) if m.default), 0)
        self.meeting.setCurrentIndex(default if found else -1)
        self._show_meeting_choice()

    def _panel_decision(self) -> bool:
        if self.cf is None or self.transition.currentIndex() < 0:
            return False
        prog = self.ctx.snap.programme
        target = self.transition.currentData()
        return any(t.panel_decision for t in rules.allowed_transitions(
            prog, self.cf.case.status, self.ctx.snap.workstation.member.role) if t.target == target)

    def _show_meeting_choice(self, _i: int = 0) -> None:
        """The meeting choice shows for a panel decision; with no meeting to choose, one sentence
        says why and the change cannot be sent."""
        decision = self._panel_decision()
        none = decision and not self._decision_meetings
        for w in (self.meeting_label, self.meeting):
            w.setVisible(decision and not none)
        self.no_meeting.setText(
            "This is the panel's decision: it is recorded at a meeting held with the case on its "
            "agenda, and none has been. Put the case on a meeting's agenda and record the decision "
            "once the meeting is held." if none else "")
        self.no_meeting.setVisible(none)
        self.change_button.setEnabled(self.transition.count() > 0 and not none)

    def allowed_targets(self) -> list[str]:
        return [self.transition.itemData(i) for i in range(self.transition.count())]

    def _on_change_button_clicked(self) -> None:
        if self.cf is None or self.transition.currentIndex() < 0:
            return
        cid, target, rationale = self.cf.case.id, self.transition.currentData(), self.rationale.toPlainText()
        meeting = self.meeting.currentData() if self._panel_decision() else None
        self.ctx.run(lambda s: lifecycle.change_status(s, case_id=cid, status=target, rationale=rationale,
                                                   meeting_id=meeting),
                     owner=self, mutates=True, on_done=lambda _r: self.rationale.clear(),
                     on_error=failed_into(self.status_error))
