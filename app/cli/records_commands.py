"""Records commands: retention, purge, sar (docs/records.md). Each handler calls services only.

- ``retention [--json] [--within DAYS]`` lists closed cases whose retention date has passed or
  falls within DAYS.
- ``purge CASE --reason TEXT [--override-reason TEXT]`` deletes one closed case for real; before
  its retention date only with an override reason (exit 1, nothing changed, without one).
- ``sar CASE --out FILE.pdf`` writes everything held about the case's subject.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.base import Subcommands, command, list_out, out, print_json, switches, written
from app.models.dates import format_uk
from app.models.errors import UsageError

if TYPE_CHECKING:
    from app.services.context import Session


def register(sub: Subcommands) -> None:
    p = command(sub, "retention", cmd_retention, "closed cases due for deletion under the "
                "retention rules", check=check_retention_usage)
    switches(p, "--json")
    p.add_argument("--within", type=int, default=0, metavar="DAYS",
                   help="also list cases whose retention date falls within DAYS")
    p = command(sub, "purge", cmd_purge, "delete a closed case permanently (retention)",
                check=check_purge_usage)
    p.add_argument("case")
    p.add_argument("--reason", required=True)
    p.add_argument("--override-reason", default=None,
                   help="why the case is deleted before its retention date")
    switches(p, "--json")
    p = command(sub, "sar", cmd_sar, "subject access report: everything held about a case's subject")
    p.add_argument("case")
    p.add_argument("--out", required=True)
    switches(p, "--json")


def check_retention_usage(args: argparse.Namespace) -> None:
    if args.within < 0:
        raise UsageError("retention --within needs a number of days of 0 or more.")


def check_purge_usage(args: argparse.Namespace) -> None:
    if not args.reason.strip():
        raise UsageError("purge needs --reason TEXT.")
    if args.override_reason is not None and not args.override_reason.strip():
        raise UsageError("purge --override-reason needs a reason.")


def cmd_retention(args: argparse.Namespace, session: Session) -> int:
    from app.services import retention

    list_out(
        args,
        retention.retention_review(session, within_days=args.within),
        empty="No closed case is due for deletion.",
        headers=["Ref", "Subject", "Outcome", "Closed", "Delete from", ""],
        row=lambda i: [i.ref, i.subject_name, i.outcome, format_uk(i.closed), format_uk(i.due),
                       "due" if i.overdue else f"in {i.days_left} days"],
    )
    return 0


def cmd_purge(args: argparse.Namespace, session: Session) -> int:
    from app.services import cases, retention

    case = cases.resolve_case(session, args.case)
    result = retention.purge_case(
        session, case_id=case.id, reason=args.reason, override_reason=args.override_reason
    )
    if args.json:
        print_json(result)
        return 0
    total = sum(result.counts.values())
    out(f"Case {result.ref} deleted permanently: {total} records"
        + (" (including the person's record)" if result.subject_deleted else "")
        + (", before its retention date (override recorded)" if result.overridden else "") + ".")
    return 0


def cmd_sar(args: argparse.Namespace, session: Session) -> int:
    from app.services import cases
    from app.services.documents import subject_access

    case = cases.resolve_case(session, args.case)
    path = subject_access.subject_access_report(session, case_id=case.id, out=Path(args.out))
    return written(args, [path], "Subject access report")
