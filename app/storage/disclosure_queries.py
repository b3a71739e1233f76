"""SQL for the disclosure log: the audit entries that record disclosures (``models.disclosures``).

Job: read audit entries by ``(action, entity)`` pairs — all of them from a time on, or only those
about one case — without scanning the whole log where an index can answer: a case's own entries
and a bundle's entries are looked up through ``ix_audit_record`` (entity, record id); entries
naming a case in their fields are searched within one entity's range of that index.

Read-only; nothing here writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from app.models.domain import AuditEntry
from app.models.ids import DeviceId, MemberId
from app.storage.schema import audit

Pair = tuple[str, str]  # (action, entity)


def _entry(r: Any) -> AuditEntry:
    return AuditEntry(
        seq=r.seq, at=r.at, actor=MemberId(r.actor) if r.actor else None,
        device=DeviceId(r.device) if r.device else None, action=r.action, entity=r.entity,
        record_id=r.record_id, fields=tuple(json.loads(r.fields)), prev_hash=r.prev_hash,
        hash=r.hash,
    )


def _pairs(pairs: Iterable[Pair]) -> Any:
    return or_(*(and_(audit.c.action == a, audit.c.entity == e) for a, e in pairs))


def entries_on(conn: Connection, pair: Pair, record_ids: Iterable[str]) -> list[AuditEntry]:
    """Entries of one kind on these records (by the record index)."""
    ids = sorted(set(record_ids))
    out: list[AuditEntry] = []
    action, entity = pair
    for i in range(0, len(ids), 500):
        q = select(audit).where(audit.c.entity == entity, audit.c.record_id.in_(ids[i:i + 500]),
                                audit.c.action == action)
        out += [_entry(r) for r in conn.execute(q)]
    return sorted(out, key=lambda e: e.seq)


def entries_naming(conn: Connection, pair: Pair, field: str) -> list[AuditEntry]:
    """Entries of one kind holding exactly this field (``case:<id>``), within the entity's range
    of the record index."""
    action, entity = pair
    needle = json.dumps(field)  # as the field is stored: a JSON string in a JSON list
    q = select(audit).where(audit.c.entity == entity, audit.c.action == action,
                            func.instr(audit.c.fields, needle) > 0)
    return [_entry(r) for r in conn.execute(q.order_by(audit.c.seq))]


_BUNDLE = re.compile(r'"bundle:([^"]+)"')


def _bundle_cases(rows: Iterable[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for record_id, fields in rows:
        found = _BUNDLE.search(fields)
        if found is not None:
            out.setdefault(found.group(1), []).append(str(record_id))
    return out


def entries_and_bundle_cases(
    conn: Connection, pairs: Sequence[Pair], part: Pair, *, since: str | None = None
) -> tuple[list[AuditEntry], dict[str, list[str]]]:
    """In one scan of the log: every entry of these kinds (as ``entries``), and bundle id -> the
    cases of the ``part`` entries naming it (record ids only: a first file to an agency can carry
    thousands of cases, so no whole entries are made for them)."""
    q = select(audit).where(_pairs([*pairs, part]))
    if since is not None:
        q = q.where(audit.c.at >= since)
    found: list[AuditEntry] = []
    parts: list[tuple[str, str]] = []
    for r in conn.execute(q.order_by(audit.c.seq)):
        if (r.action, r.entity) == part:
            parts.append((r.record_id, r.fields))
        else:
            found.append(_entry(r))
    return found, _bundle_cases(parts)


def bundle_cases_after(conn: Connection, part: Pair, export_seq: int, count: int) -> dict[str, list[str]]:
    """The same for the ``count`` entries that follow an export entry (the export appends its
    cases' entries straight after its own, in its transaction)."""
    action, entity = part
    q = select(audit.c.record_id, audit.c.fields).where(
        audit.c.seq > export_seq, audit.c.seq <= export_seq + count, audit.c.action == action,
        audit.c.entity == entity)
    return _bundle_cases(conn.execute(q.order_by(audit.c.seq)))


def case_markings(conn: Connection, case_ids: Iterable[str]) -> list[str]:
    """The protective markings of these cases (those still on the store)."""
    from app.storage.schema import case

    ids = sorted(set(case_ids))
    out: list[str] = []
    for i in range(0, len(ids), 500):
        out += [str(r[0]) for r in conn.execute(
            select(case.c.marking).where(case.c.id.in_(ids[i:i + 500])))]
    return out
