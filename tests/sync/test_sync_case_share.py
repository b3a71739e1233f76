"""`case share CASE --add/--remove AGENCY` at the hub: the next bundle brings the case to the
added agency's store and evicts it from the removed one's (checked with a real export and import);
and an agency renamed at the hub is renamed on the member store by the next bundle."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.services import cases, exchange
from app.services import panel as panel_svc
from tests.support.sync_support import PASS, Panel, dump, open_case, open_store


def _cli(panel: Panel, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    path = panel.hub.store.path
    panel.hub.close()  # the command line opens the store itself
    try:
        capsys.readouterr()
        code = main(["--store", str(path), *args])
        c = capsys.readouterr()
        return code, c.out, c.err
    finally:
        panel.hub = open_store(path)


def _police_cases(panel: Panel) -> list[object]:
    return [row[0] for row in dump(panel.police)["case"]]


def test_case_share_adds_and_evicts_on_the_next_bundle(
    panel: Panel, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", PASS)
    monkeypatch.setenv("ROUNDTABLE_NO_LOG", "1")
    cid = open_case(panel.hub, share=[])
    ref = cases.resolve_case(panel.hub, cid).ref
    # nothing shared with Police yet: the bundle brings no case
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    assert cid not in _police_cases(panel)

    police_agency = panel.police.workstation.agency
    code, out, err = _cli(panel, capsys, "case", "share", ref, "--add", police_agency.name)
    assert code == 0, err
    assert police_agency.name in out
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    assert cid in _police_cases(panel)
    assert cases.resolve_case(panel.police, ref).id == cid

    code, out, err = _cli(panel, capsys, "case", "share", ref, "--remove", police_agency.id)
    assert code == 0, err
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.ok and r.evicted == 1
    assert cid not in _police_cases(panel)
    assert not dump(panel.police)["subject"]


def test_an_agency_and_a_member_renamed_at_the_hub_travel(panel: Panel) -> None:
    police = panel.police.workstation.agency
    me = panel.police.workstation.member
    changed = panel_svc.update_agency(panel.hub, agency_id=police.id, name="Northshire Constabulary",
                                      short="NC", area="North and East")
    assert set(changed) == {"name", "short", "area"}
    panel_svc.update_member(panel.hub, member_id=me.id, name="Pat Constable-Smith", area="North")
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    agency = panel_svc.resolve_agency(panel.police, police.id)
    assert (agency.name, agency.short, agency.area) == ("Northshire Constabulary", "NC",
                                                          "North and East")
    member = next(m for m in panel_svc.list_members(panel.police) if m.id == me.id)
    assert (member.name, member.area) == ("Pat Constable-Smith", "North")
