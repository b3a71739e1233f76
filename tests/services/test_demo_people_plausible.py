"""The demonstration panel's linked people are plausible (issue 18's closing note): the person
causing harm is a different person from the person at risk (neither forename nor surname is
theirs), and a child in the household is at least sixteen years younger than the person at risk
(so a young person at risk has none), never older. Checked over several seeds, for every shipped
programme with linked people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.config.programmes import available_programmes, load_programme
from app.models.enums import Role
from app.services import cases, demo, setup
from app.storage import people_queries, repo
from tests.support.stores import PASSPHRASE, today

WITH_LINKED = [p for p in available_programmes() if load_programme(p).linked_roles]


def _years_between(older: dt.date, younger: dt.date) -> int:
    """Whole years from ``older`` to ``younger``."""
    return younger.year - older.year - ((younger.month, younger.day) < (older.month, older.day))


@pytest.mark.slow
@pytest.mark.parametrize("programme", WITH_LINKED)
@pytest.mark.parametrize("seed", [1, 2, 3, 7, 11])
def test_demo_linked_people_are_plausible(programme: str, seed: int, tmp_path: Path) -> None:
    from tests.support.kdf import CHEAP

    created = setup.create_store(
        tmp_path / "panel.rtdb", passphrase=PASSPHRASE, name="Ann Coordinator",
        agency="Northshire County Council", role=Role.COORDINATOR, panel="Northshire panel",
        programme=programme, kdf=CHEAP, today_fn=today,
    )
    session = created.session
    try:
        demo.build_demo(session, cases=60, seed=seed)
        prog = session.programme
        main = prog.repeat_role or prog.linked_roles[0]
        checked_main = checked_children = 0
        with session.view() as conn:
            for summary in cases.list_cases(session):
                case = repo.get_case(conn, summary.id)
                assert case is not None
                subject = repo.get_subject(conn, case.subject_id)
                assert subject is not None and subject.date_of_birth is not None
                for person in people_queries.linked_people(conn, case.id):
                    if person.role == main.id:
                        checked_main += 1
                        assert person.forenames != subject.forenames, (case.ref, person, subject)
                        assert person.surname != subject.surname, (case.ref, person, subject)
                        continue
                    checked_children += 1
                    assert person.date_of_birth is not None
                    gap = _years_between(subject.date_of_birth, person.date_of_birth)
                    assert gap >= 16, (case.ref, subject.date_of_birth, person.date_of_birth)
                    assert person.date_of_birth <= today()
        assert checked_main and checked_children
    finally:
        session.close()
