"""Attachment content in an exchange file (issue 16; docs/sync.md, "Attachments").

Job: on export, say which attachments a file carries content for and yield their pieces; on
import, take the pieces that follow the ops, check them against the ``create`` operation of
their attachment in the same file (size and SHA-256), and store them when this store holds the
attachment's record and not yet its content.

Invariants:
- Content travels only with its record's ``create`` op, which the scope and restriction rules
  already selected (export) and the importer already authorised or scope-checked: an agency
  never receives the content of an attachment it may not see, and the hub stores content only
  for a record it accepted.
- Pieces are handled one at a time (1 MiB); a piece for an attachment the file does not create,
  out of order, or content whose size or digest differs from the record rejects the whole file
  (``PayloadInvalid``; the transaction rolls back).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from app.models.sync_ops import Op
from app.storage import attachments as store
from app.sync.manifest import PayloadInvalid


def carried(conn: Any, rowids: array[int]) -> tuple[list[str], int]:
    """The attachments an export's ops create whose content this store holds, and their pieces."""
    ids = store.carried_attachments(conn, rowids)
    return ids, store.pieces_of(conn, ids)


def pieces(conn: Any, attachment_ids: list[str]) -> Iterator[tuple[str, int, bytes]]:
    for aid in attachment_ids:
        for seq, data in enumerate(store.iter_content(conn, aid)):
            yield aid, seq, data


def declared(ops: Iterable[Op], out: dict[str, tuple[int, str]]) -> None:
    """Note the (size, digest) of every attachment ``create`` op among ``ops``."""
    for op in ops:
        if op.entity == "attachment" and op.kind == "create":
            values = op.decoded()
            if isinstance(values, dict):
                size, digest = values.get("size"), values.get("sha256")
                if isinstance(size, int) and isinstance(digest, str):
                    out[op.record_id] = (size, digest)


def take(conn: Any, content: Iterable[tuple[str, int, bytes]], carried: dict[str, tuple[int, str]]) -> int:
    """Check and store the pieces that follow the ops; returns the attachments stored."""
    stored = 0
    done: set[str] = set()
    current: str | None = None
    keep = False
    digest = hashlib.sha256()
    size = 0
    expected_seq = 0

    def finish() -> None:
        nonlocal stored
        if current is None:
            return
        want_size, want_digest = carried[current]
        if size != want_size or digest.hexdigest() != want_digest:
            raise PayloadInvalid("an attachment's content does not match its record")
        done.add(current)
        stored += 1 if keep else 0

    for aid, seq, data in content:
        if aid != current:
            finish()
            if aid not in carried or aid in done:
                raise PayloadInvalid("attachment content comes without its record")
            current, digest, size, expected_seq = aid, hashlib.sha256(), 0, 0
            keep = store.get_attachment(conn, aid) is not None and store.piece_count(conn, aid) == 0
        if seq != expected_seq:
            raise PayloadInvalid("an attachment's content is out of order")
        expected_seq += 1
        size += len(data)
        if size > carried[aid][0]:
            raise PayloadInvalid("an attachment's content does not match its record")
        digest.update(data)
        if keep:
            store.put_piece(conn, aid, seq, data)
    finish()
    return stored
