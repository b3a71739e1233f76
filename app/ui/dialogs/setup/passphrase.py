"""The new store's passphrase, typed twice, with a strength hint and a match line as it is typed.

Invariant: a message about the passphrases from the last attempt goes as soon as either field is
changed; nothing about the passphrase is ever written anywhere.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit

from app.ui.widgets.controls import check, labelled_line
from app.ui.widgets.plain import PlainLabel

MIN_PASSPHRASE = 10


def strength_hint(passphrase: str) -> tuple[str, bool]:
    """A short hint and whether the passphrase is acceptable (length first: words beat symbols)."""
    n = len(passphrase)
    if n == 0:
        return "Use four or more unrelated words, at least 10 characters.", False
    if n < MIN_PASSPHRASE:
        return f"Too short: {n} of at least {MIN_PASSPHRASE} characters.", False
    kinds = sum(
        any(test(ch) for ch in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if n >= 20 or (n >= 14 and kinds >= 2):
        return "Strong.", True
    if len(set(passphrase)) < 5:
        return "Too repetitive: choose something less predictable.", False
    return "Fair. Longer is stronger: add another word.", True


class PassphrasePart(QDialog):
    """A part of ``FirstRunDialog``, which shows problems in its ``error`` line."""

    error: PlainLabel

    def _build_passphrase_form(self) -> QFormLayout:
        form = QFormLayout()
        self.passphrase = labelled_line(form, "Pa&ssphrase", password=True)
        self.repeat = labelled_line(form, "Passphrase a&gain", password=True)
        self.hint = PlainLabel("", object_name="Hint", accessible="Passphrase strength")
        form.addRow("", self.hint)
        self.same = PlainLabel("", object_name="Hint", accessible="Do the passphrases match")
        form.addRow("", self.same)
        self.show_passphrase = check("Show th&e passphrase", "Show the passphrase")
        self.show_passphrase.toggled.connect(self._on_show_passphrase_toggled)
        form.addRow("", self.show_passphrase)
        return form

    def _watch_passphrase(self) -> None:
        """Hint and match lines follow the typing (once the error line exists)."""
        self.passphrase.textChanged.connect(self._on_passphrase_text_changed)
        self.repeat.textChanged.connect(self._on_repeat_text_changed)
        self._on_passphrase_text_changed("")

    def _on_show_passphrase_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.repeat.setEchoMode(mode)

    def _on_passphrase_text_changed(self, text: str) -> None:
        hint, ok = strength_hint(text)
        self.hint.setText(hint)
        self.hint.setProperty("ok", ok)
        self._on_repeat_text_changed(self.repeat.text())

    def _on_repeat_text_changed(self, text: str) -> None:
        """Say at once whether the two passphrases match; a message about the passphrases
        from the last attempt goes as soon as either is changed."""
        if not text:
            self.same.setText("")
        elif text == self.passphrase.text():
            self.same.setText("The two passphrases match.")
        else:
            self.same.setText("The two passphrases are not the same yet.")
        if self.error.property("about") == "passphrase":
            self.error.setText("")
            self.error.setProperty("about", "")

    def _passphrase_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.setProperty("about", "passphrase")

    def _passphrase_ready(self) -> bool:
        """Strong enough and typed twice alike; otherwise says why (until either is changed)."""
        hint, ok = strength_hint(self.passphrase.text())
        if not ok:
            self._passphrase_problem(hint)
            return False
        if self.passphrase.text() != self.repeat.text():
            self._passphrase_problem("The two passphrases are not the same.")
            return False
        return True
