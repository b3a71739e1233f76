"""Transfers are disclosures (issue 15 and the disclosure log of issue 16): each offer, acceptance
and decline is exactly one row of the log on the side that sent it, naming the partner panel."""

from __future__ import annotations

from pathlib import Path

from app.services import disclosures, transfer
from tests.support.partner_stores import enrol_each_other, open_case_id


def _rows(session: object, key: str) -> list[object]:
    return [r for r in disclosures.disclosures(session) if r.kind == key]  # type: ignore[arg-type]


def test_offer_accept_and_decline_are_one_row_each_naming_the_partner(session, south, tmp_path: Path):
    enrol_each_other(session, south)
    first, second = open_case_id(session, 0), open_case_id(session, 1)
    transfer.offer(session, case=first, to=south.workstation.panel_name, out=tmp_path / "a.rtt")
    transfer.offer(session, case=second, to=south.workstation.panel_name, out=tmp_path / "b.rtt")
    offers = _rows(session, "transfer-offer")
    assert len(offers) == 2
    assert {r.recipient for r in offers} == {south.workstation.panel_name}
    assert all(r.recipient_agency == "Partner panel" and len(r.case_refs) == 1 for r in offers)

    transfer.import_file(south, path=tmp_path / "a.rtt", accept=True, out=tmp_path / "a-reply.rtt")
    transfer.import_file(south, path=tmp_path / "b.rtt", decline=True, reason="Not our area",
                         out=tmp_path / "b-reply.rtt")
    accepted = _rows(south, "transfer-accept")
    declined = _rows(south, "transfer-decline")
    assert len(accepted) == 1 and len(declined) == 1
    assert accepted[0].recipient == declined[0].recipient == session.workstation.panel_name
    assert len(accepted[0].case_refs) == 1  # the new local case
    # the sender disclosed nothing more by importing the replies
    transfer.import_file(session, path=tmp_path / "a-reply.rtt")
    transfer.import_file(session, path=tmp_path / "b-reply.rtt")
    assert len(_rows(session, "transfer-offer")) == 2
    assert not _rows(session, "transfer-accept") and not _rows(session, "transfer-decline")
