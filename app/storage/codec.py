"""Encoding of field values: Python domain values <-> JSON op values <-> column values.

Op values are plain JSON (str, int, bool, null, lists, objects); dates travel as ISO strings.
``canonical_json`` is the one serialisation used for op values and hashes (sorted keys, no spaces).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from enum import Enum
from typing import Any

from app.storage.schema import FieldKind


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_jsonable(value: Any) -> Any:
    """Domain value -> JSON value (dates as ISO, enums by value, sets sorted, tuples as lists)."""
    if isinstance(value, Enum):  # before str: our enums are str subclasses
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, bytes):
        raise TypeError("bytes are not a field value; encode them first")
    raise TypeError(f"cannot encode {type(value).__name__}")


def to_column(kind: FieldKind, value: Any) -> Any:
    """JSON op value -> column value."""
    if value is None:
        return None
    if kind == "json":
        return canonical_json(value)
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return str(value)


def from_column(kind: FieldKind, value: Any) -> Any:
    """Column value -> JSON op value."""
    if value is None:
        return None
    if kind == "json":
        return json.loads(value)
    if kind == "bool":
        return bool(value)
    return value


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    return dt.date.fromisoformat(str(value))
