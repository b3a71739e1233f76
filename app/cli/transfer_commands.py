"""Transfer commands: ``transfer offer``, ``transfer import``, ``transfer show``, ``transfer
accept``, ``transfer decline``, ``transfers`` (coordinator's store only).

Each calls ``app.services.transfer`` only. A rejected file is exit 1 with one line on standard
error saying why (the store is unchanged); ``--json`` prints only JSON on standard output.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.base import out, print_json, table, to_json
from app.models.dates import format_uk
from app.models.errors import UsageError
from app.services import transfer
from app.services.context import Session
from app.services.transfer.render import history_lines


def register(sub: Any) -> None:
    p = sub.add_parser("transfer", help="coordinator: transfer a case to or from a partner panel")
    tsub = p.add_subparsers(dest="transfer_command", required=True)
    q = tsub.add_parser("offer", help="offer a case to a partner panel (a signed, encrypted file)")
    q.add_argument("case", help="the case's ref or id")
    q.add_argument("--to", required=True, help="the partner panel (name or id)")
    q.add_argument("--out", required=True, help="the transfer file to write")
    q.set_defaults(func=_offer)
    q = tsub.add_parser("import", help="import a transfer file: an offer (preview; --accept or "
                        "--decline to answer) or a partner's answer to an offer of ours")
    q.add_argument("file", help="the transfer file")
    q.add_argument("--accept", action="store_true", help="accept the offer: a new case here")
    q.add_argument("--decline", action="store_true", help="decline the offer (with --reason)")
    q.add_argument("--reason", default="", help="why the offer is declined")
    q.add_argument("--out", help="the answer file to write for the offering panel")
    q.add_argument("--json", action="store_true", help="print the result as JSON")
    q.set_defaults(func=_import, check=_check_import)
    q = tsub.add_parser("show", help="a transfer and the history that travelled with it")
    q.add_argument("id", help="the transfer's id (or 8+ character prefix)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_show)
    q = tsub.add_parser("accept", help="accept an offer already imported")
    q.add_argument("id", help="the transfer's id (or 8+ character prefix)")
    q.add_argument("--out", required=True, help="the acceptance file to write")
    q.set_defaults(func=_accept)
    q = tsub.add_parser("decline", help="decline an offer already imported")
    q.add_argument("id", help="the transfer's id (or 8+ character prefix)")
    q.add_argument("--reason", required=True, help="why it is declined")
    q.add_argument("--out", required=True, help="the decline file to write")
    q.set_defaults(func=_decline)
    p = sub.add_parser("transfers", help="coordinator: transfers offered and received")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_transfers)


def _check_import(args: argparse.Namespace) -> None:
    if args.accept and args.decline:
        raise UsageError("Give --accept or --decline, not both.")
    if (args.accept or args.decline) and not args.out:
        raise UsageError("--accept and --decline need --out REPLY: the answer for the other panel.")
    if args.decline and not args.reason.strip():
        raise UsageError("--decline needs --reason TEXT.")
    if args.reason and not args.decline:
        raise UsageError("--reason goes with --decline.")
    if args.out and not (args.accept or args.decline):
        raise UsageError("--out goes with --accept or --decline.")


def _offer(args: argparse.Namespace, session: Session) -> int:
    r = transfer.offer(session, case=args.case, to=args.to, out=Path(args.out))
    out(f"Transfer of {r.case_ref} offered to {r.partner_name}: written to {r.path}")
    if r.restricted:
        out(f"{r.restricted} restricted item(s) travel as a line naming their agency, never their text.")
    out(f"The case stays open here until {r.partner_name} accepts.")
    return 0


def _view_json(t: transfer.TransferView) -> dict[str, Any]:
    doc: dict[str, Any] = to_json(t)
    doc["text"] = t.text
    return doc


def _import(args: argparse.Namespace, session: Session) -> int:
    r = transfer.import_file(session, path=Path(args.file), accept=args.accept,
                             decline=args.decline, reason=args.reason,
                             out=Path(args.out) if args.out else None)
    if args.json:
        doc: dict[str, Any] = {"kind": r.kind, "transfer": _view_json(r.transfer),
                               "already_received": r.already_received,
                               "matches": list(r.matches)}
        if r.answered is not None:
            doc["answered"] = to_json(r.answered)
            doc["answered"]["path"] = str(r.answered.path)
        if r.content is not None:
            doc["content"] = r.content
        print_json(doc)
        return 0
    t = r.transfer
    if r.kind != "offer":
        rep = r.reply
        assert rep is not None
        if rep.accepted:
            out(f"{rep.partner_name} accepted {rep.case_ref} as {rep.their_ref}: the case is closed "
                "here as transferred out.")
        else:
            out(f"{rep.partner_name} declined {rep.case_ref} ({rep.reason}): the case continues here.")
        return 0
    out(f"Transfer offered by {t.partner} on {format_uk(t.offered_on)} (their ref {t.case_ref})"
        + (" — received before" if r.already_received else ""))
    out("")
    for line in history_lines(r.content or {}):
        out(line)
    out("")
    for line in r.matches:
        out(f"{line}.")
    a = r.answered
    if a is None:
        out(f"Not answered yet: transfer import FILE --accept --out REPLY, or --decline --reason "
            f"TEXT --out REPLY (transfer {t.id[:8]}).")
    elif a.accepted:
        _accepted_lines(a, t.partner)
    else:
        out(f"Declined; the answer for {t.partner} is written to {a.path}")
    return 0


def _accepted_lines(a: transfer.Answered, partner: str) -> None:
    out(f"Accepted as {a.case_ref}; the acceptance for {partner} is written to {a.path}")
    by = format_uk(a.discuss_by)
    if a.meeting_on is not None:
        out(f"Put on the agenda of the meeting of {format_uk(a.meeting_on)} (transfer-in "
            f"discussion due by {by}).")
    else:
        out(f"No meeting is planned by {by}: schedule one for the transfer-in discussion.")


def _show(args: argparse.Namespace, session: Session) -> int:
    t, content = transfer.preview(session, args.id)
    if args.json:
        print_json({"transfer": _view_json(t), "content": content})
        return 0
    out(t.text)
    out("")
    for line in history_lines(content):
        out(line)
    return 0


def _accept(args: argparse.Namespace, session: Session) -> int:
    a = transfer.accept_offer(session, transfer_id=args.id, out=Path(args.out))
    t = next(x for x in transfer.list_transfers(session) if x.id == a.transfer_id)
    _accepted_lines(a, t.partner)
    return 0


def _decline(args: argparse.Namespace, session: Session) -> int:
    a = transfer.decline_offer(session, transfer_id=args.id, reason=args.reason, out=Path(args.out))
    out(f"Declined; the answer is written to {a.path}")
    return 0


def _transfers(args: argparse.Namespace, session: Session) -> int:
    rows = transfer.list_transfers(session)
    if args.json:
        print_json([_view_json(t) for t in rows])
        return 0
    if not rows:
        out("No transfers offered or received.")
        return 0
    table([[t.id[:8], t.direction, format_uk(t.offered_on), t.case_ref, t.local_ref, t.state,
            t.text] for t in rows], ["Id", "Way", "Offered", "Ref", "Here", "State", "What"])
    return 0
