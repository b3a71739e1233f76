"""Small shared widgets: the marking banner, status chips, UK date fields, a titled section.

Invariants: every widget has an accessible name; dates display as dd/mm/yyyy; the banner text is a
marking (never case data) and cannot be hidden by a screen.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.config.paths import resources_dir
from app.models.dates import format_uk, parse_typed_date
from app.models.errors import InvalidInput
from app.ui.widgets.plain import PlainLabel

UK_QT_FORMAT = "dd/MM/yyyy"  # Qt's spelling of dd/mm/yyyy


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


class UkDateEdit(QLineEdit):
    """A UK date field that takes what people type (docs/ui.md, "Dates").

    The text is free: ``15/12/2026``, ``15122026``, ``15-12-26``, ``15 Dec 2026`` are read when
    focus leaves (or Enter) and shown back as dd/mm/yyyy; ``/`` is just a character, never a
    jump to the next control. A two-digit year is the nearest such year. The calendar button (or
    Alt+Down, F4) opens a month to pick from; Up and Down move the date a day. The field may be
    empty: ``day()`` is then ``None`` and ``date()`` a null ``QDate``, so a form can tell "no date
    given" from a date and never saves a value the user did not choose. Text that is not a date
    marks the field (property ``invalid``) and reads as no date. The QDateEdit calls the screens
    use (``date``, ``setDate``, ``dateChanged``, ``setMinimumDate``…) work the same."""

    dateChanged = Signal(QDate)  # a new valid date (not emitted for empty or unreadable text)

    def __init__(self, parent: QWidget | None = None, *, today_fn: Callable[[], dt.date] | None = None,
                 past: bool = False) -> None:
        super().__init__(parent)
        self._today_fn = today_fn or dt.date.today
        self._past = past
        self._day: dt.date | None = None
        self._min = dt.date(1900, 1, 1)
        self._max = dt.date(9999, 12, 31)
        self._popup: QCalendarWidget | None = None
        self.setPlaceholderText("dd/mm/yyyy")
        self.setToolTip("Type the date as dd/mm/yyyy (or 15122026, 15/12/26), or pick it from the calendar")
        self.setMaxLength(40)
        icon = QIcon(str(resources_dir() / "icons" / "calendar.svg"))
        self.calendar_action = QAction(icon, "Pick from a calendar", self)
        self.calendar_action.triggered.connect(self.show_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.textChanged.connect(self._on_text_edited)  # typed, pasted or set: always read
        self.editingFinished.connect(self._tidy)

    # --- the QDateEdit calls ---------------------------------------------------------------------
    def date(self) -> QDate:
        d = self._day
        return QDate(d.year, d.month, d.day) if d is not None else QDate()

    def setDate(self, day: QDate | dt.date | None) -> None:
        if isinstance(day, QDate):
            day = qdate_to_date(day) if day.isValid() else None
        self._set(day, tidy=True)

    def setMinimumDate(self, day: QDate) -> None:
        self._min = qdate_to_date(day)

    def setMaximumDate(self, day: QDate) -> None:
        self._max = qdate_to_date(day)

    def setDisplayFormat(self, _fmt: str) -> None:
        return

    def setCalendarPopup(self, _on: bool) -> None:
        return

    def calendarWidget(self) -> QCalendarWidget:
        if self._popup is None:
            self._popup = QCalendarWidget(self)
            self._popup.setWindowFlags(Qt.WindowType.Popup)
            self._popup.setGridVisible(False)
            self._popup.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            self._popup.setAccessibleName(f"Calendar: {self.accessibleName()}")
            self._popup.clicked.connect(self._on_picked)
            self._popup.activated.connect(self._on_picked)
        return self._popup

    # --- reading ---------------------------------------------------------------------------------
    def day(self) -> dt.date | None:
        """The date shown, or None when the field is empty or its text is not a date."""
        return self._day

    def is_valid(self) -> bool:
        """Empty, or a date within range."""
        return not self.text().strip() or self._day is not None

    def clear(self) -> None:
        self._set(None, tidy=True)

    def _parse(self, text: str) -> dt.date | None:
        day = parse_typed_date(text, today=self._today_fn(), past=self._past)
        if day is None or not (self._min <= day <= self._max):
            return None
        return day

    def _set(self, day: dt.date | None, *, tidy: bool) -> None:
        changed = day != self._day
        self._day = day
        if tidy:
            self.setText(format_uk(day))
        self._mark()
        if changed and day is not None:
            self.dateChanged.emit(QDate(day.year, day.month, day.day))

    def _on_text_edited(self, text: str) -> None:
        self._set(self._parse(text) if text.strip() else None, tidy=False)

    def _tidy(self) -> None:
        if self._day is not None:
            self.setText(format_uk(self._day))
        self._mark()

    def _mark(self) -> None:
        bad = not self.is_valid()
        if bool(self.property("invalid")) != bad:
            self.setProperty("invalid", bad)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setAccessibleDescription("Not a date: write it as dd/mm/yyyy" if bad else "")

    # --- keyboard and calendar -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier):
            self.show_calendar()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self._day is not None:
            step = dt.timedelta(days=1 if key == Qt.Key.Key_Up else -1)
            moved = self._day + step
            if self._min <= moved <= self._max:
                self._set(moved, tidy=True)
            return
        super().keyPressEvent(event)

    def show_calendar(self) -> None:
        cal = self.calendarWidget()
        cal.setMinimumDate(QDate(self._min.year, self._min.month, self._min.day))
        cal.setMaximumDate(QDate(self._max.year, self._max.month, self._max.day))
        shown = self._day or self._today_fn()
        cal.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        cal.adjustSize()
        cal.move(self.mapToGlobal(QPoint(0, self.height())))
        cal.show()
        cal.setFocus()

    def _on_picked(self, day: QDate) -> None:
        if self._popup is not None:
            self._popup.hide()
        self._set(qdate_to_date(day), tidy=True)
        self.setFocus()


def date_edit(name: str, day: dt.date | None = None, *, today_fn: Callable[[], dt.date] | None = None,
              past: bool = False) -> UkDateEdit:
    """A date field (``UkDateEdit``) named ``name``; empty unless ``day`` is given."""
    edit = UkDateEdit(today_fn=today_fn, past=past)
    edit.setAccessibleName(name)
    if day is not None:
        edit.setDate(day)
    return edit


def qdate_to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def required_day(edit: UkDateEdit, what: str) -> dt.date:
    """The date in ``edit``, or ``InvalidInput`` naming ``what`` when there is none: forms show
    the sentence and save nothing."""
    day = edit.day()
    if day is None:
        if edit.text().strip():
            raise InvalidInput(f"The {what} is not a date: write it as dd/mm/yyyy.")
        raise InvalidInput(f"Give the {what} (dd/mm/yyyy).")
    return day


def day_or_say(edit: UkDateEdit, what: str, problem: QLabel) -> dt.date | None:
    """The date in ``edit``; or None, with ``required_day``'s sentence shown in ``problem``."""
    try:
        return required_day(edit, what)
    except InvalidInput as exc:
        problem.setText(exc.user_message)
        return None


def agency_choice(name: str, short: str) -> str:
    """An agency in a drop-down: its name, with the abbreviation people also use."""
    return f"{name} ({short})" if short and short != name else name


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
