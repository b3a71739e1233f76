"""Key/value facts about this store (ids, clock, counters, settings). Values are strings."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.storage.schema import meta


def get(conn: Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute(select(meta.c.value).where(meta.c.key == key)).first()
    return str(row[0]) if row else default


def put(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(meta).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": value}))


def get_int(conn: Connection, key: str, default: int = 0) -> int:
    v = get(conn, key)
    return int(v) if v is not None else default


def with_prefix(conn: Connection, prefix: str) -> dict[str, str]:
    """Every key starting with ``prefix`` (taken literally) and its value."""
    rows = conn.execute(
        select(meta.c.key, meta.c.value).where(meta.c.key.startswith(prefix, autoescape=True))
    )
    return {str(k): str(v) for k, v in rows}
