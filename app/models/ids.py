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
