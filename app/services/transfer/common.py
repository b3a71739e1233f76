"""Shared by the sending and receiving halves of a transfer: who may act, reading a file the
user chose, and writing a transfer file as the last step of its transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.models import rules
from app.models.enums import Role
from app.models.errors import BundleRejected, Refused, StoreReadOnly
from app.services.context import Session
from app.services.transfer.files import MAX_FILE_BYTES
from app.storage.files import NotARegularFile, open_regular_file, write_file_atomic


def check_coordinator(session: Session, doing: str, *, writes: bool = False) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing=doing)
    if not session.workstation.is_hub:
        raise Refused(f"Only the coordinator's store can {doing}.")
    if writes and session.read_only:
        # its rows would not be kept, but a file would be written: refuse before anything
        raise StoreReadOnly()


def read_file(path: Path) -> bytes:
    """The bytes of a transfer file the user chose (a regular file, within the size cap)."""
    try:
        f = open_regular_file(path)
    except NotARegularFile as exc:
        raise BundleRejected("That is not a transfer file: it is a folder, a pipe or a device, "
                             "not a regular file. Nothing was read.") from exc
    except FileNotFoundError as exc:
        raise BundleRejected("There is no file at that location.") from exc
    except OSError as exc:
        raise BundleRejected(f"The transfer file could not be read ({exc.strerror or 'error'}).") from exc
    try:
        with f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BundleRejected(f"The transfer file could not be read ({exc.strerror or 'error'}).") from exc
    if len(data) > MAX_FILE_BYTES:
        raise BundleRejected("The transfer file is larger than the allowed maximum.")
    return data


class FileOut:
    """Writes a transfer file inside the transaction that records it, as its last step: if the
    file cannot be written nothing is recorded; if the commit then fails the file is removed."""

    def __init__(self) -> None:
        self.written: list[Path] = []

    def write(self, out: Path, data: bytes) -> Path:
        path = write_file_atomic(Path(out).expanduser().absolute(), data)
        self.written.append(path)
        return path

    def undo(self) -> None:
        for p in self.written:
            p.unlink(missing_ok=True)


def now_iso() -> str:
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds")
