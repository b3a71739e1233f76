"""Exchange commands: ``identity``, ``enrol``, ``export``, ``import``, ``conflicts``.

Each calls ``app.services.exchange`` only. A rejected file is exit 1 with one line on standard
error saying why (the store is unchanged); ``--json`` prints only JSON on standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.base import list_out, out, print_json, read_card, to_json
from app.services import exchange, membership
from app.services.context import Session


def register(sub: Any) -> None:
    p = sub.add_parser("identity", help="write this workstation's identity card")
    p.add_argument("--out", required=True, help="the card file to write")
    p.set_defaults(func=_identity)

    p = sub.add_parser("enrol", help="trust a workstation's card after comparing its fingerprint")
    p.add_argument("card", help="the identity card file")
    p.add_argument("--fingerprint", required=True, help="the fingerprint read out by its owner")
    p.add_argument("--agency", help="coordinator: the panel's agency this workstation belongs to "
                   "(id, short name or name), for a card not made from an invitation")
    p.set_defaults(func=_enrol)

    p = sub.add_parser("export", help="write a signed, encrypted bundle for a member")
    p.add_argument("--to", required=True, dest="to", help="member id, fingerprint or 8+ char prefix")
    p.add_argument("--out", required=True, help="the bundle file to write")
    p.set_defaults(func=_export)

    p = sub.add_parser("import", help="verify and apply a bundle")
    p.add_argument("file", help="the bundle file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_import)

    p = sub.add_parser("conflicts", help="open conflicts from exchange")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_conflicts)


def _identity(args: argparse.Namespace, session: Session) -> int:
    path = exchange.write_identity_card(session, out=Path(args.out))
    out(f"Identity card written to {path}")
    out(f"Fingerprint: {session.workstation.fingerprint}")
    return 0


def _enrol(args: argparse.Namespace, session: Session) -> int:
    card = read_card(args.card)
    try:
        e = exchange.enrol(session, card=card, fingerprint=args.fingerprint, agency=args.agency)
    except exchange.AgencyChoiceNeeded as exc:
        raise exchange.AgencyChoiceNeeded(f"{exc.user_message} Use --agency AGENCY.") from exc
    out(f"Enrolled {e.name} ({e.role}, {e.agency_name}), member {e.member_id}")
    out(f"Fingerprint: {e.fingerprint}")
    return 0


def _export(args: argparse.Namespace, session: Session) -> int:
    r = exchange.export_bundle(session, to_member=args.to, out=Path(args.out))
    out(
        f"Wrote file {r.sequence} for {r.to_name}: {r.operations} operations, {r.cases} cases, "
        f"{r.evicted} evictions, {r.size} bytes -> {r.path}"
    )
    if r.held_back:
        sys.stderr.write(
            f"roundtable: {r.held_back} local changes are not allowed to be sent and were held back.\n"
        )
    return 0


def _import(args: argparse.Namespace, session: Session) -> int:
    r = exchange.import_bundle(session, path=Path(args.file))
    if args.json:
        doc = to_json(r)
        doc["path"] = str(r.path)
        print_json(doc)
    elif r.ok:
        out(
            f"{r.outcome}: {r.applied} operations applied, {r.duplicates} duplicates skipped, "
            f"{len(r.conflicts_opened)} conflicts opened, {r.waiting} waiting for a record, "
            f"{r.evicted} cases evicted"
            + (f" ({r.reason})" if r.reason else "")
        )
    if r.audit_warning:
        sys.stderr.write(f"roundtable: audit warning: {r.audit_warning}\n")
    if r.revoked:
        sys.stderr.write(f"roundtable: {membership.REVOKED_MESSAGE}\n")
    if not r.ok:
        sys.stderr.write(f"roundtable: {r.reason}\n")
        return 1
    return 0


def _conflicts(args: argparse.Namespace, session: Session) -> int:
    shown = list_out(
        args,
        exchange.list_conflicts(session),
        empty="No open conflicts.",
        headers=["id", "kind", "case", "what", "versions"],
        row=lambda c: [c.id[:8], c.kind, c.case_ref or "", f"{c.entity}.{c.field or '*'}",
                       str(len(c.candidates))],
    )
    if shown and not session.workstation.is_hub:
        out("These await the coordinator.")
    return 0
