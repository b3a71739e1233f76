"""The last steps of an import: who may send on a stream, and the one transaction that applies.

Invariants: ``apply_bundle`` runs in one ``Session.change`` transaction; any ``BundleRejected``
inside it rolls everything back (the caller reports the rejection). An agency's store re-checks,
after applying, that nothing outside its scope arrived; the hub authorises every member op.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.config.programmes import load_programme
from app.crypto.identity import PublicIdentity
from app.models.errors import BundleRejected, NeedsNewerReader, SecurityAlert
from app.models.sync_ops import Op, canonical
from app.models.sync_scope import Author, contribution_visible
from app.services import membership
from app.services.context import Session
from app.services.exchange_files import (
    PANEL_SETTINGS,
    ImportReport,
    chair_cases,
    check_clock,
    stream_name,
    verify_registry,
)
from app.storage import audit as audit_store
from app.storage import meta as meta_store
from app.storage import repo, sync_store
from app.storage.sync_apply import Applier
from app.storage.sync_conflicts import open_conflict_ids
from app.storage.writer import utc_now_iso
from app.sync.payload import Manifest, PayloadInvalid, PayloadReader

log = logging.getLogger(__name__)


def lookup_signer(session: Session, conn: Any) -> dict[bytes, tuple[str | None, bytes]]:
    """key id -> (device id, signing key) of every workstation that may sign files to us."""
    out: dict[bytes, tuple[str | None, bytes]] = {}
    ws = session.workstation
    if ws.is_hub:
        for d in repo.devices(conn):
            if d.id == ws.device_id or len(d.sign_pub) != 32 or len(d.enc_pub) != 32:
                continue
            if d.status.value != "active" and d.revoked_from_seq is None:
                continue  # revoked outright
            out[PublicIdentity(d.sign_pub, d.enc_pub).key_id] = (d.id, d.sign_pub)
        return out
    for t in sync_store.trusted(conn):
        out[PublicIdentity(t.sign_pub, t.enc_pub).key_id] = (t.device_id, t.sign_pub)
    # Other registered workstations are known (so a file from one is named, then refused).
    for d in repo.devices(conn):
        if d.id != ws.device_id and len(d.sign_pub) == 32 and len(d.enc_pub) == 32:
            out.setdefault(PublicIdentity(d.sign_pub, d.enc_pub).key_id, (d.id, d.sign_pub))
    return out


def sender_checks(session: Session, conn: Any, header: dict[str, Any], sender: str) -> None:
    ws = session.workstation
    if header["sender"] != sender:
        raise SecurityAlert("The exchange file's sender does not match the key that signed it.")
    prefix = f"{sender}>{ws.device_id}/"
    stream = header["stream"]
    if not stream.startswith(prefix) or not stream[len(prefix):].isdigit():
        raise SecurityAlert("The exchange file's signer may not send on the stream it names.")
    if ws.is_hub:
        d = repo.get_row(conn, "device", sender)
        if d is None:
            raise BundleRejected("The exchange file is not from an enrolled workstation.")
        if d.status != "active" and (d.revoked_from_seq is None or header["sequence"] >= d.revoked_from_seq):
            raise SecurityAlert("The exchange file is from a revoked workstation; it was rejected.")
        membership.refuse_revoked_sender(conn, d)
    elif sender not in {t.device_id for t in sync_store.trusted(conn)}:
        raise SecurityAlert("Only the panel coordinator sends files to this workstation.")


def _author(conn: Any, sender: str) -> Author:
    m = repo.get_row(conn, "device", sender)
    member = repo.get_row(conn, "member", m.member_id) if m is not None else None
    if member is None:
        raise BundleRejected("The sender is not a member of the panel on this store.")
    return Author(sender, str(member.id), str(member.agency_id), str(member.role))


BATCH = 2_000  # ops applied per batch of a streamed file (inside the one transaction)


def apply_bundle(
    session: Session,
    path: Path,
    header: dict[str, Any],
    reader: PayloadReader,
    digest: str,
    sender: str,
    sender_names: dict[str, str],
    *,
    superseded: bool,
    hook: Callable[[str], None],
) -> ImportReport:
    """Stream the ops of ``reader`` into one transaction: each batch is decrypted, parsed,
    validated, clock-checked and applied before the next is read; the file's end (counts, nothing
    after the ops, the file unchanged since its signature was checked) is checked before commit."""
    try:
        return _apply(session, path, header, reader, digest, sender, sender_names,
                      superseded=superseded, hook=hook)
    except PayloadInvalid as exc:
        raise SecurityAlert(f"The exchange file's content is not valid: {exc}.") from exc


def _batches(reader: PayloadReader) -> Iterator[tuple[list[Op], list[Op]]]:
    """(evictions, other ops) per batch; evictions must all come before any other op."""
    others_seen = False
    for batch in reader.batches(BATCH):
        check_clock(0, [op.hlc for op in batch])
        evicts: list[Op] = []
        ops: list[Op] = []
        for op in batch:
            if op.kind == "evict":
                if others_seen:
                    raise PayloadInvalid("an eviction comes after other operations")
                evicts.append(op)
            else:
                others_seen = True
                ops.append(op)
        yield evicts, ops


def _apply(
    session: Session,
    path: Path,
    header: dict[str, Any],
    reader: PayloadReader,
    digest: str,
    sender: str,
    sender_names: dict[str, str],
    *,
    superseded: bool,
    hook: Callable[[str], None],
) -> ImportReport:
    ws = session.workstation
    m = reader.manifest
    base = {"sender": sender, "sender_name": sender_names.get(sender, ""), "sequence": m.sequence}
    with session.change() as w:
        conn = w.conn
        ledger = {"bundle_id": m.bundle_id, "sender": sender, "stream": m.stream,
                  "sequence": m.sequence, "digest": digest, "op_count": m.op_count}
        if superseded:
            # An older file of a stream we have a newer file of: its content is in the newer one
            # (still read to the end: a malformed file is rejected, as any other).
            for _ in _batches(reader):
                pass
            sync_store.record_ledger(conn, outcome="superseded", **ledger)  # type: ignore[arg-type]
            w.record_event("import", "bundle", m.bundle_id, [f"from:{sender}", "superseded"])
            return ImportReport(path, "superseded",
                                "A newer file from this sender was already imported.", **base)  # type: ignore[arg-type]
        before = open_conflict_ids(conn)
        hub_origins = frozenset({ws.device_id}) if ws.is_hub else frozenset(
            t.device_id for t in sync_store.trusted(conn)
        )
        reg_version = _registry(session, conn, m.registry_version, reader.registry, sender)
        hook("start")
        own_acked = {e: c for (o, e), c in sync_store.acks_out(conn, sender).items() if o == ws.device_id}
        first_received: list[int] = []

        def next_received() -> int:
            n = w.next_received()
            if not first_received:
                first_received.append(n)
            return n

        author = _author(conn, sender) if ws.is_hub else None
        applier = Applier(
            conn=conn,
            me=ws.device_id,
            hub_origins=hub_origins,
            author=author,
            author_cases=chair_cases(session, conn, author) if author is not None else frozenset(),
            next_received=next_received,
            audit=lambda action, entity, rid, fields: w.audit.append(
                action=action, entity=entity, record_id=rid, fields=fields,
                at=utc_now_iso(w.clock.last),
            ),
            track_touched=False,
            may_hold=None if ws.is_hub else lambda op: _may_hold(session, conn, op),
        )
        evicted = 0
        evictions_done = False
        for evicts, ops in _batches(reader):
            w.clock.observe(max(op.hlc for op in (*evicts, *ops)))
            if evicts and ws.is_hub:
                raise SecurityAlert("The exchange file asks the coordinator's store to evict a case.")
            for op in evicts:
                sync_store.evict_case(conn, op.record_id, me=ws.device_id, keep_own_after=own_acked)
                w.record_event("evict", "case", op.record_id, [f"by:{sender}"])
                evicted += 1
            if ops and not evictions_done:
                evictions_done = True
                hook("evicted")
            applier.apply_batch(ops)
            sync_store.bump_acks_in(conn, ops)
        if not evictions_done:
            hook("evicted")
        applier.finish()
        result = applier.result
        hook("applied")
        if not ws.is_hub and first_received:
            # the member's agency as the coordinator's record now says (the file may have just
            # linked this workstation to an agency the panel already had)
            row = repo.get_row(conn, "member", ws.member.id)
            agency = str(row.agency_id) if row is not None else ws.agency.id
            me = Author(ws.device_id, ws.member.id, agency, ws.member.role.value)
            also = chair_cases(session, conn, me)
            if session.programme.chair.grants_anything:
                # a chair's own change (adopting a case awaiting panel) can take a case out of
                # the rule here before the hub hears of it; the hub evicts it once it has
                also |= sync_store.cases_authored(conn, ws.device_id)
            _check_scope(conn, agency, first_received[0], result.cases, also=also)
        peer = sync_store.peer_state(conn, sender)
        if peer is None or m.sender_epoch >= int(peer.epoch):
            sync_store.replace_acks_out(conn, sender, m.acks)
            mine = stream_name(ws.device_id, sender, w.epoch)
            acked = max((seq for s, seq in m.received if s == mine), default=0)
            sync_store.update_peer(conn, sender, epoch=m.sender_epoch, acked_stream=mine, acked_seq=acked)
        audit_warning = _audit_witnesses(conn, w, m, sender)
        sync_store.record_ledger(conn, outcome="applied", **ledger)  # type: ignore[arg-type]
        opened = tuple(sorted(open_conflict_ids(conn) - before))
        w.record_event("import", "bundle", m.bundle_id,
                       [f"from:{sender}", f"sequence:{m.sequence}", f"applied:{result.applied}",
                        f"duplicates:{result.duplicates}", f"waiting:{result.waiting}",
                        f"conflicts:{len(opened)}", f"evicted:{evicted}",
                        f"refused:{len(result.refused)}"])
        hook("before-commit")
    session.refresh_workstation()
    return ImportReport(
        path, "applied", "", False, applied=result.applied, duplicates=result.duplicates,
        waiting=result.waiting, released=result.released, conflicts_opened=opened,
        evicted=evicted, registry_version=reg_version, refused=tuple(result.refused),
        audit_warning=audit_warning, **base,  # type: ignore[arg-type]
    )


def _audit_witnesses(conn: Any, w: Any, m: Manifest, sender: str) -> str:
    """Compare the audit points the file states with what this store knows, then record them.

    Three disagreements are reported (the file is still applied: the store's contents are not in
    doubt, its history is): (1) this store no longer holds, as it was, the entry the sender last
    saw of it (entries rewritten, or the store file put back to an earlier copy outside
    Roundtable); (2) the sender's log is shorter than when it last wrote (its store put back);
    (3) the sender's entry at a point this store witnessed has changed (its log rewritten). A
    restore through Roundtable starts a new epoch, so it is never mistaken for any of them."""
    problems: list[str] = []
    if m.witness is not None:
        sync_store.set_witnessed_by(conn, sender, m.witness)
        epoch, seq, digest = m.witness
        if epoch == w.epoch and audit_store.hash_at(conn, seq) != digest:
            problems.append(
                f"This store's audit log no longer holds entry {seq} as the sender last saw it: "
                "entries were changed, or the store file was put back to an earlier copy outside "
                "Roundtable.")
            w.record_event("security", "audit", str(seq), ["witness-mismatch", f"from:{sender}"])
    seen = sync_store.witnesses_of(conn, sender)
    if m.proof is not None:
        seq, digest = m.proof
        earlier = next((h for e, q, h in seen if e == m.sender_epoch and q == seq), None)
        if earlier is not None and digest != earlier:
            problems.append(
                f"The sender's audit log no longer holds entry {seq} as this store saw it: its "
                "entries were changed, or its store file was put back to an earlier copy outside "
                "Roundtable.")
            w.record_event("security", "audit", str(seq), ["sender-log-changed", f"from:{sender}"])
    if m.audit_head is not None:
        seq, digest = m.audit_head
        last = seen[-1] if seen else None
        if last is not None and last[0] == m.sender_epoch and seq < last[1]:
            problems.append(
                f"The sender's audit log is shorter than when it last sent a file (entry {last[1]} "
                f"then, {seq} now): its store may have been put back to an earlier copy outside "
                "Roundtable.")
            w.record_event("security", "audit", str(seq), ["sender-log-shorter", f"from:{sender}"])
        if last is None or m.sender_epoch >= last[0]:  # a shorter log is reported once, then followed
            sync_store.add_witness(conn, sender, m.sender_epoch, seq, digest)
    if problems:
        log.warning("exchange file applied with an audit warning")
        return " ".join(problems) + " Tell the coordinator."
    return ""


def _registry(session: Session, conn: Any, version: int, doc: bytes | None, sender: str) -> int:
    stored = sync_store.registry(conn)
    have = stored[0] if stored else 0
    if session.workstation.is_hub:
        if doc is not None:
            raise SecurityAlert("Only the coordinator's files carry the panel registry.")
        return have
    if doc is None or version <= have:
        return have  # a lower or equal version is ignored
    coordinator = next(t for t in sync_store.trusted(conn) if t.device_id == sender)
    body = verify_registry(doc, PublicIdentity(coordinator.sign_pub, coordinator.enc_pub), version)
    _apply_panel_settings(conn, body.get("panel"))
    import hashlib

    sync_store.save_registry(conn, version, hashlib.sha256(doc).hexdigest(), doc)
    return version


def _apply_panel_settings(conn: Any, panel: object) -> None:
    """The hub's panel-wide settings (name, programme, auto-lock; the panel's id), from the signed
    registry, onto this member store. A registry without them (an older hub) changes nothing."""
    if panel is None:
        return
    if not isinstance(panel, dict) or set(panel) != set(PANEL_SETTINGS) or not all(
        isinstance(v, str) and len(v) <= 200 for v in panel.values()
    ):
        raise SecurityAlert("The panel settings in the exchange file are not valid.")
    mine = meta_store.get(conn, "panel_id")
    if panel["panel_id"] and mine and mine != panel["panel_id"] and meta_store.get(conn, "invitation_id"):
        raise SecurityAlert("The exchange file is from another panel's coordinator.")
    if panel["programme"]:
        try:
            load_programme(panel["programme"])
        except Exception as exc:
            raise NeedsNewerReader(
                "The panel uses a programme this version does not know. Update Roundtable to "
                "import this."
            ) from exc
    minutes = panel["auto_lock_minutes"]
    if minutes and not (minutes.isdigit() and 1 <= int(minutes) <= 240):
        raise SecurityAlert("The panel settings in the exchange file are not valid.")
    for key, value in panel.items():
        if value:
            meta_store.put(conn, key, value)


def _may_hold(session: Session, conn: Any, op: Op) -> bool:
    """May an agency's store keep ``op`` waiting for its record? Only if it is in the agency's
    scope as the store stands now (a case in scope arrives before any op on it: every file
    re-sends the snapshot of a case new to the agency until it is acknowledged). The agency is
    the one the coordinator's record gives this member; the chair rule's cases are in scope."""
    ws = session.workstation
    row = repo.get_row(conn, "member", ws.member.id)
    agency = str(row.agency_id) if row is not None else ws.agency.id
    me = Author(ws.device_id, ws.member.id, agency, ws.member.role.value)
    if not sync_store.scope_for(conn, agency, also=chair_cases(session, conn, me)).op_visible(op):
        return False
    if op.entity == "contribution" and op.kind == "create":
        values = op.decoded()
        return isinstance(values, dict) and contribution_visible(
            str(values.get("agency_id") or ""), canonical(values.get("restricted_to") or []), agency
        )
    return True


def _check_scope(
    conn: Any, agency: str, first_received: int, cases: set[str], *, also: frozenset[str]
) -> None:
    """An agency's store refuses anything the coordinator should not have sent it (``also``:
    the cases the chair rule gives this store's member).

    The records this import touched are read back from ``op_log`` (ops logged from
    ``first_received`` on), not kept in memory: a large snapshot would make that set large."""
    scope = sync_store.scope_for(conn, agency, also=also)
    outside = False
    for case_id in cases:
        if repo.get_row(conn, "case", case_id) is not None and case_id not in scope.cases:
            outside = True
    for entity, rid in sync_store.touched_since(conn, first_received, ("subject", "contribution")):
        if entity == "subject" and rid not in scope.subjects:
            outside = outside or repo.get_row(conn, "subject", rid) is not None
        elif entity == "contribution" and rid in scope.hidden:
            outside = True
    if outside:
        raise SecurityAlert(
            "The exchange file holds information about a case or record outside this agency's "
            "scope; it was rejected. Tell the coordinator."
        )


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
