"""Applying operations from an exchange file: merge rules, authorisation, pending ops (the
field registers in ``registers``, who may author what in ``authorise``).

Job: inside the import transaction, take validated ops (``sync.ops.Op``) and make this store's
records, ``op_log``, ``field_state``, ``record_state``, ``tombstone`` and ``conflict`` rows what
the merge rules of sync.md say they are, whatever order the ops arrive in.

Invariants:
- MUST run inside one ``BEGIN IMMEDIATE`` transaction; any ``BundleRejected`` raised here makes
  the caller roll the whole file back (nothing of it is kept).
- An op already in ``op_log`` or waiting in ``sync_pending`` is a duplicate and changes nothing.
- The case an op claims (``case_id``) must be the case its record belongs to on this store.
- Every record changed gets one audit entry (fields named, never values).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import sync_merge as merge
from app.models.errors import BundleRejected, SecurityAlert
from app.models.sync_ops import Op
from app.models.sync_scope import Author
from app.storage.codec import to_column
from app.storage.db import in_chunks
from app.storage.schema import ENTITIES, EntitySpec, op_log, record_state, tombstone
from app.storage.sync import conflicts, pending, registers
from app.storage.sync.authorise import authorisation_problem, is_hub_only_field
from app.storage.sync.tables import sync_peer_case, sync_pending
from app.storage.writer import current_winner

Audit = Callable[[str, str, str, list[str]], object]  # (action, entity, record id, fields)


@dataclass
class ApplyResult:
    applied: int = 0
    duplicates: int = 0
    waiting: int = 0
    released: int = 0
    touched: set[tuple[str, str]] = field(default_factory=set)  # (entity, record id)
    cases: set[str] = field(default_factory=set)
    conflicts: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)  # ops refused one by one (scope races)


@dataclass
class Applier:
    conn: Connection
    me: str
    hub_origins: frozenset[str]
    author: Author | None  # set on the hub for a file from a member: their ops are authorised
    next_received: Callable[[], int]
    audit: Audit
    # Set on an agency's store: may this store hold ``op``? Asked before an op is parked to wait
    # for its record, so nothing outside the agency's scope is written, waiting or not (issue 12).
    may_hold: Callable[[Op], bool] | None = None
    result: ApplyResult = field(default_factory=ApplyResult)
    # False for a streamed file: ``result.touched`` would grow with it; the caller reads the
    # records touched back from ``op_log`` (``sync_store.touched_since``) instead.
    track_touched: bool = True
    # the cases the programme's chair rule gives the author, whatever their sharing
    author_cases: frozenset[str] = frozenset()
    # Caches of the hot path (a 10,000-op import must stay near the SQL limit): which records
    # exist and are tombstoned, and buffered op_log/record_state rows (flushed before any query
    # that reads them). Audit entries are gathered per case and written at the end.
    _exists: set[tuple[str, str]] = field(default_factory=set)
    _absent: set[tuple[str, str]] = field(default_factory=set)
    _tombs: set[tuple[str, str]] = field(default_factory=set)
    _log_buf: list[dict[str, object]] = field(default_factory=list)
    _state_buf: list[dict[str, object]] = field(default_factory=list)
    _rows_buf: dict[tuple[str, tuple[str, ...]], list[dict[str, object]]] = field(
        default_factory=dict
    )
    _pending_possible: bool = True
    _audit_cases: dict[str, set[str]] = field(default_factory=dict)

    # --- lookups ----------------------------------------------------------------------------------
    def _row(self, spec: EntitySpec, rid: str) -> object | None:
        return self.conn.execute(select(spec.table).where(spec.table.c.id == rid)).first()

    def _tomb(self, entity: str, rid: str) -> object | None:
        if (entity, rid) not in self._tombs:
            return None
        return self.conn.execute(
            select(tombstone).where(tombstone.c.entity == entity, tombstone.c.record_id == rid)
        ).first()

    def _case_row(self, case_id: str | None) -> object | None:
        return self._row(ENTITIES["case"], case_id) if case_id else None

    def _has(self, entity: str, rid: str) -> bool:
        key = (entity, rid)
        if key in self._exists:
            return True
        if key in self._absent:
            return False
        t = ENTITIES[entity].table
        found = self.conn.execute(select(t.c.id).where(t.c.id == rid)).first() is not None
        (self._exists if found else self._absent).add(key)
        return found

    def _preload(self, ops: list[Op]) -> set[str]:
        c = self.conn
        ids = [op.op_id for op in ops]
        known: set[str] = set()
        for chunk in in_chunks(ids):
            known |= {str(r[0]) for r in c.execute(select(op_log.c.op_id).where(op_log.c.op_id.in_(chunk)))}
            known |= {
                str(r[0])
                for r in c.execute(select(sync_pending.c.op_id).where(sync_pending.c.op_id.in_(chunk)))
            }
        self._tombs = {(str(e), str(r)) for e, r in c.execute(select(tombstone.c.entity, tombstone.c.record_id))}
        wanted: dict[str, set[str]] = {}
        for op in ops:
            wanted.setdefault(op.entity, set()).add(op.record_id)
            if op.case_id:
                wanted.setdefault("case", set()).add(op.case_id)
        for entity, rids in wanted.items():
            t = ENTITIES[entity].table
            rid_list = sorted(rids)
            for chunk in in_chunks(rid_list):
                rows = c.execute(select(t.c.id).where(t.c.id.in_(chunk)))
                found = {(entity, str(r[0])) for r in rows}
                self._exists |= found
                self._absent |= {(entity, r) for r in chunk} - found
        self._pending_possible = bool(c.execute(select(func.count()).select_from(sync_pending)).scalar_one())
        return known

    def flush(self) -> None:
        for (entity, _cols), rows in self._rows_buf.items():
            self.conn.execute(insert(ENTITIES[entity].table), rows)
        self._rows_buf = {}
        if self._log_buf:
            self.conn.execute(insert(op_log), self._log_buf)
            self._log_buf = []
        if self._state_buf:
            self.conn.execute(insert(record_state), self._state_buf)
            self._state_buf = []

    # --- the loop ---------------------------------------------------------------------------------
    def apply_all(self, ops: list[Op]) -> ApplyResult:
        self.apply_batch(ops)
        self.finish()
        return self.result

    def apply_batch(self, ops: list[Op]) -> None:
        """Apply one batch of a file streamed in batches (in key order within the batch), then
        write it out and drop the per-batch caches, so memory does not grow with the file.
        Call ``finish`` after the last batch."""
        self._exists.clear()
        self._absent.clear()
        known = self._preload(ops)
        for op in sorted(ops, key=lambda o: o.key):
            if op.op_id in known:
                self.result.duplicates += 1
                continue
            self.apply_one(op)
        self.flush()

    def finish(self) -> None:
        self.flush()
        for case_id, entities in sorted(self._audit_cases.items()):
            self.audit("sync-apply", "case", case_id, sorted(entities))
        self._audit_cases = {}

    def apply_one(self, op: Op) -> None:
        spec = ENTITIES[op.entity]
        row = None
        if op.kind != "create" and self._has(op.entity, op.record_id):
            self.flush()
            row = self._row(spec, op.record_id)
        tomb = None if row is not None else self._tomb(op.entity, op.record_id)
        # Which case does the record belong to here? (None: panel-wide or not known yet.)
        if op.entity == "case":
            true_case: str | None = op.record_id
        elif spec.case_field is None:
            true_case = None
        elif op.kind == "create":
            values = json.loads(op.value or "{}")
            v = values.get(spec.case_field)
            true_case = v if isinstance(v, str) else None
        elif row is not None:
            true_case = getattr(row, spec.case_field)
        elif tomb is not None:
            true_case = getattr(tomb, "case_id", None)
        else:
            true_case = op.case_id  # unknown record: checked again when it arrives
        if op.case_id != true_case:
            raise SecurityAlert(
                "The exchange file was rejected: an operation names a case its record does not "
                "belong to."
            )
        waiting_for = self._waits_for(op, spec, row, tomb, true_case)
        if self.author is not None:
            self.flush()
            if not self._authorise(op, true_case, waiting_for):
                return
        if waiting_for is not None:
            if self.may_hold is not None:
                self.flush()
                if not self.may_hold(op):
                    raise SecurityAlert(
                        "The exchange file holds information about a case or record outside this "
                        "agency's scope; it was rejected. Tell the coordinator."
                    )
            self._park(op, waiting_for)
            return
        self.result.applied += 1
        if true_case:
            self.result.cases.add(true_case)
        self._insert_log(op)
        if op.kind == "create":
            self._create(op, spec)
        elif op.kind == "set":
            self._set(op, spec, tomb)
        elif op.kind == "delete":
            self._delete(op, spec, true_case)
        elif op.kind == "resolve":
            self._resolve(op, spec, tomb)
        else:  # evict is handled by the caller before ops are applied
            raise BundleRejected("The exchange file holds an operation in an unexpected place.")

    def _waits_for(
        self, op: Op, spec: EntitySpec, row: object, tomb: object, true_case: str | None
    ) -> tuple[str, str] | None:
        if op.kind != "create":
            return (op.entity, op.record_id) if row is None and tomb is None else None
        if (
            op.entity != "case"
            and spec.case_field
            and true_case
            and not self._has("case", true_case)
            and self._tomb("case", true_case) is None
        ):
            return ("case", true_case)
        return None

    def _authorise(self, op: Op, true_case: str | None, waiting: tuple[str, str] | None) -> bool:
        """True to apply; False to refuse this op alone; raises to reject the whole file."""
        assert self.author is not None
        if waiting is not None:
            raise BundleRejected(
                "The exchange file was rejected: it changes a record the coordinator does not hold."
            )
        reason = authorisation_problem(self.conn, op, self.author, true_case, also=self.author_cases)
        if reason is None:
            return True
        # A case unshared from the author's agency after the author wrote: a race, not an attack.
        # The op is refused on its own (and acknowledged, so it is not sent again).
        if true_case and self._was_sent(true_case) and authorisation_problem(
            self.conn, op, self.author, true_case, assume_in_scope=True
        ) is None:
            self.result.refused.append(
                f"a change by {self.author.role} to a case no longer shared with their agency"
            )
            return False
        raise SecurityAlert(f"The exchange file was rejected: {reason}.")

    def _was_sent(self, case_id: str) -> bool:
        assert self.author is not None
        t = sync_peer_case
        return self.conn.execute(
            select(t.c.case_id).where(t.c.peer == self.author.device_id, t.c.case_id == case_id)
        ).first() is not None

    # --- pending --------------------------------------------------------------------------------------
    def _park(self, op: Op, waiting_for: tuple[str, str]) -> None:
        self._pending_possible = True
        pending.park(self.conn, op, waiting_for)
        self.result.waiting += 1

    def _release(self, entity: str, rid: str) -> None:
        if not self._pending_possible:
            return
        for op in pending.take(self.conn, entity, rid):
            if op is None:  # parked before the text rules of issue 12: dropped, not applied
                self.result.refused.append("a waiting operation that breaks the rules of typed text")
                continue
            self.result.released += 1
            self.apply_one(op)

    # --- writing --------------------------------------------------------------------------------------
    def _insert_log(self, op: Op) -> None:
        self._log_buf.append(
            dict(
                op_id=op.op_id,
                origin=op.origin,
                epoch=op.epoch,
                counter=op.counter,
                hlc=op.hlc,
                kind=op.kind,
                entity=op.entity,
                record_id=op.record_id,
                field=op.field,
                value=op.value,
                prev=op.prev,
                case_id=op.case_id,
                author=op.author,
                received=self.next_received(),
            )
        )

    def _touch(self, op: Op, fields: list[str], action: str = "sync-apply") -> None:
        if self.track_touched:
            self.result.touched.add((op.entity, op.record_id))
        if action == "sync-apply" and op.case_id and op.entity != "subject":
            self._audit_cases.setdefault(op.case_id, set()).add(op.entity)
        else:
            self.audit(action, op.entity, op.record_id, fields)

    def _create(self, op: Op, spec: EntitySpec) -> None:
        values: dict[str, object] = json.loads(op.value or "{}")
        if self._tomb(op.entity, op.record_id) is not None:
            self.flush()
            self._note(conflicts.refresh_edit_after_delete(self.conn, op.entity, op.record_id))
            return
        if not self._has(op.entity, op.record_id):
            cols = tuple(sorted(values))
            self._rows_buf.setdefault((op.entity, cols), []).append(
                {"id": op.record_id, **{k: to_column(spec.fields[k], values[k]) for k in cols}}
            )
            self._exists.add((op.entity, op.record_id))
            self._absent.discard((op.entity, op.record_id))
            self._state_buf.append(
                dict(
                    entity=op.entity, record_id=op.record_id, op_id=op.op_id, hlc=op.hlc,
                    origin=op.origin,
                )
            )
            self._touch(op, list(values))
            self._after_create(op, values)
            self._release(op.entity, op.record_id)
            if op.entity == "case":
                self._release("case", op.record_id)
            return
        # The same record created twice (a workstation's own registry records): per-field merge.
        self.flush()
        for name in values:
            self._merge_field(op, spec, name)
        self._touch(op, list(values))

    def _after_create(self, op: Op, values: dict[str, object]) -> None:
        if op.entity == "assessment" or (
            op.entity == "contribution" and values.get("supersedes")
        ):
            self.flush()
        if op.entity == "assessment" and isinstance(values.get("case_id"), str):
            self._note(conflicts.refresh_risk(self.conn, str(values["case_id"])))
        elif op.entity == "contribution" and isinstance(values.get("supersedes"), str):
            self._note(
                conflicts.refresh_fork(self.conn, str(values["supersedes"]), op.case_id)
            )

    def _set(self, op: Op, spec: EntitySpec, tomb: object) -> None:
        self.flush()
        if tomb is not None:
            self._note(conflicts.refresh_edit_after_delete(self.conn, op.entity, op.record_id))
            return
        assert op.field is not None
        self._merge_field(op, spec, op.field)
        self._touch(op, [op.field])

    def _delete(self, op: Op, spec: EntitySpec, case_id: str | None) -> None:
        self.flush()
        if self._row(spec, op.record_id) is not None:
            self.conn.execute(delete(spec.table).where(spec.table.c.id == op.record_id))
        self._exists.discard((op.entity, op.record_id))
        self._absent.add((op.entity, op.record_id))
        self._tombs.add((op.entity, op.record_id))
        existing = self._tomb(op.entity, op.record_id)
        # Two deletes of one record: the earliest stands (delete wins; all stores pick the same).
        if existing is None or op.hlc < int(getattr(existing, "hlc", 0)):
            stmt = sqlite_insert(tombstone).values(
                entity=op.entity, record_id=op.record_id, op_id=op.op_id, hlc=op.hlc,
                case_id=case_id,
            )
            self.conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[tombstone.c.entity, tombstone.c.record_id],
                    set_={"op_id": op.op_id, "hlc": op.hlc},
                )
            )
        self._touch(op, [], "sync-delete")
        self._note(conflicts.refresh_edit_after_delete(self.conn, op.entity, op.record_id))

    def _resolve(self, op: Op, spec: EntitySpec, tomb: object) -> None:
        self.flush()
        if op.field is not None and spec.rule == "register" and tomb is None:
            self._merge_field(op, spec, op.field)
        elif op.entity == "case" and op.field is None and tomb is None:
            self._note(conflicts.refresh_risk(self.conn, op.record_id))
        elif op.entity == "contribution" and op.field == "supersedes":
            self._note(conflicts.refresh_fork(self.conn, op.record_id, op.case_id))
        self._note(conflicts.refresh_edit_after_delete(self.conn, op.entity, op.record_id))
        self._touch(op, [op.field] if op.field else [], "sync-resolve")

    def _note(self, conflict_id: str | None) -> None:
        if conflict_id:
            self.result.conflicts.add(conflict_id)

    def _current(self, entity: str, rid: str, name: str) -> str | None:
        return current_winner(self.conn, entity, rid, name)

    def _merge_field(self, op: Op, spec: EntitySpec, name: str) -> None:
        hub_only = is_hub_only_field(spec, name)
        current = self._current(op.entity, op.record_id, name)
        cid = merge.conflict_id(op.entity, op.record_id, name, merge.CONCURRENT)
        fast = (
            op.kind == "set"
            and op.prev is not None
            and op.prev == current
            and not (hub_only and op.origin not in self.hub_origins)
            and not self.conn.execute(
                select(func.count()).select_from(conflicts.conflict).where(
                    conflicts.conflict.c.id == cid
                )
            ).scalar_one()
        )
        if fast:
            registers.write_field(self.conn, op.entity, spec, op.record_id, name, op.op_id, op.hlc, op.origin,
                              op.decoded())
            return
        versions = registers.versions(self.conn, op.entity, op.record_id, name)
        win = merge.winner(versions, hub_only=hub_only, hub_origins=self.hub_origins)
        if win is None:
            return
        if win.op_id != current:
            registers.write_field(self.conn, op.entity, spec, op.record_id, name, win.op_id, win.hlc, win.origin,
                              merge.field_value_of(win, name))
        cands = [v.op_id for v in merge.conflicting(versions)]
        case_id = op.case_id
        self._note(
            conflicts.write_conflict(
                self.conn, entity=op.entity, record_id=op.record_id, field=name,
                kind=merge.CONCURRENT, candidates=cands, case_id=case_id,
            )
        )



