"""Comparing two versions recorded with different frameworks of one programme (MARAC's adult
checklist and its young people's checklist, issue 18's closing note): each side is labelled with
its own framework's words — its questions, its section and its answers — never the other's. The
desktop's comparison (``diff_rows``) and the case paper's "What changed" use this one rule."""

from __future__ import annotations

import datetime as dt

from app.config.programmes import load_programme
from app.models.assessment_changes import assessment_changes
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


def _label(fw: Framework, question: str) -> str:
    return next(fw.factor_label(d, q) for d, q in fw.factor_ids() if q == question)


def test_each_side_is_labelled_by_its_own_checklist() -> None:
    young_only = next(q for _, q in YOUNG.factor_ids() if q not in {q2 for _, q2 in ADULT.factor_ids()})
    adult_only = next(q for _, q in ADULT.factor_ids() if q not in {q2 for _, q2 in YOUNG.factor_ids()})
    before = _version(1, ADULT, {"injured": "yes", adult_only: "yes"})
    after = _version(2, YOUNG, {"injured": "not-known", young_only: "yes"})
    changes = assessment_changes(PROG, before, after)
    assert changes.framework_before is ADULT and changes.framework_after is YOUNG
    by_id = {c.factor: c for c in changes.factors}
    shared = by_id["injured"]
    assert shared.before_label == _label(ADULT, "injured")
    assert shared.after_label == _label(YOUNG, "injured") != shared.before_label
    assert shared.factor_label == _label(YOUNG, "injured")
    assert shared.dimension_label == YOUNG.dimension_label("questions")
    assert by_id[young_only].factor_label == _label(YOUNG, young_only)  # not its bare id
    assert by_id[young_only].before_label == ""
    assert by_id[adult_only].factor_label == _label(ADULT, adult_only)
    assert by_id[adult_only].dimension_label == ADULT.dimension_label("questions")
    sentences = changes.sentences()
    assert sentences[0] == f"Recorded with the {YOUNG.name.lower()}, after the {ADULT.name.lower()}."
    assert f"{YOUNG.dimension_label('questions')} – {_label(YOUNG, young_only)}: newly rated Yes." in sentences
    assert f"{ADULT.dimension_label('questions')} – {_label(ADULT, adult_only)}: no longer rated (was Yes)." in sentences


def test_two_versions_of_the_young_peoples_checklist_use_its_words() -> None:
    before, after = _version(1, YOUNG, {"images": "no"}), _version(2, YOUNG, {"images": "yes"})
    changes = assessment_changes(PROG, before, after)
    c = next(c for c in changes.factors if c.factor == "injured")
    assert c.factor_label == c.before_label == c.after_label == _label(YOUNG, "injured")
    assert all(c.dimension_label == YOUNG.dimension_label("questions") for c in changes.factors)
    assert changes.sentences() == [f"{YOUNG.dimension_label('questions')} – {_label(YOUNG, 'images')}: from No to Yes."]
