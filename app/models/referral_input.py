"""What a referral is made of before it is saved, and the text rules of each of its fields.

Job: the two input shapes every door uses to open a case -- the desktop form, referral intake
from a spreadsheet (``ReferralDraft.inputs()``) and the command line -- and ONE table of their text
fields (label, whether required, the limit from ``app.models.fieldrules``). ``services.cases``
refuses the first problem with :class:`InvalidInput`; referral intake reports every problem of a
row against its column. Before this table the limits were copied in three places and the alias
rule differed (intake checked only an alias's length, the form also its characters).

Invariants: pure, no I/O; a message names the field, never its value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from app.models.domain import Identifier
from app.models.fieldrules import MAX_NAME, field_limit, text_problem


@dataclass(frozen=True)
class SubjectInput:
    """The person referred, as typed or read from a file (text not yet checked)."""

    forenames: str
    surname: str
    date_of_birth: dt.date | None = None
    aliases: tuple[str, ...] = ()
    gender: str = ""
    ethnicity: str = ""
    address: str = ""
    postcode: str = ""
    area: str = ""
    identifiers: tuple[Identifier, ...] = ()
    vulnerabilities: str = ""


@dataclass(frozen=True)
class ReferralInput:
    """The referral itself: when, by whom, from which sector, about which concern, and why."""

    received: dt.date
    referrer: str
    sector: str  # programme sector id
    concern: str  # programme concern id
    narrative: str


@dataclass(frozen=True)
class TextField:
    """A text field of an input: its attribute, its label in messages, its stored entity."""

    name: str
    label: str
    entity: str
    required: bool = False

    @property
    def limit(self) -> int:
        return field_limit(self.entity, self.name)


SUBJECT_TEXT: tuple[TextField, ...] = (
    TextField("forenames", "Forenames", "subject"),
    TextField("surname", "Surname", "subject", required=True),
    TextField("gender", "Gender", "subject"),
    TextField("ethnicity", "Ethnicity", "subject"),
    TextField("address", "Address", "subject"),
    TextField("postcode", "Postcode", "subject"),
    TextField("area", "Area", "subject"),
    TextField("vulnerabilities", "Vulnerabilities", "subject"),
)
REFERRAL_TEXT: tuple[TextField, ...] = (
    TextField("referrer", "Referrer", "referral", required=True),
    TextField("narrative", "Narrative", "referral", required=True),
)
#: Each alias obeys the rule of a name.
ALIAS_LIMIT = MAX_NAME
REQUIRED = "is required"  # the problem of a required field left blank
ALIAS = TextField("aliases", "Alias", "subject")


def field_text_problem(field: TextField, value: str, *, limit: int | None = None) -> str | None:
    """Why ``value`` (trimmed) is not acceptable in ``field`` ("is required", "is too long (...)",
    "contains control characters"), or None."""
    value = (value or "").strip()
    if field.required and not value:
        return REQUIRED
    return text_problem(value, limit=field.limit if limit is None else limit)


def input_problems(
    subject: SubjectInput, referral: ReferralInput | None = None
) -> Iterator[tuple[TextField, str]]:
    """Every (field, problem) of the inputs' text, in form order; aliases one by one."""
    for f in SUBJECT_TEXT:
        if (problem := field_text_problem(f, getattr(subject, f.name))) is not None:
            yield f, problem
    for alias in subject.aliases:
        if (problem := field_text_problem(ALIAS, alias, limit=ALIAS_LIMIT)) is not None:
            yield ALIAS, problem
    for f in REFERRAL_TEXT if referral is not None else ():
        if (problem := field_text_problem(f, getattr(referral, f.name))) is not None:
            yield f, problem


__all__ = [
    "ALIAS",
    "ALIAS_LIMIT",
    "REFERRAL_TEXT",
    "REQUIRED",
    "SUBJECT_TEXT",
    "ReferralInput",
    "SubjectInput",
    "TextField",
    "field_text_problem",
    "input_problems",
]
