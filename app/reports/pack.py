"""The meeting pack: one PDF per meeting and recipient.

Job: ``render_meeting_pack(data) -> bytes`` with, in order: cover; confidentiality statement;
contents with page numbers; agenda (one numbered line per item, its kind on the line); minutes and action log of the last meeting; one paper
per case; attendance sheet.

Invariants: the pack prints exactly the data it is given, which the caller has already cut to what
this recipient may see (restricted content is absent, not hidden); every page carries the marking
twice, the recipient line and a watermark of the recipient's name (template); the metadata names
the meeting, never a subject.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer, Table, TableStyle

from app.config.i18n import Language, _, each_language, in_each_language, ngettext, using_language
from app.models.documents import MeetingPackData
from app.reports.case_paper import case_paper_story
from app.reports.minutes import minutes_story
from app.reports.parts import actions_table, overdue_note, programme_text, withheld
from app.reports.styles import (
    INK,
    MUTED,
    RULE,
    M,
    P,
    bold,
    data_table,
    esc,
    facts_table,
    fmt_date,
    fmt_datetime,
    paras,
)
from app.reports.template import Contents, Heading, build_pdf, copy_line


def _cover(data: MeetingPackData) -> list[Flowable]:
    ctx, m = data.context, data.meeting
    copy = Table(
        [
            [M(bold(copy_line(ctx) or _("Copy for the panel file")), "h2")],
            [
                P(
                    _(
                        "This copy holds only the information its recipient may see. Keep it "
                        "secure, do not copy it, and return it or destroy it securely after the "
                        "meeting."
                    ),
                    "small",
                )
            ],
        ],
        colWidths=[170 * mm],
        hAlign="LEFT",
    )
    copy.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (0, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
            ]
        )
    )
    cases = len(data.case_papers)
    return [
        Spacer(1, 28 * mm),
        P(ctx.panel_name, "subtitle"),
        M(esc(_("Meeting pack")), "title"),
        P(fmt_date(m.held_on, long=True), "subtitle"),
        Spacer(1, 6 * mm),
        facts_table(
            [
                (_("Time"), m.time or "—"),
                (_("Venue"), m.venue or "—"),
                (_("Chair"), data.names.member(m.chair)),
                (_("Case papers"), ngettext("{n} case", "{n} cases", cases).format(n=cases)),
                (
                    _("Prepared"),
                    in_each_language(
                        lambda: _("{when} by {author}").format(
                            when=fmt_datetime(ctx.generated_at), author=ctx.author
                        )
                    ),
                ),
            ]
        ),
        Spacer(1, 14 * mm),
        copy,
        PageBreak(),
    ]


def _agenda(data: MeetingPackData) -> list[Flowable]:
    """The whole agenda in the meeting's order and numbering, the same on every copy: one table,
    one line per item, each shared item naming its own kind ("New referral") in the last column.
    An item withheld from this recipient keeps its number and says so, nothing else; there are no
    headings by kind, so nothing printed over a withheld line tells what kind of item it is (a
    heading over a run of items would cover the withheld ones in it)."""
    story: list[Flowable] = [Heading(_("Agenda"), "h1", level=0)]
    if not data.agenda:
        return [*story, P(_("No items on the agenda."), "small")]
    prog = data.context.programme
    rows: list[list[object]] = []
    spans: list[tuple[object, ...]] = []
    for r, line in enumerate(data.agenda, start=1):  # row 0 is the header
        item = line.item
        if item is None:  # its number and WITHHELD across the rest of the line: no kind, no title
            rows.append([str(line.number), P(withheld(), "small"), ""])
            spans.append(("SPAN", (1, r), (2, r)))
            continue
        label = data.names.case(item.case_id) if item.case_id else ""
        rows.append([str(line.number), "  ".join(x for x in (label, item.title) if x) or "—",
                     programme_text(prog, prog.agenda_label(item.kind, item=True))])
    story.append(data_table([_("No."), _("Item"), _("Kind")], rows, [12 * mm, 116 * mm, 42 * mm], zebra=False,
                            extra=spans))
    return story


def _previous(data: MeetingPackData) -> list[Flowable]:
    story: list[Flowable] = [Heading(_("Minutes of the last meeting"), "h1", level=0)]
    if data.previous_minutes is None:
        story.append(P(_("This is the panel's first meeting in Roundtable."), "small"))
    else:
        story += minutes_story(data.previous_minutes, summary=False, level=0)
    story += [CondPageBreak(60 * mm), Heading(_("Action log"), "h1", level=0)]
    note = overdue_note(data.action_log)
    if note is not None:
        story.append(note)
    story.append(actions_table(data.action_log, data.names, with_case=True))
    return story


def _attendance_sheet(data: MeetingPackData) -> list[Flowable]:
    rows = [[a.name, a.agency, "", ""] for a in data.attendance]
    rows += [["", "", "", ""] for _ in range(4)]  # space for people not expected
    sheet = data_table(
        [_("Name"), _("Agency"), _("Signature"), _("Agreed")],
        rows,
        [52 * mm, 50 * mm, 50 * mm, 18 * mm],
        zebra=False,
        extra=[
            ("ALIGN", (3, 1), (3, -1), "CENTER"),
            ("TOPPADDING", (0, 1), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 1), (-1, -1), 8),
            ("LINEBELOW", (0, 1), (-1, -1), 0.5, MUTED),
            ("GRID", (2, 1), (3, -1), 0.4, RULE),
        ],
    )
    return [
        Heading(_("Attendance sheet"), "h1", level=0),
        P(
            _(
                "By signing, each attendee confirms they have read and agree to the "
                "confidentiality statement at the front of this pack."
            ),
            "small",
        ),
        Spacer(1, 4),
        sheet,
    ]


def render_meeting_pack(
    data: MeetingPackData, *, compress: bool = True, language: Language = Language.EN
) -> bytes:
    """The pack for one recipient, as PDF bytes, in English, Welsh or both (Welsh first)."""
    with using_language(language):
        return _render_meeting_pack(data, compress=compress)


def _render_meeting_pack(data: MeetingPackData, *, compress: bool) -> bytes:
    ctx = data.context
    story: list[Flowable] = _cover(data)
    story += [Heading(_("Confidentiality statement"), "h1", level=0)]
    # the programme's statement in the document's language (confidentiality_statement_cy); in a
    # bilingual pack the Welsh paragraphs, then the English; once where there is no Welsh
    statement = data.confidentiality_statement
    for text in dict.fromkeys(each_language(lambda: programme_text(ctx.programme, statement))):
        story += paras(text, "statement")
    contents_at = len(story) + 2
    story += [Spacer(1, 8 * mm), M(esc(_("Contents")), "h1"), PageBreak()]
    story += _agenda(data)
    story += [PageBreak(), *_previous(data)]
    if data.case_papers:
        story += [PageBreak(), Heading(_("Case papers"), "h1", level=0)]
        n = len(data.case_papers)
        story.append(
            P(
                ngettext(
                    "{n} case paper, starting on a new page.",
                    "{n} case papers, one per case, each starting on a new page.",
                    n,
                ).format(n=n),
                "small",
            )
        )
        for i, paper in enumerate(data.case_papers):
            if i:
                story.append(PageBreak())
            story += case_paper_story(paper, ctx, data.names)
    story += [PageBreak(), *_attendance_sheet(data)]
    # The contents list is built last, from the headings now in the story, and put in its place.
    story.insert(contents_at, Contents([f for f in story if isinstance(f, Heading)]))
    return build_pdf(
        story,
        ctx,
        title=in_each_language(
            lambda: _("Meeting pack, {panel}, {when}").format(
                panel=ctx.panel_name, when=fmt_date(data.meeting.held_on, long=True)
            )
        ),
        subject=in_each_language(
            lambda: _("Meeting pack for the meeting of {when}").format(
                when=fmt_date(data.meeting.held_on, long=True)
            )
        )
        + (f"; {copy_line(ctx)}" if copy_line(ctx) else ""),
        doc_label=in_each_language(
            lambda: _("Meeting pack, {when}").format(when=fmt_date(data.meeting.held_on))
        ),
        compress=compress,
    )
