"""Key file: round trips, wrong secrets, rewrapping, and damaged files of every kind."""

from __future__ import annotations

import base64
import json
import re
import unicodedata

import pytest

from app.crypto.kdf import MAX_MEMORY_KIB, KdfParams
from app.crypto.keyfile import (
    KeyFile,
    data_key_to_sqlcipher_hex,
    generate_data_key,
    generate_keyring_secret,
)
from app.crypto.recovery_key import generate_recovery_key, normalise_recovery_key
from app.models.errors import (
    InvalidInput,
    KeyFileDamaged,
    KeyringUnavailable,
    StoreTooNew,
    UnlockError,
    WrongPassphrase,
    WrongRecoveryKey,
)
from tests.support.crypto_support import PASSPHRASE, STORE_ID
from tests.support.kdf import CHEAP


def _doc(kf: KeyFile) -> dict:
    return json.loads(kf.to_bytes())


def _load(doc: dict) -> KeyFile:
    return KeyFile.from_bytes(json.dumps(doc).encode())


def _flip_b64(value: str, byte: int = 0) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[byte] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


# --- secrets and parameters ----------------------------------------------------------------------
def test_data_key_is_32_random_bytes() -> None:
    a, b = generate_data_key(), generate_data_key()
    assert len(a) == 32 and len(b) == 32 and a != b


def test_sqlcipher_hex() -> None:
    key = bytes(range(32))
    hex_key = data_key_to_sqlcipher_hex(key)
    assert hex_key == key.hex() and len(hex_key) == 64
    with pytest.raises(ValueError):
        data_key_to_sqlcipher_hex(b"short")


def test_recovery_key_shape_and_entropy() -> None:
    key = generate_recovery_key()
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", key)
    assert len(normalise_recovery_key(key)) == 20  # 160 bits
    assert generate_recovery_key() != key


def test_recovery_key_parsing_is_tolerant() -> None:
    key = generate_recovery_key()
    raw = normalise_recovery_key(key)
    assert normalise_recovery_key(key.lower()) == raw
    assert normalise_recovery_key(key.replace("-", "")) == raw
    assert normalise_recovery_key("  " + key.replace("-", " ") + "\n") == raw
    confusable = key.replace("0", "O").replace("1", "l")
    assert normalise_recovery_key(confusable) == raw


@pytest.mark.parametrize(
    "text",
    ["", "ABCD", "U" * 32, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-678", "A" * 33, "Ä" * 32, "x" * 500],
)
def test_recovery_key_garbage_is_wrong_recovery_key(text: str) -> None:
    with pytest.raises(WrongRecoveryKey):
        normalise_recovery_key(text)


def test_kdf_params() -> None:
    default = KdfParams.default()
    assert (default.time_cost, default.memory_kib, default.parallelism) == (3, 256 * 1024, 2)
    default.validate()
    CHEAP.validate()
    with pytest.raises(ValueError):
        KdfParams(1, MAX_MEMORY_KIB + 1, 1).validate()
    with pytest.raises(ValueError):
        KdfParams(1, 8, 2).validate()  # below 8 KiB per lane


# --- round trips ---------------------------------------------------------------------------------
def test_round_trip_and_unlock(key_file: KeyFile, data_key: bytes, recovery_key: str) -> None:
    loaded = KeyFile.from_bytes(key_file.to_bytes())
    assert loaded == key_file
    assert loaded.store_id == STORE_ID
    assert not loaded.has_keyring_slot
    assert loaded.unlock_with_passphrase(PASSPHRASE) == data_key
    assert loaded.unlock_with_recovery(recovery_key) == data_key
    assert loaded.unlock_with_recovery(recovery_key.lower().replace("-", " ")) == data_key


def test_serialised_form_has_the_documented_fields(key_file: KeyFile) -> None:
    doc = _doc(key_file)
    assert set(doc) == {"type", "version", "store_id", "kdf", "salt", "key_check", "slots"}
    assert set(doc["slots"]) == {"passphrase", "recovery"}
    assert doc["kdf"] == {
        "algorithm": "argon2id",
        "time_cost": 1,
        "memory_kib": 8,
        "parallelism": 1,
    }


def test_key_file_holds_no_secret(key_file: KeyFile, data_key: bytes, recovery_key: str) -> None:
    blob = key_file.to_bytes()
    for secret in (data_key, data_key.hex().encode(), base64.b64encode(data_key)):
        assert secret not in blob
    assert recovery_key.encode() not in blob
    assert PASSPHRASE.encode() not in blob


def test_passphrase_is_nfc_normalised(data_key: bytes, recovery_key: str) -> None:
    composed = unicodedata.normalize("NFC", "Zoë Ó Súilleabháin")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    kf = KeyFile.create(
        data_key=data_key,
        passphrase=composed,
        recovery_key=recovery_key,
        store_id=STORE_ID,
        kdf=CHEAP,
    )
    assert kf.unlock_with_passphrase(decomposed) == data_key


def test_wrong_passphrase(key_file: KeyFile) -> None:
    with pytest.raises(WrongPassphrase) as info:
        key_file.unlock_with_passphrase("correct horse battery stapler")
    assert "stapler" not in str(info.value) and "stapler" not in repr(info.value)
    with pytest.raises(WrongPassphrase):
        key_file.unlock_with_passphrase("")


def test_wrong_recovery_key(key_file: KeyFile) -> None:
    with pytest.raises(WrongRecoveryKey):
        key_file.unlock_with_recovery(generate_recovery_key())
    with pytest.raises(WrongRecoveryKey):
        key_file.unlock_with_recovery("not a key")


def test_empty_passphrase_refused_at_creation(data_key: bytes, recovery_key: str) -> None:
    with pytest.raises(InvalidInput):
        KeyFile.create(
            data_key=data_key,
            passphrase="",
            recovery_key=recovery_key,
            store_id=STORE_ID,
            kdf=CHEAP,
        )


# --- rewrapping ----------------------------------------------------------------------------------
def test_rewrap_keeps_data_key(key_file: KeyFile, data_key: bytes, recovery_key: str) -> None:
    changed = key_file.with_passphrase(data_key, "a new passphrase", KdfParams(1, 16, 1))
    again = KeyFile.from_bytes(changed.to_bytes())
    assert again.unlock_with_passphrase("a new passphrase") == data_key
    assert again.unlock_with_recovery(recovery_key) == data_key
    assert again.kdf == KdfParams(1, 16, 1)
    assert again.passphrase_slot.salt != key_file.passphrase_slot.salt
    with pytest.raises(WrongPassphrase):
        again.unlock_with_passphrase(PASSPHRASE)


def test_rewrap_refuses_a_foreign_data_key(key_file: KeyFile) -> None:
    with pytest.raises(InvalidInput):
        key_file.with_passphrase(generate_data_key(), "x", CHEAP)
    with pytest.raises(InvalidInput):
        key_file.with_keyring_slot(generate_data_key(), generate_keyring_secret())


def test_keyring_slot_round_trip(key_file: KeyFile, data_key: bytes) -> None:
    secret = generate_keyring_secret()
    remembered = KeyFile.from_bytes(key_file.with_keyring_slot(data_key, secret).to_bytes())
    assert remembered.has_keyring_slot
    assert remembered.unlock_with_keyring_secret(secret) == data_key
    assert remembered.unlock_with_passphrase(PASSPHRASE) == data_key
    with pytest.raises(KeyringUnavailable):
        remembered.unlock_with_keyring_secret(generate_keyring_secret())
    with pytest.raises(KeyringUnavailable):
        remembered.unlock_with_keyring_secret(b"short")
    forgotten = KeyFile.from_bytes(remembered.without_keyring_slot().to_bytes())
    assert not forgotten.has_keyring_slot
    with pytest.raises(KeyringUnavailable):
        forgotten.unlock_with_keyring_secret(secret)
    # changing the passphrase keeps "remember on this workstation"
    changed = remembered.with_passphrase(data_key, "other", CHEAP)
    assert changed.unlock_with_keyring_secret(secret) == data_key


# --- damaged files -------------------------------------------------------------------------------
def test_truncated_at_every_offset(key_file: KeyFile) -> None:
    blob = key_file.to_bytes().rstrip(b"\n")
    for cut in range(len(blob)):
        with pytest.raises(KeyFileDamaged):
            KeyFile.from_bytes(blob[:cut])


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"type": "roundtable-key-file"}',
        b"\xff\xfe{}",
        b'{"a": 1, "a": 2}',
        b"[" * 100_000,
        b" " * 20_000,
    ],
)
def test_garbage_is_damaged(blob: bytes) -> None:
    with pytest.raises(KeyFileDamaged):
        KeyFile.from_bytes(blob)


def _mutations() -> list[tuple[str, object]]:
    def set_(path: tuple[str, ...], value: object):
        def apply(doc: dict) -> None:
            target = doc
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value

        return apply

    def delete(path: tuple[str, ...]):
        def apply(doc: dict) -> None:
            target = doc
            for part in path[:-1]:
                target = target[part]
            del target[path[-1]]

        return apply

    return [
        ("huge memory", set_(("kdf", "memory_kib"), 64 * 1024 * 1024)),
        ("huge time", set_(("kdf", "time_cost"), 10_000)),
        ("zero time", set_(("kdf", "time_cost"), 0)),
        ("huge parallelism", set_(("kdf", "parallelism"), 255)),
        ("negative memory", set_(("kdf", "memory_kib"), -1)),
        ("float time", set_(("kdf", "time_cost"), 1.0)),
        ("bool time", set_(("kdf", "time_cost"), True)),
        ("string memory", set_(("kdf", "memory_kib"), "8")),
        ("other kdf", set_(("kdf", "algorithm"), "scrypt")),
        ("kdf extra", set_(("kdf", "extra"), 1)),
        ("no kdf", delete(("kdf",))),
        ("no salt", delete(("salt",))),
        ("short salt", set_(("salt",), "AAAA")),
        ("salt not base64", set_(("salt",), "!!!!!!!!!!!!!!!!!!!!!!!!")),
        ("salt not text", set_(("salt",), 12)),
        ("no slots", delete(("slots",))),
        ("no recovery slot", delete(("slots", "recovery"))),
        ("unknown slot", set_(("slots", "fingerprint"), {})),
        ("slot missing ct", delete(("slots", "passphrase", "ct"))),
        ("short ct", set_(("slots", "passphrase", "ct"), "AAAA")),
        ("nonce list", set_(("slots", "recovery", "nonce"), [1])),
        ("wrong type", set_(("type",), "something-else")),
        ("version 0", set_(("version",), 0)),
        ("version text", set_(("version",), "1")),
        ("empty store id", set_(("store_id",), "")),
        ("store id control", set_(("store_id",), "a\nb")),
        ("store id number", set_(("store_id",), 7)),
        ("extra top-level field", set_(("comment",), "hello")),
        ("no key check", delete(("key_check",))),
        ("nan", set_(("version",), float("nan"))),
    ]


@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[m[0] for m in _mutations()])
def test_malformed_fields_are_damaged(key_file: KeyFile, name: str, mutate) -> None:
    doc = _doc(key_file)
    mutate(doc)
    with pytest.raises(KeyFileDamaged):
        _load(doc)


def test_newer_version_says_update(key_file: KeyFile) -> None:
    doc = _doc(key_file)
    doc["version"] = 2
    with pytest.raises(StoreTooNew):
        _load(doc)


def test_oversized_file_is_damaged(key_file: KeyFile) -> None:
    with pytest.raises(KeyFileDamaged):
        KeyFile.from_bytes(key_file.to_bytes() + b" " * 20_000)


@pytest.mark.parametrize(
    "field",
    [("salt",), ("slots", "passphrase", "nonce"), ("slots", "passphrase", "ct")],
)
def test_tampered_passphrase_material_is_wrong_passphrase(key_file: KeyFile, field) -> None:
    doc = _doc(key_file)
    target = doc
    for part in field[:-1]:
        target = target[part]
    target[field[-1]] = _flip_b64(target[field[-1]], 3)
    with pytest.raises(WrongPassphrase):
        _load(doc).unlock_with_passphrase(PASSPHRASE)


def test_tampered_params_or_store_id_fail_closed(key_file: KeyFile, recovery_key: str) -> None:
    doc = _doc(key_file)
    doc["kdf"]["time_cost"] = 2
    with pytest.raises(WrongPassphrase):
        _load(doc).unlock_with_passphrase(PASSPHRASE)
    doc = _doc(key_file)
    doc["store_id"] = "another-store"
    moved = _load(doc)
    with pytest.raises(WrongPassphrase):
        moved.unlock_with_passphrase(PASSPHRASE)
    with pytest.raises(WrongRecoveryKey):
        moved.unlock_with_recovery(recovery_key)


def test_tampered_recovery_slot(key_file: KeyFile, recovery_key: str) -> None:
    doc = _doc(key_file)
    doc["slots"]["recovery"]["ct"] = _flip_b64(doc["slots"]["recovery"]["ct"], 40)
    with pytest.raises(WrongRecoveryKey):
        _load(doc).unlock_with_recovery(recovery_key)


def test_slot_cannot_be_moved(key_file: KeyFile, data_key: bytes) -> None:
    secret = generate_keyring_secret()
    doc = _doc(key_file.with_keyring_slot(data_key, secret))
    doc["slots"]["recovery"] = doc["slots"]["keyring"]
    with pytest.raises(UnlockError):
        _load(doc).unlock_with_recovery(generate_recovery_key())


def test_tampered_key_check_is_damaged(key_file: KeyFile) -> None:
    doc = _doc(key_file)
    doc["key_check"] = _flip_b64(doc["key_check"])
    with pytest.raises(KeyFileDamaged):
        _load(doc).unlock_with_passphrase(PASSPHRASE)


def test_non_bytes_input_is_damaged() -> None:
    with pytest.raises(KeyFileDamaged):
        KeyFile.from_bytes("{}")  # type: ignore[arg-type]
