"""Invitations: signed by the coordinator's key, checked against the card inside them and the
fingerprint typed by the user; any change to the file is refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.crypto._canonical import canonical_dumps
from app.crypto.identity import DeviceKeys, make_identity_card, read_identity_card
from app.crypto.invitation import make_invitation, read_invitation, verify_invitation
from app.models.errors import InvalidInput, Refused

ISSUED = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
FIELDS = {
    "invitation_id": "5d1f0a3e-1111-4c1e-9d55-3f3d0e6c9a10", "panel_id": "p-1",
    "panel_name": "Northshire MAPPA panel", "programme": "mappa",
    "member_id": "m-1", "member_name": "Pat Officer", "role": "officer", "area": "North",
    "agency_id": "a-1", "agency_name": "Northshire Police", "agency_short": "NP",
}


def _card(keys: DeviceKeys, role: str = "coordinator") -> bytes:
    return make_identity_card(keys, device_id="d-hub", name="Cora", agency_id="a-0",
                              agency_name="Council", role=role, created="2026-11-30T09:00:00Z")


def _invitation(keys: DeviceKeys) -> bytes:
    return make_invitation(keys, coordinator_card=_card(keys), fields=FIELDS, issued=ISSUED,
                           expires=ISSUED + dt.timedelta(days=14))


def test_round_trip_and_fingerprint(device_keys: DeviceKeys) -> None:
    data = _invitation(device_keys)
    inv = verify_invitation(data, device_keys.public().fingerprint)
    assert (inv.member_id, inv.agency_name, inv.programme) == ("m-1", "Northshire Police", "mappa")
    assert inv.expires - inv.issued == dt.timedelta(days=14)
    assert read_identity_card(inv.coordinator_card).identity == device_keys.public()
    assert not inv.expired(ISSUED) and inv.expired(ISSUED + dt.timedelta(days=14))
    with pytest.raises(Refused, match="fingerprint does not match"):
        verify_invitation(data, DeviceKeys.generate().public().fingerprint)


def test_every_byte_changed_is_refused(device_keys: DeviceKeys) -> None:
    data = _invitation(device_keys)
    for i in range(len(data)):
        mutated = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
        try:
            inv = read_invitation(mutated)
        except InvalidInput:
            continue
        # the only changes that still read are outside the signed content: none exist
        raise AssertionError(f"byte {i} changed and still read: {inv}")


def test_a_signature_by_another_key_or_card_is_refused(device_keys: DeviceKeys) -> None:
    other = DeviceKeys.generate()
    doc = json.loads(_invitation(device_keys))
    # the other key's card put in, the original signature kept
    doc["coordinator_card"] = json.loads(_card(other))
    with pytest.raises(InvalidInput, match="altered"):
        read_invitation(canonical_dumps(doc))
    # a consistent invitation by someone else reads, but never with the coordinator's fingerprint
    forged = make_invitation(other, coordinator_card=_card(other), fields=FIELDS, issued=ISSUED,
                             expires=ISSUED + dt.timedelta(days=14))
    with pytest.raises(Refused):
        verify_invitation(forged, device_keys.public().fingerprint)


def test_malformed_invitations(device_keys: DeviceKeys) -> None:
    for bad in (b"", b"{}", b"[]", b"x" * 40_000, _card(device_keys),
                b'{"type":"roundtable-invitation","version":2}'):
        with pytest.raises(InvalidInput):
            read_invitation(bad)
    with pytest.raises(InvalidInput):  # not the coordinator's own card
        make_invitation(device_keys, coordinator_card=_card(DeviceKeys.generate()), fields=FIELDS,
                        issued=ISSUED, expires=ISSUED + dt.timedelta(days=1))
    officer_card = _card(device_keys, role="officer")
    data = make_invitation(device_keys, coordinator_card=officer_card, fields=FIELDS, issued=ISSUED,
                           expires=ISSUED + dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="not from a panel coordinator"):
        read_invitation(data)


def test_a_joined_card_carries_its_member_and_invitation(device_keys: DeviceKeys) -> None:
    card = make_identity_card(device_keys, device_id="d-2", name="Pat", agency_id="a-1",
                              agency_name="Northshire Police", role="officer",
                              created="2026-11-30T09:00:00Z",
                              joined={"member_id": "m-1", "panel_id": "p-1", "invitation_id": "i-1"})
    c = read_identity_card(card)
    assert (c.member_id, c.panel_id, c.invitation_id, c.from_invitation) == ("m-1", "p-1", "i-1", True)
    doc = json.loads(card)
    del doc["panel_id"]  # all three or none
    with pytest.raises(InvalidInput):
        read_identity_card(canonical_dumps(doc))
