"""'Remember on this workstation': a keyring-held secret as a third way to unlock, only where the
panel's policy allows and a real keyring backend exists (a fake in-memory backend here)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from keyring.backends import fail

from app.crypto.keyring_slot import KeyringSlot
from app.models.errors import KeyringUnavailable, UnlockError
from app.services import panel, setup
from tests.support.crypto_support import MemoryKeyring
from tests.support.stores import PASSPHRASE


def test_remember_and_unlock_with_the_keyring(session, store_path: Path):
    slot = KeyringSlot(backend=MemoryKeyring())
    setup.remember_on_this_workstation(session, keyring=slot)
    session.close()
    s = setup.unlock(store_path, keyring=slot)
    assert s.me.name
    setup.forget_on_this_workstation(s, keyring=slot)
    s.close()
    with pytest.raises(UnlockError):
        setup.unlock(store_path, keyring=slot)
    setup.unlock(store_path, passphrase=PASSPHRASE).close()


def test_unavailable_backend_gives_a_reason(session):
    slot = KeyringSlot(backend=fail.Keyring())
    ok, reason = slot.availability()
    assert not ok and reason
    with pytest.raises(KeyringUnavailable):
        setup.remember_on_this_workstation(session, keyring=slot)
    assert not session.store.keyfile.has_keyring_slot


def test_policy_can_forbid_remembering(session):
    s = panel.get_settings(session)
    panel.save_settings(session, settings=replace(s, keyring_allowed=False))
    with pytest.raises(KeyringUnavailable, match="policy"):
        setup.remember_on_this_workstation(session, keyring=KeyringSlot(backend=MemoryKeyring()))
