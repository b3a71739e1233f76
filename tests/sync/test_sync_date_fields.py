"""A date case field (MAPPA's registration end) travels to an agency store with the assessment
version that records it, and reads there as the same date (issue 18)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.crypto.identity import read_identity_card
from app.models import rules
from app.models.domain import FactorRating
from app.models.enums import Role
from app.services import cases, exchange, joining, panel, risk, setup
from app.services.cases import sharing
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE, copy_store
from tests.support.sync_support import PASS


def test_a_date_field_reaches_the_agency_store(mappa_template: Path, tmp_path: Path) -> None:
    hub = setup.unlock(copy_store(mappa_template, tmp_path / "hub"), passphrase=PASSPHRASE)
    police = next(a for a in panel.list_agencies(hub) if a.name == "Northshire Police")
    officer = next(m for m in panel.list_members(hub) if m.agency_id == police.id and m.role is Role.OFFICER)
    inv = joining.invite(hub, member=officer.id, out=tmp_path / "inv.rtinv")
    joined = joining.join_panel(tmp_path / "officer" / "panel.rtdb", invitation=(tmp_path / "inv.rtinv").read_bytes(),
                                fingerprint=inv.fingerprint, passphrase=PASS, kdf=CHEAP).session
    card = exchange.identity_card(joined)
    exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)

    prog = hub.programme
    cid = cases.list_case_ids(hub, statuses=["managed", "level-1"])[0]
    if police.id != cases.resolve_case(hub, cid).lead_agency:
        sharing.share_case(hub, case_id=cid, add=[police.id])
    fw = prog.framework
    risk.record_assessment(hub, case_id=cid, assessment=risk.AssessmentInput(
        factors=tuple(FactorRating(d, f, fw.ratings[1].id, "Seen.") for d, f in fw.factor_ids()),
        dimension_summaries=(), overall="The panel's judgement.", risk_level=fw.risk_levels[0].id,
        case_fields=(("category", "1"), ("management-level", "2"), ("registration-end", "12/03/2031")),
    ))
    out = tmp_path / "to-police.rtb"
    exchange.export_bundle(hub, to_member=joined.workstation.device_id, out=out)
    got = exchange.import_bundle(joined, path=out)
    assert got.outcome == "applied", got.reason

    def dates(s: object) -> dict[str, str | None]:
        cf = cases.get_case_file(s, cid, audit_view=False)  # type: ignore[arg-type]
        return {v.field.id: v.choice for v in rules.current_case_fields(prog, cf.assessments) if v.field.is_date}

    assert dates(joined)["registration-end"] == "2031-03-12" == dates(hub)["registration-end"]
    # the agency's case list sorts and filters on it as the hub's does
    row = next(r for r in cases.case_summaries(joined, [cid]))
    assert dict(row.case_fields)["registration-end"] == "2031-03-12"
    assert cid in cases.list_case_ids(joined, date_ranges={"registration-end": (dt.date(2031, 3, 12), None)})
    joined.close()
    hub.close()
