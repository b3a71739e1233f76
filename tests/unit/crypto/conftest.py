"""Fixtures for the crypto tests; they live in crypto_support.py."""

from __future__ import annotations

from crypto_support import data_key, device_keys, key_file, memory_keyring, recovery_key

__all__ = ["data_key", "device_keys", "key_file", "memory_keyring", "recovery_key"]
