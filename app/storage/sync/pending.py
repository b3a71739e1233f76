"""Operations waiting for the record they need (``sync_pending``): an op on a record this store
has not received yet is parked, and applied when the record arrives.

Invariants: at most ``MAX_PENDING`` ops wait (a file that would park more is rejected whole); an
op is taken out of the table before it is applied, so it is never applied twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import Connection, delete, func, insert, select

from app.models.errors import BundleRejected
from app.models.sync_ops import Op, OpInvalid, validate_op
from app.storage.sync.tables import sync_pending

MAX_PENDING = 100_000


def park(conn: Connection, op: Op, waiting_for: tuple[str, str]) -> None:
    count = conn.execute(select(func.count()).select_from(sync_pending)).scalar_one()
    if count >= MAX_PENDING:
        raise BundleRejected(
            "The exchange file was rejected: too many operations are waiting for records that "
            "have not arrived. Ask the sender for a fresh export."
        )
    conn.execute(
        insert(sync_pending).values(
            op_id=op.op_id,
            wait_entity=waiting_for[0],
            wait_record=waiting_for[1],
            hlc=op.hlc,
            op=json.dumps(op.to_wire(), sort_keys=True, separators=(",", ":")),
        )
    )


def take(conn: Connection, entity: str, rid: str) -> Iterator[Op | None]:
    """The ops waiting for (entity, rid), oldest first, each removed from the table as it is
    given; None for one that no longer passes validation (it is dropped)."""
    rows = list(
        conn.execute(
            select(sync_pending.c.op_id, sync_pending.c.op)
            .where(sync_pending.c.wait_entity == entity, sync_pending.c.wait_record == rid)
            .order_by(sync_pending.c.hlc, sync_pending.c.op_id)
        )
    )
    for op_id, wire in rows:
        conn.execute(delete(sync_pending).where(sync_pending.c.op_id == op_id))
        try:
            yield validate_op(json.loads(wire))
        except OpInvalid:
            yield None
