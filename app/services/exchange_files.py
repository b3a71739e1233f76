"""Building and opening exchange files (the work behind ``services.exchange``).

Export: select what the recipient has not acknowledged and may see (scope), add snapshots of cases
newly in its scope and ``evict`` ops for cases that left it, the signed registry (coordinator), the
acknowledgements, audit, then stream the sealed, signed file to disk — all in the caller's
transaction, in memory bounded by one batch (8 bytes per selected op besides).
Import, in the order of sync.md: private staging copy; first pass over it
(``crypto.bundle.open_bundle_stream``: size, magic/version/suite, lengths, signer, signature over
the whole file, header, recipient, unwrap); sender allowed on this stream and not revoked; reader
version; ledger (duplicate / replayed sequence); manifest under caps and equal to the header;
then one ``BEGIN IMMEDIATE`` transaction in which the second pass decrypts, parses, validates,
clock-checks and applies the ops batch by batch (``exchange_apply``), then scope check, acks,
ledger, audit.

Invariants: a rejected file changes nothing in the store; ``import_hook`` (tests only) is called at
points inside the import transaction, so a crash there can be simulated.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.crypto.bundle import MAX_BUNDLE_BYTES, BundleWriter, open_bundle_stream
from app.crypto.identity import PublicIdentity, open_signed_document, sign_document
from app.models.errors import AppError, BundleRejected, NeedsNewerReader, SecurityAlert
from app.models.ids import new_id
from app.models.sync_ops import Op
from app.models.sync_scope import Author
from app.services import export_checks, membership
from app.services.context import Session
from app.storage import audit as audit_store
from app.storage import repo, sync_store
from app.storage.files import (
    NotARegularFile,
    Staged,
    atomic_writer,
    ensure_private_dir,
    open_regular_file,
    staged_writer,
)
from app.storage.hlc import DEFAULT_MAX_AHEAD_MS, unpack, wall_ms
from app.storage.sync_apply import authorisation_problem
from app.storage.writer import Writer
from app.sync.payload import (
    MIN_READER,
    SCHEMA,
    Manifest,
    PayloadInvalid,
    PayloadReader,
    check_manifest_matches,
    write_payload,
)

log = logging.getLogger(__name__)
REGISTRY_DOMAIN = "roundtable/panel-registry/v1"
import_hook: Callable[[str], None] | None = None  # tests: called at named points of an import
export_hook: Callable[[str], None] | None = None  # tests: called at named points of an export


def _hook(point: str) -> None:
    if import_hook is not None:
        import_hook(point)


def export_point(point: str) -> None:
    if export_hook is not None:
        export_hook(point)


def stream_name(sender: str, recipient: str, epoch: int) -> str:
    return f"{sender}>{recipient}/{epoch}"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    bundle_id: str
    sequence: int
    operations: int
    cases: int
    evicted: int
    held_back: int
    staged: Staged | None = None  # the finished file, put in place once the export is committed


def _registry(session: Session, w: Writer) -> tuple[int, bytes | None]:
    conn = w.conn
    stored = sync_store.registry(conn)
    if not session.workstation.is_hub:
        return (stored[0], None) if stored else (0, None)
    rows: dict[str, Any] = {**sync_store.registry_rows(conn), "panel": panel_settings(conn)}
    body_hash = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    if stored and stored[1] == body_hash:
        return stored[0], stored[2]
    version = (stored[0] if stored else 0) + 1
    body = {"version": version, "coordinator": session.workstation.device_id, **rows}
    doc = sign_document(session.store.device_keys(), REGISTRY_DOMAIN, body)
    sync_store.save_registry(conn, version, body_hash, doc)
    return version, doc


# Panel-wide settings that travel in the signed registry and are applied on member stores
# (shown there read-only): the panel's identity, its programme and the auto-lock policy.
PANEL_SETTINGS = ("panel_id", "panel_name", "programme", "auto_lock_minutes")


def panel_settings(conn: Any) -> dict[str, str]:
    from app.storage import meta as meta_store

    return {k: meta_store.get(conn, k) or "" for k in PANEL_SETTINGS}


def chair_cases(session: Session, conn: Any, member: Author) -> frozenset[str]:
    """The cases the programme's chair rule gives ``member`` whatever their sharing (docs/
    programmes.md, "The chair"): they are in that member's scope as if shared with their agency."""
    return repo.chair_cases(conn, session.programme.chair, member_id=member.member_id, role=member.role)


def _peer_author(conn: Any, peer_device: str, peer_agency: str) -> Author:
    device = repo.get_row(conn, "device", peer_device)
    member = repo.get_row(conn, "member", device.member_id) if device is not None else None
    if member is None:
        return Author(peer_device, peer_device, peer_agency, "officer")
    return Author(peer_device, str(member.id), peer_agency, str(member.role))


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
    evicts: list[str] = []
    held_back = 0
    if ws.is_hub:
        also = chair_cases(session, conn, _peer_author(conn, peer_device, peer_agency))
        scope = membership.peer_scope(conn, peer_device, sync_store.scope_for(conn, peer_agency, also=also))
        known = sync_store.peer_cases(conn, peer_device)
        snapshot: set[str] = set()
        for case_id in sorted(scope.cases):
            state = known.get(case_id)
            if state is not None and state[0] == "in":
                continue
            if state is not None and state[0] == "snapshot" and acked_seq >= state[1]:
                sync_store.set_peer_case(conn, peer_device, case_id, "in", state[1])
                continue
            since = state[1] if state is not None and state[0] == "snapshot" else seq
            sync_store.set_peer_case(conn, peer_device, case_id, "snapshot", since)
            snapshot.add(case_id)
        subjects = {sync_store.case_subject(conn, c) for c in snapshot}
        for case_id, (state_name, since) in sorted(known.items()):
            if case_id in scope.cases:
                continue
            if state_name == "evict" and acked_seq >= since:
                sync_store.set_peer_case(conn, peer_device, case_id, None, 0)
                continue
            evicts.append(case_id)
            sync_store.set_peer_case(conn, peer_device, case_id, "evict", since if state_name == "evict" else seq)
        rowids, cases = sync_store.select_for_export(
            conn, acks, scope.op_visible, snapshot_cases=frozenset(snapshot),
            snapshot_subjects=frozenset(s for s in subjects if s),
        )
    else:
        author = Author(me, ws.member.id, ws.agency.id, ws.member.role.value)
        mine = chair_cases(session, conn, author)
        if session.programme.chair.grants_anything:  # see exchange_apply: the hub decides
            mine |= sync_store.cases_authored(conn, me)

        def keep(op: Op) -> bool:
            nonlocal held_back
            if op.entity in ("agency", "member", "device", "meeting", "attendance"):
                return False  # the coordinator's registry records; our provisional copies stay here
            if authorisation_problem(conn, op, author, op.case_id, also=mine):
                held_back += 1
                return False
            return True

        rowids, cases = sync_store.select_for_export(conn, acks, keep, origin=me, full=True)
    rowids, invalid = export_checks.still_valid(conn, rowids)  # the recipient's own check, first
    held_back += invalid
    hlc = w.clock.tick()
    evict_ops = [
        Op(new_id(), me, epoch, 0, w.clock.tick(), "evict", "case", case_id, None, None, None,
           case_id, ws.member.id)
        for case_id in evicts
    ]
    reg_version, reg_doc = _registry(session, w)
    bundle_id = new_id()
    n_ops = len(rowids) + len(evict_ops)
    manifest = Manifest(
        bundle_id=bundle_id, sender=me, recipient=peer_device, stream=stream, sequence=seq,
        sender_epoch=epoch, created_hlc=hlc, schema=SCHEMA, min_reader=MIN_READER,
        registry_version=reg_version, acks=tuple(sync_store.my_acks(conn, me)),
        received=tuple(sync_store.received_streams(conn, peer_device)), op_count=n_ops,
        # our audit head, the peer's as its last applied file stated it, and our entry now at
        # the point the peer last said it had seen of us (docs/sync.md, "Audit witnesses")
        audit_head=audit_store.head(conn), witness=sync_store.witness_of(conn, peer_device),
        proof=_proof(conn, peer_device, epoch),
    )
    header = {k: v for k, v in manifest.as_json().items() if k in _HEADER_KEYS}
    sync_store.record_sent(conn, peer_device, stream, seq, bundle_id)
    w.record_event("export", "bundle", bundle_id,
                   [f"to:{peer_device}", f"sequence:{seq}", f"operations:{n_ops}",
                    f"cases:{len(cases)}", f"evicted:{len(evicts)}"]
                   + ([f"left-out-invalid:{invalid}"] if invalid else []))
    for case_id in sorted(cases):  # a disclosure of each case, to whom
        w.record_event("disclose", "case", case_id, [f"to:{peer_device}", f"bundle:{bundle_id}"])
    # Evictions first: the importer applies them before any other op, as it streams.
    ops: Iterable[Op] = itertools.chain(evict_ops, sync_store.ops_by_rowid(conn, rowids))
    if step is not None:
        ops = _stepped(ops, n_ops, step)
    if export_hook is not None:
        ops = _stepped(ops, n_ops, lambda done, total: export_point(f"op-{done}"))
    export_point("selected")
    # written completely to a temporary file beside ``out``; the caller puts it in place only
    # after this transaction (its audit entries) has committed
    with staged_writer(out) as (f, staged):
        sealer = BundleWriter(f, header_fields=header, signer=session.store.device_keys(),
                              recipients=[(peer_device, peer_identity)])
        write_payload(sealer.write, manifest, reg_doc, ops)
        size = sealer.finish()
    return ExportResult(out, size, bundle_id, seq, len(rowids), len(cases), len(evicts), held_back,
                        staged)


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


_HEADER_KEYS = frozenset(
    {"bundle_id", "sender", "stream", "sequence", "created_hlc", "schema", "min_reader",
     "registry_version"}
)


# --- import -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    """What an import did. ``outcome``: applied | duplicate | superseded | rejected | kept-aside."""

    path: Path
    outcome: str
    reason: str = ""
    security_alert: bool = False
    sender: str = ""
    sender_name: str = ""
    sequence: int = 0
    applied: int = 0
    duplicates: int = 0
    waiting: int = 0
    released: int = 0
    conflicts_opened: tuple[str, ...] = ()
    evicted: int = 0
    registry_version: int = 0
    refused: tuple[str, ...] = ()  # operations refused one by one, with why
    # set when the audit witnesses disagree (docs/sync.md): the file was applied, but this store's
    # audit log or the sender's is not what the last exchange said it was
    audit_warning: str = ""
    revoked: bool = False  # this workstation's membership is revoked (docs/sync.md)

    @property
    def ok(self) -> bool:
        return self.outcome in ("applied", "duplicate", "superseded")


def _rejected(path: Path, exc: AppError, **kw: object) -> ImportReport:
    alert = isinstance(exc, SecurityAlert)
    log.warning("exchange file rejected%s: %s", " (security alert)" if alert else "", exc.user_message)
    return ImportReport(path, "rejected", exc.user_message, alert, **kw)  # type: ignore[arg-type]


def _stage(session: Session, path: Path) -> Path:
    """Copy the file, streaming, into a private staging file (0600, O_EXCL, beside the store,
    through the safe-file writer) and return its path; every later read is of this copy.

    Bundles are ciphertext, so the copy holds nothing readable. Reading the user's file twice
    (once to check the signature, once to decrypt) would let it be changed in between; the copy
    is this process's alone (and the second pass re-hashes what it reads anyway).
    """
    staging = ensure_private_dir(session.store.path.parent / "exchange" / "staging")
    # The store is open in this process only (its lock), so anything already here was left by an
    # import that was killed: ciphertext, but clutter. Clear it before staging a new file.
    for stale in (*staging.glob("*.rtb"), *staging.glob(".*.rtb.*.part")):  # a copy cut short, too
        stale.unlink(missing_ok=True)
    target = staging / f"{new_id()}.rtb"
    try:
        src_file = open_regular_file(path)
    except NotARegularFile as exc:
        raise BundleRejected(
            "That is not an exchange file: it is a folder, a pipe or a device, not a regular "
            "file. Nothing was read."
        ) from exc
    except FileNotFoundError as exc:
        raise BundleRejected("There is no file at that location.") from exc
    except OSError as exc:
        raise BundleRejected(f"The exchange file could not be read ({exc.strerror or 'error'}).") from exc
    try:
        with src_file as src, atomic_writer(target) as out:
            copied = 0
            while block := src.read(1 << 20):
                copied += len(block)
                if copied > MAX_BUNDLE_BYTES:
                    raise BundleRejected("The exchange file is larger than the allowed maximum.")
                out.write(block)
    except OSError as exc:
        raise BundleRejected(f"The exchange file could not be read ({exc.strerror or 'error'}).") from exc
    return target


KEPT_ASIDE_MAX_BYTES = MAX_BUNDLE_BYTES  # all files kept aside together
KEPT_ASIDE_MAX_FILES = 20


def _keep_aside(session: Session, staged: Path) -> None:
    """Keep a file that needs a newer Roundtable (its signature already verified against a panel
    workstation), then drop the oldest kept files until all of them fit the caps."""
    aside = ensure_private_dir(session.store.path.parent / "exchange" / "kept-aside")
    digest = hashlib.sha256()
    with staged.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    target = aside / (digest.hexdigest()[:16] + ".rtb")
    os.replace(staged, target)
    os.utime(target)  # the newest: what a file was kept aside last decides which goes first
    kept = sorted(
        ((p.stat().st_mtime_ns, p.name, p) for p in aside.glob("*.rtb") if p.is_file()),
        reverse=True,
    )
    total, full = 0, False
    for n, (_, _, p) in enumerate(kept):  # newest first: once one does not fit, older ones go
        size = p.stat().st_size
        full = full or n >= KEPT_ASIDE_MAX_FILES or total + size > KEPT_ASIDE_MAX_BYTES
        if full and p != target:
            p.unlink(missing_ok=True)
        else:
            total += size


def do_import(session: Session, path: Path, *, sender_names: dict[str, str]) -> ImportReport:
    staged: Path | None = None
    try:
        try:
            staged = _stage(session, path)
        except BundleRejected as exc:
            return _rejected(path, exc)
        _hook("staged")
        with staged.open("rb") as f:
            return _import_staged(session, path, staged, f, sender_names)
    finally:
        if staged is not None:
            staged.unlink(missing_ok=True)


def _import_staged(
    session: Session, path: Path, staged: Path, f: BinaryIO, sender_names: dict[str, str]
) -> ImportReport:
    from app.services.exchange_apply import apply_bundle, lookup_signer, sender_checks

    ws = session.workstation
    try:
        keys = session.store.device_keys()
        with session.view() as conn:
            signers = lookup_signer(session, conn)
        opened = open_bundle_stream(
            f, lookup_signer=lambda kid: signers.get(kid, (None, b""))[1] or None,
            me_device_id=ws.device_id, me=keys,
        )
        _hook("verified")
        header = opened.header
        sender = signers[opened.signer_key_id][0]
        assert sender is not None
        with session.view() as conn:
            sender_checks(session, conn, header, sender)
        if tuple(header["min_reader"]) > SCHEMA:
            raise NeedsNewerReader(
                "This file was written by a newer Roundtable. Update Roundtable to import this."
            )
        digest = opened.digest.hex()[:64]  # SHA-512 of the signed bytes: same digest, same file
        with session.view() as conn:
            seen = sync_store.ledger_entry(conn, bundle_id=header["bundle_id"], stream=header["stream"],
                                           sequence=header["sequence"])
            last = sync_store.last_sequence(conn, header["stream"])
        if seen is not None:
            if seen.digest == digest:
                return ImportReport(path, "duplicate", "This file was imported before: nothing to do.",
                                    sender=sender, sender_name=sender_names.get(sender, ""),
                                    sequence=header["sequence"])
            raise SecurityAlert(
                "The exchange file reuses the number of a file already received from this sender, "
                "with different content. It was rejected: tell the coordinator."
            )
        try:
            reader = PayloadReader(opened.chunks())
            check_manifest_matches(reader.manifest, header)
        except PayloadInvalid as exc:
            raise SecurityAlert(f"The exchange file's content is not valid: {exc}.") from exc
        if reader.manifest.recipient != ws.device_id:
            raise SecurityAlert("The exchange file's content is addressed to another workstation.")
        check_clock(header["created_hlc"], [])
    except NeedsNewerReader as exc:
        with contextlib.suppress(AppError, OSError):
            _keep_aside(session, staged)
        return ImportReport(path, "kept-aside", exc.user_message)
    except BundleRejected as exc:
        return _rejected(path, exc)
    try:
        # The ops are decrypted, parsed, checked and applied batch by batch inside the one
        # transaction; anything wrong on the way rolls it all back.
        return apply_bundle(session, path, header, reader, digest, sender, sender_names,
                            superseded=header["sequence"] < last, hook=_hook)
    except BundleRejected as exc:
        return _rejected(path, exc, sender=sender, sequence=header["sequence"])


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


def verify_registry(doc: bytes, coordinator: PublicIdentity, version: int) -> dict[str, object]:
    body = open_signed_document(doc, REGISTRY_DOMAIN, coordinator.sign_pub)
    if body.get("version") != version:
        raise SecurityAlert("The panel registry in the file does not match its header.")
    return body

