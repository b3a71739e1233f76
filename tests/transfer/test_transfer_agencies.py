"""A transfer seen from the agencies' stores: a police officer's restricted contribution reaches
the coordinator through the panel's own exchange, yet only its "held by Police; ask them" line
goes to the partner panel; once the partner accepts, the case's "Transferred out" status reaches
the officer's store with the next file, as any status change does; partners and transfers stay
in the coordinator's store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.services import cases, contributions, exchange, transfer
from app.storage import partners as partner_store
from app.storage import transfers as transfer_store
from tests.support.partner_stores import enrol_each_other
from tests.support.sync_support import Panel, open_case, panel, panel_template  # noqa: F401

SECRET = "Police intelligence 7731: do not share beyond police"


def test_restricted_police_information_stays_and_the_status_reaches_the_police(
        panel: Panel, south, tmp_path: Path):  # noqa: F811
    hub, police = panel.hub, panel.police
    case_id = open_case(hub, share=[police])
    exchange.import_bundle(police, path=panel.ship(hub, police))
    contributions.add_contribution(police, case_id=case_id, text=SECRET,
                                   restricted_to=[police.workstation.agency.id])
    contributions.add_contribution(police, case_id=case_id, text="Seen at the library twice.")
    exchange.import_bundle(hub, path=panel.ship(police, hub))

    enrol_each_other(hub, south)
    offer = tmp_path / "offer.rtt"
    transfer.offer(hub, case=case_id, to=south.workstation.panel_name, out=offer)
    got = transfer.import_file(south, path=offer)
    text = repr(got.content)
    assert SECRET not in text
    assert "Seen at the library twice." in text
    assert [r["line"] for r in got.content["restricted"]] == ["held by Police; ask them"]

    reply = tmp_path / "reply.rtt"
    transfer.import_file(south, path=offer, accept=True, out=reply)
    before = cases.get_case_file(police, case_id, audit_view=False).case.status
    transfer.import_file(hub, path=reply)
    out_status = hub.programme.transfer.out_status
    assert cases.get_case_file(hub, case_id, audit_view=False).case.status == out_status
    assert cases.get_case_file(police, case_id, audit_view=False).case.status == before
    exchange.import_bundle(police, path=panel.ship(hub, police))
    held = cases.get_case_file(police, case_id, audit_view=False).case
    assert held.status == out_status and held.closed is not None
    with police.view() as conn:
        assert conn.execute(select(partner_store.partner)).all() == []
        assert conn.execute(select(transfer_store.transfer)).all() == []
