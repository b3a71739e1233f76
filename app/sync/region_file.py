"""The regional return file (docs/sync.md, "Regional return file"): a panel's return sealed to
the region's coordinator with the exchange envelope (``app.crypto.bundle``).

Job: :func:`seal_return` signs (the panel coordinator's workstation key) and encrypts (to the
region's card) the canonical JSON body; :func:`open_return` checks and opens one — signer
enrolled, signature over the whole file, addressed to this workstation, stream of a regional
return — and gives the body (still to be read by ``app.models.region.read_return_body``) and the
file's digest (equal digests: the same file).

Invariants: only ``BundleRejected`` (or ``SecurityAlert``) for anything wrong with the file; the
plaintext never touches the disk here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.crypto.bundle import seal_bundle
from app.crypto.bundle_format import read_prelude
from app.crypto.bundle_open import open_bundle_stream
from app.crypto.identity import DeviceKeys, PublicIdentity
from app.models.errors import BundleRejected, InvalidInput
from app.models.region import RETURN_DOMAIN

MAX_RETURN_BYTES = 32 * 1024 * 1024
_BODY_CAPS = Caps(max_bytes=MAX_RETURN_BYTES, max_depth=8, max_items=2_000_000, max_str=4_096)
SCHEMA = [1, 0]


@dataclass(frozen=True)
class OpenedReturn:
    body: dict[str, Any]
    digest: str  # SHA-512 of the signed bytes, first 64 hex characters
    signer_key_id: bytes


def seal_return(
    body: dict[str, Any],
    *,
    signer: DeviceKeys,
    sender_device: str,
    recipient_device: str,
    recipient: PublicIdentity,
    created: int,
) -> bytes:
    """The sealed file: ``body`` (canonical JSON) signed by ``signer``, encrypted to ``recipient``."""
    try:
        plaintext = canonical_dumps(body)
    except CanonicalError as exc:
        raise InvalidInput(f"The regional return cannot be written: {exc}.") from exc
    header = {
        "bundle_id": str(body["return_id"]),
        "sender": sender_device,
        "stream": f"{RETURN_DOMAIN}/{body['panel_id']}",
        "sequence": 0,
        "created_hlc": created,
        "schema": SCHEMA,
        "min_reader": SCHEMA,
        "registry_version": 0,
    }
    return seal_bundle(plaintext=plaintext, header_fields=header, signer=signer,
                       recipients=[(recipient_device, recipient)])  # fmt: skip


def signer_of(data: bytes) -> bytes:
    """The key id the file says signed it (not yet checked: to find the sender's record)."""
    return read_prelude(data).signer_key_id


def open_return(
    data: bytes, *, sender_sign_pub: bytes, sender_key_id: bytes, me_device_id: str, me: DeviceKeys
) -> OpenedReturn:
    """Check and open a regional return signed by the enrolled panel whose keys are given."""
    if len(data) > MAX_RETURN_BYTES:
        raise BundleRejected("The file is larger than a regional return may be.")
    streamed = open_bundle_stream(
        io.BytesIO(data),
        lookup_signer=lambda key_id: sender_sign_pub if key_id == sender_key_id else None,
        me_device_id=me_device_id,
        me=me,
        max_size=MAX_RETURN_BYTES,
        max_plaintext=MAX_RETURN_BYTES,
    )
    if not str(streamed.header.get("stream", "")).startswith(RETURN_DOMAIN + "/"):
        raise BundleRejected("This exchange file is not a regional return.")
    if streamed.header.get("min_reader") != SCHEMA:
        raise BundleRejected("This regional return needs a newer version of Roundtable.")
    plaintext = b"".join(streamed.chunks())
    try:
        body = strict_loads(plaintext, _BODY_CAPS)
    except CanonicalError as exc:
        raise BundleRejected("The regional return's content is not valid.") from exc
    if not isinstance(body, dict) or body.get("return_id") != streamed.header.get("bundle_id"):
        raise BundleRejected("The regional return's content does not match its envelope.")
    return OpenedReturn(body, streamed.digest.hex()[:64], streamed.signer_key_id)


def body_text(body: dict[str, Any]) -> str:
    """The body as stored (canonical JSON)."""
    return canonical_dumps(body).decode("utf-8")


def body_from_text(text: str) -> dict[str, Any]:
    out = strict_loads(text.encode("utf-8"), _BODY_CAPS)
    if not isinstance(out, dict):
        raise InvalidInput("A stored regional return is damaged.")
    return out
