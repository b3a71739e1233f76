"""Core commands: init, status, demo, cases, case, note, actions, action, meetings, meeting,
members, audit, backup, restore, passphrase. Each handler calls services only."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.cli.base import (
    out,
    parse_date_arg,
    print_json,
    read_new_passphrase,
    read_passphrase,
    store_path,
    table,
)
from app.config.programmes import DEFAULT_PROGRAMME
from app.models.dates import format_uk
from app.models.enums import ActionStatus, Role
from app.models.errors import InvalidInput, NotFound, UsageError
from app.models.ids import AgencyId
from app.services import actions as actions_svc
from app.services import cases as cases_svc
from app.services import contributions as contrib_svc
from app.services import demo as demo_svc
from app.services import meetings as meetings_svc
from app.services import panel as panel_svc
from app.services import setup as setup_svc
from app.services.context import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create the encrypted store and this workstation's identity")
    p.add_argument("--name")
    p.add_argument("--agency")
    p.add_argument("--role", choices=[r.value for r in Role])
    p.add_argument("--panel", default="")
    p.add_argument("--programme", default=DEFAULT_PROGRAMME)
    p.add_argument("--invitation", help="join a panel as the member this invitation file names")
    p.add_argument("--fingerprint", help="the coordinator's fingerprint, read aloud (with --invitation)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_init, needs_store=False, check=_check_init)

    p = sub.add_parser("status", help="who this workstation is, and counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("demo", help="fill a coordinator store with a synthetic panel")
    p.add_argument("--cases", type=int, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("cases", help="list cases")
    p.add_argument("--json", action="store_true")
    p.add_argument("--status")
    p.add_argument("--search")
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("case", help="show a case or change its status")
    csub = p.add_subparsers(dest="case_command", metavar="show|status|field", required=True)
    q = csub.add_parser("show")
    q.add_argument("case")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_case_show)
    q = csub.add_parser("status")
    q.add_argument("case")
    q.add_argument("status")
    q.add_argument("--rationale", default="")
    q.add_argument("--meeting", default="", help="the meeting a panel decision was taken at (id)")
    q.set_defaults(func=cmd_case_status)
    q = csub.add_parser("field", help="set a case field (a date as dd/mm/yyyy): a new assessment version")
    q.add_argument("case")
    q.add_argument("field", help="the field's id or label (e.g. registration-end)")
    q.add_argument("value", help="a choice id, or a date; \"\" clears the field")
    q.set_defaults(func=cmd_case_field)

    p = sub.add_parser("note", help="add a contribution from this workstation's agency")
    p.add_argument("case")
    p.add_argument("--text", required=True)
    p.add_argument("--restricted-to", default="")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("actions", help="list actions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--mine", action="store_true")
    p.add_argument("--overdue", action="store_true")
    p.set_defaults(func=cmd_actions)

    p = sub.add_parser("action", help="update an action your agency owns")
    asub = p.add_subparsers(dest="action_command", metavar="update", required=True)
    q = asub.add_parser("update")
    q.add_argument("action")
    q.add_argument("--status", required=True, choices=[s.value for s in ActionStatus])
    q.add_argument("--note", default="")
    q.set_defaults(func=cmd_action_update)

    p = sub.add_parser("meetings", help="list meetings with agendas and attendees")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_meetings)

    p = sub.add_parser("meeting", help="schedule a meeting")
    msub = p.add_subparsers(dest="meeting_command", metavar="add", required=True)
    q = msub.add_parser("add")
    q.add_argument("--date", required=True)
    q.add_argument("--time", default="10:00")
    q.add_argument("--venue", default="")
    q.add_argument("--cases", default="")
    q.set_defaults(func=cmd_meeting_add)

    p = sub.add_parser("members", help="members and devices")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_members)

    p = sub.add_parser("audit", help="check the audit chain")
    ausub = p.add_subparsers(dest="audit_command", metavar="verify", required=True)
    q = ausub.add_parser("verify")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("backup", help="encrypted backup of the store with its key file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into a new --store")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore, needs_store=False)

    p = sub.add_parser("passphrase", help="change the passphrase")
    p.set_defaults(func=cmd_passphrase)


# --- handlers --------------------------------------------------------------------------------


def _kdf_for_init() -> object | None:
    # Test suites create many stores; they may ask for cheap key derivation explicitly.
    if os.environ.get("ROUNDTABLE_TEST_CHEAP_KDF") == "1":
        from app.services.setup import cheap_kdf

        return cheap_kdf()
    return None


def _check_init(args: argparse.Namespace) -> None:
    if args.invitation:
        if not args.fingerprint:
            raise UsageError("init --invitation needs --fingerprint, read aloud by the coordinator.")
        if args.name or args.agency or args.role or args.panel:
            raise UsageError("init --invitation takes the name, agency, role and panel from the "
                             "invitation; leave out --name, --agency, --role and --panel.")
    elif not (args.name and args.agency and args.role):
        raise UsageError("init needs --name, --agency and --role (or --invitation and --fingerprint).")


def cmd_init(args: argparse.Namespace) -> int:
    invitation = None
    if args.invitation:  # read and check before asking for a passphrase: a refusal creates nothing
        from app.services import joining

        invitation = joining.read_invitation_file(Path(args.invitation))
        joining.check_invitation(invitation, args.fingerprint)
    passphrase = os.environ.get("ROUNDTABLE_NEW_PASSPHRASE") or os.environ.get(
        "ROUNDTABLE_PASSPHRASE"
    )
    if passphrase is None:
        passphrase = read_new_passphrase(args)
    if invitation is not None:
        created = joining.join_panel(
            store_path(args), invitation=invitation, fingerprint=args.fingerprint,
            passphrase=passphrase, kdf=_kdf_for_init(),  # type: ignore[arg-type]
        )
    else:
        created = setup_svc.create_store(
            store_path(args),
            passphrase=passphrase,
            name=args.name,
            agency=args.agency,
            role=Role(args.role),
            panel=args.panel,
            programme=args.programme,
            kdf=_kdf_for_init(),  # type: ignore[arg-type]
        )
    ws = created.session.workstation
    created.session.close()
    if args.json:
        print_json(
            {
                "store": str(store_path(args)),
                "fingerprint": created.fingerprint,
                "recovery_key": created.recovery_key,
                "device_id": ws.device_id,
                "member_id": ws.member.id,
                "agency_id": ws.agency.id,
                "panel": ws.panel_name,
                "programme": ws.programme,
            }
        )
    else:
        out(f"Store created: {store_path(args)}")
        out(f"Fingerprint:   {created.fingerprint}")
        out("")
        out("Recovery key (shown once; write it down and keep it somewhere safe):")
        out(f"  {created.recovery_key}")
        if invitation is not None:
            out("")
            out(f"Joined {ws.panel_name} as {ws.member.name} ({ws.agency.name}).")
            out("Next: write your identity card (roundtable identity --out CARD), send it to the "
                "coordinator and read them the fingerprint above.")
    return 0


def cmd_status(args: argparse.Namespace, session: Session) -> int:
    st = panel_svc.store_status(session)
    exchange = None
    try:
        from app.services import exchange as exchange_svc

        exchange = exchange_svc.exchange_status(session)
    except (ImportError, AttributeError):
        exchange = None
    if args.json:
        print_json({"status": st, "exchange": exchange or []})
        return 0
    out(f"{st.name} — {st.agency} ({st.role}{', hub' if st.is_hub else ''})")
    out(f"Panel: {st.panel} · programme: {st.programme}")
    out(f"Fingerprint: {st.fingerprint}")
    out("Counts: " + ", ".join(f"{k} {v}" for k, v in st.counts.items()))
    for peer in exchange or []:
        sent = (
            f"file {peer.last_sent_seq} sent {peer.last_sent_at[:10]}"
            if peer.last_sent_at
            else "nothing sent"
        )
        got = (
            f"file {peer.last_received_seq} received {peer.last_received_at[:10]}"
            if peer.last_received_at
            else "nothing received"
        )
        notes = []
        if peer.missing:
            notes.append("not received: files " + ", ".join(str(n) for n in peer.missing))
        if peer.silent and peer.silent_days is not None:
            notes.append(f"silent for {peer.silent_days} days")
        extra = f" — {'; '.join(notes)}" if notes else ""
        out(f"  {peer.name} ({peer.agency_name}): {sent}; {got}{extra}")
    return 0


def cmd_demo(args: argparse.Namespace, session: Session) -> int:
    r = demo_svc.build_demo(session, cases=args.cases, seed=args.seed)
    out(
        f"Demo panel created: {r.cases} cases, {r.agencies} agencies, {r.members} members, {r.meetings} meetings."
    )
    return 0


def cmd_cases(args: argparse.Namespace, session: Session) -> int:
    rows = cases_svc.list_cases(
        session, statuses=[args.status] if args.status else None, search=args.search
    )
    if args.json:
        print_json(rows)
        return 0
    prog = session.programme  # a programme's case fields (MAPPA category, level) follow Risk
    table(
        [
            [
                r.ref,
                r.subject_name,
                format_uk(r.date_of_birth),
                r.status_label,
                prog.risk_label(r.risk_level),
                *(v.short for v in prog.case_field_values(r.case_fields)),
                r.lead_agency,
                str(r.overdue_actions),
            ]
            for r in rows
        ],
        ["Ref", "Subject", "Born", "Status", "Risk", *(cf.label for cf in prog.case_fields), "Lead",
         "Overdue"],
    )
    return 0


def cmd_case_show(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    f = cases_svc.get_case_file(session, case.id)
    if args.json:
        print_json(f)
        return 0
    prog = session.programme
    s = f.subject
    out(f"{f.case.ref}  {s.display_name}  (born {format_uk(s.date_of_birth) or 'unknown'})")
    out(
        f"Status: {prog.status_label(f.case.status)} · risk: {prog.risk_label(f.case.risk_level) or 'not assessed'} · marking: {f.case.marking.value}"
    )
    from app.models import rules

    fields = rules.current_case_fields(prog, f.assessments)
    for v in fields:  # the programme's case fields (MAPPA: category, level, dates)
        out(f"{v.field.label}: {v.label}")
    for proposal in rules.date_proposals(prog, f.case.status, fields, session.today()):
        out(f"Proposed: {proposal.text}")
    if f.referral:
        out(
            f"Referral {format_uk(f.referral.received)} by {f.referral.referrer} ({f.referral.sector}, {f.referral.concern})"
        )
        out(f"  {f.referral.narrative}")
    for at, status, rationale in f.status_history:
        out(f"  {at[:10]} → {prog.status_label(status)}: {rationale}")
    if f.current_plan:
        p = f.current_plan
        out(
            f"Plan v{p.version}: {'approved ' + format_uk(p.approved_on) if p.approved else 'not approved'}"
        )
    today = session.today()
    for a in f.actions:
        flag = " OVERDUE" if a.status.value in ("open", "in-progress") and a.due < today else ""
        out(f"  action {a.id[:8]} {a.status.value:<11} due {format_uk(a.due)}{flag}: {a.title}")
    for c in f.contributions:
        restricted = " [restricted]" if c.restricted_to else ""
        out(f"  info {format_uk(c.recorded_on)}{restricted}: {c.text}")
    return 0


def cmd_case_status(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    meeting = None
    if args.meeting:
        from app.services.documents import resolve_meeting

        meeting = resolve_meeting(session, args.meeting)
    cases_svc.change_status(session, case_id=case.id, status=args.status, rationale=args.rationale,
                            meeting_id=meeting)
    out(f"{case.ref}: now {session.programme.status_label(args.status)}")
    return 0


def cmd_case_field(args: argparse.Namespace, session: Session) -> int:
    from app.models import rules
    from app.services import risk

    case = cases_svc.resolve_case(session, args.case)
    risk.set_case_fields(session, case_id=case.id, values=((args.field, args.value),))
    f = cases_svc.get_case_file(session, case.id, audit_view=False)
    prog = session.programme
    wanted = args.field.strip().casefold()
    for v in rules.current_case_fields(prog, f.assessments):
        if wanted in (v.field.id, v.field.label.casefold()):
            out(f"{case.ref}: {v.field.label} {v.label}")
    for proposal in rules.date_proposals(prog, f.case.status, rules.current_case_fields(prog, f.assessments),
                                         session.today()):
        out(f"  {proposal.text}")
    return 0


def _agencies_by_name(session: Session, text: str) -> list[AgencyId]:
    return [
        panel_svc.resolve_agency(session, part).id
        for part in [p.strip() for p in text.split(",") if p.strip()]
    ]


def cmd_note(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    restricted = _agencies_by_name(session, args.restricted_to) if args.restricted_to else []
    cid = contrib_svc.add_contribution(
        session, case_id=case.id, text=args.text, restricted_to=restricted
    )
    out(f"Added to {case.ref}: {cid}")
    return 0


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
    from app.cli.base import to_json

    result = to_json(value)
    assert isinstance(result, dict)
    return result


def _resolve_action(session: Session, text: str) -> str:
    items = actions_svc.list_actions(session)
    found = [a for a in items if a.id == text or (len(text) >= 8 and a.id.startswith(text))]
    if not found:
        raise NotFound("There is no such action on this store.")
    if len(found) > 1:
        from app.models.errors import Ambiguous

        raise Ambiguous()
    return found[0].id


def cmd_action_update(args: argparse.Namespace, session: Session) -> int:
    action_id = _resolve_action(session, args.action)
    actions_svc.update_action(
        session, action_id=action_id, status=ActionStatus(args.status), note=args.note
    )
    out(f"Action {action_id[:8]} is now {args.status}.")
    return 0


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


def cmd_audit_verify(args: argparse.Namespace, session: Session) -> int:
    r = panel_svc.verify_audit(session)
    if getattr(args, "json", False):
        print_json(r)
    if r.ok:
        if not getattr(args, "json", False):
            out(f"Audit chain intact: {r.entries} entries.")
        return 0
    raise InvalidInput(f"The audit chain is broken at entry {r.first_broken}: {r.reason}.")


def cmd_backup(args: argparse.Namespace, session: Session) -> int:
    path = setup_svc.backup(session, out=Path(args.out))
    out(f"Backup written: {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    session = setup_svc.restore(
        Path(args.file), target=store_path(args), passphrase=read_passphrase(args)
    )
    session.close()
    out(f"Restored into {store_path(args)}")
    return 0


def cmd_passphrase(args: argparse.Namespace, session: Session) -> int:
    new = read_new_passphrase(args)
    setup_svc.change_passphrase(session, new_passphrase=new)
    out("Passphrase changed.")
    return 0
