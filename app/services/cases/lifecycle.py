"""A case's status: the programme's transitions, screening, and the panel's decisions taken at
a meeting where the case was heard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.models import rules
from app.models.domain import Case
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import check_text
from app.services.cases import load_case, may_see
from app.services.context import Session
from app.services.review_dates import next_review_for, post_exit_reviews_for
from app.storage import meeting_queries, repo
from app.storage.db import Connection
from app.storage.writer import Writer


@dataclass(frozen=True)
class DecisionMeeting:
    """A meeting a panel decision on a case may be recorded at: the case was on its agenda and
    the meeting was held or is under way. ``decided``: a decision on the case is already
    recorded at it; ``default``: the meeting the service takes when none is named."""

    id: str
    held_on: dt.date
    status: str
    decided: bool
    default: bool


def _heard_at(conn: Connection, case_id: str, today: dt.date) -> list[Any]:
    """Meetings with the case on their agenda, held or under way (not cancelled, not in the
    future), newest first."""
    heard = {i.meeting_id for i in meeting_queries.agenda_items_for_case(conn, case_id)}
    found = [m for m in (meeting_queries.get_meeting(conn, mid) for mid in heard) if m is not None]
    ok = [m for m in found if m.status == "held" or (m.status != "cancelled" and m.held_on <= today)]
    return sorted(ok, key=lambda m: (m.held_on, m.id), reverse=True)


def _decided_at(conn: Connection, case_id: str) -> set[str]:
    return {r.meeting_id for r in repo.rows_for_case(conn, "status_change", case_id, "at") if r.meeting_id}


def decision_meetings(session: Session, *, case_id: str) -> list[DecisionMeeting]:
    """The meetings a panel decision on the case can be recorded at, newest first (the
    desktop's choice of meeting for a ``panel_decision`` transition). Empty: the case has not
    been heard at a meeting held or under way, and a panel decision is refused."""
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None or not may_see(session, case, conn):
            raise NotFound("There is no case with that id or reference on this store.")
        used = _decided_at(conn, case.id)
        found = _heard_at(conn, case.id, session.today())
    default = next((m.id for m in found if m.status == "held" and m.id not in used), None)
    return [DecisionMeeting(m.id, m.held_on, m.status, m.id in used, m.id == default) for m in found]


def _decision_meeting(session: Session, w: Writer, case: Case, meeting_id: str | None) -> str:
    """The meeting a panel decision on ``case`` is taken at: ``meeting_id`` if given (a meeting
    with the case on its agenda, held or under way: not in the future), else the latest held
    meeting that had the case on its agenda and has no decision on it recorded yet. Refused when
    there is none: the coordinator or the chair alone cannot take the panel's decision."""
    today = session.today()
    heard = {i.meeting_id for i in meeting_queries.agenda_items_for_case(w.conn, case.id)}
    if meeting_id:
        m = meeting_queries.get_meeting(w.conn, meeting_id)
        if m is None:
            raise NotFound("There is no such meeting.")
        if m.id not in heard:
            raise InvalidInput("The case is not on that meeting's agenda: the panel decides at a "
                               "meeting where the case is heard.")
        if m.status == "cancelled" or (m.status != "held" and m.held_on > today):
            raise InvalidInput("That meeting has not taken place: the panel decides at a meeting "
                               "held or under way.")
        return m.id
    # a meeting decides once: one whose decision on the case is already recorded does not count
    used = _decided_at(w.conn, case.id)
    held = [m for m in _heard_at(w.conn, case.id, today) if m.status == "held" and m.id not in used]
    if not held:
        raise InvalidInput(
            "This is the panel's decision: record it at a meeting held with the case on its agenda "
            "(none has been held since the panel last decided on it)."
        )
    return str(held[0].id)


def change_status_in(
    session: Session, w: Writer, case_id: str, target: str, rationale: str,
    meeting_id: str | None = None,
) -> None:
    case = load_case(session, w, case_id)
    prog = session.programme
    t = rules.check_transition(prog, case.status, target, session.me.role)
    rationale = check_text(rationale, "The rationale", required=t.requires_rationale)
    decided_at = _decision_meeting(session, w, case, meeting_id) if t.panel_decision else None
    changes: dict[str, object] = {"status": target}
    today = session.today()
    st = prog.status(target)
    if target == prog.exit_status:
        changes["exited_on"] = today
        dates = post_exit_reviews_for(prog, w.conn, case.id, today)
        changes["next_review"] = dates[0] if dates else None
    elif st.terminal:
        changes["closed"] = today
        changes["next_review"] = None
    elif prog.is_reviewed(target):
        changes["next_review"] = next_review_for(prog, w.conn, case.id, target, today)
        changes["closed"] = None
    w.update("case", case.id, changes, audit_action="status")
    w.create(
        "status_change",
        {
            "case_id": case.id,
            "at": w.audit_time(),
            "from_status": case.status,
            "to_status": target,
            "rationale": rationale,
            "member_id": session.me.id,
            "meeting_id": decided_at,
        },
    )


def change_status(
    session: Session, *, case_id: str, status: str, rationale: str, meeting_id: str | None = None
) -> None:
    """Move a case along one of the programme's transitions. A transition that is the panel's
    decision (``panel_decision``) is taken at a meeting: ``meeting_id``, or the latest held
    meeting with the case on its agenda, which the status change records."""
    with session.change() as w:
        change_status_in(session, w, case_id, status, rationale, meeting_id)


def screen_case(session: Session, *, case_id: str, outcome: str, rationale: str) -> None:
    """Record the screening decision and move the case to where the outcome leads."""
    prog = session.programme
    o = prog.screening_outcome(outcome)
    rationale = check_text(rationale, "The screening rationale", required=True)
    with session.change() as w:
        case = load_case(session, w, case_id)
        if prog.status(case.status).stage != "screening":
            raise InvalidInput("Only a case awaiting screening can be screened.")
        w.create(
            "screening",
            {
                "case_id": case.id,
                "outcome": o.id,
                "rationale": rationale,
                "decided_by": session.me.id,
                "decided_on": session.today(),
            },
        )
        change_status_in(session, w, case.id, o.target, rationale)

