"""Shared helpers for the crypto tests (a uniquely named module, so it never collides with
another directory's conftest): constants, an in-memory keyring backend, the fixtures that
conftest.py re-exports, and a bundle re-signer for the fuzz harness."""

from __future__ import annotations

import hashlib
import threading

import keyring.backend
import keyring.errors
import pytest

from app.crypto.bundle_format import signature_message
from app.crypto.identity import DeviceKeys
from app.crypto.keyfile import KeyFile, generate_data_key
from app.crypto.recovery_key import generate_recovery_key
from tests.support.kdf import CHEAP

STORE_ID = "6f1c2b3a-1d2e-4f50-8a9b-0c1d2e3f4a5b"
PASSPHRASE = "correct horse battery staple"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A fake keyring backend: never the real OS keyring in tests."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def data_key() -> bytes:
    return generate_data_key()


@pytest.fixture
def recovery_key() -> str:
    return generate_recovery_key()


@pytest.fixture
def key_file(data_key: bytes, recovery_key: str) -> KeyFile:
    return KeyFile.create(
        data_key=data_key,
        passphrase=PASSPHRASE,
        recovery_key=recovery_key,
        store_id=STORE_ID,
        kdf=CHEAP,
    )


@pytest.fixture(scope="session")
def device_keys() -> DeviceKeys:
    return DeviceKeys.generate()


class BlockingKeyring:
    """Every call waits until ``release`` is set (as a locked Secret Service waits for its prompt).

    Duck-typed on purpose, not a ``KeyringBackend`` subclass: keyring registers every subclass and
    probes them all when it looks for the system's keyring, so a subclass that blocks would make
    every later ``keyring.get_keyring()`` in the test process wait for it."""

    priority = 1

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def _block(self) -> None:
        self.calls += 1
        self.release.wait(30)

    def get_password(self, service: str, username: str) -> str | None:
        self._block()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._block()

    def delete_password(self, service: str, username: str) -> None:
        self._block()


def sign_envelope(signer: DeviceKeys, unsigned: bytes) -> bytes:
    """``unsigned`` (every byte of a bundle before its signature) followed by ``signer``'s bundle
    signature: the fuzz harness of sync.md re-signs mutated files with a registered key."""
    return unsigned + signer.signing.sign(signature_message(hashlib.sha512(unsigned).digest()))
