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
  (``cipher_integrity_check``, then ``integrity_check``) and saying to restore the latest backup.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from filelock import FileLock, Timeout
from sqlalchemy import Connection, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from app.models.errors import (
    StoreCorrupt,
    StoreDamaged,
    StoreFull,
    StoreInUse,
    StoreReadOnly,
    StoreUnreachable,
    StoreWriteFailed,
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
                        if _is_read_only(exc):
                            raise StoreReadOnly() from exc
                        failure = _write_failure(exc)
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


def _is_read_only(exc: BaseException) -> bool:
    """SQLITE_READONLY: the file, its folder or its disk cannot be written."""
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlite_errorcode", None) == 8 or "readonly database" in str(orig).lower()


def is_corruption(exc: BaseException) -> bool:
    """A damaged page or a file that is not (or no longer) this database: SQLITE_CORRUPT (11),
    SQLITE_NOTADB (26), or SQLCipher's HMAC failure."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlite_errorcode", None) in (11, 26):
        return True
    text = str(orig).lower()
    return any(
        m in text for m in ("malformed", "file is not a database", "hmac", "database corrupt")
    )


@dataclass(frozen=True)
class Damage:
    """The first problem found in a store file: the page (1-based; 0 when no page is named),
    the number of pages, the table the page belongs to when known, and what is wrong."""

    page: int
    pages: int
    table: str | None
    problem: str

    def where(self) -> str:
        if self.page <= 0:
            return self.problem
        part = f"page {self.page} of {self.pages}"
        if self.table:
            part += f", in the {_TABLE_WORDS.get(self.table, self.table + ' table')}"
        return f"{part}: {self.problem}"


_TABLE_WORDS = {"audit": "audit log", "meta": "store settings", "op_log": "change log"}
_PAGE = re.compile(r"page (\d+)", re.IGNORECASE)
_TREE_PAGE = re.compile(r"Tree (\d+) page (\d+)")


def corrupt_message(found: Damage | None) -> str:
    where = f" ({found.where()})" if found is not None else ""
    return (
        f"The store file is damaged{where}: nothing was changed. Restore the latest backup "
        "(roundtable restore, or File › Restore in the desktop client)."
    )


def find_damage(
    raw: sqlcipher3.Connection,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Damage | None:
    tell = progress or (lambda step, steps: None)
    page_size = 4096
    size = path.stat().st_size if path.exists() else 0
    on_disk = size // page_size
    tell(0, 3)
    try:
        pages = int(raw.execute("PRAGMA page_count").fetchone()[0])
    except sqlcipher3.DatabaseError:
        pages = on_disk
    if size % page_size:
        return Damage(on_disk + 1, max(pages, on_disk + 1), None, "the file is cut short in this page")
    tell(1, 3)
    try:
        rows = [str(r[0]) for r in raw.execute("PRAGMA cipher_integrity_check").fetchall()]
    except sqlcipher3.DatabaseError as exc:
        rows = [str(exc)]
    bad_hmac = next((r for r in rows if _PAGE.search(r)), None)
    tell(2, 3)
    try:
        checked = raw.execute("PRAGMA integrity_check").fetchall()
        report = "\n".join(str(r[0]) for r in checked)
    except sqlcipher3.DatabaseError as exc:
        report = str(exc)
    tell(3, 3)
    if bad_hmac is not None:
        page = int(_PAGE.search(bad_hmac).group(1))  # type: ignore[union-attr]
        if page > on_disk:
            return Damage(page, pages, None, "the file is cut short before this page")
        return Damage(page, pages, _table_of(raw, report, page), "it fails its integrity check")
    if any(r.strip() for r in rows):
        return Damage(0, pages, None, rows[0])
    if report.strip() == "ok":
        return None
    m = _PAGE.search(report)
    page = int(m.group(1)) if m else 0
    return Damage(page, pages, _table_of(raw, report, page), "its structure is not valid")


def _table_of(raw: sqlcipher3.Connection, report: str, page: int) -> str | None:
    """The table whose tree holds ``page``, from SQLite's report and the schema (if readable)."""
    roots = {int(p): int(r) for r, p in _TREE_PAGE.findall(report)}
    root = roots.get(page)
    if root is None:
        return None
    try:
        row = raw.execute(
            "SELECT tbl_name FROM sqlite_master WHERE rootpage = ?", (root,)
        ).fetchone()
    except sqlcipher3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _write_failure(exc: Exception) -> StoreWriteFailed | None:
    """A disk that is full or failing, from the driver's error (SQLITE_FULL, SQLITE_IOERR); None
    for anything else, which is a fault to report as it is."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "database or disk is full" in text:
        return StoreFull()
    if "disk i/o error" in text:
        return StoreWriteFailed()
    return None
