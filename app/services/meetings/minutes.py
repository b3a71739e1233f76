"""A meeting's record: minutes with decisions and dissent, what to confirm before closing it,
marking it held and taking that back until the next exchange file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import rules
from app.models.dates import format_uk
from app.models.enums import Attendance, DecisionMethod, Role
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import check_text
from app.services.context import Session
from app.services.meetings import confidentiality_missing, coordinator, get_meeting
from app.services.review_dates import next_review_for
from app.storage import meeting_queries, repo, undo
from app.storage.writer import Writer


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
                "discussion": check_text(minute.discussion, "The discussion"),
                "decision": check_text(minute.decision, "The decision"),
                "rationale": check_text(minute.rationale, "The rationale"),
                "dissent": check_text(minute.dissent, "The dissent"),
                "method": minute.method.value if minute.method else "",
            },
            audit_action="minutes",
        )


def held_warnings(session: Session, *, meeting_id: str) -> list[str]:
    """What to confirm before marking a meeting held, one sentence each (empty: nothing to ask):
    a date still in the future, no attendance recorded, agenda items without minutes (named)."""
    m = get_meeting(session, meeting_id=meeting_id)
    out: list[str] = []
    missing_statement = confidentiality_missing(session, m)
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
    coordinator(session, "close a meeting")
    with session.change() as w:
        if repo.get_row(w.conn, "meeting", meeting_id) is None:
            raise NotFound("There is no such meeting.")
        before = _before_held(w, meeting_id)
        missing_statement = confidentiality_missing(session, meeting_queries.get_meeting(w.conn, meeting_id))  # type: ignore[arg-type]
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
    coordinator(session, "undo marking a meeting as held")
    with session.change() as w:
        refusal = _held_undo_refusal(w.conn, meeting_id)
        if refusal is not None:
            raise InvalidInput(refusal)
        record = undo.load(w.conn, _held_undo_key(meeting_id))
        assert record is not None
        undo.restore(w, record[1], audit_action="unmark-held")
        w.update("meeting", meeting_id, {"status": "scheduled"}, audit_action="unmark-held")
        undo.drop(w.conn, _held_undo_key(meeting_id))

