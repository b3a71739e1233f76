"""Keyring adapter, with an in-memory backend (never the real OS keyring)."""

from __future__ import annotations

import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from app.crypto.keyfile import KeyFile, generate_keyring_secret
from app.crypto.keyring_slot import KeyringSlot
from app.models.errors import KeyringUnavailable
from tests.support.crypto_support import PASSPHRASE, STORE_ID, MemoryKeyring


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("no")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("dbus went away")


class EmptyChainer(chainer.ChainerBackend):
    backends = []


class ChainerOverFile(chainer.ChainerBackend):
    backends = [fail.Keyring()]


def test_store_fetch_delete(memory_keyring: MemoryKeyring) -> None:
    slot = KeyringSlot(backend=memory_keyring)
    assert slot.availability()[0] is True
    assert slot.fetch(STORE_ID) is None
    secret = generate_keyring_secret()
    slot.store(STORE_ID, secret)
    assert slot.fetch(STORE_ID) == secret
    assert slot.fetch("another-store") is None
    assert list(memory_keyring.entries) == [("Roundtable", f"store:{STORE_ID}")]
    slot.delete(STORE_ID)
    assert slot.fetch(STORE_ID) is None
    slot.delete(STORE_ID)  # forgetting twice is fine


def test_service_names_are_separate(memory_keyring: MemoryKeyring) -> None:
    secret = generate_keyring_secret()
    KeyringSlot("Roundtable", backend=memory_keyring).store(STORE_ID, secret)
    assert KeyringSlot("Roundtable-test", backend=memory_keyring).fetch(STORE_ID) is None


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (fail.Keyring(), "No operating system keyring"),
        (null.Keyring(), "switched off"),
        (EmptyChainer(), "No operating system keyring"),
        (ChainerOverFile(), "No operating system keyring"),
    ],
)
def test_unusable_backends_give_a_reason(backend: object, words: str) -> None:
    slot = KeyringSlot(backend=backend)  # type: ignore[arg-type]
    ok, reason = slot.availability()
    assert ok is False and words in reason
    with pytest.raises(KeyringUnavailable) as info:
        slot.store(STORE_ID, generate_keyring_secret())
    assert words in info.value.user_message
    with pytest.raises(KeyringUnavailable):
        slot.fetch(STORE_ID)
    with pytest.raises(KeyringUnavailable):
        slot.delete(STORE_ID)


def test_plain_file_keyrings_are_refused(memory_keyring: MemoryKeyring) -> None:
    plain = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})()
    ok, reason = KeyringSlot(backend=plain).availability()
    assert not ok and "file" in reason


def test_backend_errors_become_keyring_unavailable() -> None:
    slot = KeyringSlot(backend=BrokenKeyring())
    secret = generate_keyring_secret()
    for call in (lambda: slot.store(STORE_ID, secret), lambda: slot.fetch(STORE_ID)):
        with pytest.raises(KeyringUnavailable) as info:
            call()
        assert secret.hex() not in str(info.value)
    with pytest.raises(KeyringUnavailable):
        slot.delete(STORE_ID)


def test_damaged_entry(memory_keyring: MemoryKeyring) -> None:
    slot = KeyringSlot(backend=memory_keyring)
    memory_keyring.entries[("Roundtable", f"store:{STORE_ID}")] = "not base64 !"
    with pytest.raises(KeyringUnavailable):
        slot.fetch(STORE_ID)
    memory_keyring.entries[("Roundtable", f"store:{STORE_ID}")] = "AAAA"
    with pytest.raises(KeyringUnavailable):
        slot.fetch(STORE_ID)


def test_store_refuses_wrong_secret_size(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        KeyringSlot(backend=memory_keyring).store(STORE_ID, b"short")


def test_remember_on_this_workstation_end_to_end(
    memory_keyring: MemoryKeyring, key_file: KeyFile, data_key: bytes
) -> None:
    slot = KeyringSlot(backend=memory_keyring)
    secret = generate_keyring_secret()
    remembered = key_file.with_keyring_slot(data_key, secret)
    slot.store(remembered.store_id, secret)
    fetched = slot.fetch(remembered.store_id)
    assert fetched is not None
    assert KeyFile.from_bytes(remembered.to_bytes()).unlock_with_keyring_secret(fetched) == data_key
    assert remembered.unlock_with_passphrase(PASSPHRASE) == data_key
