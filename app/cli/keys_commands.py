"""Keys of the store: ``passphrase`` (change it) and ``keyring status|remember|forget`` (unlock
this store with the workstation's login keyring, or stop). Each handler calls services only."""

from __future__ import annotations

import argparse
import sys

from app.cli.base import out, print_json, read_new_passphrase, store_path
from app.services import setup as setup_svc
from app.services.context import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add_passphrase(sub)
    _add_keyring(sub)


def _add_passphrase(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("passphrase", help="change the passphrase")
    p.set_defaults(func=cmd_passphrase)


def _add_keyring(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("keyring", help="remember this store in the OS keyring, or forget it")
    ksub = p.add_subparsers(dest="keyring_command", metavar="status|remember|forget", required=True)
    q = ksub.add_parser("status", help="is the store remembered here, and does the keyring answer")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_keyring_status, needs_store=False)
    q = ksub.add_parser("remember", help="unlock this store with the login keyring from now on")
    q.set_defaults(func=cmd_keyring_remember)
    q = ksub.add_parser("forget", help="stop unlocking this store with the login keyring")
    q.set_defaults(func=cmd_keyring_forget)


# --- handlers --------------------------------------------------------------------------------


def cmd_passphrase(args: argparse.Namespace, session: Session) -> int:
    new = read_new_passphrase(args)
    setup_svc.change_passphrase(session, new_passphrase=new)
    out("Passphrase changed.")
    return 0


def cmd_keyring_status(args: argparse.Namespace) -> int:
    st = setup_svc.keyring_status(store_path(args), keyring=setup_svc.workstation_keyring())
    if args.json:
        print_json(st)
        return 0
    if st.remembered and st.holds_secret:
        out(f"This store is remembered on this workstation ({st.backend}); it unlocks with the "
            "login keyring.")
    elif st.remembered:
        out(f"The key file remembers this store but the keyring ({st.backend}) holds no secret for "
            "it: unlock with the passphrase and run `keyring remember` again.")
    else:
        out(f"This store is not remembered on this workstation (the keyring, {st.backend}, "
            "answers).")
    return 0


def cmd_keyring_remember(args: argparse.Namespace, session: Session) -> int:
    setup_svc.remember_on_this_workstation(session, keyring=setup_svc.workstation_keyring())
    out("Remembered: this store now unlocks with this workstation's login keyring.")
    return 0


def cmd_keyring_forget(args: argparse.Namespace, session: Session) -> int:
    r = setup_svc.forget_on_this_workstation(session, keyring=setup_svc.workstation_keyring())
    if not r.keyring_cleared:
        out("Forgotten: the store no longer unlocks with the keyring on this workstation.")
        sys.stderr.write(f"roundtable: the keyring's own entry could not be removed: {r.reason}\n")
        return 0
    if r.was_remembered:
        out("Forgotten: the store no longer unlocks with the keyring on this workstation.")
    else:
        out("This store was not remembered on this workstation; nothing to forget.")
    return 0
