"""Plain-text widgets for untrusted strings (securedrop's SecureQLabel).

Invariant: anything that came from a referral, another agency or an import is shown with
``Qt.PlainText``; a QLabel left on AutoText would render ``<b>...</b>`` as markup, so every label
built here pins the format and ``setText`` cannot change it back.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class PlainLabel(QLabel):
    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        wrap: bool = False,
        object_name: str = "",
        accessible: str = "",
        selectable: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        if object_name:
            self.setObjectName(object_name)
        if accessible:
            self.setAccessibleName(accessible)
        if selectable:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setText(text)

    def setText(self, text: str) -> None:
        self.setTextFormat(Qt.TextFormat.PlainText)
        super().setText(text)


def heading(text: str, *, level: int = 1) -> PlainLabel:
    label = PlainLabel(text, object_name=f"H{level}")
    label.setAccessibleName(text)
    return label


def muted(text: str, *, wrap: bool = True) -> PlainLabel:
    return PlainLabel(text, wrap=wrap, object_name="Muted")


def plain_tooltip(text: str | None) -> str | None:
    """A tooltip that shows ``text`` literally. Qt guesses whether a tooltip is rich text
    (``Qt::mightBeRichText``), so untrusted text such as ``<b>Robert</b>`` would render as markup;
    escaping it inside an explicit rich-text paragraph removes the guess."""
    if not text:
        return None
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>"
