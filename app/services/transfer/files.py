"""Transfer files: the panel exchange's envelope (``app.crypto.bundle``: signed by the sending
coordinator, encrypted to the partner's coordinator only) around a signed transfer document
(``sign_document``, domain ``roundtable/transfer``). docs/sync.md, "Transfer files".

- ``seal(session, partner, kind, transfer_id, body) -> (file_id, bytes)``.
- ``open_file(session, data) -> Opened`` — the checks, in order, stopping at the first failure:
  size cap; the signer is an enrolled partner panel (not a region, not a member of this panel);
  envelope signature, this workstation a listed recipient, decryption (``open_bundle``); the
  header's stream and sender; the inner document's signature by the same partner; its type,
  version, kind, ids, addressing (from that partner, to this workstation) and programme.
  Anything wrong raises ``BundleRejected`` with one sentence; nothing is written here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from app.crypto.bundle import seal_bundle
from app.crypto.bundle_format import read_prelude
from app.crypto.bundle_open import open_bundle
from app.crypto.identity import PublicIdentity, open_signed_document, sign_document
from app.models import transfer as tm
from app.models.errors import BundleRejected, InvalidInput
from app.models.ids import is_uuid, new_id
from app.models.partners import Partner
from app.services.context import Session
from app.storage import partners as partner_store
from app.storage.db import Connection

STREAM = "transfer"
DOMAIN = "roundtable/transfer"
SCHEMA = [1, 0]
MAX_FILE_BYTES = 64 * 1024 * 1024
_DOC_KEYS = frozenset({"type", "version", "kind", "transfer_id", "file_id", "from", "to",
                       "sent_on", "body"})


def _identity(p: Partner) -> PublicIdentity:
    return PublicIdentity(sign_pub=p.sign_pub, enc_pub=p.enc_pub)


def seal(session: Session, partner: Partner, kind: str, transfer_id: str,
         body: dict[str, Any]) -> tuple[str, bytes]:
    """A transfer file for ``partner``: (its file id, its bytes)."""
    ws = session.workstation
    keys = session.store.device_keys()
    file_id = new_id()
    doc = {
        "type": tm.DOCUMENT_TYPE, "version": tm.DOCUMENT_VERSION, "kind": kind,
        "transfer_id": transfer_id, "file_id": file_id,
        "from": {"device": ws.device_id, "panel": ws.panel_name, "programme": ws.programme},
        "to": {"device": partner.device_id, "panel": partner.name},
        "sent_on": session.today().isoformat(), "body": body,
    }
    plaintext = sign_document(keys, DOMAIN, doc)
    data = seal_bundle(
        plaintext=plaintext,
        header_fields={"bundle_id": file_id, "sender": ws.device_id, "stream": STREAM,
                       "sequence": 0, "created_hlc": 0, "schema": SCHEMA, "min_reader": SCHEMA,
                       "registry_version": 0},
        signer=keys,
        recipients=[(partner.device_id, _identity(partner))],
    )
    return file_id, data


@dataclass(frozen=True)
class Opened:
    """A transfer file that passed every check of the envelope and the document."""

    partner: Partner
    kind: str
    transfer_id: str
    file_id: str
    digest: str  # SHA-256 of the whole file
    sent_on: str
    from_panel: str
    body: dict[str, Any]


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_file(session: Session, conn: Connection, data: bytes) -> Opened:
    """Check and open a transfer file (see the module's docstring); raises ``BundleRejected``."""
    ws = session.workstation
    if len(data) > MAX_FILE_BYTES:
        raise BundleRejected("The transfer file is larger than the allowed maximum.")
    prelude = read_prelude(data)
    by_key = {_identity(p).key_id: p for p in partner_store.all_partners(conn)}
    partner = by_key.get(prelude.signer_key_id)
    if partner is None:
        raise BundleRejected("This file is not from an enrolled partner panel: enrol its "
                             "coordinator's card as a partner first.")
    if partner.kind != "panel":
        raise BundleRejected("This file is from a region, not a partner panel: a region does "
                             "not transfer cases.")
    opened = open_bundle(data, lookup_signer=lambda k: partner.sign_pub if k == prelude.signer_key_id else None,
                         me_device_id=ws.device_id, me=session.store.device_keys(),
                         max_size=MAX_FILE_BYTES, max_plaintext=MAX_FILE_BYTES)
    header = opened.header
    if header.get("stream") != STREAM:
        raise BundleRejected("This exchange file is not a transfer file.")
    if header.get("sender") != partner.device_id:
        raise BundleRejected("The transfer file's sender is not the partner that signed it.")
    try:
        doc = open_signed_document(opened.plaintext, DOMAIN, partner.sign_pub,
                                   max_size=MAX_FILE_BYTES)
        return _check_document(session, partner, header, doc, digest_of(data))
    except InvalidInput as exc:
        raise BundleRejected(exc.user_message) from exc


def _check_document(session: Session, partner: Partner, header: dict[str, Any],
                    doc: dict[str, Any], digest: str) -> Opened:
    ws = session.workstation
    if set(doc) != _DOC_KEYS or doc.get("type") != tm.DOCUMENT_TYPE:
        raise InvalidInput("The transfer file's content is not valid.")
    if doc["version"] != tm.DOCUMENT_VERSION:
        raise InvalidInput("This transfer file was made by a different version of Roundtable.")
    kind = doc["kind"]
    if kind not in tm.KINDS:
        raise InvalidInput("The transfer file is of an unknown kind.")
    tid, fid = doc["transfer_id"], doc["file_id"]
    if not (isinstance(tid, str) and is_uuid(tid) and isinstance(fid, str) and is_uuid(fid)):
        raise InvalidInput("The transfer file's ids are not valid.")
    if fid != header.get("bundle_id"):
        raise InvalidInput("The transfer file's content and envelope disagree.")
    sender = tm.record(doc["from"], "sender", frozenset({"device", "panel", "programme"}))
    to = tm.record(doc["to"], "recipient", frozenset({"device", "panel"}))
    if sender["device"] != partner.device_id:
        raise InvalidInput("The transfer file's sender is not the partner that signed it.")
    if to["device"] != ws.device_id:
        raise InvalidInput("This transfer file is addressed to another panel.")
    if sender["programme"] != ws.programme or partner.programme != ws.programme:
        raise InvalidInput("This transfer file is from a panel running another programme: a case "
                           "is transferred only between panels running the same programme.")
    if not isinstance(doc["body"], dict):
        raise InvalidInput("The transfer file's content is not valid.")
    sent_on = tm.day(doc["sent_on"], "date")
    return Opened(
        partner=partner, kind=kind, transfer_id=tid, file_id=fid, digest=digest,
        sent_on=sent_on.isoformat() if sent_on else "",
        from_panel=tm.text(sender["panel"], "panel name", limit=200, required=True),
        body=doc["body"],
    )


__all__ = ["MAX_FILE_BYTES", "Opened", "digest_of", "open_file", "seal"]
