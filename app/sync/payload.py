"""The plaintext inside a bundle: manifest, registry, operations; built here and parsed under caps.

Layout (the plaintext that ``crypto.bundle`` encrypts and signs)::

    codec byte   0 = stored, 1 = zlib (compression happens inside the encryption)
    body         line 1: manifest (canonical JSON object, ``MANIFEST_FIELDS`` exactly)
                 line 2: the coordinator-signed registry document, or ``null``
                 then exactly ``op_count`` lines, one operation each (``ops.WIRE_FIELDS`` array)
                 every line ends with ``\\n``; nothing may follow the last operation

There are no attachments in this version: a payload with anything after the operations is refused.

Invariants:
- ``parse_payload`` raises ``PayloadInvalid`` only, and never holds more than ``MAX_LINE`` bytes of
  one line or expands the body beyond ``MAX_EXPANDED`` (a zlib bomb stops at the cap); every JSON
  value is read with ``strict_loads`` (no duplicate keys, floats, or deep nesting).
- The manifest repeats the signed header's fields; ``check_manifest_matches`` refuses any mismatch.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.models.sync_ops import MAX_ID, Op, OpInvalid, validate_op

PAYLOAD_TYPE = "roundtable-sync-payload"
PAYLOAD_VERSION = 1
SCHEMA = (1, 0)  # [major, minor] of the operation format; minor versions only add
MIN_READER = (1, 0)

CODEC_STORED = 0
CODEC_ZLIB = 1
MAX_EXPANDED = 512 * 1024 * 1024
MAX_LINE = 4 * 1024 * 1024
MAX_OPS = 2_000_000
MAX_ACKS = 100_000
MAX_RECEIVED = 4_096
MAX_REGISTRY = 8 * 1024 * 1024

MANIFEST_FIELDS = frozenset(
    {
        "type",
        "version",
        "bundle_id",
        "sender",
        "recipient",
        "stream",
        "sequence",
        "sender_epoch",
        "created_hlc",
        "schema",
        "min_reader",
        "registry_version",
        "acks",
        "received",
        "op_count",
    }
)
# Fields that must equal the signed header's (the header is authenticated separately).
HEADER_MIRROR = (
    "bundle_id",
    "sender",
    "stream",
    "sequence",
    "created_hlc",
    "schema",
    "min_reader",
    "registry_version",
)

_MANIFEST_CAPS = Caps(max_bytes=MAX_LINE, max_depth=4, max_items=4 * MAX_ACKS + 64, max_str=256)
_OP_CAPS = Caps(max_bytes=MAX_LINE, max_depth=10, max_items=20_000, max_str=200_000)


class PayloadInvalid(ValueError):
    """The payload is malformed, oversized or inconsistent (the file is rejected whole)."""


@dataclass(frozen=True)
class Manifest:
    bundle_id: str
    sender: str
    recipient: str
    stream: str
    sequence: int
    sender_epoch: int
    created_hlc: int
    schema: tuple[int, int]
    min_reader: tuple[int, int]
    registry_version: int
    acks: tuple[tuple[str, int, int], ...]  # (origin, epoch, highest counter received)
    received: tuple[tuple[str, int], ...]  # (stream, highest sequence received on it)
    op_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "type": PAYLOAD_TYPE,
            "version": PAYLOAD_VERSION,
            "bundle_id": self.bundle_id,
            "sender": self.sender,
            "recipient": self.recipient,
            "stream": self.stream,
            "sequence": self.sequence,
            "sender_epoch": self.sender_epoch,
            "created_hlc": self.created_hlc,
            "schema": list(self.schema),
            "min_reader": list(self.min_reader),
            "registry_version": self.registry_version,
            "acks": [list(a) for a in self.acks],
            "received": [list(r) for r in self.received],
            "op_count": self.op_count,
        }


@dataclass(frozen=True)
class Payload:
    manifest: Manifest
    registry: bytes | None  # the signed registry document, as canonical JSON bytes
    ops: tuple[Op, ...]


# --- building ----------------------------------------------------------------------------------
def build_payload(
    manifest: Manifest, registry: bytes | None, ops: Iterable[Op], *, compress: bool = True
) -> bytes:
    """The plaintext for ``seal_bundle``. ``manifest.op_count`` must equal the number of ops."""
    parts = [canonical_dumps(manifest.as_json()), registry if registry is not None else b"null"]
    n = 0
    for op in ops:
        parts.append(canonical_dumps(op.to_wire()))
        n += 1
    if n != manifest.op_count:
        raise ValueError("manifest op_count does not match the operations")
    body = b"\n".join(parts) + b"\n"
    if compress:
        return bytes([CODEC_ZLIB]) + zlib.compress(body, 6)
    return bytes([CODEC_STORED]) + body


# --- parsing -----------------------------------------------------------------------------------
def _chunks(plaintext: bytes) -> Iterator[bytes]:
    """The body, expanded piece by piece under ``MAX_EXPANDED``."""
    if not plaintext:
        raise PayloadInvalid("the content is empty")
    codec, body = plaintext[0], memoryview(plaintext)[1:]
    if codec == CODEC_STORED:
        if len(body) > MAX_EXPANDED:
            raise PayloadInvalid("the content is larger than allowed")
        yield bytes(body)
        return
    if codec != CODEC_ZLIB:
        raise PayloadInvalid("the content uses an unknown encoding")
    d = zlib.decompressobj()
    total = 0
    data: bytes | memoryview = body
    try:
        while True:
            piece = d.decompress(data, 1 << 20)
            total += len(piece)
            if total > MAX_EXPANDED:
                raise PayloadInvalid("the content expands beyond the allowed size")
            if piece:
                yield piece
            data = d.unconsumed_tail
            if d.eof:
                break
            if not data and not piece:
                raise PayloadInvalid("the compressed content is truncated")
    except zlib.error as exc:
        raise PayloadInvalid("the compressed content is damaged") from exc
    if d.unused_data or d.unconsumed_tail:
        raise PayloadInvalid("there is data after the compressed content")


def _lines(plaintext: bytes) -> Iterator[bytes]:
    buf = bytearray()
    for piece in _chunks(plaintext):
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


def _id(value: object, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 2 * MAX_ID + 16:
        raise PayloadInvalid(f"the manifest's {what} is not valid")
    if not value.isascii() or not value.isprintable():
        raise PayloadInvalid(f"the manifest's {what} is not valid")
    return value


def _int(value: object, what: str, high: int = 2**63 - 1) -> int:
    if type(value) is not int or not 0 <= value <= high:
        raise PayloadInvalid(f"the manifest's {what} is not valid")
    return value


def _pair(value: object, what: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise PayloadInvalid(f"the manifest's {what} is not valid")
    return (_int(value[0], what, 0xFFFF), _int(value[1], what, 0xFFFF))


def parse_manifest(line: bytes) -> Manifest:
    try:
        doc = strict_loads(line, _MANIFEST_CAPS)
    except CanonicalError as exc:
        raise PayloadInvalid("the manifest is not valid JSON within the limits") from exc
    if not isinstance(doc, dict) or set(doc) != MANIFEST_FIELDS:
        raise PayloadInvalid("the manifest has missing or unexpected fields")
    if doc["type"] != PAYLOAD_TYPE or doc["version"] != PAYLOAD_VERSION:
        raise PayloadInvalid("the manifest is of an unknown type or version")
    acks_raw, received_raw = doc["acks"], doc["received"]
    if not isinstance(acks_raw, list) or len(acks_raw) > MAX_ACKS:
        raise PayloadInvalid("the manifest's acknowledgements are not valid")
    acks: list[tuple[str, int, int]] = []
    for a in acks_raw:
        if not isinstance(a, list) or len(a) != 3:
            raise PayloadInvalid("the manifest's acknowledgements are not valid")
        acks.append((_id(a[0], "acknowledgement"), _int(a[1], "epoch"), _int(a[2], "counter")))
    if not isinstance(received_raw, list) or len(received_raw) > MAX_RECEIVED:
        raise PayloadInvalid("the manifest's received list is not valid")
    received: list[tuple[str, int]] = []
    for r in received_raw:
        if not isinstance(r, list) or len(r) != 2:
            raise PayloadInvalid("the manifest's received list is not valid")
        received.append((_id(r[0], "stream"), _int(r[1], "sequence")))
    return Manifest(
        bundle_id=_id(doc["bundle_id"], "bundle id"),
        sender=_id(doc["sender"], "sender"),
        recipient=_id(doc["recipient"], "recipient"),
        stream=_id(doc["stream"], "stream"),
        sequence=_int(doc["sequence"], "sequence"),
        sender_epoch=_int(doc["sender_epoch"], "epoch"),
        created_hlc=_int(doc["created_hlc"], "clock"),
        schema=_pair(doc["schema"], "schema"),
        min_reader=_pair(doc["min_reader"], "minimum reader"),
        registry_version=_int(doc["registry_version"], "registry version"),
        acks=tuple(acks),
        received=tuple(received),
        op_count=_int(doc["op_count"], "operation count", MAX_OPS),
    )


def parse_payload(plaintext: bytes) -> Payload:
    """Parse and validate a decrypted payload; ``PayloadInvalid`` on anything wrong."""
    lines = _lines(plaintext)
    try:
        manifest = parse_manifest(next(lines))
        reg_line = next(lines)
    except StopIteration as exc:
        raise PayloadInvalid("the content is incomplete") from exc
    registry: bytes | None
    if reg_line == b"null":
        registry = None
    elif len(reg_line) > MAX_REGISTRY or not reg_line.startswith(b"{"):
        raise PayloadInvalid("the registry in the content is not valid")
    else:
        registry = reg_line
    ops: list[Op] = []
    seen: set[str] = set()
    for line in lines:
        if len(ops) >= manifest.op_count:
            raise PayloadInvalid("the content holds more operations than its manifest says")
        try:
            op = validate_op(strict_loads(line, _OP_CAPS))
        except CanonicalError as exc:
            raise PayloadInvalid("an operation is not valid JSON within the limits") from exc
        except OpInvalid as exc:
            raise PayloadInvalid(str(exc)) from exc
        if op.op_id in seen:
            raise PayloadInvalid("an operation appears twice in the content")
        seen.add(op.op_id)
        ops.append(op)
    if len(ops) != manifest.op_count:
        raise PayloadInvalid("the content holds fewer operations than its manifest says")
    return Payload(manifest=manifest, registry=registry, ops=tuple(ops))


def check_manifest_matches(manifest: Manifest, header: dict[str, Any]) -> None:
    """The manifest's copy of the header fields must equal the signed header."""
    mine = manifest.as_json()
    for name in HEADER_MIRROR:
        if mine[name] != header.get(name):
            raise PayloadInvalid(f"the manifest and the header disagree about {name}")
