"""The manifest: the first line of a payload, saying who sent it to whom, what it acknowledges and
how many operations follow.

Job: ``Manifest`` and its JSON form, ``parse_manifest`` (strict, capped) and
``check_manifest_matches`` (the manifest repeats the signed bundle header's fields, which must
agree). ``PayloadInvalid`` is the one error of the payload (``payload``) and its manifest.

Invariants: ``parse_manifest`` raises ``PayloadInvalid`` only; identifiers are printable ASCII of
bounded length, every number a non-negative integer within its range, audit witness digests 64
lower-case hex digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.crypto._canonical import CanonicalError, Caps, strict_loads
from app.crypto.bundle_format import HEADER_FIELDS
from app.models.sync_ops import MAX_ID

PAYLOAD_TYPE = "roundtable-sync-payload"
PAYLOAD_VERSION = 1
SCHEMA = (1, 1)  # [major, minor] of the operation format; minor versions only add
MIN_READER = (1, 0)
MIN_READER_CONTENT = (1, 1)  # a file carrying attachment content (1.1 added it)

MAX_LINE = 4 * 1024 * 1024  # any line of a payload; the manifest is the first
MAX_OPS = 2_000_000
MAX_ACKS = 100_000
MAX_RECEIVED = 4_096

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
# Optional (docs/sync.md, "Audit witnesses"): the sender's audit head; the recipient's head as the
# sender last witnessed it; and the sender's entry now at the seq the recipient last said it had
# seen of the sender ("" if the sender no longer has it). A file without them is read as before.
OPTIONAL_MANIFEST_FIELDS = frozenset({"audit_head", "witness", "proof", "content_count"})

_MANIFEST_CAPS = Caps(max_bytes=MAX_LINE, max_depth=4, max_items=4 * MAX_ACKS + 64, max_str=256)


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
    audit_head: tuple[int, str] | None = None  # the sender's (seq, hash) when it wrote the file
    witness: tuple[int, int, str] | None = None  # the recipient's (epoch, seq, hash) as last seen
    proof: tuple[int, str] | None = None  # the sender's (seq, hash now) of what the recipient saw
    content_count: int = 0  # lines of attachment content after the ops (absent from JSON when 0)

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
            **({"audit_head": list(self.audit_head)} if self.audit_head else {}),
            **({"witness": list(self.witness)} if self.witness else {}),
            **({"proof": list(self.proof)} if self.proof else {}),
            **({"content_count": self.content_count} if self.content_count else {}),
        }


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
    if not isinstance(doc, dict) or not MANIFEST_FIELDS <= set(doc) <= MANIFEST_FIELDS | OPTIONAL_MANIFEST_FIELDS:
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
        audit_head=_audit_point(doc["audit_head"], 2) if "audit_head" in doc else None,
        witness=_audit_point(doc["witness"], 3) if "witness" in doc else None,
        proof=_audit_point(doc["proof"], 2, missing_ok=True) if "proof" in doc else None,
        content_count=_int(doc["content_count"], "content count", MAX_OPS) if "content_count" in doc else 0,
    )


def _audit_point(value: object, size: int, *, missing_ok: bool = False) -> tuple[Any, ...]:
    """[seq, hash] (size 2) or [epoch, seq, hash] (size 3): integers, then 64 hex digits (or "",
    with ``missing_ok``: the sender has no such entry)."""
    if not isinstance(value, list) or len(value) != size:
        raise PayloadInvalid("the manifest's audit witness is not valid")
    *numbers, digest = value
    if not isinstance(digest, str) or not (
        (len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)) or (missing_ok and digest == "")
    ):
        raise PayloadInvalid("the manifest's audit witness is not valid")
    return (*(_int(n, "audit witness") for n in numbers), digest)


def check_manifest_matches(manifest: Manifest, header: dict[str, Any]) -> None:
    """The manifest's copy of the header fields must equal the signed header."""
    mine = manifest.as_json()
    for name in HEADER_FIELDS:  # each must equal the signed header's (authenticated separately)
        if mine[name] != header.get(name):
            raise PayloadInvalid(f"the manifest and the header disagree about {name}")
