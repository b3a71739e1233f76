"""SQL expressions about one case, correlated to ``schema.case``: its current risk level and
rank, its current assessment's case fields, its latest consent re-assessment date.

Used by the case list, the statistics and ``repo.get_case``; the order that makes an assessment
the current one (``current_assessment_order``) is ``rules.current_assessment`` in SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal, literal_column, select, true

from app.models.framework import CASE_FIELD_PREFIX, split_summaries
from app.storage import schema as s
from app.storage.rows import _j


def _first_for_case(column: Any, *order: Any) -> Any:
    """``column`` of the case's first record of its table (a record with ``case_id``) in ``order``."""
    return (
        select(column)
        .where(column.table.c.case_id == s.case.c.id)
        .order_by(*order)
        .limit(1)
        .scalar_subquery()
    )


def risk_level_expr() -> Any:
    """The current risk level of a case: latest version; the higher level wins a tie (concurrent)."""
    a = s.assessment
    return _first_for_case(a.c.risk_level, a.c.version.desc(), a.c.risk_rank.desc())


def risk_rank_expr() -> Any:
    """The programme's rank of the case's current risk level (as recorded with the assessment):
    what sorting by risk means, so "Very high" sorts above "High" (never the level ids' A-Z)."""
    a = s.assessment
    return _first_for_case(a.c.risk_rank, a.c.version.desc(), a.c.risk_rank.desc())


def consent_reassess_expr() -> Any:
    """The re-assessment date of the case's latest consent record (NULL when none is set): a
    refusal or withdrawal is looked at again on that date."""
    k = s.consent
    return _first_for_case(
        k.c.reassess_on, k.c.recorded_on.desc(), literal_column("consent.rowid").desc()
    )


def current_assessment_order(a: Any = s.assessment) -> tuple[Any, ...]:
    """The order that puts a case's current assessment first: latest version, then the higher
    level (concurrent versions), then the larger id (as ``rules.current_assessment``)."""
    return (a.c.version.desc(), a.c.risk_rank.desc(), a.c.id.desc())


def current_summaries_expr() -> Any:
    """The ``dimension_summaries`` JSON of the case's current assessment (NULL if none)."""
    a = s.assessment
    return _first_for_case(a.c.dimension_summaries, *current_assessment_order(a))


def case_field_expr(field_id: str) -> Any:
    """The choice id recorded for case field ``field_id`` in the case's current assessment
    (NULL when never assessed or not recorded): the value of the ``["field:<id>", choice]`` pair
    in that assessment's ``dimension_summaries``."""
    latest = s.assessment.alias("latest")
    current = (
        select(latest.c.id)
        .where(latest.c.case_id == s.case.c.id)
        .order_by(*current_assessment_order(latest))
        .limit(1)
        .correlate(s.case)
        .scalar_subquery()
    )
    a = s.assessment.alias("field_assessment")
    summaries = case(
        (func.json_valid(a.c.dimension_summaries) == 1, a.c.dimension_summaries), else_=literal("[]")
    )
    pairs = func.json_each(summaries).table_valued("value", joins_implicitly=True)
    return (
        select(func.json_extract(pairs.c.value, "$[1]"))
        .select_from(a.join(pairs, true()))
        .where(
            a.c.id == current,
            func.json_extract(pairs.c.value, "$[0]") == CASE_FIELD_PREFIX + field_id,
        )
        .limit(1)
        .scalar_subquery()
    )


def case_fields_of(summaries: Any) -> tuple[tuple[str, str], ...]:
    """The (field id, choice id) pairs an assessment's ``dimension_summaries`` JSON records."""
    try:
        pairs = [(str(k), str(v)) for k, v in _j(summaries, [])]
    except (ValueError, TypeError):  # not JSON pairs: nothing recorded that can be read
        return ()
    return split_summaries(pairs).case_fields
