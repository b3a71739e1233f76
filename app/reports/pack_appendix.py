"""A meeting pack's appendix of attached documents (issue 16): PDFs and images merged as pages.

Job: ``with_appendix(pack, documents, marking=..., recipient_line=...) -> bytes`` appends, after
the pack, a title page listing the documents, then every page of each PDF and each image on a page
of its own; every appended page gets the pack's marking at the top and bottom and the recipient
line (drawn over the page on a white band, so a document cannot hide them), and "Appendix N: file,
page i of n". All in memory (``pypdf`` merges; ReportLab draws the overlays and image pages).

Invariants: the caller has already cut ``documents`` to what the recipient may see; a document
that cannot be read is replaced by a page saying so (the pack is still made); nothing is written
anywhere but the returned bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.reports.fonts import BOLD, REGULAR, register_fonts
from app.reports.template import fit_line


@dataclass(frozen=True)
class AppendixDocument:
    title: str  # "RT-2026-0012 · Referral form.pdf"
    media_type: str
    data: bytes


def _band(c: Canvas, w: float, h: float, *, marking: str, recipient: str, label: str) -> None:
    """White bands at the top and bottom with the marking, the recipient line and the label."""
    band = 9 * mm
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.rect(0, h - band, w, band, stroke=0, fill=1)
    c.rect(0, 0, w, band, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(BOLD, 10)
    c.drawCentredString(w / 2, h - 6 * mm, marking)
    c.drawCentredString(w / 2, 3 * mm, marking)
    c.setFont(BOLD, 7)
    room = max(w / 2 - 40 * mm, 30 * mm)
    c.drawRightString(w - 6 * mm, h - 6 * mm, fit_line(recipient, BOLD, 7, room))
    c.setFont(REGULAR, 7)
    c.drawString(6 * mm, h - 6 * mm, fit_line(label, REGULAR, 7, room))
    c.drawString(6 * mm, 3 * mm, fit_line(label, REGULAR, 7, room))
    c.restoreState()


def _overlay(w: float, h: float, *, marking: str, recipient: str, label: str) -> PdfReader:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(w, h))
    _band(c, w, h, marking=marking, recipient=recipient, label=label)
    c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def _text_page(lines: Sequence[tuple[str, str, float]]) -> PdfReader:
    """A page of plain lines (font, text, size), A4."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    y = A4[1] - 30 * mm
    for font, text, size in lines:
        c.setFont(font, size)
        c.drawString(20 * mm, y, fit_line(text, font, size, A4[0] - 40 * mm))
        y -= size * 1.6
        if y < 25 * mm:
            break
    c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def _image_page(data: bytes) -> PdfReader:
    """The image on an A4 page, scaled to fit inside the margins (never enlarged past 2x)."""
    img = ImageReader(io.BytesIO(data))
    iw, ih = img.getSize()
    room_w, room_h = A4[0] - 30 * mm, A4[1] - 40 * mm
    scale = min(room_w / iw, room_h / ih, 2.0)
    w, h = iw * scale, ih * scale
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.drawImage(img, (A4[0] - w) / 2, A4[1] - 20 * mm - h, w, h)
    c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def _pages_of(doc: AppendixDocument) -> list[object] | None:
    try:
        if doc.media_type == "application/pdf":
            reader = PdfReader(io.BytesIO(doc.data))
            if reader.is_encrypted:
                return None
            return list(reader.pages)
        return list(_image_page(doc.data).pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError):
        return None


def with_appendix(
    pack: bytes, documents: Sequence[AppendixDocument], *, marking: str, recipient_line: str
) -> bytes:
    """The pack with its appendix of attached documents (the pack unchanged when there are none)."""
    if not documents:
        return pack
    register_fonts()
    out = PdfWriter(clone_from=PdfReader(io.BytesIO(pack)))
    contents = [(BOLD, "Appendix: attached documents", 16.0), (REGULAR, "", 10.0)]
    contents += [(REGULAR, f"Appendix {n}: {d.title}", 10.0) for n, d in enumerate(documents, start=1)]
    pages: list[tuple[object, str]] = [(p, "Appendix: attached documents") for p in _text_page(contents).pages]
    for n, doc in enumerate(documents, start=1):
        found = _pages_of(doc)
        if found is None:
            found = list(_text_page([(BOLD, f"Appendix {n}: {doc.title}", 12.0),
                                     (REGULAR, "This document could not be included: it is damaged or of a "
                                      "kind that cannot be printed.", 10.0),
                                     (REGULAR, "Save a copy from the case's Attachments.", 10.0)]).pages)
        total = len(found)
        pages += [(p, f"Appendix {n}: {doc.title} — page {i} of {total}") for i, p in enumerate(found, start=1)]
    for page, label in pages:
        added = out.add_page(page)  # type: ignore[arg-type]
        box = added.mediabox
        w, h = float(box.width), float(box.height)
        overlay = _overlay(w, h, marking=marking, recipient=recipient_line, label=label).pages[0]
        if float(box.left) or float(box.bottom):
            from pypdf import Transformation

            added.merge_transformed_page(overlay, Transformation().translate(float(box.left), float(box.bottom)))
        else:
            added.merge_page(overlay)
    buf = io.BytesIO()
    out.write(buf)
    return buf.getvalue()
