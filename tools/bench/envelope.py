"""Top the bench store up to the design's performance envelope (architecture.md, "Performance
envelope"): per 10,000 cases, 60,000 actions, 20,000 contributions and 200,000 audit entries.

The demo gives the cases but fewer actions and contributions than that. What is missing is written
the way the product writes it: through the services (``actions.create_action`` and
``update_action``, ``contributions.add_contribution``; the case list and case files through
``cases``), a coordinator raising, chasing and closing actions and recording what agencies
tell it, never with SQL. Audit entries accrue from those writes; if the store is still short of
the envelope's audit figure, the rest are audited case views (``get_case_file``), as a
coordinator opening case files makes them — never forged entries. The audit figure can end above
the envelope's: each action raised writes one entry and each update of it two (the change and its
action update), so 6 actions a case with a realistic mix of statuses brings the demo's 15.7
entries a case to about 29, not 20.

Values are varied and deterministic for a seed: owners are agencies the case is shared with,
dates follow each case's own history (a clock the session reads, moved to the day each write
"happened"), due dates fall past and future, statuses are mixed, some contributions restricted.
Record ids and audit timestamps come from the services and differ between builds.

Service calls are grouped into batches inside one store transaction (``Database.write``; a
service's own ``session.change()`` joins it), as the demo writes in batches: each call still
makes its own permission check, change capture and audit entries.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.models import rules
from app.models.domain import Case
from app.models.enums import ActionStatus, Marking
from app.models.ids import AgencyId, MemberId
from app.services import actions as actions_svc
from app.services import cases as cases_svc
from app.services import contributions as contributions_svc
from app.services import panel
from app.services.context import Session
from app.services.demo_data import ACTION_TITLES, CONTRIBUTIONS

PER_CASE = {"action": 6, "contribution": 2, "audit": 20}  # the envelope, per case

_MORE_TITLES = (
    "Complete police national and local intelligence checks",
    "Share attendance and behaviour record with the panel",
    "Confirm consent and explain the support offer to the family",
    "Arrange a joint visit with the allocated social worker",
    "Review online activity concerns with the intervention provider",
    "Check housing tenancy and any reported incidents",
    "Update the panel on GP and mental health engagement",
    "Agree a safety plan with the school's designated lead",
    "Chase the outstanding youth justice assessment",
    "Prepare a progress summary for the next panel review",
)
_NOTES = {
    ActionStatus.IN_PROGRESS: (
        "Started; first contact made.",
        "Appointment booked; waiting to hear back.",
        "Checks requested; partial return received.",
    ),
    ActionStatus.DONE: (
        "Completed as agreed.",
        "Done; outcome shared with the lead agency.",
        "Completed; nothing further to report.",
    ),
    ActionStatus.CANCELLED: (
        "No longer needed after the panel's review.",
        "Superseded by a new action agreed at panel.",
    ),
}
_COORDINATOR_NOTES = (
    ("contact", "Telephone call with the lead professional; update recorded for the panel."),
    ("contact", "Email from the school's designated safeguarding lead; no new concerns."),
    ("contact", "Parent called the coordinator to ask about the mentoring offer."),
    ("response", "Response to the panel's request: checks completed, nothing further held."),
    ("response", "Agency replied that it holds no information on this person."),
)
_RESTRICTIONS = (("NP",), ("NP", "CTP"), ("CTP",), ("MHT",), ("CSC",))


@dataclass(frozen=True)
class TopUp:
    actions: int
    updates: int
    contributions: int
    views: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


class _Clock:
    """The session's "today", moved to the day each write happened (the services stamp
    ``created_on``, ``completed_on`` and ``recorded_on`` from it)."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


def store_counts(session: Session) -> dict[str, int]:
    """Records and audit entries in the store (read-only, through ``panel.store_status``)."""
    return dict(panel.store_status(session).counts)


def envelope_targets(cases: int) -> dict[str, int]:
    return {entity: per * cases for entity, per in PER_CASE.items()}


def top_up(
    session: Session,
    *,
    cases: int,
    seed: int = 2026,
    batch: int = 500,
    progress: Callable[[str, int, int], None] | None = None,
) -> TopUp:
    """Write what the store lacks of the envelope for ``cases`` cases (nothing if it has it)."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    targets = envelope_targets(cases)
    before = store_counts(session)
    today = session.today()
    clock = _Clock(today)
    saved_today = session.today_fn
    session.today_fn = clock
    try:
        files = [
            cases_svc.get_case_file(session, cid, audit_view=False)
            for cid in cases_svc.list_case_ids(session)
        ]
        case_list = [f.case for f in files]
        agencies = {a.short: a.id for a in panel.list_agencies(session)}
        owner_of = _owners(session)
        stages = _stage_map(session)
        action_plan = _plan_actions(
            rng, session, stages, case_list, max(0, targets["action"] - before["action"]), today
        )
        contribution_plan = _plan_contributions(
            rng, stages, case_list, max(0, targets["contribution"] - before["contribution"]),
            agencies, today,
        )  # fmt: skip

        updates = 0
        for start in range(0, len(action_plan), batch):
            with session.store.db.write():  # one transaction; each service call joins it
                for p in action_plan[start : start + batch]:
                    clock.day = p.created
                    aid = actions_svc.create_action(
                        session,
                        case_id=p.case_id,
                        title=p.title,
                        owner_agency=p.owner_agency,
                        due=p.due,
                        owner=owner_of.get(p.owner_agency),
                    )
                    for day, status, note in p.updates:
                        clock.day = day
                        actions_svc.update_action(session, action_id=aid, status=status, note=note)
                        updates += 1
            if progress:
                progress("actions", min(start + batch, len(action_plan)), len(action_plan))
        for start in range(0, len(contribution_plan), batch):
            with session.store.db.write():
                for c in contribution_plan[start : start + batch]:
                    clock.day = c.recorded_on
                    contributions_svc.add_contribution(
                        session,
                        case_id=c.case_id,
                        text=c.text,
                        kind=c.kind,
                        marking=c.marking,
                        restricted_to=c.restricted_to,
                    )
            if progress:
                progress(
                    "contributions", min(start + batch, len(contribution_plan)),
                    len(contribution_plan),
                )  # fmt: skip

        # Audit entries: the writes above made theirs. Any still missing are case files opened
        # and viewed (each view is one audited event), mostly of open cases.
        short = max(0, targets["audit"] - store_counts(session)["audit"])
        views = _plan_views(rng, stages, case_list, short)
        clock.day = today
        for start in range(0, len(views), batch):
            with session.store.db.write():
                for cid in views[start : start + batch]:
                    cases_svc.get_case_file(session, cid)
            if progress:
                progress("views", min(start + batch, len(views)), len(views))
    finally:
        session.today_fn = saved_today
    return TopUp(
        actions=len(action_plan),
        updates=updates,
        contributions=len(contribution_plan),
        views=len(views),
        seconds=time.perf_counter() - t0,
        counts=store_counts(session),
    )


def _owners(session: Session) -> dict[AgencyId, MemberId]:
    """One named owner per agency: its officer; the coordinator for its own agency."""
    out: dict[AgencyId, MemberId] = {}
    for m in sorted(panel.list_members(session), key=lambda m: m.name):
        out.setdefault(m.agency_id, m.id)
    out[session.agency.id] = session.me.id
    return out


def _stage_map(session: Session) -> dict[str, tuple[str, frozenset[str]]]:
    """For each status: its stage, and the stages a case passes through to reach it."""
    prog = session.programme
    return {
        st.id: (st.stage, frozenset(prog.status(s).stage for s in rules.path_to(prog, st.id)))
        for st in prog.statuses
    }


def _window(case: Case, today: dt.date, after: int) -> tuple[dt.date, dt.date]:
    """The days a case was being worked: from ``after`` days past opening to its end."""
    end = min(today, case.exited_on or case.closed or today)
    start = min(end, case.opened + dt.timedelta(days=after))
    return start, end


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


@dataclass(frozen=True)
class _ActionPlan:
    case_id: str
    title: str
    owner_agency: AgencyId
    created: dt.date
    due: dt.date
    updates: tuple[tuple[dt.date, ActionStatus, str], ...]


def _plan_actions(
    rng: random.Random,
    session: Session,
    stages: dict[str, tuple[str, frozenset[str]]],
    cases: list[Case],
    n: int,
    today: dt.date,
) -> list[_ActionPlan]:
    """``n`` actions over the cases a panel works: most under a plan or exited, fewer while
    information is gathered or the panel assesses, few on cases closed after that."""
    weights = []
    for c in cases:
        stage, path = stages[c.status]
        if stage == "support":
            weights.append(3.0)
        elif stage == "exit":
            weights.append(2.0)
        elif stage in ("gathering", "panel") or (stage == "closed" and "support" in path):
            weights.append(1.0)
        elif stage == "closed" and "gathering" in path:
            weights.append(0.3)
        else:
            weights.append(0.0)
    titles = [t for t, _ in ACTION_TITLES] + list(_MORE_TITLES)
    plans = []
    for case in rng.choices(cases, weights=weights, k=n) if n else []:
        stage = stages[case.status][0]
        ended = stage in ("exit", "closed")
        start, end = _window(case, today, 14)
        created = _day_between(rng, start, end)
        due = created + dt.timedelta(days=rng.choice([7, 14, 14, 21, 28, 28, 42, 56, 84]))
        shared = sorted(case.shared_with - {session.agency.id})
        owner = (
            session.agency.id if rng.random() < 0.12 or not shared else AgencyId(rng.choice(shared))
        )
        plans.append(
            _ActionPlan(
                case_id=case.id,
                title=rng.choice(titles),
                owner_agency=owner,
                created=created,
                due=due,
                updates=_plan_updates(rng, created, due, end, ended),
            )
        )
    return plans


def _plan_updates(
    rng: random.Random, created: dt.date, due: dt.date, end: dt.date, ended: bool
) -> tuple[tuple[dt.date, ActionStatus, str], ...]:
    """The action's updates, oldest first: a mix of open, in progress, done and cancelled, with
    overdue ones among those still open."""
    r = rng.random()
    if ended:
        final = ActionStatus.CANCELLED if r < 0.1 else ActionStatus.DONE
    elif due > end:  # not due yet
        final = (
            ActionStatus.OPEN
            if r < 0.55
            else ActionStatus.IN_PROGRESS
            if r < 0.9
            else ActionStatus.DONE
        )
    else:  # due already: most done, some overdue
        final = (
            ActionStatus.DONE
            if r < 0.68
            else ActionStatus.CANCELLED
            if r < 0.73
            else ActionStatus.IN_PROGRESS
            if r < 0.86
            else ActionStatus.OPEN
        )
    if final is ActionStatus.OPEN:
        return ()

    def clamp(day: dt.date) -> dt.date:
        return max(created, min(end, day))

    started = clamp(created + dt.timedelta(days=rng.randint(1, 10)))
    out = []
    if final is ActionStatus.IN_PROGRESS or (final is ActionStatus.DONE and rng.random() < 0.3):
        out.append(
            (started, ActionStatus.IN_PROGRESS, rng.choice(_NOTES[ActionStatus.IN_PROGRESS]))
        )
    if final is ActionStatus.DONE:
        finished = clamp(due + dt.timedelta(days=rng.randint(-21, 10)))
        out.append((max(started, finished) if out else finished, final, rng.choice(_NOTES[final])))
    elif final is ActionStatus.CANCELLED:
        out.append(
            (
                clamp(created + dt.timedelta(days=rng.randint(5, 60))),
                final,
                rng.choice(_NOTES[final]),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class _ContributionPlan:
    case_id: str
    text: str
    kind: str
    marking: Marking
    restricted_to: tuple[AgencyId, ...]
    recorded_on: dt.date


def _plan_contributions(
    rng: random.Random,
    stages: dict[str, tuple[str, frozenset[str]]],
    cases: list[Case],
    n: int,
    agencies: dict[str, AgencyId],
    today: dt.date,
) -> list[_ContributionPlan]:
    """``n`` contributions the coordinator records (the service writes them as its agency's):
    information passed on at or between meetings, contacts and agencies' responses."""
    weights = []
    for c in cases:
        stage = stages[c.status][0]
        weights.append({"referral": 0.0, "screening": 0.5, "support": 2.0}.get(stage, 1.0))
    plans = []
    for case in rng.choices(cases, weights=weights, k=n) if n else []:
        start, end = _window(case, today, 3)
        r = rng.random()
        if r < 0.6:
            kind, text = "information", rng.choice(CONTRIBUTIONS)
        else:
            kind, text = rng.choice(_COORDINATOR_NOTES)
        restricted: tuple[AgencyId, ...] = ()
        if rng.random() < 0.15:
            restricted = tuple(agencies[s] for s in rng.choice(_RESTRICTIONS) if s in agencies)
        plans.append(
            _ContributionPlan(
                case_id=case.id,
                text=text,
                kind=kind,
                marking=Marking.OFFICIAL if rng.random() < 0.15 else Marking.OFFICIAL_SENSITIVE,
                restricted_to=restricted,
                recorded_on=_day_between(rng, start, end),
            )
        )
    return plans


def _plan_views(
    rng: random.Random, stages: dict[str, tuple[str, frozenset[str]]], cases: list[Case], n: int
) -> list[str]:
    """``n`` case files opened, mostly of open cases (the ones a coordinator works on)."""
    weights = [0.2 if stages[c.status][0] == "closed" else 1.0 for c in cases]
    return [c.id for c in rng.choices(cases, weights=weights, k=n)] if n else []
