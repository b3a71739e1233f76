"""Case transfer between panels as data (docs/sync.md, "Case transfer between panels"): the
programme's transfer rule, the states a transfer goes through and the pure checks of the transfer
document a file carries. No I/O.

A transfer is offered by one panel's coordinator (``out`` at the sender) and received by another's
(``in`` at the receiver). Its state moves only forward:

    sender:    offered -> accepted | declined          (by importing the receiver's one reply)
    receiver:  received -> accepted | declined         (the coordinator answers once)

Invariants: a transfer document holds only dicts, lists, text, integers, booleans and nulls, under
hard caps (sizes, counts, depth) checked before any value is used; a restricted contribution
travels as a line naming its agency, never its text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.models.errors import InvalidInput

DOCUMENT_TYPE = "roundtable-transfer"
DOCUMENT_VERSION = 1
KINDS = ("offer", "accept", "decline")
OUT_STATES = ("offered", "accepted", "declined")
IN_STATES = ("received", "accepted", "declined")
DEFAULT_IN_WORKING_DAYS = 20
UNANSWERED_WORKING_DAYS = 20  # an offer not answered this long shows on the dashboard
MAX_TEXT = 100_000  # one text value
MAX_ITEMS = 5_000  # one list
MAX_REASON = 2_000


@dataclass(frozen=True)
class TransferRule:
    """A programme's ``[transfer]`` table: the status a case transferred out closes at (a
    terminal status no transition leads to) and the working days within which the receiving
    panel discusses a case transferred in."""

    out_status: str = ""
    in_working_days: int = DEFAULT_IN_WORKING_DAYS


def transfer_rule(d: Mapping[str, Any]) -> TransferRule:
    unknown = set(d) - {"out_status", "in_working_days"}
    if unknown:
        raise InvalidInput(
            f"The programme's [transfer] table has unknown keys: {', '.join(sorted(unknown))}."
        )
    days = d.get("in_working_days", DEFAULT_IN_WORKING_DAYS)
    if type(days) is not int or not 1 <= days <= 250:
        raise InvalidInput("The programme's transfer.in_working_days must be 1 to 250.")
    return TransferRule(out_status=str(d.get("out_status", "")), in_working_days=days)


# --- checking a document from another panel ----------------------------------------------------
def text(value: object, what: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    """A text value of a transfer document, or ``InvalidInput`` (no control characters but tab
    and line breaks, within ``limit``)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"The transfer file's {what} is not valid.")
    if required and not value.strip():
        raise InvalidInput(f"The transfer file's {what} is missing.")
    if any((ord(c) < 32 and c not in "\t\r\n") or 127 <= ord(c) < 160 for c in value):
        raise InvalidInput(f"The transfer file's {what} holds control characters.")
    return value


def day(value: object, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(text(value, what, limit=10))
    except ValueError as exc:
        raise InvalidInput(f"The transfer file's {what} is not a date.") from exc


def items(value: object, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidInput(f"The transfer file's {what} is not valid.")
    return value


def record(value: object, what: str, keys: frozenset[str]) -> dict[str, Any]:
    """A dict with exactly ``keys`` (a document from a newer version may not add any here)."""
    if not isinstance(value, dict) or set(value) != keys:
        raise InvalidInput(f"The transfer file's {what} is not valid.")
    return value


__all__ = [
    "DEFAULT_IN_WORKING_DAYS",
    "DOCUMENT_TYPE",
    "DOCUMENT_VERSION",
    "IN_STATES",
    "KINDS",
    "OUT_STATES",
    "UNANSWERED_WORKING_DAYS",
    "TransferRule",
    "day",
    "items",
    "record",
    "text",
    "transfer_rule",
]
