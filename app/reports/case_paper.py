"""One case paper of a meeting pack: the person, referral, assessment and what changed, risk level
and its history, plan, actions and new information by agency.

Job: turn a :class:`CasePaper` into flowables. Invariant: it prints only what the paper holds (the
caller has applied need-to-know); it looks nothing up beyond the programme and the names given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from app.models.assessment_changes import assessment_changes
from app.models.documents import CasePaper, DocumentContext, Names
from app.models.domain import Assessment, Plan
from app.models.framework import Framework, split_summaries
from app.models.programme import Programme
from app.reports.charts import risk_history_chart
from app.reports.parts import actions_table, overdue_note
from app.reports.styles import (
    INK,
    RULE,
    M,
    P,
    data_table,
    esc,
    facts_table,
    fmt_date,
    paras,
)
from app.reports.template import Heading


def what_changed(a: Assessment, prev: Assessment | None, programme: Programme) -> list[str]:
    """The "What changed" sentences (``models.assessment_changes``, as the desktop compares)."""
    if prev is None:
        return ["First assessment: there is no earlier one to compare with."]
    lines = assessment_changes(programme, prev, a).sentences()
    return lines or ["No change in ratings or risk level since the last assessment."]


def _assessment(paper: CasePaper, programme: Programme, names: Names) -> list[Flowable]:
    a = paper.assessment
    if a is None:
        return [P("No assessment has been recorded yet.", "small")]
    # the framework this version was recorded with (a young people's checklist, say)
    framework = programme.framework_of(split_summaries(a.dimension_summaries))
    named = f" {framework.name}." if len(programme.frameworks) > 1 else ""
    prev = paper.previous_assessment
    story: list[Flowable] = [
        P(
            f"Version {a.version}, {fmt_date(a.assessed_on)}, by {names.member(a.author)}.{named}"
            + (f" Previous: version {prev.version}, {fmt_date(prev.assessed_on)}." if prev else ""),
            "small",
        ),
        Heading("What changed", "h3", level=3, toc=False),
    ]
    lines = what_changed(a, prev, programme)
    story += [M(f"•&nbsp;&nbsp;{esc(line)}", "body") for line in lines]
    story.append(Heading("Overall judgement", "h3", level=3, toc=False))
    story += paras(a.overall)
    summaries = dict(a.dimension_summaries)
    for d in framework.dimensions:
        if summaries.get(d.id):
            story.append(M(f"<b>{esc(d.label)}.</b> {esc(summaries[d.id])}"))
    before = {(f.dimension, f.factor): f.rating for f in prev.factors} if prev else {}
    rows: list[list[object]] = []
    for f in a.factors:
        dim, fac = framework.dimension_label(f.dimension), framework.factor_label(f.dimension, f.factor)
        rating = framework.rating_label(f.rating)
        old = before.get((f.dimension, f.factor))
        if old is not None and old != f.rating:
            rating = f"{rating}\n(was {framework.rating_label(old)})"
        source = names.agency(f.source_agency) if f.source_agency else ""
        rows.append([f"{dim}\n{fac}", rating, f.evidence, source])
    if rows:
        story.append(Spacer(1, 4))
        story.append(
            data_table(
                ["Factor", "Rating", "Evidence", "Source"],
                rows,
                [46 * mm, 28 * mm, 70 * mm, 26 * mm],
            )
        )
    return story


def _risk_block(paper: CasePaper, framework: Framework) -> Flowable:
    level = paper.assessment.risk_level if paper.assessment else paper.case.risk_level
    label = framework.level_label(level, none="Not assessed")
    left = [P("Current risk level", "label"), M(f"<b>{esc(label.upper())}</b>", "h2")]
    if paper.risk_history:
        left.append(
            P(
                f"{len(paper.risk_history)} assessment(s) since "
                f"{fmt_date(paper.risk_history[0][0])}",
                "small",
            )
        )
    t = Table(
        [[left, risk_history_chart(paper.risk_history, framework)]],
        colWidths=[58 * mm, 112 * mm],
        hAlign="LEFT",
    )
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (0, 0), 1.2, INK),
                ("LEFTPADDING", (0, 0), (0, 0), 8),
                ("LINEBELOW", (1, 0), (1, 0), 0.4, RULE),
            ]
        )
    )
    return t


def plan_summary(plan: Plan | None, programme: Programme, names: Names) -> list[Flowable]:
    if plan is None:
        return [P("No plan has been agreed yet.", "small")]
    approval = (
        f"approved by {names.member(plan.approved_by)} on {fmt_date(plan.approved_on)}"
        if plan.approved
        else "NOT YET APPROVED"
    )
    story: list[Flowable] = [
        M(
            f"Version {plan.version}, {esc(approval)}. Review due {esc(fmt_date(plan.review_on))}.",
            "small",
        )
    ]
    labels = {h.id: h.label for h in programme.plan_headings}
    rows = [[labels.get(o.heading, o.heading), o.text] for o in plan.objectives]
    if rows:
        story.append(data_table(["Heading", "Objective"], rows, [50 * mm, 120 * mm]))
    return story


def _contributions(paper: CasePaper, ctx: DocumentContext, names: Names) -> list[Flowable]:
    if not paper.new_contributions:
        return [P("No new information since the last meeting.", "small")]
    by_agency: dict[str, list] = defaultdict(list)
    for c in paper.new_contributions:
        by_agency[names.agency(c.agency_id)].append(c)
    story: list[Flowable] = []
    for agency in sorted(by_agency):
        story.append(Heading(agency, "h3", level=3, toc=False))
        for c in sorted(by_agency[agency], key=lambda c: c.recorded_on):
            meta = [fmt_date(c.recorded_on), c.kind.capitalize(), f"by {names.member(c.author)}"]
            if c.marking is not ctx.marking:
                meta.append(f"handling: {c.marking.value}")
            if c.restricted_to:
                shared = ", ".join(sorted(names.agency(a) for a in c.restricted_to))
                meta.append(f"not to be shared beyond {shared}")
            story.append(P(" · ".join(meta), "small"))
            story += paras(c.text)
    return story


def _linked_people(paper: CasePaper, today: dt.date) -> list[Flowable]:
    """The people linked to the case (the programme's linked roles, e.g. the person causing harm
    and the children in the household), each with their own identifiers."""
    if not paper.linked_people:
        return []
    rows: list[list[object]] = []
    for label, p in paper.linked_people:
        age = p.age_on(today)
        dob = fmt_date(p.date_of_birth) + (f" (age {age})" if age is not None else "")
        name = p.display_name + (f" (also known as {', '.join(p.aliases)})" if p.aliases else "")
        ids = "; ".join(f"{i.kind.upper() if len(i.kind) <= 3 else i.kind.capitalize()} {i.value}" for i in p.identifiers) or "—"
        rows.append([label, name, dob, ids + (f". {p.notes}" if p.notes else "")])
    return [
        Heading("People linked to the case", "h2", level=2, toc=False),
        data_table(["Role", "Name", "Date of birth", "Identifiers and notes"], rows,
                   [38 * mm, 45 * mm, 32 * mm, 55 * mm]),
    ]


def _agenda_place(paper: CasePaper, prog: Programme) -> str:
    assert paper.agenda_kind is not None
    label = prog.agenda_label(paper.agenda_kind, item=True)
    return f"item {paper.agenda_number}, {label}" if paper.agenda_number else label


def case_paper_story(paper: CasePaper, ctx: DocumentContext, names: Names) -> list[Flowable]:
    s, c, prog = paper.subject, paper.case, ctx.programme
    fw = prog.framework
    today: dt.date = ctx.generated_at.date()
    age = s.age_on(today)
    dob = fmt_date(s.date_of_birth) + (f" (age {age})" if age is not None else "")
    where = ", ".join(x for x in (s.area, s.postcode) if x)
    facts: list[tuple[str, object]] = [("Name", s.display_name)]
    if s.aliases:
        facts.append(("Also known as", ", ".join(s.aliases)))
    facts += [("Date of birth", dob), ("Gender", s.gender or "—")]
    if s.address or where:
        facts.append(("Address", ", ".join(x for x in (s.address, where) if x)))
    if s.vulnerabilities:
        facts.append(("Vulnerabilities", s.vulnerabilities))
    facts += [
        (
            "Status",
            prog.status_label(c.status)
            + (f" · on the agenda as: {_agenda_place(paper, prog)}" if paper.agenda_kind else ""),
        ),
        *((v.field.label, v.label) for v in paper.case_fields),
        ("Lead agency", names.agency(c.lead_agency)),
        ("Case officer", names.member(c.case_officer)),
        ("Opened", fmt_date(c.opened)),
        ("Next review", fmt_date(c.next_review)),
    ]
    if paper.consent is not None:
        k = paper.consent
        facts.append(
            (
                "Consent",
                f"{k.state.value.capitalize()} by {k.given_by}, "
                f"{fmt_date(k.recorded_on)}"
                + (f"; re-assess {fmt_date(k.reassess_on)}" if k.reassess_on else ""),
            )
        )
    story: list[Flowable] = [
        Heading(f"{c.ref}  {s.display_name}", "h1", level=1),
        facts_table(facts),
        *_linked_people(paper, today),
        Spacer(1, 8),
        _risk_block(paper, fw),
        Heading("Referral", "h2", level=2, toc=False),
    ]
    r = paper.referral
    if r is None:
        story.append(P("No referral is held for this case.", "small"))
    else:
        sector = prog.sector(r.sector)
        concern = prog.concern(r.concern)
        story.append(
            P(
                f"Received {fmt_date(r.received)} from {r.referrer} "
                f"({sector.label if sector else r.sector}). Type of concern: "
                f"{concern.label if concern else r.concern}.",
                "small",
            )
        )
        story += paras(r.narrative)
    story.append(Heading("Assessment", "h2", level=2, toc=False))
    story += _assessment(paper, prog, names)
    story.append(Heading("Plan", "h2", level=2, toc=False))
    story += plan_summary(paper.plan, prog, names)
    story.append(Heading("Actions", "h2", level=2, toc=False))
    note = overdue_note(paper.actions)
    table = actions_table(paper.actions, names)
    # Flat, not KeepTogether: ReportLab cannot keep a heading with a KeepTogether after it.
    story += [note, table] if note else [table]
    story.append(Heading("New information by agency", "h2", level=2, toc=False))
    story += _contributions(paper, ctx, names)
    return story
