"""Meetings: scheduling, naming one, their details, attendance and the confidentiality statement.

Beside this, one topic a module: ``agenda`` (what is discussed, in the programme's order, and
what is not ready for it) and ``minutes`` (minutes with decisions and dissent, closing a meeting
and taking that back).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from app.models import rules
from app.models.domain import Meeting
from app.models.enums import AgendaKind, Attendance, Role
from app.models.errors import Ambiguous, InvalidInput, NotFound
from app.models.fieldrules import check_text, field_limit
from app.models.ids import MeetingId, MemberId
from app.services.cases import load_case
from app.services.context import Session
from app.storage import document_queries, meeting_queries, repo, rows
from app.storage.writer import Writer

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def coordinator(session: Session, doing: str) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing=doing)


def _checked_details(time: str, venue: str) -> str:
    """The venue as stored, after the checks a meeting's details pass (HH:MM on the 24-hour
    clock, the venue's text rule)."""
    if not _TIME.match(time):
        raise InvalidInput("The time must be written as HH:MM (24-hour clock).")
    return check_text(venue, "The venue", limit=field_limit("meeting", "venue"))


def _scheduled(w: Writer, meeting_id: str, refusal: str) -> Meeting:
    """The meeting inside a change, refused with ``refusal`` unless it is still scheduled."""
    m = meeting_queries.get_meeting(w.conn, meeting_id)
    if m is None:
        raise NotFound("There is no such meeting.")
    if m.status != "scheduled":
        raise InvalidInput(refusal)
    return m


def create_agenda_item(
    w: Writer, meeting_id: str, position: int, kind: AgendaKind, case_id: str | None, title: str = ""
) -> str:
    """A new agenda item, its minutes still blank."""
    return w.create(
        "agenda_item",
        {
            "meeting_id": meeting_id,
            "position": position,
            "kind": kind,
            "case_id": case_id,
            "title": title,
            "discussion": "",
            "decision": "",
            "rationale": "",
            "dissent": "",
            "method": "",
        },
    )


def agenda_kind_for(session: Session, status: str) -> AgendaKind:
    prog = session.programme
    st = prog.status(status)
    if status == prog.exit_status:
        return AgendaKind.POST_EXIT_REVIEW
    if st.stage in ("referral", "screening", "gathering", "panel"):
        return AgendaKind.NEW_REFERRAL
    return AgendaKind.REVIEW


def agenda_ranks(session: Session, conn: Any, case_ids: Sequence[str]) -> dict[str, int]:
    """Each case's place in the programme's agenda order (``[agenda] order_by_case_field``): 0
    for the cases that come first (children in the household, say), 1 for the others; every
    case 0 when the programme orders nothing. Read from each case's current case fields."""
    prog = session.programme
    if not prog.agenda_order.field:
        return {cid: 0 for cid in case_ids}
    out: dict[str, int] = {}
    for cid in case_ids:
        assessments = [rows.assessment_from(r) for r in repo.rows_for_case(conn, "assessment", cid)]
        out[cid] = prog.agenda_order.rank(rules.current_case_fields(prog, assessments))
    return out


def schedule_meeting(
    session: Session,
    *,
    held_on: dt.date,
    time: str = "10:00",
    venue: str = "",
    chair: MemberId | None = None,
    case_ids: Sequence[str] = (),
    distribution: Sequence[MemberId] = (),
) -> MeetingId:
    coordinator(session, "schedule a meeting")
    venue = _checked_details(time, venue)
    with session.change() as w:
        members = {m.id: m for m in repo.members(w.conn)}
        if chair and chair not in members:
            raise InvalidInput("The chair is not a panel member.")
        if set(distribution) - set(members):
            raise InvalidInput("Someone on the distribution is not a panel member.")
        dist = list(distribution) or [m.id for m in members.values() if m.status.value == "active"]
        mid = MeetingId(
            w.create(
                "meeting",
                {
                    "held_on": held_on,
                    "time": time,
                    "venue": venue,
                    "chair": chair,
                    "status": "scheduled",
                    "distribution": sorted(dist),
                },
            )
        )
        loaded = [load_case(session, w, cid) for cid in case_ids]
        ranks = agenda_ranks(session, w.conn, [c.id for c in loaded])
        for pos, case in enumerate(sorted(loaded, key=lambda c: ranks[c.id]), start=1):
            create_agenda_item(w, mid, pos, agenda_kind_for(session, case.status), case.id)
        return mid


def list_meetings(session: Session) -> list[Meeting]:
    with session.view() as conn:
        return meeting_queries.meetings(conn)


def get_meeting(session: Session, *, meeting_id: str) -> Meeting:
    with session.view() as conn:
        m = meeting_queries.get_meeting(conn, meeting_id)
    if m is None:
        raise NotFound("There is no such meeting.")
    return m


def update_meeting(
    session: Session,
    *,
    meeting_id: str,
    held_on: dt.date,
    time: str,
    venue: str,
    chair: str | None,
) -> None:
    """Change a scheduled meeting's date, time, venue and chair (the coordinator only).

    Checked as ``meetings.schedule_meeting`` checks them: HH:MM on the 24-hour clock, a venue of at
    most 300 characters without control characters, a chair who is a panel member. A meeting that
    has been held keeps its details (its minutes refer to them).
    """
    coordinator(session, "change a meeting's details")
    venue = _checked_details(time, venue)
    with session.change() as w:
        current = _scheduled(w, meeting_id, "Only a scheduled meeting's details can be changed.")
        if chair and repo.get_row(w.conn, "member", chair) is None:
            raise InvalidInput("The chair is not a panel member.")
        w.update(
            "meeting",
            current.id,
            {"held_on": held_on, "time": time, "venue": venue, "chair": chair or None},
        )


def set_attendance(
    session: Session,
    *,
    meeting_id: str,
    member_id: MemberId,
    attendance: Attendance,
    confidentiality_agreed: bool = False,
) -> None:
    coordinator(session, "record attendance")
    with session.change() as w:
        if repo.get_row(w.conn, "meeting", meeting_id) is None:
            raise NotFound("There is no such meeting.")
        if repo.get_row(w.conn, "member", member_id) is None:
            raise InvalidInput("That person is not a panel member.")
        existing = meeting_queries.attendance_id(w.conn, meeting_id, member_id)
        values = {"attendance": attendance, "confidentiality_agreed": confidentiality_agreed}
        if existing:
            w.update("attendance", existing, values)
        else:
            w.create("attendance", {"meeting_id": meeting_id, "member_id": member_id, **values})


def record_confidentiality(session: Session, *, meeting_id: str, read: bool) -> None:
    """Record that the confidentiality statement was read at the meeting and agreed by those
    present (or take that back); which attendees agreed is their attendance's
    ``confidentiality_agreed``. The coordinator, who records attendance (meeting records are the
    hub's to author); not once the meeting is held."""
    coordinator(session, "record the confidentiality statement")
    with session.change() as w:
        m = _scheduled(w, meeting_id, "The meeting is already closed: its confidentiality record stands.")
        if m.confidentiality_read != read:
            w.update("meeting", m.id, {"confidentiality_read": read})


def confidentiality_missing(session: Session, m: Meeting) -> str | None:
    if session.programme.confidentiality_signed and not m.confidentiality_read:
        return ("The confidentiality statement has not been recorded as read and agreed by those "
                "present.")
    return None



def resolve_meeting(session: Session, text: str) -> MeetingId:
    """A meeting by id or by an unambiguous prefix of 8 or more characters."""
    text = text.strip().lower()
    with session.view() as conn:
        ids = document_queries.meeting_ids(conn)
    found = [i for i in ids if i == text or (len(text) >= 8 and i.startswith(text))]
    if not found:
        raise NotFound("There is no such meeting.")
    if len(found) > 1:
        raise Ambiguous("That matches more than one meeting; give more of its id.")
    return MeetingId(found[0])
