"""Sharing a case: the subject's consent (given, refused or withdrawn, and when a refusal is
re-assessed), the agencies it is shared with (the coordinator decides), its lead agency, case
officer and marking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.models import rules
from app.models.enums import ConsentState, Marking, Role
from app.models.errors import InvalidInput, PermissionDenied, Refused
from app.models.fieldrules import check_text
from app.models.ids import AgencyId
from app.services.cases import load_case, resolve_case
from app.services.context import Session
from app.storage import repo, review_queries


def record_consent(
    session: Session,
    *,
    case_id: str,
    state: ConsentState,
    given_by: str = "subject",
    notes: str = "",
    reassess_on: dt.date | None = None,
) -> None:
    """Record consent given, refused or withdrawn. A refusal or a withdrawal is re-assessed on
    ``reassess_on`` (today or later), or after the programme's ``consent_reassess_days``."""
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="record consent")
    if not session.programme.records_consent:
        raise Refused("This panel's programme does not seek consent, so none is recorded.")
    if given_by not in ("subject", "parent", "guardian"):
        raise InvalidInput("Consent is given by the subject, a parent or a guardian.")
    today = session.today()
    reassess = rules.consent_reassess_on(session.programme, state, today, reassess_on)
    with session.change() as w:
        case = load_case(session, w, case_id)
        w.create(
            "consent",
            {
                "case_id": case.id,
                "state": state,
                "given_by": given_by,
                "recorded_on": today,
                "notes": check_text(notes, "Notes"),
                "reassess_on": reassess,
            },
        )


def consent_reassessments(session: Session, case_ids: Sequence[str]) -> dict[str, dt.date]:
    """Case id -> when its refused or withdrawn consent is to be re-assessed (those that are)."""
    with session.view() as conn:
        return review_queries.consent_reassessments(conn, case_ids)


def set_sharing(
    session: Session,
    *,
    case_id: str,
    shared_with: Sequence[AgencyId],
    lead_agency: AgencyId | None = None,
) -> None:
    """Only the coordinator decides which agencies a case is shared with."""
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator may change who a case is shared with.")
    with session.change() as w:
        case = load_case(session, w, case_id)
        known = {a.id for a in repo.agencies(w.conn)}
        unknown = set(shared_with) - known
        if unknown:
            raise InvalidInput("One of those agencies is not on the panel.")
        lead = lead_agency or case.lead_agency
        changes: dict[str, object] = {
            "shared_with": sorted({*shared_with, *([lead] if lead else [])})
        }
        if lead_agency:
            changes["lead_agency"] = lead_agency
        w.update("case", case.id, changes, audit_action="sharing")


def set_case_officer(session: Session, *, case_id: str, member_id: str | None) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing="assign a case officer")
    with session.change() as w:
        case = load_case(session, w, case_id)
        w.update("case", case.id, {"case_officer": member_id})


def set_marking(session: Session, *, case_id: str, marking: Marking) -> None:
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator may change a case's marking.")
    with session.change() as w:
        case = load_case(session, w, case_id)
        w.update("case", case.id, {"marking": marking}, audit_action="marking")


def share_case(
    session: Session,
    *,
    case_id: str,
    add: Sequence[AgencyId] = (),
    remove: Sequence[AgencyId] = (),
) -> list[AgencyId]:
    """Add and remove agencies a case is shared with (the coordinator, at the hub). The lead
    agency cannot be removed. The next bundle to an added agency brings the case; the next one to a
    removed agency evicts it. Returns the agencies the case is now shared with."""
    if not session.workstation.is_hub:
        raise PermissionDenied("Only the panel coordinator may change who a case is shared with.")
    overlap = set(add) & set(remove)
    if overlap:
        raise InvalidInput("An agency cannot be both added and removed in one go.")
    case = resolve_case(session, case_id)
    if case.lead_agency and case.lead_agency in set(remove):
        raise Refused(
            "The lead agency always sees its case; make another agency the lead before removing it."
        )
    now = sorted({*case.shared_with, *add} - set(remove))
    set_sharing(session, case_id=case.id, shared_with=now)
    return [AgencyId(a) for a in now]
