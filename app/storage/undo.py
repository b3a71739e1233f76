"""Undo records: a change that may be taken back until this workstation next writes an exchange
file (today: "Mark as held", ``app.services.meetings.minutes.unmark_held``).

An undo record is a local ``meta`` entry (inside the encrypted store; ``meta`` never travels in an
exchange file) holding, per record, the fields the change set as ``[before, after]`` column values,
and a marker of the exchange files written so far. Taking the change back restores a field only
while it still holds the value the change gave it (a later edit wins), and is refused once an
exchange file has been written since: the change may already be on another workstation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, select

from app.storage import meta as meta_store
from app.storage.codec import from_column
from app.storage.schema import ENTITIES, meta
from app.storage.sync.tables import sync_stream
from app.storage.writer import Writer

_PREFIX = "undo:"

FieldValues = dict[str, dict[str, Any]]  # record id -> field -> column value


def field_values(conn: Connection, entity: str, record_ids: Iterable[str]) -> FieldValues:
    """The column values of ``entity``'s synchronised fields for the given records."""
    spec = ENTITIES[entity]
    ids = sorted(set(record_ids))
    if not ids:
        return {}
    cols = [spec.table.c.id, *(spec.table.c[f] for f in spec.fields)]
    rows = conn.execute(select(*cols).where(spec.table.c.id.in_(ids)))
    return {str(r[0]): {f: r[i + 1] for i, f in enumerate(spec.fields)} for r in rows}


def differences(before: FieldValues, after: FieldValues) -> dict[str, dict[str, list[Any]]]:
    """Per record, the fields whose value changed, as ``[before, after]``."""
    out: dict[str, dict[str, list[Any]]] = {}
    for rid, fields in after.items():
        old = before.get(rid, {})
        changed = {f: [old.get(f), v] for f, v in fields.items() if old.get(f) != v}
        if changed:
            out[rid] = changed
    return out


def sent_marker(conn: Connection) -> str:
    """What exchange files this store has written so far (changes whenever one more is written)."""
    rows = conn.execute(select(sync_stream.c.peer, sync_stream.c.stream, sync_stream.c.last_seq)
                        .order_by(sync_stream.c.peer)).all()
    return json.dumps([[str(p), str(s), int(q)] for p, s, q in rows])


def save(conn: Connection, key: str, changes: dict[str, dict[str, dict[str, list[Any]]]]) -> None:
    """Remember ``changes`` (entity -> record -> field -> [before, after]) under ``key``."""
    meta_store.put(conn, _PREFIX + key, json.dumps({"sent": sent_marker(conn), "changes": changes}))


def load(conn: Connection, key: str) -> tuple[str, dict[str, dict[str, dict[str, list[Any]]]]] | None:
    raw = meta_store.get(conn, _PREFIX + key)
    if not raw:
        return None
    data = json.loads(raw)
    return str(data["sent"]), data["changes"]


def drop(conn: Connection, key: str) -> None:
    conn.execute(delete(meta).where(meta.c.key == _PREFIX + key))


def restore(w: Writer, changes: dict[str, dict[str, dict[str, list[Any]]]], *, audit_action: str) -> None:
    """Put back every field that still holds the value the change gave it."""
    for entity, records in changes.items():
        spec = ENTITIES[entity]
        now = field_values(w.conn, entity, records)
        for rid, fields in records.items():
            back = {f: from_column(spec.fields[f], old) for f, (old, new) in fields.items()
                    if rid in now and now[rid].get(f) == new}
            if back:
                w.update(entity, rid, back, audit_action=audit_action)
