"""Cheap key derivation for the test suite, in the test's own process only.

The product refuses a key file whose Argon2id settings are below the floor in docs/crypto.md
(``app.crypto.kdf.KDF_FLOOR_*``). The suite makes hundreds of stores with ``CHEAP`` (the smallest
cost Argon2id allows, far below the floor), so it lowers that floor here, by changing the module's
constants in its own process: there is no environment variable or option the shipped program
reads for this, and the shipped package has no cheap setting of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.crypto import kdf
from app.crypto.kdf import KdfParams

if TYPE_CHECKING:
    import pytest

# For tests only: the smallest cost Argon2id allows, below the floor, so the product refuses it
# unless the test has lowered ``KDF_FLOOR_*`` in its own process (``lower_floor``).
CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
# The shipped floor, read before anything lowers it (tests of the floor put it back).
SHIPPED_FLOOR = {
    "KDF_FLOOR_TIME_COST": kdf.KDF_FLOOR_TIME_COST,
    "KDF_FLOOR_MEMORY_KIB": kdf.KDF_FLOOR_MEMORY_KIB,
}


def lower_floor(monkeypatch: pytest.MonkeyPatch | _ForGood) -> None:
    """Let ``CHEAP`` key files be made and unlocked (undone with ``monkeypatch``)."""
    monkeypatch.setattr(kdf, "KDF_FLOOR_TIME_COST", CHEAP.time_cost)
    monkeypatch.setattr(kdf, "KDF_FLOOR_MEMORY_KIB", CHEAP.memory_kib)


def restore_shipped_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor the product ships with, for the tests that prove it is enforced."""
    for name, value in SHIPPED_FLOOR.items():
        monkeypatch.setattr(kdf, name, value)


def cheap_by_default(monkeypatch: pytest.MonkeyPatch | _ForGood) -> None:
    """Lower the floor and make ``KdfParams.default()`` the cheap setting, so code that creates a
    store without naming a cost (``roundtable init``) makes a cheap one."""
    lower_floor(monkeypatch)
    monkeypatch.setattr(KdfParams, "default", classmethod(lambda cls: CHEAP))


def cheap_for_this_process() -> None:
    """``cheap_by_default`` for good, in a child process the suite starts (``cli_entry``)."""
    cheap_by_default(_ForGood())


class _ForGood:
    """The one ``MonkeyPatch`` method used above, without undo (and without importing pytest)."""

    def setattr(self, target: object, name: str, value: object) -> None:
        setattr(target, name, value)
