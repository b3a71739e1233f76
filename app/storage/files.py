"""The one safe way to write a file outside the store: permissions first, write, fsync, atomic rename.

``write_file_atomic(path, data)`` for bytes in memory; ``atomic_writer(path)`` (a context manager
yielding the temporary file) for content streamed in pieces, such as a large exchange file;
``staged_writer(path)`` when the finished file must appear only after something else is done
(an export appears only once its audit entry is committed).

Invariants: the final path never holds a half-written file; the data is never readable by other
users, even for an instant (the temporary file is created 0600 with O_EXCL beside the target);
a failure (full disk, no permission) removes the temporary file and raises ``FileWriteError`` with
a clear message. No ``tempfile`` module with case data, ever.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from app.models.errors import FileWriteError

_PRIVATE = 0o600


class NotARegularFile(OSError):
    """The path is a folder, a pipe (FIFO), a socket or a device: it is never opened for reading."""


def open_regular_file(path: Path | str) -> BinaryIO:
    """Open a file the user chose, for reading -- only if it is a regular file, and without ever
    blocking: a FIFO would block ``open`` until a writer came (for ever, holding the store's lock).
    The type is checked by ``os.stat`` before opening and again on the open descriptor (opened
    ``O_NONBLOCK``), so a file swapped for a pipe in between is refused too."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFile:
    """The open temporary file of ``atomic_writer``: raw, unbuffered writes through ``os.write``.

    ``read``/``seek``/``tell`` let a writer that must patch or re-read what it wrote (the bundle
    writer hashes its own output) do so before the rename.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = memoryview(data)
        total = len(view)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        pos = os.lseek(self._fd, 0, os.SEEK_CUR)
        self.written = max(self.written, pos)
        return total

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self._fd, offset, whence)

    def tell(self) -> int:
        return os.lseek(self._fd, 0, os.SEEK_CUR)

    def read(self, size: int) -> bytes:
        return os.read(self._fd, size)

    def fileno(self) -> int:
        return self._fd


class Staged:
    """A completely written, fsynced temporary file of ``staged_writer`` waiting beside its
    target: ``publish()`` renames it into place (and fsyncs the folder), ``discard()`` removes it.
    Until one of them runs, the target is untouched."""

    def __init__(self, tmp: Path, target: Path) -> None:
        self.tmp, self.target, self.done = tmp, target, False

    def publish(self) -> Path:
        try:
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.discard()
            raise FileWriteError(_describe(exc, self.target.parent)) from exc
        self.done = True
        _fsync_dir(self.target.parent)
        return self.target

    def discard(self) -> None:
        if not self.done:
            self.done = True
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)


@contextlib.contextmanager
def staged_writer(path: Path | str, *, mode: int = _PRIVATE) -> Iterator[tuple[AtomicFile, Staged]]:
    """Like ``atomic_writer``, but the finished file is *not* renamed into place on exit: the
    caller publishes it (``Staged.publish``) once whatever must precede its appearance — the
    export's audit entry, committed — is done, or discards it. A failure while writing removes
    the temporary file, as ``atomic_writer`` does."""
    target = Path(path).expanduser().absolute()
    directory = target.parent
    if not directory.is_dir():
        raise FileWriteError(f"The folder {directory} does not exist.")
    if target.is_dir():
        raise FileWriteError(f"{target} is a folder, not a file.")
    tmp = directory / f".{target.name}.{secrets.token_hex(6)}.part"
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, mode)
    except PermissionError as exc:
        raise FileWriteError(f"Roundtable may not write in {directory}.") from exc
    except OSError as exc:
        raise FileWriteError(_describe(exc, directory)) from exc
    staged = Staged(tmp, target)
    try:
        try:
            os.fchmod(fd, mode) if hasattr(os, "fchmod") else None
            yield AtomicFile(fd), staged
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        staged.discard()
        raise FileWriteError(_describe(exc, directory)) from exc
    except BaseException:
        staged.discard()
        raise


@contextlib.contextmanager
def atomic_writer(path: Path | str, *, mode: int = _PRIVATE) -> Iterator[AtomicFile]:
    """Stream a file to ``path`` atomically: yields the temporary file; on a clean exit it is
    fsynced and renamed over ``path``; on any exception it is removed and nothing appears.

    Same guarantees as ``write_file_atomic`` (0600 from creation, O_EXCL beside the target, a full
    disk or refused write raises ``FileWriteError``), for content too large to hold in memory.
    """
    with staged_writer(path, mode=mode) as (f, staged):
        yield f
    staged.publish()


def write_file_atomic(path: Path | str, data: bytes, *, mode: int = _PRIVATE) -> Path:
    """Write ``data`` to ``path`` atomically with ``mode``; return the absolute path."""
    with atomic_writer(path, mode=mode) as f:
        f.write(data)
    return Path(path).expanduser().absolute()


def _describe(exc: OSError, directory: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk is full: nothing was written to {directory}."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Roundtable may not write in {directory}."
    return f"The file could not be written in {directory} ({exc.strerror or 'error'})."


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable only by this user."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)
    return path
