"""Command-line plumbing shared by every command module: unlocking, output, exit codes.

A command module exposes ``register(sub)`` that adds its sub-commands to the parser; each command
sets ``func=handler`` where ``handler(args, session) -> int`` (or ``needs_store=False`` and
``handler(args) -> int``); ``check=fn(args)`` runs usage checks before the store is unlocked. Handlers print results to standard output (JSON only with ``--json``)
and raise ``AppError`` subclasses for refusals; ``main`` turns those into one line on standard
error and the documented exit status. Secrets never come from argument values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from app.models.dates import parse_uk_date
from app.models.errors import InvalidInput, UnlockError, UsageError

Handler = Callable[..., int]
T = TypeVar("T")


def store_path(args: argparse.Namespace) -> Path:
    from app.config.paths import default_store_path

    if getattr(args, "store", None):
        return Path(args.store).expanduser()
    return default_store_path()


def read_passphrase(
    args: argparse.Namespace, *, env: str = "ROUNDTABLE_PASSPHRASE", prompt: str = "Passphrase: "
) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    pfile = getattr(args, "passphrase_file", None)
    if pfile and env == "ROUNDTABLE_PASSPHRASE":
        try:
            return Path(pfile).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise UnlockError("The passphrase file could not be read.") from exc
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise UnlockError(
        f"No passphrase: set {env}, use --passphrase-file, or run in a terminal to be asked."
    )


def read_recovery_key(args: argparse.Namespace) -> str:
    """The recovery key from ``--recovery-key-file`` (its text; spaces and dashes are allowed)."""
    try:
        text = Path(args.recovery_key_file).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UnlockError("The recovery key file could not be read.") from exc
    if not text:
        raise UnlockError("The recovery key file is empty.")
    return text


def read_new_passphrase(args: argparse.Namespace) -> str:
    value = os.environ.get("ROUNDTABLE_NEW_PASSPHRASE")
    if value is not None:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("New passphrase: ")
        second = getpass.getpass("New passphrase again: ")
        if first != second:
            raise InvalidInput("The two passphrases are not the same.")
        return first
    raise InvalidInput("No new passphrase: set ROUNDTABLE_NEW_PASSPHRASE or run in a terminal.")


def to_json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_json(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return value


# Shown visibly on the terminal, as ``\u202e``: control characters (C0 but tab and newline, DEL,
# C1 -- U+009B alone starts a terminal escape) and the bidirectional controls, which would make
# the terminal show text in another order than stored. The desktop and PDFs keep bidi as text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control and bidi control written as its escape (``\\u202e``)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(value: Any) -> None:
    # json escapes C0 itself; DEL, C1 and bidi controls become \uXXXX escapes (still valid JSON)
    sys.stdout.write(terminal_safe(json.dumps(to_json(value), ensure_ascii=False, indent=2)) + "\n")


def out(line: str = "") -> None:
    sys.stdout.write(terminal_safe(line) + "\n")


def parse_date_arg(text: str) -> dt.date:
    day = parse_uk_date(text)
    if day is None:
        raise InvalidInput(f"“{text}” is not a date (use YYYY-MM-DD or DD/MM/YYYY).")
    return day


def table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [len(h) for h in headers]
    for r in rows:
        for i, cell in enumerate(r):
            widths[i] = min(max(widths[i], len(cell)), 48)
    out("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for r in rows:
        out("  ".join(c[:48].ljust(w) for c, w in zip(r, widths, strict=True)))


def list_out(
    args: argparse.Namespace,
    items: Sequence[T],
    *,
    empty: str,
    headers: list[str],
    row: Callable[[T], list[str]],
) -> bool:
    """A list command's output: ``items`` as JSON with ``--json``, else the line ``empty`` when
    there are none, else a table of ``row(item)``. True only when the table was printed."""
    if args.json:
        print_json(items)
        return False
    if not items:
        out(empty)
        return False
    table([row(item) for item in items], headers)
    return True


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2) instead of exiting on its own."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


# --- registering commands ------------------------------------------------------------------------

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def command(
    sub: Subcommands, name: str, func: Handler | None, help: str | None = None, **defaults: Any
) -> argparse.ArgumentParser:
    """Add the command ``name``, run by ``func`` (``None`` for a group of sub-commands);
    ``defaults`` are further ``set_defaults`` (``needs_store``, ``check``, ``records_unlock``)."""
    parser: argparse.ArgumentParser = (
        sub.add_parser(name) if help is None else sub.add_parser(name, help=help)
    )
    if func is not None:
        parser.set_defaults(func=func, **defaults)
    return parser


def switches(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """On/off options (``--json``, ``--mine``): false unless given."""
    for name in names:
        parser.add_argument(name, action="store_true")
    return parser


def subcommands(
    parser: argparse.ArgumentParser, dest: str, metavar: str, *, required: bool = True
) -> Subcommands:
    return parser.add_subparsers(dest=dest, metavar=metavar, required=required)


def read_card(path: str) -> bytes:
    """An identity card file named on the command line, or one sentence why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"The card file could not be read ({exc.strerror or 'error'}).") from exc


def written(args: argparse.Namespace, paths: Sequence[Path], what: str) -> int:
    """A command that wrote files: ``{"written": [...]}`` with ``--json``, else "WHAT written:
    PATH" a line each."""
    if args.json:
        print_json({"written": [str(p) for p in paths]})
    else:
        for p in paths:
            out(f"{what} written: {p}")
    return 0


def period_options(p: argparse.ArgumentParser, *, required: bool = True, help: str | None = None) -> None:
    """``--from DATE --to DATE``: a period, read later with ``parse_date_arg`` (args.start, args.end)."""
    p.add_argument("--from", dest="start", required=required, default=None, metavar="DATE", help=help)
    p.add_argument("--to", dest="end", required=required, default=None, metavar="DATE")
