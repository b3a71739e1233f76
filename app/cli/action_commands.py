"""Action commands: ``actions`` (list) and ``action update``. Each handler calls services only."""

from __future__ import annotations

import argparse

from app.cli.base import (
    Subcommands,
    command,
    out,
    print_json,
    subcommands,
    switches,
    table,
    to_json,
)
from app.models.dates import format_uk
from app.models.enums import ActionStatus
from app.models.errors import Ambiguous, NotFound
from app.services import actions as actions_svc
from app.services.context import Session


def register(sub: Subcommands) -> None:
    switches(command(sub, "actions", cmd_actions, "list actions"), "--json", "--mine", "--overdue")
    group = subcommands(command(sub, "action", None, "update an action your agency owns"),
                        "action_command", "update")
    q = command(group, "update", cmd_action_update)
    q.add_argument("action")
    q.add_argument("--status", required=True, choices=[s.value for s in ActionStatus])
    q.add_argument("--note", default="")


# --- handlers --------------------------------------------------------------------------------


def cmd_actions(args: argparse.Namespace, session: Session) -> int:
    items = actions_svc.list_actions(session, mine=args.mine, overdue=args.overdue)
    refs = actions_svc.case_refs(session, [a.case_id for a in items])
    names = session.agency_names()
    today = session.today()
    if args.json:
        print_json(
            [
                {
                    **_plain(a),
                    "case_ref": refs.get(a.case_id, ""),
                    "overdue": a.status.value in ("open", "in-progress") and a.due < today,
                }
                for a in items
            ]
        )
        return 0
    table(
        [
            [
                a.id[:8],
                refs.get(a.case_id, ""),
                a.title,
                names.get(a.owner_agency, ""),
                format_uk(a.due),
                a.status.value
                + (
                    " OVERDUE"
                    if a.status.value in ("open", "in-progress") and a.due < today
                    else ""
                ),
            ]
            for a in items
        ],
        ["Id", "Case", "Action", "Owner", "Due", "Status"],
    )
    return 0


def _plain(value: object) -> dict[str, object]:
    result = to_json(value)
    assert isinstance(result, dict)
    return result


def _resolve_action(session: Session, text: str) -> str:
    items = actions_svc.list_actions(session)
    found = [a for a in items if a.id == text or (len(text) >= 8 and a.id.startswith(text))]
    if not found:
        raise NotFound("There is no such action on this store.")
    if len(found) > 1:
        raise Ambiguous()
    return found[0].id


def cmd_action_update(args: argparse.Namespace, session: Session) -> int:
    action_id = _resolve_action(session, args.action)
    actions_svc.update_action(
        session, action_id=action_id, status=ActionStatus(args.status), note=args.note
    )
    out(f"Action {action_id[:8]} is now {args.status}.")
    return 0
