"""Statistics returns as spreadsheet bytes: an XLSX workbook and a long CSV table.

Both writers take :class:`PublishedStatistics` only — the suppressed figures — so raw small counts
cannot be written by mistake. They return bytes; the caller writes the file through the project's
safe-file helper. Nothing here touches the file system.

Invariants:
- No cell is ever a formula: in the XLSX every text cell is written with the explicit string type
  (and Excel's quote-prefix style when it starts with ``= + - @`` or a tab/CR/LF); in the CSV such
  text is prefixed with a single quote, the usual guard against formula injection.
- Every XLSX sheet carries the protective marking in its first row and in the printed header and
  footer; the CSV carries it in a ``marking`` column on every row.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.models.statistics import PublishedBreakdown, PublishedStatistics

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_SHEET_NAMES = {
    "referrals_by_month": "By month",
    "referrals_by_quarter": "By quarter",
    "referrals_by_sector": "By sector",
    "referrals_by_concern": "By concern",
    "referrals_by_age": "By age",
    "referrals_by_gender": "By gender",
    "referrals_by_ethnicity": "By ethnicity",
    "screening_outcomes": "Screening",
    "case_progress": "Progress",
    "consent": "Consent",
    "timeliness": "Timeliness",
    "actions_on_time": "Actions on time",
    "overdue_now": "Overdue actions",
    # the regional return splits a table of several columns into one per column
    "timeliness:0": "Timeliness (cases)",
    "timeliness:1": "Timeliness (median)",
    "timeliness:2": "Timeliness (90th pct)",
    "actions_on_time:0": "Actions due",
    "actions_on_time:1": "Actions on time",
    "actions_on_time:2": "Actions late",
    "actions_on_time:3": "Actions not completed",
    "actions_on_time:4": "Actions % on time",
}
_NUMBER = re.compile(r"\d{1,15}(\.\d{1,6})?")
HEADER_ROW = 5  # marking, title, period, blank, then the table header


def csv_safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula when it opens the CSV."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _period(stats: PublishedStatistics) -> str:
    return (
        f"Period {stats.start.strftime('%d/%m/%Y')} to {stats.end.strftime('%d/%m/%Y')}; "
        f"produced {stats.today.strftime('%d/%m/%Y')}"
    )


# --- XLSX ----------------------------------------------------------------------------------------


def _put(
    ws: Worksheet, row: int, column: int, value: str, *, bold: bool = False, number: bool = False
) -> None:
    """Write one cell: a figure as a number when ``number`` and it is one, else explicit text."""
    cell = ws.cell(row=row, column=column)
    if number and _NUMBER.fullmatch(value):
        cell.value = int(value) if value.isdigit() else float(value)
    else:
        cell.value = value
        cell.data_type = "s"  # never "f", whatever the text starts with
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)


def _header_footer_text(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a header/footer code


def _sheet_title(key: str, title: str, used: set[str]) -> str:
    # "Referrals by MAPPA category" -> "By MAPPA category", like the named sheets
    short = re.sub(r"^Referrals by ", "By ", title)
    base = _SHEET_NAMES.get(key) or re.sub(r"[\[\]:*?/\\']", " ", short).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.casefold() in used:
        name, n = f"{base[:27]} {n}", n + 1
    used.add(name.casefold())
    return name


def _mark(ws: Worksheet, marking: str, title: str) -> None:
    mark, heading = _header_footer_text(marking), _header_footer_text(title)
    for hf in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        hf.center.text = mark
        hf.center.font = "Arial,Bold"
    for hf in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        hf.center.text = mark
        hf.left.text = heading
        hf.right.text = "Page &P of &N"


def _widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 60)


def _table(ws: Worksheet, b: PublishedBreakdown, marking: str, title: str, period: str) -> None:
    _put(ws, 1, 1, marking, bold=True)
    _put(ws, 2, 1, f"{title} — {b.title}", bold=True)
    _put(ws, 3, 1, period)
    header = ["", *b.columns]
    for c, text in enumerate(header, start=1):
        _put(ws, HEADER_ROW, c, text, bold=True)
    widths = {c: len(t) for c, t in enumerate(header, start=1)}
    for r, row in enumerate(b.rows, start=HEADER_ROW + 1):
        for c, text in enumerate((row.label, *row.values), start=1):
            _put(ws, r, c, text, bold=row.is_total, number=c > 1)
            widths[c] = max(widths[c], len(text))
    widths[1] = max(widths[1], 12)
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _mark(ws, marking, title)


def write_statistics_xlsx(stats: PublishedStatistics, *, marking: str, title: str) -> bytes:
    """The return as a workbook: an "About" sheet, then one sheet per breakdown."""
    wb = openpyxl.Workbook()
    period = _period(stats)
    about = wb.active
    assert about is not None
    about.title = "About"
    lines = [marking, title, stats.programme, period, "", "Symbols", *stats.notes]
    for r, text in enumerate(lines, start=1):
        if text:
            _put(about, r, 1, text, bold=r in (1, 2, 6))
    _widths(about, {1: min(max(len(t) for t in lines), 100)})
    _mark(about, marking, title)
    used = {"about"}
    for b in stats.breakdowns:
        _table(wb.create_sheet(_sheet_title(b.key, b.title, used)), b, marking, title, period)
    wb.properties.title = title
    wb.properties.subject = marking
    wb.properties.creator = "Roundtable"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS = ("marking", "return", "period", "breakdown", "category", "measure", "value")


def write_statistics_csv(stats: PublishedStatistics, *, marking: str, title: str) -> bytes:
    """The return as one long table (UTF-8 with BOM so that Excel shows accents; CRLF lines)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    period = f"{stats.start.isoformat()} to {stats.end.isoformat()}"
    writer.writerow(CSV_COLUMNS)
    for b in stats.breakdowns:
        for row in b.rows:
            for column, value in zip(b.columns, row.values, strict=True):
                writer.writerow(
                    csv_safe(t) for t in (marking, title, period, b.title, row.label, column, value)
                )
    for n, note in enumerate(stats.notes, start=1):
        writer.writerow(csv_safe(t) for t in (marking, title, period, "Notes", str(n), "", note))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
