"""Opening an exchange file, in the order of sync.md.

A private staging copy; a first pass over it (``crypto.bundle_open.open_bundle_stream``: size,
magic/version/suite, lengths, signer, signature over the whole file, header, recipient, unwrap);
the sender allowed on this stream and not revoked; the reader's version; the ledger (duplicate or
replayed sequence); the manifest under caps and equal to the header. Then ``apply`` decrypts,
parses, validates and applies the ops in one transaction.

Invariants: a rejected file changes nothing in the store; a file that needs a newer Roundtable is
kept aside (bounded), never applied; the staging copy is removed whatever happens.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from app.crypto.bundle_format import MAX_BUNDLE_BYTES
from app.crypto.bundle_open import open_bundle_stream
from app.models.errors import AppError, BundleRejected, NeedsNewerReader, SecurityAlert
from app.models.ids import new_id
from app.services.context import Session
from app.services.exchange.apply import apply_bundle, check_clock, lookup_signer, sender_checks
from app.services.exchange.report import ImportReport, rejected
from app.storage.files import NotARegularFile, atomic_writer, ensure_private_dir, open_regular_file
from app.storage.sync import store as sync_store
from app.sync.manifest import SCHEMA, PayloadInvalid, check_manifest_matches
from app.sync.payload import PayloadReader


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
            return rejected(path, exc)
        with staged.open("rb") as f:
            return _import_staged(session, path, staged, f, sender_names)
    finally:
        if staged is not None:
            staged.unlink(missing_ok=True)


def _import_staged(
    session: Session, path: Path, staged: Path, f: BinaryIO, sender_names: dict[str, str]
) -> ImportReport:
    ws = session.workstation
    try:
        keys = session.store.device_keys()
        with session.view() as conn:
            signers = lookup_signer(session, conn)
        opened = open_bundle_stream(
            f, lookup_signer=lambda kid: signers.get(kid, (None, b""))[1] or None,
            me_device_id=ws.device_id, me=keys,
        )
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
        return rejected(path, exc)
    try:
        # The ops are decrypted, parsed, checked and applied batch by batch inside the one
        # transaction; anything wrong on the way rolls it all back.
        return apply_bundle(session, path, reader, digest, sender, sender_names,
                            superseded=header["sequence"] < last)
    except BundleRejected as exc:
        return rejected(path, exc, sender=sender, sequence=header["sequence"])


