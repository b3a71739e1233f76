"""A programme's case fields (choices or dates the panel records on a case) and the small
label helpers shared by programmes, lists and reports."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.models.errors import InvalidInput

NOT_RECORDED = "Not recorded"  # how a case field without a recorded choice is shown


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    # a case-field choice may set the days between reviews (MAPPA level 3: at least every 8 weeks)
    review_days: int | None = None


CASE_FIELD_KINDS = ("choice", "date")


@dataclass(frozen=True)
class CaseField:
    """A choice recorded on the case by the panel (e.g. a category, a management level), or a
    date (``kind = "date"``: a licence's end); kept with each assessment version, so its history
    is the assessment's. A date is held as its ISO text (``2026-03-12``)."""

    id: str
    label: str
    choices: tuple[Choice, ...]
    required: bool = False
    guidance: str = ""
    short: str = ""  # a column heading for narrow lists ("Level"); the label when not given
    kind: str = "choice"  # "choice" or "date"
    # a date field only: once the date has passed, propose moving the case to this status (the
    # latest of the fields proposing the same status is the one that counts: a MAPPA period lasts
    # until its registration, licence or order ends, whichever is last); never applied by itself
    proposes_status: str = ""
    ended: str = ""  # the proposal's words for the date having passed ("Registration ended")
    # a date field only: a closed case's retention counts from this date (the latest of such
    # fields recorded) rather than from the day it closed
    retention_from: bool = False

    @property
    def is_date(self) -> bool:
        return self.kind == "date"

    @property
    def heading(self) -> str:
        return self.short or self.label

    def parse_date(self, value: str) -> dt.date:
        """A date field's value read as a date; one clear sentence when it is not a real date."""
        from app.models.dates import parse_uk_date

        text = (value or "").strip()
        day = None
        try:
            day = dt.date.fromisoformat(text) if ISO_DAY.match(text) else parse_uk_date(text)
        except ValueError:
            day = None
        if day is None:
            raise InvalidInput(f"{self.label}: “{text[:20]}” is not a date (give it as dd/mm/yyyy).")
        return day

    def date_of(self, value: str | None) -> dt.date | None:
        """A recorded date field value as a date (None: not recorded, or not readable)."""
        if not value or not ISO_DAY.match(value):
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None

    def choice(self, choice_id: str) -> Choice:
        for c in self.choices:
            if c.id == choice_id:
                return c
        raise InvalidInput(f"That is not a choice for {self.label}.")

    def choice_label(self, choice_id: str | None) -> str:
        """The label of a recorded choice: "Not recorded" for none, the id itself for a choice
        the programme no longer lists (an older definition, or another store's). A date field's
        value reads as a date ("12 March 2026")."""
        if not choice_id:
            return NOT_RECORDED
        if self.is_date:
            day = self.date_of(choice_id)
            return long_date(day) if day else choice_id
        return next((c.label for c in self.choices if c.id == choice_id), choice_id)


@dataclass(frozen=True)
class CaseFieldValue:
    """One case field of a case as shown: the field and the choice recorded (None: not recorded)."""

    field: CaseField
    choice: str | None

    @property
    def label(self) -> str:
        """The choice's full label ("Category 2 – violent or other sexual offender")."""
        return self.field.choice_label(self.choice)

    @property
    def short(self) -> str:
        """The label's short form, for narrow columns: the text before " – " ("Category 2");
        a date as dd/mm/yyyy."""
        if self.field.is_date:
            day = self.date
            return day.strftime("%d/%m/%Y") if day else self.label
        return short_label(self.label)

    @property
    def date(self) -> dt.date | None:
        """A date field's recorded date (None for a choice field or nothing recorded)."""
        return self.field.date_of(self.choice) if self.field.is_date else None


def short_label(label: str) -> str:
    return label.split(" – ", 1)[0].strip() or label


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def long_date(day: dt.date) -> str:
    """A date in words, as printed: "12 March 2026"."""
    return f"{day.day} {day.strftime('%B %Y')}"


UNKNOWN_AGE = "Unknown"
_UNDER = re.compile(r"under (\d+)", re.IGNORECASE)
_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")
_OVER = re.compile(r"(\d+) and over|(\d+)\+", re.IGNORECASE)


def age_band_range(label: str) -> tuple[int, int] | None:
    """The ages (inclusive) an age band's label covers: "Under 11" -> (0, 10), "11–15" ->
    (11, 15), "41 and over" -> (41, 999); None for "Unknown". A label that reads as none of
    these is refused, so that a programme's bands are checked when it is loaded."""
    text = label.strip()
    if text.casefold() == UNKNOWN_AGE.casefold():
        return None
    if m := _UNDER.fullmatch(text):
        return 0, int(m.group(1)) - 1
    if m := _RANGE.fullmatch(text):
        return int(m.group(1)), int(m.group(2))
    if m := _OVER.fullmatch(text):
        return int(m.group(1) or m.group(2)), 999
    raise InvalidInput(f"The age band {label!r} is not understood (Under N, N–M, N and over).")


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Management level" -> "management level", but an
    acronym stays ("NHS number")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]
