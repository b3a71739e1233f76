"""The store file itself: ``check`` (every page's HMAC and SQLite's structure). Handlers call
services only."""

from __future__ import annotations

import argparse

from app.cli.base import out, print_json
from app.models.errors import StoreCorrupt
from app.services import integrity
from app.services.context import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check", help="check every page of the store file (changes nothing, records nothing)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check, records_unlock=False)


def cmd_check(args: argparse.Namespace, session: Session) -> int:
    r = integrity.check_store(session)
    if args.json:
        print_json(r)
    if not r.ok:
        raise StoreCorrupt(r.message)
    if not args.json:
        out(r.message)
    return 0
