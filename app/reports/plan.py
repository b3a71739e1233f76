"""The risk-management (support) plan for one case.

Job: ``render_plan(data) -> bytes``: the person and case; the risk (what, to whom, how soon, what
raises and lowers it, protective factors); the plan under the programme's headings, each with its
objectives and their actions (owner, due, status); contingency; review date; approval block.

Invariants: headings come from the programme, in its order, so a plan reads the same way for every
case of that programme; an unapproved plan says "NOT YET APPROVED" in its approval block and on its
first page, so a copy cannot pass for an agreed plan; metadata names the case reference only.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.models.documents import ActionLine, PlanData
from app.models.domain import Objective
from app.reports.parts import actions_table, overdue_note
from app.reports.styles import INK, M, P, esc, facts_table, fmt_date, paras
from app.reports.template import Heading, build_pdf


def _risk(data: PlanData) -> list[Flowable]:
    r = data.plan.risk
    pairs = [
        ("What is the risk", r.nature),
        ("To whom", r.who_at_risk),
        ("How soon", r.imminence),
        ("What raises it", r.increases),
        ("What lowers it", r.decreases),
        ("Protective factors", r.protective),
    ]
    return [facts_table([(k, v or "Not recorded") for k, v in pairs])]


def _approval(data: PlanData) -> Flowable:
    plan = data.plan
    if plan.approved:
        rows = [
            [M("<b>Approved</b>", "h2")],
            [
                P(
                    f"Approved by {data.names.member(plan.approved_by)} (chair) on "
                    f"{fmt_date(plan.approved_on, long=True)}."
                )
            ],
        ]
    else:
        rows = [
            [M("<b>NOT YET APPROVED</b>", "h2")],
            [
                P(
                    "The chair has not approved this plan. It is a draft and must not be "
                    "treated as agreed by the panel."
                )
            ],
            [P("Chair: ____________________________     Date: ______________", "body")],
        ]
    t = Table(rows, colWidths=[170 * mm], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.4, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (0, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
            ]
        )
    )
    return t


def _objectives(data: PlanData) -> list[Flowable]:
    prog = data.context.programme
    by_id = {line.action.id: line for line in data.actions}
    used: set[str] = set()
    story: list[Flowable] = []
    known = {h.id for h in prog.plan_headings}

    def block(lead: list[Flowable], objectives: list[Objective]) -> list[Flowable]:
        """Each objective kept with its actions; the heading kept with the first objective."""
        out: list[Flowable] = []
        for n, o in enumerate(objectives, start=1):
            part: list[Flowable] = [*lead, M(f"<b>Objective {n}.</b> {esc(o.text)}")]
            lead = []
            lines: list[ActionLine] = [by_id[a] for a in o.action_ids if a in by_id]
            used.update(line.action.id for line in lines)
            if lines:
                part += [actions_table(lines, data.names), Spacer(1, 6)]
            out.append(KeepTogether(part))
        return out or [*lead, P("Nothing planned under this heading.", "small")]

    for h in prog.plan_headings:
        objectives = [o for o in data.plan.objectives if o.heading == h.id]
        lead: list[Flowable] = [Heading(h.label, "h2", level=1, toc=False)]
        if h.guidance:
            lead.append(P(h.guidance, "small"))
        story += block(lead, objectives)
    others = [o for o in data.plan.objectives if o.heading not in known]
    if others:
        story += block([Heading("Other objectives", "h2", level=1, toc=False)], others)
    loose = [line for line in data.actions if line.action.id not in used]
    if loose:
        story.append(Heading("Other actions", "h2", level=1, toc=False))
        story.append(actions_table(loose, data.names))
    return story


def render_plan(data: PlanData, *, compress: bool = True) -> bytes:
    """The plan as PDF bytes."""
    s, c, plan, names, prog = data.subject, data.case, data.plan, data.names, data.context.programme
    level = prog.risk_label(c.risk_level)
    age = s.age_on(data.context.generated_at.date())
    story: list[Flowable] = [
        Heading("Risk-management plan", "title", level=0, toc=False),
        P(f"{c.ref} · {data.context.panel_name}", "subtitle"),
    ]
    if not plan.approved:
        story.append(M("<b>NOT YET APPROVED</b> – draft for the panel's agreement.", "body"))
    story += [
        Heading("The person and the case", "h1", level=0, toc=False),
        facts_table(
            [
                ("Name", s.display_name),
                ("Also known as", ", ".join(s.aliases) or "—"),
                (
                    "Date of birth",
                    fmt_date(s.date_of_birth) + (f" (age {age})" if age is not None else ""),
                ),
                ("Case", f"{c.ref} · {prog.status_label(c.status)}"),
                ("Lead agency", names.agency(c.lead_agency)),
                ("Case officer", names.member(c.case_officer)),
                ("Risk level", level or "Not assessed"),
                *((v.field.label, v.label) for v in data.case_fields),
                (
                    "Plan",
                    f"Version {plan.version}, written {fmt_date(plan.created_on)} by "
                    f"{names.member(plan.author)}",
                ),
            ]
        ),
        Heading("The risk", "h1", level=0, toc=False),
        *_risk(data),
        Heading("The plan", "h1", level=0, toc=False),
    ]
    note = overdue_note(data.actions)
    if note is not None:
        story.append(note)
    story += _objectives(data)
    story += [Heading("Contingency", "h1", level=0, toc=False)]
    story += paras(plan.contingency or "No contingency recorded.")
    story += [
        KeepTogether(
            [
                Heading("Review and approval", "h1", level=0, toc=False),
                P(f"Review due: {fmt_date(plan.review_on, long=True)}"),
                Spacer(1, 4),
                _approval(data),
            ]
        ),
    ]
    return build_pdf(
        story,
        data.context,
        title=f"Risk-management plan {c.ref}",
        subject=f"Risk-management plan, version {plan.version}, case {c.ref}",
        doc_label=f"Risk-management plan {c.ref}",
        compress=compress,
    )
