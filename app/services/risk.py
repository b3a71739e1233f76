"""Assessments and risk-management plans: versioned, append-only; plans approved by the chair."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import rules
from app.models.domain import FactorRating, Objective, RiskStatement
from app.models.enums import Role
from app.models.errors import InvalidInput, NotFound, PermissionDenied
from app.models.fieldrules import check_text
from app.models.framework import (
    AssessmentNotes,
    Framework,
    RiskLevel,
    join_summaries,
    split_summaries,
)
from app.models.ids import AssessmentId, PlanId
from app.models.programme import Programme
from app.services.cases import load_case
from app.services.context import Session
from app.storage import action_queries, repo
from app.storage.codec import to_jsonable
from app.storage.rows import assessment_from, plan_from


@dataclass(frozen=True)
class AssessmentInput:
    factors: tuple[FactorRating, ...]
    dimension_summaries: tuple[tuple[str, str], ...]
    overall: str
    risk_level: str
    level_reason: str = ""  # why the chosen level differs from a checklist's suggestion
    # (field id, choice id) of the programme; a date field's value is a date (ISO or dd/mm/yyyy)
    case_fields: tuple[tuple[str, str], ...] = ()
    # the framework the answers are for (a programme's ``other_frameworks``: the young people's
    # checklist); None: the one for the subject's age on the day (``framework_for_case``)
    framework: str | None = None


def framework_for_case(session: Session, *, case_id: str) -> Framework:
    """The framework a new assessment of the case uses unless the person recording it chooses
    another: the programme's framework for the subject's age today (the main one when no other
    framework covers it, or the age is not known)."""
    prog = session.programme
    if not prog.other_frameworks:
        return prog.framework
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        subject = repo.get_subject(conn, case.subject_id) if case else None
    return prog.framework_for_age(subject.age_on(session.today()) if subject else None)


def suggested_level(framework: Framework, factors: tuple[FactorRating, ...]) -> RiskLevel | None:
    """The level a checklist's answers suggest (None for a rated framework or below every
    threshold). A suggestion only: ``record_assessment`` stores the level the person chose."""
    if not framework.is_checklist:
        return None
    return framework.suggested_level(f.rating for f in factors)


def _case_fields(prog: Programme, values: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for field_id, choice_id in values:
        cf = prog.case_field(field_id)
        if field_id in seen:
            raise InvalidInput(f"{cf.label} is given twice.")
        if choice_id and cf.is_date:  # a date field: a real date, kept as its ISO text
            seen[field_id] = cf.parse_date(choice_id).isoformat()
        elif choice_id:
            seen[field_id] = cf.choice(choice_id).id
    for cf in prog.case_fields:
        if cf.required and cf.id not in seen:
            raise InvalidInput(f"{cf.label} is required.")
    return [(cf.id, seen[cf.id]) for cf in prog.case_fields if cf.id in seen]


def record_assessment(
    session: Session, *, case_id: str, assessment: AssessmentInput
) -> AssessmentId:
    """A new version of the assessment. Always a professional judgement: the level is chosen.

    For a checklist every question needs an answer; when the answers suggest a level and the
    person chooses another, the reason is required and kept with the version (as is the
    suggestion, so that the override stays visible)."""
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="record an assessment")
    prog = session.programme
    fw = (
        prog.framework_by_id(assessment.framework)
        if assessment.framework is not None
        else framework_for_case(session, case_id=case_id)
    )
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
        check_text(f.evidence, "Evidence")
    dims = {d.id for d in fw.dimensions}
    if any(d not in dims for d, _ in assessment.dimension_summaries):
        raise InvalidInput("A dimension is not part of the programme's framework.")
    overall = check_text(assessment.overall, "The overall judgement", required=True)
    reason = check_text(assessment.level_reason, "The reason for the risk level")
    suggested = suggested_level(fw, assessment.factors)
    if fw.is_checklist:
        if len(seen) != len(known):
            raise InvalidInput("Every question needs an answer (not known is an answer).")
        floor = fw.lowest_allowed(f.rating for f in assessment.factors)
        if floor is not None and level.rank < floor.rank:
            raise InvalidInput(
                f"The checklist's answers put the risk at “{floor.label}”: professional "
                f"judgement may raise the level, never lower it below the checklist's result."
            )
        if suggested is not None and suggested.id != level.id and not reason:
            raise InvalidInput(
                f"The checklist suggests “{suggested.label}”: give the reason for choosing "
                f"“{level.label}” instead."
            )
    notes = AssessmentNotes(
        summaries=tuple((d, check_text(t, "A summary")) for d, t in assessment.dimension_summaries),
        level_reason=reason,
        suggested_level=suggested.id if suggested else "",
        case_fields=tuple(_case_fields(prog, assessment.case_fields)),
        framework=fw.id if fw is not prog.framework else "",
    )
    with session.change() as w:
        case = load_case(session, w, case_id)
        previous = [
            assessment_from(r)
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
                    "dimension_summaries": [list(p) for p in join_summaries(notes)],
                    "overall": overall,
                    "risk_level": level.id,
                    "risk_rank": level.rank,
                    "author": session.me.id,
                    "assessed_on": session.today(),
                    "supersedes": previous[-1].id if previous else None,
                },
            )
        )


def set_case_fields(
    session: Session, *, case_id: str, values: tuple[tuple[str, str], ...]
) -> AssessmentId:
    """A new assessment version that changes only case fields (a licence's end date learnt after
    the assessment): the current version's ratings, summaries, judgement and level are carried
    over unchanged. A field is named by its id or label; ``""`` clears it (refused for a required
    one). A case never assessed is refused: record an assessment first."""
    prog = session.programme
    with session.view() as conn:
        rows = repo.rows_for_case(conn, "assessment", case_id, "version")
        current = rules.current_assessment(prog, [assessment_from(r) for r in rows])
    if current is None:
        raise InvalidInput("This case has no assessment yet: record one before setting its case fields.")
    notes = split_summaries(current.dimension_summaries)
    fields = dict(notes.case_fields)
    for name, value in values:
        cf = next((c for c in prog.case_fields if name.strip().casefold() in (c.id, c.label.casefold())), None)
        if cf is None:
            raise InvalidInput(f"“{name[:40]}” is not a case field of this programme.")
        if value.strip():
            fields[cf.id] = value.strip()
        else:
            fields.pop(cf.id, None)
    return record_assessment(session, case_id=case_id, assessment=AssessmentInput(
        factors=current.factors,
        dimension_summaries=notes.summaries,
        overall=current.overall,
        risk_level=current.risk_level,
        level_reason=notes.level_reason,
        case_fields=tuple(fields.items()),
    ))


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
        check_text(o.text, "An objective", required=True)
    import datetime as dt

    review_on = plan.review_on
    if review_on is not None and not isinstance(review_on, dt.date):
        raise InvalidInput("The review date is not a date.")
    with session.change() as w:
        case = load_case(session, w, case_id)
        previous = [
            plan_from(r) for r in repo.rows_for_case(w.conn, "plan", case.id, "version")
        ]
        action_ids = {a.id for a in action_queries.actions_for(w.conn, None) if a.case_id == case.id}
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
                    "contingency": check_text(plan.contingency, "Contingency"),
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
        case = load_case(session, w, row.case_id)
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
                assessment_from(r)
                for r in repo.rows_for_case(conn, "assessment", case_id, "version")
            )
        ]
