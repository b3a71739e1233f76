"""Typed identifiers. Every id is a random UUID4 string, never reused; human refs are for display."""

from __future__ import annotations

import uuid
from typing import NewType

AgencyId = NewType("AgencyId", str)
MemberId = NewType("MemberId", str)
DeviceId = NewType("DeviceId", str)
SubjectId = NewType("SubjectId", str)
ReferralId = NewType("ReferralId", str)
CaseId = NewType("CaseId", str)
ScreeningId = NewType("ScreeningId", str)
ConsentId = NewType("ConsentId", str)
AssessmentId = NewType("AssessmentId", str)
PlanId = NewType("PlanId", str)
ActionId = NewType("ActionId", str)
ActionUpdateId = NewType("ActionUpdateId", str)
ContributionId = NewType("ContributionId", str)
MeetingId = NewType("MeetingId", str)
AgendaItemId = NewType("AgendaItemId", str)
AttendanceId = NewType("AttendanceId", str)
OpId = NewType("OpId", str)
ConflictId = NewType("ConflictId", str)


def new_id() -> str:
    """A fresh random id (UUID4, 122 random bits)."""
    return str(uuid.uuid4())


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, AttributeError):
        return False


# --- case refs: the human reference of a case, "RT-2026-0042" ------------------------------------
# The store sorts refs by their first eight characters (the prefix), then length, then text
# (``ref_queries.ref_order``), so a year's numbers past 9999 still sort after the smaller ones.


def case_ref_prefix(year: int) -> str:
    """What every ref of a year starts with: ``RT-2026-``."""
    return f"RT-{year}-"


def case_ref(year: int, number: int) -> str:
    """The ref of a year's ``number``-th case: ``RT-2026-0042`` (at least four digits)."""
    return f"{case_ref_prefix(year)}{number:04d}"


def case_ref_number(ref: str, year: int) -> int | None:
    """The number of a ref of ``year`` (``RT-2026-0042`` -> 42); None for any other text."""
    tail = ref.removeprefix(case_ref_prefix(year))
    return int(tail) if tail != ref and tail.isascii() and tail.isdigit() else None
