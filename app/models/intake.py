"""Referral intake: drafts read from a spreadsheet or typed into the form, and the rules they obey.

``app.spreadsheets.referrals`` reads a file into cell values and calls
:func:`validate_draft_fields` for each row: the file's own rules (day-first dates, sector and
concern matched to the programme, PNC and NHS formats). A draft becomes the inputs every door uses
(``ReferralDraft.inputs()``, ``app.models.referral_input``), whose text rules the desktop form's
entries meet too. Nothing here reads or writes a file.

Invariants:
- A :class:`ReferralDraft` is only ever produced for a row with no problems; every problem names
  the row (as the user sees it in the spreadsheet, header = row 1) and the column (header text).
- Dates are day-first and parsed strictly by :func:`parse_date` (no guessing, no month-first): a
  text date that is not in one of the accepted forms is an error, never a different date.
- Names and free text are kept as written (only outer whitespace trimmed, Unicode NFC-normalised);
  text starting with ``=``, ``+``, ``-`` or ``@`` is plain text and is never evaluated.
- Problem messages quote no personal data (only sector or concern text the user typed).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from app.models.case_fields import Choice
from app.models.domain import Identifier
from app.models.errors import InvalidInput
from app.models.programme import Programme
from app.models.referral_input import ReferralInput, SubjectInput

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | None

# --- fields and their header variants ------------------------------------------------------------

#: field -> (label shown to the user, header variants matched case-, space- and punctuation-blind)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "received": (
        "Referral date",
        ("referral date", "date of referral", "date referred", "date received", "received"),
    ),
    "referrer": ("Referrer", ("referrer", "referred by", "referrer name")),
    "sector": (
        "Referring agency",
        ("referring agency", "sector", "referring sector", "referrer sector", "agency"),
    ),
    "forenames": (
        "Forename(s)",
        ("forename", "forenames", "first name", "first names", "given name", "given names"),
    ),
    "surname": ("Surname", ("surname", "last name", "family name")),
    "aliases": ("Aliases", ("aliases", "alias", "also known as", "aka")),
    "date_of_birth": ("Date of birth", ("date of birth", "dob", "birth date")),
    "gender": ("Gender", ("gender", "sex")),
    "address": ("Address", ("address", "home address", "current address")),
    "postcode": ("Postcode", ("postcode", "post code", "postal code")),
    "pnc": (
        "PNC",
        ("pnc", "pnc id", "pnc number", "police national computer id",
         "police national computer number"),
    ),
    "nhs": ("NHS number", ("nhs number", "nhs no", "nhs")),
    "concern": ("Type of concern", ("type of concern", "concern", "concern type")),
    "narrative": (
        "Narrative",
        ("narrative", "details", "reason for referral", "referral details", "reason"),
    ),
}

#: Fields a row cannot be imported without.
REQUIRED_FIELDS: tuple[str, ...] = ("received", "surname", "sector", "concern")


def normalise_header(text: str) -> str:
    """Header key: parenthesised hints dropped, then letters and digits only, case-folded."""
    text = re.sub(r"\([^)]*\)", "", text)
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_HEADER_INDEX: dict[str, str] = {
    normalise_header(variant): name
    for name, (_, variants) in FIELDS.items()
    for variant in variants
}


def field_for_header(header: str) -> str | None:
    """The field a header names (``"D.O.B."`` -> ``"date_of_birth"``), or None if unknown."""
    return _HEADER_INDEX.get(normalise_header(header))


def header_signature(headers: Iterable[str]) -> str:
    """A stable hash of a file's headers (order- and spelling-blind), to remember a mapping."""
    keys = sorted({normalise_header(h) for h in headers if normalise_header(h)})
    return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()


# --- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralDraft:
    """A referral ready to be saved (the service matches the person against existing subjects)."""

    received: dt.date
    referrer: str
    sector: str  # programme sector id
    concern: str  # programme concern id
    narrative: str
    forenames: str
    surname: str
    aliases: tuple[str, ...]
    date_of_birth: dt.date | None
    gender: str
    address: str
    postcode: str
    identifiers: tuple[Identifier, ...]
    source_row: int

    def inputs(self) -> tuple[SubjectInput, ReferralInput]:
        """The shapes every door opens a case with (``app.models.referral_input``)."""
        subject = SubjectInput(
            forenames=self.forenames, surname=self.surname, date_of_birth=self.date_of_birth,
            aliases=self.aliases, gender=self.gender, address=self.address, postcode=self.postcode,
            identifiers=self.identifiers,
        )  # fmt: skip
        referral = ReferralInput(self.received, self.referrer, self.sector, self.concern, self.narrative)
        return subject, referral


@dataclass(frozen=True)
class RowProblem:
    row: int  # spreadsheet row number as the user sees it (header = row 1)
    column: str  # the header text as in the file
    message: str

    def describe(self) -> str:
        where = f"row {self.row}, “{self.column}”" if self.column else f"row {self.row}"
        return f"{where[0].upper()}{where[1:]}: {self.message}"


@dataclass(frozen=True)
class ColumnMapping:
    """Which header in the file feeds which field, as (field, header text) pairs in field order."""

    columns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, mapping: Mapping[str, str]) -> ColumnMapping:
        unknown = sorted(set(mapping) - set(FIELDS))
        if unknown:
            raise InvalidInput("Unknown fields in the column choices: " + ", ".join(unknown) + ".")
        return cls(tuple((f, mapping[f]) for f in FIELDS if f in mapping))

    def header(self, field_name: str) -> str | None:
        for f, h in self.columns:
            if f == field_name:
                return h
        return None

    def as_dict(self) -> dict[str, str]:
        return dict(self.columns)


@dataclass(frozen=True)
class ReferralSheet:
    drafts: tuple[ReferralDraft, ...]
    problems: tuple[RowProblem, ...]
    unknown_columns: tuple[str, ...]  # headers not read (unknown, duplicate, or blank with data)
    mapping: ColumnMapping
    header_signature: str
    sheet_names: tuple[str, ...]  # every worksheet in a workbook; () for CSV
    sheet: str = ""  # the worksheet read ("" for CSV)
    header_row: int = 1
    headers: tuple[str, ...] = ()  # header texts in column order ("" where blank)
    rows_read: int = 0  # non-blank data rows
    encoding: str = ""  # "utf-8", "utf-8-sig", "cp1252" or "xlsx"

    @property
    def ok(self) -> bool:
        return not self.problems


# --- dates ---------------------------------------------------------------------------------------


class DateError(ValueError):
    """A text that is not an acceptable date; ``str()`` is a user message without the value."""


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$")
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \-/.]?([A-Za-z]{3,9})\.?,?[ \-/.]?(\d{4}|\d{2})")
FORMAT_HINT = "Write dates as day/month/year, for example 31/01/2026."


def _year(text: str, today: dt.date) -> int:
    year = int(text)
    if len(text) == 2:  # the most recent year ending in these digits that is not in the future
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def parse_date(value: CellValue, *, today: dt.date) -> dt.date:
    """A date from a cell: an Excel date, or text day-first (``31/01/2026``, ``31/1/26``,
    ``31-Jan-2026``, ``31 January 2026``) or ISO (``2026-01-31``); a midnight-style time suffix is
    ignored. Two-digit years take the latest century that does not put the year after ``today``.
    Raises :class:`DateError` for anything else, including impossible dates (31/02/2026)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError("Not a date. Format the cell as a date, or write it as day/month/year.")
    text = _TIME_SUFFIX.sub("", value.strip())
    if m := _ISO.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), _year(m[4], today)
    elif (m := _NAMED.fullmatch(text)) and m[2].casefold() in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2].casefold()], _year(m[3], today)
    else:
        raise DateError("Not a date. " + FORMAT_HINT)
    if not 1 <= month <= 12:
        raise DateError("Not a real date: there is no month above 12 (dates are day/month/year).")
    if year < 1900:
        raise DateError("Not a plausible date: the year is before 1900.")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError("Not a real date: that day does not exist in that month.") from None


# --- validation ----------------------------------------------------------------------------------


def clean_text(value: CellValue) -> str:
    """A cell as text: NFC, outer whitespace trimmed; whole numbers without ``.0``; dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def nhs_number_valid(digits: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the first nine."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


_PNC = re.compile(r"(\d{2}|\d{4})/\d{1,7}[A-Z]")
_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})")


def _postcode(text: str) -> str:
    compact = re.sub(r"\s+", "", text).upper()
    m = _POSTCODE.fullmatch(compact)
    return f"{m[1]} {m[2]}" if m else text


def _quote(text: str) -> str:
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _choice(
    kind: str, text: str, match: Choice | None, choices: tuple[Choice, ...]
) -> tuple[str, str | None]:
    """(id, problem) for a sector or concern cell."""
    if not text:
        return "", f"The {kind} is missing."
    if match is None:
        labels = ", ".join(c.label for c in choices)
        return "", f"{_quote(text)} is not a {kind} the programme knows. Use one of: {labels}."
    return match.id, None


class ChoiceLookups:
    """The programme's sector and concern matching, remembered per text (for many rows)."""

    def __init__(self, programme: Programme) -> None:
        self.sector: Callable[[str], Choice | None] = functools.lru_cache(maxsize=4096)(
            programme.sector
        )
        self.concern: Callable[[str], Choice | None] = functools.lru_cache(maxsize=4096)(
            programme.concern
        )


def _date_field(
    raw: CellValue, *, today: dt.date, missing: str | None
) -> tuple[dt.date | None, str | None]:
    """(date, problem) for a date cell: blank is ``missing`` (None when the date is optional);
    a date after ``today`` is refused."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, missing
    try:
        day = parse_date(raw, today=today)
    except DateError as exc:
        return None, str(exc)
    if day > today:
        return None, "The date is in the future."
    return day, None


def _identifiers(text: Mapping[str, str], problem: Callable[[str, str], None]) -> list[Identifier]:
    """The PNC ID and NHS number of a row, each checked against its format."""
    identifiers: list[Identifier] = []
    if pnc := re.sub(r"\s+", "", text["pnc"]).upper():
        if _PNC.fullmatch(pnc):
            identifiers.append(Identifier("pnc", pnc))
        else:
            problem("pnc", "Not a PNC ID; write it as year/number and letter, e.g. 2001/0012345A.")
    if nhs := re.sub(r"[\s/.\-]+", "", text["nhs"]):  # separators as people.identifier_key
        if nhs_number_valid(nhs):
            identifiers.append(Identifier("nhs", nhs))
        else:
            problem("nhs", "Not a valid NHS number (10 digits ending in the right check digit).")
    return identifiers


def validate_draft_fields(
    values: Mapping[str, CellValue],
    *,
    programme: Programme,
    today: dt.date,
    row: int = 0,
    columns: Mapping[str, str] | None = None,
    lookups: ChoiceLookups | None = None,
) -> tuple[ReferralDraft | None, tuple[RowProblem, ...]]:
    """Check one referral's fields (field name -> cell value) and build the draft if all is well.

    ``columns`` gives the header text to name in problems (defaults to the field labels, which is
    what the desktop form shows); ``lookups`` remembers sector and concern matches across rows.
    Returns (draft or None, problems); a draft only when no problems.
    """
    problems: list[RowProblem] = []
    lookups = lookups or ChoiceLookups(programme)

    def col(name: str) -> str:
        if columns is not None and name in columns:
            return columns[name]
        return FIELDS[name][0]

    def problem(name: str, message: str) -> None:
        problems.append(RowProblem(row, col(name), message))

    text = {name: clean_text(values.get(name)) for name in FIELDS}

    def date_field(name: str, missing: str | None) -> dt.date | None:
        day, message = _date_field(values.get(name), today=today, missing=missing)
        if message:
            problem(name, message)
        return day

    received = date_field("received", "The referral date is missing.")
    sector, sector_problem = _choice(
        "referring sector", text["sector"], lookups.sector(text["sector"]), programme.sectors
    )
    if sector_problem:
        problem("sector", sector_problem)
    if not text["surname"]:
        problem("surname", "The surname is missing.")
    dob = date_field("date_of_birth", None)
    if dob is not None and received is not None and dob > received:
        problem("date_of_birth", "The date of birth is after the referral date.")
    identifiers = _identifiers(text, problem)
    concern, concern_problem = _choice(
        "type of concern", text["concern"], lookups.concern(text["concern"]), programme.concerns
    )
    if concern_problem:
        problem("concern", concern_problem)

    if problems or received is None:
        return None, tuple(problems)
    aliases = tuple(a.strip() for a in re.split(r"[;|\n]", text["aliases"]) if a.strip())
    return (
        ReferralDraft(
            received=received,
            referrer=text["referrer"],
            sector=sector,
            concern=concern,
            narrative=text["narrative"],
            forenames=text["forenames"],
            surname=text["surname"],
            aliases=aliases,
            date_of_birth=dob,
            gender=text["gender"],
            address=text["address"],
            postcode=_postcode(text["postcode"]),
            identifiers=tuple(identifiers),
            source_row=row,
        ),
        (),
    )
