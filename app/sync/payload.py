"""The plaintext inside a bundle: manifest, registry, operations; built here and parsed under caps.

Layout (the plaintext that ``crypto.bundle`` encrypts and signs)::

    codec byte   0 = stored, 1 = zlib (compression happens inside the encryption)
    body         line 1: manifest (``manifest.Manifest``: canonical JSON, ``MANIFEST_FIELDS``)
                 line 2: the coordinator-signed registry document, or ``null``
                 then exactly ``op_count`` lines, one operation each (``ops.WIRE_FIELDS`` array)
                 then exactly ``content_count`` lines of attachment content (manifest field,
                 absent when 0): ``<attachment id> <piece number> <base64 of the piece>``
                 every line ends with ``\\n``; nothing may follow the last line

Attachment content (issue 16) follows the operations: the pieces of each attachment whose
``create`` operation is in the file, in order. A file carrying content needs reader ``[1, 1]``.

Both directions stream: ``write_payload`` compresses line by line into a sink (the bundle writer),
``PayloadReader`` parses from plaintext pieces (the bundle's decrypted chunks); ``build_payload``
and ``parse_payload`` are their in-memory forms.

Invariants:
- ``PayloadReader`` / ``parse_payload`` raise ``PayloadInvalid`` only, and never hold more than
  ``MAX_LINE`` bytes of one line or expand the body beyond ``MAX_EXPANDED`` (a zlib bomb stops at
  the cap); every JSON value is read with ``strict_loads`` (no duplicate keys, floats, or deep
  nesting); memory beyond one line and one batch is 8 bytes a slot of the seen-id table.
- The manifest repeats the signed header's fields; ``manifest.check_manifest_matches`` refuses
  any mismatch.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.models.sync_ops import MAX_ID, Op, OpInvalid, validate_op
from app.sync.manifest import MAX_LINE, Manifest, PayloadInvalid, parse_manifest

CODEC_STORED = 0
CODEC_ZLIB = 1
MAX_EXPANDED = 512 * 1024 * 1024
MAX_REGISTRY = 8 * 1024 * 1024
MAX_PIECE = 1024 * 1024  # one piece of an attachment's content, decoded

_OP_CAPS = Caps(max_bytes=MAX_LINE, max_depth=10, max_items=20_000, max_str=200_000)


@dataclass(frozen=True)
class Payload:
    manifest: Manifest
    registry: bytes | None  # the signed registry document, as canonical JSON bytes
    ops: tuple[Op, ...]


# --- building ----------------------------------------------------------------------------------
class PayloadWriter:
    """Writes the plaintext line by line to ``sink`` (a ``BundleWriter.write``), compressing on the
    fly: the payload is never whole in memory."""

    def __init__(self, sink: Callable[[bytes], object], *, compress: bool = True) -> None:
        self._sink = sink
        self._z = zlib.compressobj(6) if compress else None
        sink(bytes([CODEC_ZLIB if compress else CODEC_STORED]))

    def line(self, data: bytes) -> None:
        if self._z is None:
            self._sink(data + b"\n")
            return
        out = self._z.compress(data + b"\n")
        if out:
            self._sink(out)

    def close(self) -> None:
        if self._z is not None:
            self._sink(self._z.flush())


def write_payload(
    sink: Callable[[bytes], object],
    manifest: Manifest,
    registry: bytes | None,
    ops: Iterable[Op],
    *,
    compress: bool = True,
    content: Iterable[tuple[str, int, bytes]] = (),
) -> int:
    """Stream the plaintext to ``sink``; ``manifest.op_count`` must equal the number of ops and
    ``manifest.content_count`` the pieces of ``content`` ((attachment id, piece number, bytes))
    (``ValueError`` otherwise, after writing: the caller discards what it wrote)."""
    w = PayloadWriter(sink, compress=compress)
    w.line(canonical_dumps(manifest.as_json()))
    w.line(registry if registry is not None else b"null")
    n = 0
    for op in ops:
        w.line(canonical_dumps(op.to_wire()))
        n += 1
    if n != manifest.op_count:
        raise ValueError("manifest op_count does not match the operations")
    pieces = 0
    for attachment_id, seq, data in content:
        if len(data) > MAX_PIECE:
            raise ValueError("an attachment piece is larger than allowed")
        w.line(b"%s %d %s" % (attachment_id.encode("ascii"), seq, base64.b64encode(data)))
        pieces += 1
    if pieces != manifest.content_count:
        raise ValueError("manifest content_count does not match the attachment content")
    w.close()
    return n


def build_payload(
    manifest: Manifest, registry: bytes | None, ops: Iterable[Op], *, compress: bool = True,
    content: Iterable[tuple[str, int, bytes]] = (),
) -> bytes:
    """The plaintext for ``seal_bundle``, in memory (small payloads and tests)."""
    parts: list[bytes] = []
    write_payload(parts.append, manifest, registry, ops, compress=compress, content=content)
    return b"".join(parts)


# --- parsing -----------------------------------------------------------------------------------
def _expand(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The body, expanded piece by piece under ``MAX_EXPANDED``, from plaintext pieces."""
    it = iter(pieces)
    first = b""
    for p in it:
        if p:
            first = bytes(p)
            break
    if not first:
        raise PayloadInvalid("the content is empty")
    codec = first[0]

    def inputs() -> Iterator[bytes]:
        yield first[1:]
        yield from it

    total = 0
    if codec == CODEC_STORED:
        for p in inputs():
            total += len(p)
            if total > MAX_EXPANDED:
                raise PayloadInvalid("the content is larger than allowed")
            if p:
                yield bytes(p)
        return
    if codec != CODEC_ZLIB:
        raise PayloadInvalid("the content uses an unknown encoding")
    d = zlib.decompressobj()
    step = 256 * 1024
    try:
        for p in inputs():
            data: bytes = p
            while data:
                if d.eof:
                    raise PayloadInvalid("there is data after the compressed content")
                piece = d.decompress(data, step)
                total += len(piece)
                if total > MAX_EXPANDED:
                    raise PayloadInvalid("the content expands beyond the allowed size")
                if piece:
                    yield piece
                data = d.unconsumed_tail
                if d.unused_data:
                    raise PayloadInvalid("there is data after the compressed content")
        while not d.eof:  # output the decompressor still holds
            piece = d.decompress(b"", step)
            if not piece:
                raise PayloadInvalid("the compressed content is truncated")
            total += len(piece)
            if total > MAX_EXPANDED:
                raise PayloadInvalid("the content expands beyond the allowed size")
            yield piece
    except zlib.error as exc:
        raise PayloadInvalid("the compressed content is damaged") from exc
    if d.unused_data or d.unconsumed_tail:
        raise PayloadInvalid("there is data after the compressed content")


def _lines(pieces: Iterable[bytes]) -> Iterator[bytes]:
    buf = bytearray()
    for piece in _expand(pieces):
        buf += piece
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            if nl - start > MAX_LINE:
                raise PayloadInvalid("a line of the content is longer than allowed")
            yield bytes(buf[start:nl])
            start = nl + 1
        del buf[:start]
        if len(buf) > MAX_LINE:
            raise PayloadInvalid("a line of the content is longer than allowed")
    if buf:
        raise PayloadInvalid("the content does not end with a complete line")


class _SeenIds:
    """Which op ids a payload has shown, in 8 bytes per slot rather than a set of strings.

    An open-addressing table sized from the manifest's op count (load at most 1/2: the parser
    refuses more ops than the manifest announces). Each id is hashed with a per-payload random
    key to 128 bits: 64 choose the slot, 64 are stored, so two different ids are taken for the
    same only with probability about 2^-60 per file -- and a retry draws a new key.
    """

    def __init__(self, expected: int) -> None:
        size = 16
        while size < 2 * expected:
            size *= 2
        self._mask = size - 1
        self._slots = array("Q", bytes(8 * size))
        self._key = os.urandom(16)

    def add(self, op_id: str) -> bool:
        """True the first time ``op_id`` is seen, False after."""
        d = hashlib.blake2b(op_id.encode(), digest_size=16, key=self._key).digest()
        i = int.from_bytes(d[:8], "little") & self._mask
        tag = int.from_bytes(d[8:], "little") or 1
        slots = self._slots
        while True:
            v = slots[i]
            if v == 0:
                slots[i] = tag
                return True
            if v == tag:
                return False
            i = (i + 1) & self._mask



class PayloadReader:
    """Parse a payload from plaintext pieces, streaming: the manifest and registry at once, then
    the ops one by one (``ops``) or in batches (``batches``), each validated as it comes.

    Only one line (at most ``MAX_LINE``) and one table of seen op ids (8 bytes a slot) are held;
    the counts and the end of the content are checked when the ops have been read to the end.
    Raises ``PayloadInvalid`` only (and whatever the piece source raises, e.g. a decryption
    failure).
    """

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._lines = _lines(pieces)
        try:
            self.manifest = parse_manifest(next(self._lines))
            reg_line = next(self._lines)
        except StopIteration as exc:
            raise PayloadInvalid("the content is incomplete") from exc
        if reg_line == b"null":
            self.registry: bytes | None = None
        elif len(reg_line) > MAX_REGISTRY or not reg_line.startswith(b"{"):
            raise PayloadInvalid("the registry in the content is not valid")
        else:
            self.registry = reg_line
        self._started = False

    def ops(self) -> Iterator[Op]:
        """Every op, validated; then the checks of the whole (count, nothing after the ops)."""
        if self._started:
            raise RuntimeError("the operations can be read once")
        self._started = True
        expected = self.manifest.op_count
        seen = _SeenIds(expected)
        n = 0
        while n < expected:
            line = next(self._lines, None)
            if line is None:
                raise PayloadInvalid("the content holds fewer operations than its manifest says")
            try:
                op = validate_op(strict_loads(line, _OP_CAPS))
            except CanonicalError as exc:
                raise PayloadInvalid("an operation is not valid JSON within the limits") from exc
            except OpInvalid as exc:
                raise PayloadInvalid(str(exc)) from exc
            if not seen.add(op.op_id):
                raise PayloadInvalid("an operation appears twice in the content")
            n += 1
            yield op
        if not self.manifest.content_count:
            self._end("operations")

    def _end(self, after: str) -> None:
        """Nothing may follow the last line (reading to the end also checks the compression)."""
        for _ in self._lines:
            raise PayloadInvalid(f"the content holds more {after} than its manifest says")

    def content(self) -> Iterator[tuple[str, int, bytes]]:
        """The attachment content after the ops (read them first): exactly the manifest's
        ``content_count`` pieces, each (attachment id, piece number, bytes), one at a time; then
        the check that nothing follows."""
        if not self._started:
            raise RuntimeError("the operations must be read first")
        for _ in range(self.manifest.content_count):
            line = next(self._lines, None)
            if line is None:
                raise PayloadInvalid("the content holds fewer attachment pieces than its manifest says")
            yield _piece(line)
        if self.manifest.content_count:
            self._end("attachment pieces")

    def batches(self, size: int, max_bytes: int = 1024 * 1024) -> Iterator[list[Op]]:
        """The ops in lists of at most ``size`` ops or about ``max_bytes`` of values (large notes
        make small batches); the last list is yielded after the final checks."""
        batch: list[Op] = []
        held = 0
        for op in self.ops():
            batch.append(op)
            held += len(op.value or "") + 200
            if len(batch) >= size or held >= max_bytes:
                yield batch
                batch = []
                held = 0
        if batch:
            yield batch


def _piece(line: bytes) -> tuple[str, int, bytes]:
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 6:
        raise PayloadInvalid("a piece of attachment content is not valid")
    try:
        attachment_id = parts[0].decode("ascii")
        data = base64.b64decode(parts[2], validate=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadInvalid("a piece of attachment content is not valid") from exc
    if not 1 <= len(attachment_id) <= MAX_ID or not attachment_id.isprintable():
        raise PayloadInvalid("a piece of attachment content is not valid")
    if not 1 <= len(data) <= MAX_PIECE:
        raise PayloadInvalid("a piece of attachment content is not valid")
    return attachment_id, int(parts[1]), data


def parse_payload(plaintext: bytes) -> Payload:
    """Parse and validate a whole decrypted payload in memory; ``PayloadInvalid`` on anything
    wrong (``PayloadReader`` is the streaming form)."""
    reader = PayloadReader([plaintext])
    ops = tuple(reader.ops())
    for _ in reader.content():
        pass
    return Payload(manifest=reader.manifest, registry=reader.registry, ops=ops)

