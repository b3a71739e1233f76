"""A meeting's agenda: cases and other business in the programme's order, the cases that
should be on it, and what is not ready for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.models import rules
from app.models.domain import AgendaItem
from app.models.enums import AgendaKind
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import check_text, field_limit
from app.models.ids import AgendaItemId
from app.services.cases import load_case
from app.services.context import Session
from app.services.meetings import (
    agenda_kind_for,
    agenda_ranks,
    coordinator,
    create_agenda_item,
    get_meeting,
)
from app.storage import meeting_queries, repo, review_queries


def add_agenda_item(
    session: Session,
    *,
    meeting_id: str,
    case_id: str | None = None,
    kind: AgendaKind | None = None,
    title: str = "",
) -> AgendaItemId:
    coordinator(session, "change the agenda")
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
            ranks = agenda_ranks(session, w.conn, [i.case_id for i in items if i.case_id] + [new_id])
            mine = ranks[new_id]
            later = [i for i in items if (ranks[i.case_id] if i.case_id else 2) > mine]
            if later:
                pos = later[0].position
                for i in reversed(later):
                    w.update("agenda_item", i.id, {"position": i.position + 1})
        return AgendaItemId(
            create_agenda_item(
                w,
                meeting.id,
                pos,
                kind or AgendaKind.OTHER,
                case_id and load_case(session, w, case_id).id,
                check_text(title, "The title", limit=field_limit("agenda_item", "title")),
            )
        )


def reorder_agenda(session: Session, *, meeting_id: str, item_ids: Sequence[str]) -> None:
    coordinator(session, "change the agenda")
    with session.change() as w:
        meeting = meeting_queries.get_meeting(w.conn, meeting_id)
        if meeting is None:
            raise NotFound("There is no such meeting.")
        if sorted(item_ids) != sorted(i.id for i in meeting.agenda):
            raise InvalidInput("The new order must list every agenda item once.")
        for pos, iid in enumerate(item_ids, start=1):
            w.update("agenda_item", iid, {"position": pos})


def remove_agenda_item(session: Session, *, item_id: str) -> None:
    coordinator(session, "change the agenda")
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
        ranks = agenda_ranks(session, conn, [cid for cid, _ in out])
    # in the programme's agenda order (children's cases first, say), otherwise as found
    return sorted(out, key=lambda p: ranks[p[0]])



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

