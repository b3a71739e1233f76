"""Programme-level rules that are pure: the repeat-referral window, lifecycle paths derived from
transitions, and checklist frameworks (thresholds suggest a level; they never decide it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import tomllib

import pytest

from app.config.programmes import available_programmes, load_programme, programmes_dir
from app.models import rules
from app.models.errors import InvalidInput
from app.models.framework import AssessmentNotes, join_summaries, split_summaries
from app.models.programme_load import programme_from_dict


def _with_window(months: int | None):  # type: ignore[no-untyped-def]
    prog = load_programme(available_programmes()[0])
    return dataclasses.replace(
        prog, intervals=dataclasses.replace(prog.intervals, repeat_referral_months=months)
    )


D = dt.date


@pytest.mark.parametrize(
    ("incident", "expected"),
    [
        (D(2026, 3, 15), True),  # same day as the last referral
        (D(2026, 9, 1), True),
        (D(2027, 3, 15), True),  # exactly 12 months later
        (D(2027, 3, 16), False),  # a day outside the window
        (D(2026, 3, 14), False),  # before the last referral: not a new incident after it
    ],
)
def test_repeat_is_a_new_incident_within_the_window(incident: dt.date, expected: bool) -> None:
    assert rules.is_repeat_referral(_with_window(12), incident, D(2026, 3, 15)) is expected


def test_repeat_window_clamps_to_the_end_of_the_month() -> None:
    prog = _with_window(12)
    assert rules.is_repeat_referral(prog, D(2025, 2, 28), D(2024, 2, 29))
    assert not rules.is_repeat_referral(prog, D(2025, 3, 1), D(2024, 2, 29))


def test_no_repeat_without_an_earlier_referral_or_a_window() -> None:
    assert not rules.is_repeat_referral(_with_window(12), D(2026, 1, 1), None)
    assert not rules.is_repeat_referral(_with_window(None), D(2026, 1, 2), D(2026, 1, 1))


def test_repeat_of_uses_the_last_earlier_referral() -> None:
    prog = _with_window(12)
    earlier = [D(2024, 1, 1), D(2025, 6, 1), D(2027, 1, 1)]  # the last is after the incident
    assert rules.repeat_of(prog, D(2026, 5, 31), earlier) == D(2025, 6, 1)
    assert rules.repeat_of(prog, D(2026, 6, 2), earlier) is None
    assert rules.repeat_of(prog, D(2026, 1, 1), []) is None


def test_the_window_comes_from_programme_data() -> None:
    windows = {pid: load_programme(pid).intervals.repeat_referral_months for pid in available_programmes()}
    assert windows["marac"] == 12
    assert windows["extremism"] is None


@pytest.mark.parametrize("pid", available_programmes())
def test_lifecycle_paths_follow_transitions(pid: str) -> None:
    prog = load_programme(pid)
    path = rules.lifecycle_path(prog)
    assert path[0] == prog.initial_status and path[-1] == prog.exit_status
    assert prog.adopted_status in path
    for a, b in itertools.pairwise(path):
        assert any(t.source == a and t.target == b for t in prog.transitions)
    for st in prog.statuses:  # every status is reachable from a referral
        if st.id == prog.transfer.out_status:  # but the one only a transfer to another panel reaches
            assert rules.path_to(prog, st.id) == []
            continue
        assert rules.path_to(prog, st.id)[-1] == st.id


def test_path_to_an_unreachable_status_is_empty() -> None:
    prog = load_programme(available_programmes()[0])
    cut = dataclasses.replace(
        prog, transitions=tuple(t for t in prog.transitions if t.target != prog.exit_status)
    )
    assert rules.path_to(cut, prog.exit_status) == []


def _raw(pid: str) -> dict:  # type: ignore[type-arg]
    with (programmes_dir() / f"{pid}.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_checklist_suggests_high_at_fourteen_yes() -> None:
    fw = load_programme("marac").framework
    assert fw.is_checklist and len(fw.factor_ids()) == 24
    assert fw.suggested_level(["yes"] * 14 + ["no"] * 10).id == "high"  # type: ignore[union-attr]
    assert fw.suggested_level(["yes"] * 13 + ["not-known"] * 11) is None
    assert fw.count(["yes", "no", "not-known", "yes"]) == 2


def test_checklist_definition_is_validated() -> None:
    raw = _raw("marac")
    bad_level = {**raw, "framework": {**raw["framework"], "thresholds": [{"at_least": 14, "level": "severe"}]}}
    with pytest.raises(InvalidInput, match="threshold level"):
        programme_from_dict(bad_level)
    too_many = {**raw, "framework": {**raw["framework"], "thresholds": [{"at_least": 25, "level": "high"}]}}
    with pytest.raises(InvalidInput, match="between 1 and 24"):
        programme_from_dict(too_many)
    no_count = {
        **raw,
        "framework": {**raw["framework"], "answers": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]},
    }
    with pytest.raises(InvalidInput, match="counts"):
        programme_from_dict(no_count)
    unknown_kind = {**raw, "framework": {**_raw("extremism")["framework"], "kind": "scored"}}
    with pytest.raises(InvalidInput, match="kind"):
        programme_from_dict(unknown_kind)


def test_a_rated_framework_has_no_thresholds() -> None:
    raw = _raw("extremism")
    with_threshold = {**raw, "framework": {**raw["framework"], "thresholds": [{"at_least": 1, "level": "high"}]}}
    prog = programme_from_dict(with_threshold)  # a rated framework ignores checklist keys ...
    assert not prog.framework.is_checklist
    assert prog.framework.suggested_level(["high"] * 9) is None  # ... and never suggests


def test_case_fields_are_choice_lists() -> None:
    prog = load_programme("mappa")
    assert [c.id for c in prog.case_field("category").choices] == ["1", "2", "3", "4"]
    assert [c.id for c in prog.case_field("management-level").choices] == ["1", "2", "3"]
    assert [h.label for h in prog.plan_headings] == [
        "Supervision",
        "Monitoring and control",
        "Interventions and treatment",
        "Victim safety",
    ]
    with pytest.raises(InvalidInput):
        prog.case_field("tier")


def test_case_field_values_in_the_programmes_order() -> None:
    prog = load_programme("mappa")
    values = prog.case_field_values([("management-level", "2"), ("no-such-field", "x"), ("category", "1")])
    assert [(v.field.id, v.choice) for v in values] == [
        ("category", "1"), ("management-level", "2"), *((cf.id, None) for cf in prog.date_fields)
    ]
    assert values[0].label == "Category 1 – registered sexual offender"
    assert values[0].short == "Category 1"
    assert [v.label for v in prog.case_field_values([])] == ["Not recorded"] * len(prog.case_fields)
    # a choice the programme no longer lists shows as recorded, by its id
    assert prog.case_field_values([("category", "9")])[0].label == "9"
    assert load_programme("extremism").case_field_values([("category", "1")]) == ()


def test_case_field_labels_in_a_sentence() -> None:
    from app.models.case_fields import in_sentence, short_label

    assert in_sentence("MAPPA category") == "MAPPA category"
    assert in_sentence("Management level") == "management level"
    assert short_label("Level 3 – active multi-agency management") == "Level 3"
    assert short_label("Checklist threshold met") == "Checklist threshold met"


def test_current_assessment_is_the_latest_version_then_the_higher_level() -> None:
    from app.models.domain import Assessment
    from app.models.ids import AssessmentId, CaseId

    prog = load_programme("mappa")

    def version(n: int, level: str, category: str, aid: str) -> Assessment:
        return Assessment(
            id=AssessmentId(aid), case_id=CaseId("c"), version=n, factors=(),
            dimension_summaries=(("field:category", category),), overall="", risk_level=level,
            author=None, assessed_on=D(2026, 1, n),
        )  # fmt: skip

    one, two = version(1, "very-high", "4", "b"), version(2, "low", "1", "a")
    assert rules.current_assessment(prog, [two, one]) == two
    low, high = version(3, "low", "2", "z"), version(3, "high", "3", "a")  # concurrent
    assert rules.current_assessment(prog, [one, high, low]) == high
    assert [v.choice for v in rules.current_case_fields(prog, [low, high])] == ["3"] + [None] * (len(prog.case_fields) - 1)
    assert rules.current_assessment(prog, []) is None
    assert [v.choice for v in rules.current_case_fields(prog, [])] == [None] * len(prog.case_fields)


def test_assessment_notes_round_trip() -> None:
    notes = AssessmentNotes(
        summaries=(("questions", "Asked in person."),),
        level_reason="An order is now in place.",
        suggested_level="high",
        case_fields=(("referral-criterion", "checklist"),),
    )
    assert split_summaries(join_summaries(notes)) == notes
    assert split_summaries([("engagement", "Some")]) == AssessmentNotes((("engagement", "Some"),))
