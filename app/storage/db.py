"""The SQLCipher connection: raw-key open, pragmas, one instance per store, transactions.

Invariants:
- The database is opened with a random 256-bit data key applied as a raw key (no SQLCipher KDF);
  the key is validated as 64 hex digits before it is placed in the PRAGMA, and it is never logged.
- One process holds a store at a time (a lock file beside it).
- ``write()`` is ``BEGIN IMMEDIATE`` ... ``COMMIT``: either everything in the block lands or nothing.
  A full disk or a failing drive rolls the block back and is reported as ``StoreFull`` /
  ``StoreWriteFailed`` (a clear message), never as a raw driver error.
- All access is serialised by one lock: the desktop client runs store work on one worker thread.
- A damaged page met by any read or write (SQLITE_CORRUPT, SQLITE_NOTADB, an HMAC failure) rolls
  the transaction back and is reported as ``StoreCorrupt``: one sentence naming the first bad page
  (``cipher_integrity_check``, then ``integrity_check``: ``app.storage.damage``) and saying to
  restore the latest backup.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlcipher3
from filelock import FileLock, Timeout
from sqlalchemy import Connection, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from app.models.errors import (
    StoreCorrupt,
    StoreDamaged,
    StoreInUse,
    StoreReadOnly,
    StoreUnreachable,
)
from app.storage.damage import (
    Damage,
    corrupt_message,
    find_damage,
    is_corruption,
    is_read_only_error,
    write_failure,
)

LOCK_WAIT_SECONDS = 5.0  # a second command waits this long for the first, then is refused

_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")

PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 5000",
)


T = TypeVar("T")

IN_LIST_SIZE = 500  # ids per ``IN (...)``: well under SQLite's limit of bound parameters


def in_chunks(ids: Sequence[T]) -> Iterator[list[T]]:
    """``ids`` in lists of at most ``IN_LIST_SIZE``, in order: one ``IN`` list each."""
    for start in range(0, len(ids), IN_LIST_SIZE):
        yield list(ids[start : start + IN_LIST_SIZE])


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".lock")


def lock_held(store_path: Path) -> bool:
    """Whether another open of this store (another Roundtable window or command) holds its file
    lock now. Probes without keeping it: acquire with no wait, release at once."""
    lp = lock_path(store_path)
    if not lp.exists():
        return False
    probe = FileLock(str(lp), timeout=0, mode=0o600, thread_local=False)
    try:
        probe.acquire()
    except Timeout:
        return True
    probe.release()
    return False


def _open_raw(path: Path, hex_key: str, read_only: bool = False) -> sqlcipher3.Connection:
    if not _HEX_KEY.match(hex_key):
        raise ValueError("data key must be 64 lowercase hex digits")
    try:
        if read_only:
            # A read-only disk or folder cannot take the -shm file WAL readers need, and nothing
            # can change the file there: SQLite reads it as immutable (no locks, no -shm).
            conn = sqlcipher3.connect(
                path.as_uri() + "?mode=ro&immutable=1",
                uri=True,
                check_same_thread=False,
                isolation_level=None,
            )
        else:
            conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    except sqlcipher3.OperationalError as exc:
        raise StoreUnreachable(
            f"The store file {path} cannot be opened ({exc}); check that its disk is there and "
            "that you may read it."
        ) from exc
    try:
        # Before the key and the first read: SQLCipher would otherwise print "hmac check failed"
        # lines on standard error when the key does not fit or page 1 is damaged.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # Not an f-string of a secret from a user: a validated hex raw key (see _HEX_KEY).
        conn.execute("PRAGMA key = \"x'" + hex_key + "'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in PRAGMAS:
            if read_only and "journal_mode" in pragma:
                continue  # already WAL in the file; setting it would write
            conn.execute(pragma)
    except sqlcipher3.OperationalError as exc:
        conn.close()
        if "readonly" in str(exc).lower() or "unable to open" in str(exc).lower():
            raise StoreUnreachable(
                f"The store file {path} cannot be opened for writing ({exc})."
            ) from exc
        raise StoreDamaged() from exc
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise StoreDamaged() from exc
    return conn


class Database:
    """An open store file. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(
        self, path: Path, engine: Engine, lock: FileLock | None, read_only: bool = False
    ) -> None:
        self.path = path
        self.engine = engine
        self.read_only = read_only
        self._lock = lock
        self._mutex = threading.RLock()
        self._conn: Connection | None = engine.connect()
        self._depth = 0

    @classmethod
    def open(
        cls,
        path: Path,
        hex_key: str,
        *,
        read_only: bool = False,
        lock_wait: float | None = None,
    ) -> Database:
        """Open the store; ``read_only`` for a store whose disk, folder or file cannot be
        written (no lock file can be made there either; nothing can change it). A store held by
        another process is waited for ``lock_wait`` seconds (default ``LOCK_WAIT_SECONDS``)."""
        wait = LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
        lock: FileLock | None = FileLock(
            str(lock_path(path)), timeout=wait, mode=0o600, thread_local=False
        )
        assert lock is not None
        try:
            lock.acquire()
        except Timeout as exc:
            raise StoreInUse(
                "The store is in use by another Roundtable window or command (waited "
                f"{wait:g} seconds): nothing was changed. Try again when it has finished."
            ) from exc
        except OSError as exc:
            if not read_only:
                raise StoreReadOnly(
                    f"The folder of the store ({path.parent}) cannot be written "
                    f"({exc.strerror}): nothing was changed."
                ) from exc
            lock = None  # a read-only folder: no lock file can exist, no writer either
        try:
            raw = _open_raw(path, hex_key, read_only)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool, future=True)

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            mode = conn.info.get("begin", "BEGIN")
            conn.exec_driver_sql(mode)

        return cls(path, engine, lock, read_only)

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise StoreDamaged("The store is closed.")
        return self._conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One ``BEGIN IMMEDIATE`` transaction. Nested calls join the outer transaction."""
        with self._mutex:
            conn = self.conn
            if self._depth:
                self._depth += 1
                try:
                    yield conn
                finally:
                    self._depth -= 1
                return
            conn.info["begin"] = "BEGIN" if self.read_only else "BEGIN IMMEDIATE"
            self._depth = 1
            try:
                with self._damage_told():
                    try:
                        if self.read_only:  # whatever the block does, nothing is committed
                            with _rolled_back(conn):
                                yield conn
                        else:
                            with conn.begin():
                                yield conn
                    except (sa_exc.OperationalError, sqlcipher3.OperationalError) as exc:
                        if is_read_only_error(exc):
                            raise StoreReadOnly() from exc
                        failure = write_failure(exc)
                        if failure is None:
                            raise  # corruption or not: told by _damage_told
                        raise failure from exc
            finally:
                self._depth = 0
                conn.info["begin"] = "BEGIN"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read snapshot (deferred transaction, rolled back at the end)."""
        with self._mutex:
            conn = self.conn
            if self._depth:
                yield conn
                return
            self._depth = 1
            try:
                with self._damage_told(), _rolled_back(conn):
                    yield conn
            finally:
                self._depth = 0

    @contextmanager
    def _damage_told(self) -> Iterator[None]:
        """A database error that says the file is damaged becomes ``StoreCorrupt`` (with what
        the integrity check finds); any other goes on as it is."""
        try:
            yield
        except (sa_exc.DatabaseError, sqlcipher3.DatabaseError) as exc:
            if is_corruption(exc):
                raise self.corrupt() from exc
            raise

    def execute_raw(self, sql: str) -> list[Any]:
        """Administrative statements (checkpoint, integrity check) outside a transaction."""
        with self._mutex:
            raw = self.conn.connection.dbapi_connection
            assert raw is not None
            try:
                return list(raw.execute(sql).fetchall())
            except sqlcipher3.DatabaseError as exc:
                if is_corruption(exc):
                    raise self.corrupt() from exc
                raise

    def checkpoint(self) -> None:
        if not self.read_only:
            self.execute_raw("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- damage -----------------------------------------------------------------------------------
    def damage(self, progress: Callable[[int, int], None] | None = None) -> Damage | None:
        """Check every page: SQLCipher's HMAC of each (``cipher_integrity_check``), then SQLite's
        structure (``integrity_check``). None when the store is whole, else the first problem.
        ``progress(step, steps)`` is told as each of the checks starts and ends."""
        with self._mutex:
            raw = self.conn.connection.dbapi_connection
            assert raw is not None
            return find_damage(raw, self.path, progress)

    def page_count(self) -> int:
        return int(self.execute_raw("PRAGMA page_count")[0][0])

    def corrupt(self) -> StoreCorrupt:
        """The refusal for a damaged page met while reading or writing (after the rollback)."""
        try:
            found = self.damage()
        except Exception:  # the check itself failed on the damage: say what is known
            found = None
        return StoreCorrupt(corrupt_message(found))

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                try:
                    with contextlib.suppress(sqlcipher3.DatabaseError, sa_exc.DatabaseError):
                        self.checkpoint()  # a damaged store still closes
                finally:
                    self._conn.close()
                    self._conn = None
                    self.engine.dispose()
                    raw = None
                    del raw
            if self._lock is not None and self._lock.is_locked:
                self._lock.release()


@contextmanager
def _rolled_back(conn: Connection) -> Iterator[Connection]:
    """A transaction that is always rolled back: a read snapshot, or a read-only store's write."""
    tx = conn.begin()
    try:
        yield conn
    finally:
        tx.rollback()
