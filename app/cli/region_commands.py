"""Regional return commands (issue 15; docs/spreadsheets.md, "The regional return").

At a panel's coordinator: ``stats --for-region --from D --to D --region PARTNER --out FILE`` (the
``stats`` command hands over to :func:`write_for_region`). At a region's store (role ``region``):
``region import FILE... [--from D --to D] [--json]`` (all the files or none),
``region returns --from D --to D [--json]`` (the returns held and the panels missing), and
``region report --from D --to D --out FILE.xlsx|.csv|.pdf``. Each handler calls services only.
Exit status (docs/cli.md): 0 done, 1 refused (nothing changed), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from app.cli.base import out, parse_date_arg, period_options, print_json, table
from app.models.errors import UsageError
from app.services.context import Session

FORMATS = (".xlsx", ".csv", ".pdf")


def register(sub: Any) -> None:
    p = sub.add_parser("region", help="a region's store: panels' returns and the regional return")
    rsub = p.add_subparsers(dest="region_command", metavar="import|returns|report", required=True)
    q = rsub.add_parser("import", help="import panels' returns (all of the files or none)")
    q.add_argument("files", nargs="+", metavar="FILE")
    period_options(q, required=False, help="refuse a return for another period")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_import)
    q = rsub.add_parser("returns", help="the returns held for a period, and the panels missing")
    period_options(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_returns)
    q = rsub.add_parser("report", help="the regional return, suppressed, each panel a column")
    period_options(q)
    q.add_argument("--out", required=True, metavar="FILE.xlsx|.csv|.pdf")
    q.set_defaults(func=cmd_report)


def _when(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} to {end.isoformat()}"


def write_for_region(
    args: argparse.Namespace, session: Session, start: dt.date, end: dt.date, target: Path
) -> int:
    from app.services import region

    if not (args.for_region and args.region):
        raise UsageError("A return for the region needs both --for-region and --region PARTNER.")
    written = region.write_region_return(session, start=start, end=end, region=args.region,
                                         out=target)  # fmt: skip
    out(f"Wrote the return for {written.region} for {_when(start, end)} to {written.path}.")
    out("It holds the panel's counts unsuppressed, signed and encrypted to the region's "
        "coordinator: only their Roundtable can open it.")  # fmt: skip
    return 0


def _period(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    if (args.start is None) != (args.end is None):
        raise UsageError("Give both --from and --to, or neither.")
    if args.start is None:
        return None, None
    return parse_date_arg(args.start), parse_date_arg(args.end)


def cmd_import(args: argparse.Namespace, session: Session) -> int:
    from app.services import region

    start, end = _period(args)
    done = region.import_returns(session, [Path(f) for f in args.files], start=start, end=end)
    if args.json:
        print_json([{"id": r.return_id, "panel": r.panel, "start": r.start.isoformat(),
                     "end": r.end.isoformat(), "referrals": r.referrals} for r in done])  # fmt: skip
        return 0
    for r in done:
        out(f"Imported the return of {r.panel} for {_when(r.start, r.end)}.")
    return 0


def cmd_returns(args: argparse.Namespace, session: Session) -> int:
    from app.services import region

    start, end = parse_date_arg(args.start), parse_date_arg(args.end)
    period = region.returns_for(session, start=start, end=end)
    if args.json:
        print_json({"returns": [{"id": r.return_id, "panel": r.panel_name,
                                 "produced": r.produced.isoformat()} for r in period.returns],
                    "missing": list(period.missing)})  # fmt: skip
        return 0
    if period.returns:
        table([[r.panel_name, r.produced.isoformat(), r.return_id[:8]] for r in period.returns],
              ["Panel", "Produced", "Id"])  # fmt: skip
    else:
        out(f"No return held for {_when(start, end)}.")
    if period.missing:
        out("No return yet from: " + ", ".join(period.missing) + ".")
    return 0


def cmd_report(args: argparse.Namespace, session: Session) -> int:
    from app.services import region

    start, end = parse_date_arg(args.start), parse_date_arg(args.end)
    target = Path(args.out)
    if target.suffix.casefold() not in FORMATS:
        raise UsageError("--out must name a .xlsx, .csv or .pdf file.")
    written = region.write_regional_report(session, start=start, end=end, out=target)
    out(f"Wrote the regional return for {_when(start, end)} ({written.panels} panels) to "
        f"{written.path}.")  # fmt: skip
    if written.missing:
        out("No return for this period from: " + ", ".join(written.missing) + ".")
    out("Counts from 1 to 4 are shown as <5; [c] marks figures withheld to protect them.")
    return 0
