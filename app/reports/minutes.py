"""Minutes of a meeting, in full or as an executive summary for people outside the panel.

Job: ``render_minutes(data, summary=...) -> bytes`` and the minutes flowables the meeting pack
reuses for "minutes of the last meeting".

Invariant of the summary: it prints attendance, each item's decision and the actions raised, and
identifies cases by reference only. Discussion, rationale, dissent and subject names are *not laid
out at all* (they never reach the page, the outline or the metadata), because the summary goes to
people outside the panel.
"""

from __future__ import annotations

from collections import defaultdict

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.config.i18n import N_, Language, _, in_each_language, using_language
from app.models.documents import MinuteItem, MinutesData, Names
from app.models.enums import Attendance
from app.reports.parts import actions_table, programme_text, withheld
from app.reports.styles import M, P, data_table, esc, facts_table, fmt_date, paras
from app.reports.template import Heading, build_pdf

METHOD_LABEL = {  # English here, translated where printed
    "consensus": N_("Decided by consensus."),
    "majority": N_("Decided by majority."),
    "chair": N_("Decided by the chair's decision."),
}


def attendance_table(data: MinutesData) -> Flowable:
    """Present and apologies grouped by agency (absent members listed in their own column)."""
    by_agency: dict[str, dict[Attendance, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in data.attendees:
        by_agency[a.agency or "—"][a.attendance].append(a.name)
    rows = []
    for agency in sorted(by_agency):
        groups = by_agency[agency]
        rows.append(
            [
                agency,
                "\n".join(sorted(groups[Attendance.PRESENT])) or "—",
                "\n".join(sorted(groups[Attendance.APOLOGIES])) or "—",
                "\n".join(sorted(groups[Attendance.ABSENT])) or "—",
            ]
        )
    if not rows:
        return P(_("No attendance was recorded."), "small")
    return data_table(
        [_("Agency"), _("Present"), _("Apologies"), _("Absent")], rows, [46 * mm, 46 * mm, 42 * mm, 36 * mm]
    )


def confidentiality_line(data: MinutesData) -> Flowable | None:
    """Whether the confidentiality statement was read and who present agreed it (signed); printed
    when the meeting recorded it or the programme requires it."""
    read = data.meeting.confidentiality_read
    if not read and not data.context.programme.confidentiality_signed:
        return None
    if not read:
        return P(_("Confidentiality statement: not recorded as read at this meeting."), "small")
    signed = sorted(a.name for a in data.attendees if a.agreed and a.attendance is Attendance.PRESENT)
    label = esc(_("Confidentiality statement:"))
    if signed:
        rest = _("read at the meeting and agreed by those present (signed: {names}).").format(
            names=", ".join(signed)
        )
    else:
        rest = _("read at the meeting and agreed by those present.")
    return M(f"<b>{label}</b> {esc(rest)}")


def _item_title(n: int, mi: MinuteItem, kind: str, *, summary: bool) -> str:
    item = mi.item
    who = mi.case_ref if summary else "  ".join(x for x in (mi.case_ref, mi.subject_name) if x)
    text = f"{n}. {kind}"
    if who:
        text += f": {who}"
    if item.title and (not summary or not item.case_id):
        text += f" – {item.title}"
    return text


def _item_story(
    n: int, mi: MinuteItem, names: Names, kind: str, *, summary: bool, level: int
) -> list[Flowable]:
    item = mi.item
    story: list[Flowable] = [
        Heading(_item_title(n, mi, kind, summary=summary), "h2", level=level, toc=False)
    ]
    if not summary and item.discussion:
        story.append(P(_("Discussion"), "h3"))
        story += paras(item.discussion)
    story.append(P(_("Decision"), "h3"))
    story += paras(item.decision or _("No decision recorded."))
    if not summary:
        if item.method:
            how = METHOD_LABEL.get(item.method)
            text = _(how) if how else _("Decided: {method}.").format(method=item.method)
            story.append(P(text, "small"))
        if item.rationale:
            story.append(P(_("Rationale"), "h3"))
            story += paras(item.rationale)
        story.append(P(_("Dissent"), "h3"))
        story += paras(item.dissent) if item.dissent else [P(_("None recorded."), "small")]
    if mi.actions_raised:
        story.append(P(_("Actions raised"), "h3"))
        story.append(actions_table(mi.actions_raised, names))
    story.append(Spacer(1, 6))
    return story


def minutes_story(data: MinutesData, *, summary: bool, level: int = 0) -> list[Flowable]:
    """The body of the minutes; ``level`` is the outline level of its top heading."""
    m = data.meeting
    story: list[Flowable] = [
        facts_table(
            [
                (_("Date"), fmt_date(m.held_on, long=True)),
                (_("Time"), m.time or "—"),
                (_("Venue"), m.venue or "—"),
                (_("Chair"), data.names.member(m.chair)),
            ]
        ),
        Heading(_("Attendance"), "h2", level=level + 1, toc=False),
        attendance_table(data),
        *[f for f in (confidentiality_line(data),) if f is not None],
        Heading(
            _("Items") if not summary else _("Decisions and actions"),
            "h2",
            level=level + 1,
            toc=False,
        ),
    ]
    if not data.items and not data.withheld:
        story.append(P(_("No items were minuted."), "small"))
    # in the meeting's order and numbering; an item withheld from this copy keeps its number
    entries: list[tuple[int, MinuteItem | None]] = [
        (mi.number or n, mi) for n, mi in enumerate(data.items, start=1)
    ]
    entries += [(n, None) for n in data.withheld]
    for n, entry in sorted(entries, key=lambda e: e[0]):
        if entry is None:
            story.append(Heading(f"{n}. {withheld()}", "h2", level=level + 2, toc=False))
            continue
        prog = data.context.programme
        kind = programme_text(prog, prog.agenda_label(entry.item.kind, item=True))
        story += _item_story(n, entry, data.names, kind, summary=summary, level=level + 2)
    if data.next_meeting is not None:
        label = esc(_("Next meeting:"))
        story.append(M(f"<b>{label}</b> {esc(fmt_date(data.next_meeting, long=True))}"))
    return story


def render_minutes(
    data: MinutesData, *, summary: bool, compress: bool = True, language: Language = Language.EN
) -> bytes:
    """Minutes as PDF bytes; ``summary=True`` gives the executive summary for outside the panel.
    In English, Welsh or both (Welsh first)."""
    with using_language(language):
        return _render_minutes(data, summary=summary, compress=compress)


def _render_minutes(data: MinutesData, *, summary: bool, compress: bool) -> bytes:
    def kind() -> str:
        return _("Executive summary of minutes") if summary else _("Minutes")

    panel = data.context.panel_name
    held = data.meeting.held_on
    story: list[Flowable] = [
        Heading(kind(), "title", level=0, toc=False),
        P(
            in_each_language(
                lambda: _("{panel} · meeting of {when}").format(
                    panel=panel, when=fmt_date(held, long=True)
                )
            ),
            "subtitle",
        ),
    ]
    if summary:
        story.append(
            P(
                _(
                    "This summary records the panel's decisions and actions only. It is for "
                    "people outside the panel who need to know them; the full minutes are held "
                    "by the panel coordinator."
                ),
                "small",
            )
        )
    story += minutes_story(data, summary=summary, level=0)
    return build_pdf(
        story,
        data.context,
        title=in_each_language(
            lambda: _("{kind}, {panel}, {when}").format(
                kind=kind(), panel=panel, when=fmt_date(held, long=True)
            )
        ),
        subject=in_each_language(
            lambda: _("{kind} of the meeting of {when}").format(
                kind=kind(), when=fmt_date(held, long=True)
            )
        ),
        doc_label=in_each_language(
            lambda: _("{kind}, {when}").format(kind=kind(), when=fmt_date(held))
        ),
        compress=compress,
    )
