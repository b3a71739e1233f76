"""The key file beside the store: the random data key of the SQLCipher database, wrapped.

Job: create, read, unlock and rewrap the small JSON key file that holds the store's 256-bit data
key wrapped (ChaCha20-Poly1305) under a passphrase (Argon2id), a recovery key (160 random bits,
HKDF) and, where policy allows, a secret held in the operating-system keyring (HKDF). The pieces
live beside it: ``kdf`` (Argon2id cost, caps and floor), ``recovery_key`` (the written-down key)
and ``keyfile_slots`` (one wrapping of the data key, and the strict JSON field readers).

Invariants:
- The data key is never written in the clear; the key file alone never opens the store.
- Every slot uses a fresh random salt, hence a fresh wrapping key, for every wrap; the AEAD
  associated data binds the format version, the store id and the slot name, so a slot cannot be
  moved to another store or another slot.
- ``key_check`` (HMAC of a fixed string under the data key) lets a rewrap refuse a wrong data key
  and lets an unlock notice a key file whose slots disagree. It reveals nothing about the key.
- ``from_bytes`` refuses anything malformed with ``KeyFileDamaged`` and caps the Argon2 cost so a
  planted key file cannot exhaust memory or time.
- An AEAD tag failure on the passphrase slot is ``WrongPassphrase`` (a tampered salt or slot looks
  the same, by design: without the secret nobody can tell them apart).
- No secret ever appears in an exception message, a log line or a ``repr``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.crypto.fields import b64
from app.crypto.kdf import KdfParams, require_floor
from app.crypto.keyfile_slots import (
    DATA_KEY_BYTES,
    FORMAT_VERSION,
    KEY_CHECK_BYTES,
    KEYRING_SECRET_BYTES,
    SALT_BYTES,
    SLOT_KEYRING,
    SLOT_PASSPHRASE,
    SLOT_RECOVERY,
    Slot,
    b64_value,
    check_data_key,
    json_int,
    json_object,
    key_check_for,
    open_hkdf,
    open_passphrase,
    slot_from_json,
    slot_to_json,
    wrap_hkdf,
    wrap_passphrase,
)
from app.crypto.recovery_key import normalise_recovery_key
from app.models.errors import (
    InvalidInput,
    KeyFileDamaged,
    KeyFileTooWeak,
    KeyringUnavailable,
    StoreTooNew,
    WrongPassphrase,
    WrongRecoveryKey,
)

KEY_FILE_TYPE = "roundtable-key-file"
MAX_KEY_FILE_BYTES = 16 * 1024


# --- secrets -------------------------------------------------------------------------------------
def generate_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def generate_keyring_secret() -> bytes:
    """A fresh random 256-bit secret to keep in the OS keyring ("remember on this workstation")."""
    return secrets.token_bytes(KEYRING_SECRET_BYTES)


def data_key_to_sqlcipher_hex(data_key: bytes) -> str:
    """The 64 hexadecimal characters of the raw key; storage builds ``PRAGMA key`` from them."""
    check_data_key(data_key)
    return data_key.hex()


def _check_store_id(store_id: object) -> str:
    if (
        not isinstance(store_id, str)
        or not 1 <= len(store_id) <= 128
        or not store_id.isprintable()
        or store_id != store_id.strip()
    ):
        raise ValueError("store id must be 1-128 printable characters")
    return store_id


# --- the key file --------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFile:
    """The parsed key file. Immutable: every change returns a new ``KeyFile``."""

    store_id: str
    kdf: KdfParams
    passphrase_slot: Slot
    recovery_slot: Slot
    key_check: bytes
    keyring_slot: Slot | None = None
    version: int = FORMAT_VERSION

    # construction ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        *,
        data_key: bytes,
        passphrase: str,
        recovery_key: str,
        store_id: str,
        kdf: KdfParams,
    ) -> KeyFile:
        """Wrap ``data_key`` under the passphrase and the recovery key (from
        ``generate_recovery_key``)."""
        check_data_key(data_key)
        _check_store_id(store_id)
        kdf.validate()
        require_floor(kdf)
        recovery = normalise_recovery_key(recovery_key)
        return cls(
            store_id=store_id,
            kdf=kdf,
            passphrase_slot=wrap_passphrase(data_key, passphrase, kdf, store_id),
            recovery_slot=wrap_hkdf(SLOT_RECOVERY, data_key, recovery, store_id),
            key_check=key_check_for(data_key, store_id),
        )

    # serialisation ----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        slots: dict[str, dict[str, str]] = {
            SLOT_PASSPHRASE: {  # its Argon2 salt is the top-level "salt"
                "nonce": b64(self.passphrase_slot.nonce),
                "ct": b64(self.passphrase_slot.ciphertext),
            },
            SLOT_RECOVERY: slot_to_json(self.recovery_slot),
        }
        if self.keyring_slot is not None:
            slots[SLOT_KEYRING] = slot_to_json(self.keyring_slot)
        doc = {
            "type": KEY_FILE_TYPE,
            "version": self.version,
            "store_id": self.store_id,
            "kdf": {
                "algorithm": "argon2id",
                "time_cost": self.kdf.time_cost,
                "memory_kib": self.kdf.memory_kib,
                "parallelism": self.kdf.parallelism,
            },
            "salt": b64(self.passphrase_slot.salt),
            "key_check": b64(self.key_check),
            "slots": slots,
        }
        return canonical_dumps(doc) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        """Parse a key file; anything malformed raises ``KeyFileDamaged``."""
        if not isinstance(data, bytes) or len(data) > MAX_KEY_FILE_BYTES:
            raise KeyFileDamaged(details="key file too large")
        try:
            doc = strict_loads(data, Caps(max_bytes=MAX_KEY_FILE_BYTES, max_depth=4, max_str=512))
        except CanonicalError as exc:
            raise KeyFileDamaged(details=f"key file is not valid JSON ({exc})") from exc
        top = json_object(
            doc,
            {"type", "version", "store_id", "kdf", "salt", "key_check", "slots"},
            "key file",
        )
        if top["type"] != KEY_FILE_TYPE:
            raise KeyFileDamaged(details="not a Roundtable key file")
        version = json_int(top["version"], "version")
        if version > FORMAT_VERSION:
            raise StoreTooNew(
                "The key file was written by a newer version of Roundtable. Update Roundtable."
            )
        if version != FORMAT_VERSION:
            raise KeyFileDamaged(details="unknown key file version")
        try:
            store_id = _check_store_id(top["store_id"])
        except ValueError as exc:
            raise KeyFileDamaged(details="bad store id") from exc
        kdf_obj = json_object(top["kdf"], {"algorithm", "time_cost", "memory_kib", "parallelism"}, "kdf")
        if kdf_obj["algorithm"] != "argon2id":
            raise KeyFileDamaged(details="unknown key derivation")
        kdf = KdfParams(
            time_cost=json_int(kdf_obj["time_cost"], "time_cost"),
            memory_kib=json_int(kdf_obj["memory_kib"], "memory_kib"),
            parallelism=json_int(kdf_obj["parallelism"], "parallelism"),
        )
        try:
            kdf.validate()
        except ValueError as exc:
            raise KeyFileDamaged(details=f"key derivation parameters refused ({exc})") from exc
        salt = b64_value(top["salt"], SALT_BYTES, "salt")
        check = b64_value(top["key_check"], KEY_CHECK_BYTES, "key_check")
        slots = json_object(
            top["slots"],
            {SLOT_PASSPHRASE, SLOT_RECOVERY},
            "slots",
            optional=frozenset({SLOT_KEYRING}),
        )
        passphrase_slot = slot_from_json(slots[SLOT_PASSPHRASE], SLOT_PASSPHRASE, salt=salt)
        keyring_slot = (
            slot_from_json(slots[SLOT_KEYRING], SLOT_KEYRING) if SLOT_KEYRING in slots else None
        )
        return cls(
            store_id=store_id,
            kdf=kdf,
            passphrase_slot=passphrase_slot,
            recovery_slot=slot_from_json(slots[SLOT_RECOVERY], SLOT_RECOVERY),
            key_check=check,
            keyring_slot=keyring_slot,
        )

    # unlocking --------------------------------------------------------------------------------
    def _require_strong(self) -> None:
        if not self.kdf.meets_floor():
            raise KeyFileTooWeak(
                details=f"argon2id t={self.kdf.time_cost} m={self.kdf.memory_kib} KiB"
            )

    def _checked(self, data_key: bytes) -> bytes:
        if not hmac.compare_digest(key_check_for(data_key, self.store_id), self.key_check):
            raise KeyFileDamaged(details="slots disagree with the key check")
        return data_key

    def unlock_with_passphrase(self, passphrase: str) -> bytes:
        """The data key, or ``WrongPassphrase``."""
        self._require_strong()
        if not isinstance(passphrase, str) or not passphrase:
            raise WrongPassphrase()
        data_key = open_passphrase(self.passphrase_slot, passphrase, self.kdf, self.store_id)
        if data_key is None:
            raise WrongPassphrase()
        return self._checked(data_key)

    def unlock_with_recovery(self, text: str) -> bytes:
        """The data key, or ``WrongRecoveryKey`` (also for text that is not a recovery key)."""
        self._require_strong()
        recovery = normalise_recovery_key(text)
        data_key = open_hkdf(SLOT_RECOVERY, self.recovery_slot, recovery, self.store_id)
        if data_key is None:
            raise WrongRecoveryKey()
        return self._checked(data_key)

    def unlock_with_keyring_secret(self, secret: bytes) -> bytes:
        """The data key, or ``KeyringUnavailable`` when there is no keyring slot or the remembered
        secret no longer matches (the caller then asks for the passphrase)."""
        self._require_strong()
        if self.keyring_slot is None:
            raise KeyringUnavailable("This store is not remembered on this workstation.")
        if not isinstance(secret, bytes) or len(secret) != KEYRING_SECRET_BYTES:
            raise KeyringUnavailable("The key remembered on this workstation is damaged.")
        data_key = open_hkdf(SLOT_KEYRING, self.keyring_slot, secret, self.store_id)
        if data_key is None:
            raise KeyringUnavailable(
                "The key remembered on this workstation no longer matches this store. "
                "Unlock with the passphrase."
            )
        return self._checked(data_key)

    # rewrapping -------------------------------------------------------------------------------
    def _require_key(self, data_key: bytes) -> None:
        check_data_key(data_key)
        if not hmac.compare_digest(key_check_for(data_key, self.store_id), self.key_check):
            raise InvalidInput("That key does not belong to this store.")

    def with_passphrase(self, data_key: bytes, new_passphrase: str, kdf: KdfParams) -> KeyFile:
        """A copy with the passphrase slot rewrapped (new salt, possibly new cost)."""
        self._require_key(data_key)
        kdf.validate()
        require_floor(kdf)
        slot = wrap_passphrase(data_key, new_passphrase, kdf, self.store_id)
        return replace(self, kdf=kdf, passphrase_slot=slot)

    def with_keyring_slot(self, data_key: bytes, secret: bytes) -> KeyFile:
        """A copy with a keyring slot wrapping ``data_key`` under ``secret`` (32 bytes)."""
        self._require_key(data_key)
        if not isinstance(secret, bytes) or len(secret) != KEYRING_SECRET_BYTES:
            raise ValueError("the keyring secret must be 32 bytes")
        slot = wrap_hkdf(SLOT_KEYRING, data_key, secret, self.store_id)
        return replace(self, keyring_slot=slot)

    def without_keyring_slot(self) -> KeyFile:
        return replace(self, keyring_slot=None)

    @property
    def has_keyring_slot(self) -> bool:
        return self.keyring_slot is not None
