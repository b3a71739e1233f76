"""Merge rules of sync.md as pure functions of sets of operations, so every replica agrees.

Job: the winner of a per-field register, the "heads" of a field (ops no other op has seen), the
identity of conflict records, the value a resolution chooses, and the edit-after-delete test.

Invariants:
- Every function is deterministic in its arguments only (no clock, no order of arrival).
- The register winner is the maximum (hlc, origin, op_id) among the heads, except that for
  hub-only fields an op from the coordinator's device outranks any other (a workstation's own
  provisional copy of its registry records never beats the coordinator's).
- A conflict's id depends only on (entity, record, field, kind), so every store names it alike.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_NS = uuid.UUID("8f5b7c3e-6d0a-4c1e-9a57-2f4b1d9e0c11")

CONCURRENT = "concurrent"
FORK = "fork"
RISK = "risk"
EDIT_AFTER_DELETE = "edit-after-delete"


@dataclass(frozen=True, slots=True)
class Version:
    """One op that wrote a register field: its order key, what it saw, and its value text."""

    op_id: str
    hlc: int
    origin: str
    kind: str  # create | set | resolve
    prev: str | None
    value: str | None  # canonical JSON of the field's value (for resolve: the resolve document)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.hlc, self.origin, self.op_id)


def rank(v: Version, *, hub_only: bool, hub_origins: frozenset[str]) -> tuple[int, int, str, str]:
    return (1 if hub_only and v.origin in hub_origins else 0, v.hlc, v.origin, v.op_id)


def superseded_by(v: Version) -> set[str]:
    """The op ids ``v`` saw and replaced."""
    out: set[str] = set()
    if v.prev:
        out.add(v.prev)
    if v.kind == "resolve" and v.value:
        doc = json.loads(v.value)
        out.update(doc.get("candidates", []))
    return out


def heads(versions: Iterable[Version]) -> list[Version]:
    """Versions no other version has seen (sorted by key)."""
    vs = list(versions)
    seen: set[str] = set()
    for v in vs:
        seen |= superseded_by(v)
    return sorted((v for v in vs if v.op_id not in seen), key=lambda v: v.key)


def winner(
    versions: Sequence[Version], *, hub_only: bool, hub_origins: frozenset[str]
) -> Version | None:
    hs = heads(versions)
    if not hs:
        return None
    return max(hs, key=lambda v: rank(v, hub_only=hub_only, hub_origins=hub_origins))


def conflicting(versions: Sequence[Version]) -> list[Version]:
    """The concurrent edits of a field: heads that are sets or resolutions (creates are roots)."""
    hs = [v for v in heads(versions) if v.kind != "create"]
    return hs if len(hs) > 1 else []


def conflict_id(entity: str, record_id: str, field: str | None, kind: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}\x00{entity}\x00{record_id}\x00{field or ''}"))


def field_value_of(v: Version, field: str) -> object:
    """The value a version gives ``field`` (a create holds every field)."""
    if v.value is None:
        return None
    data = json.loads(v.value)
    if v.kind == "create":
        return data.get(field) if isinstance(data, dict) else None
    if v.kind == "resolve":
        return data.get("resolved")
    return data


def resolved_value(keep: str, text: str | None, candidates: Sequence[tuple[str, object]]) -> object:
    """The value a resolution gives a register field.

    ``candidates``: (op id, value) in conflict order. ``keep`` is an op id, "both" (text values
    joined, newest last, for text fields) or "merge" (``text`` is the merged value).
    """
    if keep == "merge":
        return text
    if keep == "both":
        parts = [str(v) for _, v in candidates if v not in (None, "")]
        return "\n\n".join(dict.fromkeys(parts))
    for op_id, value in candidates:
        if op_id == keep:
            return value
    raise ValueError("the kept version is not one of the candidates")


def edit_after_delete(edit_hlc: int, delete_hlc: int) -> bool:
    """An edit stamped after the delete it did not see: a conflict for the coordinator."""
    return edit_hlc > delete_hlc

__all__ = [
    "CONCURRENT",
    "EDIT_AFTER_DELETE",
    "FORK",
    "RISK",
    "Version",
    "conflict_id",
    "conflicting",
    "edit_after_delete",
    "field_value_of",
    "heads",
    "rank",
    "resolved_value",
    "superseded_by",
    "winner",
]
