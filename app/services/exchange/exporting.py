"""Building an exchange file: select what the recipient has not acknowledged and may see (its
scope), add snapshots of cases newly in its scope and ``evict`` operations for cases that left it,
the signed registry (coordinator), the acknowledgements and the audit witnesses, then stream the
sealed, signed file to disk.

Invariants: all of it in the caller's transaction, the file written last through the safe-file
writer; memory bounded by one batch (8 bytes per selected op besides).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from app.crypto.bundle import BundleWriter
from app.crypto.bundle_format import HEADER_FIELDS
from app.crypto.identity import PublicIdentity
from app.models.ids import new_id
from app.models.sync_ops import Op
from app.models.sync_scope import Author
from app.services import export_checks, membership
from app.services.context import Session
from app.services.exchange import attachment_content
from app.services.exchange.peers import chair_cases, peer_author, stream_name
from app.services.exchange.registry import signed_registry
from app.services.exchange.report import ExportResult
from app.storage import audit as audit_store
from app.storage.files import staged_writer
from app.storage.sync import selection
from app.storage.sync import store as sync_store
from app.storage.sync.authorise import authorisation_problem
from app.storage.writer import Writer
from app.sync.manifest import MIN_READER, MIN_READER_CONTENT, SCHEMA, Manifest
from app.sync.payload import write_payload

Acks = dict[tuple[str, int], int]  # (origin, epoch) -> the last counter the peer has


def do_export(
    session: Session, w: Writer, *, peer_device: str, peer_agency: str,
    peer_identity: PublicIdentity, out: Path, step: Callable[[int, int], None] | None = None,
    sequence: int | None = None,
) -> ExportResult:
    """Select, record and audit an export, then stream the bundle to ``out`` (safe-file writer),
    last, inside the caller's transaction. Memory: 8 bytes per selected op, one batch of ops,
    one 64 KiB chunk."""
    ws = session.workstation
    conn, me, epoch = w.conn, ws.device_id, w.epoch
    stream = stream_name(me, peer_device, epoch)
    # ``sequence`` was reserved and committed by the caller before this transaction (issue 12)
    seq = sequence if sequence is not None else sync_store.next_sequence(conn, peer_device, stream)
    acks = sync_store.acks_out(conn, peer_device)
    peer = sync_store.peer_state(conn, peer_device)
    acked_seq = int(peer.acked_seq) if peer is not None and peer.acked_stream == stream else 0
    if ws.is_hub:
        rowids, cases, evicts = _hub_selection(session, conn, peer_device, peer_agency, acks,
                                               acked_seq=acked_seq, seq=seq)
        held_back = 0
    else:
        rowids, cases, held_back = _member_selection(session, conn, acks)
        evicts = []
    rowids, invalid = export_checks.still_valid(conn, rowids)  # the recipient's own check, first
    held_back += invalid
    hlc = w.clock.tick()
    evict_ops = [
        Op(new_id(), me, epoch, 0, w.clock.tick(), "evict", "case", case_id, None, None, None,
           case_id, ws.member.id)
        for case_id in evicts
    ]
    reg_version, reg_doc = signed_registry(session, w)
    bundle_id = new_id()
    n_ops = len(rowids) + len(evict_ops)
    # the content of every attachment this file creates follows the ops (docs/sync.md)
    carried, n_pieces = attachment_content.carried(conn, rowids)
    manifest = Manifest(
        bundle_id=bundle_id, sender=me, recipient=peer_device, stream=stream, sequence=seq,
        sender_epoch=epoch, created_hlc=hlc, schema=SCHEMA,
        min_reader=MIN_READER_CONTENT if n_pieces else MIN_READER,
        registry_version=reg_version, acks=tuple(sync_store.my_acks(conn, me)),
        received=tuple(sync_store.received_streams(conn, peer_device)), op_count=n_ops,
        # our audit head, the peer's as its last applied file stated it, and our entry now at
        # the point the peer last said it had seen of us (docs/sync.md, "Audit witnesses")
        audit_head=audit_store.head(conn), witness=sync_store.witness_of(conn, peer_device),
        proof=_proof(conn, peer_device, epoch), content_count=n_pieces,
    )
    header = {k: v for k, v in manifest.as_json().items() if k in HEADER_FIELDS}
    sync_store.record_sent(conn, peer_device, stream, seq, bundle_id)
    w.record_event("export", "bundle", bundle_id,
                   [f"to:{peer_device}", f"sequence:{seq}", f"operations:{n_ops}",
                    f"cases:{len(cases)}", f"evicted:{len(evicts)}"]
                   + ([f"attachments:{len(carried)}"] if carried else [])
                   + ([f"left-out-invalid:{invalid}"] if invalid else []))
    for case_id in sorted(cases):  # a disclosure of each case, to whom
        w.record_event("disclose", "case", case_id, [f"to:{peer_device}", f"bundle:{bundle_id}"])
    # Evictions first: the importer applies them before any other op, as it streams.
    ops: Iterable[Op] = itertools.chain(evict_ops, selection.ops_by_rowid(conn, rowids))
    if step is not None:
        ops = _stepped(ops, n_ops, step)
    # written completely to a temporary file beside ``out``; the caller puts it in place only
    # after this transaction (its audit entries) has committed
    with staged_writer(out) as (f, staged):
        sealer = BundleWriter(f, header_fields=header, signer=session.store.device_keys(),
                              recipients=[(peer_device, peer_identity)])
        write_payload(sealer.write, manifest, reg_doc, ops,
                      content=attachment_content.pieces(conn, carried))
        size = sealer.finish()
    return ExportResult(out, size, bundle_id, seq, len(rowids), len(cases), len(evicts), held_back,
                        staged)


def _hub_selection(
    session: Session, conn: Any, peer_device: str, peer_agency: str, acks: Acks, *,
    acked_seq: int, seq: int,
) -> tuple[array[int], set[str], list[str]]:
    """The coordinator's selection for a member: (op rowids, cases, cases to evict). A case new
    to the member's scope goes as a snapshot until the member acknowledges the file it came in;
    a case that left it is evicted, until acknowledged likewise."""
    evicts: list[str] = []
    also = chair_cases(session, conn, peer_author(conn, peer_device, peer_agency))
    scope = membership.peer_scope(conn, peer_device, selection.scope_for(conn, peer_agency, also=also))
    known = selection.peer_cases(conn, peer_device)
    snapshot: set[str] = set()
    for case_id in sorted(scope.cases):
        state = known.get(case_id)
        if state is not None and state[0] == "in":
            continue
        if state is not None and state[0] == "snapshot" and acked_seq >= state[1]:
            selection.set_peer_case(conn, peer_device, case_id, "in", state[1])
            continue
        since = state[1] if state is not None and state[0] == "snapshot" else seq
        selection.set_peer_case(conn, peer_device, case_id, "snapshot", since)
        snapshot.add(case_id)
    subjects = {selection.case_subject(conn, c) for c in snapshot}
    for case_id, (state_name, since) in sorted(known.items()):
        if case_id in scope.cases:
            continue
        if state_name == "evict" and acked_seq >= since:
            selection.set_peer_case(conn, peer_device, case_id, None, 0)
            continue
        evicts.append(case_id)
        selection.set_peer_case(conn, peer_device, case_id, "evict", since if state_name == "evict" else seq)
    rowids, cases = selection.select_for_export(
        conn, acks, scope.op_visible, snapshot_cases=frozenset(snapshot),
        snapshot_subjects=frozenset(s for s in subjects if s),
    )
    return rowids, cases, evicts


def _member_selection(session: Session, conn: Any, acks: Acks) -> tuple[array[int], set[str], int]:
    """A member's selection for the coordinator: its own ops the rules let it send (op rowids,
    cases, how many were held back)."""
    ws = session.workstation
    me = ws.device_id
    held_back = 0
    author = Author(me, ws.member.id, ws.agency.id, ws.member.role.value)
    mine = chair_cases(session, conn, author)
    if session.programme.chair.grants_anything:  # see exchange.apply: the hub decides
        mine |= selection.cases_authored(conn, me)

    def keep(op: Op) -> bool:
        nonlocal held_back
        if op.entity in ("agency", "member", "device", "meeting", "attendance"):
            return False  # the coordinator's registry records; our provisional copies stay here
        if authorisation_problem(conn, op, author, op.case_id, also=mine):
            held_back += 1
            return False
        return True

    rowids, cases = selection.select_for_export(conn, acks, keep, origin=me, full=True)
    return rowids, cases, held_back


def _stepped(ops: Iterable[Op], total: int, step: Callable[[int, int], None]) -> Iterator[Op]:
    """The ops, reporting ``step(done, total)`` about a hundred times on the way; ``step`` may
    raise to stop (the file is never finished, the transaction rolls back)."""
    every = max(1, total // 100)
    for done, op in enumerate(ops, start=1):
        yield op
        if done % every == 0 or done == total:
            step(done, total)


def _proof(conn: Any, peer_device: str, epoch: int) -> tuple[int, str] | None:
    """(seq, our hash there now, "" if gone) for the entry the peer last said it saw of us, in
    this epoch (after a restore the peer's view is of an earlier epoch and proves nothing)."""
    seen = sync_store.witnessed_by(conn, peer_device)
    if seen is None or seen[0] != epoch:
        return None
    return seen[1], audit_store.hash_at(conn, seen[1]) or ""
