"""A rationale that only restates the label it is printed beside is not printed twice
("Meets the threshold. Screening: meets the threshold." was seen on a case's summary)."""

from __future__ import annotations

import pytest

from app.models import rules


@pytest.mark.parametrize(
    "rationale",
    ["Meets the threshold", "Screening: meets the threshold.", "  meets the THRESHOLD . ", ""],
)
def test_a_rationale_restating_the_label_adds_nothing(rationale: str) -> None:
    assert rules.rationale_beyond("Meets the threshold", rationale) == ""
    assert rules.label_and_rationale("Meets the threshold", rationale) == "Meets the threshold."


def test_a_reason_in_words_is_kept() -> None:
    why = "Fifteen yes answers and a recent strangulation: the risk is high."
    assert rules.rationale_beyond("Meets the threshold", why) == why
    assert rules.label_and_rationale("Meets the threshold", why) == f"Meets the threshold. {why}"
    # a rationale that merely mentions the label among other words is a reason
    assert rules.rationale_beyond("Below threshold", "Below threshold, but re-check in May.")
