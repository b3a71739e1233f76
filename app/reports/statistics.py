"""The statistics report: named tables of counts and bar charts, for publication or returns.

Job: ``render_statistics(data) -> bytes``. Invariants: every number arrives already suppressed
(``"<5"``) and is printed as given; a chart value of ``None`` is drawn as no bar (see charts), so
nothing here can undo small-number suppression. The report has no named recipient unless the
context gives one.
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.config.i18n import Language, _, in_each_language, using_language
from app.models.documents import StatisticsReportData, StatSeries, StatTable
from app.reports.charts import bar_chart
from app.reports.styles import P, data_table, fmt_datetime
from app.reports.template import Heading, build_pdf


def _table(t: StatTable, lead: list[Flowable]) -> list[Flowable]:
    rows: list[list[object]] = [[label, value] for label, value in t.rows]
    parts: list[Flowable] = [*lead, Heading(t.title, "h2", level=1, toc=False)]
    if rows:
        parts.append(
            data_table(
                [t.label_heading, t.value_heading],
                rows,
                [120 * mm, 30 * mm],
                extra=[("ALIGN", (1, 0), (1, -1), "RIGHT")],
            )
        )
    else:
        parts.append(P(_("No data for this period."), "small"))
    if t.note:
        parts.append(P(t.note, "small"))
    parts.append(Spacer(1, 6))
    # A short table reads badly split from its title; long ones may split. (A heading cannot
    # keep with a following KeepTogether in ReportLab, so headings go inside it.)
    return [KeepTogether(parts)] if len(rows) <= 14 else parts


MAX_BARS = 30  # bars per chart: a chart must fit on one A4 page (a long period is split)


def _charts(series: StatSeries) -> list[Flowable]:
    """One chart, or for a long series (months over several years) consecutive charts of at
    most ``MAX_BARS`` bars on one shared axis, titled "(1 of 3)", so every bar is comparable."""
    points = series.points
    if len(points) <= MAX_BARS:
        return [bar_chart(series), Spacer(1, 8)]
    scale = max((v for _, v in points if v is not None), default=0)
    chunks = [points[i:i + MAX_BARS] for i in range(0, len(points), MAX_BARS)]
    out: list[Flowable] = []
    for k, chunk in enumerate(chunks, start=1):
        part = replace(
            series,
            title=_("{title} ({k} of {n})").format(title=series.title, k=k, n=len(chunks)),
            points=chunk,
        )
        out += [bar_chart(part, scale=scale), Spacer(1, 8)]
    return out


def render_statistics(
    data: StatisticsReportData, *, compress: bool = True, language: Language = Language.EN
) -> bytes:
    """The report's own words, marking, dates and page numbers in ``language``; its titles, table
    headings and row labels arrive from the caller as they are (app.services.statistics)."""
    with using_language(language):
        return _render_statistics(data, compress=compress)


def _render_statistics(data: StatisticsReportData, *, compress: bool) -> bytes:
    ctx = data.context
    story: list[Flowable] = [
        Heading(data.title, "title", level=0, toc=False),
        P(f"{ctx.panel_name} · {data.period_label}", "subtitle"),
        P(
            in_each_language(
                lambda: _(
                    "Counts from 1 to 4 are shown as “<5” so that no person can be identified "
                    "from these figures. Prepared {when} by {author}."
                ).format(when=fmt_datetime(ctx.generated_at), author=ctx.author)
            ),
            "small",
        ),
    ]
    for note in data.notes:
        story.append(P(note, "small"))
    if data.series:
        story.append(Heading(_("Charts"), "h1", level=0, toc=False))
        for s in data.series:
            story += _charts(s)
    if data.tables:
        lead: list[Flowable] = [Heading(_("Tables"), "h1", level=0, toc=False)]
        for t in data.tables:
            story += _table(t, lead)
            lead = []
    return build_pdf(
        story,
        ctx,
        title=_("{title}, {period}").format(title=data.title, period=data.period_label),
        subject=_("{title} for {panel}, {period}").format(
            title=data.title, panel=ctx.panel_name, period=data.period_label
        ),
        doc_label=data.title,
        compress=compress,
    )
