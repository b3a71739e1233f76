"""Statistics returns: workbook layout and marking, CSV table, and no formula ever written."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl

from app.models.enums import ActionStatus
from app.models.statistics import (
    PublishedBreakdown,
    PublishedRow,
    PublishedStatistics,
    StatsAction,
    StatsCase,
)
from app.models.statistics_compute import compute_statistics
from app.spreadsheets.returns import csv_safe, write_statistics_csv, write_statistics_xlsx
from tests.support.spreadsheets_support import programme

MARKING = "OFFICIAL-SENSITIVE"
HOSTILE = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx")


def published() -> PublishedStatistics:
    day = dt.date(2026, 1, 10)
    action = StatsAction(HOSTILE[0], day, day, ActionStatus.DONE)
    cases = [StatsCase(day, "police", "islamist", 30, gender=g, actions=(action,) * 6)
             for g in ("Male",) * 12 + ("Female",) * 3 + HOSTILE]  # fmt: skip
    stats = compute_statistics(cases, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31),
                               programme=programme(), today=dt.date(2026, 4, 2))  # fmt: skip
    return stats.published()


def test_workbook_layout_and_marking() -> None:
    pub = published()
    data = write_statistics_xlsx(pub, marking=MARKING, title="Panel return Q1 & Q2")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "About"
    assert len(wb.sheetnames) == 1 + len(pub.breakdowns)
    assert "By gender" in wb.sheetnames and "Actions on time" in wb.sheetnames
    for ws in wb.worksheets:
        assert ws["A1"].value == MARKING
        assert ws.oddHeader.center.text == MARKING
        assert ws.oddFooter.center.text == MARKING
        assert ws.evenFooter.center.text == MARKING
    ws = wb["By gender"]
    assert ws.freeze_panes == "B6"
    assert ws["A2"].value == "Panel return Q1 & Q2 — Referrals by gender"
    assert ws.oddFooter.left.text == "Panel return Q1 && Q2"  # "&" escaped in header codes
    assert [c.value for c in ws[5]] == [None, "Referrals"]
    table = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(6, ws.max_row + 1)}
    assert table["Male"] == 12 and table["Female"] == "<5" and table["Total"] == 21
    assert ws.column_dimensions["A"].width >= 12
    assert wb.properties.title == "Panel return Q1 & Q2"


def test_no_cell_is_a_formula() -> None:
    data = write_statistics_xlsx(published(), marking=MARKING, title="=cmd|' /C calc'!A0")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    assert cell.data_type == "s"
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert cell.quotePrefix
    for hostile in (*HOSTILE[:4], "=cmd|' /C calc'!A0 — Referrals by gender"):
        assert hostile in texts, hostile
    # and nothing in the archive is a formula element
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_csv_is_one_long_safe_table() -> None:
    pub = published()
    data = write_statistics_csv(pub, marking=MARKING, title="Return")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["marking", "return", "period", "breakdown", "category", "measure", "value"]
    body = rows[1:]
    assert all(r[0] == MARKING and r[1] == "Return" for r in body)
    assert ["Referrals by gender", "Female", "Referrals", "<5"] in [r[3:] for r in body]
    assert ["Referrals by gender", "Male", "Referrals", "12"] in [r[3:] for r in body]
    cells = [c for r in body for c in r]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'" + HOSTILE[0] in cells and "'+1+1" in cells and "'@SUM(A1)" in cells
    notes = [r for r in body if r[3] == "Notes"]
    assert len(notes) == len(pub.notes)
    n_values = sum(len(row.values) for b in pub.breakdowns for row in b.rows)
    assert len(body) == n_values + len(notes)


def test_csv_safe() -> None:
    assert [csv_safe(t) for t in ("=1", "+1", "-1", "@a", "\t", "\r", "a=1", "", "<5")] == [
        "'=1", "'+1", "'-1", "'@a", "'\t", "'\r", "a=1", "", "<5"
    ]


def test_writers_take_published_figures_as_given() -> None:
    pub = PublishedStatistics(
        "P", dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 2, 1),
        (PublishedBreakdown("x/y", "Odd: name? [1]", ("A", "B"),
                            (PublishedRow("r", ("7", "12.5")), PublishedRow("Total", ("7", "-"),
                                                                            True))),),
        (),
    )  # fmt: skip
    wb = openpyxl.load_workbook(io.BytesIO(write_statistics_xlsx(pub, marking="OFFICIAL", title="T")))
    ws = wb.worksheets[1]
    assert ws.title == "Odd  name   1"
    assert (ws["B6"].value, ws["C6"].value, ws["C7"].value) == (7, 12.5, "-")
    assert ws["C7"].data_type == "s" and ws["A7"].font.b
