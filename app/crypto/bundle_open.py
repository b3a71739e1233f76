"""Opening an exchange file (the envelope of ``bundle``; its format in ``bundle_format``): every
check of the module invariants of ``app.crypto.bundle``, in their order, then decryption chunk by
chunk in a second pass.

Job: ``open_bundle_stream`` checks a file (a private copy, read twice) and gets it ready to
decrypt; ``open_bundle`` does the same for a bundle held in memory.

Invariants: raises only ``BundleRejected`` (or its subclasses ``NeedsNewerReader`` and
``SecurityAlert``) for anything wrong with the file, each with a message safe to show; nothing of
variable length is parsed before the signature over the whole file is verified.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.crypto._canonical import CanonicalError, canonical_dumps, strict_loads
from app.crypto.bundle_format import (
    ALLOWED_SUITES,
    ALLOWED_VERSIONS,
    CHUNK_BYTES,
    DATA_KEY_BYTES,
    HEADER_CAPS,
    HPKE_SUITE,
    MAX_BUNDLE_BYTES,
    MAX_HEADER_BYTES,
    PRELUDE_BYTES,
    TAG_BYTES,
    Prelude,
    ReadableFile,
    chunk_aad,
    chunk_nonce,
    hash_blocks,
    payload_layout,
    read_exact,
    read_prelude,
    signature_message,
    validate_header,
    wrap_info,
)
from app.crypto.identity import SIGNATURE_BYTES, DeviceKeys, verify
from app.models.errors import BundleRejected, NeedsNewerReader, SecurityAlert


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle that passed every check: its header, its plaintext and who signed it."""

    header: dict[str, Any]
    plaintext: bytes
    signer_key_id: bytes


_CHANGED = "The exchange file changed while it was being read; it was rejected."


@dataclass
class StreamedBundle:
    """A bundle whose signature, header, recipient and key have been checked; its content is
    decrypted by iterating ``chunks()``, which reads the file a second time.

    ``digest`` is SHA-512 of everything before the signature (the signed bytes): equal digests
    mean the same file. The second pass hashes again what it reads and refuses, before yielding
    the last piece, a file that differs from the one whose signature was checked.
    """

    header: dict[str, Any]
    signer_key_id: bytes
    digest: bytes
    size: int
    plaintext_length: int
    _file: ReadableFile = field(repr=False)
    _key: bytes = field(repr=False)
    _signed_head: bytes = field(repr=False)  # prelude and header, as hashed in the first pass
    _signature: bytes = field(repr=False)
    _n_chunks: int = 0

    def chunks(self) -> Iterator[bytes]:
        """The plaintext, one decrypted 64 KiB chunk at a time (``SecurityAlert`` on failure)."""
        f = self._file
        aead = ChaCha20Poly1305(self._key)
        prelude = self._signed_head[:PRELUDE_BYTES]
        aad = chunk_aad(prelude, self._signed_head[PRELUDE_BYTES:])
        again = hashlib.sha512(self._signed_head)
        f.seek(len(self._signed_head))
        signed_end = self.size - SIGNATURE_BYTES
        pos = len(self._signed_head)
        full = CHUNK_BYTES + TAG_BYTES
        for i in range(self._n_chunks):
            last = i == self._n_chunks - 1
            want = signed_end - pos if last else full
            sealed = read_exact(f, want)
            if len(sealed) != want:
                raise SecurityAlert(_CHANGED)
            again.update(sealed)
            pos += want
            try:
                piece = aead.decrypt(chunk_nonce(i, last), sealed, aad)
            except InvalidTag as exc:
                raise SecurityAlert(
                    "The exchange file's content does not decrypt, although the file is signed "
                    "by a trusted workstation."
                ) from exc
            if last:
                signature = read_exact(f, SIGNATURE_BYTES + 1)
                if signature != self._signature or again.digest() != self.digest:
                    raise SecurityAlert(_CHANGED)
            yield piece


def _read_frame(f: ReadableFile, max_size: int) -> tuple[int, bytes, Prelude, bool]:
    """Steps 1-3 of opening: (file size, prelude bytes, prelude, written by a newer format)."""
    # 1. size cap
    size = f.seek(0, os.SEEK_END)
    if size > max_size:
        raise BundleRejected("The exchange file is larger than the allowed maximum.")
    # 2. fixed fields
    f.seek(0)
    prelude_bytes = read_exact(f, PRELUDE_BYTES)
    prelude = read_prelude(prelude_bytes)
    # A newer format is kept aside for a newer Roundtable -- but only once its signature is known
    # to be a panel workstation's (the prelude, the lengths and the trailing signature are the
    # same in every format), so a stranger cannot fill the disk with "newer" files (issue 12).
    newer = prelude.version not in ALLOWED_VERSIONS and prelude.version > max(ALLOWED_VERSIONS)
    if prelude.version not in ALLOWED_VERSIONS and not newer:
        raise BundleRejected("The exchange file has an unknown format version.")
    if prelude.suite not in ALLOWED_SUITES and not newer:
        raise BundleRejected("The exchange file uses an encryption suite this version refuses.")
    # 3. lengths add up exactly; header cap
    if prelude.header_length > MAX_HEADER_BYTES:
        raise BundleRejected("The exchange file's header is larger than allowed.")
    expected = PRELUDE_BYTES + prelude.header_length + prelude.payload_length + SIGNATURE_BYTES
    if expected != size:
        raise BundleRejected(
            "The exchange file is incomplete or has extra data (its lengths do not match its size)."
        )
    return size, prelude_bytes, prelude, newer


def _check_signature(
    f: ReadableFile, prelude_bytes: bytes, prelude: Prelude, size: int, sign_pub: bytes
) -> tuple[bytes, bytes, bytes]:
    """Step 5 of opening: (header bytes, SHA-512 digest of the signed part, signature)."""
    # 5. signature over everything before it (read in blocks), before parsing anything of
    #    variable length; the prelude and header are kept exactly as hashed
    header_end = PRELUDE_BYTES + prelude.header_length
    signed_end = size - SIGNATURE_BYTES
    hashed = hashlib.sha512(prelude_bytes)
    header_bytes = read_exact(f, prelude.header_length)
    hashed.update(header_bytes)
    left = hash_blocks(f, signed_end - header_end, hashed)
    signature = read_exact(f, SIGNATURE_BYTES + 1)
    if left or len(header_bytes) != prelude.header_length or len(signature) != SIGNATURE_BYTES:
        raise BundleRejected(_CHANGED)
    digest = hashed.digest()
    if not verify(sign_pub, signature_message(digest), signature):
        raise BundleRejected(
            "The exchange file's signature is not valid: it was damaged or altered after signing."
        )
    return header_bytes, digest, signature


def _unwrap_for_me(
    me: DeviceKeys, me_device_id: str, prelude: Prelude, header: dict[str, Any],
    recipients: list[tuple[str, bytes]], wrapped: list[bytes],
) -> bytes:
    """Steps 7-8 of opening: this workstation's data key, if the file is addressed to it."""
    # 7. addressed to this workstation, under its current key
    my_key_id = me.public().key_id
    index = next((i for i, (dev, _) in enumerate(recipients) if dev == me_device_id), None)
    if index is None:
        raise BundleRejected("The exchange file is not addressed to this workstation.")
    if recipients[index][1] != my_key_id:
        raise BundleRejected(
            "The exchange file is addressed to a different key of this workstation "
            "(were its keys replaced?)."
        )
    # 8. unwrap
    try:
        data_key = HPKE_SUITE.decrypt(
            wrapped[index],
            me.encryption,
            info=wrap_info(prelude.signer_key_id, header, my_key_id),
        )
    except (InvalidTag, ValueError) as exc:
        raise SecurityAlert(
            "The exchange file's key for this workstation does not open, although the file is "
            "signed by a trusted workstation."
        ) from exc
    if len(data_key) != DATA_KEY_BYTES:
        raise SecurityAlert("The exchange file's key for this workstation is malformed.")
    return data_key


def open_bundle_stream(
    f: ReadableFile,
    *,
    lookup_signer: Callable[[bytes], bytes | None],
    me_device_id: str,
    me: DeviceKeys,
    max_size: int = MAX_BUNDLE_BYTES,
    max_plaintext: int = MAX_BUNDLE_BYTES,
) -> StreamedBundle:
    """Check a bundle file and get ready to decrypt it; see the module invariants.

    First pass: size cap, fixed fields, lengths, signer, then the whole file hashed in blocks and
    the signature verified, before anything of variable length is parsed; then header, recipient,
    unwrap and plaintext cap. Decryption is the second pass (``StreamedBundle.chunks``). ``f`` is
    kept open by the caller until the chunks have been read; it should be a private copy.
    ``lookup_signer`` maps a signer key id to its Ed25519 public key, or None when the key is
    unknown, revoked or not allowed here.
    """
    size, prelude_bytes, prelude, newer = _read_frame(f, max_size)
    # 4. signer known
    sign_pub = lookup_signer(prelude.signer_key_id)
    if not isinstance(sign_pub, bytes) or len(sign_pub) != 32:
        raise BundleRejected(
            "The exchange file is not from a trusted workstation of this panel "
            "(unknown or revoked signer)."
        )
    header_bytes, digest, signature = _check_signature(f, prelude_bytes, prelude, size, sign_pub)
    if newer:
        raise NeedsNewerReader()
    # 6. header under hard caps
    try:
        parsed = strict_loads(header_bytes, HEADER_CAPS)
        header, recipients, wrapped = validate_header(parsed)
        if canonical_dumps(header) != header_bytes:
            raise ValueError("header is not in canonical form")
    except (CanonicalError, ValueError) as exc:
        raise BundleRejected("The exchange file's header is not valid.", details=str(exc)) from exc
    data_key = _unwrap_for_me(me, me_device_id, prelude, header, recipients, wrapped)
    # 9. plaintext cap, from the payload layout alone
    n_chunks = payload_layout(prelude.payload_length)
    if n_chunks is None:
        raise SecurityAlert("The exchange file's content has an impossible length.")
    plaintext_len = prelude.payload_length - n_chunks * TAG_BYTES
    if plaintext_len > max_plaintext:
        raise BundleRejected("The exchange file's content is larger than allowed.")
    # 10. (the caller) decrypt chunk by chunk: StreamedBundle.chunks()
    return StreamedBundle(
        header=header,
        signer_key_id=prelude.signer_key_id,
        digest=digest,
        size=size,
        plaintext_length=plaintext_len,
        _file=f,
        _key=data_key,
        _signed_head=prelude_bytes + header_bytes,
        _signature=signature,
        _n_chunks=n_chunks,
    )


def open_bundle(
    data: bytes,
    *,
    lookup_signer: Callable[[bytes], bytes | None],
    me_device_id: str,
    me: DeviceKeys,
    max_size: int = MAX_BUNDLE_BYTES,
    max_plaintext: int = MAX_BUNDLE_BYTES,
) -> OpenedBundle:
    """Check and open a bundle held in memory (small bundles and tests): ``open_bundle_stream``
    over the bytes, with the whole plaintext joined."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BundleRejected("This is not a Roundtable exchange file.")
    if len(data) > max_size:
        raise BundleRejected("The exchange file is larger than the allowed maximum.")
    streamed = open_bundle_stream(
        io.BytesIO(bytes(data)),
        lookup_signer=lookup_signer,
        me_device_id=me_device_id,
        me=me,
        max_size=max_size,
        max_plaintext=max_plaintext,
    )
    plaintext = b"".join(streamed.chunks())
    return OpenedBundle(
        header=streamed.header, plaintext=plaintext, signer_key_id=streamed.signer_key_id
    )
