"""A case's plan with its actions, as printed."""

from __future__ import annotations

from pathlib import Path

from app.config.i18n import Language
from app.models import rules
from app.models.documents import (
    Names,
    PlanData,
    action_lines,
)
from app.models.errors import (
    InvalidInput,
    NotFound,
)
from app.reports.plan import render_plan
from app.services.cases import case_reach
from app.services.context import Session
from app.services.documents import (
    check_target,
    document_context,
    document_marking,
    store_may_see,
    write_audited,
)
from app.storage import document_queries as queries
from app.storage import repo


def plan_data(session: Session, *, case_id: str) -> PlanData:
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None or not store_may_see(session, case, case_reach(session, conn)):
            raise NotFound("There is no case with that id on this store.")
        f = queries.case_facts(conn, case)
        members = {str(m.id): m.name for m in repo.members(conn)}
        agencies = {str(a.id): a.name for a in repo.agencies(conn)}
    if f is None:
        raise NotFound("The case's subject record is missing.")
    if f.plan is None:
        raise InvalidInput("That case has no plan yet: there is nothing to print.")
    return PlanData(
        context=document_context(session, document_marking(session, [case])),
        subject=f.subject,
        case=case,
        plan=f.plan,
        actions=action_lines(f.actions, session.today()),
        names=Names(members=members, agencies=agencies, cases={str(case.id): case.ref}),
        case_fields=rules.current_case_fields(session.programme, f.assessments),
    )


def write_plan(
    session: Session, *, case_id: str, out: Path, language: Language = Language.EN
) -> Path:
    target = check_target(out)
    data = plan_data(session, case_id=case_id)
    pdf = render_plan(data, language=language)
    event = ("disclosure-plan", "case", str(data.case.id), [str(data.plan.id)])
    return write_audited(session, [(target, pdf, event)])[0]

