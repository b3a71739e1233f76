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

Job: ``BundleWriter`` and ``seal_bundle`` build such a file; ``bundle_open.open_bundle`` checks
and opens one (the invariants below are its); ``bundle_format`` holds what both share (constants,
the prelude, header validation, the binding values). The plaintext is opaque here (sync puts its
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

import hashlib
import io
import os
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.crypto._canonical import canonical_dumps
from app.crypto.bundle_format import (
    CHUNK_BYTES,
    DATA_KEY_BYTES,
    FORMAT_VERSION,
    HEADER_FIELDS,
    HPKE_SUITE,
    MAGIC,
    MAX_BUNDLE_BYTES,
    MAX_HEADER_BYTES,
    PRELUDE,
    PRELUDE_BYTES,
    SUITE_ED25519_X25519_CHACHA,
    WRAPPED_KEY_BYTES,
    WritableFile,
    chunk_aad,
    chunk_nonce,
    hash_blocks,
    signature_message,
    validate_header,
    wrap_info,
)
from app.crypto.fields import b64
from app.crypto.identity import SIGNATURE_BYTES, DeviceKeys, PublicIdentity
from app.models.errors import FileWriteError, InvalidInput


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
        {"device": device, "key_id": b64(identity.key_id)} for device, identity in recipients
    ]
    header["wrapped_keys"] = [b64(bytes(WRAPPED_KEY_BYTES))] * len(recipients)
    try:
        validate_header(header)
    except ValueError as exc:
        raise InvalidInput(f"The bundle header is not valid: {exc}.") from exc

    data_key = os.urandom(DATA_KEY_BYTES)
    wrapped = []
    for _device, identity in recipients:
        public_key = X25519PublicKey.from_public_bytes(identity.enc_pub)
        info = wrap_info(signer_key_id, header, identity.key_id)
        wrapped.append(b64(HPKE_SUITE.encrypt(data_key, public_key, info=info)))
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
        self._prelude = PRELUDE.pack(
            MAGIC, FORMAT_VERSION, SUITE_ED25519_X25519_CHACHA, key_id, len(header_bytes), 0
        )
        self._aead = ChaCha20Poly1305(data_key)
        self._aad = chunk_aad(self._prelude, header_bytes)
        self._buf = bytearray()
        self._index = 0
        self._payload_len = 0
        self._written = hashlib.sha512(header_bytes)
        self._done = False
        out.write(self._prelude)
        out.write(header_bytes)

    def _emit(self, chunk: bytes | bytearray, last: bool) -> None:
        sealed = self._aead.encrypt(chunk_nonce(self._index, last), bytes(chunk), self._aad)
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
        left = hash_blocks(self._out, self._header_len + self._payload_len, signed, reread)
        if left or reread.digest() != self._written.digest():
            raise FileWriteError("The exchange file changed on disk while it was being written.")
        self._out.seek(0, os.SEEK_END)
        self._out.write(self._signer.signing.sign(signature_message(signed.digest())))
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
