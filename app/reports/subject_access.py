"""The subject access report: everything the store holds about one person, across their cases.

Job: ``render_subject_access(data) -> bytes``: a statement of what the report is; the person;
then per case the case facts, referrals, status history, screening decisions, consent,
assessments, plans, actions, panel discussions and information from agencies.

Invariants: every item another agency contributed is printed inside a ruled box headed
"Contributed by X — for X's decision on disclosure" (in words, so the marking survives greyscale
copies and separated pages); items restricted away from the disclosing agency are listed by
originator and date only (their text never reaches this module). Metadata names no person.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.models.attachments import size_text
from app.models.documents import SubjectAccessCase, SubjectAccessData
from app.models.domain import Assessment, Contribution, FactorRating
from app.models.framework import Framework, split_summaries
from app.models.rules import rationale_beyond
from app.reports.parts import actions_table
from app.reports.styles import INK, M, P, data_table, esc, facts_table, fmt_date, paras
from app.reports.template import Heading, build_pdf

DISCLOSURE_NOTE = "for {agency}'s decision on disclosure"


def other_agency_label(agency: str) -> str:
    """The words that mark another agency's information (also what tests look for)."""
    return f"Contributed by {agency} — " + DISCLOSURE_NOTE.format(agency=agency)


def _boxed(head: str, body: list[Flowable]) -> Flowable:
    rows = [[M(f"<b>{esc(head)}</b>", "cell_bold")], *[[f] for f in body]]
    t = Table(rows, colWidths=[170 * mm], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def _none(what: str) -> Flowable:
    return P(f"No {what} recorded.", "small")


def _factor_label(fw: Framework, f: FactorRating) -> str:
    return f"{fw.dimension_label(f.dimension)}: {fw.factor_label(f.dimension, f.factor)}"


def _contribution(data: SubjectAccessData, c: Contribution) -> Flowable:
    names = data.names
    meta = (
        f"{fmt_date(c.recorded_on)} · {c.kind} · {c.marking.value} · "
        f"recorded by {names.member(c.author)}"
    )
    body: list[Flowable] = [P(meta, "small"), *paras(c.text, "cell")]
    if c.agency_id != data.own_agency:
        return _boxed(other_agency_label(names.agency(c.agency_id)), body)
    return KeepTogether([P(names.agency(c.agency_id), "h3"), *body, Spacer(1, 4)])


def _case(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Everything the store holds on one case of the person, section by section."""
    story = _case_facts(data, part)
    for section in (_referrals, _status_history, _screenings, _consents, _assessments, _plans):
        story += section(data, part)
    story += [Heading("Actions", "h2", level=1, toc=False), actions_table(part.actions, data.names)]
    for section in (_discussions, _agency_information, _attached_documents):
        story += section(data, part)
    return story


def _case_facts(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """The case's heading and facts."""
    prog, names, c = data.context.programme, data.names, part.case
    return [
        Heading(f"Case {c.ref}", "h1", level=0, toc=False),
        facts_table(
            [
                ("Status", prog.status_label(c.status)),
                ("Opened", fmt_date(c.opened)),
                ("Closed", fmt_date(c.closed) if c.closed else "—"),
                ("Exited", fmt_date(c.exited_on) if c.exited_on else "—"),
                ("Lead agency", names.agency(c.lead_agency)),
                ("Case officer", names.member(c.case_officer)),
                ("Shared with", ", ".join(sorted(names.agency(a) for a in c.shared_with)) or "—"),
                ("Marking", c.marking.value),
            ]
        ),
    ]


def _referrals(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """The referral(s) that opened the case."""
    prog = data.context.programme
    story: list[Flowable] = []
    if part.linked_people:
        story.append(Heading("People linked to the case", "h2", level=1, toc=False))
        rows_p: list[list[object]] = [
            [label, p.display_name + (f" (also known as {', '.join(p.aliases)})" if p.aliases else ""),
             fmt_date(p.date_of_birth),
             "; ".join(f"{i.kind.upper()} {i.value}" for i in p.identifiers) or "—"]
            for label, p in part.linked_people
        ]
        story.append(data_table(["Role", "Name", "Date of birth", "Identifiers"], rows_p,
                                [38 * mm, 52 * mm, 30 * mm, 50 * mm]))
    story.append(Heading("Referral", "h2", level=1, toc=False))
    if not part.referrals:
        story.append(_none("referral"))
    for r in part.referrals:
        sector = prog.sector(r.sector)
        concern = prog.concern(r.concern)
        story += [
            facts_table(
                [
                    ("Received", fmt_date(r.received)),
                    ("Referrer", r.referrer or "—"),
                    ("Sector", sector.label if sector else r.sector),
                    ("Type of concern", concern.label if concern else r.concern),
                ]
            ),
            *paras(r.narrative or "—"),
        ]
    return story


def _section(title: str, what: str, any_recorded: bool) -> list[Flowable]:
    """A section heading, and "No <what> recorded." when there is nothing under it."""
    return [Heading(title, "h2", level=1, toc=False), *(() if any_recorded else (_none(what),))]


def _table_section(
    title: str, what: str, headers: list[str], rows: list[list[object]], widths: list[float]
) -> list[Flowable]:
    """A section heading and its table, or "No <what> recorded." when there are no rows."""
    story = _section(title, what, bool(rows))
    return [*story, data_table(headers, rows, widths)] if rows else story


def _status_history(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Every change of status, with its rationale."""
    prog = data.context.programme
    rows: list[list[object]] = [
        [at[:10], prog.status_label(src) if src else "—", prog.status_label(dst),
         rationale_beyond(prog.status_label(dst), why) or "—"]
        for at, src, dst, why in part.status_history
    ]
    return _table_section("Status history", "status change", ["Date", "From", "To", "Rationale"],
                          rows, [22 * mm, 36 * mm, 36 * mm, 76 * mm])  # fmt: skip


def _screenings(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Screening decisions."""
    prog, names = data.context.programme, data.names
    outcomes = {o.id: o.label for o in prog.screening_outcomes}
    rows: list[list[object]] = [
        [fmt_date(s.decided_on), outcomes.get(s.outcome, s.outcome),
         rationale_beyond(outcomes.get(s.outcome, s.outcome), s.rationale) or "—", names.member(s.decided_by)]
        for s in part.screenings
    ]
    return _table_section("Screening decisions", "screening decision",
                          ["Date", "Outcome", "Rationale", "Decided by"], rows,
                          [22 * mm, 40 * mm, 72 * mm, 36 * mm])  # fmt: skip


def _consents(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Consent records."""
    rows: list[list[object]] = [
        [fmt_date(k.recorded_on), k.state.value, k.given_by, k.notes or "—",
         fmt_date(k.reassess_on) if k.reassess_on else "—"]
        for k in part.consents
    ]  # fmt: skip
    return _table_section("Consent", "consent", ["Date", "Consent", "Given by", "Notes", "Re-assess"],
                          rows, [22 * mm, 22 * mm, 24 * mm, 80 * mm, 22 * mm])  # fmt: skip


def _assessments(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Every version of the assessment."""
    story = _section("Assessments", "assessment", bool(part.assessments))
    for a in part.assessments:
        story += _assessment(data, a)
    return story


def _assessment(data: SubjectAccessData, a: Assessment) -> list[Flowable]:
    """One version: level, case fields, summaries, judgement, and factors (others' boxed)."""
    prog, names = data.context.programme, data.names
    # the framework this version was recorded with (a young people's checklist, say)
    fw = prog.framework_of(split_summaries(a.dimension_summaries))
    dims = {d.id: d.label for d in fw.dimensions}
    story: list[Flowable] = []
    story.append(
        M(
            f"<b>Version {a.version}</b>, {esc(fmt_date(a.assessed_on))}, by "
            f"{esc(names.member(a.author))}: risk level "
            f"<b>{esc(fw.level_label(a.risk_level, none='—'))}</b>",
            "h3",
        )
    )
    # the choices the panel recorded about the person with this version (a category, a level),
    # and why a level differs from what a checklist suggested
    notes = split_summaries(a.dimension_summaries)
    for value in prog.case_field_values(notes.case_fields):
        story.append(P(f"{value.field.label}: {value.label}", "body"))
    if notes.suggested_level:
        story.append(P(f"Level the checklist suggested: {fw.level_label(notes.suggested_level, none='—')}", "body"))
    if notes.level_reason:
        story.append(P(f"Why the level chosen differs: {notes.level_reason}", "body"))
    for key, text in a.dimension_summaries:
        if key in dims and text:
            story.append(P(f"{dims[key]}: {text}", "body"))
    if a.overall:
        story += paras(a.overall)
    own = [f for f in a.factors if f.source_agency in (None, data.own_agency)]
    others = [f for f in a.factors if f.source_agency not in (None, data.own_agency)]
    if own:
        story.append(
            data_table(
                ["Factor", "Rating", "Evidence"],
                [[_factor_label(fw, f), fw.rating_label(f.rating), f.evidence or "—"]
                 for f in own],
                [60 * mm, 26 * mm, 84 * mm],
            )
        )
    for f in others:
        story.append(
            _boxed(
                other_agency_label(names.agency(f.source_agency)),
                [P(f"{_factor_label(fw, f)} — {fw.rating_label(f.rating)}", "cell"),
                 *paras(f.evidence or "—", "cell")],
            )
        )
    return story


def _plans(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Every version of the plan."""
    prog, names = data.context.programme, data.names
    story = _section("Plans", "plan", bool(part.plans))
    headings = {h.id: h.label for h in prog.plan_headings}
    for p in part.plans:
        approved = (
            f"approved by {names.member(p.approved_by)} on {fmt_date(p.approved_on)}"
            if p.approved
            else "not approved"
        )
        story.append(
            P(f"Version {p.version}, written {fmt_date(p.created_on)} by "
              f"{names.member(p.author)}; {approved}", "h3")
        )
        risk = p.risk
        pairs = [
            ("What is the risk", risk.nature), ("To whom", risk.who_at_risk),
            ("How soon", risk.imminence), ("What raises it", risk.increases),
            ("What lowers it", risk.decreases), ("Protective factors", risk.protective),
        ]
        story.append(facts_table([(k, v) for k, v in pairs if v] or [("Risk", "Not recorded")]))
        for o in p.objectives:
            story.append(P(f"{headings.get(o.heading, o.heading)}: {o.text}", "body"))
        if p.contingency:
            story.append(P(f"Contingency: {p.contingency}", "body"))
    return story


def _discussions(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """What the panel discussed and decided about the case."""
    story = _section("Panel discussions", "panel discussion", bool(part.discussions))
    for d in part.discussions:
        i = d.item
        pairs2 = [
            ("Meeting", fmt_date(d.held_on)),
            ("Item", i.title or i.kind.value),
            ("Discussion", i.discussion or "—"),
            ("Decision", i.decision or "—"),
            ("Rationale", i.rationale or "—"),
            ("Dissent", i.dissent or "—"),
        ]
        story += [facts_table(pairs2), Spacer(1, 4)]
    return story


def _agency_information(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Information from agencies; restricted items only said to exist."""
    names = data.names
    story = _section("Information from agencies", "information", bool(part.contributions or part.withheld))
    for k in part.contributions:
        story += [_contribution(data, k), Spacer(1, 4)]
    for k in part.withheld:
        agency = names.agency(k.agency_id)
        story += [
            _boxed(
                other_agency_label(agency),
                [P(f"An item recorded on {fmt_date(k.recorded_on)} is held but restricted by "
                   f"{agency}; its content is not shown here. Refer to {agency}.", "cell")],
            ),
            Spacer(1, 4),
        ]
    return story


def _attached_documents(data: SubjectAccessData, part: SubjectAccessCase) -> list[Flowable]:
    """Documents attached to the case: listed (the documents themselves are saved separately,
    each as an audited copy); other agencies' marked for their decision; restricted ones only
    said to exist."""
    names = data.names
    story = _section("Attached documents", "attached document",
                     bool(part.attachments or part.withheld_attachments))
    if part.attachments:
        story.append(P("The documents themselves are held in the store: save a copy of each "
                       "(“Save a copy…”, or roundtable attachment save) to include it.", "small"))
    for a in part.attachments:
        meta = (f"{a.filename} · {size_text(a.size)} · attached {fmt_date(a.attached_on)} by "
                f"{names.member(a.author)} ({names.agency(a.agency_id)})")
        body: list[Flowable] = [P(meta, "cell"), *(paras(a.description, "small") if a.description else [])]
        if a.agency_id != data.own_agency:
            story += [_boxed(other_agency_label(names.agency(a.agency_id)), body), Spacer(1, 4)]
        else:
            story += [KeepTogether([*body, Spacer(1, 4)])]
    for a in part.withheld_attachments:
        agency = names.agency(a.agency_id)
        story += [
            _boxed(other_agency_label(agency),
                   [P(f"A document attached on {fmt_date(a.attached_on)} is held but restricted by "
                      f"{agency}; it is not shown here. Refer to {agency}.", "cell")]),
            Spacer(1, 4),
        ]
    return story


def render_subject_access(data: SubjectAccessData, *, compress: bool = True) -> bytes:
    """The report as PDF bytes."""
    s, ctx = data.subject, data.context
    age = s.age_on(ctx.generated_at.date())
    ids = ", ".join(f"{i.kind.upper()} {i.value}" for i in s.identifiers) or "—"
    refs = ", ".join(p.case.ref for p in data.cases) or "none"
    story: list[Flowable] = [
        Heading("Subject access report", "title", level=0, toc=False),
        P(ctx.panel_name, "subtitle"),
        P(
            f"Everything this panel's store holds about the person below, across "
            f"{len(data.cases)} case(s): {refs}. Information that another agency contributed is "
            "marked “Contributed by … — for …'s decision on disclosure”: it must not be disclosed "
            "without that agency's decision.",
            "statement",
        ),
        Heading("The person", "h1", level=0, toc=False),
        facts_table(
            [
                ("Name", s.display_name),
                ("Also known as", ", ".join(s.aliases) or "—"),
                ("Date of birth",
                 fmt_date(s.date_of_birth) + (f" (age {age})" if age is not None else "")),
                ("Gender", s.gender or "—"),
                ("Ethnicity", s.ethnicity or "—"),
                ("Address", " ".join(x for x in (s.address, s.postcode) if x) or "—"),
                ("Area", s.area or "—"),
                ("Identifiers", ids),
                ("Vulnerabilities", s.vulnerabilities or "—"),
            ]
        ),
    ]
    for part in data.cases:
        story += _case(data, part)
    return build_pdf(
        story,
        ctx,
        title="Subject access report",
        subject="Subject access report",
        doc_label="Subject access report",
        compress=compress,
    )
