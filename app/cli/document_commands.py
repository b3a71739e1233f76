"""Document commands: pack, plan, minutes. Each handler resolves its arguments and calls the
documents service, which applies need-to-know, writes the PDF atomically and audits it.

A member is named by id, device fingerprint or an unambiguous 8+ character prefix; a case by id
or ref; a meeting by id or an 8+ character prefix. Refusals leave no file (exit 1); a wrong mix of
options is a usage error (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.base import Subcommands, command, switches, written
from app.config.i18n import Language
from app.models.errors import UsageError

if TYPE_CHECKING:
    from app.services.context import Session

# The documents service (and ReportLab under it) is imported inside the handlers, so that every
# other command starts without paying for it.


def register(sub: Subcommands) -> None:
    p = command(sub, "pack", cmd_pack, "the meeting pack for one recipient, or one per member",
                check=check_pack_usage)
    p.add_argument("meeting")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--recipient", help="member id, fingerprint or 8+ character prefix")
    who.add_argument("--all", action="store_true", help="one pack per member on the distribution")
    p.add_argument("--out", help="the PDF to write (with --recipient)")
    p.add_argument("--out-dir", help="the folder to write into (with --all)")
    _language_option(p)
    switches(p, "--json")
    p.add_argument("--with-attachments", action="store_true",
                   help="append the attached PDFs and images the recipient may see")
    p = command(sub, "plan", cmd_plan, "the risk-management plan of a case")
    p.add_argument("case")
    p.add_argument("--out", required=True)
    _language_option(p)
    switches(p, "--json")
    p = command(sub, "minutes", cmd_minutes, "the minutes of a meeting, or the executive summary")
    p.add_argument("meeting")
    p.add_argument("--out", required=True)
    _language_option(p)
    switches(p, "--summary", "--json")


def _language_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--language",
        choices=[lang.value for lang in Language],
        default=Language.EN.value,
        help="English (en, the default), Welsh (cy) or both, Welsh first (bilingual)",
    )


def check_pack_usage(args: argparse.Namespace) -> None:
    """Option combinations are checked before the store is unlocked."""
    if args.all:
        if not args.out_dir or args.out:
            raise UsageError("pack --all needs --out-dir DIR (and no --out).")
    elif not args.out or args.out_dir:
        raise UsageError("pack --recipient needs --out FILE.pdf (and no --out-dir).")


def cmd_pack(args: argparse.Namespace, session: Session) -> int:
    check_pack_usage(args)
    from app.services import meetings, members
    from app.services.documents import packs

    meeting_id = meetings.resolve_meeting(session, args.meeting)
    if args.all:
        paths = packs.write_all_packs(
            session, meeting_id=meeting_id, out_dir=Path(args.out_dir),
            with_attachments=args.with_attachments,
            language=Language(args.language),
        )
        return written(args, paths, "Pack")
    member = members.resolve_member(session, args.recipient).id
    path = packs.write_meeting_pack(
        session, meeting_id=meeting_id, recipient=member, out=Path(args.out),
        with_attachments=args.with_attachments,
        language=Language(args.language),
    )
    return written(args, [path], "Pack")


def cmd_plan(args: argparse.Namespace, session: Session) -> int:
    from app.services import cases as cases_svc
    from app.services.documents import plans

    case = cases_svc.resolve_case(session, args.case)
    path = plans.write_plan(
        session, case_id=case.id, out=Path(args.out), language=Language(args.language)
    )
    return written(args, [path], "Plan")


def cmd_minutes(args: argparse.Namespace, session: Session) -> int:
    from app.services import meetings
    from app.services.documents import minutes

    meeting_id = meetings.resolve_meeting(session, args.meeting)
    path = minutes.write_minutes(
        session, meeting_id=meeting_id, out=Path(args.out), summary=args.summary,
        language=Language(args.language),
    )
    return written(args, [path], "Executive summary" if args.summary else "Minutes")
