"""A field's register: every version of it in ``op_log``, and writing the winner into the record
and ``field_state`` (the merge rules that choose it are ``app.models.sync_merge``).

Invariants: called inside the import transaction; ``field_state`` holds a field's winner only
when it is not the record's create op (the create's values need no entry).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import sync_merge as merge
from app.storage.codec import to_column
from app.storage.schema import EntitySpec, field_state, op_log, record_state


def versions(conn: Connection, entity: str, rid: str, name: str) -> list[merge.Version]:
    rows = conn.execute(
        select(
            op_log.c.op_id, op_log.c.hlc, op_log.c.origin, op_log.c.kind, op_log.c.prev,
            op_log.c.value, op_log.c.field,
        ).where(op_log.c.entity == entity, op_log.c.record_id == rid)
    )
    out = []
    for r in rows:
        if r.kind == "create" or (r.kind in ("set", "resolve") and r.field == name):
            out.append(merge.Version(r.op_id, int(r.hlc), r.origin, r.kind, r.prev, r.value))
    return out


def write_field(
    conn: Connection, entity: str, spec: EntitySpec, rid: str, name: str, op_id: str, hlc: int,
    origin: str, value: object,
) -> None:
    conn.execute(
        update(spec.table)
        .where(spec.table.c.id == rid)
        .values({name: to_column(spec.fields[name], value)})
    )
    created = conn.execute(
        select(record_state.c.op_id).where(
            record_state.c.entity == entity, record_state.c.record_id == rid
        )
    ).scalar()
    key = [field_state.c.entity, field_state.c.record_id, field_state.c.field]
    if created == op_id:
        conn.execute(
            delete(field_state).where(
                field_state.c.entity == entity,
                field_state.c.record_id == rid,
                field_state.c.field == name,
            )
        )
        return
    stmt = sqlite_insert(field_state).values(
        entity=entity, record_id=rid, field=name, op_id=op_id, hlc=hlc, origin=origin
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=key, set_={"op_id": op_id, "hlc": hlc, "origin": origin}
        )
    )
