"""A keyring that never answers (a locked GNOME Keyring waiting on its own prompt) costs at most
the slot's timeout, then one sentence: "the keyring is locked or not answering"."""

from __future__ import annotations

import time

import pytest

from app.crypto.keyring_slot import DEFAULT_TIMEOUT, KeyringSlot
from app.models.errors import KeyringUnavailable
from tests.support.crypto_support import BlockingKeyring

STORE = "0f0e0d0c-0000-4000-8000-000000000001"


class SlowToLoad(BlockingKeyring):
    """A backend whose viability check itself hangs (D-Bus not answering)."""

    @property
    def priority(self) -> float:  # type: ignore[override]
        self._block()
        return 1.0


def test_the_default_timeout_is_ten_seconds() -> None:
    assert DEFAULT_TIMEOUT == 10.0
    assert KeyringSlot(backend=BlockingKeyring()).timeout == 10.0


@pytest.mark.parametrize("call", ["fetch", "store", "delete"])
def test_every_call_gives_up_after_the_timeout(call: str) -> None:
    backend = BlockingKeyring()
    slot = KeyringSlot(backend=backend, timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(KeyringUnavailable) as err:
            if call == "store":
                slot.store(STORE, b"k" * 32)
            else:
                getattr(slot, call)(STORE)
    finally:
        backend.release.set()
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 3
    assert "the keyring is locked or not answering" in err.value.user_message.lower()
    assert backend.calls == 1


def test_availability_that_hangs_is_reported_not_waited_for() -> None:
    backend = SlowToLoad()
    slot = KeyringSlot(backend=backend, timeout=0.3)
    started = time.monotonic()
    try:
        ok, reason = slot.availability()
    finally:
        backend.release.set()
    assert time.monotonic() - started < 3
    assert not ok and "locked or not answering" in reason


def test_a_keyring_that_answers_in_time_is_used() -> None:
    backend = BlockingKeyring()
    backend.release.set()
    slot = KeyringSlot(backend=backend, timeout=2)
    assert slot.fetch(STORE) is None
    assert slot.availability()[0]


def test_backend_errors_still_reach_the_caller_as_before() -> None:
    class Broken(BlockingKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("dbus said no")

    with pytest.raises(KeyringUnavailable, match="could not be read"):
        KeyringSlot(backend=Broken(), timeout=2).fetch(STORE)
    with pytest.raises(ValueError):
        KeyringSlot(backend=Broken(), timeout=2).fetch("")


def test_these_fakes_never_join_keyrings_own_search() -> None:
    import keyring.backend

    assert not [c for c in keyring.backend.KeyringBackend._classes if c.__module__ == __name__]
