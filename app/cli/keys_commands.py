"""Keys of the store: ``passphrase`` (change it) and ``keyring status|remember|forget`` (unlock
this store with the workstation's login keyring, or stop). Each handler calls services only."""

from __future__ import annotations

import argparse
import sys

from app.cli.base import (
    Subcommands,
    command,
    out,
    print_json,
    read_new_passphrase,
    store_path,
    subcommands,
    switches,
)
from app.services import setup as setup_svc
from app.services.context import Session


def register(sub: Subcommands) -> None:
    command(sub, "passphrase", cmd_passphrase, "change the passphrase")
    p = command(sub, "keyring", None, "remember this store in the OS keyring, or forget it")
    group = subcommands(p, "keyring_command", "status|remember|forget")
    switches(command(group, "status", cmd_keyring_status, "is the store remembered here, and does "
                     "the keyring answer", needs_store=False), "--json")
    command(group, "remember", cmd_keyring_remember,
            "unlock this store with the login keyring from now on")
    command(group, "forget", cmd_keyring_forget, "stop unlocking this store with the login keyring")


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
