"""Operations as they travel: the ``Op`` value, its wire form, and validation of untrusted ops.

Job: one frozen value for an operation of the log (``storage.schema.op_log``), its compact wire form
(a JSON array, see ``WIRE_FIELDS``) and ``validate_op``, which checks an op from a file against the
entity registry (``app.models.entities``): types, kinds, lengths, known entities and fields, and
field values of the declared kind.

Invariants:
- ``validate_op`` raises ``OpInvalid`` (a ``ValueError``) and nothing else; its message names the
  problem, never a value.
- An op's ``value`` is canonical JSON text (or None), so every replica stores the same bytes.
- Pure: no I/O, no storage import.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from app.models.entities import KINDS, FieldKind
from app.models.fieldrules import field_problem, json_text_problem

OP_KINDS = frozenset({"create", "set", "delete", "evict", "resolve"})
MAX_ID = 64
MAX_STR = 200_000
MAX_JSON_ITEMS = 2_000
MAX_JSON_DEPTH = 6
MAX_EPOCH = 1_000_000
MAX_COUNTER = 2**53
MAX_HLC = 2**63 - 1

WIRE_FIELDS = (
    "op_id",
    "origin",
    "epoch",
    "counter",
    "hlc",
    "kind",
    "entity",
    "record_id",
    "field",
    "value",
    "prev",
    "case_id",
    "author",
)


class OpInvalid(ValueError):
    """An operation from a file that is malformed (the whole file is then rejected)."""


@dataclass(frozen=True, slots=True)
class Op:
    op_id: str
    origin: str
    epoch: int
    counter: int
    hlc: int
    kind: str
    entity: str
    record_id: str
    field: str | None
    value: str | None  # canonical JSON text
    prev: str | None
    case_id: str | None
    author: str | None

    @property
    def key(self) -> tuple[int, str, str]:
        """The total order of sync.md: (hlc, origin, op_id)."""
        return (self.hlc, self.origin, self.op_id)

    def decoded(self) -> Any:
        return None if self.value is None else json.loads(self.value)

    def to_wire(self) -> list[Any]:
        value = None if self.value is None else json.loads(self.value)
        return [
            self.op_id,
            self.origin,
            self.epoch,
            self.counter,
            self.hlc,
            self.kind,
            self.entity,
            self.record_id,
            self.field,
            value,
            self.prev,
            self.case_id,
            self.author,
        ]


def canonical(value: Any) -> str:
    """The one text of a JSON value (same as ``storage.codec.canonical_json``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- validation --------------------------------------------------------------------------------
def _ident(value: object, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_ID
        or not value.isascii()
        or not value.isprintable()
    ):
        raise OpInvalid(f"an operation has an invalid {what}")
    return value


def _int(value: object, low: int, high: int, what: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise OpInvalid(f"an operation has an invalid {what}")
    return value


def _json_ok(value: object, depth: int, budget: list[int]) -> bool:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_JSON_DEPTH:
        return False
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < 2**62
    if isinstance(value, str):
        return len(value) <= MAX_STR
    if isinstance(value, list):
        return all(_json_ok(v, depth + 1, budget) for v in value)
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and len(k) <= 200 and _json_ok(v, depth + 1, budget)
            for k, v in value.items()
        )
    return False


def value_ok(kind: FieldKind, value: object) -> bool:
    """Is ``value`` a well-formed JSON value for a field of ``kind``?"""
    if value is None:
        return True
    if kind == "str":
        return isinstance(value, str) and len(value) <= MAX_STR
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**62
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        if not isinstance(value, str) or len(value) != 10:
            return False
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, list | dict) and _json_ok(value, 0, [MAX_JSON_ITEMS])


def _resolve_value_ok(value: object, kind: FieldKind | None) -> bool:
    """``{"candidates", "keep", "text", "resolved"}``; ``resolved`` is the field's new value."""
    if not isinstance(value, dict) or set(value) != {"candidates", "keep", "text", "resolved"}:
        return False
    if kind is None and value["resolved"] is not None:
        return False
    if kind is not None and not value_ok(kind, value["resolved"]):
        return False
    cands = value["candidates"]
    if not isinstance(cands, list) or not 2 <= len(cands) <= 64:
        return False
    if not all(isinstance(c, str) and 1 <= len(c) <= MAX_ID for c in cands):
        return False
    keep = value["keep"]
    if not (keep in ("both", "merge") or keep in cands):
        return False
    text = value["text"]
    return (text is None and keep != "merge") or (
        isinstance(text, str) and keep == "merge" and len(text) <= MAX_STR
    )


def _check_text(entity: str, kind: str, field: object, value: object) -> None:
    """Every string the op would write obeys the rules of typed text (``models.fieldrules``):
    the field's length limit, no control characters, no lone surrogates."""
    spec = KINDS[entity]
    if kind == "create":
        items = list(value.items()) if isinstance(value, dict) else []
    elif kind == "set" and isinstance(field, str):
        items = [(field, value)]
    elif kind == "resolve" and isinstance(value, dict):
        problem = json_text_problem(value.get("candidates")) or json_text_problem(value.get("keep"))
        if problem is not None:
            raise OpInvalid(f"an operation's resolution {problem}")
        items = [(field, value["resolved"])] if isinstance(field, str) else []
        text = value.get("text")
        if isinstance(text, str) and isinstance(field, str):
            items.append((field, text))
        elif isinstance(text, str) and (problem := json_text_problem(text)) is not None:
            raise OpInvalid(f"an operation's resolution {problem}")
    else:
        items = []
    for name, v in items:
        if isinstance(v, str) and spec.fields[name] == "str":
            problem = field_problem(entity, name, v)
        elif isinstance(v, list | dict):
            problem = json_text_problem(v)
        else:
            continue
        if problem is not None:
            raise OpInvalid(f"an operation's {entity}.{name} {problem}")


def validate_op(raw: object) -> Op:
    """An ``Op`` from its wire form, or ``OpInvalid``."""
    if not isinstance(raw, list) or len(raw) != len(WIRE_FIELDS):
        raise OpInvalid("an operation is not a list of the expected length")
    (op_id, origin, epoch, counter, hlc, kind, entity, record_id, field, value, prev, case_id,
     author) = raw
    _ident(op_id, "id")
    _ident(origin, "origin")
    _int(epoch, 0, MAX_EPOCH, "epoch")
    _int(hlc, 1, MAX_HLC, "clock")
    if kind not in OP_KINDS:
        raise OpInvalid("an operation has an unknown kind")
    _int(counter, 0 if kind == "evict" else 1, MAX_COUNTER, "counter")
    if entity not in KINDS:
        raise OpInvalid("an operation names an unknown entity")
    spec = KINDS[entity]
    _ident(record_id, "record id")
    _ident(prev, "prev", optional=True)
    _ident(case_id, "case id", optional=True)
    _ident(author, "author", optional=True)
    if kind == "create":
        if field is not None or not isinstance(value, dict):
            raise OpInvalid("a create operation must carry an object of fields")
        for name, v in value.items():
            if name not in spec.fields:
                raise OpInvalid(f"an operation names an unknown field of {entity}")
            if not value_ok(spec.fields[name], v):
                raise OpInvalid(f"an operation has a value of the wrong type for {entity}.{name}")
    elif kind == "set":
        if spec.rule == "immutable":
            raise OpInvalid(f"{entity} records are immutable: a set operation is not allowed")
        if field not in spec.fields:
            raise OpInvalid(f"an operation names an unknown field of {entity}")
        if not value_ok(spec.fields[field], value):
            raise OpInvalid(f"an operation has a value of the wrong type for {entity}.{field}")
    elif kind in ("delete", "evict"):
        if field is not None or value is not None:
            raise OpInvalid(f"a {kind} operation carries no field or value")
        if kind == "evict" and entity != "case":
            raise OpInvalid("an evict operation must name a case")
    else:  # resolve
        if field is not None and field not in spec.fields:
            raise OpInvalid(f"an operation names an unknown field of {entity}")
        if not _resolve_value_ok(value, spec.fields[field] if field else None):
            raise OpInvalid("a resolve operation is malformed")
    _check_text(entity, kind, field, value)
    text = None if value is None and kind != "set" else canonical(value)
    return Op(
        op_id=op_id,
        origin=origin,
        epoch=epoch,
        counter=counter,
        hlc=hlc,
        kind=kind,
        entity=entity,
        record_id=record_id,
        field=field,
        value=text,
        prev=prev,
        case_id=case_id,
        author=author,
    )


def op_from_row(row: Any) -> Op:
    """An ``Op`` from an ``op_log`` row (trusted: our own store)."""
    return Op(
        op_id=row.op_id,
        origin=row.origin,
        epoch=int(row.epoch),
        counter=int(row.counter),
        hlc=int(row.hlc),
        kind=row.kind,
        entity=row.entity,
        record_id=row.record_id,
        field=row.field,
        value=row.value,
        prev=row.prev,
        case_id=row.case_id,
        author=row.author,
    )

__all__ = [
    "MAX_COUNTER",
    "MAX_EPOCH",
    "MAX_HLC",
    "MAX_ID",
    "MAX_JSON_DEPTH",
    "MAX_JSON_ITEMS",
    "MAX_STR",
    "OP_KINDS",
    "WIRE_FIELDS",
    "Op",
    "OpInvalid",
    "canonical",
    "op_from_row",
    "validate_op",
    "value_ok",
]
