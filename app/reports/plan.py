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

from app.config.i18n import Language, _, in_each_language, using_language
from app.models.documents import ActionLine, PlanData
from app.models.domain import Objective
from app.reports.parts import actions_table, overdue_note, programme_text
from app.reports.styles import INK, M, P, bold, esc, facts_table, fmt_date, paras
from app.reports.template import Heading, build_pdf


def _risk(data: PlanData) -> list[Flowable]:
    r = data.plan.risk
    pairs = [
        (_("What is the risk"), r.nature),
        (_("To whom"), r.who_at_risk),
        (_("How soon"), r.imminence),
        (_("What raises it"), r.increases),
        (_("What lowers it"), r.decreases),
        (_("Protective factors"), r.protective),
    ]
    return [facts_table([(k, v or _("Not recorded")) for k, v in pairs])]


def _approval(data: PlanData) -> Flowable:
    plan = data.plan
    if plan.approved:
        rows = [
            [M(bold(_("Approved")), "h2")],
            [
                P(
                    in_each_language(
                        lambda: _("Approved by {chair} (chair) on {when}.").format(
                            chair=data.names.member(plan.approved_by),
                            when=fmt_date(plan.approved_on, long=True),
                        )
                    )
                )
            ],
        ]
    else:
        rows = [
            [M(bold(_("NOT YET APPROVED")), "h2")],
            [
                P(
                    _(
                        "The chair has not approved this plan. It is a draft and must not be "
                        "treated as agreed by the panel."
                    )
                )
            ],
            [
                P(
                    _("Chair: {line}     Date: {short}").format(
                        line="_" * 28, short="_" * 14
                    ),
                    "body",
                )
            ],
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
            number = _("Objective {n}.").format(n=n)
            part: list[Flowable] = [*lead, M(f"<b>{esc(number)}</b> {esc(o.text)}")]
            lead = []
            lines: list[ActionLine] = [by_id[a] for a in o.action_ids if a in by_id]
            used.update(line.action.id for line in lines)
            if lines:
                part += [actions_table(lines, data.names), Spacer(1, 6)]
            out.append(KeepTogether(part))
        return out or [*lead, P(_("Nothing planned under this heading."), "small")]

    for h in prog.plan_headings:
        objectives = [o for o in data.plan.objectives if o.heading == h.id]
        lead: list[Flowable] = [Heading(programme_text(prog, h.label), "h2", level=1, toc=False)]
        if h.guidance:
            lead.append(P(programme_text(prog, h.guidance), "small"))
        story += block(lead, objectives)
    others = [o for o in data.plan.objectives if o.heading not in known]
    if others:
        story += block([Heading(_("Other objectives"), "h2", level=1, toc=False)], others)
    loose = [line for line in data.actions if line.action.id not in used]
    if loose:
        story.append(Heading(_("Other actions"), "h2", level=1, toc=False))
        story.append(actions_table(loose, data.names))
    return story


def render_plan(
    data: PlanData, *, compress: bool = True, language: Language = Language.EN
) -> bytes:
    """The plan as PDF bytes, in English, Welsh or both (Welsh first)."""
    with using_language(language):
        return _render_plan(data, compress=compress)


def _render_plan(data: PlanData, *, compress: bool) -> bytes:
    s, c, plan, names, prog = data.subject, data.case, data.plan, data.names, data.context.programme
    level = programme_text(prog, prog.risk_label(c.risk_level))
    age = s.age_on(data.context.generated_at.date())
    story: list[Flowable] = [
        Heading(_("Risk-management plan"), "title", level=0, toc=False),
        P(f"{c.ref} · {data.context.panel_name}", "subtitle"),
    ]
    if not plan.approved:
        draft = _("draft for the panel's agreement.")
        story.append(M(bold(_("NOT YET APPROVED")) + f" – {esc(draft)}", "body"))
    story += [
        Heading(_("The person and the case"), "h1", level=0, toc=False),
        facts_table(
            [
                (_("Name"), s.display_name),
                (_("Also known as"), ", ".join(s.aliases) or "—"),
                (
                    _("Date of birth"),
                    fmt_date(s.date_of_birth)
                    + (_(" (age {age})").format(age=age) if age is not None else ""),
                ),
                (_("Case"), f"{c.ref} · {programme_text(prog, prog.status_label(c.status))}"),
                (_("Lead agency"), names.agency(c.lead_agency)),
                (_("Case officer"), names.member(c.case_officer)),
                (_("Risk level"), level or _("Not assessed")),
                *(
                    (programme_text(prog, v.field.label), programme_text(prog, v.label))
                    for v in data.case_fields
                ),
                (
                    _("Plan"),
                    in_each_language(
                        lambda: _("Version {version}, written {when} by {author}").format(
                            version=plan.version,
                            when=fmt_date(plan.created_on),
                            author=names.member(plan.author),
                        )
                    ),
                ),
            ]
        ),
        Heading(_("The risk"), "h1", level=0, toc=False),
        *_risk(data),
        Heading(_("The plan"), "h1", level=0, toc=False),
    ]
    note = overdue_note(data.actions)
    if note is not None:
        story.append(note)
    story += _objectives(data)
    story += [Heading(_("Contingency"), "h1", level=0, toc=False)]
    story += paras(plan.contingency or _("No contingency recorded."))
    story += [
        KeepTogether(
            [
                Heading(_("Review and approval"), "h1", level=0, toc=False),
                P(
                    in_each_language(
                        lambda: _("Review due: {when}").format(
                            when=fmt_date(plan.review_on, long=True)
                        )
                    )
                ),
                Spacer(1, 4),
                _approval(data),
            ]
        ),
    ]
    return build_pdf(
        story,
        data.context,
        title=_("Risk-management plan {ref}").format(ref=c.ref),
        subject=_("Risk-management plan, version {version}, case {ref}").format(
            version=plan.version, ref=c.ref
        ),
        doc_label=_("Risk-management plan {ref}").format(ref=c.ref),
        compress=compress,
    )
