"""Read-only questions the desktop client asks, composed from the existing services.

Job: give the dashboard, quick find and the unlock dialog what they need in one call each, so the
GUI makes one trip to the store worker per screen refresh. Plus the keyring door for the UI (the
UI may not import ``app.crypto``).

Invariants: nothing here writes except ``remember_here`` and ``forget_here`` (through ``setup``); the
desktop's writes live in their own service modules (e.g. ``meetings.update_meeting``,
``actions.bulk_update`` with its progress hook). No SQL here; every case list respects
need-to-know because it goes through ``cases.list_case_ids``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.models import rules
from app.models.domain import Action, Agency, CaseSummary, Meeting
from app.models.enums import ActionStatus, AgendaKind
from app.models.programme import Programme
from app.services import actions as actions_service
from app.services import cases, meetings, setup, transfer
from app.services.cases import sharing
from app.services.context import Session
from app.services.meetings import agenda
from app.services.transfer import TransferView

# --- keyring -------------------------------------------------------------------------------------


def keyring_availability() -> tuple[bool, str]:
    return setup.workstation_keyring().availability()


def remembered_here(path: Path) -> bool:
    """Does the key file beside ``path`` hold a keyring slot? False when unreadable."""
    from app.models.errors import AppError
    from app.storage.store import Store

    try:
        return Store.read_keyfile(path).has_keyring_slot
    except AppError:
        return False


def unlock_with_keyring(path: Path, *, today_fn: Callable[[], dt.date] = dt.date.today) -> Session:
    return setup.unlock(path, keyring=setup.workstation_keyring(), today_fn=today_fn)


def remember_here(session: Session) -> None:
    setup.remember_on_this_workstation(session, keyring=setup.workstation_keyring())


def forget_here(session: Session) -> setup.Forgotten:
    return setup.forget_on_this_workstation(session, keyring=setup.workstation_keyring())


# --- quick find ----------------------------------------------------------------------------------


def quick_find(session: Session, text: str, *, limit: int = 40) -> list[CaseSummary]:
    """Cases whose subject's name, alias, date of birth, identifier or case ref matches ``text``."""
    text = text.strip()
    if len(text) < 2:
        return []
    from app.models.dates import parse_typed_date

    day = parse_typed_date(text, today=session.today(), past=True)
    # digits alone may be an identifier as well as a date (17052009): the store's search tries both
    query = day.isoformat() if day and not text.isdigit() else text
    ids = cases.list_case_ids(session, search=query, limit=limit)
    return cases.case_summaries(session, ids)


# --- dashboard -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwaitingScreening:
    """A referral not yet screened. ``step``: the step another agency holds that the case is at
    (the police gateway assessment), with its own deadline; else empty and the deadline is the
    programme's screening target from the day received."""

    summary: CaseSummary
    deadline: dt.date
    days_left: int
    step: str = ""


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    my_overdue: tuple[Action, ...]
    my_due_soon: tuple[Action, ...]
    case_refs: dict[str, str]
    awaiting_screening: tuple[AwaitingScreening, ...]
    next_meeting: Meeting | None
    not_ready: tuple[tuple[str, str], ...]  # (case ref or title, problems)
    reviews_due: tuple[CaseSummary, ...]
    post_exit_due: tuple[CaseSummary, ...]
    by_status: tuple[tuple[str, int], ...]
    by_risk: tuple[tuple[str, int], ...]
    # every review due (reviews, post-exit reviews, consent re-assessments), earliest first
    due: tuple[ReviewDue, ...] = ()
    # offers of ours to partner panels not answered in 20 working days (docs/sync.md, transfers)
    unanswered_transfers: tuple[TransferView, ...] = ()


@dataclass(frozen=True)
class ReviewDue:
    """One review on the dashboard: ``kind`` is "Review", "Post-exit review" or "Consent
    re-assessment"; ``days_late`` is how long ago it fell due (0 when not yet late)."""

    summary: CaseSummary
    kind: str
    due: dt.date
    days_late: int
    note: str = ""  # a proposal's text ("Registration ended on 12 March 2026 — propose: …")


@dataclass(frozen=True)
class StatusProposal:
    """A status change a case's date fields propose (``rules.date_proposals``): shown on the
    dashboard and the case; the coordinator makes the change, or not."""

    summary: CaseSummary
    proposal: rules.DateProposal

    @property
    def text(self) -> str:
        return self.proposal.text


def status_proposals(session: Session, *, limit: int = 500) -> list[StatusProposal]:
    """Every visible case whose date fields propose a status change now (a licence or
    registration that has ended: propose closing), the longest-passed first."""
    prog, today = session.programme, session.today()
    targets = {cf.proposes_status for cf in prog.date_fields if cf.proposes_status}
    if not targets:
        return []
    sources = sorted({t.source for t in prog.transitions if t.target in targets})
    # only the cases with a proposing date before today can have a proposal
    ids: set[str] = set()
    for cf in prog.date_fields:
        if cf.proposes_status:
            ids.update(cases.list_case_ids(
                session, statuses=sources, date_ranges={cf.id: (None, today - dt.timedelta(days=1))}
            ))
    out: list[StatusProposal] = []
    for s in cases.case_summaries(session, sorted(ids)[: limit * 2]):
        values = prog.case_field_values(s.case_fields)
        out += [StatusProposal(s, p) for p in rules.date_proposals(prog, s.status, values, today)]
    out.sort(key=lambda p: (p.proposal.ended_on, p.summary.ref))
    return out[:limit]


def reviews_due(session: Session, *, by: dt.date) -> list[ReviewDue]:
    """Reviews, post-exit reviews and consent re-assessments due on or before ``by``, earliest first."""
    prog, today = session.programme, session.today()
    ids = cases.list_case_ids(session, review_due_by=by, sort="review")[:200]
    consent = sharing.consent_reassessments(session, ids)
    out: list[ReviewDue] = []
    for s in cases.case_summaries(session, ids):
        if s.next_review is not None and s.next_review <= by:
            kind = "Post-exit review" if s.status == prog.exit_status else "Review"
            out.append(ReviewDue(s, kind, s.next_review, max(0, (today - s.next_review).days)))
        day = consent.get(s.id)
        if day is not None and day <= by:
            out.append(ReviewDue(s, "Consent re-assessment", day, max(0, (today - day).days)))
    for p in status_proposals(session):  # a period that has ended: the proposal stays until acted on
        ended = p.proposal.ended_on
        out.append(ReviewDue(p.summary, "Proposal", ended, max(0, (today - ended).days), p.text))
    out.sort(key=lambda r: (r.due, r.summary.ref, r.kind))
    return out


def step_agencies(programme: Programme, status: str, agencies: Sequence[Agency]) -> list[str]:
    """The names of the panel's agencies that hold a step (``held_by.sectors``, the first kind
    the panel has: counter-terrorism policing, else the police force)."""
    for sector in programme.status(status).held_by_sectors:
        names = sorted(a.name for a in agencies if a.sector == sector)
        if names:
            return names
    return []


def step_text(programme: Programme, status: str, agencies: Sequence[str], deadline: dt.date | None,
              days_left: int | None) -> str:
    """One sentence for a step another agency holds (the police gateway assessment): who holds
    it (the panel's agencies of its kind, by name), and when it is due; "" for other statuses."""
    st = programme.status(status)
    if not st.held_by:
        return ""
    who = st.held_by + (f" ({', '.join(agencies)})" if agencies else "")
    if deadline is None or days_left is None:
        return f"{st.label}: with {who}."
    when = f"{deadline.day}/{deadline.month}/{deadline.year}"
    if days_left < 0:
        late = -days_left
        return f"{st.label}: with {who}; due {when}, {late} working day{'s' if late != 1 else ''} overdue."
    return (f"{st.label}: with {who}; due {when} ({st.due_working_days} working days), "
            f"{days_left} working day{'s' if days_left != 1 else ''} left.")


def awaiting_screening(session: Session, *, limit: int = 500) -> list[AwaitingScreening]:
    """Cases not yet screened, most urgent first, with the programme's working-day deadline."""
    prog, today = session.programme, session.today()
    early = [s.id for s in prog.statuses if s.stage in ("referral", "screening")]
    ids = cases.list_case_ids(session, statuses=early, sort="opened")
    reached = cases.status_reached_on(session, ids[:limit])
    out = []
    for summ in cases.case_summaries(session, ids[:limit]):
        deadline = rules.screening_deadline(prog, summ.opened)
        st = prog.status(summ.status)
        step_due = rules.step_deadline(prog, st.id, reached.get(summ.id, summ.opened))
        if step_due is not None:  # a step another agency holds: its own deadline
            deadline = step_due
        out.append(AwaitingScreening(summ, deadline, rules.working_days_left(today, deadline),
                                     st.label if st.held_by else ""))
    out.sort(key=lambda w: w.days_left)
    return out


def dashboard(session: Session, *, due_within_days: int = 14) -> Dashboard:
    today = session.today()
    prog = session.programme
    mine = actions_service.list_actions(session, mine=True, open_only=True)
    overdue = tuple(sorted((a for a in mine if rules.is_overdue(a, today)), key=lambda a: a.due))
    soon_by = today + dt.timedelta(days=due_within_days)
    due_soon = tuple(sorted((a for a in mine if today <= a.due <= soon_by), key=lambda a: a.due))
    refs = actions_service.case_refs(session, [a.case_id for a in (*overdue, *due_soon)])

    waiting = awaiting_screening(session)

    upcoming = sorted(
        (
            m
            for m in meetings.list_meetings(session)
            if m.status == "scheduled" and m.held_on >= today
        ),
        key=lambda m: (m.held_on, m.time),
    )
    nxt = upcoming[0] if upcoming else None
    not_ready: list[tuple[str, str]] = []
    if nxt is not None:
        ready = agenda.meeting_readiness(session, meeting_id=nxt.id)
        item_refs = actions_service.case_refs(
            session, [r.item.case_id for r in ready if r.item.case_id]
        )
        for r in ready:
            label = item_refs.get(r.item.case_id or "", r.item.title or "Item")
            not_ready.append((label, "; ".join(r.problems)))

    due = reviews_due(session, by=soon_by)
    reviews = tuple(r.summary for r in due if r.kind == "Review")
    post_exit = tuple(r.summary for r in due if r.kind == "Post-exit review")

    status_counts, risk_counts = cases.case_counts(session)
    by_status = [(st.label, status_counts[st.id]) for st in prog.statuses if status_counts.get(st.id)]
    by_risk = [(lvl.label, risk_counts.get(lvl.id, 0)) for lvl in prog.framework.risk_levels]
    return Dashboard(
        today=today,
        my_overdue=overdue,
        my_due_soon=due_soon,
        case_refs=refs,
        awaiting_screening=tuple(waiting),
        next_meeting=nxt,
        not_ready=tuple(not_ready),
        reviews_due=reviews,
        post_exit_due=post_exit,
        by_status=tuple(by_status),
        by_risk=tuple(by_risk),
        due=tuple(due),
        unanswered_transfers=tuple(transfer.unanswered(session)),
    )


# --- meeting editor ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    summaries: dict[str, CaseSummary]  # case id -> summary, for agenda items and proposals
    problems: dict[str, tuple[str, ...]]  # agenda item id -> what is not ready
    proposals: tuple[tuple[str, AgendaKind], ...]  # cases to add, not yet on the agenda
    actions: tuple[Action, ...]  # actions raised at this meeting


def meeting_view(session: Session, *, meeting_id: str) -> MeetingView:
    meeting = meetings.get_meeting(session, meeting_id=meeting_id)
    problems: dict[str, tuple[str, ...]] = {
        r.item.id: r.problems for r in agenda.meeting_readiness(session, meeting_id=meeting_id)
    }
    on_agenda = {i.case_id for i in meeting.agenda if i.case_id}
    proposals: tuple[tuple[str, AgendaKind], ...] = ()
    if meeting.status == "scheduled":
        proposals = tuple(
            (cid, kind) for cid, kind in agenda.propose_agenda(session, held_on=meeting.held_on)
            if cid not in on_agenda
        )
    ids = list(on_agenda | {cid for cid, _ in proposals})
    summaries: dict[str, CaseSummary] = {s.id: s for s in cases.case_summaries(session, ids)}
    raised = tuple(
        a for cid in sorted(on_agenda) for a in actions_service.list_actions(session, case_id=cid)
        if a.meeting_id == meeting.id
    )
    return MeetingView(meeting, summaries, problems, proposals, raised)


# --- the Actions list, lazily (ids first, rows for what is shown) ------------------------------------


def action_ids(
    session: Session,
    *,
    agency: str | None = None,
    owner: str | None = None,
    status: ActionStatus | None = None,
    open_only: bool = False,
    overdue: bool = False,
    sort: str = "due",
    descending: bool = False,
) -> list[str]:
    """Ids of the actions this store may show, filtered and ordered by the store (``sort`` is one
    of ``action_queries.SORT_KEYS``: case, title, agency, owner, due, status, update)."""
    from app.services.cases import case_reach
    from app.storage import action_queries

    with session.view() as conn:
        return action_queries.action_ids(
            conn, today=session.today(), visible_to=case_reach(session, conn), agency=agency, owner=owner,
            status=status.value if status else None, open_only=open_only, overdue=overdue, sort=sort,
            descending=descending)


def action_rows(session: Session, ids: Sequence[str]) -> tuple[list[Action], dict[str, str]]:
    """The actions with these ids that this store may show, and their cases' refs."""
    from app.services.cases import case_reach
    from app.storage import action_queries, ref_queries

    with session.view() as conn:
        rows = action_queries.actions_by_ids(conn, ids, visible_to=case_reach(session, conn))
        refs = ref_queries.case_refs(conn, {a.case_id for a in rows})
    return rows, refs


# --- long work with progress -----------------------------------------------------------------------
