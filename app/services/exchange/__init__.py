"""Exchange between workstations: identity cards, enrolment, export and import of bundles.

This is the API the Exchange screen and the command line use (keep it stable):

- ``identity_card(session) -> bytes`` — this workstation's signed identity card.
- ``enrol(session, *, card, fingerprint) -> Enrolled`` — trust a card after the fingerprint read
  out of band matches. On the coordinator's store this creates the agency (the card's id, if new),
  the member (id = the card's device id) and the device through change capture, so they travel;
  on a member's store it records the coordinator as the one workstation it accepts files from.
- ``resolve_member(session, text) -> PeerRef`` — a member by id, fingerprint or 8+ char prefix.
- ``export_bundle(session, *, to_member, out) -> ExportReport`` — a signed, encrypted bundle
  holding everything the member has not acknowledged and may see; audited as a disclosure.
- ``import_bundle(session, *, path) -> ImportReport`` — verifies in the order of sync.md and
  applies in one transaction, or rejects (``outcome == "rejected"``, ``reason``) with the store
  unchanged. Never raises for a bad file; raises ``AppError`` only for a store problem.
- ``exchange_status(session) -> list[PeerStatus]`` — per member: last file sent and received,
  gaps ("file 7 not received"), silence in days.
- ``list_conflicts`` / ``resolve_conflict`` — in ``app.services.exchange.conflicts``, re-exported.
- ``watched_folder(session)`` / ``remember_watched_folder(session, folder)`` — the folder this
  workstation watches for exchange files, kept in the encrypted store (never in ``QSettings``);
  changing it is audited.

Invariants: every export and every applied import is audited in the same transaction; rejected,
duplicate and kept-aside files leave the store byte-for-byte unchanged (they are reported, and
logged without content); a bundle file is written only through the safe-file helper and only
once its transaction is ready to commit.
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.crypto.identity import IdentityCard, PublicIdentity, make_identity_card, read_identity_card
from app.models.enums import MemberStatus, Role
from app.models.errors import InvalidInput, PermissionDenied, Refused
from app.models.ids import new_id
from app.services import joining, membership
from app.services.context import Session
from app.services.exchange.conflicts import ConflictView, list_conflicts, resolve_conflict
from app.services.exchange.exporting import do_export
from app.services.exchange.importing import do_import
from app.services.exchange.peers import stream_name
from app.services.exchange.report import ImportReport
from app.services.members import MemberKeys, one_member
from app.storage import meta as meta_store
from app.storage import repo
from app.storage.files import write_file_atomic
from app.storage.sync import store as sync_store
from app.storage.writer import Writer, utc_now_iso

__all__ = [
    "ConflictView",
    "Enrolled",
    "ExportReport",
    "ImportReport",
    "PeerRef",
    "PeerStatus",
    "enrol",
    "exchange_status",
    "export_bundle",
    "identity_card",
    "import_bundle",
    "list_conflicts",
    "resolve_conflict",
    "resolve_member",
    "write_identity_card",
]

log = logging.getLogger(__name__)
SILENCE_DAYS = 7


# --- identity and enrolment -------------------------------------------------------------------------
def identity_card(session: Session) -> bytes:
    """This workstation's card; a store set up from an invitation names its member, panel and
    invitation in it, so the coordinator's store links the card to the invited member."""
    ws = session.workstation
    with session.view() as conn:
        joined = joining.joined_fields(conn)
    return make_identity_card(
        session.store.device_keys(),
        device_id=ws.device_id,
        name=ws.member.name,
        agency_id=ws.agency.id,
        agency_name=ws.agency.name,
        role=ws.member.role.value,
        created=utc_now_iso(),
        joined=joined,
        # a coordinator's card names its panel and programme, for enrolment as a partner panel
        panel={"panel_name": ws.panel_name, "programme": ws.programme}
        if ws.is_hub and ws.panel_name else None,
    )


def write_identity_card(session: Session, *, out: Path) -> Path:
    return write_file_atomic(out, identity_card(session), mode=0o644)


@dataclass(frozen=True)
class CardPreview:
    """Who an identity card says it is (its self-signature checked), for display before enrolling."""

    name: str
    agency_name: str
    role: str
    from_invitation: bool = False


def preview_card(card: bytes) -> CardPreview:
    """Read a card without trusting it; ``InvalidInput`` for a malformed or forged card."""
    parsed = read_identity_card(card)
    return CardPreview(parsed.name, parsed.agency_name, parsed.role, parsed.from_invitation)


class AgencyChoiceNeeded(Refused):
    """A card's agency is not on the panel but its name is: say which agency it belongs to."""


@dataclass(frozen=True)
class AgencyChoice:
    """For the enrol dialog: whether the hub must ask which agency a card belongs to."""

    needed: bool  # the card's agency id is not on the panel and the card is not from an invitation
    agencies: tuple[tuple[str, str], ...]  # (id, name) of the panel's agencies
    suggested: str | None  # the agency with the card's agency name, if the panel has one
    new_allowed: bool  # the card's agency name is new to the panel (enrolling may create it)


def agency_choice(session: Session, card: bytes) -> AgencyChoice:
    c = read_identity_card(card)
    with session.view() as conn:
        agencies = tuple((a.id, a.name) for a in repo.agencies(conn))
        known = repo.get_row(conn, "agency", c.agency_id) is not None
        same = joining.agency_named(conn, c.agency_name)
    needed = session.workstation.is_hub and not c.from_invitation and not known
    return AgencyChoice(needed, agencies, same.id if same else None, same is None)


@dataclass(frozen=True)
class Enrolled:
    member_id: str
    device_id: str
    name: str
    agency_id: str
    agency_name: str
    role: str
    fingerprint: str
    created_agency: bool


def enrol(session: Session, *, card: bytes, fingerprint: str, agency: str | None = None) -> Enrolled:
    """Trust a workstation's card, only if ``fingerprint`` (read out of band) is its own.

    On the hub a card made from an invitation becomes a device of the invited member (no new
    member, no new agency). Another card whose agency the panel does not hold joins ``agency``
    (an existing agency by id, short name or name) when given; without it, a new agency is made
    from the card only if the panel has no agency of that name (``AgencyChoiceNeeded``)."""
    c = read_identity_card(card)
    if not c.identity.fingerprint_matches(fingerprint):
        raise Refused(
            "The fingerprint does not match this identity card: do not trust it. Compare the "
            "fingerprint again with its owner, by phone or in person."
        )
    ws = session.workstation
    if c.device_id == ws.device_id:
        raise InvalidInput("That is this workstation's own identity card.")
    try:
        role = Role(c.role)
    except ValueError as exc:
        raise InvalidInput("The identity card names an unknown role.") from exc
    chosen = joining.resolve_agency(session, agency) if agency and ws.is_hub else None
    created_agency = False
    member_id, agency_id, agency_name = c.device_id, c.agency_id, c.agency_name
    with session.change() as w:
        if ws.is_hub:
            if role is Role.COORDINATOR:
                raise Refused("A coordinator enrols members; another coordinator's card is refused.")
            existing = repo.get_row(w.conn, "device", c.device_id)
            if existing is not None and existing.fingerprint != c.fingerprint:
                raise Refused("That workstation is enrolled with different keys: revoke it first.")
            if c.from_invitation:
                # a device of the invited member: no new member, no new agency
                invited = joining.check_invited_card(w.conn, session, c)
                member_id, agency_id = invited.id, invited.agency_id
            elif repo.get_row(w.conn, "agency", c.agency_id) is None or chosen is not None:
                agency_id, agency_name, created_agency = _card_agency(w, c, chosen)
            if not c.from_invitation and repo.get_row(w.conn, "member", c.device_id) is None:
                w.create(
                    "member",
                    {"name": c.name, "agency_id": agency_id, "role": role.value, "email": "",
                     "status": MemberStatus.ACTIVE.value, "area": ""},
                    record_id=c.device_id,
                )
            if existing is None:
                w.create(
                    "device",
                    {"member_id": member_id,
                     "sign_pub": base64.b64encode(c.identity.sign_pub).decode(),
                     "enc_pub": base64.b64encode(c.identity.enc_pub).decode(),
                     "fingerprint": c.fingerprint, "status": MemberStatus.ACTIVE.value},
                    record_id=c.device_id,
                )
        else:
            if role is not Role.COORDINATOR:
                raise Refused("A member's workstation enrols only its panel coordinator.")
            if sync_store.trusted(w.conn):
                raise Refused("This workstation already trusts a coordinator.")
        sync_store.save_trust(
            w.conn,
            sync_store.Trusted(
                device_id=c.device_id, member_id=member_id, agency_id=agency_id, name=c.name,
                agency_name=agency_name, role=role.value, sign_pub=c.identity.sign_pub,
                enc_pub=c.identity.enc_pub, fingerprint=c.fingerprint,
                enrolled_at=sync_store.now_iso(),
            ),
        )
        w.record_event("enrol", "device", c.device_id, [f"fingerprint:{c.fingerprint}"])
    return Enrolled(member_id, c.device_id, c.name, agency_id, agency_name, role.value,
                    c.fingerprint, created_agency)


def _card_agency(w: Writer, c: IdentityCard, chosen: Any) -> tuple[str, str, bool]:
    """The hub's agency for a card whose agency it does not hold: the one chosen, or a new one
    from the card if the panel has no agency of that name. (agency id, name, created)."""
    if chosen is not None:
        return chosen.id, chosen.name, False
    same = joining.agency_named(w.conn, c.agency_name)
    if same is not None:
        raise AgencyChoiceNeeded(
            f"The panel already has an agency called “{same.name}”: say which of "
            "the panel's agencies this workstation belongs to."
        )
    w.create(
        "agency",
        {"name": c.agency_name, "short": c.agency_name[:12], "sector": "other",
         "is_police": "police" in c.agency_name.casefold()},
        record_id=c.agency_id,
    )
    return c.agency_id, c.agency_name, True

# --- naming members --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeerRef:
    """A workstation this one exchanges files with."""

    member_id: str
    device_id: str
    name: str
    agency_id: str
    agency_name: str
    role: str
    fingerprint: str
    status: str
    identity: PublicIdentity


def peers(session: Session) -> list[PeerRef]:
    """Who this store may exchange with: every enrolled device (hub), or the coordinator."""
    ws = session.workstation
    out: list[PeerRef] = []
    with session.view() as conn:
        if ws.is_hub:
            agencies = {a.id: a.name for a in repo.agencies(conn)}
            members = {m.id: m for m in repo.members(conn)}
            for d in repo.devices(conn):
                m = members.get(d.member_id)
                if d.id == ws.device_id or m is None or len(d.sign_pub) != 32:
                    continue
                out.append(PeerRef(m.id, d.id, m.name, m.agency_id, agencies.get(m.agency_id, ""),
                                   m.role.value, d.fingerprint, d.status.value,
                                   PublicIdentity(d.sign_pub, d.enc_pub)))
        else:
            for t in sync_store.trusted(conn):
                out.append(PeerRef(t.member_id, t.device_id, t.name, t.agency_id, t.agency_name,
                                   t.role, t.fingerprint, "active",
                                   PublicIdentity(t.sign_pub, t.enc_pub)))
    return out


def resolve_member(session: Session, text: str) -> PeerRef:
    """A peer named as every command names a member (``services.members``): member or device id,
    fingerprint or name, or an unambiguous 8+ character prefix of an id."""
    entries = [(MemberKeys(p.member_id, p.device_id, p.fingerprint, p.name), p) for p in peers(session)]
    return one_member(text, entries, among="enrolled on this workstation")


# --- export and import ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportReport:
    path: Path
    to_member: str
    to_name: str
    bundle_id: str
    sequence: int
    operations: int
    cases: int
    evicted: int
    size: int
    held_back: int  # local changes this workstation may not send (refused by the rules)


def export_bundle(
    session: Session, *, to_member: str, out: Path, step: Callable[[int, int], None] | None = None
) -> ExportReport:
    """Write the member's file. ``step(done, total)`` is told as the operations are written and
    may raise to cancel: no file is left and the store is as it was."""
    membership.refuse_if_revoked(session)
    peer = resolve_member(session, to_member)
    if peer.status != MemberStatus.ACTIVE.value:
        raise Refused("That member's workstation is revoked: nothing is sent to it.")
    if not session.workstation.is_hub and peer.role != Role.COORDINATOR.value:
        raise PermissionDenied("Files go to the panel coordinator only.")
    out = Path(out).expanduser().absolute()
    # The file's sequence number is reserved and committed first: an export killed after its file
    # is in place but before its transaction commits never lets the next export reuse the number
    # with other content (the member would rightly reject that file, and the panel be stuck).
    with session.change() as w:
        stream = stream_name(session.workstation.device_id, peer.device_id, w.epoch)
        seq, previous = sync_store.reserve_sequence(w.conn, peer.device_id, stream)
    result = None
    try:
        with session.change() as w:
            # the file is streamed to a temporary file beside ``out`` (safe-file writer) last,
            # inside the transaction; it is put in place only once the transaction has committed
            result = do_export(session, w, peer_device=peer.device_id, peer_agency=peer.agency_id,
                               peer_identity=peer.identity, out=out, step=step, sequence=seq)
    except BaseException:
        if result is not None and result.staged is not None:  # the commit failed: no file
            result.staged.discard()
        # no file: the number is given back, so a cancelled export changes nothing
        with contextlib.suppress(Exception), session.change() as w:
            sync_store.release_sequence(w.conn, peer.device_id, seq, previous)
        raise
    # committed, audit entry and all: only now does the file appear under its name
    if result.staged is not None:
        result.staged.publish()
    return ExportReport(out, peer.member_id, peer.name, result.bundle_id, result.sequence,
                        result.operations, result.cases, result.evicted, result.size,
                        result.held_back)


def import_bundle(session: Session, *, path: Path) -> ImportReport:
    report = do_import(session, Path(path), sender_names={p.device_id: p.name for p in peers(session)})
    return membership.after_import(session, report)


# --- status -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeerStatus:
    member_id: str
    device_id: str
    name: str
    agency_name: str
    role: str
    fingerprint: str
    status: str
    last_sent_at: str | None
    last_sent_seq: int
    last_received_at: str | None
    last_received_seq: int
    missing: tuple[int, ...]  # sequence numbers of files from this member never received
    silent_days: int | None  # days since the last file from this member (None: never)
    silent: bool  # no file for more than SILENCE_DAYS


def exchange_status(session: Session) -> list[PeerStatus]:
    import datetime as dt

    out = []
    today = dt.datetime.now(tz=dt.UTC)
    for p in peers(session):
        with session.view() as conn:
            stream = sync_store.stream_state(conn, p.device_id)
            peer = sync_store.peer_state(conn, p.device_id)
            entries = sync_store.ledger_for(conn, p.device_id)
        latest_stream = max(entries, key=lambda e: (e.received_at, e.sequence)).stream if entries else None
        seqs = sorted(e.sequence for e in entries if e.stream == latest_stream)
        missing = tuple(n for n in range(1, seqs[-1]) if n not in set(seqs))[-20:] if seqs else ()
        received_at = peer.last_received_at if peer else None
        days = None
        if received_at:
            days = (today - dt.datetime.fromisoformat(received_at)).days
        out.append(PeerStatus(
            p.member_id, p.device_id, p.name, p.agency_name, p.role, p.fingerprint, p.status,
            stream.last_sent_at if stream else None, int(stream.last_seq) if stream else 0,
            received_at, seqs[-1] if seqs else 0, missing, days,
            days is not None and days > SILENCE_DAYS,
        ))
    return out


def new_bundle_id() -> str:
    return new_id()


# --- the watched folder --------------------------------------------------------------------------------
WATCHED_FOLDER_KEY = "exchange:watched-folder"


def watched_folder(session: Session) -> Path | None:
    """The folder this workstation watches for exchange files, if one was chosen."""
    with session.view() as conn:
        raw = meta_store.get(conn, WATCHED_FOLDER_KEY)
    return Path(raw) if raw else None


def remember_watched_folder(session: Session, folder: Path | None) -> None:
    """Remember (or, with ``None``, forget) the watched folder; audited as a settings change.

    The path lives in the encrypted store, local to this workstation: it never travels in an
    exchange file and never reaches the operating system's settings."""
    if folder is not None:
        if not folder.is_absolute():
            raise InvalidInput("Choose the watched folder by its full path.")
        if "\x00" in str(folder) or len(str(folder)) > 4096:
            raise InvalidInput("That folder path cannot be used.")
    value = str(folder) if folder is not None else ""
    with session.change() as w:
        if (meta_store.get(w.conn, WATCHED_FOLDER_KEY) or "") == value:
            return
        meta_store.put(w.conn, WATCHED_FOLDER_KEY, value)
        w.record_event("settings", "store", session.store.store_id,
                       ["watched-folder" if folder is not None else "watched-folder-cleared"])
