"""Intake and returns commands: ``referrals import`` and ``stats``. Each handler calls services only.

``referrals import FILE [--sheet NAME] [--dry-run] [--json]``: all rows or none. Every problem is
printed on standard error as "Row 5, “DOB”: …", then one refusal line; exit 1, nothing changed.
``stats --from DATE --to DATE --out FILE.xlsx|.csv|.pdf``: the suppressed return.
Exit status (docs/cli.md): 0 done, 1 refused, 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.base import out, parse_date_arg, period_options, print_json, terminal_safe
from app.models.errors import UsageError
from app.services.context import Session

# The intake and statistics services (openpyxl, ReportLab) are imported inside the handlers, so that
# every other command starts without loading them.


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("referrals", help="referral spreadsheets")
    rsub = p.add_subparsers(dest="referrals_command", metavar="import", required=True)
    q = rsub.add_parser("import", help="import a CSV or XLSX of referrals: all rows or none")
    q.add_argument("file")
    q.add_argument("--sheet", default=None, help="the worksheet to read (XLSX)")
    q.add_argument("--dry-run", action="store_true", help="check and report; change nothing")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_referrals_import)

    p = sub.add_parser("stats", help="the statistics return, small counts suppressed")
    period_options(p)
    p.add_argument("--out", required=True, metavar="FILE.xlsx|.csv|.pdf")
    p.add_argument("--for-region", action="store_true",
                   help="write the unsuppressed return for the region (signed, encrypted to it)")
    p.add_argument("--region", metavar="PARTNER", help="with --for-region: the region (a partner)")
    p.set_defaults(func=cmd_stats)


def cmd_referrals_import(args: argparse.Namespace, session: Session) -> int:
    from app.services import intake as intake_svc

    try:
        report = intake_svc.import_referrals(
            session, path=Path(args.file), sheet=args.sheet, dry_run=args.dry_run
        )
    except intake_svc.IntakeRefused as exc:
        for problem in exc.problems:
            sys.stderr.write(terminal_safe(problem.describe()) + "\n")
        raise
    if args.json:
        print_json(
            {
                "dry_run": report.dry_run,
                "rows_read": report.rows_read,
                "imported": [
                    {
                        "row": r.row,
                        "id": None if report.dry_run else r.case_id,
                        "ref": r.ref,
                        "linked_subject": r.link.subject_id if r.link else None,
                        "link_reason": r.link.reason if r.link else None,
                        "existing_refs": list(r.link.case_refs) if r.link else [],
                        "also_recorded": list(r.also_recorded),
                    }
                    for r in report.imported
                ],
                "skipped_rows": list(report.skipped_rows),
                "unknown_columns": list(report.unknown_columns),
                "mapping": report.mapping,
            }
        )
        return 0
    for r in report.imported:
        if r.link is not None:
            out(f"Row {r.row}: {r.link.describe()}")
        for note in r.also_recorded:  # known in another role (a person causing harm): not linked
            out(f"Row {r.row}: {terminal_safe(note)}")
    for column in report.unknown_columns:
        out(f"Column not imported: {column}")
    verb = "Would open" if report.dry_run else "Opened"
    n = len(report.imported)
    linked = len(report.linked)
    plural = "s" if n != 1 else ""
    out(f"{verb} {n} case{plural} from {report.rows_read} rows ({linked} linked to existing subjects).")
    if report.dry_run:
        out("Dry run: nothing was changed.")
    else:
        first, last = report.imported[0].ref, report.imported[-1].ref
        out(f"References {first} to {last}." if n > 1 else f"Reference {first}.")
    return 0


def cmd_stats(args: argparse.Namespace, session: Session) -> int:
    from app.services import statistics as stats_svc

    start, end = parse_date_arg(args.start), parse_date_arg(args.end)
    target = Path(args.out)
    if args.for_region or args.region:
        from app.cli.region_commands import write_for_region

        return write_for_region(args, session, start, end, target)
    if target.suffix.casefold() not in stats_svc.FORMATS:
        raise UsageError("--out must name a .xlsx, .csv or .pdf file.")
    written = stats_svc.write_return(session, start=start, end=end, out=target)
    out(f"Wrote the statistics return for {stats_svc.describe_period(start, end)} to {written}.")
    out("Counts from 1 to 4 are shown as <5; [c] marks figures withheld to protect them.")
    return 0
