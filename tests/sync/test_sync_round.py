"""Basic rounds: hub to agency and back, scope, duplicates, acknowledgements."""

from __future__ import annotations

from app.services import contributions, exchange
from tests.support.sync_support import Panel, dump, open_case


def test_case_reaches_only_the_agencies_it_is_shared_with(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    other = open_case(panel.hub, share=[panel.health], surname="Roe")
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.outcome == "applied", r.reason
    d = dump(panel.police)
    case_ids = {row[0] for row in d["case"]}
    assert cid in case_ids and other not in case_ids
    assert {row[2] for row in d["subject"]} == {"Doe"}


def test_officer_note_goes_to_hub_and_second_import_is_a_no_op(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    contributions.add_contribution(panel.police, case_id=cid, text="Known to us.")
    f = panel.ship(panel.police, panel.hub)
    r = exchange.import_bundle(panel.hub, path=f)
    assert r.outcome == "applied", r.reason
    assert r.applied >= 1
    before = dump(panel.hub)
    again = exchange.import_bundle(panel.hub, path=f)
    assert again.outcome == "duplicate"
    assert dump(panel.hub) == before
