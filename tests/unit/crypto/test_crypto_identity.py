"""Identities: key serialisation, key ids, fingerprints, identity cards, signed documents."""

from __future__ import annotations

import base64
import json
import re

import pytest

from app.crypto.identity import (
    DeviceKeys,
    PublicIdentity,
    format_fingerprint,
    make_identity_card,
    open_signed_document,
    read_identity_card,
    sign,
    sign_document,
    verify,
)
from app.models.errors import InvalidInput

CARD_FIELDS = {
    "device_id": "0b7c8f7e-5b1a-4c1e-9d55-3f3d0e6c9a10",
    "name": "Łukasz Nowak-Ó Súilleabháin",
    "agency_id": "a1d8b6c4-8f0e-4f0f-8f6d-2a3b4c5d6e7f",
    "agency_name": "Police — Safeguarding",
    "role": "officer",
    "created": "2026-03-01T09:30:00Z",
}


def test_private_bytes_round_trip(device_keys: DeviceKeys) -> None:
    raw = device_keys.private_bytes()
    assert len(raw) == 64
    again = DeviceKeys.from_private_bytes(raw)
    assert again.public() == device_keys.public()
    assert raw.hex() not in repr(device_keys)
    with pytest.raises(InvalidInput):
        DeviceKeys.from_private_bytes(raw[:63])


def test_key_id_and_fingerprint(device_keys: DeviceKeys) -> None:
    pub = device_keys.public()
    assert len(pub.key_id) == 16
    assert pub.key_id != DeviceKeys.generate().public().key_id
    assert re.fullmatch(r"(\d{5} ){7}\d{5}", pub.fingerprint)
    # both keys count: changing only the encryption key changes id and fingerprint
    other = PublicIdentity(pub.sign_pub, DeviceKeys.generate().public().enc_pub)
    assert other.key_id != pub.key_id and other.fingerprint != pub.fingerprint


def test_format_fingerprint_known_value() -> None:
    digest = bytes(range(32))
    # word 0 = 0x00010203 = 66051 -> 66051; word 1 = 0x04050607 = 67438087 -> 38087
    assert format_fingerprint(digest).split()[:2] == ["66051", "38087"]
    with pytest.raises(ValueError):
        format_fingerprint(b"\x00" * 31)


def test_fingerprint_matching(device_keys: DeviceKeys) -> None:
    pub = device_keys.public()
    fp = pub.fingerprint
    assert pub.fingerprint_matches(fp)
    assert pub.fingerprint_matches(fp.replace(" ", ""))
    assert pub.fingerprint_matches(fp.replace(" ", "-"))
    assert pub.fingerprint_matches("  " + fp.replace(" ", "  ") + "\n")
    assert not pub.fingerprint_matches(fp[:-1])  # a prefix is not enough
    assert not pub.fingerprint_matches(fp + "1")
    assert not pub.fingerprint_matches("")
    wrong = fp[:-1] + ("0" if fp[-1] != "0" else "1")
    assert not pub.fingerprint_matches(wrong)
    assert not pub.fingerprint_matches(DeviceKeys.generate().public().fingerprint)


def test_sign_and_verify(device_keys: DeviceKeys) -> None:
    sig = sign(device_keys, b"message")
    pub = device_keys.public().sign_pub
    assert verify(pub, b"message", sig)
    assert not verify(pub, b"messagE", sig)
    assert not verify(pub, b"message", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not verify(DeviceKeys.generate().public().sign_pub, b"message", sig)
    assert not verify(b"\x00" * 31, b"message", sig)
    assert not verify(pub, b"message", b"short")


def test_public_identity_checks_lengths() -> None:
    with pytest.raises(ValueError):
        PublicIdentity(b"\x00" * 31, b"\x00" * 32)


# --- identity cards ------------------------------------------------------------------------------
def test_identity_card_round_trip(device_keys: DeviceKeys) -> None:
    data = make_identity_card(device_keys, **CARD_FIELDS)
    doc = json.loads(data)
    assert doc["sign_pub"] == base64.b64encode(device_keys.public().sign_pub).decode()
    card = read_identity_card(data)
    assert card.identity == device_keys.public()
    assert card.fingerprint == device_keys.public().fingerprint
    for field, value in CARD_FIELDS.items():
        assert getattr(card, field) == value
    assert make_identity_card(device_keys, **CARD_FIELDS) == data  # canonical and deterministic


def test_identity_card_holds_no_private_key(device_keys: DeviceKeys) -> None:
    data = make_identity_card(device_keys, **CARD_FIELDS)
    raw = device_keys.private_bytes()
    assert base64.b64encode(raw[:32]) not in data and base64.b64encode(raw[32:]) not in data


@pytest.mark.parametrize("field", [*CARD_FIELDS, "enc_pub", "sign_pub", "version"])
def test_tampered_card_is_refused(device_keys: DeviceKeys, field: str) -> None:
    doc = json.loads(make_identity_card(device_keys, **CARD_FIELDS))
    if field in ("enc_pub", "sign_pub"):
        doc[field] = base64.b64encode(getattr(DeviceKeys.generate().public(), field)).decode()
    elif field == "version":
        doc[field] = 2
    else:
        doc[field] = doc[field] + "x"
    with pytest.raises(InvalidInput):
        read_identity_card(json.dumps(doc).encode())


def test_card_with_swapped_keys_and_resigned_is_a_different_identity(
    device_keys: DeviceKeys,
) -> None:
    """Someone can make a valid card with their own keys; that is why fingerprints are compared."""
    impostor = DeviceKeys.generate()
    card = read_identity_card(make_identity_card(impostor, **CARD_FIELDS))
    assert not card.identity.fingerprint_matches(device_keys.public().fingerprint)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b"[]",
        b"\x00" * 100,
        b"x" * (16 * 1024 + 1),
        b'{"type": "roundtable-identity-card", "version": 1}',
    ],
)
def test_malformed_card(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        read_identity_card(data)


def test_card_field_rules(device_keys: DeviceKeys) -> None:
    with pytest.raises(InvalidInput):
        make_identity_card(device_keys, **{**CARD_FIELDS, "name": ""})
    with pytest.raises(InvalidInput):
        make_identity_card(device_keys, **{**CARD_FIELDS, "name": "a\nb"})
    with pytest.raises(InvalidInput):
        make_identity_card(device_keys, **{**CARD_FIELDS, "role": "x" * 201})
    doc = json.loads(make_identity_card(device_keys, **CARD_FIELDS))
    doc["extra"] = "field"
    with pytest.raises(InvalidInput):
        read_identity_card(json.dumps(doc).encode())


# --- signed documents ----------------------------------------------------------------------------
REGISTRY = {
    "version": 7,
    "members": [{"id": "m1", "name": "Zoë", "roles": ["coordinator"]}],
    "revoked": [],
    "flag": True,
    "nothing": None,
}


def test_signed_document_round_trip(device_keys: DeviceKeys) -> None:
    data = sign_document(device_keys, "registry", REGISTRY)
    assert open_signed_document(data, "registry", device_keys.public().sign_pub) == REGISTRY


def test_signed_document_refusals(device_keys: DeviceKeys) -> None:
    data = sign_document(device_keys, "registry", REGISTRY)
    pub = device_keys.public().sign_pub
    with pytest.raises(InvalidInput):
        open_signed_document(data, "other-domain", pub)
    with pytest.raises(InvalidInput):
        open_signed_document(data, "registry", DeviceKeys.generate().public().sign_pub)
    doc = json.loads(data)
    doc["body"]["version"] = 8
    with pytest.raises(InvalidInput):
        open_signed_document(json.dumps(doc).encode(), "registry", pub)
    doc = json.loads(data)
    doc["domain"] = "other-domain"
    with pytest.raises(InvalidInput):
        open_signed_document(json.dumps(doc).encode(), "other-domain", pub)
    with pytest.raises(InvalidInput):
        open_signed_document(b"[" * 10_000, "registry", pub)
    with pytest.raises(InvalidInput):
        open_signed_document(data, "registry", pub, max_size=10)


def test_signed_document_refuses_floats(device_keys: DeviceKeys) -> None:
    with pytest.raises(InvalidInput):
        sign_document(device_keys, "registry", {"x": 1.5})
    data = sign_document(device_keys, "registry", {"x": 1})
    with pytest.raises(InvalidInput):
        open_signed_document(data.replace(b'"x":1', b'"x":1.0'), "registry", b"\x00" * 32)


def test_domains_separate_signatures(device_keys: DeviceKeys) -> None:
    """A card signature is not a document signature and vice versa."""
    card = json.loads(make_identity_card(device_keys, **CARD_FIELDS))
    body = {k: v for k, v in card.items() if k != "signature"}
    forged = json.dumps(
        {
            "domain": "identity-card",
            "body": body,
            "signer": "A" * 22 + "==",
            "signature": card["signature"],
        }
    ).encode()
    with pytest.raises(InvalidInput):
        open_signed_document(forged, "identity-card", device_keys.public().sign_pub)


def test_audit_head_signatures_bind_store_number_and_hash():
    from app.crypto.identity import DeviceKeys, audit_head_signed_by, sign_audit_head

    keys = DeviceKeys.generate()
    pub = keys.public().sign_pub
    sig = sign_audit_head(keys, "store-a", 7, "ab" * 32)
    assert audit_head_signed_by(pub, "store-a", 7, "ab" * 32, sig)
    assert not audit_head_signed_by(pub, "store-b", 7, "ab" * 32, sig)
    assert not audit_head_signed_by(pub, "store-a", 8, "ab" * 32, sig)
    assert not audit_head_signed_by(pub, "store-a", 7, "cd" * 32, sig)
    assert not audit_head_signed_by(DeviceKeys.generate().public().sign_pub, "store-a", 7, "ab" * 32, sig)
    for bad in ("", "not base64!", sig[:-4], "A" * 88):
        assert not audit_head_signed_by(pub, "store-a", 7, "ab" * 32, bad)
