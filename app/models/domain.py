"""The domain: frozen dataclasses returned by services and consumed by the UI, CLI and reports.

No I/O here. Dates are ``datetime.date``; timestamps are ISO-8601 UTC strings (``at``) so that they
compare and serialise without surprises. Tuples, not lists, keep every value hashable and frozen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.models.enums import (
    ActionStatus,
    AgendaKind,
    Attendance,
    ConsentState,
    Marking,
    MemberStatus,
    Role,
)
from app.models.ids import (
    ActionId,
    ActionUpdateId,
    AgencyId,
    AgendaItemId,
    AssessmentId,
    CaseId,
    ConsentId,
    ContributionId,
    DeviceId,
    MeetingId,
    MemberId,
    PlanId,
    ReferralId,
    ScreeningId,
    SubjectId,
)


@dataclass(frozen=True)
class Agency:
    id: AgencyId
    name: str
    short: str
    sector: str  # police | ct-police | probation | health | childrens | adults | education | housing | local-authority | other
    is_police: bool = False
    area: str = ""  # the part of the panel's patch the agency covers (free text)


@dataclass(frozen=True)
class Member:
    id: MemberId
    name: str
    agency_id: AgencyId
    role: Role
    email: str = ""
    status: MemberStatus = MemberStatus.ACTIVE
    area: str = ""  # policing area, for the "police for the area must be present" rule


@dataclass(frozen=True)
class Device:
    id: DeviceId
    member_id: MemberId
    sign_pub: bytes
    enc_pub: bytes
    fingerprint: str
    status: MemberStatus = MemberStatus.ACTIVE
    revoked_from_seq: int | None = None


@dataclass(frozen=True)
class Identifier:
    kind: str  # pnc | nhs | other
    value: str


class _Person:
    """What a subject and a linked person share: a name to show and an age on a day."""

    forenames: str
    surname: str
    date_of_birth: dt.date | None

    @property
    def display_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(frozen=True)
class LinkedPerson(_Person):
    """A person linked to a case besides its subject, in one of the programme's linked roles
    (say, the person causing harm, a child in the household)."""

    id: str
    case_id: str
    role: str
    forenames: str
    surname: str
    aliases: tuple[str, ...] = ()
    date_of_birth: dt.date | None = None
    gender: str = ""
    identifiers: tuple[Identifier, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Subject(_Person):
    id: SubjectId
    forenames: str
    surname: str
    aliases: tuple[str, ...] = ()
    date_of_birth: dt.date | None = None
    gender: str = ""
    ethnicity: str = ""
    address: str = ""
    postcode: str = ""
    area: str = ""
    identifiers: tuple[Identifier, ...] = ()
    vulnerabilities: str = ""


@dataclass(frozen=True)
class Referral:
    id: ReferralId
    case_id: CaseId
    subject_id: SubjectId
    received: dt.date
    referrer: str
    sector: str
    concern: str
    narrative: str


@dataclass(frozen=True)
class Case:
    id: CaseId
    ref: str
    subject_id: SubjectId
    programme: str
    status: str
    lead_agency: AgencyId | None
    case_officer: MemberId | None
    shared_with: frozenset[AgencyId]
    marking: Marking
    opened: dt.date
    closed: dt.date | None = None
    exited_on: dt.date | None = None
    risk_level: str | None = None
    next_review: dt.date | None = None


@dataclass(frozen=True)
class CaseSummary:
    """One row of the case list: enough to display and sort without opening the case."""

    id: CaseId
    ref: str
    subject_name: str
    date_of_birth: dt.date | None
    status: str
    status_label: str
    risk_level: str | None
    lead_agency: str
    opened: dt.date
    next_review: dt.date | None
    overdue_actions: int
    # (field id, choice id) of the programme's case fields in the current assessment; filled
    # only for a programme with case fields
    case_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ScreeningDecision:
    id: ScreeningId
    case_id: CaseId
    outcome: str
    rationale: str
    decided_by: MemberId | None
    decided_on: dt.date


@dataclass(frozen=True)
class ConsentRecord:
    id: ConsentId
    case_id: CaseId
    state: ConsentState
    given_by: str  # "subject" | "parent" | "guardian"
    recorded_on: dt.date
    notes: str = ""
    reassess_on: dt.date | None = None


@dataclass(frozen=True)
class FactorRating:
    dimension: str
    factor: str
    rating: str
    evidence: str
    source_agency: AgencyId | None = None


@dataclass(frozen=True)
class Assessment:
    id: AssessmentId
    case_id: CaseId
    version: int
    factors: tuple[FactorRating, ...]
    dimension_summaries: tuple[tuple[str, str], ...]
    overall: str
    risk_level: str
    author: MemberId | None
    assessed_on: dt.date
    supersedes: AssessmentId | None = None


@dataclass(frozen=True)
class Objective:
    heading: str
    text: str
    action_ids: tuple[ActionId, ...] = ()


@dataclass(frozen=True)
class RiskStatement:
    nature: str = ""  # what
    who_at_risk: str = ""  # to whom
    imminence: str = ""  # how soon
    increases: str = ""  # what raises it
    decreases: str = ""  # what lowers it
    protective: str = ""  # protective factors


@dataclass(frozen=True)
class Plan:
    id: PlanId
    case_id: CaseId
    version: int
    risk: RiskStatement
    objectives: tuple[Objective, ...]
    contingency: str
    review_on: dt.date | None
    author: MemberId | None
    created_on: dt.date
    approved_by: MemberId | None = None
    approved_on: dt.date | None = None
    supersedes: PlanId | None = None

    @property
    def approved(self) -> bool:
        return self.approved_by is not None


@dataclass(frozen=True)
class ActionUpdate:
    id: ActionUpdateId
    action_id: ActionId
    status: ActionStatus
    note: str
    author: MemberId | None
    agency_id: AgencyId
    at: str


@dataclass(frozen=True)
class Action:
    id: ActionId
    case_id: CaseId
    title: str
    owner_agency: AgencyId
    owner: MemberId | None
    due: dt.date
    status: ActionStatus
    created_on: dt.date
    meeting_id: MeetingId | None = None
    completed_on: dt.date | None = None
    updates: tuple[ActionUpdate, ...] = ()


@dataclass(frozen=True)
class Contribution:
    id: ContributionId
    case_id: CaseId
    agency_id: AgencyId
    author: MemberId | None
    text: str
    recorded_on: dt.date
    marking: Marking
    restricted_to: frozenset[AgencyId] = field(default_factory=frozenset)
    kind: str = "information"  # information | contact | response


@dataclass(frozen=True)
class Attendee:
    member_id: MemberId
    attendance: Attendance
    confidentiality_agreed: bool = False


@dataclass(frozen=True)
class AgendaItem:
    id: AgendaItemId
    meeting_id: MeetingId
    position: int
    kind: AgendaKind
    case_id: CaseId | None
    title: str = ""
    discussion: str = ""
    decision: str = ""
    rationale: str = ""
    dissent: str = ""
    method: str = ""


@dataclass(frozen=True)
class Meeting:
    id: MeetingId
    held_on: dt.date
    time: str
    venue: str
    chair: MemberId | None
    attendees: tuple[Attendee, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    status: str = "scheduled"  # scheduled | held | cancelled
    distribution: frozenset[MemberId] = field(default_factory=frozenset)
    # the confidentiality statement was read at the meeting and agreed by those present
    confidentiality_read: bool = False


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: MemberId | None
    device: DeviceId | None
    action: str
    entity: str
    record_id: str
    fields: tuple[str, ...]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Workstation:
    """Who this store belongs to."""

    store_id: str
    device_id: DeviceId
    member: Member
    agency: Agency
    panel_name: str
    programme: str
    fingerprint: str
    is_hub: bool


@dataclass(frozen=True)
class CaseFile:
    """Everything one store may show of one case (already filtered for need-to-know)."""

    case: Case
    subject: Subject
    referral: Referral | None
    screenings: tuple[ScreeningDecision, ...]
    consents: tuple[ConsentRecord, ...]
    assessments: tuple[Assessment, ...]
    plans: tuple[Plan, ...]
    actions: tuple[Action, ...]
    contributions: tuple[Contribution, ...]
    status_history: tuple[tuple[str, str, str], ...]  # (at, status, rationale)
    agenda_items: tuple[AgendaItem, ...] = ()
    linked_people: tuple[LinkedPerson, ...] = ()  # the programme's linked roles, if it has any

    @property
    def current_assessment(self) -> Assessment | None:
        return max(self.assessments, key=lambda a: a.version) if self.assessments else None

    @property
    def current_plan(self) -> Plan | None:
        return max(self.plans, key=lambda p: p.version) if self.plans else None
