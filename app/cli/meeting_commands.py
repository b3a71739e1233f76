"""Meeting commands: ``meetings`` (with agendas and attendees) and ``meeting add``. Each handler
calls services only; the documents of a meeting (pack, minutes) are in ``document_commands``."""

from __future__ import annotations

import argparse

from app.cli.base import (
    Subcommands,
    command,
    out,
    parse_date_arg,
    print_json,
    subcommands,
    switches,
)
from app.models.dates import format_uk
from app.services import actions as actions_svc
from app.services import cases as cases_svc
from app.services import meetings as meetings_svc
from app.services.context import Session


def register(sub: Subcommands) -> None:
    switches(command(sub, "meetings", cmd_meetings, "list meetings with agendas and attendees"),
             "--json")
    group = subcommands(command(sub, "meeting", None, "schedule a meeting"), "meeting_command", "add")
    q = command(group, "add", cmd_meeting_add)
    q.add_argument("--date", required=True)
    q.add_argument("--time", default="10:00")
    q.add_argument("--venue", default="")
    q.add_argument("--cases", default="")


# --- handlers --------------------------------------------------------------------------------


def cmd_meetings(args: argparse.Namespace, session: Session) -> int:
    items = meetings_svc.list_meetings(session)
    refs = actions_svc.case_refs(session, [i.case_id for m in items for i in m.agenda if i.case_id])
    names = session.member_names()
    data = [
        {
            "id": m.id,
            "date": m.held_on.isoformat(),
            "time": m.time,
            "venue": m.venue,
            "status": m.status,
            "chair": names.get(m.chair, "") if m.chair else "",
            "agenda": [
                {
                    "item_id": i.id,
                    "kind": i.kind.value,
                    "case_id": i.case_id,
                    "ref": refs.get(i.case_id or "", ""),
                    "title": i.title,
                }
                for i in m.agenda
            ],
            "attendees": [
                {
                    "member_id": a.member_id,
                    "name": names.get(a.member_id, ""),
                    "attendance": a.attendance.value,
                }
                for a in m.attendees
            ],
        }
        for m in items
    ]
    if args.json:
        print_json(data)
        return 0
    for mt in items:
        out(f"{mt.id}  {format_uk(mt.held_on)} {mt.time}  {mt.venue}  ({mt.status})")
        for i in mt.agenda:
            out(f"    {i.kind.value:<17} {refs.get(i.case_id or '', '') or i.title}")
    return 0


def cmd_meeting_add(args: argparse.Namespace, session: Session) -> int:
    case_ids = [
        cases_svc.resolve_case(session, c.strip()).id for c in args.cases.split(",") if c.strip()
    ]
    mid = meetings_svc.schedule_meeting(
        session,
        held_on=parse_date_arg(args.date),
        time=args.time,
        venue=args.venue,
        case_ids=case_ids,
    )
    out(mid)
    return 0
