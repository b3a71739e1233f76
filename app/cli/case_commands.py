"""Case commands: ``cases``, ``case show|status|field|share`` and ``note``. Each handler calls services
only. ``case share`` is coordinator only (exit 1, one sentence, on any other workstation)."""

from __future__ import annotations

import argparse

from app.cli import case_people
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
from app.models.errors import UsageError
from app.models.ids import AgencyId
from app.services import attachments as attach_svc
from app.services import cases as cases_svc
from app.services import contributions as contrib_svc
from app.services import panel as panel_svc
from app.services.cases import lifecycle, sharing
from app.services.context import Session


def register(sub: Subcommands) -> None:
    p = switches(command(sub, "cases", cmd_cases, "list cases"), "--json")
    p.add_argument("--status")
    p.add_argument("--search")
    _add_case(subcommands(command(sub, "case", None, "show a case or change its status"),
                          "case_command", "show|status|field|share|people|person"))
    p = command(sub, "note", cmd_note, "add a contribution from this workstation's agency")
    p.add_argument("case")
    p.add_argument("--text", required=True)
    p.add_argument("--restricted-to", default="")


def _add_case(group: Subcommands) -> None:
    q = command(group, "show", cmd_case_show)
    q.add_argument("case")
    switches(q, "--json")
    q = command(group, "status", cmd_case_status)
    q.add_argument("case")
    q.add_argument("status")
    q.add_argument("--rationale", default="")
    q.add_argument("--meeting", default="", help="the meeting a panel decision was taken at (id)")
    q = command(group, "field", cmd_case_field,
                "set a case field (a date as dd/mm/yyyy): a new assessment version")
    q.add_argument("case")
    q.add_argument("field", help="the field's id or label (e.g. registration-end)")
    q.add_argument("value", help="a choice id, or a date; \"\" clears the field")
    case_people.add_to(group)
    q = command(group, "share", cmd_case_share, "coordinator only: who a case is shared with")
    q.add_argument("case")
    q.add_argument("--add", nargs="+", default=[], metavar="AGENCY")
    q.add_argument("--remove", nargs="+", default=[], metavar="AGENCY")
    switches(q, "--json")


# --- handlers --------------------------------------------------------------------------------


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
    attached = len(attach_svc.attachments_for(session, case_id=case.id))  # those this user may see
    if args.json:
        print_json({**to_json(f), "attachment_count": attached})
        return 0
    prog = session.programme
    s = f.subject
    out(f"{f.case.ref}  {s.display_name}  (born {format_uk(s.date_of_birth) or 'unknown'})")
    out(
        f"Status: {prog.status_label(f.case.status)} · risk: {prog.risk_label(f.case.risk_level) or 'not assessed'} · marking: {f.case.marking.value}"
    )
    from app.models import rules

    fields = rules.current_case_fields(prog, f.assessments)
    out(f"Attachments: {attached}" + (" (attachments CASE lists them)" if attached else ""))
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
        why = rules.rationale_beyond(prog.status_label(status), rationale)
        out(f"  {at[:10]} → {prog.status_label(status)}" + (f": {why}" if why else ""))
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
        from app.services.meetings import resolve_meeting

        meeting = resolve_meeting(session, args.meeting)
    lifecycle.change_status(session, case_id=case.id, status=args.status, rationale=args.rationale,
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
    fields = rules.current_case_fields(prog, f.assessments)
    for v in fields:
        if wanted in (v.field.id, v.field.label.casefold()):
            out(f"{case.ref}: {v.field.label} {v.label}")
    for proposal in rules.date_proposals(prog, f.case.status, fields, session.today()):
        out(f"  {proposal.text}")
    return 0

def cmd_case_share(args: argparse.Namespace, session: Session) -> int:
    panel_svc.require_coordinator(session, doing="change who a case is shared with")
    if not args.add and not args.remove:
        raise UsageError("case share: give --add AGENCY... and/or --remove AGENCY...")
    add = [panel_svc.resolve_agency(session, t).id for t in args.add]
    remove = [panel_svc.resolve_agency(session, t).id for t in args.remove]
    case = cases_svc.resolve_case(session, args.case)
    now = sharing.share_case(session, case_id=case.id, add=add, remove=remove)
    names = session.agency_names()
    if args.json:
        print_json({"id": case.id, "ref": case.ref,
                    "shared_with": [{"id": a, "name": names.get(a, "")} for a in now]})
    else:
        out(f"{case.ref} is shared with: " + ", ".join(sorted(names.get(a, a) for a in now)))
        out("The next bundle to each agency brings or withdraws the case.")
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
