"""A programme definition: the panel's lifecycle, framework, plan headings, intervals and lists.

Programmes are data (``resources/programmes/*.toml``); ``app.config.programmes`` reads the files and
calls :func:`app.models.programme_load.programme_from_dict`. Code asks a ``Programme`` questions
and never tests its name. Invariant: a ``Programme`` is validated on construction (every
transition names known statuses and roles, every screening outcome leads to a known status, a
checklist's thresholds name known levels). The framework is in ``app.models.framework``, the
case fields in ``app.models.case_fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.models.case_fields import (
    CASE_FIELD_KINDS,
    CaseField,
    CaseFieldValue,
    Choice,
    age_band_range,
)
from app.models.enums import AgendaKind, ConsentState, Role
from app.models.errors import InvalidInput
from app.models.framework import AssessmentNotes, Framework
from app.models.transfer import TransferRule


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    stage: str  # referral | screening | gathering | panel | support | exit | closed
    terminal: bool = False
    open_case: bool = True  # counts as an active case on dashboards
    # the person's answer a case at this status stands on ("refused": consent refused or
    # withdrawn), so that a person's refusal is never counted as the panel's decision
    consent: str = ""
    # days between reviews of a case at this status (MAPPA: level 1 under the lead agency); a
    # status without it is reviewed at the programme's interval when it is a panel status
    review_days: int | None = None
    # a step another agency holds (Channel: counter-terrorism policing's gateway assessment):
    # who holds it (``held_by``: a label, and the kinds of agency on the panel that are them)
    # and how long it takes, in working days from the day the case reached the status
    held_by: str = ""
    # a shorter label for narrow columns (the referral queue's status); the label by default
    short: str = ""
    held_by_sectors: tuple[str, ...] = ()
    due_working_days: int | None = None


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[Role]
    label: str
    requires_rationale: bool = True
    # the panel's decision, taken at a meeting: the status change names the meeting
    panel_decision: bool = False


@dataclass(frozen=True)
class ScreeningOutcome:
    id: str
    label: str
    target: str  # status the case moves to
    retention: str  # retention class key


@dataclass(frozen=True)
class PlanHeading:
    id: str
    label: str
    guidance: str


POST_EXIT_FROM = ("exit", "last-heard")


@dataclass(frozen=True)
class Intervals:
    screening_target_working_days: int
    review_interval_days: int
    post_exit_review_months: tuple[int, ...]
    consent_reassess_days: int
    repeat_referral_months: int | None = None  # a new incident this soon after the last referral
    # what post-exit reviews count from: "exit" (the day the case reached the exit status) or
    # "last-heard" (the last held meeting that had the case on its agenda)
    post_exit_from: str = "exit"

    def __post_init__(self) -> None:
        if self.post_exit_from not in POST_EXIT_FROM:
            raise InvalidInput(
                f"intervals.post_exit_from must be one of {', '.join(POST_EXIT_FROM)}."
            )


@dataclass(frozen=True)
class AgendaOrder:
    """How cases are ordered on an agenda (``[agenda] order_by_case_field``): the cases whose
    current choice for case field ``field`` is one of ``first`` come before the others (say,
    cases with children in the household first, then adult-only cases). The default orders
    nothing: cases keep the order they were proposed or added in."""

    field: str = ""
    first: tuple[str, ...] = ()

    def rank(self, values: Iterable[CaseFieldValue]) -> int:
        """0 for a case that comes first, 1 for the others (always 0 without a rule)."""
        if not self.field:
            return 0
        chosen = {v.field.id: v.choice for v in values}
        return 0 if chosen.get(self.field) in self.first else 1


@dataclass(frozen=True)
class ChairRule:
    """What the chair sees without a case being shared with the chair's agency (``[chair]``):
    with ``agendas``, every case on the agenda of a meeting the member chairs; every case in one
    of ``statuses`` (those awaiting panel) for a member whose role is chair. The default sees
    nothing more than the chair's agency does."""

    agendas: bool = False
    statuses: frozenset[str] = frozenset()

    @property
    def grants_anything(self) -> bool:
        return self.agendas or bool(self.statuses)


@dataclass(frozen=True)
class LinkedRole:
    """A kind of person linked to a case besides its subject (``[[linked_roles]]``): a domestic abuse panel's
    person causing harm and the children in the household. ``repeat = true``: a repeat referral
    needs the same person in this role on the earlier case as well as the same subject."""

    id: str
    label: str
    plural: str = ""
    guidance: str = ""
    repeat: bool = False

    @property
    def plural_label(self) -> str:
        return self.plural or self.label


#: agenda kind -> (section heading, one item), where a programme does not say otherwise
DEFAULT_AGENDA_LABELS: Mapping[str, tuple[str, str]] = {
    "new-referral": ("New referrals", "New referral"),
    "review": ("Reviews", "Review"),
    "exit": ("Exits", "Exit"),
    "post-exit-review": ("Post-exit reviews", "Post-exit review"),
    "other": ("Any other business", "Other business"),
}


@dataclass(frozen=True)
class Programme:
    id: str
    name: str
    panel_label: str
    statuses: tuple[Status, ...]
    initial_status: str
    transitions: tuple[Transition, ...]
    screening_outcomes: tuple[ScreeningOutcome, ...]
    framework: Framework
    plan_headings: tuple[PlanHeading, ...]
    intervals: Intervals
    retention_years: Mapping[str, int]
    sectors: tuple[Choice, ...]
    concerns: tuple[Choice, ...]
    confidentiality_statement: str
    exit_status: str
    adopted_status: str
    panel_statuses: frozenset[str] = field(default_factory=frozenset)
    statistics: Mapping[str, Any] = field(default_factory=dict)
    case_fields: tuple[CaseField, ...] = ()
    # whether the panel seeks the person's consent (voluntary support does; statutory MAPPA does not)
    records_consent: bool = True
    # the programme's words for agenda sections and items ([agenda_labels]), e.g. step-downs
    agenda_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    demo: Mapping[str, Any] = field(default_factory=dict)  # texts and weights for demo panels
    # what the chair sees beyond the chair's agency's cases ([chair]); nothing more by default
    chair: ChairRule = ChairRule()
    # the order of cases on an agenda ([agenda] order_by_case_field); none by default
    agenda_order: AgendaOrder = AgendaOrder()
    # a meeting is marked held only once the confidentiality statement is recorded as read and
    # agreed by those present (``meetings.record_confidentiality``); printed in the minutes
    confidentiality_signed: bool = False
    # the kinds of people linked to a case besides its subject ([[linked_roles]]); none by default
    linked_roles: tuple[LinkedRole, ...] = ()
    # further frameworks a case may be assessed with ([[other_frameworks]]: the young people's
    # checklist), chosen per assessment by the subject's age or by the person recording it
    other_frameworks: tuple[Framework, ...] = ()
    # case transfer between panels ([transfer]): the status a case transferred out closes at and
    # the working days within which a case transferred in is discussed (docs/sync.md)
    transfer: TransferRule = field(default_factory=TransferRule)
    # the programme's words in Welsh: each English text of the file (a label, a section, a
    # heading's guidance) and the Welsh written beside it (``label_cy = "…"``; docs/i18n.md)
    welsh: Mapping[str, str] = field(default_factory=dict)

    @property
    def frameworks(self) -> tuple[Framework, ...]:
        return (self.framework, *self.other_frameworks)

    def framework_by_id(self, framework_id: str) -> Framework:
        """The framework with this id; "" (or the main framework's id) is the main one."""
        if not framework_id or framework_id == self.framework.id:
            return self.framework
        for fw in self.other_frameworks:
            if fw.id == framework_id:
                return fw
        raise InvalidInput("That is not an assessment framework the programme uses.")

    def framework_for_age(self, age: int | None) -> Framework:
        """The framework for a subject of this age: the first other framework whose ages cover
        it, else the main framework."""
        return next((fw for fw in self.other_frameworks if fw.covers_age(age)), self.framework)

    def framework_of(self, notes: AssessmentNotes) -> Framework:
        """The framework an assessment version was recorded with (the main one when it names
        none, or one this programme no longer has)."""
        try:
            return self.framework_by_id(notes.framework)
        except InvalidInput:
            return self.framework

    def linked_role(self, role_id: str) -> LinkedRole:
        for r in self.linked_roles:
            if r.id == role_id:
                return r
        raise InvalidInput("That is not a kind of linked person the programme records.")

    @property
    def repeat_role(self) -> LinkedRole | None:
        """The linked role a repeat referral also needs to be the same person, if any."""
        return next((r for r in self.linked_roles if r.repeat), None)

    def agenda_label(self, kind: AgendaKind, *, item: bool = False) -> str:
        """A section of the agenda ("Exits") or, with ``item``, one item of it ("Exit"), in the
        programme's words where it has its own ("Step-downs")."""
        plural, single = self.agenda_labels.get(kind.value, DEFAULT_AGENDA_LABELS[kind.value])
        return single if item else plural

    def __post_init__(self) -> None:
        ids = {s.id for s in self.statuses}
        problems = [
            *self._status_problems(ids),
            *self._list_problems(),
            *self._case_field_problems(ids),
        ]
        if problems:
            raise InvalidInput("The programme definition is not valid: " + "; ".join(problems))

    def _status_problems(self, ids: set[str]) -> list[str]:
        """What is wrong with the lifecycle: statuses, transitions, screening outcomes."""
        problems: list[str] = []
        if self.initial_status not in ids:
            problems.append(f"initial status {self.initial_status!r} unknown")
        for t in self.transitions:
            if t.source not in ids or t.target not in ids:
                problems.append(f"transition {t.source}->{t.target} names an unknown status")
        for o in self.screening_outcomes:
            if o.target not in ids:
                problems.append(f"screening outcome {o.id} leads to unknown status {o.target}")
            if o.retention not in self.retention_years:
                problems.append(f"screening outcome {o.id} has unknown retention {o.retention}")
        for s in (self.exit_status, self.adopted_status, *self.panel_statuses, *self.chair.statuses):
            if s not in ids:
                problems.append(f"status {s!r} unknown")
        if self.initial_status in ids and not any(
            t.source == self.initial_status for t in self.transitions
        ):
            problems.append(f"no transition leaves the initial status {self.initial_status!r}")
        states = {c.value for c in ConsentState}
        for st in self.statuses:
            if st.consent and (st.consent not in states or not self.records_consent):
                problems.append(
                    f"status {st.id!r}: consent {st.consent!r} is not a consent answer, or the "
                    "programme records no consent"
                )
        for st in self.statuses:
            if st.review_days is not None and (st.review_days < 1 or st.terminal):
                problems.append(f"status {st.id!r}: review_days must be at least 1, not terminal")
            if st.due_working_days is not None and (st.due_working_days < 1 or st.terminal):
                problems.append(f"status {st.id!r}: due_working_days must be at least 1, not terminal")
            if bool(st.held_by) != bool(st.held_by_sectors):
                problems.append(f"status {st.id!r}: held_by needs both a label and the agency sectors")
        out = self.transfer.out_status
        if out and (out not in ids or not self.status(out).terminal
                    or any(t.target == out for t in self.transitions)):
            problems.append(f"transfer.out_status {out!r} must be a terminal status no transition "
                            "leads to (only a transfer closes a case there)")
        return problems

    def _list_problems(self) -> list[str]:
        """What is wrong with the age bands, linked roles and frameworks."""
        problems: list[str] = []
        for band in self.statistics.get("age_bands", ()):
            try:
                age_band_range(str(band))
            except InvalidInput as exc:
                problems.append(str(exc))
        if len({r.id for r in self.linked_roles}) != len(self.linked_roles):
            problems.append("a linked role is repeated")
        if sum(r.repeat for r in self.linked_roles) > 1:
            problems.append("only one linked role may decide repeats")
        main_levels = [(r.id, r.rank) for r in self.framework.risk_levels]
        fw_ids = [fw.id for fw in self.frameworks]
        if self.other_frameworks and (not all(fw_ids) or len(set(fw_ids)) != len(fw_ids)):
            problems.append("with other frameworks, every framework needs an id of its own")
        for fw in self.other_frameworks:
            if [(r.id, r.rank) for r in fw.risk_levels] != main_levels:
                problems.append(f"framework {fw.id!r} must use the main framework's risk levels")
        return problems

    def _case_field_problems(self, ids: set[str]) -> list[str]:
        """What is wrong with the case fields and the agenda order that names one."""
        problems: list[str] = []
        seen_fields: set[str] = set()
        for cf in self.case_fields:
            if any(c.review_days is not None and c.review_days < 1 for c in cf.choices):
                problems.append(f"case field {cf.id!r}: review_days must be at least 1")
            if cf.kind not in CASE_FIELD_KINDS:
                problems.append(f"case field {cf.id!r}: kind must be one of {', '.join(CASE_FIELD_KINDS)}")
            elif cf.id in seen_fields or (not cf.is_date and not cf.choices):
                problems.append(f"case field {cf.id!r} is repeated or has no choices")
            elif cf.is_date and cf.choices:
                problems.append(f"case field {cf.id!r}: a date field has no choices")
            if (cf.proposes_status or cf.retention_from) and not cf.is_date:
                problems.append(f"case field {cf.id!r}: only a date field may propose a status or start retention")
            if cf.proposes_status and cf.proposes_status not in ids:
                problems.append(f"case field {cf.id!r} proposes unknown status {cf.proposes_status!r}")
            seen_fields.add(cf.id)
        if self.agenda_order.field:
            known = {cf.id: {c.id for c in cf.choices} for cf in self.case_fields}
            if self.agenda_order.field not in known:
                problems.append(f"agenda order names unknown case field {self.agenda_order.field!r}")
            elif not self.agenda_order.first or set(self.agenda_order.first) - known[self.agenda_order.field]:
                problems.append("agenda order's first choices must be choices of its case field")
        return problems

    def case_field(self, field_id: str) -> CaseField:
        for cf in self.case_fields:
            if cf.id == field_id:
                return cf
        raise InvalidInput("That case field is not part of the programme.")

    def case_field_values(self, recorded: Iterable[tuple[str, str]]) -> tuple[CaseFieldValue, ...]:
        """Every case field of the programme, in its order, with the choice ``recorded`` holds
        for it ((field id, choice id) pairs, e.g. ``AssessmentNotes.case_fields``); fields the
        programme does not define are left out."""
        values = dict(recorded)
        return tuple(CaseFieldValue(cf, values.get(cf.id) or None) for cf in self.case_fields)

    @property
    def date_fields(self) -> tuple[CaseField, ...]:
        return tuple(cf for cf in self.case_fields if cf.is_date)

    @property
    def choice_fields(self) -> tuple[CaseField, ...]:
        return tuple(cf for cf in self.case_fields if not cf.is_date)

    def is_reviewed(self, status_id: str) -> bool:
        """Whether a case at this status has a next review date: a status that is not terminal and
        not the exit status (its reviews are the post-exit ones), and is either a panel status or
        sets its own ``review_days`` (a level managed by one lead agency, still reviewed)."""
        st = self.status(status_id)
        if st.terminal or status_id == self.exit_status:
            return False
        return status_id in self.panel_statuses or st.review_days is not None

    def status(self, status_id: str) -> Status:
        for s in self.statuses:
            if s.id == status_id:
                return s
        raise InvalidInput("That status is not part of the programme.")

    def risk_label(self, level: str | None) -> str:
        """A risk level's label ("Very high"); "" for none, the id for a level no longer listed."""
        return self.framework.level_label(level)

    def status_label(self, status_id: str) -> str:
        try:
            return self.status(status_id).label
        except InvalidInput:
            return status_id

    def screening_outcome(self, outcome_id: str) -> ScreeningOutcome:
        for o in self.screening_outcomes:
            if o.id == outcome_id:
                return o
        raise InvalidInput("That screening outcome is not part of the programme.")

    def sector(self, text: str) -> Choice | None:
        return self._sector_index.get(_norm(text))

    def concern(self, text: str) -> Choice | None:
        return self._concern_index.get(_norm(text))

    @cached_property
    def _sector_index(self) -> dict[str, Choice]:
        return _choice_index(self.sectors)

    @cached_property
    def _concern_index(self) -> dict[str, Choice]:
        return _choice_index(self.concerns)


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _choice_index(choices: tuple[Choice, ...]) -> dict[str, Choice]:
    """Every spelling of every choice, normalised; the first choice to claim a spelling keeps it."""
    index: dict[str, Choice] = {}
    for c in choices:
        for key in (_norm(c.id), _norm(c.label), *(_norm(a) for a in c.aliases)):
            if key:
                index.setdefault(key, c)
    return index
