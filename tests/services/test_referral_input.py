"""One table of a referral's text fields (``app.models.referral_input``): the referral form's door
and spreadsheet intake refuse the same text, intake naming the row and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models.errors import InvalidInput
from app.models.fieldrules import MAX_NAME, field_limit
from app.models.referral_input import REFERRAL_TEXT, SUBJECT_TEXT, ReferralInput, SubjectInput
from app.services import intake
from app.services.cases import referrals
from app.services.context import Session
from tests.support.intake_csv import HEAD, csv_bytes, put, row
from tests.support.stores import TODAY, dump_store

BELL = "\x07"


def test_the_limits_are_those_of_the_stored_fields() -> None:
    assert {f.name: f.limit for f in SUBJECT_TEXT}["address"] == field_limit("subject", "address")
    assert {f.name: f.required for f in REFERRAL_TEXT} == {"referrer": True, "narrative": True}
    assert SubjectInput is SubjectInput and ReferralInput is ReferralInput


@pytest.mark.parametrize(
    ("alias", "words"),
    [(f"Zed{BELL}", "contains control characters"), ("Z" * (MAX_NAME + 1), "too long")],
)
def test_an_alias_the_form_refuses_is_a_row_problem_in_intake(
    session: Session, tmp_path: Path, alias: str, words: str
) -> None:
    referral = ReferralInput(
        received=TODAY, referrer="DSL", sector="school", concern="far right", narrative="n"
    )
    with pytest.raises(InvalidInput, match=words):
        referrals.open_referral(
            session, subject=SubjectInput("A", "B", aliases=(alias,)), referral=referral
        )
    headers = [*HEAD, "Aliases"]
    path = put(tmp_path, "alias.csv", csv_bytes([[*row(), ""], [*row(), alias]], headers=headers))
    before = dump_store(session)
    preview = intake.preview_referral_file(session, path=path)
    assert [(p.row, p.column) for p in preview.problems] == [(3, "Aliases")]
    assert f"An alias {'is ' if words == 'too long' else ''}{words}" in preview.problems[0].message
    with pytest.raises(intake.IntakeRefused):
        intake.import_referrals(session, path=path)
    assert dump_store(session) == before
