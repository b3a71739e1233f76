"""One normalisation of names and identifiers (``app.models.people``) shared by the store's search,
the duplicate check and referral intake: punctuation folds like accents, identifiers match with and
without spaces, hyphens, slashes and dots."""

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
from tests.support.intake_csv import csv_bytes, put, row
from tests.support.stores import TODAY


def _open(session: Session, forenames: str, surname: str, *, dob: dt.date | None = dt.date(2001, 2, 3),
          ids: tuple[Identifier, ...] = ()) -> str:
    subject = SubjectInput(forenames=forenames, surname=surname, date_of_birth=dob, identifiers=ids)
    referral = ReferralInput(received=TODAY, referrer="DSL", sector="school", concern="far right",
                                   narrative="n")
    cid = referrals.open_referral(session, subject=subject, referral=referral)
    return cases.get_case_file(session, cid, audit_view=False).case.ref


def _found(session: Session, text: str) -> set[str]:
    return {c.ref for c in cases.list_cases(session, search=text)}


def test_names_fold_punctuation_as_they_fold_accents() -> None:
    assert people.name_key("O'Brien") == people.name_key("OBrien") == people.name_key("o brien")
    assert people.name_key("Zoë Ó Súilleabháin-Smith") == people.name_key("zoe osuilleabhainsmith")
    assert people.identifier_key("430 981 3641") == people.identifier_key("430-981/36.41") == "4309813641"
    assert people.identifier_key("25/518074 d") == "25518074D"


def test_search_finds_names_without_punctuation_and_identifiers_without_spaces(session: Session) -> None:
    obrien = _open(session, "Aoife", "O'Brien")
    nhs = _open(session, "Nia", "Hughes", ids=(Identifier("nhs", "430 981 3641"),))
    pnc = _open(session, "Tom", "Price", ids=(Identifier("pnc", "25 518074 D"),))
    assert obrien in _found(session, "OBrien")
    assert obrien in _found(session, "o'brien")
    assert obrien in _found(session, "aoife obrien")
    assert nhs in _found(session, "4309813641")
    assert nhs in _found(session, "430-981-3641")
    assert pnc in _found(session, "25518074D")
    assert pnc in _found(session, "25/518074d")
    assert _found(session, "OBrienzz") == set()


def test_duplicate_check_folds_punctuation_and_identifier_separators(session: Session) -> None:
    _open(session, "Aoife", "O'Brien", ids=(Identifier("pnc", "AB-123"),))
    same_name = SubjectInput(forenames="Aoife", surname="OBrien", date_of_birth=dt.date(2001, 2, 3))
    assert [m.reason for m in referrals.find_matching_subjects(session, same_name)] == ["name and date of birth"]
    by_id = SubjectInput(forenames="X", surname="Y", identifiers=(Identifier("pnc", "ab.123"),))
    assert [m.reason for m in referrals.find_matching_subjects(session, by_id)] == ["identifier"]


@pytest.mark.parametrize("second", ["4857773457", "485-777-3457", "485/777.3457"])
def test_intake_rows_with_the_same_identifier_written_differently_are_one_person(
    session: Session, tmp_path: Path, second: str
) -> None:
    headers = ["Referral date", "Referrer", "Referring agency", "Forename(s)", "Surname", "D.O.B.",
               "Gender", "NHS number", "Type of concern", "Reason for referral"]
    first = row(**{"NHS number": "485 777 3457", "D.O.B.": ""})
    other = row(**{"NHS number": second, "D.O.B.": "", "Forename(s)": "Someone", "Surname": "Else"})
    path = put(tmp_path, "ids.csv", csv_bytes([first, other], headers=headers))
    preview = intake.preview_referral_file(session, path=path)
    assert not preview.problems
    assert preview.rows[1].same_as_row == 2


def test_intake_rows_whose_names_differ_only_by_punctuation_are_one_person(session: Session, tmp_path: Path) -> None:
    a = row(**{"Surname": "O'Brien"})
    b = row(**{"Surname": "OBrien", "Referral date": "04/02/2026"})
    preview = intake.preview_referral_file(session, path=put(tmp_path, "names.csv", csv_bytes([a, b])))
    assert preview.rows[1].same_as_row == 2


def test_quick_find_takes_a_date_of_birth_typed_without_separators(session: Session) -> None:
    from app.services import ui_queries

    ref = _open(session, "Dara", "Quinn", dob=dt.date(2009, 5, 17))
    for typed in ("17052009", "17/05/2009", "17-5-09"):
        assert ref in {s.ref for s in ui_queries.quick_find(session, typed)}, typed


def test_risk_levels_are_held_in_rank_order_whatever_the_files_order() -> None:
    import tomllib

    from app.config.programmes import programmes_dir
    from app.models.programme_load import programme_from_dict

    data = tomllib.loads((programmes_dir() / "extremism.toml").read_text(encoding="utf-8"))
    data["framework"]["risk_levels"] = list(reversed(data["framework"]["risk_levels"]))
    prog = programme_from_dict(data)
    ranks = [r.rank for r in prog.framework.risk_levels]
    assert ranks == sorted(ranks)


def test_sorting_by_risk_uses_the_rank_not_the_level_ids(session: Session) -> None:
    ranks = {r.id: r.rank for r in session.programme.framework.risk_levels}
    down = [ranks[s.risk_level] for s in cases.list_cases(session, sort="risk", descending=True) if s.risk_level]
    assert len(set(down)) >= 3 and down == sorted(down, reverse=True)
