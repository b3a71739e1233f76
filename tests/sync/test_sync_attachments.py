"""Attachments travel under the rules of contributions (issue 16): with their case to an agency
it is shared with, never to another; a restricted one only to the agencies it names; an officer's
attachment reaches the hub with its content; the content checked against its record; evicted
with its case."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models.errors import NotFound
from app.services import attachments, exchange
from app.services.cases import sharing
from app.services.context import Session
from app.storage.schema import attachment_chunk
from app.sync.manifest import Manifest, PayloadInvalid
from app.sync.payload import build_payload, parse_payload
from tests.support import attachment_files as files
from tests.support.sync_support import Panel, dump, open_case


def _pieces(session: Session) -> int:
    with session.view() as conn:
        return int(conn.execute(select(func.count()).select_from(attachment_chunk)).scalar_one())


def _ids(session: Session, case_id: str) -> set[str]:
    try:
        return {a.id for a in attachments.attachments_for(session, case_id=case_id)}
    except NotFound:
        return set()


def test_attachments_go_where_the_case_may_go_and_restrictions_hold(panel: Panel, tmp_path: Path) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    data = files.pdf_bytes(2) + bytes(range(256)) * 6000  # two pieces
    shared = attachments.add_attachment(panel.hub, case_id=cid, path=files.write(tmp_path, "r.pdf", data),
                                        description="Referral form")
    health_only = attachments.add_attachment(
        panel.hub, case_id=cid, path=files.write(tmp_path, "h.pdf", files.pdf_bytes(1, "HEALTHONLY")),
        restricted_to=[panel.health.workstation.agency.id],
    )
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.ok, r.reason
    assert _ids(panel.police, cid) == {shared}
    assert attachments.open_attachment(panel.police, attachment_id=shared) == data
    police_dump = dump(panel.police)
    assert [row[0] for row in police_dump["attachment"]] == [shared]
    assert {row[0] for row in police_dump["attachment_chunk"]} == {shared}
    assert not any(health_only in repr(rows) for rows in police_dump.values())

    # Health: the case is not shared with it, so neither attachment goes, restricted or not
    r = exchange.import_bundle(panel.health, path=panel.ship(panel.hub, panel.health))
    assert r.ok and _pieces(panel.health) == 0 and dump(panel.health)["attachment"] == []

    # a second file re-sends nothing twice: the content is stored once
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.ok and _pieces(panel.police) == 2

    # the case is unshared from Police: its attachments and their content go with it
    sharing.set_sharing(panel.hub, case_id=cid, shared_with=[panel.hub.workstation.agency.id])
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.ok and r.evicted == 1
    assert dump(panel.police)["attachment"] == [] and _pieces(panel.police) == 0


def test_an_officers_attachment_reaches_the_hub_with_its_content(panel: Panel, tmp_path: Path) -> None:
    cid = open_case(panel.hub, share=[panel.police, panel.health])
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    data = files.png_bytes(20, 20)
    aid = attachments.add_attachment(panel.police, case_id=cid, path=files.write(tmp_path, "p.png", data),
                                     restricted_to=[panel.hub.workstation.agency.id])
    r = exchange.import_bundle(panel.hub, path=panel.ship(panel.police, panel.hub))
    assert r.ok, r.reason
    a = attachments.get_attachment(panel.hub, attachment_id=aid)
    assert a.agency_id == panel.police.workstation.agency.id and a.sha256 == hashlib.sha256(data).hexdigest()
    assert attachments.open_attachment(panel.hub, attachment_id=aid) == data
    # restricted to the council (and Police): Health, though the case is shared with it, gets nothing
    assert exchange.import_bundle(panel.health, path=panel.ship(panel.hub, panel.health)).ok
    assert dump(panel.health)["attachment"] == [] and _pieces(panel.health) == 0


def _manifest(op_count: int, content_count: int) -> Manifest:
    return Manifest("b", "s", "r", "s>r/0", 1, 0, 1, (1, 1), (1, 1), 0, (), (), op_count,
                    content_count=content_count)


def test_the_payload_carries_content_after_the_ops_and_checks_its_count() -> None:
    good = build_payload(_manifest(0, 2), None, [], content=[("a1", 0, b"xy"), ("a1", 1, b"z")])
    assert len(parse_payload(good).ops) == 0
    with pytest.raises(ValueError, match="content_count"):
        build_payload(_manifest(0, 1), None, [], content=[("a1", 0, b"xy"), ("a1", 1, b"z")])
    # a file announcing no content may not carry any
    extra = build_payload(_manifest(0, 1), None, [], content=[("a1", 0, b"xy")], compress=False)
    tampered = extra.replace(b',"content_count":1', b"")
    with pytest.raises(PayloadInvalid):
        parse_payload(tampered)
    with pytest.raises(PayloadInvalid, match="attachment content is not valid"):
        parse_payload(extra.replace(b"a1 0 ", b"a1 0 !!"))


def _crafted_file(panel: Panel, cid: str, *, declared: bytes, sent: bytes, other_id: bool = False) -> bytes:
    import base64

    from app.crypto._canonical import canonical_dumps
    from app.models.ids import new_id
    from tests.support.sync_support import craft, wire_op

    aid = new_id()
    value = {
        "case_id": cid, "agency_id": panel.hub.workstation.agency.id, "author": panel.hub.workstation.member.id,
        "attached_at": "2026-11-30T10:00:00.000+00:00", "description": "", "filename": "x.pdf",
        "media_type": "application/pdf", "size": len(declared), "sha256": hashlib.sha256(declared).hexdigest(),
        "restricted_to": [],
    }
    op = wire_op(panel.hub, kind="create", entity="attachment", record_id=aid, value=value, case_id=cid)
    m = {"op_count": 1, "content_count": 1, "schema": [1, 1], "min_reader": [1, 1]}
    manifest = {
        "type": "roundtable-sync-payload", "version": 1, "bundle_id": new_id(),
        "sender": panel.hub.workstation.device_id, "recipient": panel.police.workstation.device_id,
        "stream": f"{panel.hub.workstation.device_id}>{panel.police.workstation.device_id}/0",
        "sequence": 900, "sender_epoch": 0, "created_hlc": op[4], "registry_version": 0,
        "acks": [], "received": [], **m,
    }
    piece = (new_id() if other_id else aid).encode() + b" 0 " + base64.b64encode(sent)
    body = b"\n".join([canonical_dumps(manifest), b"null", canonical_dumps(op), piece]) + b"\n"
    return craft(panel.hub, panel.police, manifest=manifest, body=body, sequence=900)


@pytest.mark.parametrize(("sent", "other_id", "reason"), [
    (b"%PDF-1.4 something else", False, "does not match its record"),
    (b"%PDF-1.4 the declared content", True, "without its record"),
])
def test_content_that_does_not_match_its_record_rejects_the_file(
    panel: Panel, sent: bytes, other_id: bool, reason: str
) -> None:
    from tests.support.sync_support import assert_rejected_unchanged

    cid = open_case(panel.hub, share=[panel.police])
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    data = _crafted_file(panel, cid, declared=b"%PDF-1.4 the declared content", sent=sent, other_id=other_id)
    assert_rejected_unchanged(panel.police, panel.folder, data, alert=True, reason=reason)
