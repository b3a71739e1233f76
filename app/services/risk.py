"""Assessments and risk-management plans: versioned, append-only; plans approved by the chair."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import rules
from app.models.domain import FactorRating, Objective, RiskStatement
from app.models.enums import Role
from app.models.errors import InvalidInput, NotFound, PermissionDenied
from app.models.ids import AssessmentId, PlanId
from app.services.cases import _load_case, _text
from app.services.context import Session
from app.storage import repo
from app.storage.codec import to_jsonable


@dataclass(frozen=True)
class AssessmentInput:
    factors: tuple[FactorRating, ...]
    dimension_summaries: tuple[tuple[str, str], ...]
    overall: str
    risk_level: str


def record_assessment(
    session: Session, *, case_id: str, assessment: AssessmentInput
) -> AssessmentId:
    """A new version of the assessment. Always a professional judgement: the level is chosen."""
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="record an assessment")
    fw = session.programme.framework
    level = fw.risk_level(assessment.risk_level)
    known = set(fw.factor_ids())
    seen: set[tuple[str, str]] = set()
    for f in assessment.factors:
        if (f.dimension, f.factor) not in known:
            raise InvalidInput("A factor is not part of the programme's framework.")
        if (f.dimension, f.factor) in seen:
            raise InvalidInput("A factor is rated twice.")
        seen.add((f.dimension, f.factor))
        fw.rating(f.rating)
        _text(f.evidence, "Evidence")
    dims = {d.id for d in fw.dimensions}
    if any(d not in dims for d, _ in assessment.dimension_summaries):
        raise InvalidInput("A dimension is not part of the programme's framework.")
    overall = _text(assessment.overall, "The overall judgement", required=True)
    with session.change() as w:
        case = _load_case(session, w, case_id)
        previous = [
            repo.assessment_from(r)
            for r in repo.rows_for_case(w.conn, "assessment", case.id, "version")
        ]
        version = (previous[-1].version + 1) if previous else 1
        return AssessmentId(
            w.create(
                "assessment",
                {
                    "case_id": case.id,
                    "version": version,
                    "factors": to_jsonable(list(assessment.factors)),
                    "dimension_summaries": [list(p) for p in assessment.dimension_summaries],
                    "overall": overall,
                    "risk_level": level.id,
                    "risk_rank": level.rank,
                    "author": session.me.id,
                    "assessed_on": session.today(),
                    "supersedes": previous[-1].id if previous else None,
                },
            )
        )


@dataclass(frozen=True)
class PlanInput:
    risk: RiskStatement
    objectives: tuple[Objective, ...]
    contingency: str
    review_on: object | None = None  # datetime.date


def save_plan(session: Session, *, case_id: str, plan: PlanInput) -> PlanId:
    """A new version of the plan; it needs the chair's approval again."""
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="write a plan")
    headings = {h.id for h in session.programme.plan_headings}
    for o in plan.objectives:
        if o.heading not in headings:
            raise InvalidInput("An objective is under a heading the programme does not have.")
        _text(o.text, "An objective", required=True)
    import datetime as dt

    review_on = plan.review_on
    if review_on is not None and not isinstance(review_on, dt.date):
        raise InvalidInput("The review date is not a date.")
    with session.change() as w:
        case = _load_case(session, w, case_id)
        previous = [
            repo.plan_from(r) for r in repo.rows_for_case(w.conn, "plan", case.id, "version")
        ]
        action_ids = {a.id for a in repo.actions_for(w.conn, None) if a.case_id == case.id}
        for o in plan.objectives:
            if set(o.action_ids) - action_ids:
                raise InvalidInput("An objective links to an action of another case.")
        return PlanId(
            w.create(
                "plan",
                {
                    "case_id": case.id,
                    "version": (previous[-1].version + 1) if previous else 1,
                    "risk": to_jsonable(plan.risk),
                    "objectives": to_jsonable(list(plan.objectives)),
                    "contingency": _text(plan.contingency, "Contingency"),
                    "review_on": review_on,
                    "author": session.me.id,
                    "created_on": session.today(),
                    "supersedes": previous[-1].id if previous else None,
                    "approved_by": None,
                    "approved_on": None,
                },
            )
        )


def approve_plan(session: Session, *, plan_id: str) -> None:
    if session.me.role is not Role.CHAIR:
        raise PermissionDenied("Only the chair may approve a plan.")
    with session.change() as w:
        row = repo.get_row(w.conn, "plan", plan_id)
        if row is None:
            raise NotFound("There is no such plan.")
        case = _load_case(session, w, row.case_id)
        latest = repo.rows_for_case(w.conn, "plan", case.id, "version")[-1]
        if latest.id != plan_id:
            raise InvalidInput("Only the latest version of a plan can be approved.")
        if row.approved_by:
            raise InvalidInput("This plan version is already approved.")
        w.update(
            "plan",
            plan_id,
            {"approved_by": session.me.id, "approved_on": session.today()},
            audit_action="approve",
        )


def risk_history(session: Session, *, case_id: str) -> list[tuple[object, str]]:
    with session.view() as conn:
        return [
            (a.assessed_on, a.risk_level)
            for a in (
                repo.assessment_from(r)
                for r in repo.rows_for_case(conn, "assessment", case_id, "version")
            )
        ]
