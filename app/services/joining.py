"""Joining a panel by invitation (docs/sync.md, "Joining a panel").

- ``invite(session, *, member, out, days=14) -> Invited`` — coordinator only: a signed invitation
  file for a member the panel lists (written through the safe-file helper), recorded on the hub
  (so the card later made from it is linked to that member) and audited.
- ``preview_invitation(data) -> InvitationPreview`` — who an invitation says it is from and for,
  its panel and expiry; never the coordinator's fingerprint (the user must type the one read
  aloud).
- ``join_panel(path, *, invitation, fingerprint, passphrase) -> Created`` — checks the invitation
  (signature against the card inside it, the typed fingerprint, the expiry) and only then creates
  the store *as the invited member*: the member's and agency's ids, the panel's id, name and
  programme, and the coordinator recorded as trusted, in one transaction.
- ``check_invited_card(conn, session, card)`` — the hub's checks when a card made from an
  invitation is enrolled (same panel, an invitation this hub issued for that member, not expired,
  not cancelled, not used by another workstation, the member still listed and active, same
  agency); it then claims the invitation for that card's device (single-use), in the
  enrolment's transaction.
- ``list_invitations(session)`` / ``cancel_invitation(session, id)`` — the hub's invitations
  (outstanding, used, expired, cancelled); an outstanding one can be cancelled (audited), after
  which a card made from it is refused.
- ``resolve_agency(session, text)`` — an agency by id, short name or unambiguous name.

Invariants: a refused join creates nothing (no folder content, no store file, no key file);
invitations hold no case data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config.programmes import load_programme
from app.crypto.identity import IdentityCard
from app.crypto.invitation import Invitation, make_invitation, read_invitation, verify_invitation
from app.crypto.keyfile import KdfParams
from app.models import rules
from app.models.domain import Agency, Member
from app.models.enums import MemberStatus, Role
from app.models.errors import Ambiguous, InvalidInput, NotFound, Refused, StoreExists
from app.models.ids import new_id
from app.services import members as members_svc
from app.services.context import Session
from app.services.setup import Created, create_store
from app.storage import meta as meta_store
from app.storage import repo
from app.storage.files import write_file_atomic
from app.storage.rows import agency_from, member_from
from app.storage.store_files import key_path
from app.storage.sync import store as sync_store
from app.storage.writer import Writer

DEFAULT_DAYS = 14
MAX_DAYS = 90
MAX_INVITATION_FILE = 64 * 1024
_ISSUED = "invitation:"  # meta on the hub: "invitation:<id>" -> {"member_id", "expires"}


# --- naming agencies and members -------------------------------------------------------------------
def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_agency(session: Session, text: str) -> Agency:
    """An agency of the panel by id, short name or unambiguous name (case and spaces ignored)."""
    needle = _norm(text)
    if not needle:
        raise InvalidInput("Name an agency by its id, short name or name.")
    with session.view() as conn:
        agencies = repo.agencies(conn)
    for match in (
        [a for a in agencies if a.id.casefold() == needle],
        [a for a in agencies if _norm(a.short) == needle],
        [a for a in agencies if _norm(a.name) == needle],
    ):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise Ambiguous("More than one agency has that name; name it by its id.")
    raise NotFound("The panel has no agency by that id, short name or name.")


def agency_named(conn: Any, name: str) -> Agency | None:
    """The panel's agency with this name (case and spaces ignored), if any."""
    wanted = _norm(name)
    return next((a for a in repo.agencies(conn) if _norm(a.name) == wanted), None)


def resolve_listed_member(session: Session, text: str) -> Member:
    """A member the panel lists, named as every command names a member (``services.members``)."""
    return members_svc.resolve_member(session, text)


# --- the panel's identity ----------------------------------------------------------------------------
def panel_id(session: Session) -> str:
    """This panel's id; a hub made before panels had ids is given one now (it then travels)."""
    with session.view() as conn:
        value = meta_store.get(conn, "panel_id")
    if value:
        return value
    if not session.workstation.is_hub:
        return ""
    with session.change() as w:
        value = meta_store.get(w.conn, "panel_id") or new_id()
        meta_store.put(w.conn, "panel_id", value)
        w.record_event("settings", "store", session.store.store_id, ["panel-id"])
    return value


# --- inviting ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Invited:
    path: Path
    invitation_id: str
    member_id: str
    member_name: str
    agency_name: str
    role: str
    expires: dt.datetime
    fingerprint: str  # the coordinator's, to read aloud to the invited member


def _now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def invite(
    session: Session, *, member: str, out: Path, days: int = DEFAULT_DAYS,
    now: Callable[[], dt.datetime] = _now,
) -> Invited:
    """Write a signed invitation for a listed, active member (coordinator's store only)."""
    from app.services.exchange import identity_card

    ws = session.workstation
    rules.check_role(session.me, Role.COORDINATOR, doing="invite a member")
    if not ws.is_hub:
        raise Refused("Only the coordinator's store can invite members.")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"An invitation lasts between 1 and {MAX_DAYS} days.")
    m = resolve_listed_member(session, member)
    if m.id == ws.member.id:
        raise InvalidInput("That is the coordinator: invite another member of the panel.")
    if m.status is not MemberStatus.ACTIVE:
        raise Refused("That member was removed from the panel: they cannot be invited.")
    if m.role is Role.COORDINATOR:
        raise Refused("A panel has one coordinator's store; invite an officer or the chair.")
    pid = panel_id(session)
    with session.view() as conn:
        arow = repo.get_row(conn, "agency", m.agency_id)
    if arow is None:
        raise InvalidInput("That member's agency is not on the panel.")
    agency = agency_from(arow)
    issued = now().replace(microsecond=0)
    expires = issued + dt.timedelta(days=days)
    invitation_id = new_id()
    data = make_invitation(
        session.store.device_keys(),
        coordinator_card=identity_card(session),
        fields={
            "invitation_id": invitation_id, "panel_id": pid, "panel_name": ws.panel_name,
            "programme": ws.programme, "member_id": m.id, "member_name": m.name,
            "role": m.role.value, "area": m.area, "agency_id": agency.id,
            "agency_name": agency.name, "agency_short": agency.short,
        },
        issued=issued, expires=expires,
    )
    out = Path(out).expanduser().absolute()
    written = False
    try:
        with session.change() as w:
            meta_store.put(w.conn, _ISSUED + invitation_id,
                           json.dumps({"member_id": m.id, "expires": expires.isoformat()}))
            w.record_event("invite", "member", m.id, [f"invitation:{invitation_id}",
                                                      f"expires:{expires.date().isoformat()}"])
            # written last, inside the transaction: if the file cannot be written nothing is
            # recorded; if the commit fails the file is removed
            write_file_atomic(out, data, mode=0o644)
            written = True
    except BaseException:
        if written:
            out.unlink(missing_ok=True)
        raise
    return Invited(out, invitation_id, m.id, m.name, agency.name, m.role.value, expires,
                   ws.fingerprint)


# --- reading an invitation before joining ----------------------------------------------------------------
@dataclass(frozen=True)
class InvitationPreview:
    """What an invitation says (its signature checked against the card inside it, which is not
    trusted until the fingerprint read aloud matches). Never the fingerprint itself."""

    panel_name: str
    programme: str
    programme_name: str
    member_name: str
    role: str
    agency_name: str
    coordinator_name: str
    coordinator_agency: str
    expires: dt.datetime
    expired: bool


def read_invitation_file(path: Path) -> bytes:
    try:
        with Path(path).expanduser().open("rb") as f:
            data = f.read(MAX_INVITATION_FILE + 1)
    except OSError as exc:
        raise InvalidInput(f"The invitation file could not be read ({exc.strerror or 'error'}).") from exc
    if len(data) > MAX_INVITATION_FILE:
        raise InvalidInput("That file is too large to be a Roundtable invitation.")
    return data


def _programme_name(programme: str) -> str:
    try:
        return load_programme(programme).name
    except Exception as exc:  # an unknown programme id: this version cannot run that panel
        raise Refused(
            "This invitation is for a programme this version of Roundtable does not know: "
            "update Roundtable, then join."
        ) from exc


def preview_invitation(data: bytes, *, now: Callable[[], dt.datetime] = _now) -> InvitationPreview:
    inv = read_invitation(data)
    return InvitationPreview(
        inv.panel_name, inv.programme, _programme_name(inv.programme), inv.member_name, inv.role,
        inv.agency_name, inv.coordinator.name, inv.coordinator.agency_name, inv.expires,
        inv.expired(now()),
    )


def check_invitation(
    data: bytes, fingerprint: str, *, now: Callable[[], dt.datetime] = _now
) -> Invitation:
    """Every check of a join, in order; raises with one clear sentence, creates nothing."""
    inv = verify_invitation(data, fingerprint)
    if inv.expired(now()):
        raise Refused(
            f"This invitation expired on {inv.expires.date().isoformat()}: ask the coordinator "
            "for a new one."
        )
    try:
        role = Role(inv.role)
    except ValueError as exc:
        raise Refused("The invitation names an unknown role.") from exc
    if role is Role.COORDINATOR:
        raise Refused("An invitation is for an officer or the chair, not a coordinator.")
    _programme_name(inv.programme)
    return inv


def join_panel(
    path: Path,
    *,
    invitation: bytes,
    fingerprint: str,
    passphrase: str,
    kdf: KdfParams | None = None,
    today_fn: Callable[[], dt.date] = dt.date.today,
    now: Callable[[], dt.datetime] = _now,
) -> Created:
    """Create this workstation's store as the invited member, after every check has passed."""
    inv = check_invitation(invitation, fingerprint, now=now)
    target = Path(path).expanduser().absolute()
    if target.exists() or key_path(target).exists():
        raise StoreExists(f"A store already exists at {target}.")
    coordinator = inv.coordinator

    def joined(w: Writer) -> None:
        for k, v in {"invitation_id": inv.invitation_id, "joined_from": coordinator.device_id}.items():
            meta_store.put(w.conn, k, v)
        sync_store.save_trust(w.conn, sync_store.Trusted(
            device_id=coordinator.device_id, member_id=coordinator.device_id,
            agency_id=coordinator.agency_id, name=coordinator.name,
            agency_name=coordinator.agency_name, role=coordinator.role,
            sign_pub=coordinator.identity.sign_pub, enc_pub=coordinator.identity.enc_pub,
            fingerprint=coordinator.fingerprint, enrolled_at=sync_store.now_iso(),
        ))
        w.record_event("join", "member", inv.member_id,
                       [f"invitation:{inv.invitation_id}", f"coordinator:{coordinator.fingerprint}"])

    return create_store(
        target, passphrase=passphrase, name=inv.member_name, agency=inv.agency_name,
        role=Role(inv.role), panel=inv.panel_name, programme=inv.programme, kdf=kdf,
        agency_id=inv.agency_id, today_fn=today_fn, member_id=inv.member_id,
        panel_id=inv.panel_id, agency_short=inv.agency_short, area=inv.area, joined=joined,
    )


# --- at the hub: a card made from an invitation --------------------------------------------------------
def check_invited_card(conn: Any, session: Session, card: IdentityCard) -> Member:
    """The listed member a card made from an invitation is a device of; ``Refused`` otherwise."""
    mine = meta_store.get(conn, "panel_id") or ""
    if card.panel_id != mine:
        raise Refused("This identity card was made from an invitation of another panel.")
    raw = meta_store.get(conn, _ISSUED + card.invitation_id)
    issued = json.loads(raw) if raw else None
    if not issued or issued.get("member_id") != card.member_id:
        raise Refused("This identity card names an invitation this panel did not issue.")
    used_by = issued.get("used_by")
    if used_by and used_by != card.device_id:
        raise Refused(
            "The invitation this card was made from has already been used by another "
            "workstation: an invitation enrols one workstation. Issue the member a new invitation "
            "if they need another."
        )
    if issued.get("cancelled"):
        raise Refused(
            "The invitation this card was made from was cancelled: issue the member a new "
            "invitation, and set their workstation up again with it."
        )
    expires = dt.datetime.fromisoformat(issued["expires"])
    if not used_by and _now() >= expires:
        raise Refused(
            f"The invitation this card was made from expired on {expires.date().isoformat()}: "
            "issue the member a new invitation, and set their workstation up again with it."
        )
    row = repo.get_row(conn, "member", card.member_id)
    if row is None:
        raise Refused("The invited member is no longer on the panel: the card is not enrolled.")
    member = member_from(row)
    if member.status is not MemberStatus.ACTIVE:
        raise Refused("The invited member was removed from the panel: the card is not enrolled.")
    if member.agency_id != card.agency_id or member.role.value != card.role:
        raise Refused(
            "The card's agency or role is not the invited member's: invite the member again."
        )
    if not used_by:  # claimed in the enrolment's transaction: refused or rolled back, not claimed
        meta_store.put(conn, _ISSUED + card.invitation_id, json.dumps(
            {**issued, "used_by": card.device_id, "used_at": _now().isoformat(timespec="seconds")}))
    return member


# --- the hub's invitations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation this hub issued. ``state``: outstanding | used | expired | cancelled."""

    invitation_id: str
    member_id: str
    member_name: str
    expires: dt.datetime
    state: str
    used_by: str  # the device enrolled from it ("" if none)


def _issued(conn: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, raw in meta_store.with_prefix(conn, _ISSUED).items():
        try:
            doc = json.loads(raw)
            dt.datetime.fromisoformat(doc["expires"])
        except (ValueError, KeyError, TypeError):
            continue
        out[key[len(_ISSUED):]] = doc
    return out


def _state(doc: dict[str, Any], now: dt.datetime) -> str:
    if doc.get("used_by"):
        return "used"
    if doc.get("cancelled"):
        return "cancelled"
    return "expired" if now >= dt.datetime.fromisoformat(doc["expires"]) else "outstanding"


def list_invitations(session: Session) -> list[IssuedInvitation]:
    """The invitations this hub issued, newest expiry first (coordinator's store only)."""
    if not session.workstation.is_hub:
        raise Refused("Only the coordinator's store issues invitations.")
    now = _now()
    with session.view() as conn:
        issued = _issued(conn)
        names = {m.id: m.name for m in repo.members(conn)}
    rows = [
        IssuedInvitation(iid, str(doc.get("member_id", "")), names.get(doc.get("member_id", ""), ""),
                         dt.datetime.fromisoformat(doc["expires"]), _state(doc, now),
                         str(doc.get("used_by", "")))
        for iid, doc in issued.items()
    ]
    return sorted(rows, key=lambda r: (r.expires, r.invitation_id), reverse=True)


def cancel_invitation(session: Session, invitation: str) -> IssuedInvitation:
    """Cancel an outstanding invitation (by id or an unambiguous 8+ character prefix): a card
    made from it is refused at enrolment. A used invitation is not cancelled (revoke the member's
    access instead); cancelling twice is refused. Audited."""
    rules.check_role(session.me, Role.COORDINATOR, doing="cancel an invitation")
    needle = "".join(invitation.split()).casefold()
    if len(needle) < 8:
        raise InvalidInput("Name an invitation by its id (at least 8 characters).")
    found = [r for r in list_invitations(session) if r.invitation_id.casefold().startswith(needle)]
    if not found:
        raise NotFound("This panel issued no invitation with that id.")
    if len(found) > 1:
        raise Ambiguous("That matches more than one invitation; give more of the id.")
    inv = found[0]
    if inv.state == "used":
        raise Refused("That invitation was already used to enrol a workstation: revoke the "
                      "member's access on the Panel screen instead.")
    if inv.state == "cancelled":
        raise Refused("That invitation is already cancelled.")
    with session.change() as w:
        doc = _issued(w.conn)[inv.invitation_id]
        meta_store.put(w.conn, _ISSUED + inv.invitation_id,
                       json.dumps({**doc, "cancelled": _now().isoformat(timespec="seconds")}))
        w.record_event("invitation-cancel", "member", inv.member_id,
                       [f"invitation:{inv.invitation_id}"])
    return IssuedInvitation(inv.invitation_id, inv.member_id, inv.member_name, inv.expires,
                            "cancelled", "")


def joined_fields(conn: Any) -> dict[str, str] | None:
    """For this store's identity card: which member, panel and invitation it joined by."""
    invitation_id = meta_store.get(conn, "invitation_id")
    if not invitation_id:
        return None
    return {
        "member_id": meta_store.get(conn, "member_id") or "",
        "panel_id": meta_store.get(conn, "panel_id") or "",
        "invitation_id": invitation_id,
    }


__all__ = [
    "DEFAULT_DAYS",
    "InvitationPreview",
    "Invited",
    "IssuedInvitation",
    "agency_named",
    "cancel_invitation",
    "check_invitation",
    "check_invited_card",
    "invite",
    "join_panel",
    "joined_fields",
    "list_invitations",
    "panel_id",
    "preview_invitation",
    "read_invitation_file",
    "resolve_agency",
    "resolve_listed_member",
]
