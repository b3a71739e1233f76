"""The key file beside the store: the random data key of the SQLCipher database, wrapped.

Job: create, read, unlock and rewrap the small JSON key file that holds the store's 256-bit data
key wrapped (ChaCha20-Poly1305) under a passphrase (Argon2id), a recovery key (160 random bits,
HKDF) and, where policy allows, a secret held in the operating-system keyring (HKDF).

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

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.models.errors import (
    InvalidInput,
    KeyFileDamaged,
    KeyFileTooWeak,
    KeyringUnavailable,
    StoreTooNew,
    WrongPassphrase,
    WrongRecoveryKey,
)

FORMAT_VERSION = 1
KEY_FILE_TYPE = "roundtable-key-file"
DATA_KEY_BYTES = 32
RECOVERY_KEY_BYTES = 20  # 160 bits -> 32 Crockford base32 characters
KEYRING_SECRET_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_CHECK_BYTES = 32
MAX_KEY_FILE_BYTES = 16 * 1024

# Caps on the Argon2id cost read from a key file (denial of service by a planted file).
MAX_TIME_COST = 16
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_PARALLELISM = 16
MIN_MEMORY_KIB_PER_LANE = 8  # Argon2's own minimum is 8 KiB per lane

# The floor (docs/crypto.md, "Argon2id floor"): a key file whose passphrase slot costs less than
# this is neither made nor unlocked. OWASP's minimum for Argon2id is m = 19 MiB, t = 2, p = 1.
# The test suite lowers it in its own process (tests/support/kdf.py); nothing in the product does.
KDF_FLOOR_TIME_COST = 2
KDF_FLOOR_MEMORY_KIB = 19 * 1024

SLOT_PASSPHRASE = "passphrase"  # noqa: S105 - a slot name, not a secret
SLOT_RECOVERY = "recovery"
SLOT_KEYRING = "keyring"

_AAD_PREFIX = b"roundtable/keyfile/slot/v1\x00"
_CHECK_PREFIX = b"roundtable/keyfile/key-check/v1\x00"
_HKDF_INFO = {
    SLOT_RECOVERY: b"roundtable/keyfile/recovery/v1\x00",
    SLOT_KEYRING: b"roundtable/keyfile/keyring/v1\x00",
}

# Crockford base32: no I, L, O, U; I/L read as 1 and O as 0 when parsing.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_DECODE = {ch: i for i, ch in enumerate(_CROCKFORD)} | {"I": 1, "L": 1, "O": 0}
RECOVERY_GROUP = 4


# --- parameters ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. ``default()`` takes about half a second on a two-core workstation."""

    time_cost: int
    memory_kib: int
    parallelism: int

    @classmethod
    def default(cls) -> KdfParams:
        # Measured on a 2-core AMD EPYC VM: t=3, m=256 MiB, p=2 -> 0.47-0.52 s. Memory-hardness is
        # what hurts a GPU attacker most, so we spend the budget on memory (256 MiB is well within
        # what a panel workstation has free) and keep three passes (RFC 9106 recommends t>=3 at
        # this size when 2 GiB is not affordable).
        return cls(time_cost=3, memory_kib=256 * 1024, parallelism=2)

    @classmethod
    def floor(cls) -> KdfParams:
        """The cheapest setting the product accepts (``KDF_FLOOR_*``): for tools that make
        throw-away stores (screenshots, benchmarks), never for a store that holds cases."""
        return cls(time_cost=KDF_FLOOR_TIME_COST, memory_kib=KDF_FLOOR_MEMORY_KIB, parallelism=1)

    @classmethod
    def cheap(cls) -> KdfParams:
        """For tests only: the smallest cost Argon2id allows, below the floor, so the product
        refuses it unless a test has lowered ``KDF_FLOOR_*`` in its own process."""
        return cls(time_cost=1, memory_kib=8, parallelism=1)

    def meets_floor(self) -> bool:
        """At least the floor's time cost and memory (``KDF_FLOOR_*``, read at each call)."""
        return self.time_cost >= KDF_FLOOR_TIME_COST and self.memory_kib >= KDF_FLOOR_MEMORY_KIB

    def validate(self) -> None:
        """Raise ``ValueError`` when the parameters are outside the accepted range."""
        for value in (self.time_cost, self.memory_kib, self.parallelism):
            if type(value) is not int:
                raise ValueError("Argon2 parameters must be integers")
        if not 1 <= self.time_cost <= MAX_TIME_COST:
            raise ValueError("Argon2 time cost out of range")
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ValueError("Argon2 parallelism out of range")
        if not MIN_MEMORY_KIB_PER_LANE * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("Argon2 memory out of range")


def _require_floor(kdf: KdfParams) -> None:
    if not kdf.meets_floor():
        raise InvalidInput(
            "Those key-derivation settings are below Roundtable's minimum "
            f"(Argon2id time cost {KDF_FLOOR_TIME_COST}, memory {KDF_FLOOR_MEMORY_KIB // 1024} MiB)."
        )


# --- secrets -------------------------------------------------------------------------------------
def generate_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def generate_keyring_secret() -> bytes:
    """A fresh random 256-bit secret to keep in the OS keyring ("remember on this workstation")."""
    return secrets.token_bytes(KEYRING_SECRET_BYTES)


def _encode_crockford(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = len(raw) * 8 // 5
    return "".join(_CROCKFORD[(number >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def generate_recovery_key() -> str:
    """160 random bits as 32 Crockford base32 characters in groups of four: ``ABCD-EFGH-...``."""
    text = _encode_crockford(secrets.token_bytes(RECOVERY_KEY_BYTES))
    return "-".join(text[i : i + RECOVERY_GROUP] for i in range(0, len(text), RECOVERY_GROUP))


def normalise_recovery_key(text: str) -> bytes:
    """The 20 bytes of a recovery key typed by a person.

    Case, spaces and dashes do not matter; I and L read as 1, O as 0. Anything else that is not
    32 Crockford characters raises ``WrongRecoveryKey``.
    """
    if not isinstance(text, str) or len(text) > 200:
        raise WrongRecoveryKey("That is not a recovery key: it should be 32 letters and digits.")
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    expected = RECOVERY_KEY_BYTES * 8 // 5
    if len(cleaned) != expected or any(ch not in _CROCKFORD_DECODE for ch in cleaned):
        raise WrongRecoveryKey(
            "That is not a recovery key: it should be 32 letters and digits in groups of four."
        )
    number = 0
    for ch in cleaned:
        number = (number << 5) | _CROCKFORD_DECODE[ch]
    return number.to_bytes(RECOVERY_KEY_BYTES, "big")


def _passphrase_bytes(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidInput("A passphrase is needed.")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _check_data_key(data_key: bytes) -> None:
    if not isinstance(data_key, bytes) or len(data_key) != DATA_KEY_BYTES:
        raise ValueError("the data key must be 32 bytes")


def data_key_to_sqlcipher_hex(data_key: bytes) -> str:
    """The 64 hexadecimal characters of the raw key; storage builds ``PRAGMA key`` from them."""
    _check_data_key(data_key)
    return data_key.hex()


# --- derivation and wrapping ---------------------------------------------------------------------
def _argon2(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=_passphrase_bytes(passphrase),
        salt=salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_kib,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _hkdf(slot: str, ikm: bytes, salt: bytes, store_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=salt,
        info=_HKDF_INFO[slot] + store_id.encode("utf-8"),
    ).derive(ikm)


def _aad(store_id: str, slot: str) -> bytes:
    return (
        _AAD_PREFIX
        + FORMAT_VERSION.to_bytes(2, "big")
        + store_id.encode("utf-8")
        + b"\x00"
        + slot.encode("ascii")
    )


def _key_check(data_key: bytes, store_id: str) -> bytes:
    return hmac.new(data_key, _CHECK_PREFIX + store_id.encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True)
class Slot:
    """One wrapping of the data key. ``salt`` feeds the slot's KDF (Argon2 or HKDF)."""

    salt: bytes
    nonce: bytes
    ciphertext: bytes


def _seal(wrapping_key: bytes, data_key: bytes, salt: bytes, store_id: str, slot: str) -> Slot:
    nonce = os.urandom(NONCE_BYTES)
    ct = ChaCha20Poly1305(wrapping_key).encrypt(nonce, data_key, _aad(store_id, slot))
    return Slot(salt=salt, nonce=nonce, ciphertext=ct)


def _open(wrapping_key: bytes, slot_value: Slot, store_id: str, slot: str) -> bytes | None:
    try:
        return ChaCha20Poly1305(wrapping_key).decrypt(
            slot_value.nonce, slot_value.ciphertext, _aad(store_id, slot)
        )
    except InvalidTag:
        return None


def _wrap_passphrase(data_key: bytes, passphrase: str, kdf: KdfParams, store_id: str) -> Slot:
    salt = os.urandom(SALT_BYTES)
    return _seal(_argon2(passphrase, salt, kdf), data_key, salt, store_id, SLOT_PASSPHRASE)


def _wrap_hkdf(slot: str, data_key: bytes, secret: bytes, store_id: str) -> Slot:
    salt = os.urandom(SALT_BYTES)
    return _seal(_hkdf(slot, secret, salt, store_id), data_key, salt, store_id, slot)


# --- serialisation helpers -----------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object, length: int, what: str) -> bytes:
    if not isinstance(value, str) or len(value) > 4 * length:
        raise KeyFileDamaged(details=f"{what}: not base64 text")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise KeyFileDamaged(details=f"{what}: not base64") from exc
    if len(raw) != length or _b64(raw) != value:
        raise KeyFileDamaged(details=f"{what}: wrong length")
    return raw


def _obj(value: object, keys: set[str], what: str, optional: frozenset[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise KeyFileDamaged(details=f"{what}: not an object")
    present = set(value)
    if not keys <= present or not present <= keys | optional:
        raise KeyFileDamaged(details=f"{what}: wrong fields")
    return value


def _int(value: object, what: str) -> int:
    if type(value) is not int:
        raise KeyFileDamaged(details=f"{what}: not an integer")
    return value


def _slot_to_json(slot: Slot) -> dict[str, str]:
    return {"salt": _b64(slot.salt), "nonce": _b64(slot.nonce), "ct": _b64(slot.ciphertext)}


def _slot_from_json(value: object, name: str) -> Slot:
    obj = _obj(value, {"salt", "nonce", "ct"}, f"slot {name}")
    return Slot(
        salt=_unb64(obj["salt"], SALT_BYTES, f"slot {name} salt"),
        nonce=_unb64(obj["nonce"], NONCE_BYTES, f"slot {name} nonce"),
        ciphertext=_unb64(obj["ct"], DATA_KEY_BYTES + TAG_BYTES, f"slot {name} ciphertext"),
    )


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
        _check_data_key(data_key)
        _check_store_id(store_id)
        kdf.validate()
        _require_floor(kdf)
        recovery = normalise_recovery_key(recovery_key)
        return cls(
            store_id=store_id,
            kdf=kdf,
            passphrase_slot=_wrap_passphrase(data_key, passphrase, kdf, store_id),
            recovery_slot=_wrap_hkdf(SLOT_RECOVERY, data_key, recovery, store_id),
            key_check=_key_check(data_key, store_id),
        )

    # serialisation ----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        slots: dict[str, dict[str, str]] = {
            SLOT_PASSPHRASE: {  # its Argon2 salt is the top-level "salt"
                "nonce": _b64(self.passphrase_slot.nonce),
                "ct": _b64(self.passphrase_slot.ciphertext),
            },
            SLOT_RECOVERY: _slot_to_json(self.recovery_slot),
        }
        if self.keyring_slot is not None:
            slots[SLOT_KEYRING] = _slot_to_json(self.keyring_slot)
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
            "salt": _b64(self.passphrase_slot.salt),
            "key_check": _b64(self.key_check),
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
        top = _obj(
            doc,
            {"type", "version", "store_id", "kdf", "salt", "key_check", "slots"},
            "key file",
        )
        if top["type"] != KEY_FILE_TYPE:
            raise KeyFileDamaged(details="not a Roundtable key file")
        version = _int(top["version"], "version")
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
        kdf_obj = _obj(top["kdf"], {"algorithm", "time_cost", "memory_kib", "parallelism"}, "kdf")
        if kdf_obj["algorithm"] != "argon2id":
            raise KeyFileDamaged(details="unknown key derivation")
        kdf = KdfParams(
            time_cost=_int(kdf_obj["time_cost"], "time_cost"),
            memory_kib=_int(kdf_obj["memory_kib"], "memory_kib"),
            parallelism=_int(kdf_obj["parallelism"], "parallelism"),
        )
        try:
            kdf.validate()
        except ValueError as exc:
            raise KeyFileDamaged(details=f"key derivation parameters refused ({exc})") from exc
        salt = _unb64(top["salt"], SALT_BYTES, "salt")
        key_check = _unb64(top["key_check"], KEY_CHECK_BYTES, "key_check")
        slots = _obj(
            top["slots"],
            {SLOT_PASSPHRASE, SLOT_RECOVERY},
            "slots",
            optional=frozenset({SLOT_KEYRING}),
        )
        pass_obj = _obj(slots[SLOT_PASSPHRASE], {"nonce", "ct"}, "slot passphrase")
        passphrase_slot = Slot(
            salt=salt,
            nonce=_unb64(pass_obj["nonce"], NONCE_BYTES, "slot passphrase nonce"),
            ciphertext=_unb64(pass_obj["ct"], DATA_KEY_BYTES + TAG_BYTES, "slot passphrase ct"),
        )
        keyring_slot = (
            _slot_from_json(slots[SLOT_KEYRING], SLOT_KEYRING) if SLOT_KEYRING in slots else None
        )
        return cls(
            store_id=store_id,
            kdf=kdf,
            passphrase_slot=passphrase_slot,
            recovery_slot=_slot_from_json(slots[SLOT_RECOVERY], SLOT_RECOVERY),
            key_check=key_check,
            keyring_slot=keyring_slot,
        )

    # unlocking --------------------------------------------------------------------------------
    def _require_strong(self) -> None:
        if not self.kdf.meets_floor():
            raise KeyFileTooWeak(
                details=f"argon2id t={self.kdf.time_cost} m={self.kdf.memory_kib} KiB"
            )

    def _checked(self, data_key: bytes) -> bytes:
        if not hmac.compare_digest(_key_check(data_key, self.store_id), self.key_check):
            raise KeyFileDamaged(details="slots disagree with the key check")
        return data_key

    def unlock_with_passphrase(self, passphrase: str) -> bytes:
        """The data key, or ``WrongPassphrase``."""
        self._require_strong()
        if not isinstance(passphrase, str) or not passphrase:
            raise WrongPassphrase()
        key = _argon2(passphrase, self.passphrase_slot.salt, self.kdf)
        data_key = _open(key, self.passphrase_slot, self.store_id, SLOT_PASSPHRASE)
        if data_key is None:
            raise WrongPassphrase()
        return self._checked(data_key)

    def unlock_with_recovery(self, text: str) -> bytes:
        """The data key, or ``WrongRecoveryKey`` (also for text that is not a recovery key)."""
        self._require_strong()
        recovery = normalise_recovery_key(text)
        key = _hkdf(SLOT_RECOVERY, recovery, self.recovery_slot.salt, self.store_id)
        data_key = _open(key, self.recovery_slot, self.store_id, SLOT_RECOVERY)
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
        key = _hkdf(SLOT_KEYRING, secret, self.keyring_slot.salt, self.store_id)
        data_key = _open(key, self.keyring_slot, self.store_id, SLOT_KEYRING)
        if data_key is None:
            raise KeyringUnavailable(
                "The key remembered on this workstation no longer matches this store. "
                "Unlock with the passphrase."
            )
        return self._checked(data_key)

    # rewrapping -------------------------------------------------------------------------------
    def _require_key(self, data_key: bytes) -> None:
        _check_data_key(data_key)
        if not hmac.compare_digest(_key_check(data_key, self.store_id), self.key_check):
            raise InvalidInput("That key does not belong to this store.")

    def with_passphrase(self, data_key: bytes, new_passphrase: str, kdf: KdfParams) -> KeyFile:
        """A copy with the passphrase slot rewrapped (new salt, possibly new cost)."""
        self._require_key(data_key)
        kdf.validate()
        _require_floor(kdf)
        slot = _wrap_passphrase(data_key, new_passphrase, kdf, self.store_id)
        return KeyFile(
            store_id=self.store_id,
            kdf=kdf,
            passphrase_slot=slot,
            recovery_slot=self.recovery_slot,
            key_check=self.key_check,
            keyring_slot=self.keyring_slot,
        )

    def with_keyring_slot(self, data_key: bytes, secret: bytes) -> KeyFile:
        """A copy with a keyring slot wrapping ``data_key`` under ``secret`` (32 bytes)."""
        self._require_key(data_key)
        if not isinstance(secret, bytes) or len(secret) != KEYRING_SECRET_BYTES:
            raise ValueError("the keyring secret must be 32 bytes")
        slot = _wrap_hkdf(SLOT_KEYRING, data_key, secret, self.store_id)
        return KeyFile(
            store_id=self.store_id,
            kdf=self.kdf,
            passphrase_slot=self.passphrase_slot,
            recovery_slot=self.recovery_slot,
            key_check=self.key_check,
            keyring_slot=slot,
        )

    def without_keyring_slot(self) -> KeyFile:
        return KeyFile(
            store_id=self.store_id,
            kdf=self.kdf,
            passphrase_slot=self.passphrase_slot,
            recovery_slot=self.recovery_slot,
            key_check=self.key_check,
            keyring_slot=None,
        )

    @property
    def has_keyring_slot(self) -> bool:
        return self.keyring_slot is not None
