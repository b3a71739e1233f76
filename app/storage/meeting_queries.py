"""Meetings with their attendance and agenda, a case's agenda items, who attended, and when a
case was last heard at a held meeting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from app.models.domain import AgendaItem, Attendee, Meeting
from app.models.enums import Attendance
from app.models.ids import MeetingId, MemberId
from app.storage import schema as s
from app.storage.repo import get_row
from app.storage.rows import _d, _j, agenda_item_from


def meeting_from(conn: Connection, r: Any) -> Meeting:
    att = [
        Attendee(
            member_id=MemberId(a.member_id),
            attendance=Attendance(a.attendance),
            confidentiality_agreed=bool(a.confidentiality_agreed),
        )
        for a in conn.execute(select(s.attendance).where(s.attendance.c.meeting_id == r.id))
    ]
    agenda = [
        agenda_item_from(a)
        for a in conn.execute(
            select(s.agenda_item)
            .where(s.agenda_item.c.meeting_id == r.id)
            .order_by(s.agenda_item.c.position)
        )
    ]
    held = _d(r.held_on)
    assert held is not None
    return Meeting(
        id=MeetingId(r.id),
        held_on=held,
        time=r.time or "",
        venue=r.venue or "",
        chair=MemberId(r.chair) if r.chair else None,
        attendees=tuple(att),
        agenda=tuple(agenda),
        status=r.status or "scheduled",
        distribution=frozenset(MemberId(m) for m in _j(r.distribution, [])),
        confidentiality_read=bool(r.confidentiality_read),
    )


def meetings(conn: Connection) -> list[Meeting]:
    return [
        meeting_from(conn, r) for r in conn.execute(select(s.meeting).order_by(s.meeting.c.held_on))
    ]


def get_meeting(conn: Connection, meeting_id: str) -> Meeting | None:
    r = get_row(conn, "meeting", meeting_id)
    return meeting_from(conn, r) if r else None


def attendance_id(conn: Connection, meeting_id: str, member_id: str) -> str | None:
    row = conn.execute(
        select(s.attendance.c.id).where(
            s.attendance.c.meeting_id == meeting_id, s.attendance.c.member_id == member_id
        )
    ).first()
    return str(row.id) if row else None


def agenda_items_for_case(conn: Connection, case_id: str) -> list[AgendaItem]:
    return [
        agenda_item_from(r)
        for r in conn.execute(select(s.agenda_item).where(s.agenda_item.c.case_id == case_id))
    ]


def last_heard(conn: Connection, case_id: str) -> dt.date | None:
    """The date of the last held meeting that had the case on its agenda, if any."""
    held = conn.execute(
        select(func.max(s.meeting.c.held_on))
        .select_from(s.meeting.join(s.agenda_item, s.agenda_item.c.meeting_id == s.meeting.c.id))
        .where(s.agenda_item.c.case_id == case_id, s.meeting.c.status == "held")
    ).scalar_one_or_none()
    return _d(held)
