"""Small charts drawn with ReportLab's own graphics: a risk-level history and horizontal bars.

Job: charts that read in greyscale and carry their numbers as text (every bar is labelled, every
point of the history sits on a labelled level), so nothing depends on colour. Invariants: a
suppressed statistic (``None``) is drawn as no bar with its suppression label, never as a bar whose
length would reveal the number; labels are untrusted text drawn with drawString (no markup).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.config.i18n import _
from app.models.documents import StatSeries
from app.models.framework import Framework
from app.reports.fonts import BOLD, REGULAR
from app.reports.styles import ACCENT, INK, MUTED, RULE, fmt_date, plain

BAR = colors.Color(0.33, 0.40, 0.48)


def _clip(text: str, font: str, size: float, width: float) -> str:
    text = plain(text)
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _text(
    x: float, y: float, text: str, *, size: float, font: str = REGULAR,
    colour: colors.Color = MUTED, anchor: str = "start",
) -> String:
    """A string drawn as text (labels are untrusted: never markup)."""
    return String(x, y, text, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def risk_history_chart(
    history: tuple[tuple[dt.date, str], ...],
    framework: Framework,
    width: float = 95 * mm,
    *,
    words: Callable[[str], str] = str,
) -> Drawing:
    """Risk level over time: one row per programme level, a stepped line through the dates.
    ``words`` puts a level's label in the document's language (reports.parts.programme_text)."""
    levels = sorted(framework.risk_levels, key=lambda r: r.rank)
    rank_of = {r.id: i for i, r in enumerate(levels)}
    points = [(d, rank_of[level]) for d, level in history if level in rank_of]
    row_h = 7.0 * mm / 1.6
    label_w = 22 * mm
    height = row_h * max(len(levels), 1) + 12 * mm
    d = Drawing(width, height)
    x0, x1 = label_w, width - 6 * mm
    y0 = 9 * mm

    def y(i: int) -> float:
        return y0 + (i + 0.5) * row_h

    for i, lv in enumerate(levels):
        d.add(Line(x0, y(i), x1, y(i), strokeColor=RULE, strokeWidth=0.4, strokeDashArray=[1, 2]))
        d.add(_text(x0 - 3, y(i) - 2.6, _clip(words(lv.label), REGULAR, 7, label_w - 4), size=7,
                    anchor="end"))
    if not points:
        d.add(_text((x0 + x1) / 2, y0 + 2, _("No risk level recorded yet"), size=7.5,
                    anchor="middle"))
        return d
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        if len(points) == 1:
            return (x0 + x1) / 2
        return x0 + 4 + (x1 - x0 - 8) * (day - first).days / span

    coords: list[float] = []
    for i, (day, rank) in enumerate(points):
        if i:  # a level holds until the next assessment changes it: draw steps, not slopes
            coords += [x(day), y(points[i - 1][1])]
        coords += [x(day), y(rank)]
    if len(points) > 1:
        d.add(PolyLine(coords, strokeColor=ACCENT, strokeWidth=1.2))
    for day, rank in points:
        d.add(
            Circle(
                x(day), y(rank), 2.1, fillColor=colors.white, strokeColor=ACCENT, strokeWidth=1.1
            )
        )
    d.add(Circle(x(points[-1][0]), y(points[-1][1]), 2.4, fillColor=ACCENT, strokeColor=ACCENT))
    d.add(Line(x0, y0 - 1, x1, y0 - 1, strokeColor=MUTED, strokeWidth=0.5))
    d.add(_text(x(first), y0 - 8, fmt_date(first), size=6.5,
                anchor="start" if len(points) > 1 else "middle"))
    if len(points) > 1:
        d.add(_text(x(last), y0 - 8, fmt_date(last), size=6.5, anchor="end"))
    return d


def bar_chart(series: StatSeries, width: float = 170 * mm, *, scale: int | None = None) -> Drawing:
    """Horizontal bars, one per label, each with its value printed at its end. ``scale`` is the
    largest value the axis must reach (a series split over several charts shares one axis)."""
    n = max(len(series.points), 1)
    bar_h, gap = 4.2 * mm, 2.2 * mm
    label_w = min(
        62 * mm, max([stringWidth(plain(lb), REGULAR, 8) for lb, _ in series.points] + [20]) + 8
    )
    top_pad, bottom_pad = 9 * mm, 7 * mm
    height = top_pad + bottom_pad + n * (bar_h + gap)
    d = Drawing(width, height)
    x0, x1 = label_w, width - 16 * mm
    values = [v for _, v in series.points if v is not None]
    vmax = max([*values, scale or 0], default=0)
    step = _nice_step(vmax)
    top = max(step * math.ceil(vmax / step), step) if vmax else step
    d.add(_text(0, height - 4 * mm, _clip(series.title, BOLD, 9, width), size=9, font=BOLD,
                colour=INK))
    plot_top = height - top_pad
    # light vertical gridlines with their values along the bottom
    tick = 0
    while tick <= top:
        gx = x0 + (x1 - x0) * tick / top
        d.add(Line(gx, bottom_pad, gx, plot_top, strokeColor=RULE, strokeWidth=0.35))
        d.add(_text(gx, bottom_pad - 9, str(tick), size=6.5, anchor="middle"))
        tick += step
    for i, (label, value) in enumerate(series.points):
        by = plot_top - (i + 1) * (bar_h + gap) + gap / 2
        text_y = by + bar_h / 2 - 2.8
        d.add(_text(x0 - 5, text_y, _clip(label, REGULAR, 8, label_w - 8), size=8, colour=INK,
                    anchor="end"))
        if value is None:
            d.add(_text(x0 + 3, text_y, series.suppressed_label, size=8))
            continue
        w = (x1 - x0) * value / top
        if w > 0:
            d.add(Rect(x0, by, w, bar_h, fillColor=BAR, strokeColor=None))
        d.add(_text(x0 + w + 3, text_y, str(value), size=8, font=BOLD, colour=INK))
    d.add(Line(x0, bottom_pad, x0, plot_top, strokeColor=MUTED, strokeWidth=0.6))
    return d


def _nice_step(vmax: int) -> int:
    """A round gridline step giving about four to six lines."""
    if vmax <= 5:
        return 1
    raw = vmax / 5
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return int(m * mag)
    return int(10 * mag)
