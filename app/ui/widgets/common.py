"""Small shared widgets: the marking banner, status chips, UK date fields, a titled section.

Invariants: every widget has an accessible name; dates display as dd/mm/yyyy; the banner text is a
marking (never case data) and cannot be hidden by a screen.
"""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.models.dates import format_uk
from app.ui.widgets.plain import PlainLabel

UK_QT_FORMAT = "dd/MM/yyyy"


class MarkingBanner(QLabel):
    """The protective marking, in capitals, top and bottom of the window."""

    def __init__(self, marking: str = "OFFICIAL-SENSITIVE", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MarkingBanner")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_marking(marking)

    def set_marking(self, marking: str) -> None:
        self.setText(marking.upper())
        self.setAccessibleName(f"Protective marking: {marking.upper()}")
        self.setProperty("marking", marking.upper())


_CHIP_KIND = {
    "referral": "info",
    "screening": "warn",
    "gathering": "info",
    "panel": "accent",
    "support": "ok",
    "exit": "muted",
    "closed": "muted",
}


class Chip(QLabel):
    """A small rounded label for a status, a risk level or a marking."""

    def __init__(self, text: str = "", kind: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Chip")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.set(text, kind)

    def set(self, text: str, kind: str = "info") -> None:
        self.setText(text)
        self.setAccessibleName(text)
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setVisible(bool(text))


def chip_kind_for_stage(stage: str) -> str:
    return _CHIP_KIND.get(stage, "info")


def chip_kind_for_risk(rank: int | None) -> str:
    if rank is None:
        return "muted"
    return {1: "ok", 2: "warn"}.get(rank, "danger")


class UkDateEdit(QDateEdit):
    """A dd/mm/yyyy field that is one Tab stop: Qt's date edit spends Tab on its day, month and
    year sections, which makes forms feel stuck. Typing still moves through the sections (digits
    advance, "/" too) and the arrow keys change the section under the cursor."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def date_edit(name: str, day: dt.date | None = None) -> QDateEdit:
    edit = UkDateEdit()
    edit.setDisplayFormat(UK_QT_FORMAT)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    edit.setMinimumDate(QDate(1900, 1, 1))
    if day is not None:
        edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def qdate_to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def uk(day: dt.date | None) -> str:
    return format_uk(day)


class Section(QFrame):
    """A titled card: a heading and a body layout."""

    def __init__(self, title: str, parent: QWidget | None = None, *, horizontal: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 12)
        outer.setSpacing(6)
        self.title = PlainLabel(title, object_name="CardTitle")
        outer.addWidget(self.title)
        self.body = QHBoxLayout() if horizontal else QVBoxLayout()
        self.body.setSpacing(6)
        outer.addLayout(self.body)
        self.setAccessibleName(title)


def chain_focus(*widgets: QWidget) -> None:
    """Tab order in reading order: each widget hands focus to the next."""
    for a, b in itertools.pairwise(widgets):
        QWidget.setTabOrder(a, b)
