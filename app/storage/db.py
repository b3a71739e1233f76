"""The SQLCipher connection: raw-key open, pragmas, one instance per store, transactions.

Invariants:
- The database is opened with a random 256-bit data key applied as a raw key (no SQLCipher KDF);
  the key is validated as 64 hex digits before it is placed in the PRAGMA, and it is never logged.
- One process holds a store at a time (a lock file beside it).
- ``write()`` is ``BEGIN IMMEDIATE`` ... ``COMMIT``: either everything in the block lands or nothing.
  A full disk or a failing drive rolls the block back and is reported as ``StoreFull`` /
  ``StoreWriteFailed`` (a clear message), never as a raw driver error.
- All access is serialised by one lock: the desktop client runs store work on one worker thread.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from filelock import FileLock, Timeout
from sqlalchemy import Connection, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from app.models.errors import StoreDamaged, StoreFull, StoreInUse, StoreWriteFailed

_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")

PRAGMAS = (
    "PRAGMA cipher_log_level = NONE",
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 5000",
)


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


def _open_raw(path: Path, hex_key: str) -> sqlcipher3.Connection:
    if not _HEX_KEY.match(hex_key):
        raise ValueError("data key must be 64 lowercase hex digits")
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        # Not an f-string of a secret from a user: a validated hex raw key (see _HEX_KEY).
        conn.execute("PRAGMA key = \"x'" + hex_key + "'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise StoreDamaged() from exc
    return conn


class Database:
    """An open store file. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, path: Path, engine: Engine, lock: FileLock) -> None:
        self.path = path
        self.engine = engine
        self._lock = lock
        self._mutex = threading.RLock()
        self._conn: Connection | None = engine.connect()
        self._depth = 0

    @classmethod
    def open(cls, path: Path, hex_key: str) -> Database:
        lock = FileLock(str(lock_path(path)), timeout=0, mode=0o600, thread_local=False)
        try:
            lock.acquire()
        except Timeout as exc:
            raise StoreInUse() from exc
        try:
            raw = _open_raw(path, hex_key)
        except BaseException:
            lock.release()
            raise
        engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool, future=True)

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            mode = conn.info.get("begin", "BEGIN")
            conn.exec_driver_sql(mode)

        return cls(path, engine, lock)

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
            conn.info["begin"] = "BEGIN IMMEDIATE"
            self._depth = 1
            try:
                with conn.begin():
                    yield conn
            except (sa_exc.OperationalError, sqlcipher3.OperationalError) as exc:
                failure = _write_failure(exc)
                if failure is None:
                    raise
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
                tx = conn.begin()
                try:
                    yield conn
                finally:
                    tx.rollback()
            finally:
                self._depth = 0

    def execute_raw(self, sql: str) -> list[Any]:
        """Administrative statements (checkpoint, integrity check) outside a transaction."""
        with self._mutex:
            raw = self.conn.connection.dbapi_connection
            assert raw is not None
            return list(raw.execute(sql).fetchall())

    def checkpoint(self) -> None:
        self.execute_raw("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                try:
                    self.checkpoint()
                finally:
                    self._conn.close()
                    self._conn = None
                    self.engine.dispose()
                    raw = None
                    del raw
            if self._lock.is_locked:
                self._lock.release()


def _write_failure(exc: Exception) -> StoreWriteFailed | None:
    """A disk that is full or failing, from the driver's error (SQLITE_FULL, SQLITE_IOERR); None
    for anything else, which is a fault to report as it is."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "database or disk is full" in text:
        return StoreFull()
    if "disk i/o error" in text:
        return StoreWriteFailed()
    return None
