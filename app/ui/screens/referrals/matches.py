"""How a possible match with someone already known is said, and the "link or create?" question
asked before a referral is saved for them.

Invariants: names render as plain text; nothing is linked unless the user picks the person.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

from app.services import linked_people
from app.services.cases import referrals
from app.ui.widgets.common import uk


def describe_match(m: referrals.SubjectMatch) -> str:
    """One possible match in words: name, date of birth, case refs, what matched."""
    born = f", born {uk(m.subject.date_of_birth)}" if m.subject.date_of_birth else ""
    refs = ", ".join(m.case_refs) or "no case yet"
    text = f"{m.subject.display_name}{born}, {refs} (matched on {m.reason})"
    return f"{text}; {m.repeat}" if m.repeat else text


def describe_linked_match(m: linked_people.LinkedMatch) -> str:
    """A person recorded in another role on a case (e.g. as the person causing harm)."""
    born = f", born {uk(m.person.date_of_birth)}" if m.person.date_of_birth else ""
    return (f"{m.person.display_name}{born}, recorded as {m.role_label.lower()} on {m.case_ref} "
            f"(matched on {m.reason})")


def _link_label(m: referrals.SubjectMatch) -> str:
    return f"Link to {m.case_refs[0]}" if m.case_refs else f"Link to {m.subject.display_name}"


class DuplicatePrompt(QMessageBox):
    """Asked when a new referral is opened for someone who may already be known: link the
    referral to that person, or create a new person. ``chosen`` carries the subject id to link
    ("" for a new person); Cancel (Esc) saves nothing."""

    chosen = Signal(str)

    def __init__(self, found: list[referrals.SubjectMatch], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DuplicatePrompt")
        self.setWindowTitle("Already known?")
        self.setIcon(QMessageBox.Icon.Question)
        self.setTextFormat(Qt.TextFormat.PlainText)
        first = found[0]
        one = len(found) == 1
        target = first.case_refs[0] if one and first.case_refs else ("that person" if one else "one of them")
        self.setText(("This person may already be known to the panel:\n" if one else
                      f"{len(found)} people already known to the panel may be this person:\n")
                     + "\n".join(f"• {describe_match(m)}" for m in found[:3]))
        self.setInformativeText(f"Link this referral to {target}, or create a new person?")
        self.link_buttons: dict[QPushButton, str] = {}
        for m in found[:3]:
            button = self.addButton(_link_label(m), QMessageBox.ButtonRole.AcceptRole)
            self.link_buttons[button] = str(m.subject.id)
        self.new_button = self.addButton("Create a new person", QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(next(iter(self.link_buttons)))
        self.setEscapeButton(self.cancel_button)
        self.buttonClicked.connect(self._on_clicked)

    def _on_clicked(self, button: QAbstractButton) -> None:
        if button is self.new_button:
            self.chosen.emit("")
        elif button in self.link_buttons:
            self.chosen.emit(self.link_buttons[button])
