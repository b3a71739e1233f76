"""The one page template every document uses, and the build that turns a story into PDF bytes.

Job: A4 pages with the marking in capitals at the top and bottom of every page, the recipient line
("Copy 3 for Jo Bloggs, Housing") and a light diagonal watermark of the recipient's name on every
page of a document that has a recipient, "Page N of M", document metadata (title, author, subject,
/Lang) and an outline (bookmarks) for sections and cases.

Invariants:
- The marking appears on a page exactly twice, drawn here; documents never print it in their body
  (so a reader can trust that every page, however it is separated from the rest, is marked).
- Metadata and outline titles hold no personal data beyond what the caller put in a heading;
  ``title``/``subject`` passed in should name the document, not the person.
- Output is deterministic for the same input (``invariant=1``; the PDF date is the context's
  ``generated_at``), which also makes copies comparable.
- Nothing here opens a file: the PDF is written to memory and returned.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.config.i18n import Language, _, current_language, each_language, pgettext
from app.models.documents import DocumentContext
from app.models.enums import Marking
from app.reports.fonts import BOLD, REGULAR, register_fonts
from app.reports.styles import INK, MUTED, RULE, WATERMARK, Para, esc, fmt_datetime, plain, styles

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 22 * mm


@dataclass(frozen=True)
class Chrome:
    """What the template draws around the content of every page."""

    marking: str
    doc_label: str  # "Multi-agency panel · Meeting pack, 12 March 2026"
    recipient_line: str
    watermark: str
    footer_left: str  # one line per language, Welsh first ("\n" between them)
    page_label: str  # "Page {number} of {total}" in the document's language

    def page_of(self, number: int, total: int) -> str:
        return self.page_label.format(number=number, total=total)


def marking_text(marking: Marking) -> str:
    """The protective marking in the document's language, in capitals."""
    words = {
        Marking.OFFICIAL: pgettext("marking", "OFFICIAL"),
        Marking.OFFICIAL_SENSITIVE: pgettext("marking", "OFFICIAL-SENSITIVE"),
        Marking.SECRET: pgettext("marking", "SECRET"),
    }
    return words.get(marking, marking.value).upper()


def copy_line(context: DocumentContext) -> str:
    """"Copy 3 for Jo Bloggs, Housing" in the document's language; "" with no named recipient."""
    if not context.recipient_name:
        return ""
    who = context.recipient_name
    if context.recipient_agency:
        who = f"{who}, {context.recipient_agency}"
    if context.copy_number is not None:
        return _("Copy {number} for {who}").format(number=context.copy_number, who=who)
    return _("Copy for {who}").format(who=who)


class Heading(Para):
    """A heading that also becomes an outline entry and (optionally) a contents line."""

    _keys = itertools.count(1)

    def __init__(self, title: str, style: str, level: int, *, toc: bool = True) -> None:
        super().__init__(esc(title), styles()[style])
        self.outline_title = plain(title)
        self.outline_level = level
        self.in_toc = toc
        # Keys come from a counter, never from content, so no text leaks into named destinations.
        self.key = f"s{next(self._keys)}"


class _ChromeCanvas(Canvas):
    """Defers each page until the end so the footer can say "Page N of M"."""

    def __init__(self, *args: Any, chrome: Chrome, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chrome = chrome
        self._pages: list[dict[str, Any]] = []
        # Filled during layout, read at save(): lets the contents print page numbers in one pass.
        self.heading_pages: dict[str, int] = {}
        self.late_numbers: dict[int, list[tuple[float, float, str, str, float]]] = {}
        # Bookmarks must be made while their own page is current, which for a deferred page is
        # at save(); made during layout they would all point at page 1.
        self.late_marks: dict[int, list[tuple[Heading, float]]] = {}

    def mark_heading(self, heading: Heading, page: int, top: float) -> None:
        self.heading_pages[heading.key] = page
        self.late_marks.setdefault(page, []).append((heading, top))

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_chrome(number, total)
            for heading, top in self.late_marks.get(number, ()):
                self.bookmarkPage(heading.key, fit="XYZ", left=0, top=top)
                self.addOutlineEntry(
                    heading.outline_title, heading.key, level=heading.outline_level, closed=True
                )
            for x, y, key, font, size in self.late_numbers.get(number, ()):
                self.setFont(font, size)
                self.setFillColor(INK)
                self.drawRightString(x, y, str(self.heading_pages.get(key, "")))
            super().showPage()
        super().save()

    def _draw_chrome(self, number: int, total: int) -> None:
        c = self._chrome
        self.saveState()
        self.setFillColor(INK)
        self.setFont(BOLD, 10)
        self.drawCentredString(PAGE_W / 2, PAGE_H - 10 * mm, c.marking)
        self.drawCentredString(PAGE_W / 2, 7 * mm, c.marking)
        # The recipient line wins the header's width; the document label takes what is left.
        recipient = fit_line(c.recipient_line, BOLD, 7.5, 100 * mm)
        left_room = PAGE_W - 2 * MARGIN_X - stringWidth(recipient, BOLD, 7.5) - 8 * mm
        self.setFont(REGULAR, 7.5)
        self.setFillColor(MUTED)
        self.drawString(MARGIN_X, PAGE_H - 16 * mm, fit_line(c.doc_label, REGULAR, 7.5, left_room))
        # a bilingual footer is two lines, the Welsh above; the rule above them moves up to suit
        footer = c.footer_left.split("\n")
        for i, line in enumerate(reversed(footer)):
            self.drawString(MARGIN_X, (13 + 3.2 * i) * mm, fit_line(line, REGULAR, 7.5, 120 * mm))
        rule_y = (17 + 3.2 * (len(footer) - 1)) * mm
        if recipient:
            self.setFillColor(INK)
            self.setFont(BOLD, 7.5)
            self.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 16 * mm, recipient)
        self.setFillColor(INK)
        self.setFont(REGULAR, 8)
        self.drawRightString(PAGE_W - MARGIN_X, 13 * mm, c.page_of(number, total))
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, PAGE_H - 18 * mm, PAGE_W - MARGIN_X, PAGE_H - 18 * mm)
        self.line(MARGIN_X, rule_y, PAGE_W - MARGIN_X, rule_y)
        self.restoreState()


def fit_line(text: str, font: str, size: float, width: float) -> str:
    """Shorten a header line with an ellipsis rather than let it run into its neighbour."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw_watermark(canvas: Canvas, doc: BaseDocTemplate, *, text: str) -> None:
    """Drawn first on each page, so content sits on top of it."""
    if not text:
        return
    size = 46.0
    while size > 18 and stringWidth(text, BOLD, size) > 170 * mm:
        size -= 2
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.setFont(BOLD, size)
    canvas.translate(PAGE_W / 2, PAGE_H / 2)
    canvas.rotate(40)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


class _Doc(BaseDocTemplate):
    pdf_date = ""

    def beforeDocument(self) -> None:
        # invariant=1 keeps output deterministic; the metadata date is the data's, not the clock's.
        stamp = self.pdf_date
        self.canv.setDateFormatter(lambda *_: stamp)
        self.canv.showOutline()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading) and isinstance(self.canv, _ChromeCanvas):
            # The frame's cursor is now below the heading and its spaceAfter: aim just above it.
            top = self.frame._y + flowable.getSpaceAfter() + flowable.height + 6
            self.canv.mark_heading(flowable, self.page, min(top, PAGE_H))


class Contents(Flowable):
    """A contents list laid out in a single pass.

    Every entry is known before layout (the story's headings), so the list's size is fixed; the
    page numbers are drawn by the canvas at save(), when every heading has been placed. This
    avoids ReportLab's multi-pass build, which tripled the time of a large pack.
    """

    LINE = {0: 15.0, 1: 13.0}
    INDENT = {0: 0.0, 1: 14.0}
    SIZE = {0: 10.0, 1: 9.0}

    def __init__(self, entries: Sequence[Heading]) -> None:
        super().__init__()
        self.entries = [e for e in entries if e.in_toc]
        self._origin = (0.0, 0.0)

    def _height(self, entries: Sequence[Heading]) -> float:
        return sum(self.LINE[min(e.outline_level, 1)] for e in entries)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self._height(self.entries)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fit, used = 0, 0.0
        for e in self.entries:
            used += self.LINE[min(e.outline_level, 1)]
            if used > availHeight:
                break
            fit += 1
        if fit == 0 or fit == len(self.entries):
            return []
        return [Contents(self.entries[:fit]), Contents(self.entries[fit:])]

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self._origin = (x, y)
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        c = self.canv
        top = self.height
        number_w = 10 * mm
        page = c.getPageNumber()
        late = getattr(c, "late_numbers", None)
        for e in self.entries:
            lvl = min(e.outline_level, 1)
            top -= self.LINE[lvl]
            font, size = (BOLD if lvl == 0 else REGULAR), self.SIZE[lvl]
            base = top + 4
            title = fit_line(e.outline_title, font, size, self.width - number_w - 30 * mm)
            c.setFont(font, size)
            c.setFillColor(INK)
            c.drawString(self.INDENT[lvl], base, title)
            start = self.INDENT[lvl] + stringWidth(title, font, size) + 6
            c.setFillColor(RULE)
            c.setFont(REGULAR, size)
            dots = "." * max(
                int((self.width - number_w - start) / stringWidth(". ", REGULAR, size)), 0
            )
            c.drawString(start, base, " ".join(dots))
            c.linkRect(
                "", e.key, (0, top, self.width, top + self.LINE[lvl]), relative=1, thickness=0
            )
            if late is not None:
                ox, oy = self._origin
                late.setdefault(page, []).append((ox + self.width, oy + base, e.key, font, size))


def build_pdf(
    story: Sequence[Flowable],
    context: DocumentContext,
    *,
    title: str,
    subject: str,
    doc_label: str,
    watermark: bool = True,
    recipient_line: bool = True,
    compress: bool = True,
) -> bytes:
    """Lay out ``story`` on the Roundtable page template and return the PDF bytes."""
    register_fonts()
    buf = io.BytesIO()
    doc = _Doc(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=plain(title),
        author=plain(context.author),
        subject=plain(subject),
        creator="Roundtable",
        producer="Roundtable (ReportLab)",
        lang=context.language if current_language() is Language.EN else current_language().tag,
        invariant=1,
        pageCompression=1 if compress else 0,
        displayDocTitle=True,
        initialFontName=REGULAR,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        PAGE_W - 2 * MARGIN_X,
        PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    mark = plain(context.recipient_name) if watermark else ""
    doc.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPage=partial(_draw_watermark, text=mark))]
    )
    chrome = Chrome(
        marking=marking_text(context.marking),
        doc_label=plain(f"{context.panel_name} · {doc_label}"),
        recipient_line=plain(copy_line(context)) if recipient_line else "",
        watermark=mark,
        footer_left="\n".join(
            plain(line)
            for line in each_language(
                lambda: _("Printed {when} by {author}. Do not copy or pass on.").format(
                    when=fmt_datetime(context.generated_at), author=context.author
                )
            )
        ),
        page_label=_("Page {number} of {total}"),
    )
    maker = partial(_ChromeCanvas, chrome=chrome)
    doc.pdf_date = _pdf_date(context.generated_at)
    doc.build(list(story), canvasmaker=maker)
    return buf.getvalue()


def _pdf_date(when: dt.datetime) -> str:
    """PDF date string: UTC with "Z" for an aware time, as given (local) for a naive one."""
    if when.tzinfo is not None and when.utcoffset() is not None:
        return f"D:{when.astimezone(dt.UTC):%Y%m%d%H%M%S}Z"
    return f"D:{when:%Y%m%d%H%M%S}"
