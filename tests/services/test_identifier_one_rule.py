"""An identifier written two ways ("AB 12/34-5.6", "ab123456") is one identifier for the store's
search, the duplicate check and referral intake alike (``app.models.people``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.models import people
from app.models.domain import Identifier
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, intake
from app.services.cases import referrals
from app.services.context import Session
from tests.support.intake_csv import HEAD, csv_bytes, put, row
from tests.support.stores import TODAY


def _open(session: Session, value: str, *, kind: str = "other", surname: str = "Quill") -> str:
    subject = SubjectInput(forenames="Ada", surname=surname, date_of_birth=dt.date(2001, 2, 3),
                                 identifiers=(Identifier(kind, value),))  # fmt: skip
    referral = ReferralInput(received=TODAY, referrer="DSL", sector="school", concern="far right",
                                   narrative="n")  # fmt: skip
    cid = referrals.open_referral(session, subject=subject, referral=referral)
    return cases.get_case_file(session, cid, audit_view=False).case.ref


@pytest.mark.parametrize(
    ("stored", "typed"), [("AB 12/34-5.6", "ab123456"), ("ab123456", "AB 12/34-5.6")]
)
def test_search_and_duplicate_check_match_an_identifier_however_written(
    session: Session, stored: str, typed: str
) -> None:
    assert people.identifier_key(stored) == people.identifier_key(typed) == "AB123456"
    ref = _open(session, stored)
    assert ref in {c.ref for c in cases.list_cases(session, search=typed)}
    other = SubjectInput(
        forenames="Someone", surname="Else", identifiers=(Identifier("other", typed),)
    )
    found = referrals.find_matching_subjects(session, other)
    assert [(m.reason, m.case_refs) for m in found] == [("identifier", (ref,))]


def test_intake_links_a_row_to_a_subject_whose_identifier_was_typed_with_other_separators(
    session: Session, tmp_path: Path
) -> None:
    ref = _open(session, "2001 / 0012345 a", kind="pnc", surname="Known")
    headers = [*HEAD, "PNC"]
    path = put(
        tmp_path, "pnc.csv", csv_bytes([[*row(Surname="Other"), "2001/0012345A"]], headers=headers)
    )
    preview = intake.preview_referral_file(session, path=path)
    assert not preview.problems, [p.describe() for p in preview.problems]
    [match] = preview.rows[0].matches
    assert (match.reason, match.case_refs) == ("identifier", (ref,))


def test_one_rule_says_when_two_records_are_the_same_person() -> None:
    dob = dt.date(2001, 2, 3)
    keys = people.person_keys("Ada", "Quill", ["Ada Q"], dob, [("pnc", "2001/0012345A")])
    assert (
        people.same_person_reason(
            keys, people.person_keys("X", "Y", [], None, [("pnc", "2001 0012345a")])
        )
        == "identifier"
    )
    assert (
        people.same_person_reason(keys, people.person_keys("Someone", "Else", ["ADA-Q"], dob, []))
        == "name and date of birth"
    )
    assert (
        people.same_person_reason(keys, people.person_keys("Bea", "Quill", [], dob, []))
        == "name and date of birth"
    )
    assert (
        people.same_person_reason(keys, people.person_keys("Ada", "Quill", [], None, [("nhs", "")]))
        == ""
    )
