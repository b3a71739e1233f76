"""Change capture: the only way a local change reaches an entity table.

Every call, inside the caller's transaction, (1) writes the row, (2) records field-level operations
in ``op_log`` stamped with the hybrid logical clock, this device as origin, the next per-origin
counter and, for each changed field, ``prev`` = the op the author saw as the current value, and
(3) appends one audit entry naming the fields (never their values).
A create records one ``create`` op holding every field; later changes are ``set`` ops per field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models.errors import NotFound, StoreReadOnly
from app.models.ids import new_id
from app.storage import meta as meta_store
from app.storage.audit import AuditWriter
from app.storage.codec import canonical_json, to_column, to_jsonable
from app.storage.hlc import HybridClock, unpack
from app.storage.schema import ENTITIES, EntitySpec, field_state, op_log, record_state, tombstone


def utc_now_iso(hlc: int | None = None) -> str:
    if hlc is not None:
        ms, _ = unpack(hlc)
        return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).isoformat(timespec="milliseconds")
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="milliseconds")


def current_winner(conn: Connection, entity: str, record_id: str, field: str) -> str | None:
    """The op whose value a field shows now: its last winning ``set``, else the record's create."""
    row = conn.execute(
        select(field_state.c.op_id).where(
            field_state.c.entity == entity,
            field_state.c.record_id == record_id,
            field_state.c.field == field,
        )
    ).first()
    if row:
        return str(row[0])
    row = conn.execute(
        select(record_state.c.op_id).where(
            record_state.c.entity == entity, record_state.c.record_id == record_id
        )
    ).first()
    return str(row[0]) if row else None


_INSERT_OP = insert(op_log)
_INSERT_RECORD_STATE = insert(record_state)


class Writer:
    """Writes through change capture within one open transaction (``conn``)."""

    def __init__(
        self,
        conn: Connection,
        *,
        device_id: str,
        member_id: str | None,
        read_only: bool = False,
    ) -> None:
        # read_only: a store that can only be read here; changes are refused, and events (views,
        # disclosures) are kept in the deferred-audit journal until it can be written
        self.read_only = read_only
        self.conn = conn
        self.device_id = device_id
        self.member_id = member_id
        self.clock = HybridClock(meta_store.get_int(conn, "hlc"))
        self.epoch = meta_store.get_int(conn, "epoch")
        self._counter = meta_store.get_int(conn, "op_counter")
        self._received = meta_store.get_int(conn, "op_received")
        self.audit = AuditWriter(conn, member_id, device_id)
        self.changed: set[tuple[str, str]] = set()

    # --- helpers ------------------------------------------------------------------------------
    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreReadOnly()

    def _next_counter(self) -> int:
        self._counter += 1
        return self._counter

    def next_received(self) -> int:
        self._received += 1
        return self._received

    def flush(self) -> None:
        """Persist clock and counters (called once at the end of the transaction)."""
        if self.read_only:
            return
        meta_store.put(self.conn, "hlc", str(self.clock.last))
        meta_store.put(self.conn, "op_counter", str(self._counter))
        meta_store.put(self.conn, "op_received", str(self._received))
        self.audit.flush()

    def _case_of(self, spec: EntitySpec, record_id: str, values: Mapping[str, Any]) -> str | None:
        if spec.case_field is None:
            return None
        if spec.case_field == "id":
            return record_id
        if spec.case_field in values:
            v = values[spec.case_field]
            return str(v) if v is not None else None
        row = self.conn.execute(
            select(spec.table.c[spec.case_field]).where(spec.table.c.id == record_id)
        ).first()
        return str(row[0]) if row and row[0] is not None else None

    def _record_op(
        self,
        *,
        kind: str,
        spec: EntitySpec,
        record_id: str,
        case_id: str | None,
        hlc: int,
        field: str | None = None,
        value: Any = None,
        prev: str | None = None,
    ) -> str:
        op_id = new_id()
        self.conn.execute(
            _INSERT_OP,
            dict(
                op_id=op_id,
                origin=self.device_id,
                epoch=self.epoch,
                counter=self._next_counter(),
                hlc=hlc,
                kind=kind,
                entity=spec.name,
                record_id=record_id,
                field=field,
                value=None if value is None and kind != "set" else canonical_json(value),
                prev=prev,
                case_id=case_id,
                author=self.member_id,
                received=self.next_received(),
            ),
        )
        return op_id

    def current_winner(self, entity: str, record_id: str, field: str) -> str | None:
        return current_winner(self.conn, entity, record_id, field)

    # --- the API ---------------------------------------------------------------------------------
    def create(
        self,
        entity: str,
        values: Mapping[str, Any],
        *,
        record_id: str | None = None,
        audit_action: str = "create",
    ) -> str:
        self._refuse_if_read_only()
        spec = ENTITIES[entity]
        unknown = set(values) - set(spec.fields)
        if unknown:
            raise KeyError(f"unknown fields for {entity}: {sorted(unknown)}")
        rid = record_id or new_id()
        jvalues = {k: to_jsonable(v) for k, v in values.items()}
        hlc = self.clock.tick()
        case_id = self._case_of(spec, rid, jvalues)
        op_id = self._record_op(
            kind="create", spec=spec, record_id=rid, case_id=case_id, hlc=hlc, value=jvalues
        )
        row = dict.fromkeys(spec.fields)
        row.update({k: to_column(spec.fields[k], v) for k, v in jvalues.items()})
        row["id"] = rid
        self.conn.execute(insert(spec.table), row)
        self.conn.execute(
            _INSERT_RECORD_STATE,
            dict(entity=entity, record_id=rid, op_id=op_id, hlc=hlc, origin=self.device_id),
        )
        self.audit.append(
            action=audit_action,
            entity=entity,
            record_id=rid,
            fields=list(jvalues),
            at=utc_now_iso(hlc),
        )
        self.changed.add((entity, rid))
        return rid

    def update(
        self,
        entity: str,
        record_id: str,
        changes: Mapping[str, Any],
        *,
        audit_action: str = "update",
    ) -> list[str]:
        """Set fields; returns the names of fields whose value actually changed."""
        self._refuse_if_read_only()
        spec = ENTITIES[entity]
        if spec.rule == "immutable":
            raise TypeError(f"{entity} records are immutable; write a new version")
        unknown = set(changes) - set(spec.fields)
        if unknown:
            raise KeyError(f"unknown fields for {entity}: {sorted(unknown)}")
        row = self.conn.execute(select(spec.table).where(spec.table.c.id == record_id)).first()
        if row is None:
            raise NotFound()
        current = row._mapping
        changed: dict[str, Any] = {}
        for k, v in changes.items():
            jv = to_jsonable(v)
            if to_column(spec.fields[k], jv) != current[k]:
                changed[k] = jv
        if not changed:
            return []
        case_id = self._case_of(spec, record_id, {})
        for k, jv in changed.items():
            hlc = self.clock.tick()
            prev = self.current_winner(entity, record_id, k)
            op_id = self._record_op(
                kind="set", spec=spec, record_id=record_id, case_id=case_id, hlc=hlc,
                field=k, value=jv, prev=prev,
            )
            stmt = sqlite_insert(field_state).values(
                entity=entity,
                record_id=record_id,
                field=k,
                op_id=op_id,
                hlc=hlc,
                origin=self.device_id,
            )
            self.conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[
                        field_state.c.entity,
                        field_state.c.record_id,
                        field_state.c.field,
                    ],
                    set_={"op_id": op_id, "hlc": hlc, "origin": self.device_id},
                )
            )
        self.conn.execute(
            update(spec.table)
            .where(spec.table.c.id == record_id)
            .values(**{k: to_column(spec.fields[k], v) for k, v in changed.items()})
        )
        self.audit.append(
            action=audit_action,
            entity=entity,
            record_id=record_id,
            fields=list(changed),
            at=utc_now_iso(self.clock.last),
        )
        self.changed.add((entity, record_id))
        return list(changed)

    def delete(self, entity: str, record_id: str, *, audit_action: str = "delete") -> None:
        """Tombstone and remove a record (retention deletion is real)."""
        self._refuse_if_read_only()
        spec = ENTITIES[entity]
        case_id = self._case_of(spec, record_id, {})
        hlc = self.clock.tick()
        op_id = self._record_op(
            kind="delete", spec=spec, record_id=record_id, case_id=case_id, hlc=hlc,
            prev=self.current_winner(entity, record_id, "*"),
        )
        self.conn.execute(delete(spec.table).where(spec.table.c.id == record_id))
        self.conn.execute(
            sqlite_insert(tombstone)
            .values(entity=entity, record_id=record_id, op_id=op_id, hlc=hlc, case_id=case_id)
            .on_conflict_do_nothing()
        )
        self.audit.append(
            action=audit_action, entity=entity, record_id=record_id, at=utc_now_iso(hlc)
        )
        self.changed.add((entity, record_id))

    def audit_time(self) -> str:
        """A timestamp for a record's own ``at`` field, consistent with the clock."""
        return utc_now_iso(self.clock.tick())

    def record_event(
        self, action: str, entity: str, record_id: str, fields: list[str] | None = None
    ) -> None:
        """Audit a non-changing event: a view, a print, an export, an import, a disclosure.
        On a store that can only be read here it is kept in this user's deferred-audit journal
        until the store can be written (``storage/deferred_audit.py``)."""
        if self.read_only:
            from app.storage import deferred_audit

            deferred_audit.defer(meta_store.get(self.conn, "store_id") or "", {
                "at": utc_now_iso(self.clock.tick()), "actor": self.member_id or "",
                "device": self.device_id, "action": action, "entity": entity,
                "record_id": record_id, "fields": list(fields or []),
            })
            return
        self.audit.append(
            action=action,
            entity=entity,
            record_id=record_id,
            fields=fields or [],
            at=utc_now_iso(self.clock.tick()),
        )

    def create_many(
        self,
        entity: str,
        rows: list[Mapping[str, Any]],
        *,
        record_ids: list[str] | None = None,
        audit_action: str = "create",
    ) -> list[str]:
        """``create`` for many records of one entity in three ``executemany`` statements and one
        bulk audit append: the same rows, ops (one ``create`` each, in order, each with its own
        clock tick and counter), record states and audit entries as that many ``create`` calls.
        ``record_ids``, when given, are the new records' ids (one a row), else new ones."""
        self._refuse_if_read_only()
        spec = ENTITIES[entity]
        ids: list[str] = []
        ops: list[dict[str, Any]] = []
        table_rows: list[dict[str, Any]] = []
        states: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        if record_ids is not None and len(record_ids) != len(rows):
            raise ValueError("one record id a row")
        for n, values in enumerate(rows):
            unknown = set(values) - set(spec.fields)
            if unknown:
                raise KeyError(f"unknown fields for {entity}: {sorted(unknown)}")
            rid = record_ids[n] if record_ids is not None else new_id()
            jvalues = {k: to_jsonable(v) for k, v in values.items()}
            hlc = self.clock.tick()
            op_id = new_id()
            ops.append(dict(
                op_id=op_id, origin=self.device_id, epoch=self.epoch, counter=self._next_counter(),
                hlc=hlc, kind="create", entity=spec.name, record_id=rid, field=None,
                value=canonical_json(jvalues), prev=None, case_id=self._case_of(spec, rid, jvalues),
                author=self.member_id, received=self.next_received(),
            ))  # fmt: skip
            row = dict.fromkeys(spec.fields)
            row.update({k: to_column(spec.fields[k], v) for k, v in jvalues.items()})
            row["id"] = rid
            table_rows.append(row)
            states.append(
                dict(entity=entity, record_id=rid, op_id=op_id, hlc=hlc, origin=self.device_id)
            )
            entries.append(dict(action=audit_action, entity=entity, record_id=rid,
                                fields=list(jvalues), at=utc_now_iso(hlc)))  # fmt: skip
            ids.append(rid)
        if not ids:
            return ids
        self.conn.execute(_INSERT_OP, ops)
        self.conn.execute(insert(spec.table), table_rows)
        self.conn.execute(_INSERT_RECORD_STATE, states)
        self.audit.append_many(entries)
        self.changed.update((entity, rid) for rid in ids)
        return ids
