"""The SQL of the retention rule: facts about closed cases, and dropping purged content.

Job: (1) gather, in a few queries, what the retention review needs about every case in a
terminal status (ref, subject name, status, dates, the statuses it ever reached, its screening
outcomes); (2) list every record of one case; (3) after the service has deleted those records
through the ``Writer`` (tombstones, audit), drop what the log of operations still holds of them:
the values of their ``create``/``set``/``resolve`` ops are replaced by empty ones, so each op
stays as a compact, content-free tombstone (id, origin, counter, clock, entity, record, field
name) and per-origin counters keep no gaps; conflict rows and waiting ops of those records go.

Invariants:
- MUST run inside the caller's write transaction (``Session.change``).
- Never touches ``audit`` (append-only, chained) nor ``tombstone``/``record_state``/
  ``field_state`` (ids only; they make late edits of a deleted record lose, as sync.md says).
- A blanked op is still a well-formed op (``validate_op`` accepts it): a create holds ``{}``,
  a set holds ``null``, a resolve keeps its candidates and drops its text and value.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, or_, select, update

from app.storage.db import in_chunks
from app.storage.ref_queries import ref_order
from app.storage.schema import ENTITIES, conflict, op_log
from app.storage.sync.tables import sync_pending

# Entities that belong to a case through their ``case_id`` column, children before parents.
CASE_CHILDREN = (
    "action_update",
    "action",
    "contribution",
    "assessment",
    "plan",
    "consent",
    "screening",
    "status_change",
    "referral",
    "agenda_item",
    "linked_person",
    "attachment",  # its content goes with it (a trigger on the record; docs/records.md)
)


@dataclass(frozen=True)
class ClosedCaseFacts:
    case_id: str
    ref: str
    subject_id: str
    subject_name: str
    status: str
    opened: dt.date | None
    closed: dt.date | None
    last_change: dt.date | None  # date of the latest status change (fallback for ``closed``)
    reached: frozenset[str]  # every status the case has been in
    outcomes: tuple[str, ...]  # screening outcome ids, oldest decision first


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def closed_case_facts(conn: Connection, statuses: Sequence[str]) -> list[ClosedCaseFacts]:
    """Facts for every case whose status is one of ``statuses`` (the terminal ones)."""
    c, subj = ENTITIES["case"].table, ENTITIES["subject"].table
    sc, scr = ENTITIES["status_change"].table, ENTITIES["screening"].table
    rows = list(
        conn.execute(
            select(
                c.c.id, c.c.ref, c.c.subject_id, c.c.status, c.c.opened, c.c.closed,
                subj.c.forenames, subj.c.surname,
            )
            .select_from(c.outerjoin(subj, subj.c.id == c.c.subject_id))
            .where(c.c.status.in_(list(statuses)))
            .order_by(*ref_order(c.c.ref))
        )
    )
    ids = [str(r.id) for r in rows]
    reached: dict[str, set[str]] = {i: set() for i in ids}
    last: dict[str, str] = {}
    outcomes: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    for chunk in in_chunks(ids):
        for h in conn.execute(
            select(sc.c.case_id, sc.c.to_status, sc.c.from_status, sc.c.at).where(
                sc.c.case_id.in_(chunk)
            )
        ):
            reached[h.case_id].update(s for s in (h.to_status, h.from_status) if s)
            if h.at and str(h.at) > last.get(h.case_id, ""):
                last[h.case_id] = str(h.at)
        for o in conn.execute(
            select(scr.c.case_id, scr.c.outcome, scr.c.decided_on).where(scr.c.case_id.in_(chunk))
        ):
            outcomes[o.case_id].append((str(o.decided_on or ""), str(o.outcome)))
    out = []
    for r in rows:
        cid = str(r.id)
        name = f"{r.forenames or ''} {r.surname or ''}".strip()
        out.append(
            ClosedCaseFacts(
                case_id=cid,
                ref=str(r.ref or ""),
                subject_id=str(r.subject_id or ""),
                subject_name=name,
                status=str(r.status),
                opened=_date(r.opened),
                closed=_date(r.closed),
                last_change=_date(last.get(cid)),
                reached=frozenset({*reached[cid], str(r.status)}),
                outcomes=tuple(o for _, o in sorted(outcomes[cid])),
            )
        )
    return out


def case_records(conn: Connection, case_id: str) -> list[tuple[str, str]]:
    """(entity, id) of every record that belongs to the case, children first (not the case)."""
    out: list[tuple[str, str]] = []
    for entity in CASE_CHILDREN:
        t = ENTITIES[entity].table
        out += [(entity, str(r[0])) for r in conn.execute(select(t.c.id).where(t.c.case_id == case_id))]
    return out


def subject_in_other_use(conn: Connection, subject_id: str, case_id: str) -> bool:
    """Does any other case (or another case's referral) name this subject?"""
    c, ref = ENTITIES["case"].table, ENTITIES["referral"].table
    other_case = conn.execute(
        select(c.c.id).where(c.c.subject_id == subject_id, c.c.id != case_id).limit(1)
    ).first()
    other_ref = conn.execute(
        select(ref.c.id).where(ref.c.subject_id == subject_id, ref.c.case_id != case_id).limit(1)
    ).first()
    return other_case is not None or other_ref is not None


_BLANK_CREATE = "{}"
_BLANK_SET = "null"


def _blank_resolve(value: str | None) -> str:
    try:
        v = json.loads(value or "{}")
    except ValueError:
        v = {}
    cands = v.get("candidates") if isinstance(v, dict) else None
    keep = v.get("keep") if isinstance(v, dict) else None
    blank = {
        "candidates": cands if isinstance(cands, list) else [],
        "keep": keep if isinstance(keep, str) else "both",
        "text": "" if keep == "merge" else None,
        "resolved": None,
    }
    return json.dumps(blank, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def drop_content(
    conn: Connection, *, case_id: str, records: Iterable[tuple[str, str]]
) -> int:
    """Blank the values of every op of the case and of ``records``; returns ops blanked.

    Also removes conflict rows and waiting ops about them. The audit log is not touched."""
    recs = sorted(set(records))
    by_entity: dict[str, list[str]] = {}
    for entity, rid in recs:
        by_entity.setdefault(entity, []).append(rid)
    conds = [op_log.c.case_id == case_id]
    for entity, rids in by_entity.items():
        for chunk in in_chunks(rids):
            conds.append(and_(op_log.c.entity == entity, op_log.c.record_id.in_(chunk)))
    where = or_(*conds)
    blanked = 0
    for kind, value in (("create", _BLANK_CREATE), ("set", _BLANK_SET)):
        res = conn.execute(
            update(op_log).where(where, op_log.c.kind == kind).values(value=value)
        )
        blanked += res.rowcount or 0
    for r in list(conn.execute(select(op_log.c.op_id, op_log.c.value).where(where, op_log.c.kind == "resolve"))):
        conn.execute(
            update(op_log).where(op_log.c.op_id == r.op_id).values(value=_blank_resolve(r.value))
        )
        blanked += 1
    conn.execute(delete(conflict).where(conflict.c.case_id == case_id))
    ids = [rid for _, rid in recs] + [case_id]
    for chunk in in_chunks(ids):
        conn.execute(delete(conflict).where(conflict.c.record_id.in_(chunk)))
        conn.execute(delete(sync_pending).where(sync_pending.c.wait_record.in_(chunk)))
    return blanked
