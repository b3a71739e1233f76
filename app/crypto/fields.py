"""Small readers for fields of untrusted documents, shared by the key file, identity cards,
invitations and bundles.

Job: base64 both ways (the decoder accepts only the canonical text of exactly ``length`` bytes)
and a capped JSON document read with a message fit to show.

Invariants: nothing here logs or echoes the value it refuses; ``b64_exact`` raises only
``ValueError``, ``b64_field`` and ``load_document`` only ``InvalidInput``.
"""

from __future__ import annotations

import base64
from typing import Any

from app.crypto._canonical import CanonicalError, Caps, strict_loads
from app.models.errors import InvalidInput


def b64(raw: bytes) -> str:
    """Standard base64 text of ``raw``."""
    return base64.b64encode(raw).decode("ascii")


def b64_exact(value: object, length: int, what: str) -> bytes:
    """The ``length`` bytes of canonical base64 text ``value``; ``ValueError`` (naming ``what``)
    for anything else, checked for length before it is decoded."""
    if not isinstance(value, str) or len(value) > 4 * length:
        raise ValueError(f"{what} is not valid base64")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if len(raw) != length or b64(raw) != value:
        raise ValueError(f"{what} has the wrong length")
    return raw


def b64_field(value: object, length: int, what: str) -> bytes:
    """``b64_exact`` for a field a person's file holds: ``InvalidInput("The <what> is not valid.")``."""
    try:
        return b64_exact(value, length, what)
    except ValueError as exc:
        raise InvalidInput(f"The {what} is not valid.") from exc


def load_document(data: object, caps: Caps, *, too_large: str, malformed: str) -> Any:
    """``strict_loads`` of a file a person gave: ``InvalidInput(too_large)`` for anything but bytes
    within ``caps.max_bytes``, ``InvalidInput(malformed)`` for bytes that are not acceptable JSON."""
    if not isinstance(data, bytes) or len(data) > caps.max_bytes:
        raise InvalidInput(too_large)
    try:
        return strict_loads(data, caps)
    except CanonicalError as exc:
        raise InvalidInput(malformed) from exc
