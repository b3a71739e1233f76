"""Who may author what, on this store's state: the facts an officer's op is judged on (the case
it claims and whether it is in the author's scope, the owner of an action), for the pure rule
``app.models.sync_scope.officer_may_author``.

Job: used by the coordinator's store on every member op it applies, and by a member's export to
hold back local changes the rules would refuse.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from app.models.entities import KINDS, is_hub_only
from app.models.sync_ops import Op
from app.models.sync_scope import Author, case_shared_with, officer_may_author
from app.storage.schema import ENTITIES, EntitySpec, op_log


def is_hub_only_field(spec: EntitySpec, name: str) -> bool:
    return is_hub_only(KINDS[spec.name], name)


def authorisation_problem(
    conn: Connection, op: Op, author: Author, case_id: str | None, *, assume_in_scope: bool = False,
    also: frozenset[str] = frozenset(),
) -> str | None:
    """Why ``author`` (not the coordinator) may not author ``op`` on this store's state, or None.
    ``also``: the cases the programme's chair rule gives the author (``visibility.chair_cases``)."""
    cases = ENTITIES["case"].table
    actions = ENTITIES["action"].table
    case = conn.execute(select(cases).where(cases.c.id == case_id)).first() if case_id else None
    in_scope = assume_in_scope or (
        case is not None
        and (case.id in also or case_shared_with(case.shared_with, case.lead_agency, author.agency_id))
    )
    action_id: object = None
    if op.entity == "action":
        action_id = op.record_id
    elif op.entity == "action_update" and op.kind == "create":
        action_id = json.loads(op.value or "{}").get("action_id")
    owner: str | None = None
    if isinstance(action_id, str):
        owner = conn.execute(select(actions.c.owner_agency).where(actions.c.id == action_id)).scalar()
        if owner is None:  # deleted here: its owner is still known from its ops
            owner = _owner_from_log(conn, action_id)
    return officer_may_author(op, author, case_in_scope=in_scope, owner_agency=owner)


def _owner_from_log(conn: Connection, action_id: str) -> str | None:
    rows = conn.execute(
        select(op_log.c.kind, op_log.c.field, op_log.c.value)
        .where(op_log.c.entity == "action", op_log.c.record_id == action_id)
        .order_by(op_log.c.hlc.desc())
    )
    for kind, name, value in rows:
        data = json.loads(value) if value else None
        if kind == "set" and name == "owner_agency" and isinstance(data, str):
            return data
        if kind == "create" and isinstance(data, dict) and isinstance(data.get("owner_agency"), str):
            return str(data["owner_agency"])
    return None
