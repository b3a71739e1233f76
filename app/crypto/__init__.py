"""Cryptography for Roundtable; the only package that imports cryptography, argon2 and keyring.

Modules: ``keyfile`` (the store's wrapped data key), ``keyring_slot`` (OS keyring adapter),
``identity`` (workstation keys, fingerprints, identity cards, signed documents) and ``bundle`` (the
signed, encrypted exchange-file envelope). Formats and choices: docs/crypto.md.
"""
