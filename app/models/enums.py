"""Enumerations shared by every layer. Values are the stored and exchanged spelling."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    OFFICER = "officer"


class Marking(str, Enum):
    """UK Government Security Classifications as a panel uses them."""

    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
    SECRET = "SECRET"

    @classmethod
    def default(cls) -> Marking:
        return cls.OFFICIAL_SENSITIVE


class ActionStatus(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.CANCELLED)


class Attendance(str, Enum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class ConsentState(str, Enum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class AgendaKind(str, Enum):
    NEW_REFERRAL = "new-referral"
    REVIEW = "review"
    EXIT = "exit"
    POST_EXIT_REVIEW = "post-exit-review"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "new-referral": "New referrals",
            "review": "Reviews",
            "exit": "Exits",
            "post-exit-review": "Post-exit reviews",
            "other": "Any other business",
        }[self.value]


class DecisionMethod(str, Enum):
    CONSENSUS = "consensus"
    MAJORITY = "majority"
    CHAIR = "chair"


class MemberStatus(str, Enum):
    ACTIVE = "active"
    REVOKED = "revoked"
