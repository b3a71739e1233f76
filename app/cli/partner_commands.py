"""Partner commands: ``partners``, ``partner enrol`` (coordinator only).

Each calls ``app.services.partners`` only. A refused enrolment is exit 1 with one line on standard
error (nothing changed); ``--json`` prints only JSON on standard output.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.base import out, print_json, read_card, table
from app.models.partners import Partner
from app.services import partners
from app.services.context import Session


def register(sub: Any) -> None:
    p = sub.add_parser("partners", help="coordinator: the partner panels and regions enrolled")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_partners)
    p = sub.add_parser("partner", help="coordinator: enrol another panel (or a region) as a partner")
    psub = p.add_subparsers(dest="partner_command", required=True)
    q = psub.add_parser("enrol", help="trust another panel's coordinator card after comparing "
                        "its fingerprint")
    q.add_argument("card", help="the other coordinator's identity card (their “identity --out”)")
    q.add_argument("--fingerprint", required=True, help="the fingerprint read out by its owner")
    q.add_argument("--region", action="store_true",
                   help="the card is a regional coordinator's (for regional returns)")
    q.set_defaults(func=_enrol)


def partner_json(p: Partner) -> dict[str, str]:
    return {"id": p.id, "kind": p.kind, "name": p.name, "programme": p.programme,
            "coordinator": p.coordinator, "agency": p.agency_name, "fingerprint": p.fingerprint,
            "enrolled_at": p.enrolled_at}


def _partners(args: argparse.Namespace, session: Session) -> int:
    rows = partners.list_partners(session)
    if args.json:
        print_json([partner_json(p) for p in rows])
        return 0
    if not rows:
        out("No partner panels enrolled.")
        return 0
    table([[p.id[:8], p.kind, p.name, partners.programme_name(p.programme), p.coordinator, p.fingerprint]
           for p in rows],
          ["Id", "Kind", "Name", "Programme", "Coordinator", "Fingerprint"])
    return 0


def _enrol(args: argparse.Namespace, session: Session) -> int:
    card = read_card(args.card)
    p = partners.enrol_partner(session, card, args.fingerprint,
                               kind="region" if args.region else "panel")
    what = "region" if p.kind == "region" else "partner panel"
    out(f"Enrolled {p.name} as a {what} (coordinator {p.coordinator}, {p.agency_name}), "
        f"id {p.id}")
    out(f"Fingerprint: {p.fingerprint}")
    return 0
