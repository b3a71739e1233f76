"""Meetings: scheduling, attendance, the agenda and minutes with decisions and dissent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.models import rules
from app.models.dates import format_uk
from app.models.domain import AgendaItem, Meeting
from app.models.enums import AgendaKind, Attendance, DecisionMethod, Role
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import field_limit
from app.models.ids import AgendaItemId, MeetingId, MemberId
from app.services.cases import clean_text, load_case
from app.services.context import Session
from app.services.review_dates import next_review_for
from app.storage import meeting_queries, repo, review_queries, undo
from app.storage.rows import assessment_from
from app.storage.writer import Writer

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _coordinator(session: Session, doing: str) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing=doing)


def agenda_kind_for(session: Session, status: str) -> AgendaKind:
    prog = session.programme
    st = prog.status(status)
    if status == prog.exit_status:
        return AgendaKind.POST_EXIT_REVIEW
    if st.stage in ("referral", "screening", "gathering", "panel"):
        return AgendaKind.NEW_REFERRAL
    return AgendaKind.REVIEW


def _agenda_ranks(session: Session, conn: Any, case_ids: Sequence[str]) -> dict[str, int]:
    """Each case's place in the programme's agenda order (``[agenda] order_by_case_field``): 0
    for the cases that come first (children in the household, say), 1 for the others; every
    case 0 when the programme orders nothing. Read from each case's current case fields."""
    prog = session.programme
    if not prog.agenda_order.field:
        return {cid: 0 for cid in case_ids}
    out: dict[str, int] = {}
    for cid in case_ids:
        assessments = [assessment_from(r) for r in repo.rows_for_case(conn, "assessment", cid)]
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
    _coordinator(session, "schedule a meeting")
    if not _TIME.match(time):
        raise InvalidInput("The time must be written as HH:MM (24-hour clock).")
    venue = clean_text(venue, "The venue", limit=field_limit("meeting", "venue"))
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
        ranks = _agenda_ranks(session, w.conn, [c.id for c in loaded])
        for pos, case in enumerate(sorted(loaded, key=lambda c: ranks[c.id]), start=1):
            w.create(
                "agenda_item",
                {
                    "meeting_id": mid,
                    "position": pos,
                    "kind": agenda_kind_for(session, case.status),
                    "case_id": case.id,
                    "title": "",
                    "discussion": "",
                    "decision": "",
                    "rationale": "",
                    "dissent": "",
                    "method": "",
                },
            )
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


def add_agenda_item(
    session: Session,
    *,
    meeting_id: str,
    case_id: str | None = None,
    kind: AgendaKind | None = None,
    title: str = "",
) -> AgendaItemId:
    _coordinator(session, "change the agenda")
    with session.change() as w:
        meeting = meeting_queries.get_meeting(w.conn, meeting_id)
        if meeting is None:
            raise NotFound("There is no such meeting.")
        if case_id:
            case = load_case(session, w, case_id)
            if any(i.case_id == case.id for i in meeting.agenda):
                raise InvalidInput("That case is already on the agenda.")
            kind = kind or agenda_kind_for(session, case.status)
        elif not title.strip():
            raise InvalidInput("An item of other business needs a title.")
        items = sorted(meeting.agenda, key=lambda i: i.position)
        pos = (items[-1].position if items else 0) + 1
        if case_id and session.programme.agenda_order.field:
            # the programme's order: before the first item that comes after the new case's group
            # (a case of a later group, or other business); the items after it move down one
            new_id = load_case(session, w, case_id).id
            ranks = _agenda_ranks(session, w.conn, [i.case_id for i in items if i.case_id] + [new_id])
            mine = ranks[new_id]
            later = [i for i in items if (ranks[i.case_id] if i.case_id else 2) > mine]
            if later:
                pos = later[0].position
                for i in reversed(later):
                    w.update("agenda_item", i.id, {"position": i.position + 1})
        return AgendaItemId(
            w.create(
                "agenda_item",
                {
                    "meeting_id": meeting.id,
                    "position": pos,
                    "kind": kind or AgendaKind.OTHER,
                    "case_id": case_id and load_case(session, w, case_id).id,
                    "title": clean_text(title, "The title", limit=field_limit("agenda_item", "title")),
                    "discussion": "",
                    "decision": "",
                    "rationale": "",
                    "dissent": "",
                    "method": "",
                },
            )
        )


def reorder_agenda(session: Session, *, meeting_id: str, item_ids: Sequence[str]) -> None:
    _coordinator(session, "change the agenda")
    with session.change() as w:
        meeting = meeting_queries.get_meeting(w.conn, meeting_id)
        if meeting is None:
            raise NotFound("There is no such meeting.")
        if sorted(item_ids) != sorted(i.id for i in meeting.agenda):
            raise InvalidInput("The new order must list every agenda item once.")
        for pos, iid in enumerate(item_ids, start=1):
            w.update("agenda_item", iid, {"position": pos})


def remove_agenda_item(session: Session, *, item_id: str) -> None:
    _coordinator(session, "change the agenda")
    with session.change() as w:
        row = repo.get_row(w.conn, "agenda_item", item_id)
        if row is None:
            raise NotFound("There is no such agenda item.")
        w.delete("agenda_item", item_id)
        # the items after it move up: the meeting's numbers stay 1, 2, 3 … (every pack prints them)
        meeting = meeting_queries.get_meeting(w.conn, row.meeting_id)
        rest = sorted(meeting.agenda, key=lambda i: i.position) if meeting else []
        for pos, item in enumerate(rest, start=1):
            if item.position != pos:
                w.update("agenda_item", item.id, {"position": pos})


def set_attendance(
    session: Session,
    *,
    meeting_id: str,
    member_id: MemberId,
    attendance: Attendance,
    confidentiality_agreed: bool = False,
) -> None:
    _coordinator(session, "record attendance")
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
    _coordinator(session, "record the confidentiality statement")
    with session.change() as w:
        m = meeting_queries.get_meeting(w.conn, meeting_id)
        if m is None:
            raise NotFound("There is no such meeting.")
        if m.status != "scheduled":
            raise InvalidInput("The meeting is already closed: its confidentiality record stands.")
        if m.confidentiality_read != read:
            w.update("meeting", m.id, {"confidentiality_read": read})


def _confidentiality_missing(session: Session, m: Meeting) -> str | None:
    if session.programme.confidentiality_signed and not m.confidentiality_read:
        return ("The confidentiality statement has not been recorded as read and agreed by those "
                "present.")
    return None


@dataclass(frozen=True)
class MinuteInput:
    discussion: str
    decision: str = ""
    rationale: str = ""
    dissent: str = ""
    method: DecisionMethod | None = None


def record_minutes(session: Session, *, item_id: str, minute: MinuteInput) -> None:
    """Discussion, decision, rationale and dissent for one agenda item (coordinator or chair)."""
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="record minutes")
    if minute.decision.strip() and not minute.rationale.strip():
        raise InvalidInput("A decision needs its rationale.")
    with session.change() as w:
        if repo.get_row(w.conn, "agenda_item", item_id) is None:
            raise NotFound("There is no such agenda item.")
        w.update(
            "agenda_item",
            item_id,
            {
                "discussion": clean_text(minute.discussion, "The discussion"),
                "decision": clean_text(minute.decision, "The decision"),
                "rationale": clean_text(minute.rationale, "The rationale"),
                "dissent": clean_text(minute.dissent, "The dissent"),
                "method": minute.method.value if minute.method else "",
            },
            audit_action="minutes",
        )


def held_warnings(session: Session, *, meeting_id: str) -> list[str]:
    """What to confirm before marking a meeting held, one sentence each (empty: nothing to ask):
    a date still in the future, no attendance recorded, agenda items without minutes (named)."""
    m = get_meeting(session, meeting_id=meeting_id)
    out: list[str] = []
    missing_statement = _confidentiality_missing(session, m)
    if missing_statement:
        out.append(missing_statement + " Record it before marking the meeting held.")
    elif session.programme.confidentiality_signed:
        unsigned = [a for a in m.attendees
                    if a.attendance is Attendance.PRESENT and not a.confidentiality_agreed]
        if unsigned:
            out.append(f"{len(unsigned)} of those present {'have' if len(unsigned) != 1 else 'has'} "
                       "not agreed the confidentiality statement.")
    if m.held_on > session.today():
        out.append(f"The meeting date, {format_uk(m.held_on)}, is still in the future.")
    if not m.attendees:
        out.append("No attendance has been recorded.")
    items = sorted(m.agenda, key=lambda i: i.position)
    missing = [i for i in items if not (i.discussion.strip() or i.decision.strip())]
    if missing:
        with session.view() as conn:
            names = []
            for i in missing:
                case = repo.get_case(conn, i.case_id) if i.case_id else None
                names.append(f"{i.position} ({case.ref if case else i.title or 'other business'})")
        if len(missing) == len(items) and len(items) > 1:
            out.append(f"None of the {len(items)} agenda items has minutes.")
        else:
            out.append(f"{len(missing)} of {len(items)} agenda item{'s' if len(items) != 1 else ''} "
                       f"{'have' if len(missing) != 1 else 'has'} no minutes: "
                       f"item{'s' if len(missing) != 1 else ''} " + ", ".join(names) + ".")
    return out


def _held_undo_key(meeting_id: str) -> str:
    return f"held:{meeting_id}"


def mark_held(session: Session, *, meeting_id: str) -> None:
    """Close a meeting (the coordinator). What it changes is remembered locally so that
    ``unmark_held`` can take it back until this workstation next writes an exchange file."""
    _coordinator(session, "close a meeting")
    with session.change() as w:
        if repo.get_row(w.conn, "meeting", meeting_id) is None:
            raise NotFound("There is no such meeting.")
        before = _before_held(w, meeting_id)
        missing_statement = _confidentiality_missing(session, meeting_queries.get_meeting(w.conn, meeting_id))  # type: ignore[arg-type]
        if missing_statement:
            raise InvalidInput(missing_statement + " Record it, then mark the meeting held.")
        w.update("meeting", meeting_id, {"status": "held"})
        today = session.today()
        prog = session.programme
        for item in meeting_queries.get_meeting(w.conn, meeting_id).agenda:  # type: ignore[union-attr]
            if item.case_id:
                case = repo.get_case(w.conn, item.case_id)
                if case and prog.is_reviewed(case.status):
                    due = next_review_for(prog, w.conn, case.id, case.status, today)
                    w.update("case", case.id, {"next_review": due})
                elif case and case.status == prog.exit_status and case.next_review is not None:
                    # a post-exit review held: the next one counted from the exit date, or none
                    nxt = rules.next_post_exit_review(prog, case.exited_on, case.next_review)
                    w.update("case", case.id, {"next_review": nxt})
        _remember_held(w, meeting_id, before)


def _before_held(w: Writer, meeting_id: str) -> dict[str, undo.FieldValues]:
    m = meeting_queries.get_meeting(w.conn, meeting_id)
    if m is None:
        raise NotFound("There is no such meeting.")
    if m.status == "held":
        raise InvalidInput("This meeting is already marked as held.")
    return {"meeting": undo.field_values(w.conn, "meeting", [m.id]),
            "case": undo.field_values(w.conn, "case", [i.case_id for i in m.agenda if i.case_id])}


def _remember_held(w: Writer, meeting_id: str, before: dict[str, undo.FieldValues]) -> None:
    changes = {e: undo.differences(b, undo.field_values(w.conn, e, b)) for e, b in before.items()}
    undo.save(w.conn, _held_undo_key(meeting_id), {e: c for e, c in changes.items() if c})


def held_undo_refusal(session: Session, *, meeting_id: str) -> str | None:
    """Why "Mark as held" cannot be undone now (None: it can)."""
    with session.view() as conn:
        return _held_undo_refusal(conn, meeting_id)


def _held_undo_refusal(conn: Any, meeting_id: str) -> str | None:
    m = meeting_queries.get_meeting(conn, meeting_id)
    if m is None:
        return "There is no such meeting."
    if m.status != "held":
        return "This meeting is not marked as held."
    record = undo.load(conn, _held_undo_key(m.id))
    if record is None:
        return ("Only a meeting marked as held on this workstation, with no exchange file written since, "
                "can be taken back.")
    if record[0] != undo.sent_marker(conn):
        return ("An exchange file has been written since the meeting was marked as held, so other "
                "workstations may have it: it can no longer be undone.")
    return None


def unmark_held(session: Session, *, meeting_id: str) -> None:
    """Take back "Mark as held" (the coordinator), until the next exchange file is written: the
    meeting is scheduled again and every field marking it held changed is put back, unless it
    was edited since. Audited as ``unmark-held``; refused (changing nothing) once an exchange file
    has been written since, or when the meeting was not marked held here."""
    _coordinator(session, "undo marking a meeting as held")
    with session.change() as w:
        refusal = _held_undo_refusal(w.conn, meeting_id)
        if refusal is not None:
            raise InvalidInput(refusal)
        record = undo.load(w.conn, _held_undo_key(meeting_id))
        assert record is not None
        undo.restore(w, record[1], audit_action="unmark-held")
        w.update("meeting", meeting_id, {"status": "scheduled"}, audit_action="unmark-held")
        undo.drop(w.conn, _held_undo_key(meeting_id))


@dataclass(frozen=True)
class Readiness:
    item: AgendaItem
    problems: tuple[str, ...]


def meeting_readiness(session: Session, *, meeting_id: str) -> list[Readiness]:
    """What is not ready for a meeting: no assessment, no plan for a review, police absent."""
    meeting = get_meeting(session, meeting_id=meeting_id)
    out: list[Readiness] = []
    with session.view() as conn:
        members = {m.id: m for m in repo.members(conn)}
        police = {a.id for a in repo.agencies(conn) if a.is_police}
        for item in meeting.agenda:
            if not item.case_id:
                continue
            problems: list[str] = []
            case = repo.get_case(conn, item.case_id)
            if case is None:
                continue
            if not repo.rows_for_case(conn, "assessment", case.id):
                problems.append("no assessment yet")
            if item.kind is AgendaKind.REVIEW and not repo.rows_for_case(conn, "plan", case.id):
                problems.append("no plan yet")
            subj = repo.get_subject(conn, case.subject_id)
            area = subj.area if subj else ""
            if meeting.attendees and not rules.police_present_for_area(
                meeting, members, police, area
            ):
                problems.append("police representative for the area is not marked present")
            if problems:
                out.append(Readiness(item, tuple(problems)))
    return out


def propose_agenda(session: Session, *, held_on: dt.date) -> list[tuple[str, AgendaKind]]:
    """Cases that should be on a meeting's agenda: ready for panel, reviews and post-exit reviews due."""
    prog = session.programme
    out: list[tuple[str, AgendaKind]] = []
    with session.view() as conn:
        for case_id, status, next_review in review_queries.case_review_states(conn):
            st = prog.status(status)
            if st.terminal:
                continue
            if st.stage == "panel":
                out.append((case_id, AgendaKind.NEW_REFERRAL))
            elif next_review and next_review <= held_on:
                out.append((case_id, agenda_kind_for(session, status)))
        ranks = _agenda_ranks(session, conn, [cid for cid, _ in out])
    # in the programme's agenda order (children's cases first, say), otherwise as found
    return sorted(out, key=lambda p: ranks[p[0]])


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
    _coordinator(session, "change a meeting's details")
    if not _TIME.match(time):
        raise InvalidInput("The time must be written as HH:MM (24-hour clock).")
    venue = clean_text(venue, "The venue", limit=field_limit("meeting", "venue"))
    with session.change() as w:
        current = meeting_queries.get_meeting(w.conn, meeting_id)
        if current is None:
            raise NotFound("There is no such meeting.")
        if current.status != "scheduled":
            raise InvalidInput("Only a scheduled meeting's details can be changed.")
        if chair and repo.get_row(w.conn, "member", chair) is None:
            raise InvalidInput("The chair is not a panel member.")
        w.update(
            "meeting",
            current.id,
            {"held_on": held_on, "time": time, "venue": venue, "chair": chair or None},
        )
