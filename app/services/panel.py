"""The panel: agencies, members and their roles, panel settings, status and audit checks."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import rules
from app.models.domain import Agency, AuditEntry, Device, Member
from app.models.enums import Marking, MemberStatus, Role
from app.models.errors import InvalidInput, NotFound
from app.models.ids import AgencyId, MemberId
from app.services.cases import clean_text, field_limit
from app.services.context import Session
from app.storage import audit as audit_store
from app.storage import meta as meta_store
from app.storage import repo

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


def add_agency(session: Session, *, name: str, short: str, sector: str) -> AgencyId:
    if not session.workstation.is_hub:
        rules.check_role(session.me, Role.COORDINATOR, doing="add an agency")
    if sector not in AGENCY_SECTORS:
        raise InvalidInput("That is not a known kind of agency.")
    with session.change() as w:
        return AgencyId(
            w.create(
                "agency",
                {
                    "name": clean_text(name, "The agency name", required=True, limit=field_limit("agency", "name")),
                    "short": clean_text(short, "The short name", required=True, limit=field_limit("agency", "short")),
                    "sector": sector,
                    "is_police": sector in ("police", "ct-police"),
                },
            )
        )


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
                    "name": clean_text(name, "The member's name", required=True, limit=field_limit("member", "name")),
                    "agency_id": agency_id,
                    "role": role,
                    "email": clean_text(email, "The e-mail address", limit=field_limit("member", "email")),
                    "status": MemberStatus.ACTIVE,
                    "area": clean_text(area, "The area", limit=field_limit("member", "area")),
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
            "panel_name": clean_text(
                settings.panel_name, "The panel name", required=True, limit=200
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
