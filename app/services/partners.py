"""Partner panels and regions: the coordinator enrols another panel's coordinator card (or a
region's) after comparing its fingerprint out of band, exactly as it enrols a member's card
(docs/sync.md, "Partner panels").

- ``enrol_partner(session, card, fingerprint, *, kind="panel") -> Partner`` — coordinator's store
  only; refuses a fingerprint that does not match, this workstation's own card, a card already
  enrolled (as a partner or as a member of this panel), a member's card, a panel card that does not
  name its panel or that runs another programme. Audited in the same transaction.
- ``list_partners(session) -> list[Partner]``.
- ``resolve_partner(session, text) -> Partner`` — by id (or an 8+ character prefix) or name (case
  and spaces ignored); ``InvalidInput`` when nothing or more than one matches.

Invariants: a refused enrolment changes nothing; partners are kept in the coordinator's store only.
"""

from __future__ import annotations

from app.config.programmes import load_programme
from app.crypto.identity import read_identity_card
from app.models import rules
from app.models.enums import Role
from app.models.errors import InvalidInput, Refused, StoreReadOnly
from app.models.ids import new_id
from app.models.partners import PARTNER_KINDS, Partner
from app.services.context import Session
from app.storage import partners as partner_store
from app.storage import repo
from app.storage.sync import store as sync_store

MIN_PREFIX = 8
_REGION_ROLES = ("coordinator", "region")


def programme_name(programme_id: str) -> str:
    """A programme's name as people know it (its id when this build does not know it)."""
    try:
        return load_programme(programme_id).name
    except InvalidInput:
        return programme_id


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def enrol_partner(session: Session, card: bytes, fingerprint: str, *, kind: str = "panel") -> Partner:
    """Trust another panel's (or a region's) coordinator card as a partner, only if
    ``fingerprint`` (read aloud by its owner) is its own."""
    if kind not in PARTNER_KINDS:
        raise InvalidInput("A partner is a panel or a region.")
    ws = session.workstation
    # a region's coordinator enrols the panels whose returns it takes (regional returns)
    rules.check_role(session.me, Role.COORDINATOR, Role.REGION, doing="enrol a partner panel")
    if not ws.is_hub:
        raise Refused("Only the coordinator's store can enrol partner panels.")
    if session.read_only:
        raise StoreReadOnly()
    c = read_identity_card(card)
    if not c.identity.fingerprint_matches(fingerprint):
        raise Refused(
            "The fingerprint does not match this identity card: do not trust it. Compare the "
            "fingerprint again with its owner, by phone or in person."
        )
    if c.device_id == ws.device_id or c.fingerprint == ws.fingerprint:
        raise InvalidInput("That is this workstation's own identity card.")
    if kind == "panel":
        if c.role != Role.COORDINATOR.value:
            raise Refused("A partner panel is enrolled from its coordinator's card; this card is "
                          f"a {c.role}'s.")
        if not c.panel_name or not c.programme:
            raise Refused("This card does not name its panel and programme: ask the other "
                          "panel's coordinator for a card written by this version of Roundtable "
                          "(“identity --out”).")
        if c.programme != ws.programme:
            raise Refused(
                f"{c.panel_name} runs the {programme_name(c.programme)} programme and this "
                f"panel runs {programme_name(ws.programme)}: a partner panel must run the same "
                "programme."
            )
    elif c.role not in _REGION_ROLES:
        raise Refused(f"A region is enrolled from its coordinator's card; this card is a {c.role}'s.")
    name = c.panel_name or c.agency_name
    partner = Partner(
        id=new_id(), kind=kind, name=name, programme=c.programme, fingerprint=c.fingerprint,
        enrolled_at=sync_store.now_iso(), coordinator=c.name, agency_name=c.agency_name,
        device_id=c.device_id, enrolled_by=session.me.id, sign_pub=c.identity.sign_pub,
        enc_pub=c.identity.enc_pub,
    )
    with session.change() as w:
        if repo.get_row(w.conn, "device", c.device_id) is not None:
            raise Refused("That card is a workstation of this panel, not another panel's.")
        existing = partner_store.by_device(w.conn, c.device_id)
        if existing is not None:
            raise Refused(f"That card is already enrolled as the partner {existing.name}.")
        if any(p.fingerprint == c.fingerprint for p in partner_store.all_partners(w.conn)):
            raise Refused("A partner with that fingerprint is already enrolled.")
        partner_store.add(w.conn, partner)
        w.record_event("enrol-partner", "partner", partner.id,
                       [f"kind:{kind}", f"fingerprint:{c.fingerprint}"])
    return partner


def list_partners(session: Session) -> list[Partner]:
    with session.view() as conn:
        return partner_store.all_partners(conn)


def one_partner(partners: list[Partner], text: str) -> Partner:
    """The partner ``text`` names among ``partners`` (pure; see ``resolve_partner``)."""
    wanted = "".join(text.split()).casefold()
    if not wanted:
        raise InvalidInput("Name a partner by its name or id.")
    for found in (
        [p for p in partners if p.id.casefold() == wanted],
        [p for p in partners if _words(p.name) == _words(text)],
        [p for p in partners if len(wanted) >= MIN_PREFIX and p.id.casefold().startswith(wanted)],
    ):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InvalidInput("That matches more than one partner; name it by its id.")
    raise InvalidInput("There is no such partner (see “partners” for their names and ids).")


def resolve_partner(session: Session, text: str) -> Partner:
    """A partner by id (or an 8+ character prefix) or name; ``InvalidInput`` when none or several."""
    return one_partner(list_partners(session), text)


__all__ = ["enrol_partner", "list_partners", "one_partner", "resolve_partner"]
