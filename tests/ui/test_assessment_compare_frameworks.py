"""The desktop's version comparison labels each side by its own checklist (the same rule as
``models.assessment_changes``, tests/unit/test_assessment_changes_frameworks.py): comparing an
adult checklist version with a young people's one, the row reads the young people's question and
the adult side says how it was asked."""

from __future__ import annotations

import datetime as dt

from app.config.programmes import load_programme
from app.models.domain import Assessment, FactorRating
from app.models.framework import AssessmentNotes, Framework, join_summaries
from app.models.ids import AssessmentId, CaseId

PROG = load_programme("marac")
ADULT = PROG.framework
YOUNG = next(fw for fw in PROG.other_frameworks if fw.ages)


def _version(n: int, fw: Framework, answers: dict[str, str]) -> Assessment:
    notes = AssessmentNotes(summaries=(), framework="" if fw is ADULT else fw.id)
    return Assessment(
        id=AssessmentId(f"a{n}"), case_id=CaseId("c"), version=n,
        factors=tuple(FactorRating(d, q, answers.get(q, "no"), "") for d, q in fw.factor_ids()),
        dimension_summaries=tuple(join_summaries(notes)), overall="Judgement.",
        risk_level="high", author=None, assessed_on=dt.date(2026, 1, n),
    )  # fmt: skip


def test_diff_rows_label_each_side_by_its_own_checklist() -> None:
    from app.ui.screens.cases.tab_assessment import diff_rows

    rows = {r.key: r for r in diff_rows(PROG, _version(1, ADULT, {"injured": "yes"}),
                                        _version(2, YOUNG, {"images": "yes"}))}
    injured = rows["questions/injured"]
    assert injured.factor == YOUNG.factor_label("questions", "injured")
    assert injured.dimension == YOUNG.dimension_label("questions")
    assert ADULT.factor_label("questions", "injured") in injured.before
    assert YOUNG.factor_label("questions", "injured") not in injured.before
    assert rows["questions/images"].factor == YOUNG.factor_label("questions", "images")
