"""Joining commands: ``invite``, ``invitations``, ``invitation cancel`` (coordinator only).
``init --invitation`` is in store_commands.

Each calls ``app.services.joining`` only. An officer's or chair's store gets exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.base import list_out, out
from app.services import joining
from app.services.context import Session


def register(sub: Any) -> None:
    p = sub.add_parser("invite", help="coordinator: a signed invitation for a listed member")
    p.add_argument("member", help="the member's id (or 8+ character prefix)")
    p.add_argument("--out", required=True, help="the invitation file to write")
    p.add_argument("--days", type=int, default=joining.DEFAULT_DAYS,
                   help=f"days until it expires (default {joining.DEFAULT_DAYS})")
    p.set_defaults(func=_invite)
    p = sub.add_parser("invitations", help="coordinator: the invitations issued, and their state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_invitations)
    p = sub.add_parser("invitation", help="coordinator: cancel an outstanding invitation")
    isub = p.add_subparsers(dest="invitation_command", required=True)
    q = isub.add_parser("cancel", help="cancel an outstanding invitation")
    q.add_argument("id", help="the invitation's id (or 8+ character prefix)")
    q.set_defaults(func=_cancel)


def _invite(args: argparse.Namespace, session: Session) -> int:
    r = joining.invite(session, member=args.member, out=Path(args.out), days=args.days)
    out(f"Invitation for {r.member_name} ({r.role}, {r.agency_name}) written to {r.path}")
    out(f"It expires on {r.expires.date().isoformat()}.")
    out(f"Read this fingerprint aloud to {r.member_name} (by phone or in person, never in the "
        "same message as the file):")
    out(f"  {r.fingerprint}")
    return 0


def _invitations(args: argparse.Namespace, session: Session) -> int:
    list_out(
        args,
        joining.list_invitations(session),
        empty="No invitations issued.",
        headers=["Invitation", "Member", "Expires", "State"],
        row=lambda r: [r.invitation_id[:8], r.member_name or r.member_id[:8],
                       r.expires.date().isoformat(), r.state],
    )
    return 0


def _cancel(args: argparse.Namespace, session: Session) -> int:
    r = joining.cancel_invitation(session, args.id)
    out(f"Invitation {r.invitation_id[:8]} for {r.member_name or r.member_id} cancelled: a card "
        "made from it will not be enrolled.")
    return 0
