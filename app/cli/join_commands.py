"""Joining commands: ``invite`` (coordinator only). ``init --invitation`` is in store_commands.

Each calls ``app.services.joining`` only. An officer's or chair's store gets exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.base import out
from app.services import joining
from app.services.context import Session


def register(sub: Any) -> None:
    p = sub.add_parser("invite", help="coordinator: a signed invitation for a listed member")
    p.add_argument("member", help="the member's id (or 8+ character prefix)")
    p.add_argument("--out", required=True, help="the invitation file to write")
    p.add_argument("--days", type=int, default=joining.DEFAULT_DAYS,
                   help=f"days until it expires (default {joining.DEFAULT_DAYS})")
    p.set_defaults(func=_invite)


def _invite(args: argparse.Namespace, session: Session) -> int:
    r = joining.invite(session, member=args.member, out=Path(args.out), days=args.days)
    out(f"Invitation for {r.member_name} ({r.role}, {r.agency_name}) written to {r.path}")
    out(f"It expires on {r.expires.date().isoformat()}.")
    out(f"Read this fingerprint aloud to {r.member_name} (by phone or in person, never in the "
        "same message as the file):")
    out(f"  {r.fingerprint}")
    return 0
