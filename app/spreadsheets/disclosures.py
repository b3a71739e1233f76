"""The disclosure log as an XLSX workbook (bytes; the caller writes the file safely).

Invariants (as the statistics returns): no cell is ever a formula (text cells are explicit
strings, quote-prefixed when they start like one); the protective marking is in the first row
and in the printed header and footer of the sheet; nothing here touches the file system.
"""

from __future__ import annotations

import io

import openpyxl

from app.models.disclosures import DisclosureLog
from app.models.documents import DocumentContext
from app.spreadsheets.returns import _mark, _put, _widths

HEADERS = ("When", "What", "About", "Cases", "To", "Agency", "Copy", "By")
HEADER_ROW = 5  # marking, title, filters, blank, then the table header
MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell


def _cases(text: str) -> str:
    if len(text) <= MAX_CELL:
        return text
    cut = text[:MAX_CELL].rsplit(", ", 1)[0]
    return f"{cut} … and {text[len(cut):].count(', ')} more"


def write_disclosure_xlsx(log: DisclosureLog, ctx: DocumentContext) -> bytes:
    """One sheet: the marking, the title, the filters in words, then one row per disclosure."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Disclosures"
    marking = ctx.marking.value
    title = f"Disclosure log — {ctx.panel_name}"
    chosen = "; ".join(f"{k}: {v}" for k, v in log.filters) or "All disclosures"
    _put(ws, 1, 1, marking, bold=True)
    _put(ws, 2, 1, title, bold=True)
    _put(ws, 3, 1, f"{chosen}. Produced {ctx.generated_at:%d/%m/%Y %H:%M} by {ctx.author}.")
    for c, text in enumerate(HEADERS, start=1):
        _put(ws, HEADER_ROW, c, text, bold=True)
    widths = {c: len(t) for c, t in enumerate(HEADERS, start=1)}
    for r, row in enumerate(log.rows, start=HEADER_ROW + 1):
        values = (row.at.strftime("%d/%m/%Y %H:%M"), row.what, row.about, _cases(row.cases_text),
                  row.recipient, row.recipient_agency,
                  "" if row.copy_number is None else str(row.copy_number), row.by)
        for c, text in enumerate(values, start=1):
            _put(ws, r, c, text, number=c == 7)
            widths[c] = max(widths[c], min(len(text), 60))
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    _mark(ws, marking, "Disclosure log")
    wb.properties.title = "Disclosure log"
    wb.properties.subject = marking
    wb.properties.creator = "Roundtable"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
