"""One rule for what changed between two assessment versions (``models.assessment_changes``), used
by the meeting pack's case paper and the desktop's comparison; and the framework's label methods."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.config.programmes import load_programme
from app.models.assessment_changes import assessment_changes
from app.models.domain import Assessment, FactorRating
from app.models.framework import AssessmentNotes, join_summaries
from app.models.ids import AssessmentId, CaseId
from app.reports.case_paper import what_changed

EXT = load_programme("extremism")


def version(n: int, factors: list[tuple[str, str, str]], *, level: str = "low", overall: str = "o",
            summaries: tuple[tuple[str, str], ...] = ()) -> Assessment:  # fmt: skip
    return Assessment(
        AssessmentId(f"a{n}"), CaseId("c"), n,
        tuple(FactorRating(d, f, r, "seen") for d, f, r in factors), summaries, overall, level, None,
        dt.date(2026, 1, n),
    )  # fmt: skip


def test_labels_come_from_the_framework_and_fall_back_to_the_id() -> None:
    fw = EXT.framework
    assert fw.dimension_label("engagement") != "engagement" and fw.dimension_label("gone") == "gone"
    assert (
        fw.factor_label("engagement", "threat") != "threat" and fw.factor_label("gone", "x") == "x"
    )
    assert (
        fw.rating_label("high") == fw.rating("high").label != "high"
        and fw.rating_label("old") == "old"
    )
    assert fw.level_label(None) == "" and fw.level_label("", none="Not assessed") == "Not assessed"
    assert fw.level_label("very-high") == EXT.risk_label("very-high") == "Very high"


def test_a_factor_no_longer_rated_is_said_in_the_paper_and_marked_on_screen() -> None:
    a = version(1, [("engagement", "grievance", "low"), ("engagement", "threat", "high")])
    b = version(2, [("engagement", "grievance", "moderate")])
    lines = what_changed(b, a, EXT)
    fw = EXT.framework
    threat = f"{fw.dimension_label('engagement')} – {fw.factor_label('engagement', 'threat')}"
    high, low, moderate = (fw.rating_label(r) for r in ("high", "low", "moderate"))
    assert f"{threat}: no longer rated (was {high})." in lines
    assert any(line.endswith(f"from {low} to {moderate}.") for line in lines)
    assert [c.changed for c in assessment_changes(EXT, a, b).factors] == [True, True]


def test_a_factor_the_programme_no_longer_lists_is_compared_not_dropped() -> None:
    from app.ui.screens.cases.tab_assessment import diff_rows

    a = version(1, [("retired", "old-factor", "low")])
    b = version(2, [("retired", "old-factor", "high")])
    rows = {r.key: r for r in diff_rows(EXT, a, b)}
    low, high = (EXT.framework.rating_label(r) for r in ("low", "high"))
    assert (
        rows["retired/old-factor"].changed and rows["retired/old-factor"].after == f"{high}: seen"
    )
    assert f"retired – old-factor: from {low} to {high}." in what_changed(b, a, EXT)


def test_a_judgement_changed_only_in_spacing_is_not_a_change_anywhere() -> None:
    from app.ui.screens.cases.tab_assessment import diff_rows

    a = version(1, [("engagement", "grievance", "low")], overall="Stable.")
    b = dataclasses.replace(a, version=2, overall="Stable.\n")
    assert what_changed(b, a, EXT) == [
        "No change in ratings or risk level since the last assessment."
    ]
    assert not {r.key: r for r in diff_rows(EXT, a, b)}["overall"].changed


def test_case_fields_are_compared_on_screen_as_in_the_paper() -> None:
    from app.ui.screens.cases.tab_assessment import diff_rows

    mappa = load_programme("mappa")
    level = mappa.case_fields[1]
    one, two = (c.id for c in level.choices[:2])
    a = version(
        1, [], summaries=tuple(join_summaries(AssessmentNotes((), case_fields=((level.id, one),))))
    )
    b = version(
        2, [], summaries=tuple(join_summaries(AssessmentNotes((), case_fields=((level.id, two),))))
    )
    assert any(
        line.startswith(f"{level.label} changed from") for line in what_changed(b, a, mappa)
    )
    assert {r.key: r for r in diff_rows(mappa, a, b)}[f"field:{level.id}"].changed
