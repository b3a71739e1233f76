"""Enumerations shared by every layer. Values are the stored and exchanged spelling."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    OFFICER = "officer"
    REGION = "region"  # a regional coordinator's store: panels' returns, no cases (docs/spreadsheets.md)


class Marking(StrEnum):
    """UK Government Security Classifications as a panel uses them."""

    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
    SECRET = "SECRET"  # noqa: S105 - a classification, not a password

    @classmethod
    def default(cls) -> Marking:
        return cls.OFFICIAL_SENSITIVE


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.CANCELLED)

    @property
    def label(self) -> str:
        """The words a screen or a document shows ("In progress", never ``in-progress``)."""
        return self.value.replace("-", " ").capitalize()


class Attendance(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class ConsentState(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class AgendaKind(StrEnum):
    NEW_REFERRAL = "new-referral"
    REVIEW = "review"
    EXIT = "exit"
    POST_EXIT_REVIEW = "post-exit-review"
    OTHER = "other"  # words for each kind: Programme.agenda_label (the programme may have its own)


class DecisionMethod(StrEnum):
    CONSENSUS = "consensus"
    MAJORITY = "majority"
    CHAIR = "chair"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
