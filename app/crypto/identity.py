"""Workstation identities: key pairs, fingerprints, identity cards and signed documents.

Job: each workstation holds an Ed25519 signing key and an X25519 encryption key. This module
generates and serialises them, derives the key id and the read-aloud fingerprint, writes and
checks self-signed identity cards, and signs/opens generic JSON documents (the panel registry).

Invariants:
- Every signature covers a domain-separation prefix, so a signature made for one purpose (card,
  document of a given domain, bundle) is never valid for another.
- Signed bytes are canonical JSON (sorted keys, no whitespace, no floats): one value, one byte
  string.
- Untrusted input is size-capped and parsed strictly before any use; malformed input raises
  ``InvalidInput`` with a message that holds no secret.
- Private key material leaves this module only through ``DeviceKeys.private_bytes`` (for the
  encrypted store) and never appears in a ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.crypto._canonical import CanonicalError, Caps, canonical_dumps, strict_loads
from app.models.errors import InvalidInput

KEY_BYTES = 32
KEY_ID_BYTES = 16
SIGNATURE_BYTES = 64
FINGERPRINT_GROUPS = 8
FINGERPRINT_DIGITS = 5

_KEY_ID_DOMAIN = b"roundtable/key-id/v1\x00"
_FINGERPRINT_DOMAIN = b"roundtable/fingerprint/v1\x00"
_CARD_DOMAIN = b"roundtable/identity-card/v1\x00"
_DOCUMENT_DOMAIN = b"roundtable/signed-document/v1\x00"
_AUDIT_HEAD_DOMAIN = b"roundtable/audit-head/v1\x00"

CARD_TYPE = "roundtable-identity-card"
CARD_VERSION = 1
MAX_CARD_BYTES = 16 * 1024
MAX_CARD_FIELD = 200
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


# --- keys ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicIdentity:
    """A workstation's two public keys (raw 32 bytes each)."""

    sign_pub: bytes
    enc_pub: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.sign_pub, bytes) or len(self.sign_pub) != KEY_BYTES:
            raise ValueError("sign_pub must be 32 bytes")
        if not isinstance(self.enc_pub, bytes) or len(self.enc_pub) != KEY_BYTES:
            raise ValueError("enc_pub must be 32 bytes")

    @property
    def key_id(self) -> bytes:
        """16 bytes naming this pair of keys (in bundle preludes, recipient lists, registries)."""
        return hashlib.sha256(_KEY_ID_DOMAIN + self.sign_pub + self.enc_pub).digest()[:KEY_ID_BYTES]

    @property
    def fingerprint_digest(self) -> bytes:
        return hashlib.sha256(_FINGERPRINT_DOMAIN + self.sign_pub + self.enc_pub).digest()

    @property
    def fingerprint(self) -> str:
        """Eight groups of five digits, to compare by reading aloud."""
        return format_fingerprint(self.fingerprint_digest)

    def fingerprint_matches(self, text: str) -> bool:
        """True only when ``text`` is this full fingerprint (spaces, dashes and case ignored)."""
        return fingerprint_text_matches(self.fingerprint_digest, text)


def format_fingerprint(digest: bytes) -> str:
    """A 32-byte digest as ``12345 67890 ...``: each 4-byte word mod 100000, eight groups.

    2**32 mod 100000 leaves a bias below 3e-5 per group; the result still carries about 132 bits.
    """
    if len(digest) != FINGERPRINT_GROUPS * 4:
        raise ValueError("fingerprint digest must be 32 bytes")
    groups = [
        f"{int.from_bytes(digest[i * 4 : i * 4 + 4], 'big') % 10**FINGERPRINT_DIGITS:05d}"
        for i in range(FINGERPRINT_GROUPS)
    ]
    return " ".join(groups)


def fingerprint_text_matches(digest: bytes, text: str) -> bool:
    if not isinstance(text, str) or len(text) > 200:
        return False
    cleaned = "".join(ch for ch in text.lower() if ch not in " -\t\r\n")
    expected = format_fingerprint(digest).replace(" ", "")
    if len(cleaned) != len(expected):
        return False
    return hmac.compare_digest(cleaned.encode("utf-8", "replace"), expected.encode("ascii"))


@dataclass(frozen=True, repr=False, eq=False)
class DeviceKeys:
    """A workstation's private keys. Serialise only into the encrypted store."""

    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @classmethod
    def generate(cls) -> DeviceKeys:
        return cls(signing=Ed25519PrivateKey.generate(), encryption=X25519PrivateKey.generate())

    def private_bytes(self) -> bytes:
        """64 raw bytes: the Ed25519 seed, then the X25519 private key."""
        return self.signing.private_bytes_raw() + self.encryption.private_bytes_raw()

    @classmethod
    def from_private_bytes(cls, data: bytes) -> DeviceKeys:
        if not isinstance(data, bytes) or len(data) != 2 * KEY_BYTES:
            raise InvalidInput("The workstation keys are damaged.")
        return cls(
            signing=Ed25519PrivateKey.from_private_bytes(data[:KEY_BYTES]),
            encryption=X25519PrivateKey.from_private_bytes(data[KEY_BYTES:]),
        )

    def public(self) -> PublicIdentity:
        return PublicIdentity(
            sign_pub=self.signing.public_key().public_bytes_raw(),
            enc_pub=self.encryption.public_key().public_bytes_raw(),
        )

    def __repr__(self) -> str:
        return f"DeviceKeys(key_id={self.public().key_id.hex()})"


def sign(keys: DeviceKeys, message: bytes) -> bytes:
    """An Ed25519 signature (64 bytes). Callers put their own domain prefix in ``message``."""
    return keys.signing.sign(message)


def verify(sign_pub: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is valid for ``message`` under ``sign_pub``; never raises."""
    if (
        not isinstance(sign_pub, bytes)
        or len(sign_pub) != KEY_BYTES
        or not isinstance(signature, bytes)
        or len(signature) != SIGNATURE_BYTES
    ):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(sign_pub).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the audit log's head ------------------------------------------------------------------------
def _audit_head_message(store_id: str, seq: int, digest: str) -> bytes:
    return _AUDIT_HEAD_DOMAIN + canonical_dumps({"hash": digest, "seq": seq, "store": store_id})


def sign_audit_head(keys: DeviceKeys, store_id: str, seq: int, digest: str) -> str:
    """The workstation's signature (base64) of the audit log's head: its last entry's number and
    hash, bound to the store."""
    return _b64(sign(keys, _audit_head_message(store_id, seq, digest)))


def audit_head_signed_by(
    sign_pub: bytes, store_id: str, seq: int, digest: str, signature: str
) -> bool:
    """True when ``signature`` (base64) is ``sign_audit_head`` of exactly this head; never raises."""
    try:
        raw = _unb64(signature, SIGNATURE_BYTES, "signature")
    except InvalidInput:
        return False
    return verify(sign_pub, _audit_head_message(store_id, seq, digest), raw)


# --- small helpers for untrusted JSON ----------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object, length: int, what: str) -> bytes:
    if not isinstance(value, str) or len(value) > 4 * length:
        raise InvalidInput(f"The {what} is not valid.")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise InvalidInput(f"The {what} is not valid.") from exc
    if len(raw) != length or _b64(raw) != value:
        raise InvalidInput(f"The {what} is not valid.")
    return raw


def _text_field(value: object, what: str) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_CARD_FIELD
        or not value.isprintable()
    ):
        raise InvalidInput(f"The identity card's {what} is missing or not valid.")
    return value


# --- identity cards ------------------------------------------------------------------------------
_CARD_TEXT_FIELDS = ("device_id", "name", "agency_id", "agency_name", "role", "created")
# A workstation that joined by invitation says which listed member it is a device of, of which
# panel, and by which invitation (all three, or none: a card made without an invitation).
_CARD_JOIN_FIELDS = ("member_id", "panel_id", "invitation_id")
# A coordinator's card also names its panel and the programme it runs (both, or neither: a card made
# before partner panels, or by a member's workstation), so another panel can enrol it as a partner.
_CARD_PANEL_FIELDS = ("panel_name", "programme")


@dataclass(frozen=True)
class IdentityCard:
    """A checked identity card: who the workstation says it is, and its public keys."""

    device_id: str
    name: str
    agency_id: str
    agency_name: str
    role: str
    created: str
    identity: PublicIdentity
    member_id: str = ""  # set only on a card made from an invitation (then panel and invitation too)
    panel_id: str = ""
    invitation_id: str = ""
    panel_name: str = ""  # set only on a coordinator's card (with the programme)
    programme: str = ""

    @property
    def fingerprint(self) -> str:
        return self.identity.fingerprint

    @property
    def from_invitation(self) -> bool:
        return bool(self.invitation_id)


def make_identity_card(
    keys: DeviceKeys,
    *,
    device_id: str,
    name: str,
    agency_id: str,
    agency_name: str,
    role: str,
    created: str,
    joined: dict[str, str] | None = None,
    panel: dict[str, str] | None = None,
) -> bytes:
    """The card file: canonical UTF-8 JSON with both public keys and a self-signature.

    ``joined`` (``member_id``, ``panel_id``, ``invitation_id``) is given by a workstation set up
    from an invitation, so the coordinator's store links the card to the invited member."""
    fields = {
        "device_id": device_id,
        "name": name,
        "agency_id": agency_id,
        "agency_name": agency_name,
        "role": role,
        "created": created,
    }
    if joined is not None:
        if set(joined) != set(_CARD_JOIN_FIELDS):
            raise ValueError("joined needs member_id, panel_id and invitation_id")
        fields.update(joined)
    if panel is not None:
        if set(panel) != set(_CARD_PANEL_FIELDS):
            raise ValueError("panel needs panel_name and programme")
        fields.update(panel)
    for what, value in fields.items():
        _text_field(value, what)
    pub = keys.public()
    body: dict[str, object] = {
        "type": CARD_TYPE,
        "version": CARD_VERSION,
        **fields,
        "sign_pub": _b64(pub.sign_pub),
        "enc_pub": _b64(pub.enc_pub),
    }
    signature = sign(keys, _CARD_DOMAIN + canonical_dumps(body))
    return canonical_dumps({**body, "signature": _b64(signature)})


def read_identity_card(data: bytes) -> IdentityCard:
    """Parse and check a card; a malformed card or a bad self-signature raises ``InvalidInput``."""
    if not isinstance(data, bytes) or len(data) > MAX_CARD_BYTES:
        raise InvalidInput("That file is too large to be an identity card.")
    try:
        doc = strict_loads(data, Caps(max_bytes=MAX_CARD_BYTES, max_depth=2, max_items=64))
    except CanonicalError as exc:
        raise InvalidInput("That file is not a Roundtable identity card.") from exc
    expected = {"type", "version", *_CARD_TEXT_FIELDS, "sign_pub", "enc_pub", "signature"}
    if not isinstance(doc, dict) or doc.get("type") != CARD_TYPE:
        raise InvalidInput("That file is not a Roundtable identity card.")
    if type(doc.get("version")) is not int or doc["version"] != CARD_VERSION:
        raise InvalidInput("This identity card was made by a different version of Roundtable.")
    allowed = [
        expected | join | panel
        for join in (set(), set(_CARD_JOIN_FIELDS))
        for panel in (set(), set(_CARD_PANEL_FIELDS))
    ]
    if set(doc) not in allowed:
        raise InvalidInput("The identity card has missing or unexpected fields.")
    optional = (*_CARD_JOIN_FIELDS, *_CARD_PANEL_FIELDS)
    text_fields = [f for f in (*_CARD_TEXT_FIELDS, *optional) if f in doc]
    values = {what: _text_field(doc[what], what.replace("_", " ")) for what in text_fields}
    identity = PublicIdentity(
        sign_pub=_unb64(doc["sign_pub"], KEY_BYTES, "identity card's signing key"),
        enc_pub=_unb64(doc["enc_pub"], KEY_BYTES, "identity card's encryption key"),
    )
    signature = _unb64(doc["signature"], SIGNATURE_BYTES, "identity card's signature")
    body = {k: v for k, v in doc.items() if k != "signature"}
    if not verify(identity.sign_pub, _CARD_DOMAIN + canonical_dumps(body), signature):
        raise InvalidInput("The identity card's signature is not valid: it may have been altered.")
    return IdentityCard(identity=identity, **values)


# --- generic signed documents --------------------------------------------------------------------
def _document_message(domain: str, body_bytes: bytes) -> bytes:
    return _DOCUMENT_DOMAIN + domain.encode("ascii") + b"\x00" + body_bytes


def _check_domain(domain: str) -> None:
    if (
        not isinstance(domain, str)
        or not 1 <= len(domain) <= 100
        or not domain.isascii()
        or not domain.isprintable()
    ):
        raise ValueError("the document domain must be 1-100 printable ASCII characters")


def sign_document(keys: DeviceKeys, domain: str, body: dict[str, Any]) -> bytes:
    """A signed JSON document: ``{"domain", "body", "signer", "signature"}`` in canonical form.

    ``body`` may hold only dicts, lists, str, int, bool and None (no floats).
    """
    _check_domain(domain)
    if not isinstance(body, dict):
        raise InvalidInput("A signed document's body must be an object.")
    try:
        body_bytes = canonical_dumps(body)
    except CanonicalError as exc:
        raise InvalidInput(f"The document cannot be signed: {exc}.") from exc
    signature = sign(keys, _document_message(domain, body_bytes))
    return canonical_dumps(
        {
            "domain": domain,
            "body": body,
            "signer": _b64(keys.public().key_id),
            "signature": _b64(signature),
        }
    )


def open_signed_document(
    data: bytes,
    domain: str,
    expected_sign_pub: bytes,
    *,
    max_size: int = MAX_DOCUMENT_BYTES,
    max_items: int = 200_000,
    max_depth: int = 16,
) -> dict[str, Any]:
    """The body of a document signed by ``expected_sign_pub`` for ``domain``.

    Anything malformed, of another domain or not signed by that key raises ``InvalidInput``.
    """
    _check_domain(domain)
    if not isinstance(data, bytes) or len(data) > max_size:
        raise InvalidInput("The signed document is too large.")
    try:
        doc = strict_loads(
            data, Caps(max_bytes=max_size, max_depth=max_depth + 1, max_items=max_items)
        )
    except CanonicalError as exc:
        raise InvalidInput("The signed document is not valid.") from exc
    if not isinstance(doc, dict) or set(doc) != {"domain", "body", "signer", "signature"}:
        raise InvalidInput("The signed document is not valid.")
    if doc["domain"] != domain:
        raise InvalidInput("The signed document is not of the expected kind.")
    body = doc["body"]
    if not isinstance(body, dict):
        raise InvalidInput("The signed document is not valid.")
    _unb64(doc["signer"], KEY_ID_BYTES, "signed document's signer")
    signature = _unb64(doc["signature"], SIGNATURE_BYTES, "signed document's signature")
    try:
        body_bytes = canonical_dumps(body)
    except CanonicalError as exc:
        raise InvalidInput("The signed document is not valid.") from exc
    if not verify(expected_sign_pub, _document_message(domain, body_bytes), signature):
        raise InvalidInput(
            "The signed document's signature is not valid: it is not from the expected signer "
            "or it was altered."
        )
    return body
