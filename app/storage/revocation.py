"""SQL for a member's store whose membership was revoked (services/membership.py).

``drop_case_operations(conn)`` — after every case was evicted, the operations still in the log
that carry case data (any with a case id, any on a subject: this store's own unsent ones, kept by
eviction until the hub acknowledged them) and the operations waiting for a record are deleted.
Returns how many rows went. The registry's, meetings' and attendance's operations stay.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, or_

from app.storage.schema import conflict, op_log
from app.storage.sync.tables import sync_pending


def drop_case_operations(conn: Connection) -> int:
    gone = conn.execute(
        delete(op_log).where(or_(op_log.c.case_id.is_not(None), op_log.c.entity == "subject"))
    ).rowcount or 0
    gone += conn.execute(delete(sync_pending)).rowcount or 0
    gone += conn.execute(delete(conflict).where(conflict.c.case_id.is_not(None))).rowcount or 0
    return gone
