"""The Argon2id cost of a key file's passphrase slot, its bounds, and the derivation itself.

Job: ``KdfParams`` (the product's default, the floor, validation), the caps on what a key file
read from disk may ask for, the floor below which a key file is neither made nor unlocked
(docs/crypto.md, "Argon2id floor"), and ``passphrase_key``: Argon2id of a passphrase.

Invariants:
- ``meets_floor`` and ``require_floor`` read ``KDF_FLOOR_*`` at each call (the test suite lowers
  them in its own process, ``tests/support/kdf.py``; nothing in the product does).
- A passphrase is NFC-normalised UTF-8 before derivation, so the same words typed on two systems
  derive the same key.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from app.models.errors import InvalidInput

# Caps on the Argon2id cost read from a key file (denial of service by a planted file).
MAX_TIME_COST = 16
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_PARALLELISM = 16
MIN_MEMORY_KIB_PER_LANE = 8  # Argon2's own minimum is 8 KiB per lane

# The floor (docs/crypto.md, "Argon2id floor"): a key file whose passphrase slot costs less than
# this is neither made nor unlocked. OWASP's minimum for Argon2id is m = 19 MiB, t = 2, p = 1.
# The test suite lowers it in its own process (tests/support/kdf.py); nothing in the product does.
KDF_FLOOR_TIME_COST = 2
KDF_FLOOR_MEMORY_KIB = 19 * 1024


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. ``default()`` takes about half a second on a two-core workstation."""

    time_cost: int
    memory_kib: int
    parallelism: int

    @classmethod
    def default(cls) -> KdfParams:
        # Measured on a 2-core AMD EPYC VM: t=3, m=256 MiB, p=2 -> 0.47-0.52 s. Memory-hardness is
        # what hurts a GPU attacker most, so we spend the budget on memory (256 MiB is well within
        # what a panel workstation has free) and keep three passes (RFC 9106 recommends t>=3 at
        # this size when 2 GiB is not affordable).
        return cls(time_cost=3, memory_kib=256 * 1024, parallelism=2)

    @classmethod
    def floor(cls) -> KdfParams:
        """The cheapest setting the product accepts (``KDF_FLOOR_*``): for tools that make
        throw-away stores (screenshots, benchmarks), never for a store that holds cases."""
        return cls(time_cost=KDF_FLOOR_TIME_COST, memory_kib=KDF_FLOOR_MEMORY_KIB, parallelism=1)

    def meets_floor(self) -> bool:
        """At least the floor's time cost and memory (``KDF_FLOOR_*``, read at each call)."""
        return self.time_cost >= KDF_FLOOR_TIME_COST and self.memory_kib >= KDF_FLOOR_MEMORY_KIB

    def validate(self) -> None:
        """Raise ``ValueError`` when the parameters are outside the accepted range."""
        for value in (self.time_cost, self.memory_kib, self.parallelism):
            if type(value) is not int:
                raise ValueError("Argon2 parameters must be integers")
        if not 1 <= self.time_cost <= MAX_TIME_COST:
            raise ValueError("Argon2 time cost out of range")
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ValueError("Argon2 parallelism out of range")
        if not MIN_MEMORY_KIB_PER_LANE * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("Argon2 memory out of range")


def require_floor(kdf: KdfParams) -> None:
    """``InvalidInput`` when a new passphrase slot would cost less than the floor."""
    if not kdf.meets_floor():
        raise InvalidInput(
            "Those key-derivation settings are below Roundtable's minimum "
            f"(Argon2id time cost {KDF_FLOOR_TIME_COST}, memory {KDF_FLOOR_MEMORY_KIB // 1024} MiB)."
        )


def _passphrase_bytes(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidInput("A passphrase is needed.")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def passphrase_key(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    """The 32-byte wrapping key Argon2id derives from ``passphrase`` (``InvalidInput`` if empty)."""
    return hash_secret_raw(
        secret=_passphrase_bytes(passphrase),
        salt=salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_kib,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )
