"""Panel administration: ``agencies``, ``agencies add``, ``members add``, ``case share`` and
``keyring status|remember|forget`` (docs/cli.md, "Panel administration").

Coordinator-only commands are refused (exit 1, one sentence) on any other workstation before
anything is read or changed. Agencies are named through ``panel.resolve_agency`` (id, short name or
an unambiguous name). ``members add`` and ``case share`` hang off the ``members`` and ``case``
parsers that ``core_commands`` registers, so this module adds commands without editing that one.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.base import out, print_json, store_path, table
from app.models.enums import Role
from app.models.ids import MemberId
from app.services import cases as cases_svc
from app.services import panel as panel_svc
from app.services import setup as setup_svc
from app.services.context import Session


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=f"{parser.prog.split()[-1]}_command", metavar="[add]")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("agencies", help="the panel's agencies; `agencies add` adds one")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_agencies)
    asub = p.add_subparsers(dest="agencies_command", metavar="[add]")
    q = asub.add_parser("add", help="coordinator only: add an agency to the panel")
    q.add_argument("name")
    q.add_argument("--short", default="", help="short name (made from the name if not given)")
    q.add_argument("--area", default="")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_agencies_add)

    members = sub.choices.get("members")
    if members is not None:
        msub = _subparsers(members)
        q = msub.add_parser("add", help="coordinator only: add a member to an existing agency")
        q.add_argument("--name", required=True)
        q.add_argument("--agency", required=True, help="id, short name or name of the agency")
        q.add_argument("--role", required=True, choices=[r.value for r in Role])
        q.add_argument("--area", default="", help="policing area")
        q.add_argument("--json", action="store_true")
        q.set_defaults(func=cmd_members_add)

    case = sub.choices.get("case")
    if case is not None:
        csub = _subparsers(case)
        if csub.metavar:
            csub.metavar = f"{csub.metavar}|share"
        q = csub.add_parser("share", help="coordinator only: who a case is shared with")
        q.add_argument("case")
        q.add_argument("--add", nargs="+", default=[], metavar="AGENCY")
        q.add_argument("--remove", nargs="+", default=[], metavar="AGENCY")
        q.add_argument("--json", action="store_true")
        q.set_defaults(func=cmd_case_share)

    p = sub.add_parser("keyring", help="remember this store in the OS keyring, or forget it")
    ksub = p.add_subparsers(dest="keyring_command", metavar="status|remember|forget", required=True)
    q = ksub.add_parser("status", help="is the store remembered here, and does the keyring answer")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_keyring_status, needs_store=False)
    q = ksub.add_parser("remember", help="unlock this store with the login keyring from now on")
    q.set_defaults(func=cmd_keyring_remember)
    q = ksub.add_parser("forget", help="stop unlocking this store with the login keyring")
    q.set_defaults(func=cmd_keyring_forget)


# --- agencies and members ----------------------------------------------------------------------


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


def cmd_case_share(args: argparse.Namespace, session: Session) -> int:
    panel_svc.require_coordinator(session, doing="change who a case is shared with")
    if not args.add and not args.remove:
        from app.models.errors import UsageError

        raise UsageError("case share: give --add AGENCY... and/or --remove AGENCY...")
    add = [panel_svc.resolve_agency(session, t).id for t in args.add]
    remove = [panel_svc.resolve_agency(session, t).id for t in args.remove]
    case = cases_svc.resolve_case(session, args.case)
    now = cases_svc.share_case(session, case_id=case.id, add=add, remove=remove)
    names = session.agency_names()
    if args.json:
        print_json({"id": case.id, "ref": case.ref,
                    "shared_with": [{"id": a, "name": names.get(a, "")} for a in now]})
    else:
        out(f"{case.ref} is shared with: " + ", ".join(sorted(names.get(a, a) for a in now)))
        out("The next bundle to each agency brings or withdraws the case.")
    return 0


# --- keyring -----------------------------------------------------------------------------------


def cmd_keyring_status(args: argparse.Namespace) -> int:
    st = setup_svc.keyring_status(store_path(args), keyring=setup_svc.workstation_keyring())
    if args.json:
        print_json(st)
        return 0
    if st.remembered and st.holds_secret:
        out(f"This store is remembered on this workstation ({st.backend}); it unlocks with the "
            "login keyring.")
    elif st.remembered:
        out(f"The key file remembers this store but the keyring ({st.backend}) holds no secret for "
            "it: unlock with the passphrase and run `keyring remember` again.")
    else:
        out(f"This store is not remembered on this workstation (the keyring, {st.backend}, "
            "answers).")
    return 0


def cmd_keyring_remember(args: argparse.Namespace, session: Session) -> int:
    setup_svc.remember_on_this_workstation(session, keyring=setup_svc.workstation_keyring())
    out("Remembered: this store now unlocks with this workstation's login keyring.")
    return 0


def cmd_keyring_forget(args: argparse.Namespace, session: Session) -> int:
    r = setup_svc.forget_on_this_workstation(session, keyring=setup_svc.workstation_keyring())
    if not r.keyring_cleared:
        out("Forgotten: the store no longer unlocks with the keyring on this workstation.")
        sys.stderr.write(f"roundtable: the keyring's own entry could not be removed: {r.reason}\n")
        return 0
    if r.was_remembered:
        out("Forgotten: the store no longer unlocks with the keyring on this workstation.")
    else:
        out("This store was not remembered on this workstation; nothing to forget.")
    return 0

