"""Minutes of a meeting, in full or as the executive summary for people outside the panel; the
previous meeting's minutes in a pack are built here too."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from app.config.i18n import Language
from app.models.documents import (
    AttendeeLine,
    DocumentContext,
    MinuteItem,
    MinutesData,
    action_lines,
    number_agenda,
)
from app.models.domain import (
    Meeting,
)
from app.models.errors import (
    InvalidInput,
)
from app.models.ids import CaseId
from app.reports.minutes import render_minutes
from app.services.context import Session
from app.services.documents import (
    carried,
    check_target,
    document_context,
    document_marking,
    meeting_facts,
    names_for,
    write_audited,
)
from app.storage.document_queries import CaseFacts, MeetingFacts


def build_minutes(
    session: Session,
    facts: MeetingFacts,
    meeting: Meeting,
    cases: dict[CaseId, CaseFacts],
    ctx: DocumentContext,
    *,
    next_date: dt.date | None,
    summary: bool = False,
) -> MinutesData:
    """Minutes holding only the items about ``cases`` (and other business), numbered as the
    meeting numbers them; the numbers of the other items are kept as withheld."""
    today = session.today()
    items: list[MinuteItem] = []
    lines = number_agenda(meeting.agenda, lambda i: i.case_id is None or i.case_id in cases)
    shown = [line.item for line in lines if line.item is not None]
    for line in lines:
        item = line.item
        if item is None:
            continue
        f = cases.get(item.case_id) if item.case_id else None
        raised = [a for a in f.actions if a.meeting_id == meeting.id] if f else []
        if summary:  # for people outside the panel: not even in the data
            item = replace(item, discussion="", rationale="", dissent="")
        items.append(
            MinuteItem(
                item=item,
                case_ref=f.case.ref if f else "",
                subject_name=f.subject.display_name if f and not summary else "",
                actions_raised=action_lines(raised, today),
                number=line.number,
            )
        )
    agencies = {a.id: a.name for a in facts.agencies.values()}
    attendees = tuple(
        AttendeeLine(m.name, agencies.get(m.agency_id, ""), a.attendance, a.confidentiality_agreed)
        for a in meeting.attendees
        if (m := facts.members.get(a.member_id)) is not None
    )
    names = names_for(facts, {} if summary else cases)
    return MinutesData(
        context=ctx,
        meeting=replace(meeting, agenda=tuple(shown)),
        names=names,
        attendees=attendees,
        items=tuple(items),
        next_meeting=next_date,
        withheld=tuple(line.number for line in lines if line.item is None),
    )



def minutes_data(session: Session, *, meeting_id: str, summary: bool = False) -> MinutesData:
    facts = meeting_facts(session, meeting_id)
    if facts.meeting.status == "cancelled":
        raise InvalidInput("That meeting was cancelled: it has no minutes.")
    cases = {
        cid: f
        for cid, f in facts.cases.items()
        if any(i.case_id == cid for i in facts.meeting.agenda)
    }
    ctx = document_context(session, document_marking(session, [f.case for f in cases.values()]))
    return build_minutes(
        session, facts, facts.meeting, cases, ctx, next_date=facts.next_date, summary=summary
    )


def write_minutes(
    session: Session,
    *,
    meeting_id: str,
    out: Path,
    summary: bool = False,
    language: Language = Language.EN,
) -> Path:
    target = check_target(out)
    data = minutes_data(session, meeting_id=meeting_id, summary=summary)
    pdf = render_minutes(data, summary=summary, language=language)
    what = "disclosure-minutes-summary" if summary else "disclosure-minutes"
    cases = carried([i.item.case_id for i in data.items if i.item.case_id])
    return write_audited(session, [(target, pdf, (what, "meeting", data.meeting.id, cases))])[0]

