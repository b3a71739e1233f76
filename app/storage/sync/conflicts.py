"""Conflict records, recomputed from the operations a store holds (so every replica agrees).

Job: write the ``conflict`` rows of sync.md's merge table: concurrent register edits, forks of
immutable versions (two new versions of one contribution), concurrent risk assessments (two
assessments of one version of a case) and edits after a delete. Each refresh is a function of the
ops and records present, never of the order they arrived in.

Invariants:
- A conflict's id is ``sync.merge.conflict_id(entity, record, field, kind)``.
- A conflict is resolved exactly when a ``resolve`` op names all its current candidates; a new
  candidate arriving later reopens it.
- MUST run inside the caller's import or change transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import sync_merge as merge
from app.storage.schema import ENTITIES, conflict, op_log, tombstone


def _resolvers(conn: Connection, entity: str, record_id: str, field: str | None) -> list[tuple[str, set[str]]]:
    q = select(op_log.c.op_id, op_log.c.value).where(
        op_log.c.entity == entity, op_log.c.record_id == record_id, op_log.c.kind == "resolve"
    )
    q = q.where(op_log.c.field.is_(None) if field is None else op_log.c.field == field)
    out = []
    for op_id, value in conn.execute(q.order_by(op_log.c.hlc, op_log.c.origin, op_log.c.op_id)):
        doc = json.loads(value)
        out.append((str(op_id), set(doc.get("candidates", []))))
    return out


def write_conflict(
    conn: Connection,
    *,
    entity: str,
    record_id: str,
    field: str | None,
    kind: str,
    candidates: Sequence[str],
    case_id: str | None,
) -> str | None:
    """Upsert (or close) one conflict row; returns its id when it is open after the call."""
    cid = merge.conflict_id(entity, record_id, field, kind)
    existing = conn.execute(select(conflict.c.status).where(conflict.c.id == cid)).first()
    resolvers = _resolvers(conn, entity, record_id, field)
    cands = sorted(set(candidates))
    if len(cands) < 2:
        if existing is not None and existing[0] == "open":
            closer = resolvers[-1][0] if resolvers else None
            conn.execute(
                conflict.update()
                .where(conflict.c.id == cid)
                .values(status="resolved", resolved_by=closer)
            )
        return None
    closer = next((rid for rid, covered in resolvers if set(cands) <= covered), None)
    status = "resolved" if closer else "open"
    values = {
        "entity": entity,
        "record_id": record_id,
        "field": field,
        "kind": kind,
        "candidates": json.dumps(cands),
        "case_id": case_id,
        "status": status,
        "resolved_by": closer,
    }
    stmt = sqlite_insert(conflict).values(id=cid, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[conflict.c.id], set_=values))
    return cid if status == "open" else None


def refresh_risk(conn: Connection, case_id: str) -> str | None:
    """Two assessments of the same (latest) version of a case: a risk conflict."""
    a = ENTITIES["assessment"].table
    top = conn.execute(select(func.max(a.c.version)).where(a.c.case_id == case_id)).scalar()
    if top is None:
        return None
    ids = [
        str(r[0])
        for r in conn.execute(select(a.c.id).where(and_(a.c.case_id == case_id, a.c.version == top)))
    ]
    # Candidates are named by their create ops, so a resolution can cite them like any other.
    ops = _create_ops(conn, "assessment", ids)
    return write_conflict(
        conn,
        entity="case",
        record_id=case_id,
        field=None,
        kind=merge.RISK,
        candidates=ops,
        case_id=case_id,
    )


def refresh_fork(conn: Connection, superseded: str, case_id: str | None) -> str | None:
    """Two new versions of one contribution: a fork, shown side by side."""
    c = ENTITIES["contribution"].table
    ids = [str(r[0]) for r in conn.execute(select(c.c.id).where(c.c.supersedes == superseded))]
    return write_conflict(
        conn,
        entity="contribution",
        record_id=superseded,
        field="supersedes",
        kind=merge.FORK,
        candidates=_create_ops(conn, "contribution", ids),
        case_id=case_id,
    )


def refresh_edit_after_delete(conn: Connection, entity: str, record_id: str) -> str | None:
    tomb = conn.execute(
        select(tombstone.c.op_id, tombstone.c.hlc, tombstone.c.case_id).where(
            tombstone.c.entity == entity, tombstone.c.record_id == record_id
        )
    ).first()
    if tomb is None:
        return None
    late = [
        str(r[0])
        for r in conn.execute(
            select(op_log.c.op_id).where(
                op_log.c.entity == entity,
                op_log.c.record_id == record_id,
                op_log.c.kind.in_(("create", "set")),
                op_log.c.hlc > tomb.hlc,
            )
        )
    ]
    cands = [str(tomb.op_id), *late] if late else []
    return write_conflict(
        conn,
        entity=entity,
        record_id=record_id,
        field=None,
        kind=merge.EDIT_AFTER_DELETE,
        candidates=cands,
        case_id=tomb.case_id,
    )


def _create_ops(conn: Connection, entity: str, record_ids: list[str]) -> list[str]:
    if len(record_ids) < 2:
        return []
    rows = conn.execute(
        select(op_log.c.op_id).where(
            op_log.c.entity == entity,
            op_log.c.record_id.in_(record_ids),
            op_log.c.kind == "create",
        )
    )
    return [str(r[0]) for r in rows]


def open_conflict_ids(conn: Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute(select(conflict.c.id).where(conflict.c.status == "open"))}
