"""The Actions list as ids in the store's order, and rows for the ids a screen shows.

Job: let the desktop's Actions screen list 60,000 actions the way the case list lists cases: the
store filters and sorts (one query of ids), the screen fetches rows for the blocks it paints.
Read-only; called inside ``Session.view()``.

Invariants: an action is listed only if its case is visible to ``visible_to`` (lead or shared
with; ``None`` is the hub and sees everything); "overdue" means open or in progress and due before
``today``, as ``rules.is_overdue``; ties are broken by due date then id, so the order is total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql import ColumnElement

from app.models.domain import Action, ActionUpdate
from app.models.rules import Reach
from app.storage import schema as s
from app.storage.db import in_chunks
from app.storage.rows import action_from, action_update_from
from app.storage.visibility import visible_condition

OPEN = ("open", "in-progress")
SORT_KEYS = ("case", "title", "agency", "owner", "due", "status", "update")


def actions_for(
    conn: Connection, where: ColumnElement[bool] | None, *, limit: int | None = None
) -> list[Action]:
    q = select(s.action)
    if where is not None:
        q = q.where(where)
    q = q.order_by(s.action.c.due)
    if limit:
        q = q.limit(limit)
    rows = list(conn.execute(q))
    ids = [r.id for r in rows]
    updates: dict[str, list[ActionUpdate]] = {}
    for chunk in in_chunks(ids):
        for u in conn.execute(
            select(s.action_update)
            .where(s.action_update.c.action_id.in_(chunk))
            .order_by(s.action_update.c.at)
        ):
            updates.setdefault(u.action_id, []).append(action_update_from(u))
    return [action_from(r, updates.get(r.id, ())) for r in rows]


class ActionFilters(TypedDict, total=False):
    """The filters of both action lists (``list_actions``, ``action_ids``); each one left out
    filters nothing."""

    owner_agency: str | None
    owner: str | None
    status: str | None
    case_id: str | None
    open_only: bool  # open or in progress
    due_before: dt.date | None
    action_id: str | None


def list_actions(conn: Connection, **filters: Unpack[ActionFilters]) -> list[Action]:
    conds = _conditions(**filters)
    return actions_for(conn, and_(*conds) if conds else None)


def _conditions(**filters: Unpack[ActionFilters]) -> list[ColumnElement[bool]]:
    """SQL for ``filters``, always in the same order (so the same filters make the same SQL)."""
    a, f = s.action, filters
    conds: list[ColumnElement[bool]] = []
    if owner_agency := f.get("owner_agency"):
        conds.append(a.c.owner_agency == owner_agency)
    if owner := f.get("owner"):
        conds.append(a.c.owner == owner)
    if status := f.get("status"):
        conds.append(a.c.status == status)
    if case_id := f.get("case_id"):
        conds.append(a.c.case_id == case_id)
    if f.get("open_only"):
        conds.append(a.c.status.in_(OPEN))
    if (due_before := f.get("due_before")) is not None:
        conds.append(a.c.due < due_before.isoformat())
    if action_id := f.get("action_id"):
        conds.append(a.c.id == action_id)
    return conds


def _visible(visible_to: str | Reach | None) -> Any:
    return visible_condition(visible_to or "")


def action_ids(
    conn: Connection,
    *,
    today: dt.date,
    visible_to: str | Reach | None = None,
    agency: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    open_only: bool = False,
    overdue: bool = False,
    sort: str = "due",
    descending: bool = False,
) -> list[str]:
    a, c = s.action, s.case
    conds: list[Any] = []
    if visible_to is not None:
        conds.append(_visible(visible_to))
    conds += _conditions(
        owner_agency=agency, owner=owner, status=status, open_only=open_only or overdue,
        due_before=today if overdue else None,
    )
    from_: Any = a.join(c, c.c.id == a.c.case_id)
    if sort == "agency":
        from_ = from_.outerjoin(s.agency, s.agency.c.id == a.c.owner_agency)
        key: Any = func.coalesce(s.agency.c.short, a.c.owner_agency)
    elif sort == "owner":
        from_ = from_.outerjoin(s.member, s.member.c.id == a.c.owner)
        key = func.coalesce(s.member.c.name, "")
    elif sort == "case":
        key = c.c.ref
    elif sort == "title":
        key = a.c.title
    elif sort == "status":
        key = case((and_(a.c.status.in_(OPEN), a.c.due < today.isoformat()), 0), else_=1) * 100 + case(
            (a.c.status == "open", 1), (a.c.status == "in-progress", 2), (a.c.status == "done", 3), else_=4)
    elif sort == "update":
        latest = (
            select(s.action_update.c.note)
            .where(s.action_update.c.action_id == a.c.id)
            .order_by(s.action_update.c.at.desc())
            .limit(1)
            .scalar_subquery()
        )
        key = func.coalesce(latest, "")
    else:
        key = a.c.due
    q = select(a.c.id).select_from(from_).where(*conds)
    q = q.order_by(key.desc() if descending else key.asc(), a.c.due, a.c.id)
    return [str(r[0]) for r in conn.execute(q)]


def actions_by_ids(conn: Connection, ids: Sequence[str], *, visible_to: str | Reach | None = None) -> list[Action]:
    """The actions with these ids (with their updates) whose case ``visible_to`` may see, in no
    particular order."""
    a, c = s.action, s.case
    out: list[Action] = []
    for chunk in in_chunks(ids):
        if visible_to is not None:
            q = select(a.c.id).select_from(a.join(c, c.c.id == a.c.case_id)).where(a.c.id.in_(chunk),
                                                                                  _visible(visible_to))
            chunk = [str(r[0]) for r in conn.execute(q)]
        if chunk:
            out += actions_for(conn, a.c.id.in_(chunk))
    return out
