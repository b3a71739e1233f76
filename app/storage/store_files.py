"""A store's files on disk, and what can be known of them before it is unlocked.

Files: ``<name>.rtdb`` (SQLCipher, WAL), ``<name>.rtkey`` (the key file) and ``<name>.rtstate``
(non-secret: store id, the file's salt and length, failed unlock attempts; see ``UnlockState``),
plus SQLite's ``-wal``/``-shm`` and the lock file beside the store (``sidecars``).

Job: name those files, keep ``<name>.rtstate`` up to date (failed unlocks, the file's length as
closed, the salt as last unlocked) and, when a key does not open the file, tell why as far as the
state allows (``open_failure``: cut short, another store's key file, another store's database).
``app.storage.store`` opens and closes the store itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.crypto.keyfile import KeyFile
from app.models.errors import StoreDamaged
from app.storage.db import lock_path
from app.storage.files import write_file_atomic


def key_path(store_path: Path) -> Path:
    return store_path.with_suffix(".rtkey")


def state_path(store_path: Path) -> Path:
    """``<name>.rtstate``: a small, non-secret file beside the key file (see ``UnlockState``)."""
    return store_path.with_suffix(".rtstate")


PAGE_SIZE = 4096
_SALT_BYTES = 16  # SQLCipher's per-file salt: the first 16 bytes of the file, not encrypted


@dataclass(frozen=True)
class UnlockState:
    """What can be known about a store before it is unlocked, kept beside its key file in
    ``<name>.rtstate`` (canonical JSON, 0600). It holds no case data and no secret: the store id
    (also in the key file, in clear), the database file's salt (its first 16 bytes, in clear on
    disk) as of the last unlock, and failed unlock attempts since then (count, first and last
    time). The store cannot hold the count: it cannot be written before it is unlocked.

    ``mark`` (random, new at every recorded unlock, also kept inside the store) and
    ``attempts_total`` (every failed attempt ever counted here, never reset; the store keeps its
    value as of the last unlock) let the next unlock notice the file was deleted, replaced, put
    back to an older copy or its count edited (services/setup.py, docs/store.md)."""

    store_id: str = ""
    db_salt: str = ""
    failed: int = 0
    failed_since: str = ""
    failed_last: str = ""
    pages: int = 0  # the file's length in pages when last unlocked or closed (it never shrinks)
    mark: str = ""
    attempts_total: int = 0

    @staticmethod
    def read(store_path: Path) -> UnlockState:
        import json

        try:
            raw = state_path(store_path).read_bytes()
            if len(raw) > 4096:
                return UnlockState()
            doc = json.loads(raw)
            return UnlockState(
                store_id=str(doc.get("store_id", ""))[:64],
                db_salt=str(doc.get("db_salt", ""))[:64],
                failed=max(0, int(doc.get("failed", 0))),
                failed_since=str(doc.get("failed_since", ""))[:40],
                failed_last=str(doc.get("failed_last", ""))[:40],
                pages=max(0, int(doc.get("pages", 0))),
                mark=str(doc.get("mark", ""))[:64],
                attempts_total=max(0, int(doc.get("attempts_total", 0))),
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return UnlockState()

    def write(self, store_path: Path) -> None:
        """Best effort: a store on a read-only disk still opens (and counts nothing)."""
        import json
        from dataclasses import asdict

        from app.models.errors import FileWriteError

        data = json.dumps(asdict(self), sort_keys=True).encode("utf-8")
        with contextlib.suppress(OSError, FileWriteError):
            write_file_atomic(state_path(store_path), data)


def db_salt(store_path: Path) -> str:
    try:
        with open(store_path, "rb") as f:
            return f.read(_SALT_BYTES).hex()
    except OSError:
        return ""


def note_failed_unlock(store_path: Path) -> None:
    """Count a wrong passphrase or recovery key (kept until the next successful unlock)."""
    import datetime as dt

    now = dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds")
    st = UnlockState.read(store_path)
    UnlockState(
        st.store_id, st.db_salt, st.failed + 1, st.failed_since or now, now, st.pages, st.mark,
        st.attempts_total + 1,
    ).write(store_path)


def _pages(store_path: Path) -> int:
    try:
        return store_path.stat().st_size // PAGE_SIZE
    except OSError:
        return 0


def note_closed(store_path: Path, store_id: str) -> None:
    """Keep the file's length as it is closed, so a file cut short later is told as such."""
    st = UnlockState.read(store_path)
    pages = _pages(store_path)
    if st.store_id == store_id and pages and pages != st.pages:
        UnlockState(
            st.store_id, st.db_salt, st.failed, st.failed_since, st.failed_last, pages, st.mark,
            st.attempts_total,
        ).write(store_path)


def note_unlocked(
    store_path: Path, store_id: str, *, mark: str | None = None, attempts_total: int | None = None
) -> tuple[int, str]:
    """Record this store's id and file salt after a successful unlock and reset the count (the
    running total stays); ``mark``: the new mark, also kept in the store. Returns the failed
    attempts since the last unlock (count, time of the first)."""
    st = UnlockState.read(store_path)
    fresh = UnlockState(store_id, db_salt(store_path), pages=_pages(store_path),
                        mark=st.mark if mark is None else mark,
                        attempts_total=st.attempts_total if attempts_total is None else attempts_total)
    if fresh != st:
        fresh.write(store_path)
    return st.failed, st.failed_since


def open_failure(path: Path, keyfile: KeyFile) -> StoreDamaged:
    """Why the data key from this key file does not open this file, as far as can be told."""
    restore = "Nothing was changed. Restore the latest backup, or put back the right file."
    size = path.stat().st_size
    if size % PAGE_SIZE:
        return StoreDamaged(
            f"The store file is cut short (it ends part way through page {size // PAGE_SIZE + 1})."
            f" {restore}"
        )
    st = UnlockState.read(path)
    salt = db_salt(path)
    if st.db_salt == salt and size // PAGE_SIZE < st.pages:
        return StoreDamaged(
            f"The store file is cut short: it holds {size // PAGE_SIZE} pages of the "
            f"{st.pages} it had when it was last closed. {restore}"
        )
    same_key_file = bool(st.store_id) and st.store_id == keyfile.store_id
    same_db = bool(st.db_salt) and st.db_salt == salt
    if st.store_id and not same_key_file and same_db:
        return StoreDamaged(
            f"This key file belongs to another store (store id {keyfile.store_id[:8]}…, this "
            f"store file was last opened as {st.store_id[:8]}…). Put back the key file that "
            "belongs to the store file."
        )
    if same_key_file and st.db_salt and not same_db:
        return StoreDamaged(
            "The store file is another store's database, not the one this key file belongs to "
            f"(store id {keyfile.store_id[:8]}…). {restore}"
        )
    if same_key_file and same_db:
        return StoreDamaged(f"The first page of the store file is damaged. {restore}")
    return StoreDamaged(
        "The store file cannot be read with this key file: either the file is damaged or the "
        f"two do not belong together. {restore}"
    )


def sidecars(path: Path) -> list[Path]:
    return [
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        lock_path(path),
    ]


def remove_store_files(path: Path) -> None:
    """Remove a store that could not be made whole (its file, key file and sidecars), best effort."""
    for p in (path, key_path(path), *sidecars(path)):
        with contextlib.suppress(OSError):
            p.unlink()


@contextlib.contextmanager
def counting_failure(path: Path, wrong: tuple[type[Exception], ...]) -> Iterator[None]:
    """Count an unlock that fails with one of ``wrong`` (a wrong passphrase or recovery key) in
    ``<name>.rtstate``, then let the error go on; ``()`` counts nothing."""
    try:
        yield
    except wrong:
        note_failed_unlock(Path(path).expanduser().absolute())
        raise
