"""Attachment commands (issue 16; docs/cli.md): ``attach``, ``attachments``, ``attachment save``.
Each handler calls services only.

- ``attach CASE FILE [--description TEXT] [--restricted-to AGENCY...]`` stores the file inside
  the encrypted store (refused in one sentence, nothing stored, if it is empty, over 25 MB, not
  what its name says, an encrypted PDF or an archive bomb).
- ``attachments CASE [--json]`` lists the attachments of a case this user may see.
- ``attachment save ID --out FILE`` writes a copy (audited as a disclosure).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.base import (
    Subcommands,
    command,
    out,
    print_json,
    subcommands,
    switches,
    table,
    written,
)
from app.models.attachments import size_text
from app.services import attachments as attach_svc
from app.services import cases as cases_svc
from app.services import panel as panel_svc
from app.services.context import Session


def register(sub: Subcommands) -> None:
    p = command(sub, "attach", cmd_attach, "attach a file to a case (kept inside the encrypted store)")
    p.add_argument("case")
    p.add_argument("file")
    p.add_argument("--description", default="")
    p.add_argument("--restricted-to", nargs="+", default=[], metavar="AGENCY",
                   help="only these agencies (and yours) may see it")
    switches(p, "--json")
    p = command(sub, "attachments", cmd_attachments, "list the files attached to a case")
    p.add_argument("case")
    switches(p, "--json")
    group = subcommands(command(sub, "attachment", None, "save a copy of an attached file"),
                        "attachment_command", "save")
    q = command(group, "save", cmd_attachment_save)
    q.add_argument("attachment")
    q.add_argument("--out", required=True)
    switches(q, "--json")


def cmd_attach(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    restricted = [
        panel_svc.resolve_agency(session, part).id
        for text in args.restricted_to
        for part in (p.strip() for p in text.split(","))
        if part
    ]
    aid = attach_svc.add_attachment(
        session, case_id=case.id, path=Path(args.file), description=args.description,
        restricted_to=restricted,
    )
    a = attach_svc.get_attachment(session, attachment_id=aid)
    if args.json:
        print_json(a)
    else:
        out(f"Attached to {case.ref}: {a.filename} ({size_text(a.size)}), {aid}")
    return 0


def cmd_attachments(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    items = attach_svc.attachments_for(session, case_id=case.id)
    if args.json:
        print_json(items)
        return 0
    if not items:
        out(f"No files are attached to {case.ref}.")
        return 0
    agencies = session.agency_names()
    table(
        [
            [a.id[:8], a.filename, size_text(a.size), a.attached_at[:16].replace("T", " "),
             agencies.get(a.agency_id, a.agency_id),
             "restricted" if a.restricted_to else "", a.description]
            for a in items
        ],
        ["Id", "File", "Size", "Attached (UTC)", "Agency", "", "Description"],
    )
    return 0


def cmd_attachment_save(args: argparse.Namespace, session: Session) -> int:
    a = attach_svc.resolve_attachment(session, args.attachment)
    path = attach_svc.save_attachment(session, attachment_id=a.id, out=Path(args.out))
    return written(args, [path], f"Copy of {a.filename}")
