"""Columns for action tables (case tab, Actions screen, dashboard), over ``RowsModel``.

Invariant: overdue is computed by ``rules.is_overdue`` with the session's today, never by the view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.models import rules
from app.models.domain import Action
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.widgets.common import uk

STATUS_KIND = {"open": "info", "in-progress": "accent", "done": "ok", "cancelled": "muted"}


def action_columns(ctx: UiContext, refs: Callable[[str], str] | None = None) -> list[Column[Action]]:
    today: Callable[[], dt.date] = ctx.today_fn

    def status_text(a: Action) -> str:
        return "Overdue" if rules.is_overdue(a, today()) else a.status.value.replace("-", " ").capitalize()

    def status_kind(a: Action) -> str:
        return "danger" if rules.is_overdue(a, today()) else STATUS_KIND.get(a.status.value, "info")

    cols: list[Column[Action]] = []
    if refs is not None:
        cols.append(Column("Case", lambda a: refs(a.case_id)))
    cols += [
        Column("Action", lambda a: a.title),
        Column("Agency", lambda a: ctx.snap.agency_short(a.owner_agency)),
        Column("Owner", lambda a: ctx.snap.member_name(a.owner)),
        Column("Due", lambda a: uk(a.due), sort=lambda a: a.due),
        Column("Status", status_text, sort=lambda a: (not rules.is_overdue(a, today()), a.status.value), kind=status_kind),
        Column("Last update", lambda a: a.updates[-1].note if a.updates else ""),
    ]
    return cols


def action_model(ctx: UiContext, parent: object, refs: Callable[[str], str] | None = None) -> RowsModel[Action]:
    model: RowsModel[Action] = RowsModel(action_columns(ctx, refs), lambda a: a.id, parent)
    return model
