"""One slot of the key file: the store's data key wrapped under one secret, and its JSON form.

Job: seal and open a slot (ChaCha20-Poly1305 under a key derived by Argon2id from the passphrase,
or by HKDF from the recovery key or the keyring secret), the key check, and reading the JSON fields
of a key file strictly (``KeyFileDamaged`` for anything malformed). ``keyfile.KeyFile`` puts the
slots together.

Invariants:
- Every wrap draws a fresh random salt, hence a fresh wrapping key, and a fresh nonce.
- The associated data binds the format version, the store id and the slot's name, so a slot
  cannot be moved to another store or another slot.
- Opening with the wrong secret returns None; it never says why (a tampered slot looks the same).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.crypto.fields import b64, b64_exact
from app.crypto.kdf import KdfParams, passphrase_key
from app.models.errors import KeyFileDamaged

FORMAT_VERSION = 1
DATA_KEY_BYTES = 32
KEYRING_SECRET_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_CHECK_BYTES = 32

SLOT_PASSPHRASE = "passphrase"  # noqa: S105 - a slot name, not a secret
SLOT_RECOVERY = "recovery"
SLOT_KEYRING = "keyring"

_AAD_PREFIX = b"roundtable/keyfile/slot/v1\x00"
_CHECK_PREFIX = b"roundtable/keyfile/key-check/v1\x00"
_HKDF_INFO = {
    SLOT_RECOVERY: b"roundtable/keyfile/recovery/v1\x00",
    SLOT_KEYRING: b"roundtable/keyfile/keyring/v1\x00",
}


def check_data_key(data_key: bytes) -> None:
    """``ValueError`` unless ``data_key`` is 32 bytes."""
    if not isinstance(data_key, bytes) or len(data_key) != DATA_KEY_BYTES:
        raise ValueError("the data key must be 32 bytes")


def key_check_for(data_key: bytes, store_id: str) -> bytes:
    """HMAC of a fixed string under the data key: tells whether a key belongs to the store."""
    return hmac.new(data_key, _CHECK_PREFIX + store_id.encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True)
class Slot:
    """One wrapping of the data key. ``salt`` feeds the slot's KDF (Argon2 or HKDF)."""

    salt: bytes
    nonce: bytes
    ciphertext: bytes


# --- derivation and wrapping ---------------------------------------------------------------------
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


def wrap_passphrase(data_key: bytes, passphrase: str, kdf: KdfParams, store_id: str) -> Slot:
    """The passphrase slot: a fresh salt, Argon2id at cost ``kdf``."""
    salt = os.urandom(SALT_BYTES)
    return _seal(passphrase_key(passphrase, salt, kdf), data_key, salt, store_id, SLOT_PASSPHRASE)


def open_passphrase(slot: Slot, passphrase: str, kdf: KdfParams, store_id: str) -> bytes | None:
    """The data key in the passphrase slot, or None for a wrong passphrase."""
    key = passphrase_key(passphrase, slot.salt, kdf)
    return _open(key, slot, store_id, SLOT_PASSPHRASE)


def wrap_hkdf(slot: str, data_key: bytes, secret: bytes, store_id: str) -> Slot:
    """The recovery or keyring slot (``slot``): a fresh salt, HKDF of a random ``secret``."""
    salt = os.urandom(SALT_BYTES)
    return _seal(_hkdf(slot, secret, salt, store_id), data_key, salt, store_id, slot)


def open_hkdf(slot: str, slot_value: Slot, secret: bytes, store_id: str) -> bytes | None:
    """The data key in the recovery or keyring slot, or None for a wrong secret."""
    key = _hkdf(slot, secret, slot_value.salt, store_id)
    return _open(key, slot_value, store_id, slot)


# --- JSON fields, read strictly --------------------------------------------------------------------
def b64_value(value: object, length: int, what: str) -> bytes:
    """``length`` bytes of canonical base64, or ``KeyFileDamaged``."""
    try:
        return b64_exact(value, length, what)
    except ValueError as exc:
        raise KeyFileDamaged(details=str(exc)) from exc


def json_object(
    value: object, keys: set[str], what: str, optional: frozenset[str] = frozenset()
) -> dict:
    """``value`` if it is an object with exactly ``keys`` (and perhaps ``optional``)."""
    if not isinstance(value, dict):
        raise KeyFileDamaged(details=f"{what}: not an object")
    present = set(value)
    if not keys <= present or not present <= keys | optional:
        raise KeyFileDamaged(details=f"{what}: wrong fields")
    return value


def json_int(value: object, what: str) -> int:
    """``value`` if it is an integer (not a boolean)."""
    if type(value) is not int:
        raise KeyFileDamaged(details=f"{what}: not an integer")
    return value


def slot_to_json(slot: Slot) -> dict[str, str]:
    return {"salt": b64(slot.salt), "nonce": b64(slot.nonce), "ct": b64(slot.ciphertext)}


def slot_from_json(value: object, name: str, salt: bytes | None = None) -> Slot:
    """A slot's JSON; the passphrase slot has no salt of its own (``salt`` is the top-level one)."""
    fields = {"nonce", "ct"} if salt is not None else {"salt", "nonce", "ct"}
    obj = json_object(value, fields, f"slot {name}")
    return Slot(
        salt=salt if salt is not None else b64_value(obj["salt"], SALT_BYTES, f"slot {name} salt"),
        nonce=b64_value(obj["nonce"], NONCE_BYTES, f"slot {name} nonce"),
        ciphertext=b64_value(obj["ct"], DATA_KEY_BYTES + TAG_BYTES, f"slot {name} ciphertext"),
    )
