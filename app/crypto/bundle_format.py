"""The exchange-file format that sealing (``bundle``) and opening (``bundle_open``) share.

Job: the constants and caps of the layout in ``app.crypto.bundle``'s docstring, the prelude, the
header's validation, the values every chunk, wrapped key and signature is bound to, and reading a
file in blocks. Nothing here seals or opens a bundle.

Invariants: sealing and opening compute every binding value (wrap info, chunk nonce and associated
data, signed message) with the same function, so they cannot drift apart; ``validate_header``
raises only ``ValueError`` and ``read_prelude`` only ``BundleRejected``.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.hazmat.primitives import hpke

from app.crypto._canonical import Caps, canonical_dumps
from app.crypto.fields import b64_exact
from app.crypto.identity import KEY_ID_BYTES
from app.models.errors import BundleRejected

MAGIC = b"\x89RTB\r\n\x1a\n"
FORMAT_VERSION = 2  # 2: chunk associated data without the payload length (streamable)
SUITE_ED25519_X25519_CHACHA = 1
ALLOWED_VERSIONS = frozenset({FORMAT_VERSION})
ALLOWED_SUITES = frozenset({SUITE_ED25519_X25519_CHACHA})

PRELUDE = struct.Struct(">8sHH16sIQ")
PRELUDE_BYTES = PRELUDE.size  # 40
_AAD_PRELUDE_BYTES = PRELUDE_BYTES - 8  # all but the payload length
READ_BLOCK = 1024 * 1024
CHUNK_BYTES = 64 * 1024
TAG_BYTES = 16
DATA_KEY_BYTES = 32
WRAPPED_KEY_BYTES = 32 + DATA_KEY_BYTES + TAG_BYTES  # HPKE enc | ciphertext | tag = 80

MAX_BUNDLE_BYTES = 256 * 1024 * 1024
MAX_HEADER_BYTES = 1024 * 1024
MAX_RECIPIENTS = 1024
MAX_ID_CHARS = 128
MAX_U16 = 0xFFFF
MAX_I64 = 2**63 - 1

SIG_DOMAIN = b"roundtable/bundle-signature/v1\x00"
_WRAP_DOMAIN = b"roundtable/bundle-key-wrap/v1\x00"
HPKE_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)

# The header fields the caller gives (``sync.payload``'s manifest repeats them; the export takes
# them from it); the bundle adds the recipients and their wrapped keys.
HEADER_FIELDS = (
    "bundle_id",
    "sender",
    "stream",
    "sequence",
    "created_hlc",
    "schema",
    "min_reader",
    "registry_version",
)
SIGNED_HEADER_FIELDS = frozenset({*HEADER_FIELDS, "recipients", "wrapped_keys"})
HEADER_CAPS = Caps(
    max_bytes=MAX_HEADER_BYTES, max_depth=3, max_items=4 * MAX_RECIPIENTS + 64, max_str=256
)


# --- the prelude ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prelude:
    """The fixed-size fields at the start of a bundle (unauthenticated until the signature)."""

    version: int
    suite: int
    signer_key_id: bytes
    header_length: int
    payload_length: int


def read_prelude(data: bytes) -> Prelude:
    """The fixed-size fields, for diagnostics only: nothing here is authenticated yet."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) < PRELUDE_BYTES:
        raise BundleRejected("This is not a Roundtable exchange file (it is too short).")
    magic, version, suite, key_id, header_len, payload_len = PRELUDE.unpack_from(data, 0)
    if magic != MAGIC:
        raise BundleRejected("This is not a Roundtable exchange file.")
    return Prelude(version, suite, bytes(key_id), header_len, payload_len)


# --- header validation (shared by seal and open) ---------------------------------------------
def _id_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_CHARS or not value.isprintable():
        raise ValueError(f"{what} must be 1-{MAX_ID_CHARS} printable characters")
    return value


def _int_in(value: object, low: int, high: int, what: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{what} must be an integer from {low} to {high}")
    return value


def _version_pair(value: object, what: str) -> None:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"{what} must be [major, minor]")
    for part in value:
        _int_in(part, 0, MAX_U16, what)


def _validate_caller_fields(header: dict[str, Any]) -> None:
    _id_text(header["bundle_id"], "bundle_id")
    _id_text(header["sender"], "sender")
    _id_text(header["stream"], "stream")
    _int_in(header["sequence"], 0, MAX_I64, "sequence")
    _int_in(header["created_hlc"], 0, MAX_I64, "created_hlc")
    _version_pair(header["schema"], "schema")
    _version_pair(header["min_reader"], "min_reader")
    _int_in(header["registry_version"], 0, MAX_I64, "registry_version")


def _validate_recipients(value: object) -> list[tuple[str, bytes]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_RECIPIENTS:
        raise ValueError(f"recipients must be a list of 1-{MAX_RECIPIENTS} entries")
    out: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"device", "key_id"}:
            raise ValueError("each recipient must be {device, key_id}")
        device = _id_text(entry["device"], "recipient device")
        if device in seen:
            raise ValueError("a recipient is listed twice")
        seen.add(device)
        out.append((device, b64_exact(entry["key_id"], KEY_ID_BYTES, "recipient key_id")))
    return out


def validate_header(header: object) -> tuple[dict[str, Any], list[tuple[str, bytes]], list[bytes]]:
    """(header, recipients as (device, key id), wrapped keys) -- or ``ValueError``."""
    if not isinstance(header, dict) or set(header) != SIGNED_HEADER_FIELDS:
        raise ValueError("header has missing or unexpected fields")
    _validate_caller_fields(header)
    recipients = _validate_recipients(header["recipients"])
    wrapped = header["wrapped_keys"]
    if not isinstance(wrapped, list) or len(wrapped) != len(recipients):
        raise ValueError("there must be one wrapped key per recipient")
    keys = [b64_exact(w, WRAPPED_KEY_BYTES, "wrapped key") for w in wrapped]
    return header, recipients, keys


# --- binding values ------------------------------------------------------------------------------
def wrap_info(signer_key_id: bytes, header: dict[str, Any], recipient_key_id: bytes) -> bytes:
    """The HPKE ``info`` of one recipient's wrapped key (module invariants of ``bundle``)."""
    bound = {k: v for k, v in header.items() if k != "wrapped_keys"}
    return (
        _WRAP_DOMAIN
        + signer_key_id
        + hashlib.sha256(canonical_dumps(bound)).digest()
        + recipient_key_id
    )


def chunk_nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def chunk_aad(prelude: bytes, header_bytes: bytes) -> bytes:
    """Every fixed field of the prelude except the payload length, and the header's hash.

    The payload length is left out so a writer can stream chunks before it knows how many there
    will be; it is still signed, checked against the file size, and fixed by the chunk sequence
    (index and last flag in every nonce).
    """
    return bytes(prelude[:_AAD_PRELUDE_BYTES]) + hashlib.sha256(header_bytes).digest()


def signature_message(digest: bytes) -> bytes:
    """What the Ed25519 signature at the end of the file signs, from ``digest``: SHA-512 of every
    byte before the signature."""
    return SIG_DOMAIN + digest


def payload_layout(payload_len: int) -> int | None:
    """The number of chunks a payload of this length holds, or None if no layout fits."""
    full = CHUNK_BYTES + TAG_BYTES
    n_full, rest = divmod(payload_len, full)
    if rest == 0:
        return n_full if n_full > 0 else None
    if rest < TAG_BYTES:
        return None
    return n_full + 1


# --- file-like objects ---------------------------------------------------------------------------
class WritableFile(Protocol):
    """What ``BundleWriter`` needs: write, seek and read back (``files.AtomicFile``, ``BytesIO``)."""

    def write(self, data: bytes, /) -> int: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def read(self, size: int, /) -> bytes: ...


class ReadableFile(Protocol):
    """What ``open_bundle_stream`` needs: an open binary file (or ``BytesIO``)."""

    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def read(self, size: int, /) -> bytes: ...


def read_exact(f: ReadableFile, n: int) -> bytes:
    """Up to ``n`` bytes from ``f`` (fewer only at the end of the file)."""
    parts: list[bytes] = []
    left = n
    while left > 0:
        piece = f.read(min(left, READ_BLOCK))
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...


def hash_blocks(f: ReadableFile, n: int, *hashes: Hash) -> int:
    """Read ``n`` bytes from ``f`` in blocks into every one of ``hashes`` (never all at once);
    returns how many bytes were missing (0 when the file held them all)."""
    left = n
    while left > 0:
        block = f.read(min(left, READ_BLOCK))
        if not block:
            break
        for h in hashes:
            h.update(block)
        left -= len(block)
    return left
