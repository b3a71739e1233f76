"""Checks an export makes on the store's own operations before it seals them (docs/sync.md,
"Export").

- ``still_valid(conn, rowids) -> (rowids, left_out)`` — every selected operation is read back
  and checked with exactly the rule a recipient applies as it parses the file
  (``sync_ops.validate_op`` on its wire form: ids, clock, kind, entity, field, and every string
  against the field rules of ``models/fieldrules.py``). An operation that fails is left out of
  the file (counted, logged without content): one such op made the recipient reject every file
  until it was acknowledged away. The manifest states the count of operations before they are
  written, so this is a pass before writing, 1,000 ops at a time (8 bytes a kept op).
"""

from __future__ import annotations

import logging
from array import array
from typing import Any

from app.models.sync_ops import OpInvalid, validate_op
from app.storage.sync import selection

log = logging.getLogger(__name__)


def still_valid(conn: Any, rowids: array[int]) -> tuple[array[int], int]:
    if not rowids:
        return rowids, 0
    kept: array[int] = array("q")
    left_out = 0
    for rowid, op in zip(rowids, selection.ops_by_rowid(conn, rowids), strict=True):
        try:
            validate_op(op.to_wire())
        except OpInvalid as exc:
            left_out += 1
            log.warning("export: an operation of %s.%s left out: %s", op.entity, op.field or "*", exc)
            continue
        kept.append(rowid)
    return kept, left_out


__all__ = ["still_valid"]
