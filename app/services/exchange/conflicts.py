"""Conflicts from exchange: listing them side by side, and the coordinator's resolution.

``list_conflicts(session) -> list[ConflictView]``: open conflicts with their candidates (value,
origin workstation, time). ``resolve_conflict(session, *, conflict_id, keep, merged_text)``: the
coordinator keeps one candidate (``keep=op_id``), keeps both (``keep="both"``: text values joined;
for assessments and contributions both versions stay) or merges text (``merged_text=...``). The
resolution is a ``resolve`` op that supersedes every candidate, so it closes the conflict on every
store it reaches. Officers see conflicts but may not resolve them.

Invariants: one transaction per resolution, audited; a deleted record is never restored by a
resolution (keep the delete, or create the record anew).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.models import sync_merge as merge
from app.models.entities import is_free_text
from app.models.errors import InvalidInput, NotFound, PermissionDenied, Refused
from app.services.context import Session
from app.storage import repo
from app.storage.schema import ENTITIES
from app.storage.sync import store as sync_store
from app.storage.sync.apply import Applier
from app.storage.writer import utc_now_iso


@dataclass(frozen=True)
class Candidate:
    op_id: str
    origin: str
    origin_name: str
    at: str  # ISO time from the op's clock
    value: object  # the field's value (register), or the record's fields (versions)


@dataclass(frozen=True)
class ConflictView:
    id: str
    kind: str  # concurrent | fork | risk | edit-after-delete
    entity: str
    record_id: str
    field: str | None
    case_id: str | None
    case_ref: str | None
    candidates: tuple[Candidate, ...]
    shown_op_id: str | None  # the provisional winner (register conflicts)
    can_resolve: bool  # this workstation is the coordinator's


def list_conflicts(session: Session) -> list[ConflictView]:
    hub = session.workstation.is_hub
    out = []
    with session.view() as conn:
        names: dict[str, str] = {str(m.id): m.name for m in repo.members(conn)}
        for row in sync_store.open_conflicts(conn):
            ids = json.loads(row.candidates)
            ops = sync_store.op_rows(conn, ids)
            cands = []
            for op_id in ids:
                op = ops.get(op_id)
                if op is None:
                    continue
                value = op.decoded()
                if row.field and op.kind in ("create", "set", "resolve") and row.kind == merge.CONCURRENT:
                    value = merge.field_value_of(
                        merge.Version(op.op_id, op.hlc, op.origin, op.kind, op.prev, op.value), row.field
                    )
                cands.append(Candidate(op.op_id, op.origin, names.get(op.origin, ""),
                                       utc_now_iso(op.hlc), value))
            shown = None
            if row.kind == merge.CONCURRENT and row.field:
                shown = max(cands, key=lambda c: (ops[c.op_id].key)).op_id if cands else None
            case = repo.get_row(conn, "case", row.case_id) if row.case_id else None
            out.append(ConflictView(row.id, row.kind, row.entity, row.record_id, row.field,
                                    row.case_id, case.ref if case else None, tuple(cands), shown, hub))
    return out


def resolve_conflict(
    session: Session, *, conflict_id: str, keep: str | None = None, merged_text: str | None = None
) -> str:
    """Resolve an open conflict; returns the id of the resolving op."""
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator resolves conflicts.")
    if (keep is None) == (merged_text is None):
        raise InvalidInput("Choose one version to keep, keep both, or give the merged text.")
    with session.change() as w:
        row = sync_store.conflict_row(w.conn, conflict_id)
        if row is None or row.status != "open":
            raise NotFound("There is no open conflict with that id.")
        cands: list[str] = json.loads(row.candidates)
        ops = sync_store.op_rows(w.conn, cands)
        spec = ENTITIES[row.entity]
        mode = "merge" if merged_text is not None else str(keep)
        if mode not in ("both", "merge") and mode not in cands:
            raise InvalidInput("That version is not one of the conflict's candidates.")
        resolved: object = None
        if row.kind == merge.CONCURRENT:
            kind = spec.fields[row.field]
            if mode in ("both", "merge") and (kind != "str" or not is_free_text(row.entity, row.field)):
                raise Refused("Only free text can be kept both or merged; keep one version.")
            pairs = [
                (c, merge.field_value_of(
                    merge.Version(c, ops[c].hlc, ops[c].origin, ops[c].kind, ops[c].prev, ops[c].value),
                    row.field,
                ))
                for c in sorted(cands, key=lambda c: ops[c].key)
            ]
            resolved = merge.resolved_value(mode, merged_text, pairs)
        elif row.kind == merge.EDIT_AFTER_DELETE:
            tomb_op = cands[0]
            if mode != tomb_op:
                raise Refused("A deleted record stays deleted; keep the delete, or create it anew.")
        elif mode == "merge":
            raise Refused("Versions of assessments and contributions cannot be merged here.")
        elif row.kind == merge.RISK and mode != "both":
            _copy_assessment(w, ops[mode].record_id)
        doc = {"candidates": sorted(cands), "keep": mode, "text": merged_text, "resolved": resolved}
        op_id = w._record_op(  # the Writer's one op writer; a resolve op has no other door
            kind="resolve", spec=spec, record_id=row.record_id, field=row.field, value=doc,
            prev=None, case_id=row.case_id, hlc=w.clock.tick(),
        )
        op = sync_store.op_rows(w.conn, [op_id])[op_id]
        applier = Applier(
            conn=w.conn, me=session.workstation.device_id,
            hub_origins=frozenset({session.workstation.device_id}), author=None,
            next_received=w.next_received,
            audit=lambda action, entity, rid, fields: w.audit.append(
                action=action, entity=entity, record_id=rid, fields=fields,
                at=utc_now_iso(w.clock.last),
            ),
        )
        applier._preload([op])
        tomb = applier._tomb(row.entity, row.record_id)
        applier._resolve(op, spec, tomb)
        applier.finish()
        w.record_event("resolve-conflict", row.entity, row.record_id, [f"conflict:{conflict_id}", mode if mode in ("both", "merge") else "keep-one"])
    return op_id


def _copy_assessment(w: object, assessment_id: str) -> None:
    """Keeping one of two concurrent assessments: a new version copying it, so it shows."""
    from app.storage.writer import Writer

    assert isinstance(w, Writer)
    row = repo.get_row(w.conn, "assessment", assessment_id)
    if row is None:
        raise NotFound("The assessment to keep is not on this store.")
    values = {k: getattr(row, k) for k in ENTITIES["assessment"].fields}
    for k in ("factors", "dimension_summaries"):
        values[k] = json.loads(values[k]) if values[k] else []
    values["version"] = int(row.version or 0) + 1
    values["supersedes"] = assessment_id
    w.create("assessment", values)
