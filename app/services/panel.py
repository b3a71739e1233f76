"""The panel: agencies, members and their roles, panel settings, status and audit checks."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import rules
from app.models.domain import Agency, AuditEntry, Device, Member
from app.models.enums import Marking, MemberStatus, Role
from app.models.errors import Ambiguous, InvalidInput, NotFound, PermissionDenied
from app.models.fieldrules import MAX_NAME, check_text, field_limit
from app.models.ids import AgencyId, MemberId
from app.services.context import Session
from app.storage import audit as audit_store
from app.storage import meta as meta_store
from app.storage import repo
from app.storage.db import Connection

AGENCY_SECTORS = (
    "police",
    "ct-police",
    "probation",
    "health",
    "childrens",
    "adults",
    "education",
    "housing",
    "local-authority",
    "other",
)


def list_agencies(session: Session) -> list[Agency]:
    with session.view() as conn:
        return repo.agencies(conn)


def list_members(session: Session) -> list[Member]:
    with session.view() as conn:
        return repo.members(conn)


def list_devices(session: Session) -> list[Device]:
    with session.view() as conn:
        return repo.devices(conn)


SECTOR_LABELS = {
    "police": "Police",
    "ct-police": "Counter-terrorism police",
    "probation": "Probation",
    "health": "Health",
    "childrens": "Children's services",
    "adults": "Adult services",
    "education": "Education",
    "housing": "Housing",
    "local-authority": "Local authority",
    "other": "Other",
}


def sector_label(sector: str) -> str:
    """The words for an agency's kind (``local-authority`` -> "Local authority")."""
    return SECTOR_LABELS.get(sector, sector.replace("-", " ").capitalize())


def require_coordinator(session: Session, *, doing: str) -> None:
    """Refuse (``PermissionDenied``, exit 1) unless this is the coordinator's hub workstation."""
    if not (session.workstation.is_hub and session.me.role is Role.COORDINATOR):
        raise PermissionDenied(
            f"Only the panel coordinator, at the hub workstation, may {doing}; "
            f"this workstation is a{'n' if session.me.role is Role.OFFICER else ''} "
            f"{session.me.role.value}'s."
        )


def _fold(text: str) -> str:
    """A name as compared: case, accents kept, runs of spaces folded (" North  Police" ~ "north police")."""
    return " ".join((text or "").split()).casefold()


def resolve_agency(session: Session, text: str) -> Agency:
    """The agency named by ``text``: its id, its short name, or its name (whole, or an unambiguous
    beginning), compared case- and space-insensitively. One sentence when none or several match."""
    want = _fold(text)
    if not want:
        raise InvalidInput("Name the agency (its id, short name or name).")
    agencies = list_agencies(session)
    for rule in (
        lambda a: a.id == text.strip(),
        lambda a: _fold(a.short) == want,
        lambda a: _fold(a.name) == want,
        lambda a: _fold(a.name).startswith(want),
    ):
        found = [a for a in agencies if rule(a)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(sorted(a.name for a in found))
            raise Ambiguous(
                f"“{text.strip()}” matches more than one agency ({names}); give its short name or id."
            )
    raise NotFound(f"There is no agency “{text.strip()}” on the panel.")


def _name(text: str, what: str, entity: str) -> str:
    """A required name by its field's rule, runs of white space made one space."""
    return " ".join(check_text(text, what, required=True, limit=field_limit(entity, "name")).split())


def _check_unique_agency(conn: Connection, *, name: str, short: str, except_id: str | None = None) -> None:
    for a in repo.agencies(conn):
        if a.id == except_id:
            continue
        if _fold(a.name) == _fold(name):
            raise InvalidInput(f"The panel already has an agency called “{a.name}”.")
        if short and _fold(a.short) == _fold(short):
            raise InvalidInput(
                f"The short name “{short}” is already used by {a.name}; choose another."
            )


def add_agency(
    session: Session,
    *,
    name: str,
    short: str = "",
    sector: str | None = None,
    area: str = "",
) -> AgencyId:
    """A new agency on the panel. A name (or short name) the panel already has is refused,
    compared case- and space-insensitively. Without ``short``/``sector`` they are made from the name."""
    if not session.workstation.is_hub:
        rules.check_role(session.me, Role.COORDINATOR, doing="add an agency")
    from app.services.setup import guess_sector, short_name

    name = _name(name, "The agency name", "agency")
    short = check_text(short, "The short name", limit=field_limit("agency", "short")) or short_name(name)
    sector = sector or guess_sector(name)[0]
    if sector not in AGENCY_SECTORS:
        raise InvalidInput("That is not a known kind of agency.")
    with session.change() as w:
        _check_unique_agency(w.conn, name=name, short=short)
        return AgencyId(
            w.create(
                "agency",
                {
                    "name": name,
                    "short": check_text(short, "The short name", required=True, limit=field_limit("agency", "short")),
                    "sector": sector,
                    "is_police": sector in ("police", "ct-police"),
                    "area": check_text(area, "The area", limit=field_limit("agency", "area")),
                },
            )
        )


def update_agency(
    session: Session,
    *,
    agency_id: AgencyId,
    name: str | None = None,
    short: str | None = None,
    area: str | None = None,
    sector: str | None = None,
) -> list[str]:
    """Rename an agency, or change its short name, area or kind, at the hub (one transaction,
    audited, captured as operations so every member store learns it). Returns the fields changed."""
    require_coordinator(session, doing="change an agency")
    with session.change() as w:
        row = repo.get_row(w.conn, "agency", agency_id)
        if row is None:
            raise NotFound("That agency is not on the panel.")
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = _name(name, "The agency name", "agency")
        if short is not None:
            changes["short"] = check_text(short, "The short name", required=True, limit=field_limit("agency", "short"))
        if area is not None:
            changes["area"] = check_text(area, "The area", limit=field_limit("agency", "area"))
        if sector is not None:
            if sector not in AGENCY_SECTORS:
                raise InvalidInput("That is not a known kind of agency.")
            changes["sector"] = sector
            changes["is_police"] = sector in ("police", "ct-police")
        _check_unique_agency(
            w.conn,
            name=str(changes.get("name", row.name)),
            short=str(changes.get("short", row.short)),
            except_id=agency_id,
        )
        return w.update("agency", agency_id, changes)


def update_member(
    session: Session,
    *,
    member_id: MemberId,
    name: str | None = None,
    area: str | None = None,
) -> list[str]:
    """Rename a member or change their policing area, at the hub (audited, travels)."""
    require_coordinator(session, doing="change a member's details")
    with session.change() as w:
        if repo.get_row(w.conn, "member", member_id) is None:
            raise NotFound("There is no such member.")
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = _name(name, "The member's name", "member")
        if area is not None:
            changes["area"] = check_text(area, "The area", limit=field_limit("member", "area"))
        return w.update("member", member_id, changes)


def add_member(
    session: Session, *, name: str, agency_id: AgencyId, role: Role, email: str = "", area: str = ""
) -> MemberId:
    if not session.workstation.is_hub:
        rules.check_role(session.me, Role.COORDINATOR, doing="add a member")
    with session.change() as w:
        if repo.get_row(w.conn, "agency", agency_id) is None:
            raise InvalidInput("That agency is not on the panel.")
        return MemberId(
            w.create(
                "member",
                {
                    "name": check_text(name, "The member's name", required=True, limit=field_limit("member", "name")),
                    "agency_id": agency_id,
                    "role": role,
                    "email": check_text(email, "The e-mail address", limit=field_limit("member", "email")),
                    "status": MemberStatus.ACTIVE,
                    "area": check_text(area, "The area", limit=field_limit("member", "area")),
                },
            )
        )


def set_member_status(session: Session, *, member_id: MemberId, status: MemberStatus) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="change a member's status")
    with session.change() as w:
        if repo.get_row(w.conn, "member", member_id) is None:
            raise NotFound("There is no such member.")
        w.update("member", member_id, {"status": status})


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSettings:
    panel_name: str
    auto_lock_minutes: int
    keyring_allowed: bool
    default_marking: Marking
    review_interval_days: int


def get_settings(session: Session) -> PanelSettings:
    prog = session.programme
    with session.view() as conn:
        return PanelSettings(
            panel_name=meta_store.get(conn, "panel_name") or "",
            auto_lock_minutes=int(meta_store.get(conn, "auto_lock_minutes") or 10),
            keyring_allowed=meta_store.get(conn, "policy_keyring", "1") == "1",
            default_marking=Marking(
                meta_store.get(conn, "default_marking") or Marking.default().value
            ),
            review_interval_days=int(
                meta_store.get(conn, "review_interval_days") or prog.intervals.review_interval_days
            ),
        )


def save_settings(session: Session, *, settings: PanelSettings) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="change the panel's settings")
    if not 1 <= settings.auto_lock_minutes <= 240:
        raise InvalidInput("Auto-lock must be between 1 and 240 minutes.")
    if not 7 <= settings.review_interval_days <= 365:
        raise InvalidInput("The review interval must be between 7 and 365 days.")
    with session.change() as w:
        for key, value in {
            "panel_name": check_text(
                settings.panel_name, "The panel name", required=True, limit=MAX_NAME
            ),
            "auto_lock_minutes": str(settings.auto_lock_minutes),
            "policy_keyring": "1" if settings.keyring_allowed else "0",
            "default_marking": settings.default_marking.value,
            "review_interval_days": str(settings.review_interval_days),
        }.items():
            meta_store.put(w.conn, key, value)
        w.record_event("settings", "store", session.store.store_id)
    session.refresh_workstation()


# --- status and audit -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreStatus:
    name: str
    agency: str
    role: str
    fingerprint: str
    panel: str
    programme: str
    is_hub: bool
    counts: dict[str, int]


def store_status(session: Session) -> StoreStatus:
    ws = session.workstation
    with session.view() as conn:
        counts = {
            e: repo.count_rows(conn, e)
            for e in ("case", "subject", "action", "contribution", "meeting", "member", "agency")
        }
        counts["audit"] = audit_store.count(conn)
    return StoreStatus(
        name=ws.member.name,
        agency=ws.agency.name,
        role=ws.member.role.value,
        fingerprint=ws.fingerprint,
        panel=ws.panel_name,
        programme=ws.programme,
        is_hub=ws.is_hub,
        counts=counts,
    )


def verify_audit(session: Session) -> audit_store.VerifyResult:
    with session.view() as conn:
        return audit_store.verify(conn)


def history(session: Session, *, entity: str, record_id: str) -> list[AuditEntry]:
    with session.view() as conn:
        return audit_store.entries_for(conn, entity, record_id)


def case_history(session: Session, *, case_id: str) -> list[AuditEntry]:
    """Audit entries of the case and of every record that belongs to it, newest first."""
    with session.view() as conn:
        out = audit_store.entries_for(conn, "case", case_id)
        for entity, rid in repo.case_record_ids(conn, case_id):
            out.extend(audit_store.entries_for(conn, entity, rid))
    return sorted(out, key=lambda e: e.seq, reverse=True)
