"""Panel administration: ``agencies``, ``agencies add``, ``members`` and ``members add``
(docs/cli.md, "Panel administration").

Coordinator-only commands are refused (exit 1, one sentence) on any other workstation before
anything is read or changed. Agencies are named through ``panel.resolve_agency`` (id, short name or
an unambiguous name).
"""

from __future__ import annotations

import argparse

from app.cli.base import Subcommands, command, out, print_json, subcommands, switches, table
from app.models.enums import Role
from app.models.ids import MemberId
from app.services import panel as panel_svc
from app.services.context import Session


def register(sub: Subcommands) -> None:
    agencies = command(sub, "agencies", cmd_agencies, "the panel's agencies; `agencies add` adds one")
    _add_agency(subcommands(switches(agencies, "--json"), "agencies_command", "[add]", required=False))
    members = switches(command(sub, "members", cmd_members, "members and devices"), "--json")
    _add_member(subcommands(members, "members_command", "[add]", required=False))


def _add_agency(group: Subcommands) -> None:
    q = command(group, "add", cmd_agencies_add, "coordinator only: add an agency to the panel")
    q.add_argument("name")
    q.add_argument("--short", default="", help="short name (made from the name if not given)")
    q.add_argument("--area", default="")
    switches(q, "--json")


def _add_member(group: Subcommands) -> None:
    q = command(group, "add", cmd_members_add, "coordinator only: add a member to an existing agency")
    q.add_argument("--name", required=True)
    q.add_argument("--agency", required=True, help="id, short name or name of the agency")
    q.add_argument("--role", required=True, choices=[r.value for r in Role if r is not Role.REGION])
    q.add_argument("--area", default="", help="policing area")
    switches(q, "--json")


# --- handlers --------------------------------------------------------------------------------


def cmd_agencies(args: argparse.Namespace, session: Session) -> int:
    rows = [
        {"id": a.id, "name": a.name, "short": a.short, "area": a.area,
         "sector": a.sector, "is_police": a.is_police}
        for a in sorted(panel_svc.list_agencies(session), key=lambda a: a.name.casefold())
    ]
    if args.json:
        print_json(rows)
        return 0
    table(
        [[str(r["id"])[:8], str(r["name"]), str(r["short"]), str(r["area"]),
          panel_svc.sector_label(str(r["sector"]))] for r in rows],
        ["Id", "Agency", "Short", "Area", "Kind"],
    )
    return 0


def cmd_agencies_add(args: argparse.Namespace, session: Session) -> int:
    panel_svc.require_coordinator(session, doing="add an agency")
    agency_id = panel_svc.add_agency(session, name=args.name, short=args.short, area=args.area)
    agency = panel_svc.resolve_agency(session, agency_id)
    if args.json:
        print_json({"id": agency.id, "name": agency.name, "short": agency.short,
                    "area": agency.area})
    else:
        out(agency.id)
    return 0


def cmd_members(args: argparse.Namespace, session: Session) -> int:
    members = panel_svc.list_members(session)
    devices = {d.member_id: d for d in panel_svc.list_devices(session)}
    agencies = session.agency_names()
    rows = [
        {
            "id": m.id,
            "name": m.name,
            "agency": agencies.get(m.agency_id, ""),
            "agency_id": m.agency_id,
            "role": m.role.value,
            "fingerprint": devices[m.id].fingerprint if m.id in devices else "",
            "status": (devices[m.id].status.value if m.id in devices else m.status.value),
            "has_device": m.id in devices,
        }
        for m in members
    ]
    if args.json:
        print_json(rows)
        return 0
    table(
        [
            [
                str(r["id"])[:8],
                str(r["name"]),
                str(r["agency"]),
                str(r["role"]),
                str(r["fingerprint"]),
                str(r["status"]),
            ]
            for r in rows
        ],
        ["Id", "Name", "Agency", "Role", "Fingerprint", "Status"],
    )
    return 0


def cmd_members_add(args: argparse.Namespace, session: Session) -> int:
    panel_svc.require_coordinator(session, doing="add a member")
    agency = panel_svc.resolve_agency(session, args.agency)
    member_id = panel_svc.add_member(
        session, name=args.name, agency_id=agency.id, role=Role(args.role), area=args.area
    )
    if args.json:
        member = next(m for m in panel_svc.list_members(session) if m.id == MemberId(member_id))
        print_json({"id": member.id, "name": member.name, "agency_id": agency.id,
                    "agency": agency.name, "role": member.role.value, "area": member.area})
    else:
        out(member_id)
    return 0
