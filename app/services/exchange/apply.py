"""The last steps of an import: who may send on a stream, and the one transaction that applies.

Invariants: ``apply_bundle`` runs in one ``Session.change`` transaction; any ``BundleRejected``
inside it rolls everything back (the caller reports the rejection). An agency's store re-checks,
after applying, that nothing outside its scope arrived; the hub authorises every member op.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.crypto.identity import PublicIdentity
from app.models.errors import BundleRejected, SecurityAlert
from app.models.sync_ops import Op
from app.services import membership
from app.services.context import Session
from app.services.exchange import attachment_content
from app.services.exchange.peers import (
    chair_cases,
    check_scope,
    may_hold,
    own_author,
    sender_author,
    stream_name,
)
from app.services.exchange.registry import apply_registry
from app.services.exchange.report import ImportReport
from app.storage import audit as audit_store
from app.storage import repo
from app.storage.hlc import DEFAULT_MAX_AHEAD_MS, unpack, wall_ms
from app.storage.sync import selection
from app.storage.sync import store as sync_store
from app.storage.sync.apply import Applier
from app.storage.sync.conflicts import open_conflict_ids
from app.storage.writer import Writer, utc_now_iso
from app.sync.manifest import Manifest, PayloadInvalid
from app.sync.payload import PayloadReader

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


BATCH = 2_000  # ops applied per batch of a streamed file (inside the one transaction)


def apply_bundle(
    session: Session,
    path: Path,
    reader: PayloadReader,
    digest: str,
    sender: str,
    sender_names: dict[str, str],
    *,
    superseded: bool,
) -> ImportReport:
    """Stream the ops of ``reader`` into one transaction: each batch is decrypted, parsed,
    validated, clock-checked and applied before the next is read; the file's end (counts, nothing
    after the ops, the file unchanged since its signature was checked) is checked before commit."""
    try:
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
                for _ in reader.content():
                    pass
                sync_store.record_ledger(conn, outcome="superseded", **ledger)  # type: ignore[arg-type]
                w.record_event("import", "bundle", m.bundle_id, [f"from:{sender}", "superseded"])
                return ImportReport(path, "superseded",
                                    "A newer file from this sender was already imported.", **base)  # type: ignore[arg-type]
            before = open_conflict_ids(conn)
            reg_version = apply_registry(session, conn, m.registry_version, reader.registry, sender)
            first_received: list[int] = []
            applier = _applier(session, w, sender, first_received)
            carried: dict[str, tuple[int, str]] = {}
            evicted = _apply_ops(session, w, reader, applier, sender, carried)
            applier.finish()
            content = attachment_content.take(conn, reader.content(), carried)
            result = applier.result
            if not session.workstation.is_hub and first_received:
                _check_own_scope(session, conn, first_received[0], result.cases)
            _take_acks(session, w, m, sender)
            audit_warning = _audit_witnesses(conn, w, m, sender)
            sync_store.record_ledger(conn, outcome="applied", **ledger)  # type: ignore[arg-type]
            opened = tuple(sorted(open_conflict_ids(conn) - before))
            w.record_event("import", "bundle", m.bundle_id,
                           [f"from:{sender}", f"sequence:{m.sequence}", f"applied:{result.applied}",
                            f"duplicates:{result.duplicates}", f"waiting:{result.waiting}",
                            f"conflicts:{len(opened)}", f"evicted:{evicted}",
                            f"refused:{len(result.refused)}"]
                           + ([f"attachments:{content}"] if content else []))
        session.refresh_workstation()
        return ImportReport(
            path, "applied", "", False, applied=result.applied, duplicates=result.duplicates,
            waiting=result.waiting, released=result.released, conflicts_opened=opened,
            evicted=evicted, registry_version=reg_version, refused=tuple(result.refused),
            audit_warning=audit_warning, **base,  # type: ignore[arg-type]
        )
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


def _applier(session: Session, w: Writer, sender: str, first_received: list[int]) -> Applier:
    """The store's applier for this file: the hub authorises every op as the sender's member; a
    member's store keeps an op waiting for its record only if it may hold it. ``first_received``
    gets the first receive number this import uses (for the scope check after it)."""
    ws, conn = session.workstation, w.conn
    hub_origins = frozenset({ws.device_id}) if ws.is_hub else frozenset(
        t.device_id for t in sync_store.trusted(conn)
    )

    def next_received() -> int:
        n = w.next_received()
        if not first_received:
            first_received.append(n)
        return n

    author = sender_author(conn, sender) if ws.is_hub else None
    return Applier(
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
        may_hold=None if ws.is_hub else lambda op: may_hold(session, conn, op),
    )


def _apply_ops(
    session: Session, w: Writer, reader: PayloadReader, applier: Applier, sender: str,
    carried: dict[str, tuple[int, str]],
) -> int:
    """Apply the file's ops batch by batch (its evictions first); return the cases evicted.
    ``carried`` gets the declared (size, digest) of every attachment the file creates: the only
    attachments whose content may follow the ops."""
    ws, conn = session.workstation, w.conn
    own_acked = {e: c for (o, e), c in sync_store.acks_out(conn, sender).items() if o == ws.device_id}
    evicted = 0
    for evicts, ops in _batches(reader):
        w.clock.observe(max(op.hlc for op in (*evicts, *ops)))
        if evicts and ws.is_hub:
            raise SecurityAlert("The exchange file asks the coordinator's store to evict a case.")
        for op in evicts:
            selection.evict_case(conn, op.record_id, me=ws.device_id, keep_own_after=own_acked)
            w.record_event("evict", "case", op.record_id, [f"by:{sender}"])
            evicted += 1
        attachment_content.declared(ops, carried)
        applier.apply_batch(ops)
        sync_store.bump_acks_in(conn, ops)
    return evicted


def _check_own_scope(session: Session, conn: Any, first_received: int, cases: set[str]) -> None:
    """A member's store: nothing this import brought may be outside the member's scope (its
    agency as the coordinator's record now says: ``own_author``)."""
    ws = session.workstation
    me = own_author(session, conn)
    agency = me.agency_id
    also = chair_cases(session, conn, me)
    if session.programme.chair.grants_anything:
        # a chair's own change (adopting a case awaiting panel) can take a case out of the rule
        # here before the hub hears of it; the hub evicts it once it has
        also |= selection.cases_authored(conn, ws.device_id)
    check_scope(conn, agency, first_received, cases, also=also)


def _take_acks(session: Session, w: Writer, m: Manifest, sender: str) -> None:
    """What the sender has acknowledged of ours, and how far it has read our stream to it (a file
    from an earlier epoch of the sender's says nothing current)."""
    conn = w.conn
    peer = sync_store.peer_state(conn, sender)
    if peer is None or m.sender_epoch >= int(peer.epoch):
        sync_store.replace_acks_out(conn, sender, m.acks)
        mine = stream_name(session.workstation.device_id, sender, w.epoch)
        acked = max((seq for s, seq in m.received if s == mine), default=0)
        sync_store.update_peer(conn, sender, epoch=m.sender_epoch, acked_stream=mine, acked_seq=acked)


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


def check_clock(created: int, hlcs: list[int]) -> None:
    """Refuse a file whose clock (or any op's) is more than the bound ahead of ours."""
    newest = max([created, *hlcs])
    ahead = unpack(newest)[0] - wall_ms()
    if ahead > DEFAULT_MAX_AHEAD_MS:
        hours = ahead // 3_600_000
        raise BundleRejected(
            f"The exchange file's clock is {hours} hours ahead of this workstation's. Check the "
            "date and time on both workstations, then export again."
        )
