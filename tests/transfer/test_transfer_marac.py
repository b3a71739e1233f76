"""Between two MARACs (a programme with linked roles): the person causing harm and the children
linked to the case are linked to the new case at the receiver too, and the case closes at the
sender at MARAC's own "Transferred out"."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import linked_people, transfer
from tests.support.partner_stores import enrol_each_other, unlock_copy
from tests.support.stores import build_store


@pytest.fixture(scope="module")
def marac_templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("marac-pair")
    north = build_store(root / "n" / "north.rtdb", programme="marac", panel="Northshire MARAC",
                        demo_cases=8, seed=11)
    south = build_store(root / "s" / "south.rtdb", programme="marac", panel="Southshire MARAC")
    return north, south


def test_linked_people_travel_and_are_linked_again(marac_templates, tmp_path: Path):
    n_tpl, s_tpl = marac_templates
    ng, sg = unlock_copy(n_tpl, tmp_path / "n"), unlock_copy(s_tpl, tmp_path / "s")
    north, south = next(ng), next(sg)
    try:
        enrol_each_other(north, south)
        prog = north.programme
        from app.services import cases

        with_people = [c for c in cases.list_cases(north) if not prog.status(c.status).terminal
                       and linked_people.people_of(north, c.id)]
        assert with_people, "the MARAC demo links people to its cases"
        case = with_people[0]
        sent = sorted((p.role, p.display_name) for p in linked_people.people_of(north, case.id))
        offer, reply = tmp_path / "o.rtt", tmp_path / "r.rtt"
        transfer.offer(north, case=case.id, to="Southshire MARAC", out=offer)
        got = transfer.import_file(south, path=offer, accept=True, out=reply)
        here = sorted((p.role, p.display_name)
                      for p in linked_people.people_of(south, got.answered.case_id))
        assert here == sent
        transfer.import_file(north, path=reply)
        assert cases.get_case_file(north, case.id, audit_view=False).case.status == "transferred-out"
    finally:
        for g in (ng, sg):
            next(g, None)
