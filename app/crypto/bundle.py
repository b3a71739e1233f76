"""The exchange-file envelope of sync.md ("Bundle file"): sealed, signed, encrypted to recipients.

Layout (all integers big-endian)::

    prelude  magic b"\\x89RTB\\r\\n\\x1a\\n" (8) | format version u16 | suite id u16
             | signer key id (16) | header length u32 | payload length u64          = 40 bytes
    header   canonical JSON: bundle_id, sender, stream, sequence, created_hlc, schema,
             min_reader, registry_version, recipients [{device, key_id}], wrapped_keys [...]
    payload  ChaCha20-Poly1305 chunks of 64 KiB plaintext (+16-byte tag each) under a fresh
             random 32-byte data key; nonce = chunk index (11 bytes) | last-chunk flag (1 byte);
             associated data = prelude | SHA-256(header)
    signature Ed25519 over SIG_DOMAIN | SHA-512(prelude | header | payload)      = 64 bytes

Job: ``seal_bundle`` builds such a file; ``bundle_open.open_bundle`` checks and opens one (the
invariants below are its); ``read_prelude``
reads only the fixed-size fields for diagnostics. The plaintext is opaque here (sync puts its
manifest and operations in it).

Invariants:
- ``open_bundle`` checks, in this order, stopping at the first failure: size cap; magic, version
  and suite in an allow-list; length fields adding up exactly to the file size; header length cap;
  signer known (``lookup_signer``); the signature over the whole file -- all before any
  variable-length field is parsed; then the header under hard caps; this workstation listed as a
  recipient under its current key; unwrap; plaintext cap; decryption chunk by chunk.
- It raises only ``BundleRejected`` (or its subclasses ``NeedsNewerReader`` and ``SecurityAlert``)
  for anything wrong with the file, each with a message safe to show.
- The per-recipient HPKE wrapping (X25519, HKDF-SHA256, ChaCha20-Poly1305) takes as ``info`` the
  signer key id, a hash of the whole header except the wrapped keys (bundle id, sender, stream,
  sequence, recipient list, ...) and the recipient's key id: a wrapped key cannot be moved to
  another bundle or re-wrapped for someone who is not listed.
- Chunks are bound to their position and to the end of the stream: reordering, dropping,
  truncating or splicing chunks from another bundle fails authentication.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import struct
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.crypto._canonical import Caps, canonical_dumps
from app.crypto.identity import KEY_ID_BYTES, SIGNATURE_BYTES, DeviceKeys, PublicIdentity
from app.models.errors import (
    BundleRejected,
    FileWriteError,
    InvalidInput,
)

MAGIC = b"\x89RTB\r\n\x1a\n"
FORMAT_VERSION = 2  # 2: chunk associated data without the payload length (streamable)
SUITE_ED25519_X25519_CHACHA = 1
ALLOWED_VERSIONS = frozenset({FORMAT_VERSION})
ALLOWED_SUITES = frozenset({SUITE_ED25519_X25519_CHACHA})

_PRELUDE = struct.Struct(">8sHH16sIQ")
PRELUDE_BYTES = _PRELUDE.size  # 40
_AAD_PRELUDE_BYTES = PRELUDE_BYTES - 8  # all but the payload length
_READ_BLOCK = 1024 * 1024
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

_SIG_DOMAIN = b"roundtable/bundle-signature/v1\x00"
_WRAP_DOMAIN = b"roundtable/bundle-key-wrap/v1\x00"
_HPKE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)

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
_SIGNED_HEADER_FIELDS = frozenset({*HEADER_FIELDS, "recipients", "wrapped_keys"})
_HEADER_CAPS = Caps(
    max_bytes=MAX_HEADER_BYTES, max_depth=3, max_items=4 * MAX_RECIPIENTS + 64, max_str=256
)


# --- public results ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prelude:
    """The fixed-size fields at the start of a bundle (unauthenticated until the signature)."""

    version: int
    suite: int
    signer_key_id: bytes
    header_length: int
    payload_length: int


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


def _b64_exact(value: object, length: int, what: str) -> bytes:
    if not isinstance(value, str) or len(value) > 4 * length:
        raise ValueError(f"{what} is not valid base64")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if len(raw) != length or base64.b64encode(raw).decode("ascii") != value:
        raise ValueError(f"{what} has the wrong length")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


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
        out.append((device, _b64_exact(entry["key_id"], KEY_ID_BYTES, "recipient key_id")))
    return out


def _validate_header(header: object) -> tuple[dict[str, Any], list[tuple[str, bytes]], list[bytes]]:
    if not isinstance(header, dict) or set(header) != _SIGNED_HEADER_FIELDS:
        raise ValueError("header has missing or unexpected fields")
    _validate_caller_fields(header)
    recipients = _validate_recipients(header["recipients"])
    wrapped = header["wrapped_keys"]
    if not isinstance(wrapped, list) or len(wrapped) != len(recipients):
        raise ValueError("there must be one wrapped key per recipient")
    keys = [_b64_exact(w, WRAPPED_KEY_BYTES, "wrapped key") for w in wrapped]
    return header, recipients, keys


# --- binding values ------------------------------------------------------------------------------
def _wrap_info(signer_key_id: bytes, header: dict[str, Any], recipient_key_id: bytes) -> bytes:
    bound = {k: v for k, v in header.items() if k != "wrapped_keys"}
    return (
        _WRAP_DOMAIN
        + signer_key_id
        + hashlib.sha256(canonical_dumps(bound)).digest()
        + recipient_key_id
    )


def _chunk_nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _chunk_aad(prelude: bytes, header_bytes: bytes) -> bytes:
    """Every fixed field of the prelude except the payload length, and the header's hash.

    The payload length is left out so a writer can stream chunks before it knows how many there
    will be; it is still signed, checked against the file size, and fixed by the chunk sequence
    (index and last flag in every nonce).
    """
    return bytes(prelude[:_AAD_PRELUDE_BYTES]) + hashlib.sha256(header_bytes).digest()


def _signature_message(signed_part: bytes | memoryview) -> bytes:
    return _SIG_DOMAIN + hashlib.sha512(signed_part).digest()


def _sign_envelope(signer: DeviceKeys, unsigned: bytes) -> bytes:
    """``unsigned`` followed by its signature (tests use this to re-sign mutated files)."""
    return unsigned + signer.signing.sign(_signature_message(unsigned))


def _payload_layout(payload_len: int) -> int | None:
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


def _read_exact(f: ReadableFile, n: int) -> bytes:
    parts: list[bytes] = []
    left = n
    while left > 0:
        piece = f.read(min(left, _READ_BLOCK))
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)


# --- sealing -------------------------------------------------------------------------------------
def _prepare_header(
    header_fields: dict[str, Any],
    signer: DeviceKeys,
    recipients: list[tuple[str, PublicIdentity]],
) -> tuple[bytes, bytes, bytes]:
    """(signer key id, canonical header bytes, fresh data key) -- or ``InvalidInput``."""
    if not isinstance(header_fields, dict) or set(header_fields) != set(HEADER_FIELDS):
        raise InvalidInput("The bundle header needs exactly: " + ", ".join(HEADER_FIELDS) + ".")
    if not recipients:
        raise InvalidInput("A bundle needs at least one recipient.")
    signer_key_id = signer.public().key_id
    header: dict[str, Any] = dict(header_fields)
    header["recipients"] = [
        {"device": device, "key_id": _b64(identity.key_id)} for device, identity in recipients
    ]
    header["wrapped_keys"] = [_b64(bytes(WRAPPED_KEY_BYTES))] * len(recipients)
    try:
        _validate_header(header)
    except ValueError as exc:
        raise InvalidInput(f"The bundle header is not valid: {exc}.") from exc

    data_key = os.urandom(DATA_KEY_BYTES)
    wrapped = []
    for _device, identity in recipients:
        public_key = X25519PublicKey.from_public_bytes(identity.enc_pub)
        info = _wrap_info(signer_key_id, header, identity.key_id)
        wrapped.append(_b64(_HPKE.encrypt(data_key, public_key, info=info)))
    header["wrapped_keys"] = wrapped
    header_bytes = canonical_dumps(header)
    if len(header_bytes) > MAX_HEADER_BYTES:
        raise InvalidInput("The bundle header is too large.")
    return signer_key_id, header_bytes, data_key


class BundleWriter:
    """Seal a bundle into ``out`` while its plaintext is written in pieces (bounded memory).

    ``out`` must be empty and positioned at 0 (``files.atomic_writer`` gives one). The prelude is
    written with a zero payload length, then the header, then each 64 KiB chunk as soon as the
    next byte shows it is not the last. ``finish()`` seals the last chunk, patches the payload
    length, hashes the file by reading it back (the prelude comes first in the signed hash) and
    appends the signature. A running hash of what was written is compared with what is read back,
    so a file altered on disk before signing is never signed (``FileWriteError``).
    """

    def __init__(
        self,
        out: WritableFile,
        *,
        header_fields: dict[str, Any],
        signer: DeviceKeys,
        recipients: list[tuple[str, PublicIdentity]],
        max_size: int = MAX_BUNDLE_BYTES,
    ) -> None:
        key_id, header_bytes, data_key = _prepare_header(header_fields, signer, recipients)
        self._out = out
        self._signer = signer
        self._max_size = max_size
        self._header_len = len(header_bytes)
        self._prelude = _PRELUDE.pack(
            MAGIC, FORMAT_VERSION, SUITE_ED25519_X25519_CHACHA, key_id, len(header_bytes), 0
        )
        self._aead = ChaCha20Poly1305(data_key)
        self._aad = _chunk_aad(self._prelude, header_bytes)
        self._buf = bytearray()
        self._index = 0
        self._payload_len = 0
        self._written = hashlib.sha512(header_bytes)
        self._done = False
        out.write(self._prelude)
        out.write(header_bytes)

    def _emit(self, chunk: bytes | bytearray, last: bool) -> None:
        sealed = self._aead.encrypt(_chunk_nonce(self._index, last), bytes(chunk), self._aad)
        self._index += 1
        self._payload_len += len(sealed)
        total = PRELUDE_BYTES + self._header_len + self._payload_len + SIGNATURE_BYTES
        if total > self._max_size:
            raise InvalidInput("The bundle would be too large.")
        self._written.update(sealed)
        self._out.write(sealed)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._done:
            raise InvalidInput("The bundle is already sealed.")
        view = memoryview(data).cast("B")
        total = len(view)
        while view:
            if len(self._buf) == CHUNK_BYTES:
                self._emit(self._buf, last=False)
                self._buf = bytearray()
            take = CHUNK_BYTES - len(self._buf)
            self._buf += view[:take]
            view = view[take:]
        return total

    def finish(self) -> int:
        """Seal the last chunk and sign; returns the size of the bundle."""
        if self._done:
            raise InvalidInput("The bundle is already sealed.")
        self._done = True
        self._emit(self._buf, last=True)
        self._buf = bytearray()
        prelude = self._prelude[:-8] + self._payload_len.to_bytes(8, "big")
        self._out.seek(0)
        self._out.write(prelude)
        signed = hashlib.sha512(prelude)
        reread = hashlib.sha512()
        left = self._header_len + self._payload_len
        while left > 0:
            block = self._out.read(min(left, _READ_BLOCK))
            if not block:
                break
            signed.update(block)
            reread.update(block)
            left -= len(block)
        if left or reread.digest() != self._written.digest():
            raise FileWriteError("The exchange file changed on disk while it was being written.")
        self._out.seek(0, os.SEEK_END)
        self._out.write(self._signer.signing.sign(_SIG_DOMAIN + signed.digest()))
        return PRELUDE_BYTES + self._header_len + self._payload_len + SIGNATURE_BYTES


def seal_bundle(
    *,
    plaintext: bytes,
    header_fields: dict[str, Any],
    signer: DeviceKeys,
    recipients: list[tuple[str, PublicIdentity]],
) -> bytes:
    """Encrypt ``plaintext`` to ``recipients`` (device id, public identity) and sign as ``signer``.

    ``header_fields`` holds exactly bundle_id, sender, stream, sequence, created_hlc,
    schema [major, minor], min_reader [major, minor] and registry_version; this function adds
    recipients and wrapped_keys. Invalid input raises ``InvalidInput``. The in-memory form of
    ``BundleWriter`` (small bundles and tests).
    """
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise InvalidInput("The bundle content must be bytes.")
    out = io.BytesIO()
    writer = BundleWriter(out, header_fields=header_fields, signer=signer, recipients=recipients)
    writer.write(plaintext)
    writer.finish()
    return out.getvalue()


# --- reading the prelude (opening is ``bundle_open``) ----------------------------------------------
def read_prelude(data: bytes) -> Prelude:
    """The fixed-size fields, for diagnostics only: nothing here is authenticated yet."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) < PRELUDE_BYTES:
        raise BundleRejected("This is not a Roundtable exchange file (it is too short).")
    magic, version, suite, key_id, header_len, payload_len = _PRELUDE.unpack_from(data, 0)
    if magic != MAGIC:
        raise BundleRejected("This is not a Roundtable exchange file.")
    return Prelude(version, suite, bytes(key_id), header_len, payload_len)


