"""Agencies and members edited at the hub: renames, short names, areas, policing areas — audited,
one transaction, captured as operations; a name the panel already has is refused and changes
nothing; another workstation is refused; agencies resolve by id, short name or unambiguous name."""

from __future__ import annotations

import pytest

from app.models.enums import Role
from app.models.errors import Ambiguous, InvalidInput, NotFound, PermissionDenied
from app.services import panel, setup
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE, dump_store


def _agency(session, name: str):
    return next(a for a in panel.list_agencies(session) if a.name == name)


def test_rename_an_agency_with_short_name_and_area(empty_session) -> None:
    s = empty_session
    aid = panel.add_agency(s, name="Northshire Police", short="NP", sector="police")
    changed = panel.update_agency(s, agency_id=aid, name="  Northshire   Constabulary ", short="NSC",
                                  area="North")
    assert sorted(changed) == ["area", "name", "short"]
    a = panel.resolve_agency(s, aid)
    assert (a.name, a.short, a.area) == ("Northshire Constabulary", "NSC", "North")
    entries = panel.history(s, entity="agency", record_id=aid)
    assert any(e.action == "update" and "name" in e.fields for e in entries)
    assert panel.update_agency(s, agency_id=aid, name="Northshire Constabulary") == []  # no change


@pytest.mark.parametrize("clash", ["northshire county council", "NORTHSHIRE  County Council"])
def test_a_rename_to_a_name_the_panel_has_is_refused(empty_session, clash: str) -> None:
    s = empty_session
    aid = panel.add_agency(s, name="Northshire Police", short="NP", sector="police")
    before = dump_store(s)
    with pytest.raises(InvalidInput, match="already has an agency called"):
        panel.update_agency(s, agency_id=aid, name=clash, area="changed too")
    assert dump_store(s) == before  # the area did not change either: one transaction


def test_add_agency_refuses_a_name_or_short_name_the_panel_has(empty_session) -> None:
    s = empty_session
    panel.add_agency(s, name="Northshire Police", short="NP", sector="police")
    with pytest.raises(InvalidInput, match="already has an agency"):
        panel.add_agency(s, name=" northshire  police", short="X", sector="police")
    with pytest.raises(InvalidInput, match="already used"):
        panel.add_agency(s, name="North Probation", short="np", sector="probation")
    made = panel.add_agency(s, name="North Probation Service")  # short and kind from the name
    a = panel.resolve_agency(s, made)
    assert a.short == "NPS" and a.sector == "probation"


def test_rename_a_member_and_edit_the_policing_area(empty_session) -> None:
    s = empty_session
    aid = panel.add_agency(s, name="Northshire Police", short="NP", sector="police")
    mid = panel.add_member(s, name="Pat", agency_id=aid, role=Role.OFFICER, area="North")
    assert sorted(panel.update_member(s, member_id=mid, name="Pat Constable", area="South")) == [
        "area", "name"]
    m = next(m for m in panel.list_members(s) if m.id == mid)
    assert (m.name, m.area) == ("Pat Constable", "South")
    with pytest.raises(InvalidInput):
        panel.update_member(s, member_id=mid, name="   ")
    with pytest.raises(NotFound):
        panel.update_member(s, member_id="nobody", name="X")  # type: ignore[arg-type]


def test_resolve_agency(empty_session) -> None:
    s = empty_session
    aid = panel.add_agency(s, name="Northshire Police", short="NP", sector="police")
    assert panel.resolve_agency(s, aid).id == aid
    assert panel.resolve_agency(s, "np").id == aid
    assert panel.resolve_agency(s, " NORTHSHIRE  police ").id == aid
    assert panel.resolve_agency(s, "Northshire P").id == aid
    with pytest.raises(Ambiguous, match="more than one agency"):
        panel.resolve_agency(s, "Northshire")
    with pytest.raises(NotFound, match="no agency"):
        panel.resolve_agency(s, "Southshire")


def test_another_workstation_may_not_edit(tmp_path) -> None:
    s = setup.create_store(tmp_path / "o.rtdb", passphrase=PASSPHRASE, name="Pat", agency="Police",
                           role=Role.OFFICER, kdf=CHEAP).session
    try:
        before = dump_store(s)
        with pytest.raises(PermissionDenied, match="Only the panel coordinator"):
            panel.update_agency(s, agency_id=s.agency.id, name="Renamed")
        with pytest.raises(PermissionDenied):
            panel.update_member(s, member_id=s.me.id, area="North")
        assert dump_store(s) == before
    finally:
        s.close()


def test_sector_words() -> None:
    assert panel.sector_label("local-authority") == "Local authority"
    assert all(panel.sector_label(k) != k for k in panel.AGENCY_SECTORS)
