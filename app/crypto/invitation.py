"""Invitations: the coordinator's signed offer for one listed member to join the panel.

Job: build and check the small invitation file of docs/sync.md ("Joining a panel"). It carries
the panel's id, name and programme; the member's id, name, role and area; the member's agency (id,
name, short name); an issue and an expiry time; the coordinator's identity card; and an Ed25519
signature by the coordinator's key over everything else. It holds no case data.

Invariants:
- The signature covers its own domain string (``roundtable/invitation/v1\\0``) and the canonical
  JSON of every other field, so no other signed object of Roundtable verifies as an invitation.
- ``read_invitation`` checks the structure, the embedded card (its self-signature) and the
  invitation's signature against that card's key; it does NOT prove who the coordinator is.
  ``verify_invitation`` adds the comparison with the fingerprint the user typed, read aloud by the
  coordinator out of band: only then is the invitation trusted.
- Malformed or altered input raises ``InvalidInput``; a fingerprint that does not match raises
  ``Refused``. Messages hold no secret and no case data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.crypto.fields import b64, b64_field, load_document
from app.crypto.identity import (
    SIGNATURE_BYTES,
    DeviceKeys,
    IdentityCard,
    read_identity_card,
    sign,
    verify,
)
from app.models.errors import InvalidInput, Refused

INVITATION_TYPE = "roundtable-invitation"
INVITATION_VERSION = 1
MAX_INVITATION_BYTES = 32 * 1024
MAX_FIELD = 200
_DOMAIN = b"roundtable/invitation/v1\x00"

# fields that must be non-empty printable text, and fields that may be empty
_REQUIRED = ("invitation_id", "panel_id", "panel_name", "programme", "member_id", "member_name",
             "role", "agency_id", "agency_name", "issued", "expires")
_OPTIONAL = ("area", "agency_short")
_FIELDS = frozenset({"type", "version", *_REQUIRED, *_OPTIONAL, "coordinator_card", "signature"})

_ALTERED = "The invitation has been altered or is damaged: ask the coordinator for a new one."


@dataclass(frozen=True)
class Invitation:
    """A checked invitation (structure and signature; the fingerprint is checked separately)."""

    invitation_id: str
    panel_id: str
    panel_name: str
    programme: str
    member_id: str
    member_name: str
    role: str
    area: str
    agency_id: str
    agency_name: str
    agency_short: str
    issued: dt.datetime
    expires: dt.datetime
    coordinator: IdentityCard
    coordinator_card: bytes  # the card exactly as signed, to keep on the new store

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires


def _text(value: object, *, required: bool) -> str:
    if not isinstance(value, str) or len(value) > MAX_FIELD or (value and not value.isprintable()):
        raise InvalidInput(_ALTERED)
    if required and not value.strip():
        raise InvalidInput(_ALTERED)
    return value


def _time(value: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(_ALTERED) from exc
    if t.tzinfo is None:
        raise InvalidInput(_ALTERED)
    return t


def make_invitation(
    keys: DeviceKeys,
    *,
    coordinator_card: bytes,
    fields: dict[str, str],
    issued: dt.datetime,
    expires: dt.datetime,
) -> bytes:
    """The invitation file (canonical UTF-8 JSON), signed with the coordinator's key.

    ``coordinator_card`` must be the coordinator's own card, made with ``keys``."""
    card = read_identity_card(coordinator_card)
    if card.identity != keys.public():
        raise InvalidInput("The invitation must carry the coordinator's own identity card.")
    if issued.tzinfo is None or expires.tzinfo is None or expires <= issued:
        raise InvalidInput("An invitation must expire after it is issued.")
    if set(fields) != {*_REQUIRED, *_OPTIONAL} - {"issued", "expires"}:
        raise InvalidInput("The invitation's fields are incomplete.")
    body: dict[str, Any] = {
        "type": INVITATION_TYPE,
        "version": INVITATION_VERSION,
        **{k: _text(v, required=k in _REQUIRED) for k, v in fields.items()},
        "issued": issued.isoformat(timespec="seconds"),
        "expires": expires.isoformat(timespec="seconds"),
        "coordinator_card": strict_loads(coordinator_card, Caps(max_bytes=MAX_INVITATION_BYTES)),
    }
    signature = sign(keys, _DOMAIN + canonical_dumps(body))
    return canonical_dumps({**body, "signature": b64(signature)})


def read_invitation(data: bytes) -> Invitation:
    """Parse an invitation and check its signature against the card it carries.

    This proves the file is whole and was signed by the holder of that card's key, not that the
    card is the coordinator's: compare the fingerprint (``verify_invitation``) before trusting it.
    """
    doc = load_document(
        data,
        Caps(max_bytes=MAX_INVITATION_BYTES, max_depth=3, max_items=128),
        too_large="That file is too large to be a Roundtable invitation.",
        malformed="That file is not a Roundtable invitation.",
    )
    if not isinstance(doc, dict) or doc.get("type") != INVITATION_TYPE:
        raise InvalidInput("That file is not a Roundtable invitation.")
    if type(doc.get("version")) is not int or doc["version"] != INVITATION_VERSION:
        raise InvalidInput("This invitation was made by a different version of Roundtable.")
    if set(doc) != _FIELDS or not isinstance(doc["coordinator_card"], dict):
        raise InvalidInput(_ALTERED)
    values = {k: _text(doc[k], required=True) for k in _REQUIRED}
    values.update({k: _text(doc[k], required=False) for k in _OPTIONAL})
    try:
        card_bytes = canonical_dumps(doc["coordinator_card"])
        card = read_identity_card(card_bytes)
    except (CanonicalError, InvalidInput) as exc:
        raise InvalidInput(_ALTERED) from exc
    signature = b64_field(doc["signature"], SIGNATURE_BYTES, "invitation's signature")
    body = {k: v for k, v in doc.items() if k != "signature"}
    if not verify(card.identity.sign_pub, _DOMAIN + canonical_dumps(body), signature):
        raise InvalidInput(_ALTERED)
    if card.role != "coordinator":
        raise InvalidInput("The invitation is not from a panel coordinator.")
    issued, expires = _time(values.pop("issued")), _time(values.pop("expires"))
    if expires <= issued:
        raise InvalidInput(_ALTERED)
    return Invitation(issued=issued, expires=expires, coordinator=card,
                      coordinator_card=card_bytes, **values)


def verify_invitation(data: bytes, fingerprint: str) -> Invitation:
    """``read_invitation``, then the coordinator's fingerprint typed by the user must match the
    card inside the invitation (``Refused`` otherwise: do not use it)."""
    inv = read_invitation(data)
    if not inv.coordinator.identity.fingerprint_matches(fingerprint):
        raise Refused(
            "The fingerprint does not match the coordinator's on this invitation: do not use it. "
            "Compare the fingerprint again with the coordinator, by phone or in person."
        )
    return inv
