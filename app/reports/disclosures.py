"""The disclosure log as a PDF: one table row per disclosure, on the common page template.

Job: ``render_disclosure_log(log, ctx) -> bytes``. The marking is drawn by the template at the
top and bottom of every page (never in the body); there is no named recipient, so no watermark
and no copy line. Every value reaches the page through ``esc`` (``styles.P``).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.models.disclosures import DisclosureLog, DisclosureRow
from app.models.documents import DocumentContext
from app.reports.styles import P, data_table, fmt_datetime
from app.reports.template import Heading, build_pdf

HEADERS = ["When", "What", "About", "Cases", "To", "By"]
WIDTHS = [22 * mm, 26 * mm, 25 * mm, 37 * mm, 33 * mm, 27 * mm]


def _to(row: DisclosureRow) -> str:
    if not row.recipient:
        return "—"
    text = row.recipient
    if row.recipient_agency:
        text += f"\n{row.recipient_agency}"
    if row.copy_number is not None:
        text += f"\ncopy {row.copy_number}"
    return text


def render_disclosure_log(log: DisclosureLog, ctx: DocumentContext, *, compress: bool = True) -> bytes:
    chosen = "; ".join(f"{k}: {v}" for k, v in log.filters) or "All disclosures recorded"
    story: list[Flowable] = [
        Heading("Disclosure log", "title", level=0, toc=False),
        P(f"{ctx.panel_name} · {chosen}", "subtitle"),
        P(f"What this store's audit log records as sent or printed, newest first: "
          f"{len(log.rows)} disclosure(s). Prepared {fmt_datetime(ctx.generated_at)} by "
          f"{ctx.author}.", "small"),
    ]
    if log.rows:
        rows: list[list[object]] = [
            [r.at.strftime("%d/%m/%Y %H:%M"), r.what, r.about or "—", r.cases_text or "—",
             _to(r), r.by]
            for r in log.rows
        ]
        story.append(data_table(HEADERS, rows, WIDTHS))
    else:
        story.append(P("No disclosure matches these filters.", "small"))
    return build_pdf(story, ctx, title="Disclosure log", subject=f"Disclosure log for {ctx.panel_name}",
                     doc_label="Disclosure log", compress=compress)
