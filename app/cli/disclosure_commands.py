"""The disclosure log on the command line (docs/records.md, "The disclosure log").

- ``disclosures [--case CASE] [--agency A] [--member M] [--from D] [--to D] [--json]
  [--out FILE.xlsx|FILE.pdf]`` lists one row per disclosure recorded in this store's audit log,
  newest first; with ``--out`` it writes the rows chosen to a spreadsheet or a PDF instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.base import (
    Subcommands,
    command,
    out,
    parse_date_arg,
    period_options,
    print_json,
    switches,
    table,
    written,
)

if TYPE_CHECKING:
    from app.models.disclosures import DisclosureRow
    from app.services.context import Session


def register(sub: Subcommands) -> None:
    p = command(sub, "disclosures", cmd_disclosures,
                "what was sent or printed, to whom and when (from the audit log)")
    p.add_argument("--case", default=None, help="only disclosures that carried this case")
    p.add_argument("--agency", default=None, help="only those sent to members of this agency")
    p.add_argument("--member", default=None, help="only those sent to this member")
    period_options(p, required=False)
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write the rows to FILE.xlsx or FILE.pdf instead of listing them")
    switches(p, "--json")


def as_json(r: DisclosureRow) -> dict[str, Any]:
    return {
        "entry": r.seq, "at": r.at.isoformat(), "kind": r.kind, "what": r.what, "about": r.about,
        "cases": list(r.case_refs) if r.cases_recorded else None,
        "to": r.recipient or None, "agency": r.recipient_agency or None, "copy": r.copy_number,
        "by": r.by,
    }


def cmd_disclosures(args: argparse.Namespace, session: Session) -> int:
    from app.services import disclosures

    f = disclosures.resolve_filters(
        session, case=args.case, agency=args.agency, member=args.member,
        start=parse_date_arg(args.start) if args.start else None,
        end=parse_date_arg(args.end) if args.end else None,
    )
    if args.out is not None:
        path = disclosures.write_log(session, f, out=Path(args.out))
        return written(args, [path], "Disclosure log")
    rows = disclosures.rows(session, f)
    if args.json:
        print_json([as_json(r) for r in rows])
        return 0
    if not rows:
        out("No disclosure is recorded" + (" that matches these filters." if f.words else "."))
        return 0
    table(
        [[r.at.strftime("%d/%m/%Y %H:%M"), r.what + (f" copy {r.copy_number}" if r.copy_number else ""),
          r.cases_text, r.recipient + (f" ({r.recipient_agency})" if r.recipient_agency else ""),
          r.by] for r in rows],
        ["When", "What", "Cases", "To", "By"],
    )
    return 0
