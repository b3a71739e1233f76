"""Canonical JSON for signed or authenticated structures, and a strict, capped JSON reader.

Job: one way to turn a JSON value into bytes (sorted keys, no whitespace, UTF-8, no floats) so a
signature or an AEAD binding covers exactly one byte string; and one parser for untrusted input
that refuses what we never write.

Invariants:
- ``canonical_dumps`` accepts only ``dict`` (``str`` keys), ``list``, ``str``, ``int`` (within
  signed 64 bits), ``bool`` and ``None``; anything else raises ``CanonicalError``.
- ``strict_loads`` refuses input larger than its cap, invalid UTF-8, duplicate keys, floats,
  ``NaN``/``Infinity``, nesting deeper than ``max_depth``, more than ``max_items`` values in all,
  and strings longer than ``max_str``. It raises only ``CanonicalError``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


class CanonicalError(ValueError):
    """The value cannot be written canonically, or the input is not acceptable JSON."""


@dataclass(frozen=True)
class Caps:
    """Hard limits for ``strict_loads``."""

    max_bytes: int
    max_depth: int = 8
    max_items: int = 10_000
    max_str: int = 4_096


def _check_value(value: object, depth: int, max_depth: int) -> None:
    if depth > max_depth:
        raise CanonicalError("nested too deeply")
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise CanonicalError("integer out of range")
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_value(item, depth + 1, max_depth)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError("object keys must be strings")
            _check_value(item, depth + 1, max_depth)
        return
    raise CanonicalError(f"type {type(value).__name__} cannot be written canonically")


def canonical_dumps(value: object, *, max_depth: int = 64) -> bytes:
    """The one byte string for ``value``: sorted keys, compact separators, UTF-8, no floats."""
    _check_value(value, 0, max_depth)
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise CanonicalError("text is not valid Unicode") from exc


def _no_float(_text: str) -> Any:
    raise CanonicalError("floating-point numbers are not allowed")


def _no_constant(_text: str) -> Any:
    raise CanonicalError("NaN and Infinity are not allowed")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CanonicalError("duplicate key")
        out[key] = value
    return out


def _walk(value: object, depth: int, caps: Caps, count: list[int]) -> None:
    count[0] += 1
    if count[0] > caps.max_items:
        raise CanonicalError("too many values")
    if depth > caps.max_depth:
        raise CanonicalError("nested too deeply")
    if isinstance(value, str):
        if len(value) > caps.max_str:
            raise CanonicalError("text value too long")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise CanonicalError("integer out of range")
    elif isinstance(value, list):
        for item in value:
            _walk(item, depth + 1, caps, count)
    elif isinstance(value, dict):
        for key, item in value.items():
            if len(key) > caps.max_str:
                raise CanonicalError("key too long")
            _walk(item, depth + 1, caps, count)
    else:  # pragma: no cover - json only yields the types above
        raise CanonicalError("unexpected value")


def _bracket_depth_ok(text: str, max_depth: int) -> bool:
    """Cheap pre-scan so the C parser never recurses deeper than we allow (strings skipped)."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth + 1:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def strict_loads(data: bytes, caps: Caps) -> Any:
    """Parse untrusted JSON bytes under ``caps``; raise ``CanonicalError`` on anything else."""
    if len(data) > caps.max_bytes:
        raise CanonicalError("too large")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise CanonicalError("not UTF-8") from exc
    if not _bracket_depth_ok(text, caps.max_depth):
        raise CanonicalError("nested too deeply")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except CanonicalError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, int digits limit
        raise CanonicalError("not valid JSON") from exc
    _walk(value, 0, caps, [0])
    return value
