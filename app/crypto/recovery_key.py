"""The recovery key: 160 random bits a person writes down, as 32 Crockford base32 characters.

Job: make a recovery key (``ABCD-EFGH-...``, eight groups of four) and read one back as typed.

Invariants: case, spaces and dashes do not matter; I and L read as 1, O as 0; anything that is
not exactly 32 Crockford characters raises ``WrongRecoveryKey``, whose message holds no part of
what was typed.
"""

from __future__ import annotations

import secrets

from app.models.errors import WrongRecoveryKey

RECOVERY_KEY_BYTES = 20  # 160 bits -> 32 Crockford base32 characters
RECOVERY_GROUP = 4

# Crockford base32: no I, L, O, U; I/L read as 1 and O as 0 when parsing.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_DECODE = {ch: i for i, ch in enumerate(_CROCKFORD)} | {"I": 1, "L": 1, "O": 0}


def _encode_crockford(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = len(raw) * 8 // 5
    return "".join(_CROCKFORD[(number >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def generate_recovery_key() -> str:
    """160 random bits as 32 Crockford base32 characters in groups of four: ``ABCD-EFGH-...``."""
    text = _encode_crockford(secrets.token_bytes(RECOVERY_KEY_BYTES))
    return "-".join(text[i : i + RECOVERY_GROUP] for i in range(0, len(text), RECOVERY_GROUP))


def normalise_recovery_key(text: str) -> bytes:
    """The 20 bytes of a recovery key typed by a person.

    Case, spaces and dashes do not matter; I and L read as 1, O as 0. Anything else that is not
    32 Crockford characters raises ``WrongRecoveryKey``.
    """
    if not isinstance(text, str) or len(text) > 200:
        raise WrongRecoveryKey("That is not a recovery key: it should be 32 letters and digits.")
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    expected = RECOVERY_KEY_BYTES * 8 // 5
    if len(cleaned) != expected or any(ch not in _CROCKFORD_DECODE for ch in cleaned):
        raise WrongRecoveryKey(
            "That is not a recovery key: it should be 32 letters and digits in groups of four."
        )
    number = 0
    for ch in cleaned:
        number = (number << 5) | _CROCKFORD_DECODE[ch]
    return number.to_bytes(RECOVERY_KEY_BYTES, "big")
