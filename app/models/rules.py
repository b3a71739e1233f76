"""Pure rules of the panel's work: transitions, overdue, review dates, need-to-know, originator control.

Every function here is deterministic and free of I/O so that services, sync and reports agree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.models.case_fields import (
    UNKNOWN_AGE,
    CaseField,
    CaseFieldValue,
    age_band_range,
    long_date,
)
from app.models.domain import Action, Assessment, Case, Contribution, Meeting, Member
from app.models.enums import ActionStatus, ConsentState, Role
from app.models.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from app.models.framework import split_summaries
from app.models.ids import AgencyId, MemberId
from app.models.programme import Programme, Transition

# --- lifecycle ---------------------------------------------------------------------------------


def allowed_transitions(programme: Programme, status: str, role: Role) -> list[Transition]:
    """The transitions out of ``status`` that ``role`` may make, in definition order."""
    return [t for t in programme.transitions if t.source == status and role in t.roles]


def check_transition(programme: Programme, status: str, target: str, role: Role) -> Transition:
    """Return the transition or raise a clear refusal saying why."""
    programme.status(target)  # unknown status -> InvalidInput
    candidates = [t for t in programme.transitions if t.source == status and t.target == target]
    if not candidates:
        raise TransitionNotAllowed(
            f"A case cannot move from “{programme.status_label(status)}” to "
            f"“{programme.status_label(target)}” in the {programme.name} programme."
        )
    for t in candidates:
        if role in t.roles:
            return t
    roles = sorted({r.value for t in candidates for r in t.roles})
    raise TransitionNotAllowed(
        f"Only a {' or '.join(roles)} may move a case to “{programme.status_label(target)}”."
    )


def path_to(programme: Programme, target: str) -> list[str]:
    """The shortest run of statuses from the initial status to ``target`` by the programme's
    transitions (earlier-defined transitions win ties); empty when ``target`` is unreachable."""
    start = programme.initial_status
    came_from: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        current = queue.pop(0)
        if current == target:
            out: list[str] = []
            node: str | None = current
            while node is not None:
                out.append(node)
                node = came_from[node]
            return out[::-1]
        for t in programme.transitions:
            if t.source == current and t.target not in came_from:
                came_from[t.target] = current
                queue.append(t.target)
    return []


def lifecycle_path(programme: Programme) -> list[str]:
    """The main line of a case: from the initial status to the exit status."""
    return path_to(programme, programme.exit_status)


# --- referrals ---------------------------------------------------------------------------------


def is_repeat_referral(
    programme: Programme, incident: dt.date, last_referral: dt.date | None
) -> bool:
    """A new incident within the programme's repeat window (``intervals.repeat_referral_months``)
    of the same subject's last referral. False when the programme does not count repeats, when
    there was no earlier referral, or when the incident is not after it."""
    months = programme.intervals.repeat_referral_months
    if months is None or last_referral is None or incident < last_referral:
        return False
    return incident <= add_months(last_referral, months)


def repeat_of(
    programme: Programme, incident: dt.date, earlier_referrals: Iterable[dt.date]
) -> dt.date | None:
    """The last earlier referral (received on or before ``incident``) when the incident makes
    this a repeat referral, else None."""
    before = [d for d in earlier_referrals if d <= incident]
    last = max(before, default=None)
    return last if is_repeat_referral(programme, incident, last) else None


# --- dates -------------------------------------------------------------------------------------


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days (Monday to Friday; bank holidays are not modelled)."""
    day = start
    added = 0
    while added < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return day


def screening_deadline(programme: Programme, received: dt.date) -> dt.date:
    return add_working_days(received, programme.intervals.screening_target_working_days)


def step_deadline(programme: Programme, status: str, entered: dt.date) -> dt.date | None:
    """When a step with a due time (``due_working_days``: the police gateway assessment) is due,
    counted from the day the case reached the status; None for a status without one."""
    days = programme.status(status).due_working_days
    return None if days is None else add_working_days(entered, days)


def status_entered(status: str, history: Iterable[tuple[str, str, str]]) -> dt.date | None:
    """The day a case last reached ``status``, from its status history ``(at, status, …)``."""
    days = [dt.date.fromisoformat(at[:10]) for at, st, *_ in history if st == status and at]
    return max(days, default=None)


def working_days_left(today: dt.date, deadline: dt.date) -> int:
    """Working days from ``today`` to ``deadline``; negative when late."""
    if deadline >= today:
        n, day = 0, today
        while day < deadline:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                n += 1
        return n
    n, day = 0, deadline
    while day < today:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n += 1
    return -n


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the end of the month (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def review_interval(
    programme: Programme, status: str | None = None, case_fields: Iterable[CaseFieldValue] = ()
) -> int:
    """Days until a case's next review: the shortest of the intervals that apply to it — its
    status's ``review_days`` and those of its current case-field choices (a management level's) —
    or, when none applies, the programme's ``review_interval_days``."""
    applicable: list[int] = []
    if status is not None:
        days = programme.status(status).review_days
        if days is not None:
            applicable.append(days)
    for value in case_fields:
        if value.choice:
            choice = next((c for c in value.field.choices if c.id == value.choice), None)
            if choice is not None and choice.review_days is not None:
                applicable.append(choice.review_days)
    return min(applicable, default=programme.intervals.review_interval_days)


def next_review(
    programme: Programme,
    last_discussed: dt.date,
    status: str | None = None,
    case_fields: Iterable[CaseFieldValue] = (),
) -> dt.date:
    """The next review after ``last_discussed`` for a case at ``status`` with these current case
    fields (``current_case_fields``); see ``review_interval``."""
    return last_discussed + dt.timedelta(days=review_interval(programme, status, case_fields))


def post_exit_review_dates(programme: Programme, exited_on: dt.date) -> list[dt.date]:
    """Every post-exit review, each counted from the exit date (the programme's months)."""
    return [add_months(exited_on, m) for m in sorted(programme.intervals.post_exit_review_months)]


def next_post_exit_review(
    programme: Programme, exited_on: dt.date | None, held: dt.date | None
) -> dt.date | None:
    """The post-exit review after the one due on ``held`` (None after the last): a case leaves
    the reviews list once its last post-exit review is held."""
    if exited_on is None or held is None:
        return None
    return next((d for d in post_exit_review_dates(programme, exited_on) if d > held), None)


def consent_reassess_on(
    programme: Programme, state: ConsentState, today: dt.date, chosen: dt.date | None = None
) -> dt.date | None:
    """When refused or withdrawn consent is looked at again: the date chosen (not before today),
    else the programme's ``consent_reassess_days`` on; given consent needs no re-assessment."""
    if state not in (ConsentState.REFUSED, ConsentState.WITHDRAWN):
        return None
    if chosen is not None:
        if chosen < today:
            raise InvalidInput("The consent re-assessment date is in the past.")
        return chosen
    return today + dt.timedelta(days=programme.intervals.consent_reassess_days)


def retention_until(programme: Programme, closed_on: dt.date, retention_class: str) -> dt.date:
    years = programme.retention_years[retention_class]
    return add_months(closed_on, 12 * years)


def retention_start(
    programme: Programme, closed_on: dt.date, case_fields: Iterable[CaseFieldValue] = ()
) -> dt.date:
    """The day a closed case's retention counts from: the latest date recorded in a date field
    marked ``retention_from`` (the end of a registration, licence or order), or, with
    none recorded, the day the case closed."""
    days = [v.date for v in case_fields if v.field.retention_from and v.date is not None]
    return max((d for d in days if d is not None), default=closed_on)


@dataclass(frozen=True)
class DateProposal:
    """A status change a date field proposes for a case (``proposes_status``): the date has
    passed. Never applied by itself: the coordinator makes the change, or not."""

    field: CaseField  # the field whose date counts (the latest of those proposing ``status``)
    ended_on: dt.date
    status: str
    transition: Transition

    @property
    def text(self) -> str:
        """ "Registration ended on 12 March 2026 — propose: Close"."""
        ended = self.field.ended or f"{self.field.label} passed"
        return f"{ended} on {long_date(self.ended_on)} — propose: {self.transition.label}"


def date_proposals(
    programme: Programme, status: str, case_fields: Iterable[CaseFieldValue], today: dt.date
) -> list[DateProposal]:
    """What the case's date fields propose now. The fields proposing one status count together:
    the latest date recorded among them is the one that must have passed (a supervision period
    lasts until the last of its registration, licence and order ends), and a transition must lead from
    the case's status to the proposed one."""
    latest: dict[str, tuple[dt.date, CaseField]] = {}
    for v in case_fields:
        day = v.date
        if v.field.proposes_status and day is not None:
            held = latest.get(v.field.proposes_status)
            if held is None or day > held[0]:
                latest[v.field.proposes_status] = (day, v.field)
    out = []
    for target, (day, cf) in latest.items():
        if day >= today or target == status:
            continue
        t = next((t for t in programme.transitions if t.source == status and t.target == target), None)
        if t is not None:
            out.append(DateProposal(cf, day, target, t))
    return out


def is_overdue(action: Action, today: dt.date) -> bool:
    return not action.status.is_closed and action.due < today


def completed_on_time(action: Action) -> bool | None:
    """True/False for a done action, None while open or when cancelled."""
    if action.status is not ActionStatus.DONE or action.completed_on is None:
        return None
    return action.completed_on <= action.due


#: the age bands of a programme that names none
DEFAULT_AGE_BANDS = ("Under 15", "15–20", "21–30", "31–40", "41 and over", "Unknown")


def age_band(age: int | None, bands: Iterable[str] = DEFAULT_AGE_BANDS) -> str:
    """The first of ``bands`` (labels such as "Under 11", "11–15", "41 and over") that covers
    ``age``; "Unknown" when the age is not known or no band covers it."""
    if age is not None:
        for band in bands:
            span = age_band_range(band)
            if span is not None and span[0] <= age <= span[1]:
                return band
    return UNKNOWN_AGE


# --- the current assessment and the case fields it records ------------------------------------


def current_assessment(programme: Programme, assessments: Iterable[Assessment]) -> Assessment | None:
    """The assessment that speaks for the case now: the latest version; of two concurrent ones
    (the same version, recorded on two stores) the higher risk level, then the larger id. The
    store's queries order the same way (``case_sql.current_assessment_order``), so the case list,
    the statistics and the documents agree on which version's case fields are current."""
    ranks = {r.id: r.rank for r in programme.framework.risk_levels}
    return max(assessments, key=lambda a: (a.version, ranks.get(a.risk_level, -1), a.id), default=None)


def current_case_fields(programme: Programme, assessments: Iterable[Assessment]) -> tuple[CaseFieldValue, ...]:
    """Every case field of the programme with its value in the current assessment (not recorded
    when the case was never assessed or that version left the field out). Empty for a programme
    without case fields."""
    if not programme.case_fields:
        return ()
    current = current_assessment(programme, assessments)
    recorded = split_summaries(current.dimension_summaries).case_fields if current else ()
    return programme.case_field_values(recorded)


# --- need-to-know and originator control -------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """The cases a member's store shows: those shared with (or led by) ``agency``, and ``cases``
    the programme's chair rule gives this member (``Programme.chair``), whatever their sharing."""

    agency: AgencyId
    cases: frozenset[str] = frozenset()


def agency_may_see_case(
    case: Case, agency: AgencyId, *, is_hub: bool = False, also: frozenset[str] = frozenset()
) -> bool:
    """The hub (coordinator) sees every case; an agency sees a case on its share list or that it
    leads; a chair also sees the cases the chair rule gives them (``also``)."""
    return is_hub or agency in case.shared_with or case.lead_agency == agency or case.id in also


def agency_may_see_contribution(contribution: Contribution, agency: AgencyId) -> bool:
    """Restricted items go only to the listed agencies; the originator always sees its own."""
    if contribution.agency_id == agency:
        return True
    return not contribution.restricted_to or agency in contribution.restricted_to


def visible_contributions(
    contributions: Iterable[Contribution], agency: AgencyId
) -> list[Contribution]:
    return [c for c in contributions if agency_may_see_contribution(c, agency)]


def check_may_update_action(member: Member, action: Action) -> None:
    """Only the owning agency updates an action; the coordinator may too (chasing, correcting)."""
    if member.role is Role.COORDINATOR or member.agency_id == action.owner_agency:
        return
    raise PermissionDenied("Only the agency that owns this action may update it.")


def check_may_change_contribution(member: Member, contribution: Contribution) -> None:
    if member.agency_id != contribution.agency_id:
        raise PermissionDenied("Only the agency that contributed this information may change it.")


def check_role(member: Member, *roles: Role, doing: str) -> None:
    if member.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"Only a {allowed} may {doing}.")


def police_present_for_area(
    meeting: Meeting,
    members: Mapping[MemberId, Member],
    police_agencies: set[AgencyId],
    area: str,
) -> bool:
    """Is a police representative for ``area`` marked present? (Blank area: any police will do.)"""
    from app.models.enums import Attendance

    for a in meeting.attendees:
        m = members.get(a.member_id)
        if m is None or a.attendance is not Attendance.PRESENT:
            continue
        if m.agency_id in police_agencies and (not area or not m.area or m.area == area):
            return True
    return False


def suppress(count: int, threshold: int = 5) -> str:
    """Small-number suppression for published figures: 1..threshold-1 becomes "<threshold"."""
    if 0 < count < threshold:
        return f"<{threshold}"
    return str(count)


def _plain(text: str) -> str:
    return " ".join(text.lower().replace(".", " ").split())


def rationale_beyond(label: str, rationale: str) -> str:
    """``rationale``, or "" where it only restates ``label`` (the outcome or status it is shown
    beside), whole or after a heading ("Screening: meets the threshold." beside "Meets the
    threshold"), so that a line never says the same thing twice."""
    plain, said = _plain(rationale), _plain(label)
    if not plain or plain == said or plain.split(":", 1)[-1].strip() == said:
        return ""
    return rationale.strip()


def label_and_rationale(label: str, rationale: str) -> str:
    """"Label. Rationale" for one line, the rationale left out where it restates the label."""
    why = rationale_beyond(label, rationale)
    return f"{label}. {why}" if why else f"{label}."
