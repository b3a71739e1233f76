"""Creating, unlocking, backing up and restoring a store; passphrase and keyring changes.

Invariants: a new store holds its workstation identity (agency, member, device records and the
private keys, inside the encrypted store) before it is handed out; every call that fails leaves
no half-made store behind.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config.programmes import DEFAULT_PROGRAMME, load_programme
from app.crypto.identity import DeviceKeys, PublicIdentity
from app.crypto.keyfile import KdfParams, generate_keyring_secret
from app.crypto.keyring_slot import KeyringSlot
from app.models.enums import MemberStatus, Role
from app.models.errors import InvalidInput, KeyringUnavailable, UnlockError, WrongPassphrase
from app.models.ids import new_id
from app.services.context import Session
from app.storage import deferred_audit
from app.storage import meta as meta_store
from app.storage.store import Store
from app.storage.store_files import UnlockState, note_unlocked
from app.storage.writer import Writer

log = logging.getLogger("roundtable.setup")


@dataclass(frozen=True)
class Created:
    session: Session
    recovery_key: str
    fingerprint: str


def _sector_of(agency_name: str) -> tuple[str, bool]:
    n = agency_name.casefold()
    if "counter" in n and "terror" in n:
        return "ct-police", True
    if "police" in n or "constabulary" in n:
        return "police", True
    for key, sector in (
        ("probation", "probation"),
        ("nhs", "health"),
        ("health", "health"),
        ("children", "childrens"),
        ("adult", "adults"),
        ("school", "education"),
        ("education", "education"),
        ("housing", "housing"),
        ("council", "local-authority"),
    ):
        if key in n:
            return sector, False
    return "other", False


def create_store(
    path: Path,
    *,
    passphrase: str,
    name: str,
    agency: str,
    role: Role,
    panel: str = "",
    programme: str = DEFAULT_PROGRAMME,
    kdf: KdfParams | None = None,
    agency_id: str | None = None,
    today_fn: Callable[[], dt.date] = dt.date.today,
    member_id: str | None = None,
    panel_id: str | None = None,
    agency_short: str = "",
    area: str = "",
    joined: Callable[[Writer], None] | None = None,
) -> Created:
    """A new store holding this workstation's identity.

    A store set up from an invitation (``services.joining``) passes the invited member's and
    agency's ids, the panel's id, and ``joined``, run inside the same transaction (it records the
    coordinator as trusted); otherwise the member id is the device id and the panel id is new."""
    name, agency = name.strip(), agency.strip()
    if not name:
        raise InvalidInput("Give the name of the person who holds this workstation.")
    if not agency:
        raise InvalidInput("Give the agency this workstation belongs to.")
    load_programme(programme)  # refuse an unknown programme before creating anything
    store, recovery = Store.create(path, passphrase=passphrase, kdf=kdf)
    try:
        keys = DeviceKeys.generate()
        pub = keys.public()
        device_id = new_id()
        # one person per workstation: the member id is the device id, unless the workstation
        # joins as a member the panel already lists (an invitation)
        member_id = member_id or device_id
        agency_id = agency_id or new_id()
        with store.db.write() as conn:
            store.save_device_keys(keys)  # first: the audit head is signed with them
            me = _Identity(device_id, member_id, agency_id, panel_id or new_id(), pub)
            _record_identity(
                conn, me, panel_name=panel.strip() or "Risk panel", programme=programme, role=role
            )
            w = Writer(conn, device_id=device_id, member_id=member_id)
            _create_first_records(
                w, me, name=name, agency=agency, agency_short=agency_short, role=role, area=area
            )
            w.record_event("store-created", "store", store.store_id)
            if joined is not None:
                joined(w)
            w.flush()
    except BaseException:
        _remove_half_made(store)
        raise
    return Created(Session(store, today_fn=today_fn), recovery, pub.fingerprint)


@dataclass(frozen=True)
class _Identity:
    """Who a new store's workstation is: its device, member, agency and panel, and its keys."""

    device_id: str
    member_id: str
    agency_id: str
    panel_id: str
    keys: PublicIdentity


def _record_identity(conn: Any, me: _Identity, *, panel_name: str, programme: str, role: Role) -> None:
    """The workstation's identity in the store's settings."""
    for k, v in {
        "device_id": me.device_id,
        "member_id": me.member_id,
        "agency_id": me.agency_id,
        "panel_id": me.panel_id,
        "panel_name": panel_name,
        "programme": programme,
        "fingerprint": me.keys.fingerprint,
        # a region's store is its own hub: it enrols the panels it takes returns from
        "is_hub": "1" if role in (Role.COORDINATOR, Role.REGION) else "0",
        "role": role.value,
    }.items():
        meta_store.put(conn, k, v)


def _create_first_records(
    w: Writer, me: _Identity, *, name: str, agency: str, agency_short: str, role: Role, area: str
) -> None:
    """The workstation's agency, member and device, captured so that they travel."""
    sector, is_police = _sector_of(agency)
    w.create(
        "agency",
        {"name": agency, "short": agency_short.strip() or _short(agency), "sector": sector,
         "is_police": is_police},
        record_id=me.agency_id,
    )
    w.create(
        "member",
        {
            "name": name,
            "agency_id": me.agency_id,
            "role": role.value,
            "email": "",
            "status": MemberStatus.ACTIVE.value,
            "area": area,
        },
        record_id=me.member_id,
    )
    w.create(
        "device",
        {
            "member_id": me.member_id,
            "sign_pub": base64.b64encode(me.keys.sign_pub).decode(),
            "enc_pub": base64.b64encode(me.keys.enc_pub).decode(),
            "fingerprint": me.keys.fingerprint,
            "status": MemberStatus.ACTIVE.value,
        },
        record_id=me.device_id,
    )


def _remove_half_made(store: Store) -> None:
    """Close a store whose setting up failed and remove its files: no half-made store is left."""
    path_ = store.path
    store.close()
    from app.storage.store_files import remove_store_files

    remove_store_files(path_)


def guess_sector(agency_name: str) -> tuple[str, bool]:
    """The kind of agency a name suggests, and whether it is police (a guess the hub can change)."""
    return _sector_of(agency_name)


def short_name(name: str) -> str:
    """A short name made from an agency's name ("Northshire Police" -> "NP")."""
    return _short(name)


def _short(name: str) -> str:
    words = [w for w in name.replace("'", "").split() if w[:1].isalpha()]
    if len(words) == 1:
        return words[0][:12]
    return "".join(w[0].upper() for w in words if w.casefold() not in {"and", "of", "the"})[:8]


def store_in_use(path: Path) -> bool:
    """True while another Roundtable window or command has this store open (its file lock is
    held): the desktop says so before asking for a passphrase."""
    from app.storage.db import lock_held

    return lock_held(Path(path).expanduser().absolute())


def unlock(
    path: Path,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    keyring: KeyringSlot | None = None,
    today_fn: Callable[[], dt.date] = dt.date.today,
    record: bool = True,
) -> Session:
    """Open a store with one of its three secrets; raises an ``UnlockError`` subclass on failure.
    ``record=False`` (``roundtable check`` only) writes no "unlock" entry: a damaged store may not
    take a write, and a check changes nothing."""
    if passphrase is not None:
        store = Store.open_with_passphrase(path, passphrase)
    elif recovery_key is not None:
        store = Store.open_with_recovery_key(path, recovery_key)
    elif keyring is not None:
        keyfile = Store.read_keyfile(path)
        if not keyfile.has_keyring_slot:
            raise UnlockError("This store is not remembered on this workstation.")
        secret = keyring.fetch(keyfile.store_id)
        if secret is None:
            raise UnlockError("The keyring no longer holds this store's secret.")
        try:
            store = Store.open_with_keyring_secret(path, secret)
        except KeyringUnavailable as exc:
            raise UnlockError(
                "The secret remembered on this workstation no longer opens the store; "
                "use the passphrase."
            ) from exc
    else:
        raise UnlockError("A passphrase or recovery key is needed to unlock the store.")
    session = Session(store, today_fn=today_fn)
    log.info("store unlocked id=%s", store.store_id)
    if not record or store.db.read_only:
        return session
    state = UnlockState.read(store.path)
    failed, since = state.failed, state.failed_since
    mark = secrets.token_hex(16)
    deferred = deferred_audit.pending(store.store_id)
    try:
        with session.change() as w:
            failed, reset, total = _check_unlock_record(w.conn, state)
            w.record_event("unlock", "store", store.store_id)
            for e in deferred:  # views and prints while the store could only be read here
                w.record_event(e["action"], e["entity"], e["record_id"],
                               [*e["fields"], f"read-only-at:{e['at']}", f"by:{e['actor']}"])
            if reset:
                w.record_event("unlock-record-reset", "store", store.store_id, [f"why:{reset}"])
            if failed:
                # the count and when the first of them was, as the entry's "fields"
                w.record_event(
                    "failed-unlocks", "store", store.store_id, [f"attempts:{failed}", f"since:{since}"]
                )
            meta_store.put(w.conn, _UNLOCK_MARK, mark)
            meta_store.put(w.conn, _UNLOCK_TOTAL, str(total))
    except BaseException:
        store.close()
        raise
    # resets the count, now it is in the audit log; the new mark and the running total go with it
    note_unlocked(store.path, store.store_id, mark=mark, attempts_total=total)
    if deferred:
        deferred_audit.clear(store.store_id)  # now in the store's own audit log
    if failed:
        session.failed_unlocks = (failed, since)
    if reset:
        session.unlock_record_reset = _RESET_MESSAGES[reset]
    return session


# The record of failed unlocks beside the key file, checked against what the store kept at its
# last unlock (docs/store.md, "Failed unlocks"): a random mark, new at every recorded unlock, and
# the running total of failed attempts the file had then.
_UNLOCK_MARK = "unlock-mark"
_UNLOCK_TOTAL = "unlock-attempts-total"
_RESET_MESSAGES = {
    "replaced": (
        "The record of failed unlock attempts kept beside this store was missing or replaced "
        "since the last unlock (expected only if the store was moved or restored from a backup): "
        "wrong passphrases tried in between may not have been counted."
    ),
    "edited": (
        "The record of failed unlock attempts kept beside this store was put back to an older "
        "copy or edited since the last unlock: wrong passphrases tried in between may not have "
        "been counted."
    ),
}


def _check_unlock_record(conn: Any, state: UnlockState) -> tuple[int, str, int]:
    """(failed attempts to report, why the record looks reset or "", the new running total)."""
    mark = meta_store.get(conn, _UNLOCK_MARK) or ""
    total_then = meta_store.get_int(conn, _UNLOCK_TOTAL)
    failed = state.failed
    if not mark:  # the first unlock that keeps a mark (a new store, or one made before marks)
        return failed, "", state.attempts_total
    reset = ""
    if state.mark != mark:
        reset = "replaced"
    elif state.attempts_total - total_then != state.failed:
        reset = "edited"
        failed = max(failed, state.attempts_total - total_then)
    return failed, reset, max(state.attempts_total, total_then + failed)


def unlock_failures_since(path: Path) -> tuple[int, str]:
    st = UnlockState.read(Path(path))
    return st.failed, st.failed_since


def failed_unlocks_message(failed: int, since: str) -> str:
    """What the user is told after unlocking when wrong secrets were tried since the last unlock."""
    when = since.replace("T", " ")[:16] + " UTC" if since else "the last unlock"
    attempts = "1 failed attempt" if failed == 1 else f"{failed} failed attempts"
    return f"{attempts} to unlock this store since {when} (wrong passphrase or recovery key)."


def change_passphrase(
    session: Session,
    *,
    new_passphrase: str,
    kdf: KdfParams | None = None,
    current_passphrase: str | None = None,
) -> None:
    """Rewrap the store's key under ``new_passphrase``. With ``current_passphrase`` (the desktop
    asks for it, as someone may have walked up to an unlocked window) that is checked first."""
    if current_passphrase is not None:
        try:
            session.store.keyfile.unlock_with_passphrase(current_passphrase)
        except WrongPassphrase as exc:
            raise WrongPassphrase("The current passphrase is not right; nothing was changed.") from exc
    session.store.change_passphrase(new_passphrase, kdf)
    with session.change() as w:
        w.record_event("passphrase-changed", "store", session.store.store_id)


def workstation_keyring() -> KeyringSlot:
    """The operating system's keyring (every call gives up after 10 seconds)."""
    return KeyringSlot()


def keyring_policy_allows(session: Session) -> bool:
    with session.view() as conn:
        return meta_store.get(conn, "policy_keyring", "1") == "1"


def remember_on_this_workstation(session: Session, *, keyring: KeyringSlot) -> None:
    if not keyring_policy_allows(session):
        raise KeyringUnavailable("The panel's policy does not allow remembering the store here.")
    ok, reason = keyring.availability()
    if not ok:
        raise KeyringUnavailable(reason)
    secret = generate_keyring_secret()
    keyring.store(session.store.store_id, secret)
    session.store.add_keyring_slot(secret)
    with session.change() as w:
        w.record_event("keyring-enabled", "store", session.store.store_id)


@dataclass(frozen=True)
class Forgotten:
    was_remembered: bool  # the key file held a keyring slot (now removed)
    keyring_cleared: bool  # the keyring's entry is gone (or was never there)
    reason: str = ""  # why the keyring's entry could not be removed


def forget_on_this_workstation(session: Session, *, keyring: KeyringSlot) -> Forgotten:
    """Stop remembering the store here. The key file's keyring slot goes first (that alone stops
    the keyring from opening the store), then the keyring's entry. When the keyring does not answer,
    the slot is still removed and ``keyring_cleared`` is False; when the store was not remembered and
    the keyring does not answer, ``KeyringUnavailable`` (nothing changed)."""
    had_slot = session.store.keyfile.has_keyring_slot
    if had_slot:
        session.store.remove_keyring_slot()
        with session.change() as w:
            w.record_event("keyring-disabled", "store", session.store.store_id)
    try:
        keyring.delete(session.store.store_id)
    except KeyringUnavailable as exc:
        if not had_slot:
            raise
        return Forgotten(True, False, exc.user_message)
    return Forgotten(had_slot, True)


@dataclass(frozen=True)
class KeyringStatus:
    remembered: bool  # the key file beside the store has a keyring slot
    backend: str  # the keyring that answered
    holds_secret: bool  # the keyring holds a secret for this store


def keyring_status(path: Path, *, keyring: KeyringSlot) -> KeyringStatus:
    """Is the store at ``path`` remembered here, and does the keyring answer and hold its secret?
    Needs no passphrase. ``KeyringUnavailable`` (with the reason) when no keyring answers."""
    keyfile = Store.read_keyfile(path)
    ok, reason = keyring.availability()
    if not ok:
        raise KeyringUnavailable(reason)
    secret = keyring.fetch(keyfile.store_id)
    return KeyringStatus(keyfile.has_keyring_slot, reason, secret is not None)


def backup(session: Session, *, out: Path) -> Path:
    with session.change() as w:
        w.record_event("backup", "store", session.store.store_id)
    return session.store.backup(out)


def restore(backup_file: Path, *, target: Path, passphrase: str) -> Session:
    store = Store.restore(backup_file, target, passphrase)
    session = Session(store)
    with session.change() as w:
        w.record_event("restore", "store", store.store_id)
    return session

