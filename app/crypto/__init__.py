"""Cryptography for Roundtable; the only package that imports cryptography, argon2 and keyring.

Modules: ``keyfile`` (the store's wrapped data key) with ``kdf`` (Argon2id cost and floor),
``recovery_key`` and ``keyfile_slots`` (one wrapping of the data key); ``keyring_slot`` (OS keyring
adapter); ``identity`` (workstation keys, fingerprints, identity cards, signed documents) and
``invitation``; ``bundle`` (sealing the signed, encrypted exchange-file envelope), ``bundle_open``
(opening it) and ``bundle_format`` (what both share); ``fields`` and ``_canonical`` (strict readers
of untrusted input, canonical JSON). Formats and choices: docs/crypto.md.
"""
