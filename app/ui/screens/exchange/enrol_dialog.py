"""Enrol a workstation's identity card, only after comparing its fingerprint read aloud.

Job: the user picks a card file; the dialog shows who the card says it is (name, agency, role,
all plain text) and asks for the fingerprint its owner reads out by phone or in person, typed or
pasted; ``exchange.enrol`` compares it and trusts the card only on a match. A mismatch is a clear
refusal shown in the dialog ("do not trust it"), and nothing is enrolled. On the coordinator's
store this enrols a member's workstation (a card made from an invitation becomes a device of the
invited member; another card whose agency the panel does not hold is placed in one of the panel's
agencies chosen here, never a second agency of a name the panel has); on a member's store, its
coordinator.

Invariants:
- The card's own fingerprint is never shown before the comparison: the user must type what the
  owner reads out, so a substituted card cannot be "confirmed" by reading it off the screen.
- Enrolment runs on the store worker (one audited transaction); the card file is read here once,
  capped in size, and its content is shown only as plain text.
- The preview comes from ``exchange.preview_card`` (it checks the card's self-signature; no store).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.models.errors import AppError, InvalidInput, Refused
from app.services import exchange
from app.services.exchange import AgencyChoice, CardPreview, Enrolled
from app.ui.context import UiContext
from app.ui.errors import safe_message
from app.ui.screens.exchange.models import role_label
from app.ui.widgets.controls import (
    FINGERPRINT_DIGITS,
    button,
    combo,
    digits_in,
    file_choice,
    fingerprint_field,
    row,
    shown_value,
)
from app.ui.widgets.files import open_path
from app.ui.widgets.plain import PlainLabel, heading, muted

MAX_CARD_FILE = 64 * 1024
class EnrolDialog(QDialog):
    enrolled = Signal(object)  # Enrolled

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.card: bytes | None = None
        self.preview: CardPreview | None = None  # who the card says it is (self-signature checked)
        self.busy = False
        hub = ctx.snap.workstation.is_hub
        self.setObjectName("EnrolDialog")
        self.setWindowTitle("Enrol an identity card")
        self.setAccessibleName("Enrol an identity card")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(560)
        root = QVBoxLayout(self)
        root.setContentsMargins(18, 14, 18, 14)
        root.setSpacing(10)
        root.addWidget(heading("Enrol a member's workstation" if hub else "Enrol your coordinator", level=2))
        root.addWidget(muted(
            "Choose the identity card file you were given. Then ask its owner to read their "
            "fingerprint aloud, by phone or in person, and type it below. The card is trusted only "
            "if the two match." if hub else
            "Choose the identity card of your panel coordinator. Then ask the coordinator to read "
            "their fingerprint aloud, by phone or in person, and type it below. Files are accepted "
            "only from the coordinator you enrol here."))
        self.choose, self.file_label, pick = file_choice(
            "&Choose card file…", "Choose the identity card file", self._on_choose_clicked,
            none_yet="No card chosen", what="Card file")
        root.addLayout(pick)
        root.addLayout(self._build_form())
        self.count = PlainLabel("", object_name="Hint", accessible="Digits typed")
        root.addWidget(self.count)
        self.message = PlainLabel("", wrap=True, object_name="InlineError", accessible="Enrolment result")
        self.message.setVisible(False)
        root.addWidget(self.message)
        self.enrol_button = button("&Enrol", accessible="Compare the fingerprint and enrol", object_name="Primary",
                                   enabled=False, default=True, on_click=self._on_enrol_clicked)
        self.cancel = button("Cancel", accessible="Cancel without enrolling", on_click=self.reject)
        root.addLayout(row(1, self.enrol_button, self.cancel))
        self._update()

    def _build_form(self) -> QFormLayout:
        """Who the card says it is, the panel's agency where one must be chosen, the fingerprint."""
        form = QFormLayout()
        self.name = shown_value(form, "Name:", "Name on the card")
        self.agency = shown_value(form, "Agency:", "Agency on the card")
        self.role = shown_value(form, "Role:", "Role on the card")
        # On the coordinator's store, a card not made from an invitation whose agency the panel
        # does not hold: which of the panel's agencies it belongs to (never a second agency of a
        # name the panel already has).
        self.agency_choice = combo("The panel's agency this workstation belongs to")
        self.agency_choice_label = QLabel("Panel &agency:")
        self.agency_choice_label.setBuddy(self.agency_choice)
        form.addRow(self.agency_choice_label, self.agency_choice)
        self._show_agency_choice(None)
        self.fingerprint = fingerprint_field("Fingerprint read aloud by the card's owner")
        self.fingerprint.textChanged.connect(self._on_fingerprint_text_changed)
        form.addRow("&Fingerprint:", self.fingerprint)
        return form

    # --- the card --------------------------------------------------------------------------------
    def _on_choose_clicked(self) -> None:
        path = open_path(self, "Choose an identity card", "Identity cards (*.rtid *.card *.json);;All files (*)")
        if path:
            self.load_card(path)

    def load_card(self, path: Path) -> None:
        self.card, self.preview = None, None
        self._say("")
        try:
            with path.open("rb") as f:
                data = f.read(MAX_CARD_FILE + 1)
            if len(data) > MAX_CARD_FILE:
                raise InvalidInput("That file is too large to be an identity card.")
            self.preview = exchange.preview_card(data)
            self.card = data
        except OSError:
            self._say("The card file could not be read.")
        except AppError as exc:
            self._say(exc.user_message)
        self.file_label.setText(path.name if self.card else "No card chosen")
        p = self.preview
        self.name.setText(p.name if p else "")
        self.agency.setText(p.agency_name if p else "")
        self.role.setText(role_label(p.role) if p else "")
        self._show_agency_choice(None)
        if self.card and self.ctx.snap.workstation.is_hub:
            card = self.card
            self.ctx.run(lambda s: exchange.agency_choice(s, card), owner=self,
                         on_done=self._show_agency_choice, on_error=self._on_failed)
        self._update()
        if self.card:
            self.fingerprint.setFocus()

    def _show_agency_choice(self, choice: AgencyChoice | None) -> None:
        self.agency_choice.clear()
        needed = choice is not None and choice.needed
        if choice is not None and needed:
            for agency_id, name in choice.agencies:
                self.agency_choice.addItem(name, agency_id)
            if choice.new_allowed and self.preview is not None:
                self.agency_choice.addItem(f"A new agency: {self.preview.agency_name}", None)
                self.agency_choice.setCurrentIndex(self.agency_choice.count() - 1)
            if choice.suggested is not None:
                self.agency_choice.setCurrentIndex(self.agency_choice.findData(choice.suggested))
        self.agency_choice.setVisible(needed)
        self.agency_choice_label.setVisible(needed)

    # --- the comparison ----------------------------------------------------------------------------
    def _on_fingerprint_text_changed(self, _text: str) -> None:
        self._say("")
        self._update()

    def _update(self) -> None:
        n = digits_in(self.fingerprint.text())
        self.count.setText(f"{n} of {FINGERPRINT_DIGITS} digits" if n else "")
        self.enrol_button.setEnabled(self.card is not None and n == FINGERPRINT_DIGITS and not self.busy)

    def _say(self, text: str, *, ok: bool = False) -> None:
        self.message.setObjectName("Lead" if ok else "InlineError")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_enrol_clicked(self) -> None:
        if self.card is None or self.busy:
            return
        card, typed = self.card, self.fingerprint.text()
        agency = None if self.agency_choice.isHidden() else self.agency_choice.currentData()
        self.busy = True
        self._update()

        def work(session: object) -> Enrolled:
            return exchange.enrol(session, card=card, fingerprint=typed, agency=agency)  # type: ignore[arg-type]

        self.ctx.run(work, owner=self, mutates=True, on_done=self._on_enrolled, on_error=self._on_failed)

    def _on_enrolled(self, e: Enrolled) -> None:
        self.busy = False
        self.enrolled.emit(e)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, Refused):
            self._say("Not enrolled. " + exc.user_message)
        elif isinstance(exc, AppError):
            self._say(safe_message(exc))
        else:
            from app.ui.errors import show_error

            show_error(self, exc)
        self._update()
