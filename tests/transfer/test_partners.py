"""Partner panels: enrolled from another coordinator's card after the fingerprint check, refused
for a wrong fingerprint, the own card, a duplicate, a member's card or another programme; every
refusal leaves the store unchanged; every enrolment is audited."""

from __future__ import annotations

import pytest

from app.crypto.identity import read_identity_card
from app.models.errors import AppError, InvalidInput, PermissionDenied, Refused
from app.services import exchange, panel, partners
from app.storage import audit as audit_store
from tests.support.partner_stores import SOUTH_PANEL, card_of
from tests.support.stores import dump_store


def test_a_coordinator_card_names_its_panel_and_programme(session):
    card = read_identity_card(exchange.identity_card(session))
    assert card.panel_name == session.workstation.panel_name
    assert card.programme == session.workstation.programme


def test_enrol_list_resolve(session, south):
    card, fpr = card_of(south)
    p = partners.enrol_partner(session, card, fpr)
    assert (p.kind, p.name, p.programme) == ("panel", SOUTH_PANEL, session.workstation.programme)
    assert p.fingerprint == south.workstation.fingerprint
    assert p.coordinator == "Ann Coordinator"
    assert partners.list_partners(session) == [p]
    assert partners.resolve_partner(session, "southshire  extremism risk PANEL") == p
    assert partners.resolve_partner(session, p.id) == p
    assert partners.resolve_partner(session, p.id[:8]) == p
    with pytest.raises(InvalidInput):
        partners.resolve_partner(session, "Westshire")
    with pytest.raises(InvalidInput):
        partners.resolve_partner(session, p.id[:5])
    with session.view() as conn:
        entries = audit_store.entries_for(conn, "partner", p.id)
    assert [e.action for e in entries] == ["enrol-partner"]
    assert f"fingerprint:{p.fingerprint}" in entries[0].fields
    assert panel.verify_audit(session).ok


def test_enrol_a_region(session, south):
    card, fpr = card_of(south)
    p = partners.enrol_partner(session, card, fpr, kind="region")
    assert p.kind == "region"


def _refused(session, card, fpr, kind="panel"):
    before = dump_store(session)
    with pytest.raises(AppError) as err:
        partners.enrol_partner(session, card, fpr, kind=kind)
    assert dump_store(session) == before
    return err.value


def test_refusals_leave_the_store_unchanged(session, south, msession):
    card, fpr = card_of(south)
    wrong = fpr[:-1] + ("1" if fpr[-1] != "1" else "2")
    e = _refused(session, card, wrong)
    assert isinstance(e, Refused) and "fingerprint does not match" in e.user_message
    own, own_fpr = card_of(session)
    assert "own identity card" in _refused(session, own, own_fpr).user_message
    mcard, mfpr = card_of(msession)
    e = _refused(session, mcard, mfpr)
    assert "same programme" in e.user_message and "MAPPA" in e.user_message.upper()
    assert "panel or a region" in _refused(session, card, fpr, kind="county").user_message
    assert isinstance(_refused(session, b"not a card", fpr), InvalidInput)
    partners.enrol_partner(session, card, fpr)
    assert "already enrolled" in _refused(session, card, fpr).user_message
    assert "already enrolled" in _refused(session, card, fpr, kind="region").user_message


def test_a_card_without_its_panel_is_refused(session, south):
    from app.crypto.identity import make_identity_card

    ws = south.workstation
    old = make_identity_card(south.store.device_keys(), device_id=ws.device_id, name="Ann",
                             agency_id=ws.agency.id, agency_name=ws.agency.name,
                             role="coordinator", created="2026-11-30T00:00:00+00:00")
    assert read_identity_card(old).panel_name == ""  # an older card still reads
    assert "does not name its panel" in _refused(session, old, ws.fingerprint).user_message


def test_an_officer_store_cannot_enrol_a_partner(session, south):
    card, fpr = card_of(south)
    ws = session.workstation
    session._workstation = type(ws)(**{**ws.__dict__, "is_hub": False})  # an officer's store
    with pytest.raises(Refused):
        partners.enrol_partner(session, card, fpr)
    from app.models.domain import Member
    from app.models.enums import Role

    me = ws.member
    session._workstation = type(ws)(**{**ws.__dict__, "member": Member(**{**me.__dict__, "role": Role.OFFICER})})
    with pytest.raises(PermissionDenied):
        partners.enrol_partner(session, card, fpr)
    session.refresh_workstation()
    assert partners.list_partners(session) == []
