"""An encrypted store on disk: the SQLCipher file and its key file, created, opened and closed.

The files beside the store and what is known of them before it is unlocked (``<name>.rtkey``,
``<name>.rtstate``) are ``app.storage.store_files``. Invariants:
- The data key lives in memory only while the store is open; ``close`` drops it.
- A new store's files are created 0600 in a 0700 folder; the key file is written atomically.
- A path that is a folder, an empty file or one shorter than a page is refused before SQLCipher
  touches it (never written); a file the key does not open is told apart (cut short, another
  store's key file, another store's database) as far as ``<name>.rtstate`` allows.
- A store whose file or folder cannot be written opens read-only (changes refused).
- Opening runs pending migrations after taking an encrypted backup beside the store; a store from
  a newer Roundtable is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.crypto.identity import DeviceKeys
from app.crypto.keyfile import KdfParams, KeyFile, data_key_to_sqlcipher_hex, generate_data_key
from app.crypto.recovery_key import generate_recovery_key as _new_recovery_key
from app.models.errors import (
    InvalidInput,
    KeyFileDamaged,
    StoreDamaged,
    StoreExists,
    StoreMissing,
    StoreReadOnly,
    StoreUnreachable,
    WrongPassphrase,
    WrongRecoveryKey,
)
from app.models.ids import new_id
from app.storage import meta as meta_store
from app.storage import migrate
from app.storage.db import Database
from app.storage.files import ensure_private_dir, write_file_atomic
from app.storage.schema import secret
from app.storage.store_files import (
    PAGE_SIZE,
    counting_failure,
    key_path,
    note_closed,
    open_failure,
    remove_store_files,
)

BACKUP_MAGIC = b"RTBACKUP"
BACKUP_VERSION = 1


@dataclass
class Store:
    path: Path
    db: Database
    keyfile: KeyFile
    _data_key: bytearray = field(repr=False)

    # --- creation --------------------------------------------------------------------------------
    @classmethod
    def create(
        cls, path: Path, *, passphrase: str, kdf: KdfParams | None = None
    ) -> tuple[Store, str]:
        """Create an empty, migrated store. Returns the store and the recovery key (show it once)."""
        path = Path(path).expanduser().absolute()
        if path.exists() or key_path(path).exists():
            raise StoreExists(f"A store already exists at {path}.")
        if len(passphrase) < 8:
            raise InvalidInput("The passphrase must be at least 8 characters long.")
        ensure_private_dir(path.parent)
        data_key = generate_data_key()
        recovery = _new_recovery_key()
        store_id = new_id()
        keyfile = KeyFile.create(
            data_key=data_key,
            passphrase=passphrase,
            recovery_key=recovery,
            store_id=store_id,
            kdf=kdf or KdfParams.default(),
        )
        write_file_atomic(key_path(path), keyfile.to_bytes())
        # Create the database file 0600 before SQLCipher opens it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            db = Database.open(path, data_key_to_sqlcipher_hex(data_key))
            with db.write() as conn:
                migrate.upgrade(conn)
                meta_store.put(conn, "store_id", store_id)
                meta_store.put(conn, "epoch", "0")
        except BaseException:
            remove_store_files(path)
            raise
        return cls(path, db, keyfile, bytearray(data_key)), recovery

    # --- opening ---------------------------------------------------------------------------------
    @staticmethod
    def read_keyfile(path: Path) -> KeyFile:
        path = Path(path).expanduser().absolute()
        _stat_store(
            path,
            "The store at {path} cannot be reached ({reason}): check that its disk is there and "
            "that you may open its folder.",
        )
        kp = key_path(path)
        try:
            data = kp.read_bytes()
        except FileNotFoundError as exc:
            raise KeyFileDamaged(f"The key file {kp.name} beside the store is missing.") from exc
        except IsADirectoryError as exc:
            raise KeyFileDamaged(f"The key file {kp.name} beside the store is a folder.") from exc
        except OSError as exc:
            raise StoreUnreachable(
                f"The key file {kp.name} beside the store cannot be read ({exc.strerror})."
            ) from exc
        return KeyFile.from_bytes(data)

    @classmethod
    def open_with_passphrase(
        cls, path: Path, passphrase: str, *, migrate_now: bool = True
    ) -> Store:
        return cls._unlock(
            path, lambda k: k.unlock_with_passphrase(passphrase), (WrongPassphrase,), migrate_now
        )

    @classmethod
    def open_with_recovery_key(cls, path: Path, recovery: str) -> Store:
        return cls._unlock(path, lambda k: k.unlock_with_recovery(recovery), (WrongRecoveryKey,))

    @classmethod
    def open_with_keyring_secret(cls, path: Path, secret_bytes: bytes) -> Store:
        return cls._unlock(path, lambda k: k.unlock_with_keyring_secret(secret_bytes))

    @classmethod
    def _unlock(
        cls,
        path: Path,
        unlock: Callable[[KeyFile], bytes],
        counted: tuple[type[Exception], ...] = (),
        migrate_now: bool = True,
    ) -> Store:
        """Read the key file beside ``path``, take the data key out of it with ``unlock`` (an
        error in ``counted`` is a failed attempt, noted in ``<name>.rtstate``) and open."""
        keyfile = cls.read_keyfile(path)
        with counting_failure(path, counted):
            data_key = unlock(keyfile)
        return cls._open(Path(path), keyfile, data_key, migrate_now)

    @classmethod
    def _open(cls, path: Path, keyfile: KeyFile, data_key: bytes, migrate_now: bool) -> Store:
        path = path.expanduser().absolute()
        _check_store_file(path)
        read_only = not _writable(path)
        try:
            db = Database.open(path, data_key_to_sqlcipher_hex(data_key), read_only=read_only)
        except StoreDamaged as exc:
            if exc.user_message != StoreDamaged.default_message:
                raise
            raise open_failure(path, keyfile) from exc
        store = cls(path, db, keyfile, bytearray(data_key))
        try:
            with db.read() as conn:
                stored_id = meta_store.get(conn, "store_id") if _has_meta(conn) else None
                pending = migrate.needs_upgrade(conn)
            if stored_id is not None and stored_id != keyfile.store_id:
                raise StoreDamaged("The key file belongs to a different store.")
            if pending and migrate_now and read_only:
                raise StoreReadOnly(
                    "This store needs an upgrade to this version of Roundtable, and its disk, "
                    "folder or file is read-only: nothing was changed. Open it where it can be "
                    "written."
                )
            if pending and migrate_now:
                if stored_id is not None:
                    store.backup(path.with_name(path.stem + ".pre-upgrade.rtbackup"))
                with db.write() as conn:
                    migrate.upgrade(conn)
        except BaseException:
            store.close()
            raise
        return store

    # --- keys ------------------------------------------------------------------------------------
    @property
    def data_key(self) -> bytes:
        if not self._data_key:
            raise StoreDamaged("The store is locked.")
        return bytes(self._data_key)

    @property
    def store_id(self) -> str:
        return self.keyfile.store_id

    def _save_keyfile(self, keyfile: KeyFile) -> None:
        write_file_atomic(key_path(self.path), keyfile.to_bytes())
        self.keyfile = keyfile

    def change_passphrase(self, new_passphrase: str, kdf: KdfParams | None = None) -> None:
        """Rewrap the data key under a new passphrase; the database is not re-encrypted."""
        if len(new_passphrase) < 8:
            raise InvalidInput("The new passphrase must be at least 8 characters long.")
        params = kdf or self.keyfile.kdf
        self._save_keyfile(self.keyfile.with_passphrase(self.data_key, new_passphrase, params))

    def add_keyring_slot(self, secret_bytes: bytes) -> None:
        self._save_keyfile(self.keyfile.with_keyring_slot(self.data_key, secret_bytes))

    def remove_keyring_slot(self) -> None:
        self._save_keyfile(self.keyfile.without_keyring_slot())

    # --- device secrets (inside the encrypted store) ----------------------------------------------
    def save_device_keys(self, keys: DeviceKeys) -> None:
        with self.db.write() as conn:
            conn.execute(
                secret.insert().prefix_with("OR REPLACE"),
                {"name": "device_keys", "value": keys.private_bytes()},
            )

    def device_keys(self) -> DeviceKeys:
        with self.db.read() as conn:
            row = conn.execute(secret.select().where(secret.c.name == "device_keys")).first()
        if row is None:
            raise StoreDamaged("This store has no workstation identity.")
        return DeviceKeys.from_private_bytes(bytes(row.value))

    # --- backup ----------------------------------------------------------------------------------
    def backup(self, out: Path) -> Path:
        """An encrypted copy of the store with its key file, written through the safe-file helper."""
        out = Path(out).expanduser().absolute()
        if not out.parent.is_dir():
            from app.models.errors import FileWriteError

            raise FileWriteError(f"The folder {out.parent} does not exist.")
        staging = out.parent / f".{out.name}.{new_id()[:8]}.vacuum"
        try:
            # VACUUM INTO writes an encrypted copy under the same data key; the path is ours.
            self.db.checkpoint()
            self.db.execute_raw("VACUUM INTO '" + str(staging).replace("'", "''") + "'")
            with contextlib.suppress(OSError):
                os.chmod(staging, 0o600)
            db_bytes = staging.read_bytes()
        finally:
            with contextlib.suppress(OSError):
                staging.unlink()
        key_bytes = self.keyfile.to_bytes()
        blob = (
            BACKUP_MAGIC + struct.pack(">HI", BACKUP_VERSION, len(key_bytes)) + key_bytes + db_bytes
        )
        return write_file_atomic(out, blob)

    @staticmethod
    def restore(backup_file: Path, target: Path, passphrase: str) -> Store:
        """Restore a backup into a new location; the restored store starts a new epoch."""
        target = Path(target).expanduser().absolute()
        if target.exists() or key_path(target).exists():
            raise StoreExists(f"A store already exists at {target}; restore into a new location.")
        try:
            data = Path(backup_file).read_bytes()
        except OSError as exc:
            raise InvalidInput("The backup file could not be read.") from exc
        head = len(BACKUP_MAGIC) + 6
        if len(data) < head or not data.startswith(BACKUP_MAGIC):
            raise InvalidInput("That file is not a Roundtable backup.")
        version, key_len = struct.unpack(">HI", data[len(BACKUP_MAGIC) : head])
        if version != BACKUP_VERSION or key_len > 64 * 1024 or head + key_len >= len(data):
            raise InvalidInput("The backup file is damaged or from an unknown version.")
        keyfile = KeyFile.from_bytes(data[head : head + key_len])
        data_key = keyfile.unlock_with_passphrase(passphrase)  # before writing anything
        ensure_private_dir(target.parent)
        write_file_atomic(target, data[head + key_len :])
        write_file_atomic(key_path(target), keyfile.to_bytes())
        try:
            store = Store._open(target, keyfile, data_key, True)
            with store.db.write() as conn:
                epoch = meta_store.get_int(conn, "epoch") + 1
                meta_store.put(conn, "epoch", str(epoch))
                meta_store.put(conn, "op_counter", "0")
        except BaseException:
            remove_store_files(target)
            raise
        return store

    # --- closing ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the database and drop the key from memory (best effort in Python)."""
        was_open = self.db._conn is not None and not self.db.read_only
        try:
            self.db.close()
            if was_open:
                note_closed(self.path, self.keyfile.store_id)
        finally:
            for i in range(len(self._data_key)):
                self._data_key[i] = 0
            self._data_key = bytearray()

    @property
    def is_open(self) -> bool:
        return bool(self._data_key)


def _writable(path: Path) -> bool:
    """Whether the store file and its folder can be written (False on a read-only disk: EROFS
    applies to every user; for a read-only file or folder, to all but the superuser)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _stat_store(path: Path, unreachable: str) -> os.stat_result:
    """The store file's status: ``StoreMissing`` when there is none, ``StoreUnreachable`` with
    ``unreachable`` (``{path}``, ``{reason}``: the system's) when it cannot be looked at."""
    try:
        return path.stat()
    except FileNotFoundError as exc:
        raise StoreMissing(f"There is no store at {path}.") from exc
    except OSError as exc:
        raise StoreUnreachable(unreachable.format(path=path, reason=exc.strerror)) from exc


def _check_store_file(path: Path) -> None:
    """Refuse, before SQLCipher touches it, a store path that is not a regular file, or a file
    that cannot be a store (empty, or shorter than one page): neither is ever written to."""
    import stat

    st = _stat_store(path, "The store file {path} cannot be read ({reason}).")
    if stat.S_ISDIR(st.st_mode):
        raise StoreDamaged(f"The store path {path} is a folder, not a store file.")
    if not stat.S_ISREG(st.st_mode):
        raise StoreDamaged(f"The store path {path} is not a regular file.")
    if st.st_size == 0:
        raise StoreDamaged(
            f"The store file {path.name} is empty (0 bytes): it was not changed. "
            "Restore the latest backup."
        )
    if st.st_size < PAGE_SIZE:
        raise StoreDamaged(
            f"The store file {path.name} is cut short ({st.st_size} bytes): it was not changed. "
            "Restore the latest backup."
        )


def _has_meta(conn: object) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(conn).has_table("meta"))
