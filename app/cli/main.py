"""``roundtable``: the command line of docs/cli.md. It reaches the store only through services.

Exit status: 0 done; 1 refused (one line on standard error, nothing changed); 2 usage error;
3 the store could not be unlocked.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from app.cli.base import (
    ArgumentParser,
    read_passphrase,
    read_recovery_key,
    store_path,
    terminal_safe,
)
from app.models.errors import AppError, UsageError

# Each module adds its commands with register(sub). The bundle's spec imports this list
# (installer/roundtable.spec), so a new module is frozen with the others.
# One module per group of commands, by what the user does; each registers its own commands.
COMMAND_MODULES = (
    "app.cli.store_commands",
    "app.cli.case_commands",
    "app.cli.action_commands",
    "app.cli.meeting_commands",
    "app.cli.panel_commands",
    "app.cli.exchange_commands",
    "app.cli.document_commands",
    "app.cli.intake_commands",
    "app.cli.records_commands",
    "app.cli.disclosure_commands",
    "app.cli.join_commands",
    "app.cli.keys_commands",
    "app.cli.attachment_commands",
    "app.cli.partner_commands",
    "app.cli.region_commands",
    "app.cli.transfer_commands",
)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="roundtable", description="Roundtable: case management for multi-agency risk panels."
    )
    parser.add_argument(
        "--store", help="the store file (default: $ROUNDTABLE_STORE or the data folder)"
    )
    parser.add_argument("--passphrase-file", help="read the passphrase from this file")
    parser.add_argument(
        "--recovery-key-file", help="unlock with the recovery key read from this file"
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMAND_MODULES:
        # every module is required: a frozen bundle that lost one must fail loudly, not drop commands
        importlib.import_module(name).register(sub)
    return parser


def _today() -> dt.date:
    # For tests and demonstrations only: pin "today" (never affects timestamps of audit entries).
    pinned = os.environ.get("ROUNDTABLE_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


log = logging.getLogger("roundtable.cli")


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv))
    # Only the command's name is logged: its arguments may hold names or case text.
    log.info("command %s", getattr(args, "command", None))
    if getattr(args, "version", False):
        from app.config.identity import app_version

        sys.stdout.write(f"roundtable {app_version()}\n")
        return 0
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    check = getattr(args, "check", None)
    if check is not None:  # usage checks that need no store run before unlocking
        check(args)
    if getattr(args, "needs_store", True) is False:
        return int(args.func(args))
    from app.services.setup import unlock

    if getattr(args, "recovery_key_file", None):
        session = unlock(
            store_path(args),
            recovery_key=read_recovery_key(args),
            today_fn=_today,
            record=getattr(args, "records_unlock", True),
        )
    else:
        session = unlock(
            store_path(args),
            passphrase=read_passphrase(args),
            today_fn=_today,
            record=getattr(args, "records_unlock", True),
        )
    if session.failed_unlocks:
        from app.services.setup import failed_unlocks_message

        sys.stderr.write(f"roundtable: {failed_unlocks_message(*session.failed_unlocks)}\n")
    if session.unlock_record_reset:
        sys.stderr.write(f"roundtable: {session.unlock_record_reset}\n")
    try:
        code = int(args.func(args, session))
        if session.read_only and getattr(args, "records_unlock", True):
            sys.stderr.write(
                "roundtable: the store can only be read here (its disk, folder or file is "
                "read-only): what this command showed or wrote is recorded on this workstation and "
                "added to the store's audit log when it is next unlocked where it can be written.\n"
            )
        return code
    finally:
        session.close()


def main(argv: Sequence[str] | None = None) -> int:
    from app.config.process import prepare_process

    prepare_process()
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        sys.stderr.write(f"usage error: {terminal_safe(exc.user_message)}\n")
        return 2
    except AppError as exc:
        log.info("refused %s exit=%d", type(exc).__name__, exc.exit_code)
        sys.stderr.write(f"roundtable: {terminal_safe(exc.user_message)}\n")
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(
            "roundtable: interrupted; nothing was changed by the unfinished command.\n"
        )
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
