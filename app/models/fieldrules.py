"""The rules text obeys, wherever it comes from: typed, imported from a spreadsheet, or in an exchange file.

Job: one definition of "acceptable text" -- no control characters (C0, DEL, C1; tab and line
breaks are allowed), no lone surrogates (bytes that were not UTF-8), and a length limit per field
-- used by the services when a person types (``check_text``), by referral intake,
and by ``sync_ops.validate_op`` for every field of every operation arriving in an exchange file.
So what arrives obeys exactly the rules of what is typed (issue 12).

Invariants:
- ``TEXT_LIMITS`` is the only place a field's length limit is written; services ask
  ``field_limit(entity, field)``. A string field not listed is coded (ids, statuses, dates,
  markings): no control characters at all, at most ``MAX_CODE`` characters.
- Messages name the field, never its value. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata

from app.models.errors import InvalidInput

MAX_TEXT = 20_000  # free text a person writes (notes, narratives, rationales)
MAX_NAME = 200  # names, referrers, aliases
MAX_CODE = 1_000  # coded values: ids, statuses, markings, timestamps, the derived search key
ALLOWED_CONTROLS = frozenset("\t\n\r")

#: (entity, field) -> the most characters a person may write there (the services' limits).
TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("agency", "name"): MAX_NAME,
    ("agency", "short"): 12,
    ("agency", "area"): 120,
    ("member", "name"): MAX_NAME,
    ("member", "email"): MAX_NAME,
    ("member", "area"): 120,
    ("subject", "forenames"): MAX_NAME,
    ("subject", "surname"): MAX_NAME,
    ("subject", "gender"): 60,
    ("subject", "ethnicity"): 120,
    ("subject", "address"): 500,
    ("subject", "postcode"): 12,
    ("subject", "area"): 120,
    ("subject", "vulnerabilities"): MAX_TEXT,
    ("subject", "search_key"): 20 * MAX_TEXT,  # derived from names, aliases and identifiers
    ("referral", "referrer"): MAX_NAME,
    ("referral", "narrative"): MAX_TEXT,
    ("status_change", "rationale"): MAX_TEXT,
    ("screening", "rationale"): MAX_TEXT,
    ("consent", "notes"): MAX_TEXT,
    ("assessment", "overall"): MAX_TEXT,
    ("plan", "contingency"): MAX_TEXT,
    ("action", "title"): 1_000,
    ("action_update", "note"): 5_000,
    ("contribution", "text"): MAX_TEXT,
    ("meeting", "venue"): 300,
    ("agenda_item", "title"): 300,
    ("agenda_item", "discussion"): MAX_TEXT,
    ("agenda_item", "decision"): MAX_TEXT,
    ("agenda_item", "rationale"): MAX_TEXT,
    ("agenda_item", "dissent"): MAX_TEXT,
    ("attachment", "description"): 2_000,
}


def field_limit(entity: str, field: str) -> int:
    """The length limit of a text field (``MAX_CODE`` for a coded one)."""
    return TEXT_LIMITS.get((entity, field), MAX_CODE)


def is_control(ch: str) -> bool:
    """C0 controls, DEL and C1 controls (Unicode category Cc)."""
    return unicodedata.category(ch) == "Cc"


# Category Cc is exactly U+0000-U+001F and U+007F-U+009F (a test checks it against unicodedata);
# one regular expression scans a long note in C rather than character by character.
_CONTROLS_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROLS_IN_CODE = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def text_problem(value: str, *, limit: int, lines: bool = True) -> str | None:
    """Why ``value`` is not acceptable text ("contains control characters", ...), or None.

    ``lines``: tab and line breaks are allowed (free text); otherwise no control at all."""
    if len(value) > limit:
        return f"is too long (at most {limit:,} characters)"
    if _SURROGATES.search(value):
        return "is not valid text (it holds bytes that are not UTF-8)"
    if (_CONTROLS_IN_TEXT if lines else _CONTROLS_IN_CODE).search(value):
        return "contains control characters"
    return None


def check_text(value: str, what: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    """Trimmed text, or ``InvalidInput`` in one sentence naming ``what`` (never the value)."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{what} is required.")
    problem = text_problem(value, limit=limit)
    if problem is not None:
        raise InvalidInput(f"{what} {problem}.")
    return value


def field_problem(entity: str, field: str, value: str) -> str | None:
    """Why a string arriving for ``entity.field`` would have been refused when typed, or None."""
    coded = (entity, field) not in TEXT_LIMITS
    return text_problem(value, limit=field_limit(entity, field), lines=not coded)


def json_text_problem(value: object) -> str | None:
    """The first problem of any string inside a JSON value (keys too): lists of names, risk
    factors' evidence, plan objectives are all typed text of at most ``MAX_TEXT`` characters."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            problem = text_problem(v, limit=MAX_TEXT)
            if problem is not None:
                return problem
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return None


__all__ = [
    "MAX_CODE",
    "MAX_NAME",
    "MAX_TEXT",
    "TEXT_LIMITS",
    "check_text",
    "field_limit",
    "field_problem",
    "is_control",
    "json_text_problem",
    "text_problem",
]
