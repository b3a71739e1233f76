"""The plain input of every printed document: one frozen dataclass per document, built by services.

Job: carry *everything* a document shows, so that ``app.reports`` only lays out what it is given and
never looks anything up (no store, no settings, no clock).

Invariants the caller (services) guarantees before handing these to a renderer:
- Need-to-know is already applied. Every contribution, case paper, agenda item and action here is
  one the recipient may see; restricted content is *left out*, never passed in to be hidden.
- Names are resolved: members, agencies and cases are shown through :class:`Names`, a plain mapping
  of id -> display text handed in with the data. A missing id prints as a neutral placeholder.
- ``overdue`` on an :class:`ActionLine` is decided by the caller (``rules.is_overdue`` with a
  ``today``), so a document printed twice from the same data says the same thing.
- Statistics arrive already suppressed (strings such as ``"<5"``); charts get ``None`` for a
  suppressed value, so no chart can reveal a small count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.models.attachments import Attachment
from app.models.case_fields import CaseFieldValue
from app.models.domain import (
    Action,
    AgendaItem,
    Assessment,
    Case,
    ConsentRecord,
    Contribution,
    LinkedPerson,
    Meeting,
    Plan,
    Referral,
    ScreeningDecision,
    Subject,
)
from app.models.enums import AgendaKind, Attendance, Marking
from app.models.ids import AgencyId
from app.models.programme import Programme
from app.models.rules import is_overdue

UNKNOWN = "—"


@dataclass(frozen=True)
class Names:
    """Display names for the ids a document mentions, resolved by the caller."""

    members: Mapping[str, str] = field(default_factory=dict)
    agencies: Mapping[str, str] = field(default_factory=dict)
    cases: Mapping[str, str] = field(default_factory=dict)  # case id -> "RT-2026-0042 Jo Bloggs"

    def member(self, member_id: str | None) -> str:
        if member_id is None:
            return UNKNOWN
        return self.members.get(member_id, UNKNOWN)

    def agency(self, agency_id: str | None) -> str:
        if agency_id is None:
            return UNKNOWN
        return self.agencies.get(agency_id, UNKNOWN)

    def case(self, case_id: str | None) -> str:
        if case_id is None:
            return ""
        return self.cases.get(case_id, UNKNOWN)


@dataclass(frozen=True)
class DocumentContext:
    """Who the document is for and how it is marked; the same for every page."""

    panel_name: str
    marking: Marking
    author: str  # who printed it (metadata /Author and the footer)
    recipient_name: str  # "" for a document with no named recipient (no watermark, no copy line)
    recipient_agency: str
    copy_number: int | None
    generated_at: dt.datetime
    programme: Programme
    language: str = "en-GB"

    @property
    def recipient_line(self) -> str:
        """ "Copy 3 for Jo Bloggs, Housing", or "" when the document has no named recipient."""
        if not self.recipient_name:
            return ""
        who = self.recipient_name
        if self.recipient_agency:
            who = f"{who}, {self.recipient_agency}"
        if self.copy_number is not None:
            return f"Copy {self.copy_number} for {who}"
        return f"Copy for {who}"


@dataclass(frozen=True)
class ActionLine:
    """An action as a document shows it, with ``overdue`` decided by the caller."""

    action: Action
    overdue: bool

    @classmethod
    def of(cls, action: Action, today: dt.date) -> ActionLine:
        return cls(action=action, overdue=is_overdue(action, today))


def action_lines(actions: Iterable[Action], today: dt.date) -> tuple[ActionLine, ...]:
    """Actions in due-date order with their overdue flag as of ``today``."""
    return tuple(ActionLine.of(a, today) for a in sorted(actions, key=lambda a: (a.due, a.title)))


@dataclass(frozen=True)
class AttendeeLine:
    name: str
    agency: str
    attendance: Attendance = Attendance.PRESENT
    agreed: bool = False  # agreed (signed) the confidentiality statement at the meeting


@dataclass(frozen=True)
class CasePaper:
    """One case as the pack shows it to one recipient."""

    subject: Subject
    case: Case
    referral: Referral | None
    assessment: Assessment | None  # the current one
    previous_assessment: Assessment | None  # the one before, to show what changed
    risk_history: tuple[tuple[dt.date, str], ...]  # (date, risk level id), oldest first
    plan: Plan | None
    actions: tuple[ActionLine, ...]
    new_contributions: tuple[Contribution, ...]  # since the last meeting, visible to the recipient
    consent: ConsentRecord | None = None
    agenda_kind: AgendaKind | None = None
    agenda_number: int | None = None  # the item's number on the meeting's agenda
    # the programme's case fields as the current assessment records them (empty when the
    # programme has none): printed with the person and the case
    case_fields: tuple[CaseFieldValue, ...] = ()
    # the people linked to the case (the programme's linked roles), as (role label, person)
    linked_people: tuple[tuple[str, LinkedPerson], ...] = ()


#: what a copy shows in place of an agenda item its recipient may not see (its number stays)
WITHHELD = "Not shared with your agency"


@dataclass(frozen=True)
class AgendaLine:
    """One item of a meeting's agenda as one copy shows it: the meeting's own number for it (the
    same on every copy) and the item, or None when it is withheld from this recipient (then the
    copy prints the number and ``WITHHELD``, nothing else)."""

    number: int
    item: AgendaItem | None


def number_agenda(
    items: Iterable[AgendaItem], shown: Callable[[AgendaItem], bool] = lambda _: True
) -> tuple[AgendaLine, ...]:
    """Every item of a meeting's agenda in the meeting's order, numbered 1, 2, … as the meeting
    numbers them, whoever the copy is for; items ``shown`` rejects are withheld (``item=None``)."""
    ordered = sorted(items, key=lambda i: i.position)
    return tuple(AgendaLine(n, i if shown(i) else None) for n, i in enumerate(ordered, start=1))


@dataclass(frozen=True)
class MinuteItem:
    """One agenda item as minuted. ``case_ref`` alone is printed in the executive summary.
    ``number``: the item's number on the meeting's agenda (0: number the items in order)."""

    item: AgendaItem
    case_ref: str = ""  # "RT-2026-0042"
    subject_name: str = ""  # printed in full minutes only
    actions_raised: tuple[ActionLine, ...] = ()
    number: int = 0


@dataclass(frozen=True)
class MinutesData:
    context: DocumentContext
    meeting: Meeting
    names: Names
    attendees: tuple[AttendeeLine, ...]  # present, apologies and absent; grouped by agency on print
    items: tuple[MinuteItem, ...]
    next_meeting: dt.date | None = None
    withheld: tuple[int, ...] = ()  # agenda numbers of items withheld from this copy


@dataclass(frozen=True)
class MeetingPackData:
    context: DocumentContext
    meeting: Meeting
    names: Names
    agenda: tuple[AgendaLine, ...]  # the whole agenda, numbered as the meeting is: number_agenda
    previous_minutes: MinutesData | None
    action_log: tuple[ActionLine, ...]  # actions raised at or still open since the last meeting
    case_papers: tuple[CasePaper, ...]
    attendance: tuple[AttendeeLine, ...]  # expected attendees, for the sign-in sheet
    confidentiality_statement: str


@dataclass(frozen=True)
class PlanData:
    context: DocumentContext
    subject: Subject
    case: Case
    plan: Plan
    actions: tuple[ActionLine, ...]  # the plan's actions (objectives name them by id)
    names: Names
    case_fields: tuple[CaseFieldValue, ...] = ()  # as on CasePaper


@dataclass(frozen=True)
class StatTable:
    """A table of label -> count, counts already suppressed (``"<5"``)."""

    title: str
    rows: tuple[tuple[str, str], ...]
    label_heading: str = "Category"
    value_heading: str = "Count"
    note: str = ""


@dataclass(frozen=True)
class StatSeries:
    """A bar chart. ``None`` is a suppressed value: drawn as no bar, labelled "<5"."""

    title: str
    points: tuple[tuple[str, int | None], ...]
    value_label: str = "Count"
    suppressed_label: str = "<5"


@dataclass(frozen=True)
class StatisticsReportData:
    context: DocumentContext
    title: str
    period_label: str  # "1 April 2025 to 31 March 2026"
    tables: tuple[StatTable, ...]
    series: tuple[StatSeries, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubjectAccessDiscussion:
    """One panel discussion of a case: the meeting's date and the agenda item as minuted."""

    held_on: dt.date
    item: AgendaItem


@dataclass(frozen=True)
class SubjectAccessCase:
    """One of the person's cases, everything the store holds of it (for a subject access request).

    ``contributions`` are those this store's agency may read; ``withheld`` are items restricted by
    their originator to other agencies: listed (originator and date), never their text."""

    case: Case
    referrals: tuple[Referral, ...]
    status_history: tuple[tuple[str, str, str, str], ...]  # (at, from status, to status, rationale)
    screenings: tuple[ScreeningDecision, ...]
    consents: tuple[ConsentRecord, ...]
    assessments: tuple[Assessment, ...]  # oldest version first
    plans: tuple[Plan, ...]  # oldest version first
    actions: tuple[ActionLine, ...]
    contributions: tuple[Contribution, ...]
    withheld: tuple[Contribution, ...] = ()
    discussions: tuple[SubjectAccessDiscussion, ...] = ()
    # the people linked to the case (the programme's linked roles), as (role label, person)
    linked_people: tuple[tuple[str, LinkedPerson], ...] = ()
    # documents attached to the case (issue 16): those this store's agency may see, and those
    # restricted by their originator to other agencies (listed, never described)
    attachments: tuple[Attachment, ...] = ()
    withheld_attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class SubjectAccessData:
    """Everything the store holds about one person, across all their cases.

    ``own_agency`` is the agency disclosing (this store's); anything another agency contributed is
    marked on the page for that agency's decision on disclosure."""

    context: DocumentContext
    subject: Subject
    own_agency: AgencyId
    cases: tuple[SubjectAccessCase, ...]
    names: Names
