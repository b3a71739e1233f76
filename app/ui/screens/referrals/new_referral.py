"""The new-referral form with a live check for people already known to the panel.

Invariants: the form keeps its text until the referral is saved (a lock does not clear it); the
match check runs on the store worker after a short pause in typing; linking is explicit (the user
picks the earlier person, nothing is merged silently); names in matches render as plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.models.dates import parse_typed_date
from app.models.domain import Identifier
from app.models.errors import InvalidInput
from app.models.ids import AgencyId, SubjectId
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import linked_people
from app.services.cases import referrals
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.screens.referrals.matches import DuplicatePrompt, describe_linked_match, describe_match
from app.ui.widgets.common import Section, chain_focus, date_edit, required_day, uk
from app.ui.widgets.controls import button, combo, line_edit, text_box
from app.ui.widgets.plain import PlainLabel, muted, plain_tooltip


class NewReferralForm(QWidget):
    referral_opened = Signal(str)  # case id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._check_no = 0
        self.duplicate_prompt: DuplicatePrompt | None = None  # the last "link or create?" question
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.addWidget(self._build_person(), 0, 0, 2, 1)
        grid.addWidget(self._build_referral(), 0, 1)
        grid.addWidget(self._build_known(), 1, 1)
        grid.addLayout(self._build_buttons(), 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        # keyboard order: the person top to bottom, then the referral, the matches, the buttons
        chain_focus(*self.focus_order())
        self._connect_checks()
        self.fill_choices()

    def _build_person(self) -> Section:
        person = Section("The person")
        pf = QFormLayout()
        self.forenames = self._line(pf, "Forenames")
        self.surname = self._line(pf, "Surname")
        self.dob = self._line(pf, "Date of birth", "dd/mm/yyyy")
        self.aliases = self._line(pf, "Aliases", "separate with commas")
        self.gender = self._line(pf, "Gender")
        self.ethnicity = self._line(pf, "Ethnicity (as self-described)")
        self.address = self._line(pf, "Address")
        self.postcode = self._line(pf, "Postcode")
        self.area = self._line(pf, "Policing area")
        self.pnc = self._line(pf, "PNC number")
        self.nhs = self._line(pf, "NHS number")
        person.body.addLayout(pf)
        person.body.addStretch(1)  # the card spans two rows: its fields stay at the top
        return person

    def _build_referral(self) -> Section:
        ctx = self.ctx
        ref = Section("The referral")
        rf = QFormLayout()
        self.received = date_edit("Date received", ctx.today_fn(), today_fn=ctx.today_fn)
        rf.addRow("Date &received", self.received)
        self.referrer = self._line(rf, "Referrer", "name and role of the person referring")
        self.sector = combo("Referring sector")
        self.concern = combo("Type of concern")
        self.lead = combo("Lead agency")
        rf.addRow("&Sector", self.sector)
        rf.addRow("Type of &concern", self.concern)
        rf.addRow("&Lead agency", self.lead)
        self.narrative = text_box("Narrative",
            placeholder="What happened, what was said or seen, and why it is a concern")
        rf.addRow("&Narrative", self.narrative)
        ref.body.addLayout(rf)
        return ref

    def _build_known(self) -> Section:
        """Possible matches with people already known, shown as the user types."""
        known = Section("Already known?")
        self.match_note = muted("Matches by name with date of birth, alias, or identifier appear here as you type.")
        known.body.addWidget(self.match_note)
        # a possible match is said plainly, in full (wrapped), not as a grey count
        self.match_warning = PlainLabel("", wrap=True, object_name="Warning", accessible="Possible match")
        self.match_warning.hide()
        known.body.addWidget(self.match_warning)
        self.matches = QListWidget()
        self.matches.setAccessibleName("People already known to the panel")
        self.matches.setMaximumHeight(110)
        self.matches.setWordWrap(True)  # a match is read whole, never cut off sideways
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setResizeMode(QListWidget.ResizeMode.Adjust)
        known.body.addWidget(self.matches)
        self.link_note = PlainLabel("", wrap=True, object_name="Muted")
        known.body.addWidget(self.link_note)
        return known

    def _build_buttons(self) -> QHBoxLayout:
        bottom = QHBoxLayout()
        self.error = PlainLabel("", wrap=True, object_name="InlineError", accessible="Problem")
        bottom.addWidget(self.error, 1)
        self.clear_button = button("Clear form", accessible="Clear the referral form", on_click=self.clear)
        self.save_button = button("&Open case from referral", accessible="Open case from referral",
                                  object_name="Primary", on_click=self.submit)
        bottom.addWidget(self.clear_button)
        bottom.addWidget(self.save_button)
        return bottom

    def _connect_checks(self) -> None:
        """The match check after a pause in typing; choices refilled; the form kept as a draft."""
        ctx = self.ctx
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        for w in (self.forenames, self.surname, self.dob, self.aliases, self.pnc, self.nhs):
            w.textChanged.connect(lambda _t: self._debounce.start())
        self.matches.itemChanged.connect(self._on_matches_item_changed)
        self.dob.editingFinished.connect(self._tidy_dob)
        ctx.snapshot_changed.connect(self.fill_choices)
        ctx.unlocked.connect(self.fill_choices)
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)

    # --- the form is a draft until the referral is opened (app.ui.drafts) ------------------------
    def _typed(self) -> bool:
        return any(w.text().strip() for w in (self.forenames, self.surname, self.dob, self.aliases, self.gender,
                                             self.ethnicity, self.address, self.postcode, self.area, self.pnc,
                                             self.nhs, self.referrer)) or bool(self.narrative.toPlainText().strip())

    def _stash(self) -> None:
        key = ("referral", "new")
        if not self._typed():
            self.ctx.drafts.remove(key)
            return
        problem: InvalidInput | None = None
        try:
            subject = self.subject_input()
            referral = self._referral_input()
        except InvalidInput as exc:  # kept as typed; saving it says what is missing
            problem = exc
        link, lead = self.linked_subject(), self.lead.currentData()

        def save(s: Session) -> None:
            if problem is not None:
                raise problem
            referrals.open_referral(s, subject=subject, referral=referral, link_subject=link,
                                lead_agency=AgencyId(str(lead)) if lead else None)

        who = " ".join(x for x in (self.forenames.text().strip(), self.surname.text().strip()) if x)
        self.ctx.drafts.put(Draft(key, f"New referral{' for ' + who if who else ''} (not yet opened as a case)",
                                  None, save))

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        if ("referral", "new") in keys:
            self.clear()

    def focus_order(self) -> tuple[QWidget, ...]:
        """The intended Tab order of the form (tested)."""
        return (self.forenames, self.surname, self.dob, self.aliases, self.gender, self.ethnicity, self.address,
                self.postcode, self.area, self.pnc, self.nhs, self.received, self.referrer, self.sector,
                self.concern, self.lead, self.narrative, self.matches, self.clear_button, self.save_button)

    def _line(self, form: QFormLayout, label: str, placeholder: str = "") -> QLineEdit:
        edit = line_edit(label, placeholder=placeholder)
        form.addRow(label, edit)
        return edit

    def fill_choices(self) -> None:
        snap = self.ctx.snapshot
        if snap is None:
            return
        keep = (self.sector.currentData(), self.concern.currentData(), self.lead.currentData())
        for box, items in (
            (self.sector, [(c.label, c.id) for c in snap.programme.sectors]),
            (self.concern, [(c.label, c.id) for c in snap.programme.concerns]),
            (self.lead, [(a.name, a.id) for a in snap.agencies]),
        ):
            box.clear()
            for label, value in items:
                box.addItem(label, value)
        for box, value in zip((self.sector, self.concern, self.lead), keep, strict=True):
            i = box.findData(value)
            if i >= 0:
                box.setCurrentIndex(i)
        i = self.lead.findData(snap.workstation.agency.id)
        if keep[2] is None and i >= 0:
            self.lead.setCurrentIndex(i)

    # --- reading the form ------------------------------------------------------------------------
    def _dob(self) -> dt.date | None:
        text = self.dob.text().strip()
        if not text:
            return None
        day = parse_typed_date(text, today=self.ctx.today_fn(), past=True)
        if day is None:
            raise InvalidInput("The date of birth is not a date (write it as dd/mm/yyyy).")
        return day

    def _tidy_dob(self) -> None:
        """A date of birth typed as 17052009 or 17/5/09 reads back as 17/05/2009."""
        day = parse_typed_date(self.dob.text(), today=self.ctx.today_fn(), past=True)
        if day is not None:
            self.dob.setText(uk(day))

    def subject_input(self) -> SubjectInput:
        ids = tuple(
            Identifier(kind, w.text().strip()) for kind, w in (("pnc", self.pnc), ("nhs", self.nhs)) if w.text().strip()
        )
        return SubjectInput(
            forenames=self.forenames.text(),
            surname=self.surname.text(),
            date_of_birth=self._dob(),
            aliases=tuple(a.strip() for a in self.aliases.text().split(",") if a.strip()),
            gender=self.gender.text(),
            ethnicity=self.ethnicity.text(),
            address=self.address.text(),
            postcode=self.postcode.text(),
            area=self.area.text(),
            identifiers=ids,
        )

    def linked_subject(self) -> SubjectId | None:
        for i in range(self.matches.count()):
            item = self.matches.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                return SubjectId(str(item.data(Qt.ItemDataRole.UserRole)))
        return None

    # --- live check ------------------------------------------------------------------------------
    def _on_debounce_timeout(self) -> None:
        try:
            subject = self.subject_input()
        except InvalidInput:
            return
        if not (subject.date_of_birth or subject.identifiers):
            self.matches.clear()
            self.match_note.setText("Matches by name with date of birth, alias, or identifier appear here as you type.")
            return
        self._check_no += 1
        n = self._check_no
        self.ctx.run(lambda s: (referrals.find_matching_subjects(s, subject), _linked_matches(s, subject)),
                     owner=self, on_done=lambda both: self._on_matches(n, *both))

    def _on_matches(
        self, n: int, found: list[referrals.SubjectMatch], linked: Sequence[linked_people.LinkedMatch] = ()
    ) -> None:
        if n != self._check_no:
            return
        self.matches.blockSignals(True)
        self.matches.clear()
        for m in found:
            text = describe_match(m)  # with the repeat note when the programme counts repeats
            item = QListWidgetItem(text)
            item.setToolTip(plain_tooltip(text) or "")
            item.setData(Qt.ItemDataRole.UserRole, m.subject.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.matches.addItem(item)
        for lm in linked:  # recorded in another role (a person causing harm, say): shown, not linkable
            text = describe_linked_match(lm)
            item = QListWidgetItem(text)
            item.setToolTip(plain_tooltip(text) or "")
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.matches.addItem(item)
        self.matches.blockSignals(False)
        self.match_note.setText(
            f"{len(found)} possible match{'es' if len(found) != 1 else ''}: tick one to link this referral to that person."
            if found else "No one on this store matches." if not linked else ""
        )
        self.match_warning.setText("\n".join(
            [f"Possible match: {describe_match(m)}." for m in found]
            + [f"Possible match: {describe_linked_match(m)}." for m in linked]
        ))
        self.match_warning.setVisible(bool(found or linked))
        self.link_note.setText("")

    def _on_matches_item_changed(self, item: QListWidgetItem) -> None:
        if item.checkState() == Qt.CheckState.Checked:
            self.matches.blockSignals(True)
            for i in range(self.matches.count()):
                other = self.matches.item(i)
                if other is not item:
                    other.setCheckState(Qt.CheckState.Unchecked)
            self.matches.blockSignals(False)
            self.link_note.setText("This referral will be linked to the ticked person; their details are kept.")
        else:
            self.link_note.setText("")

    # --- saving ----------------------------------------------------------------------------------
    def submit(self) -> bool:
        self.error.setText("")
        try:
            subject = self.subject_input()
        except InvalidInput as exc:
            self.error.setText(exc.user_message)
            return True
        try:
            referral = self._referral_input()
        except InvalidInput as exc:
            self.error.setText(exc.user_message)
            return True
        link = self.linked_subject()
        lead_data = self.lead.currentData()
        lead = AgencyId(str(lead_data)) if lead_data else None
        self.save_button.setEnabled(False)
        if link is None and (subject.date_of_birth or subject.identifiers):
            # check again now (the live check may not have run yet): a match is asked about
            self._check_no += 1
            n = self._check_no
            self.ctx.run(lambda s: referrals.find_matching_subjects(s, subject), owner=self,
                         on_done=lambda found: self._before_saving(n, found, subject, referral, lead),
                         on_error=self._on_failed)
            return True
        self._save(subject, referral, link, lead)
        return True

    def _before_saving(self, n: int, found: list[referrals.SubjectMatch], subject: SubjectInput,
                       referral: ReferralInput, lead: AgencyId | None) -> None:
        if not found:
            self._save(subject, referral, None, lead)
            return
        self._on_matches(n, found)
        self.save_button.setEnabled(True)
        prompt = DuplicatePrompt(found, self)
        prompt.chosen.connect(lambda sid: self._save(subject, referral, SubjectId(sid) if sid else None, lead))
        self.duplicate_prompt = prompt
        prompt.open()

    def _save(self, subject: SubjectInput, referral: ReferralInput, link: SubjectId | None,
              lead: AgencyId | None) -> None:
        self.save_button.setEnabled(False)
        self.ctx.run(
            lambda s: referrals.open_referral(s, subject=subject, referral=referral, link_subject=link,
                                          lead_agency=lead),
            owner=self, mutates=True, on_done=self._on_opened, on_error=self._on_failed,
        )

    def _referral_input(self) -> ReferralInput:
        return ReferralInput(
            received=required_day(self.received, "date the referral was received"),
            referrer=self.referrer.text(),
            sector=str(self.sector.currentData() or ""),
            concern=str(self.concern.currentData() or ""),
            narrative=self.narrative.toPlainText(),
        )

    def _on_failed(self, exc: BaseException) -> None:
        from app.models.errors import AppError
        from app.ui.errors import show_error

        self.save_button.setEnabled(True)
        if isinstance(exc, AppError):
            self.error.setText(exc.user_message)
        else:
            show_error(self, exc)

    def _on_opened(self, case_id: str) -> None:
        self.save_button.setEnabled(True)
        self.clear()
        self.ctx.drafts.remove(("referral", "new"))
        self.referral_opened.emit(case_id)

    def clear(self) -> None:
        for w in (self.forenames, self.surname, self.dob, self.aliases, self.gender, self.ethnicity,
                  self.address, self.postcode, self.area, self.pnc, self.nhs, self.referrer):
            w.clear()
        self.narrative.clear()
        self.matches.clear()
        self.match_warning.clear()
        self.match_warning.hide()
        self.error.setText("")
        self.link_note.setText("")


def _linked_matches(session: Session, subject: SubjectInput) -> list[linked_people.LinkedMatch]:
    if not session.programme.linked_roles:
        return []
    return linked_people.find_matching_linked(
        session, forenames=subject.forenames, surname=subject.surname,
        date_of_birth=subject.date_of_birth, aliases=subject.aliases, identifiers=subject.identifiers,
    )
