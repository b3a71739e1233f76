"""Fixtures for the crypto tests; they live in tests/support/crypto_support.py."""

from __future__ import annotations

from tests.support.crypto_support import (
    data_key,
    device_keys,
    key_file,
    memory_keyring,
    recovery_key,
)

__all__ = ["data_key", "device_keys", "key_file", "memory_keyring", "recovery_key"]
