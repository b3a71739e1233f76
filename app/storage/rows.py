"""Row to model mapping: the one place a database row becomes a domain model. No queries."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from app.models.domain import (
    Action,
    ActionUpdate,
    Agency,
    AgendaItem,
    Assessment,
    Case,
    ConsentRecord,
    Contribution,
    Device,
    FactorRating,
    Identifier,
    LinkedPerson,
    Member,
    Objective,
    Plan,
    Referral,
    RiskStatement,
    ScreeningDecision,
    Subject,
)
from app.models.enums import (
    ActionStatus,
    AgendaKind,
    ConsentState,
    Marking,
    MemberStatus,
    Role,
)
from app.models.ids import (
    ActionId,
    ActionUpdateId,
    AgencyId,
    AgendaItemId,
    AssessmentId,
    CaseId,
    ConsentId,
    ContributionId,
    DeviceId,
    MeetingId,
    MemberId,
    PlanId,
    ReferralId,
    ScreeningId,
    SubjectId,
)
from app.storage.codec import parse_date


def _d(v: Any) -> dt.date | None:
    return parse_date(v)


def _j(v: Any, default: Any) -> Any:
    return json.loads(v) if v else default


# --- mapping ---------------------------------------------------------------------------------


def agency_from(r: Any) -> Agency:
    return Agency(
        id=AgencyId(r.id),
        name=r.name or "",
        short=r.short or "",
        sector=r.sector or "other",
        is_police=bool(r.is_police),
        area=r.area or "",
    )


def member_from(r: Any) -> Member:
    return Member(
        id=MemberId(r.id),
        name=r.name or "",
        agency_id=AgencyId(r.agency_id),
        role=Role(r.role),
        email=r.email or "",
        status=MemberStatus(r.status or "active"),
        area=r.area or "",
    )


def device_from(r: Any) -> Device:
    return Device(
        id=DeviceId(r.id),
        member_id=MemberId(r.member_id),
        sign_pub=base64.b64decode(r.sign_pub or ""),
        enc_pub=base64.b64decode(r.enc_pub or ""),
        fingerprint=r.fingerprint or "",
        status=MemberStatus(r.status or "active"),
        revoked_from_seq=r.revoked_from_seq,
    )


def subject_from(r: Any) -> Subject:
    return Subject(
        id=SubjectId(r.id),
        forenames=r.forenames or "",
        surname=r.surname or "",
        aliases=tuple(_j(r.aliases, [])),
        date_of_birth=_d(r.date_of_birth),
        gender=r.gender or "",
        ethnicity=r.ethnicity or "",
        address=r.address or "",
        postcode=r.postcode or "",
        area=r.area or "",
        identifiers=tuple(Identifier(i["kind"], i["value"]) for i in _j(r.identifiers, [])),
        vulnerabilities=r.vulnerabilities or "",
    )


def linked_person_from(r: Any) -> LinkedPerson:
    return LinkedPerson(
        id=str(r.id),
        case_id=str(r.case_id or ""),
        role=r.role or "",
        forenames=r.forenames or "",
        surname=r.surname or "",
        aliases=tuple(_j(r.aliases, [])),
        date_of_birth=_d(r.date_of_birth),
        gender=r.gender or "",
        identifiers=tuple(Identifier(i["kind"], i["value"]) for i in _j(r.identifiers, [])),
        notes=r.notes or "",
    )


def case_from(r: Any, risk_level: str | None = None) -> Case:
    opened = _d(r.opened)
    assert opened is not None
    return Case(
        id=CaseId(r.id),
        ref=r.ref,
        subject_id=SubjectId(r.subject_id),
        programme=r.programme,
        status=r.status,
        lead_agency=AgencyId(r.lead_agency) if r.lead_agency else None,
        case_officer=MemberId(r.case_officer) if r.case_officer else None,
        shared_with=frozenset(AgencyId(a) for a in _j(r.shared_with, [])),
        marking=Marking(r.marking or Marking.default().value),
        opened=opened,
        closed=_d(r.closed),
        exited_on=_d(r.exited_on),
        risk_level=risk_level,
        next_review=_d(r.next_review),
    )


def referral_from(r: Any) -> Referral:
    received = _d(r.received)
    assert received is not None
    return Referral(
        id=ReferralId(r.id),
        case_id=CaseId(r.case_id),
        subject_id=SubjectId(r.subject_id),
        received=received,
        referrer=r.referrer or "",
        sector=r.sector or "",
        concern=r.concern or "",
        narrative=r.narrative or "",
    )


def screening_from(r: Any) -> ScreeningDecision:
    return ScreeningDecision(
        id=ScreeningId(r.id),
        case_id=CaseId(r.case_id),
        outcome=r.outcome,
        rationale=r.rationale or "",
        decided_by=MemberId(r.decided_by) if r.decided_by else None,
        decided_on=_d(r.decided_on) or dt.date.min,
    )


def consent_from(r: Any) -> ConsentRecord:
    return ConsentRecord(
        id=ConsentId(r.id),
        case_id=CaseId(r.case_id),
        state=ConsentState(r.state),
        given_by=r.given_by or "subject",
        recorded_on=_d(r.recorded_on) or dt.date.min,
        notes=r.notes or "",
        reassess_on=_d(r.reassess_on),
    )


def assessment_from(r: Any) -> Assessment:
    return Assessment(
        id=AssessmentId(r.id),
        case_id=CaseId(r.case_id),
        version=int(r.version or 1),
        factors=tuple(
            FactorRating(
                dimension=f["dimension"],
                factor=f["factor"],
                rating=f["rating"],
                evidence=f.get("evidence", ""),
                source_agency=AgencyId(f["source_agency"]) if f.get("source_agency") else None,
            )
            for f in _j(r.factors, [])
        ),
        dimension_summaries=tuple((k, v) for k, v in _j(r.dimension_summaries, [])),
        overall=r.overall or "",
        risk_level=r.risk_level or "",
        author=MemberId(r.author) if r.author else None,
        assessed_on=_d(r.assessed_on) or dt.date.min,
        supersedes=AssessmentId(r.supersedes) if r.supersedes else None,
    )


def plan_from(r: Any) -> Plan:
    risk = _j(r.risk, {})
    return Plan(
        id=PlanId(r.id),
        case_id=CaseId(r.case_id),
        version=int(r.version or 1),
        risk=RiskStatement(**{k: risk.get(k, "") for k in RiskStatement.__dataclass_fields__}),
        objectives=tuple(
            Objective(
                heading=o["heading"],
                text=o.get("text", ""),
                action_ids=tuple(ActionId(a) for a in o.get("action_ids", [])),
            )
            for o in _j(r.objectives, [])
        ),
        contingency=r.contingency or "",
        review_on=_d(r.review_on),
        author=MemberId(r.author) if r.author else None,
        created_on=_d(r.created_on) or dt.date.min,
        approved_by=MemberId(r.approved_by) if r.approved_by else None,
        approved_on=_d(r.approved_on),
        supersedes=PlanId(r.supersedes) if r.supersedes else None,
    )


def action_update_from(r: Any) -> ActionUpdate:
    return ActionUpdate(
        id=ActionUpdateId(r.id),
        action_id=ActionId(r.action_id),
        status=ActionStatus(r.status),
        note=r.note or "",
        author=MemberId(r.author) if r.author else None,
        agency_id=AgencyId(r.agency_id),
        at=r.at or "",
    )


def action_from(r: Any, updates: Sequence[ActionUpdate] = ()) -> Action:
    return Action(
        id=ActionId(r.id),
        case_id=CaseId(r.case_id),
        title=r.title or "",
        owner_agency=AgencyId(r.owner_agency),
        owner=MemberId(r.owner) if r.owner else None,
        due=_d(r.due) or dt.date.max,
        status=ActionStatus(r.status),
        created_on=_d(r.created_on) or dt.date.min,
        meeting_id=MeetingId(r.meeting_id) if r.meeting_id else None,
        completed_on=_d(r.completed_on),
        updates=tuple(updates),
    )


def contribution_from(r: Any) -> Contribution:
    return Contribution(
        id=ContributionId(r.id),
        case_id=CaseId(r.case_id),
        agency_id=AgencyId(r.agency_id),
        author=MemberId(r.author) if r.author else None,
        text=r.text or "",
        recorded_on=_d(r.recorded_on) or dt.date.min,
        marking=Marking(r.marking or Marking.default().value),
        restricted_to=frozenset(AgencyId(a) for a in _j(r.restricted_to, [])),
        kind=r.kind or "information",
    )


def agenda_item_from(r: Any) -> AgendaItem:
    return AgendaItem(
        id=AgendaItemId(r.id),
        meeting_id=MeetingId(r.meeting_id),
        position=int(r.position or 0),
        kind=AgendaKind(r.kind),
        case_id=CaseId(r.case_id) if r.case_id else None,
        title=r.title or "",
        discussion=r.discussion or "",
        decision=r.decision or "",
        rationale=r.rationale or "",
        dissent=r.dissent or "",
        method=r.method or "",
    )
