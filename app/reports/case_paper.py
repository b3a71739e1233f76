"""One case paper of a meeting pack: the person, referral, assessment and what changed, risk level
and its history, plan, actions and new information by agency.

Job: turn a :class:`CasePaper` into flowables. Invariant: it prints only what the paper holds (the
caller has applied need-to-know); it looks nothing up beyond the programme and the names given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from app.config.i18n import _, in_each_language, ngettext
from app.models.assessment_changes import assessment_changes
from app.models.documents import CasePaper, DocumentContext, Names
from app.models.domain import Assessment, Plan
from app.models.enums import Marking
from app.models.framework import Framework, split_summaries
from app.models.programme import Programme
from app.reports.charts import risk_history_chart
from app.reports.parts import actions_table, overdue_note, programme_text
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
from app.reports.template import Heading, marking_text


def what_changed(a: Assessment, prev: Assessment | None, programme: Programme) -> list[str]:
    """The "What changed" sentences (``models.assessment_changes``, as the desktop compares)."""
    if prev is None:
        return [_("First assessment: there is no earlier one to compare with.")]
    lines = assessment_changes(programme, prev, a).sentences()
    return lines or [_("No change in ratings or risk level since the last assessment.")]


def _was(programme: Programme, rating: str) -> str:
    return _("(was {rating})").format(rating=programme_text(programme, rating))


def _handling(marking: Marking) -> str:
    return _("handling: {marking}").format(marking=marking_text(marking))


def _assessment(paper: CasePaper, programme: Programme, names: Names) -> list[Flowable]:
    a = paper.assessment
    if a is None:
        return [P(_("No assessment has been recorded yet."), "small")]
    # the framework this version was recorded with (a young people's checklist, say)
    framework = programme.framework_of(split_summaries(a.dimension_summaries))
    named = f" {framework.name}." if len(programme.frameworks) > 1 else ""
    prev = paper.previous_assessment
    def version() -> str:
        text = _("Version {version}, {when}, by {author}.").format(
            version=a.version, when=fmt_date(a.assessed_on), author=names.member(a.author)
        )
        if prev:
            text += " " + _("Previous: version {version}, {when}.").format(
                version=prev.version, when=fmt_date(prev.assessed_on)
            )
        return text

    story: list[Flowable] = [
        P(in_each_language(version) + named, "small"),
        Heading(_("What changed"), "h3", level=3, toc=False),
    ]
    lines = what_changed(a, prev, programme)
    story += [M(f"•&nbsp;&nbsp;{esc(line)}", "body") for line in lines]
    story.append(Heading(_("Overall judgement"), "h3", level=3, toc=False))
    story += paras(a.overall)
    summaries = dict(a.dimension_summaries)
    for d in framework.dimensions:
        if summaries.get(d.id):
            story.append(M(f"<b>{esc(programme_text(programme, d.label))}.</b> {esc(summaries[d.id])}"))
    before = {(f.dimension, f.factor): f.rating for f in prev.factors} if prev else {}
    rows: list[list[object]] = []
    for f in a.factors:
        dim = programme_text(programme, framework.dimension_label(f.dimension))
        fac = programme_text(programme, framework.factor_label(f.dimension, f.factor))
        rating = programme_text(programme, framework.rating_label(f.rating))
        old = before.get((f.dimension, f.factor))
        if old is not None and old != f.rating:
            was = in_each_language(partial(_was, programme, framework.rating_label(old)))
            rating = f"{rating}\n{was}"
        source = names.agency(f.source_agency) if f.source_agency else ""
        rows.append([f"{dim}\n{fac}", rating, f.evidence, source])
    if rows:
        story.append(Spacer(1, 4))
        story.append(
            data_table(
                [_("Factor"), _("Rating"), _("Evidence"), _("Source")],
                rows,
                [46 * mm, 28 * mm, 70 * mm, 26 * mm],
            )
        )
    return story


def _risk_block(paper: CasePaper, framework: Framework, programme: Programme) -> Flowable:
    level = paper.assessment.risk_level if paper.assessment else paper.case.risk_level
    label = framework.level_label(level, none=_("Not assessed"))
    label = programme_text(programme, label)
    left = [P(_("Current risk level"), "label"), M(f"<b>{esc(label.upper())}</b>", "h2")]
    if paper.risk_history:
        n = len(paper.risk_history)
        since = in_each_language(
            lambda: ngettext(
                "{n} assessment since {when}", "{n} assessments since {when}", n
            ).format(n=n, when=fmt_date(paper.risk_history[0][0]))
        )
        left.append(P(since, "small"))
    t = Table(
        [[left, risk_history_chart(
            paper.risk_history, framework, words=lambda text: programme_text(programme, text)
        )]],
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
        return [P(_("No plan has been agreed yet."), "small")]

    def line() -> str:
        approval = (
            _("approved by {chair} on {when}").format(
                chair=names.member(plan.approved_by), when=fmt_date(plan.approved_on)
            )
            if plan.approved
            else _("NOT YET APPROVED")
        )
        return _("Version {version}, {approval}. Review due {when}.").format(
            version=plan.version, approval=approval, when=fmt_date(plan.review_on)
        )

    story: list[Flowable] = [P(in_each_language(line), "small")]
    labels = {h.id: programme_text(programme, h.label) for h in programme.plan_headings}
    rows = [[labels.get(o.heading, o.heading), o.text] for o in plan.objectives]
    if rows:
        story.append(data_table([_("Heading"), _("Objective")], rows, [50 * mm, 120 * mm]))
    return story


def _contributions(paper: CasePaper, ctx: DocumentContext, names: Names) -> list[Flowable]:
    if not paper.new_contributions:
        return [P(_("No new information since the last meeting."), "small")]
    by_agency: dict[str, list] = defaultdict(list)
    for c in paper.new_contributions:
        by_agency[names.agency(c.agency_id)].append(c)
    story: list[Flowable] = []
    for agency in sorted(by_agency):
        story.append(Heading(agency, "h3", level=3, toc=False))
        for c in sorted(by_agency[agency], key=lambda c: c.recorded_on):
            meta = [
                fmt_date(c.recorded_on),
                c.kind.capitalize(),
                _("by {author}").format(author=names.member(c.author)),
            ]
            if c.marking is not ctx.marking:
                meta.append(in_each_language(partial(_handling, c.marking)))
            if c.restricted_to:
                shared = ", ".join(sorted(names.agency(a) for a in c.restricted_to))
                meta.append(_("not to be shared beyond {agencies}").format(agencies=shared))
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
        dob = fmt_date(p.date_of_birth) + (_(" (age {age})").format(age=age) if age is not None else "")
        also = _(" (also known as {names})").format(names=", ".join(p.aliases))
        name = p.display_name + (also if p.aliases else "")
        ids = "; ".join(f"{i.kind.upper() if len(i.kind) <= 3 else i.kind.capitalize()} {i.value}" for i in p.identifiers) or "—"
        rows.append([label, name, dob, ids + (f". {p.notes}" if p.notes else "")])
    return [
        Heading(_("People linked to the case"), "h2", level=2, toc=False),
        data_table([_("Role"), _("Name"), _("Date of birth"), _("Identifiers and notes")], rows,
                   [38 * mm, 45 * mm, 32 * mm, 55 * mm]),
    ]


def _agenda_place(paper: CasePaper, prog: Programme) -> str:
    assert paper.agenda_kind is not None
    label = programme_text(prog, prog.agenda_label(paper.agenda_kind, item=True))
    if not paper.agenda_number:
        return label
    return _("item {number}, {kind}").format(number=paper.agenda_number, kind=label)


def case_paper_story(paper: CasePaper, ctx: DocumentContext, names: Names) -> list[Flowable]:
    s, c, prog = paper.subject, paper.case, ctx.programme
    today: dt.date = ctx.generated_at.date()
    story: list[Flowable] = [
        Heading(f"{c.ref}  {s.display_name}", "h1", level=1),
        facts_table(_facts(paper, prog, names, today)),
        *_linked_people(paper, today),
        Spacer(1, 8),
        _risk_block(paper, prog.framework, prog),
        Heading(_("Referral"), "h2", level=2, toc=False),
        *_referral(paper, prog),
    ]
    story.append(Heading(_("Assessment"), "h2", level=2, toc=False))
    story += _assessment(paper, prog, names)
    story.append(Heading(_("Plan"), "h2", level=2, toc=False))
    story += plan_summary(paper.plan, prog, names)
    story.append(Heading(_("Actions"), "h2", level=2, toc=False))
    note = overdue_note(paper.actions)
    table = actions_table(paper.actions, names)
    # Flat, not KeepTogether: ReportLab cannot keep a heading with a KeepTogether after it.
    story += [note, table] if note else [table]
    story.append(Heading(_("New information by agency"), "h2", level=2, toc=False))
    story += _contributions(paper, ctx, names)
    return story


def _facts(paper: CasePaper, prog: Programme, names: Names, today: dt.date) -> list[tuple[str, object]]:
    """The subject's and the case's facts, in the table at the head of the paper."""
    s, c = paper.subject, paper.case
    age = s.age_on(today)
    dob = fmt_date(s.date_of_birth) + (_(" (age {age})").format(age=age) if age is not None else "")
    where = ", ".join(x for x in (s.area, s.postcode) if x)
    facts: list[tuple[str, object]] = [(_("Name"), s.display_name)]
    if s.aliases:
        facts.append((_("Also known as"), ", ".join(s.aliases)))
    facts += [(_("Date of birth"), dob), (_("Gender"), s.gender or "—")]
    if s.address or where:
        facts.append((_("Address"), ", ".join(x for x in (s.address, where) if x)))
    if s.vulnerabilities:
        facts.append((_("Vulnerabilities"), s.vulnerabilities))
    on_agenda = ""
    if paper.agenda_kind:
        on_agenda = in_each_language(
            lambda: _(" · on the agenda as: {place}").format(place=_agenda_place(paper, prog))
        )
    facts += [
        (_("Status"), programme_text(prog, prog.status_label(c.status)) + on_agenda),
        *(
            (programme_text(prog, v.field.label), programme_text(prog, v.label))
            for v in paper.case_fields
        ),
        (_("Lead agency"), names.agency(c.lead_agency)),
        (_("Case officer"), names.member(c.case_officer)),
        (_("Opened"), fmt_date(c.opened)),
        (_("Next review"), fmt_date(c.next_review)),
    ]
    if paper.consent is not None:
        k = paper.consent
        facts.append(
            (
                _("Consent"),
                in_each_language(
                    lambda: _("{state} by {who}, {when}").format(
                        state=k.state.value.capitalize(),
                        who=k.given_by,
                        when=fmt_date(k.recorded_on),
                    )
                    + (
                        _("; re-assess {when}").format(when=fmt_date(k.reassess_on))
                        if k.reassess_on
                        else ""
                    )
                ),
            )
        )
    return facts


def _referral(paper: CasePaper, prog: Programme) -> list[Flowable]:
    """How the case was referred, and the referral's own words."""
    r = paper.referral
    if r is None:
        return [P(_("No referral is held for this case."), "small")]
    sector = prog.sector(r.sector)
    concern = prog.concern(r.concern)
    return [
        P(
            in_each_language(
                lambda: _(
                    "Received {when} from {referrer} ({sector}). Type of concern: {concern}."
                ).format(
                    when=fmt_date(r.received),
                    referrer=r.referrer,
                    sector=programme_text(prog, sector.label) if sector else r.sector,
                    concern=programme_text(prog, concern.label) if concern else r.concern,
                )
            ),
            "small",
        ),
        *paras(r.narrative),
    ]
