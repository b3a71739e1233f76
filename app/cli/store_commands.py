"""The store and this workstation: ``init`` (create a store, or join a panel with
``--invitation``), ``status``, ``demo``, ``check`` (every page's HMAC and SQLite's structure),
``audit verify``, ``backup`` and ``restore``. Handlers call services only."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.cli.base import (
    Subcommands,
    command,
    out,
    print_json,
    read_new_passphrase,
    read_passphrase,
    store_path,
    subcommands,
    switches,
)
from app.config.programmes import DEFAULT_PROGRAMME
from app.models.enums import Role
from app.models.errors import InvalidInput, StoreCorrupt, UsageError
from app.services import demo as demo_svc
from app.services import integrity, membership
from app.services import panel as panel_svc
from app.services import setup as setup_svc
from app.services.context import Session


def register(sub: Subcommands) -> None:
    _add_init(sub)
    switches(command(sub, "status", cmd_status, "who this workstation is, and counts"), "--json")
    p = command(sub, "demo", cmd_demo, "fill a coordinator store with a synthetic panel")
    p.add_argument("--cases", type=int, default=60)
    p.add_argument("--seed", type=int, default=1)
    audit = subcommands(command(sub, "audit", None, "check the audit chain"), "audit_command",
                        "verify")
    switches(command(audit, "verify", cmd_audit_verify), "--json")
    p = command(sub, "backup", cmd_backup, "encrypted backup of the store with its key file")
    p.add_argument("--out", required=True)
    p = command(sub, "restore", cmd_restore, "restore a backup into a new --store", needs_store=False)
    p.add_argument("file")
    switches(command(sub, "check", cmd_check, "check every page of the store file (changes "
                     "nothing, records nothing)", records_unlock=False), "--json")


def _add_init(sub: Subcommands) -> None:
    p = command(sub, "init", cmd_init, "create the encrypted store and this workstation's identity",
                needs_store=False, check=_check_init)
    p.add_argument("--name")
    p.add_argument("--agency")
    p.add_argument("--role", choices=[r.value for r in Role])
    p.add_argument("--panel", default="")
    p.add_argument("--programme", default=DEFAULT_PROGRAMME)
    p.add_argument("--invitation", help="join a panel as the member this invitation file names")
    p.add_argument("--fingerprint", help="the coordinator's fingerprint, read aloud (with --invitation)")
    switches(p, "--json")


# --- handlers --------------------------------------------------------------------------------


def _check_init(args: argparse.Namespace) -> None:
    if args.invitation:
        if not args.fingerprint:
            raise UsageError("init --invitation needs --fingerprint, read aloud by the coordinator.")
        if args.name or args.agency or args.role or args.panel:
            raise UsageError("init --invitation takes the name, agency, role and panel from the "
                             "invitation; leave out --name, --agency, --role and --panel.")
    elif not (args.name and args.agency and args.role):
        raise UsageError("init needs --name, --agency and --role (or --invitation and --fingerprint).")


def cmd_init(args: argparse.Namespace) -> int:
    invitation = None
    if args.invitation:  # read and check before asking for a passphrase: a refusal creates nothing
        from app.services import joining

        invitation = joining.read_invitation_file(Path(args.invitation))
        joining.check_invitation(invitation, args.fingerprint)
    passphrase = os.environ.get("ROUNDTABLE_NEW_PASSPHRASE") or os.environ.get(
        "ROUNDTABLE_PASSPHRASE"
    )
    if passphrase is None:
        passphrase = read_new_passphrase(args)
    if invitation is not None:
        created = joining.join_panel(
            store_path(args), invitation=invitation, fingerprint=args.fingerprint,
            passphrase=passphrase,
        )
    else:
        created = setup_svc.create_store(
            store_path(args),
            passphrase=passphrase,
            name=args.name,
            agency=args.agency,
            role=Role(args.role),
            panel=args.panel,
            programme=args.programme,
        )
    ws = created.session.workstation
    created.session.close()
    if args.json:
        print_json(
            {
                "store": str(store_path(args)),
                "fingerprint": created.fingerprint,
                "recovery_key": created.recovery_key,
                "device_id": ws.device_id,
                "member_id": ws.member.id,
                "agency_id": ws.agency.id,
                "panel": ws.panel_name,
                "programme": ws.programme,
            }
        )
    else:
        out(f"Store created: {store_path(args)}")
        out(f"Fingerprint:   {created.fingerprint}")
        out("")
        out("Recovery key (shown once; write it down and keep it somewhere safe):")
        out(f"  {created.recovery_key}")
        if invitation is not None:
            out("")
            out(f"Joined {ws.panel_name} as {ws.member.name} ({ws.agency.name}).")
            out("Next: write your identity card (roundtable identity --out CARD), send it to the "
                "coordinator and read them the fingerprint above.")
    return 0


def cmd_status(args: argparse.Namespace, session: Session) -> int:
    st = panel_svc.store_status(session)
    from app.services import exchange as exchange_svc

    exchange = exchange_svc.exchange_status(session)
    if args.json:
        print_json({"status": st, "exchange": exchange or [],
                    "membership_revoked": membership.membership_revoked(session)})
        return 0
    out(f"{st.name} — {st.agency} ({st.role}{', hub' if st.is_hub else ''})")
    out(f"Panel: {st.panel} · programme: {st.programme}")
    out(f"Fingerprint: {st.fingerprint}")
    if membership.membership_revoked(session):
        out(f"REVOKED: {membership.REVOKED_MESSAGE}")
    out("Counts: " + ", ".join(f"{k} {v}" for k, v in st.counts.items()))
    for peer in exchange or []:
        sent = (
            f"file {peer.last_sent_seq} sent {peer.last_sent_at[:10]}"
            if peer.last_sent_at
            else "nothing sent"
        )
        got = (
            f"file {peer.last_received_seq} received {peer.last_received_at[:10]}"
            if peer.last_received_at
            else "nothing received"
        )
        notes = []
        if peer.missing:
            notes.append("not received: files " + ", ".join(str(n) for n in peer.missing))
        if peer.silent and peer.silent_days is not None:
            notes.append(f"silent for {peer.silent_days} days")
        extra = f" — {'; '.join(notes)}" if notes else ""
        out(f"  {peer.name} ({peer.agency_name}): {sent}; {got}{extra}")
    return 0


def cmd_demo(args: argparse.Namespace, session: Session) -> int:
    r = demo_svc.build_demo(session, cases=args.cases, seed=args.seed)
    out(
        f"Demo panel created: {r.cases} cases, {r.agencies} agencies, {r.members} members, {r.meetings} meetings."
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace, session: Session) -> int:
    r = panel_svc.verify_audit(session)
    if getattr(args, "json", False):
        print_json(r)
    if r.ok:
        if not getattr(args, "json", False):
            out(f"Audit chain intact: {r.entries} entries.")
        return 0
    raise InvalidInput(f"The audit chain is broken at entry {r.first_broken}: {r.reason}.")


def cmd_backup(args: argparse.Namespace, session: Session) -> int:
    path = setup_svc.backup(session, out=Path(args.out))
    out(f"Backup written: {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    session = setup_svc.restore(
        Path(args.file), target=store_path(args), passphrase=read_passphrase(args)
    )
    session.close()
    out(f"Restored into {store_path(args)}")
    return 0


def cmd_check(args: argparse.Namespace, session: Session) -> int:
    r = integrity.check_store(session)
    if args.json:
        print_json(r)
    if not r.ok:
        raise StoreCorrupt(r.message)
    if not args.json:
        out(r.message)
    return 0
