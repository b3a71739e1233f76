"""Paragraph and table styles, and the safe way to put untrusted text on a page.

Job: one look for every document (calm greys, one dark accent, generous spacing) and one door for
text into ReportLab markup. Invariants: every piece of data text reaches a Paragraph through
:func:`esc` (XML-escaped, NFC-normalised, control characters dropped), so a name such as
``<b>Robert'); DROP TABLE</b>`` prints literally; nothing relies on colour alone (greyscale print).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from app.config import i18n
from app.reports.fonts import BOLD, register_fonts

INK = colors.Color(0.12, 0.12, 0.14)
MUTED = colors.Color(0.38, 0.38, 0.42)
ACCENT = colors.Color(0.10, 0.23, 0.36)  # dark slate blue: prints as near-black grey
RULE = colors.Color(0.78, 0.79, 0.81)
HEAD_FILL = colors.Color(0.91, 0.92, 0.93)
ZEBRA = colors.Color(0.97, 0.97, 0.975)
WATERMARK = colors.Color(0.90, 0.90, 0.90)

BODY_SIZE = 9.5
CONTENT_WIDTH = 170 * mm  # A4 width less the 20 mm margins


def esc(text: object) -> str:
    """Untrusted text -> Paragraph markup that prints exactly that text."""
    s = unicodedata.normalize("NFC", "" if text is None else str(text))
    # C0 controls (other than newline/tab) are invisible and break some PDF readers' text search.
    s = "".join(ch for ch in s if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return escape(s).replace("\n", "<br/>")


def bold(text: object) -> str:
    """Text (escaped) in bold markup."""
    return f"<b>{esc(text)}</b>"


def plain(text: object) -> str:
    """Untrusted text for canvas drawString / outline titles: normalised, one line, no markup."""
    s = unicodedata.normalize("NFC", "" if text is None else str(text))
    return " ".join("".join(ch if unicodedata.category(ch) != "Cc" else " " for ch in s).split())


def fmt_date(day: dt.date | None, *, long: bool = False) -> str:
    """In the document's language (app.config.i18n): "Dydd Iau 12 Mawrth 2026" / "12 Maw 2026"."""
    return i18n.format_date(day, long=long)


def fmt_datetime(at: dt.datetime) -> str:
    return i18n.format_datetime(at)


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    family = register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=family,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.38,
        textColor=INK,
        spaceAfter=4,
        alignment=TA_LEFT,
    )

    def s(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    def heading(
        name: str, size: float, *, leading: float, before: float, after: float, **kw: Any
    ) -> ParagraphStyle:
        return s(name, fontName=BOLD, fontSize=size, leading=leading, spaceBefore=before,
                 spaceAfter=after, keepWithNext=1, **kw)

    return {
        "body": base,
        "small": s("small", fontSize=8, leading=10.5, textColor=MUTED),
        "cell": s("cell", fontSize=8.5, leading=11, spaceAfter=0),
        "cell_bold": s("cell_bold", fontSize=8.5, leading=11, spaceAfter=0, fontName=BOLD),
        "cell_head": s("cell_head", fontSize=8, leading=10.5, spaceAfter=0, fontName=BOLD),
        "label": s("label", fontSize=8.5, leading=11, spaceAfter=0, textColor=MUTED),
        "title": s("title", fontName=BOLD, fontSize=22, leading=27, textColor=ACCENT, spaceAfter=6),
        "subtitle": s("subtitle", fontSize=12, leading=16, textColor=MUTED, spaceAfter=14),
        # Headings keep with what follows: a heading alone at the foot of a page reads as a gap.
        "h1": heading("h1", 15, leading=19, before=4, after=8, textColor=ACCENT),
        "h2": heading("h2", 11.5, leading=15, before=10, after=4, textColor=ACCENT),
        "h3": heading("h3", 9.5, leading=13, before=6, after=2),
        "centre": s("centre", alignment=TA_CENTER),
        "note": s("note", keepWithNext=1),
        "statement": s("statement", fontSize=10.5, leading=15.5, spaceAfter=10),
        "toc1": s("toc1", fontSize=10, leading=15, fontName=BOLD),
        "toc2": s("toc2", fontSize=9.5, leading=13, leftIndent=14),
    }


class Para(Paragraph):
    """A Paragraph that lays its lines out once per width.

    ReportLab wraps a table cell's paragraph each time the table is measured (again for each
    piece when the table splits over a page) and once more when the cell is drawn; the lines
    depend only on the text, the style and the width, so a wrap at the width of the last one
    reuses its lines (the profile of a 40-case pack spent a third of its time in ``breakLines``,
    three calls a paragraph). A split makes new paragraphs, which lay themselves out afresh."""

    _wrapped: tuple[float, object, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        memo = self._wrapped
        if memo is not None and memo[0] == availWidth and getattr(self, "blPara", None) is memo[1]:
            self.width, self.height = availWidth, memo[2]
            return availWidth, memo[2]
        width, height = super().wrap(availWidth, availHeight)
        blpara = getattr(self, "blPara", None)
        self._wrapped = (availWidth, blpara, height) if blpara is not None else None
        return width, height


def P(text: object, style: str = "body") -> Paragraph:
    """A paragraph of untrusted text."""
    return Para(esc(text), styles()[style])


def M(markup: str, style: str = "body") -> Paragraph:
    """A paragraph of trusted markup built by this package (data inside it already esc()'d)."""
    return Para(markup, styles()[style])


def paras(text: str, style: str = "body") -> list[Paragraph]:
    """Narrative text: one Paragraph per blank-line-separated block, so long text can split."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return [P(b, style) for b in blocks if b] or [P("—", style)]


def data_table(
    header: list[str] | None,
    rows: list[list[Any]],
    widths: list[float],
    *,
    zebra: bool = True,
    extra: list[tuple[Any, ...]] | None = None,
) -> Table:
    """A calm table: light header band, thin rules, optional zebra rows; splits across pages."""
    st = styles()
    body = [[c if not isinstance(c, str) else P(c, "cell") for c in r] for r in rows]
    data = ([[P(h, "cell_head") for h in header]] if header else []) + body
    first = 1 if header else 0
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("FONTNAME", (0, 0), (-1, -1), st["cell"].fontName),
    ]
    if header:
        cmds += [
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
        ]
    if zebra:
        cmds.append(("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.white, ZEBRA]))
    cmds += extra or []
    t = Table(data, colWidths=widths, repeatRows=first, hAlign="LEFT")
    t.setStyle(TableStyle(cmds))
    return t


def facts_table(
    pairs: list[tuple[str, Any]], widths: tuple[float, float] = (42 * mm, 128 * mm)
) -> Table:
    """Label / value pairs (values untrusted unless already a flowable)."""
    rows = [[P(k, "label"), v if not isinstance(v, str) else P(v, "cell")] for k, v in pairs]
    t = Table(rows, colWidths=list(widths), hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ]
        )
    )
    return t
