"""The next review date of a case, from its status and the case fields of its current assessment.

One place for the services that set ``case.next_review`` (a status change, a meeting held), so
that a case's interval follows the programme's data everywhere: a status's ``review_days``, a
case-field choice's ``review_days`` (a management level that sets its own interval), the
shortest applying, else the programme's interval (``rules.review_interval``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.models import rules
from app.models.case_fields import CaseFieldValue
from app.models.programme import Programme
from app.storage import meeting_queries, repo
from app.storage import meta as meta_store
from app.storage.db import Connection
from app.storage.rows import assessment_from


def next_review_for(
    programme: Programme, conn: Connection, case_id: str, status: str, today: dt.date
) -> dt.date:
    """The next review of case ``case_id`` at ``status``, counted from ``today``."""
    fields: tuple[CaseFieldValue, ...] = ()
    if programme.case_fields:
        assessments = [
            assessment_from(r) for r in repo.rows_for_case(conn, "assessment", case_id)
        ]
        fields = rules.current_case_fields(programme, assessments)
    return rules.next_review(_panel_intervals(programme, conn), today, status, fields)


def _panel_intervals(programme: Programme, conn: Connection) -> Programme:
    """The programme with the review interval the panel set in its settings (Panel › Settings),
    where it set one: the interval for a case no status or case-field interval applies to."""
    days = meta_store.get(conn, "review_interval_days") or ""
    if not days.isdigit() or int(days) == programme.intervals.review_interval_days:
        return programme
    intervals = dataclasses.replace(programme.intervals, review_interval_days=int(days))
    return dataclasses.replace(programme, intervals=intervals)


def post_exit_reviews_for(
    programme: Programme, conn: Connection, case_id: str, today: dt.date
) -> list[dt.date]:
    """The post-exit review dates of a case reaching the exit status ``today``, counted from the
    day it exits or, where the programme says ``post_exit_from = "last-heard"``, from the last
    held meeting that heard it (a conference's "twelve months since the last conference")."""
    start = today
    if programme.intervals.post_exit_from == "last-heard":
        start = meeting_queries.last_heard(conn, case_id) or today
    return rules.post_exit_review_dates(programme, start)
