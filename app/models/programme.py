"""A programme definition: the panel's lifecycle, framework, plan headings, intervals and lists.

Programmes are data (``resources/programmes/*.toml``); ``app.config.programmes`` reads the files and
calls :func:`programme_from_dict`. Code asks a ``Programme`` questions and never tests its name.
Invariant: a ``Programme`` is validated on construction (every transition names known statuses and
roles, every screening outcome leads to a known status, a checklist's thresholds name known levels).

A framework is of one of two kinds. ``rated``: dimensions of factors, each rated on a scale; the
risk level is a professional judgement. ``checklist``: questions answered from a short list (yes,
no, not known); thresholds on the number of counting answers *suggest* a level, which the
professional confirms or overrides with a recorded reason. Both are held in the same shape
(a checklist is one dimension whose factors are the questions and whose ratings are the answers)
so that everything that shows or exchanges an assessment works for both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.models.enums import AgendaKind, ConsentState, Role
from app.models.errors import InvalidInput


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
class Factor:
    id: str
    label: str
    guidance: str


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    guidance: str
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class Rating:
    id: str
    label: str
    rank: int


@dataclass(frozen=True)
class RiskLevel:
    id: str
    label: str
    rank: int


RATED = "rated"
CHECKLIST = "checklist"
FRAMEWORK_KINDS = (RATED, CHECKLIST)
CHECKLIST_DIMENSION = "questions"  # the one dimension a checklist's questions sit in

# Agreed keys in an assessment's ``dimension_summaries`` beside the dimension ids (no dimension
# may use them): why the chosen level differs from the one a checklist suggested, the level it
# suggested, and the programme's case fields ("field:<id>") recorded with that version.
LEVEL_REASON_KEY = "level-reason"
SUGGESTED_LEVEL_KEY = "suggested-level"
FRAMEWORK_KEY = "framework"  # the id of the framework a version was recorded with (not the main one)
CASE_FIELD_PREFIX = "field:"
NOT_RECORDED = "Not recorded"  # how a case field without a recorded choice is shown


@dataclass(frozen=True)
class Threshold:
    """At least ``at_least`` counting answers suggest the risk level ``level``."""

    at_least: int
    level: str


@dataclass(frozen=True)
class Framework:
    name: str
    dimensions: tuple[Dimension, ...]
    ratings: tuple[Rating, ...]
    risk_levels: tuple[RiskLevel, ...]
    kind: str = RATED
    counted: frozenset[str] = frozenset()  # checklist: the answers that count (e.g. "yes")
    thresholds: tuple[Threshold, ...] = ()
    # checklist: may professional judgement choose a level below the one the answers suggest?
    # (SafeLives: judgement may raise a MARAC level, never lower it below the checklist's result)
    judgement_may_lower: bool = True
    # a programme with more than one framework ([[other_frameworks]]) names each one, and may say
    # the ages it is for (the young people's checklist: 13 to 17), chosen by the subject's age
    id: str = ""
    ages: tuple[int, int] | None = None

    def covers_age(self, age: int | None) -> bool:
        return self.ages is not None and age is not None and self.ages[0] <= age <= self.ages[1]

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in FRAMEWORK_KINDS:
            problems.append(
                f"framework kind {self.kind!r} is not one of {', '.join(FRAMEWORK_KINDS)}"
            )
        reserved = {LEVEL_REASON_KEY, SUGGESTED_LEVEL_KEY, FRAMEWORK_KEY}
        for d in self.dimensions:
            if d.id in reserved or d.id.startswith(CASE_FIELD_PREFIX):
                problems.append(f"dimension id {d.id!r} is reserved")
        if not self.risk_levels:
            problems.append("the framework has no risk levels")
        levels = {r.id for r in self.risk_levels}
        answers = {r.id for r in self.ratings}
        if self.kind == CHECKLIST:
            n = len(self.factor_ids())
            if not n:
                problems.append("a checklist has no questions")
            if not self.counted or not self.counted <= answers:
                problems.append("a checklist needs at least one known answer that counts")
            for t in self.thresholds:
                if t.level not in levels:
                    problems.append(f"threshold level {t.level!r} unknown")
                if not 0 < t.at_least <= n:
                    problems.append(f"threshold {t.at_least} is not between 1 and {n}")
        elif self.thresholds or self.counted or not self.judgement_may_lower:
            problems.append(
                "only a checklist framework has thresholds, counting answers and a judgement rule"
            )
        if problems:
            raise InvalidInput("The programme's framework is not valid: " + "; ".join(problems))

    @property
    def is_checklist(self) -> bool:
        return self.kind == CHECKLIST

    def count(self, answers: Iterable[str]) -> int:
        """How many of the given answers (rating ids) count towards the thresholds."""
        return sum(1 for a in answers if a in self.counted)

    def suggested_level(self, answers: Iterable[str]) -> RiskLevel | None:
        """The level the checklist suggests for these answers: the highest-ranked level whose
        threshold is met, else None. A suggestion only: the professional chooses the level."""
        n = self.count(answers)
        met = [self.risk_level(t.level) for t in self.thresholds if n >= t.at_least]
        return max(met, key=lambda r: r.rank) if met else None

    def lowest_allowed(self, answers: Iterable[str]) -> RiskLevel | None:
        """The lowest level a person may choose for these answers: the suggested level where
        judgement may not lower it, else None (any level may be chosen)."""
        if self.judgement_may_lower:
            return None
        return self.suggested_level(answers)

    def rating(self, rating_id: str) -> Rating:
        for r in self.ratings:
            if r.id == rating_id:
                return r
        raise InvalidInput("That rating is not on the programme's scale.")

    def risk_level(self, level_id: str) -> RiskLevel:
        for r in self.risk_levels:
            if r.id == level_id:
                return r
        raise InvalidInput("That risk level is not one the programme knows.")

    def factor_ids(self) -> list[tuple[str, str]]:
        return [(d.id, f.id) for d in self.dimensions for f in d.factors]

    # --- labels: what every report and screen prints for an id (the id itself for one the
    # programme no longer lists, so an old assessment still reads) ---------------------------------
    def dimension_label(self, dimension_id: str) -> str:
        return next((d.label for d in self.dimensions if d.id == dimension_id), dimension_id)

    def factor_label(self, dimension_id: str, factor_id: str) -> str:
        dim = next((d for d in self.dimensions if d.id == dimension_id), None)
        return next((f.label for f in dim.factors if f.id == factor_id), factor_id) if dim else factor_id

    def rating_label(self, rating_id: str) -> str:
        return next((r.label for r in self.ratings if r.id == rating_id), rating_id)

    def level_label(self, level_id: str | None, *, none: str = "") -> str:
        """A risk level's label ("Very high"); ``none`` for no level."""
        if not level_id:
            return none
        return next((r.label for r in self.risk_levels if r.id == level_id), level_id)


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
class Choice:
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    # a case-field choice may set the days between reviews (MAPPA level 3: at least every 8 weeks)
    review_days: int | None = None


CASE_FIELD_KINDS = ("choice", "date")


@dataclass(frozen=True)
class CaseField:
    """A choice recorded on the case by the panel (e.g. a category, a management level), or a
    date (``kind = "date"``: a licence's end); kept with each assessment version, so its history
    is the assessment's. A date is held as its ISO text (``2026-03-12``)."""

    id: str
    label: str
    choices: tuple[Choice, ...]
    required: bool = False
    guidance: str = ""
    short: str = ""  # a column heading for narrow lists ("Level"); the label when not given
    kind: str = "choice"  # "choice" or "date"
    # a date field only: once the date has passed, propose moving the case to this status (the
    # latest of the fields proposing the same status is the one that counts: a MAPPA period lasts
    # until its registration, licence or order ends, whichever is last); never applied by itself
    proposes_status: str = ""
    ended: str = ""  # the proposal's words for the date having passed ("Registration ended")
    # a date field only: a closed case's retention counts from this date (the latest of such
    # fields recorded) rather than from the day it closed
    retention_from: bool = False

    @property
    def is_date(self) -> bool:
        return self.kind == "date"

    @property
    def heading(self) -> str:
        return self.short or self.label

    def parse_date(self, value: str) -> dt.date:
        """A date field's value read as a date; one clear sentence when it is not a real date."""
        from app.models.dates import parse_uk_date

        text = (value or "").strip()
        day = None
        try:
            day = dt.date.fromisoformat(text) if ISO_DAY.match(text) else parse_uk_date(text)
        except ValueError:
            day = None
        if day is None:
            raise InvalidInput(f"{self.label}: “{text[:20]}” is not a date (give it as dd/mm/yyyy).")
        return day

    def date_of(self, value: str | None) -> dt.date | None:
        """A recorded date field value as a date (None: not recorded, or not readable)."""
        if not value or not ISO_DAY.match(value):
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None

    def choice(self, choice_id: str) -> Choice:
        for c in self.choices:
            if c.id == choice_id:
                return c
        raise InvalidInput(f"That is not a choice for {self.label}.")

    def choice_label(self, choice_id: str | None) -> str:
        """The label of a recorded choice: "Not recorded" for none, the id itself for a choice
        the programme no longer lists (an older definition, or another store's). A date field's
        value reads as a date ("12 March 2026")."""
        if not choice_id:
            return NOT_RECORDED
        if self.is_date:
            day = self.date_of(choice_id)
            return long_date(day) if day else choice_id
        return next((c.label for c in self.choices if c.id == choice_id), choice_id)


@dataclass(frozen=True)
class CaseFieldValue:
    """One case field of a case as shown: the field and the choice recorded (None: not recorded)."""

    field: CaseField
    choice: str | None

    @property
    def label(self) -> str:
        """The choice's full label ("Category 2 – violent or other sexual offender")."""
        return self.field.choice_label(self.choice)

    @property
    def short(self) -> str:
        """The label's short form, for narrow columns: the text before " – " ("Category 2");
        a date as dd/mm/yyyy."""
        if self.field.is_date:
            day = self.date
            return day.strftime("%d/%m/%Y") if day else self.label
        return short_label(self.label)

    @property
    def date(self) -> dt.date | None:
        """A date field's recorded date (None for a choice field or nothing recorded)."""
        return self.field.date_of(self.choice) if self.field.is_date else None


def short_label(label: str) -> str:
    return label.split(" – ", 1)[0].strip() or label


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def long_date(day: dt.date) -> str:
    """A date in words, as printed: "12 March 2026"."""
    return f"{day.day} {day.strftime('%B %Y')}"


UNKNOWN_AGE = "Unknown"
_UNDER = re.compile(r"under (\d+)", re.IGNORECASE)
_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")
_OVER = re.compile(r"(\d+) and over|(\d+)\+", re.IGNORECASE)


def age_band_range(label: str) -> tuple[int, int] | None:
    """The ages (inclusive) an age band's label covers: "Under 11" -> (0, 10), "11–15" ->
    (11, 15), "41 and over" -> (41, 999); None for "Unknown". A label that reads as none of
    these is refused, so that a programme's bands are checked when it is loaded."""
    text = label.strip()
    if text.casefold() == UNKNOWN_AGE.casefold():
        return None
    if m := _UNDER.fullmatch(text):
        return 0, int(m.group(1)) - 1
    if m := _RANGE.fullmatch(text):
        return int(m.group(1)), int(m.group(2))
    if m := _OVER.fullmatch(text):
        return int(m.group(1) or m.group(2)), 999
    raise InvalidInput(f"The age band {label!r} is not understood (Under N, N–M, N and over).")


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Management level" -> "management level", but an
    acronym stays ("NHS number")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


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
        problems = []
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
        if problems:
            raise InvalidInput("The programme definition is not valid: " + "; ".join(problems))

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


@dataclass(frozen=True)
class AssessmentNotes:
    """An assessment's ``dimension_summaries`` read apart: the summaries of the framework's
    dimensions, and the agreed extra keys (see ``LEVEL_REASON_KEY``)."""

    summaries: tuple[tuple[str, str], ...]
    level_reason: str = ""
    suggested_level: str = ""
    case_fields: tuple[tuple[str, str], ...] = ()
    framework: str = ""  # the framework the version was recorded with, when not the main one


def split_summaries(pairs: Iterable[tuple[str, str]]) -> AssessmentNotes:
    summaries, fields = [], []
    reason = suggested = framework = ""
    for key, value in pairs:
        if key == FRAMEWORK_KEY:
            framework = value
        elif key == LEVEL_REASON_KEY:
            reason = value
        elif key == SUGGESTED_LEVEL_KEY:
            suggested = value
        elif key.startswith(CASE_FIELD_PREFIX):
            fields.append((key.removeprefix(CASE_FIELD_PREFIX), value))
        else:
            summaries.append((key, value))
    return AssessmentNotes(tuple(summaries), reason, suggested, tuple(fields), framework)


def join_summaries(notes: AssessmentNotes) -> list[tuple[str, str]]:
    out = list(notes.summaries)
    out += [(CASE_FIELD_PREFIX + k, v) for k, v in notes.case_fields]
    if notes.suggested_level:
        out.append((SUGGESTED_LEVEL_KEY, notes.suggested_level))
    if notes.level_reason:
        out.append((LEVEL_REASON_KEY, notes.level_reason))
    if notes.framework:
        out.append((FRAMEWORK_KEY, notes.framework))
    return out


def _days(value: Any) -> int | None:
    return None if value is None else int(value)


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


def _req(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise InvalidInput(f"The programme definition is missing {where}.{key}.")
    return d[key]


def programme_from_dict(d: Mapping[str, Any]) -> Programme:
    """Build and validate a programme from its parsed definition (TOML or JSON)."""
    try:
        statuses = tuple(
            Status(
                id=s["id"],
                label=s["label"],
                stage=s.get("stage", "panel"),
                terminal=bool(s.get("terminal", False)),
                open_case=bool(s.get("open", not s.get("terminal", False))),
                consent=str(s.get("consent", "")),
                review_days=_days(s.get("review_days")),
                held_by=str(s.get("held_by", {}).get("label", "")),
                short=str(s.get("short", "")),
                held_by_sectors=tuple(str(x) for x in s.get("held_by", {}).get("sectors", ())),
                due_working_days=_days(s.get("due_working_days")),
            )
            for s in _req(d, "statuses", "programme")
        )
        transitions = tuple(
            Transition(
                source=t["from"],
                target=t["to"],
                roles=frozenset(Role(r) for r in t["roles"]),
                label=t.get("label", t["to"]),
                requires_rationale=bool(t.get("rationale", True)),
                panel_decision=bool(t.get("panel_decision", False)),
            )
            for t in _req(d, "transitions", "programme")
        )
        outcomes = tuple(
            ScreeningOutcome(id=o["id"], label=o["label"], target=o["to"], retention=o["retention"])
            for o in _req(d, "screening_outcomes", "programme")
        )
        framework = _framework(_req(d, "framework", "programme"))
        iv = _req(d, "intervals", "programme")
        intervals = Intervals(
            screening_target_working_days=int(iv["screening_target_working_days"]),
            review_interval_days=int(iv["review_interval_days"]),
            post_exit_review_months=tuple(int(m) for m in iv["post_exit_review_months"]),
            consent_reassess_days=int(iv.get("consent_reassess_days", 90)),
            repeat_referral_months=(
                int(iv["repeat_referral_months"]) if "repeat_referral_months" in iv else None
            ),
            post_exit_from=str(iv.get("post_exit_from", "exit")),
        )

        def choices(key: str) -> tuple[Choice, ...]:
            return tuple(
                Choice(id=c["id"], label=c["label"], aliases=tuple(c.get("aliases", ())))
                for c in _req(d, key, "programme")
            )

        return Programme(
            id=_req(d, "id", "programme"),
            name=_req(d, "name", "programme"),
            panel_label=d.get("panel_label", d["name"]),
            statuses=statuses,
            initial_status=_req(d, "initial_status", "programme"),
            transitions=transitions,
            screening_outcomes=outcomes,
            framework=framework,
            plan_headings=tuple(
                PlanHeading(id=h["id"], label=h["label"], guidance=h.get("guidance", ""))
                for h in _req(d, "plan_headings", "programme")
            ),
            intervals=intervals,
            retention_years={k: int(v) for k, v in _req(d, "retention_years", "programme").items()},
            sectors=choices("sectors"),
            concerns=choices("concerns"),
            confidentiality_statement=_req(d, "confidentiality_statement", "programme"),
            exit_status=_req(d, "exit_status", "programme"),
            adopted_status=_req(d, "adopted_status", "programme"),
            panel_statuses=frozenset(d.get("panel_statuses", ())),
            statistics=dict(d.get("statistics", {})),
            case_fields=tuple(
                CaseField(
                    id=cf["id"],
                    label=cf["label"],
                    choices=tuple(
                        Choice(id=c["id"], label=c["label"], review_days=_days(c.get("review_days")))
                        for c in cf.get("choices", ())
                    ),
                    required=bool(cf.get("required", False)),
                    guidance=cf.get("guidance", ""),
                    short=str(cf.get("short", "")),
                    kind=str(cf.get("kind", "choice")),
                    proposes_status=str(cf.get("proposes_status", "")),
                    ended=str(cf.get("ended", "")),
                    retention_from=bool(cf.get("retention_from", False)),
                )
                for cf in d.get("case_fields", ())
            ),
            records_consent=bool(d.get("records_consent", True)),
            agenda_labels={
                str(k): (str(v["section"]), str(v["item"]))
                for k, v in d.get("agenda_labels", {}).items()
                if k in DEFAULT_AGENDA_LABELS
            },
            demo=dict(d.get("demo", {})),
            chair=_chair_rule(d.get("chair", {})),
            agenda_order=_agenda_order(d.get("agenda", {})),
            confidentiality_signed=bool(d.get("confidentiality_signed", False)),
            other_frameworks=tuple(_framework(f) for f in d.get("other_frameworks", ())),
            linked_roles=tuple(
                LinkedRole(
                    id=str(r["id"]),
                    label=str(r["label"]),
                    plural=str(r.get("plural", "")),
                    guidance=str(r.get("guidance", "")),
                    repeat=bool(r.get("repeat", False)),
                )
                for r in d.get("linked_roles", ())
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"The programme definition is not valid ({exc}).") from exc


def _agenda_order(d: Mapping[str, Any]) -> AgendaOrder:
    unknown = set(d) - {"order_by_case_field"}
    if unknown:
        raise InvalidInput(f"The programme's [agenda] table has unknown keys: {', '.join(sorted(unknown))}.")
    rule = d.get("order_by_case_field")
    if rule is None:
        return AgendaOrder()
    first = rule.get("first", [])
    if not isinstance(first, list):
        raise InvalidInput("The programme's agenda order must list its first choices.")
    return AgendaOrder(field=str(rule["field"]), first=tuple(str(x) for x in first))


def _chair_rule(d: Mapping[str, Any]) -> ChairRule:
    unknown = set(d) - {"agendas", "statuses"}
    if unknown:
        raise InvalidInput(f"The programme's [chair] table has unknown keys: {', '.join(sorted(unknown))}.")
    statuses = d.get("statuses", [])
    if not isinstance(statuses, list):
        raise InvalidInput("The programme's chair.statuses must be a list of status ids.")
    return ChairRule(agendas=bool(d.get("agendas", False)), statuses=frozenset(str(x) for x in statuses))


def _framework(fw: Mapping[str, Any]) -> Framework:
    """A rated framework (dimensions, factors, ratings) or a checklist (questions, answers,
    thresholds), both held as dimensions of factors rated on a scale."""
    kind = fw.get("kind", RATED)
    levels = tuple(  # lowest rank first, whatever the file's order: every list and sort follows it
        sorted(
            (RiskLevel(id=r["id"], label=r["label"], rank=int(r["rank"])) for r in fw["risk_levels"]),
            key=lambda r: r.rank,
        )
    )
    if kind == CHECKLIST:
        questions = tuple(
            Factor(id=q["id"], label=q["label"], guidance=q.get("guidance", ""))
            for q in fw["questions"]
        )
        return Framework(
            name=fw["name"],
            dimensions=(
                Dimension(
                    id=CHECKLIST_DIMENSION,
                    label=fw.get("questions_label", "Questions"),
                    guidance=fw.get("guidance", ""),
                    factors=questions,
                ),
            ),
            ratings=tuple(
                Rating(id=a["id"], label=a["label"], rank=1 if a.get("counts") else 0)
                for a in fw["answers"]
            ),
            risk_levels=levels,
            kind=kind,
            counted=frozenset(a["id"] for a in fw["answers"] if a.get("counts")),
            thresholds=tuple(
                Threshold(at_least=int(t["at_least"]), level=t["level"])
                for t in fw.get("thresholds", ())
            ),
            judgement_may_lower=bool(fw.get("judgement_may_lower", True)),
            id=str(fw.get("id", "")),
            ages=_ages(fw.get("ages")),
        )
    return Framework(
        name=fw["name"],
        dimensions=tuple(
            Dimension(
                id=dim["id"],
                label=dim["label"],
                guidance=dim.get("guidance", ""),
                factors=tuple(
                    Factor(id=f["id"], label=f["label"], guidance=f.get("guidance", ""))
                    for f in dim["factors"]
                ),
            )
            for dim in fw["dimensions"]
        ),
        ratings=tuple(
            Rating(id=r["id"], label=r["label"], rank=int(r["rank"])) for r in fw["ratings"]
        ),
        risk_levels=levels,
        kind=kind,
        id=str(fw.get("id", "")),
        ages=_ages(fw.get("ages")),
    )


def _ages(value: Any) -> tuple[int, int] | None:
    """``ages = [13, 17]``: the ages (inclusive) a framework is for."""
    if value is None:
        return None
    lo, hi = (int(v) for v in value)
    if not 0 <= lo <= hi:
        raise InvalidInput("A framework's ages must be [youngest, oldest].")
    return lo, hi
