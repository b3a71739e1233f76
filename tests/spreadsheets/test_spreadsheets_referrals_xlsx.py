"""Referral workbooks: Excel date cells, merged headers, sheets, formulas, and hostile archives."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from app.models.errors import SpreadsheetError
from app.spreadsheets import _sources
from tests.support.spreadsheets_support import HEADER, csv_bytes, described, read, xlsx_bytes

GOOD: list[object] = ["31/01/2026", "Nowak", "Łukasz", dt.datetime(2001, 3, 2), "Police", "Islamist"]


def test_excel_date_cells_and_text_dates() -> None:
    rows = [
        HEADER,
        [dt.datetime(2026, 1, 31), "Nowak", "Łukasz", dt.datetime(2001, 3, 2), "Police", "ERW"],
        [dt.date(2026, 2, 1), "Brown", "Ellie-Mae", "02/03/2001", "GP", "Islamist"],
        ["31-Jan-2026", "Müller", "Ffion", "2001-03-02", "college", "Mixed"],
    ]
    sheet = read(xlsx_bytes(rows), "referrals.xlsx")
    assert sheet.problems == ()
    assert [d.received for d in sheet.drafts] == [dt.date(2026, 1, 31), dt.date(2026, 2, 1),
                                                 dt.date(2026, 1, 31)]  # fmt: skip
    assert {d.date_of_birth for d in sheet.drafts} == {dt.date(2001, 3, 2)}
    assert sheet.encoding == "xlsx" and sheet.sheet == "Referrals"
    assert sheet.sheet_names == ("Referrals",)


def test_numbers_read_as_text_where_text_is_wanted() -> None:
    rows: list[list[object]] = [[*HEADER, "NHS number", "Postcode"], [*GOOD, 9434765919, "x"]]
    sheet = read(xlsx_bytes(rows), "r.xlsx")
    assert sheet.drafts[0].identifiers[0].value == "9434765919"
    rows = [list(HEADER), ["31/01/2026", "A", "B", 36000, "Police", "Islamist"]]
    assert described(read(xlsx_bytes(rows), "r.xlsx")) == [
        "Row 2, “Date of birth”: Not a date. Format the cell as a date, or write it as "
        "day/month/year."
    ]


def test_formula_cells_are_kept_as_their_text() -> None:
    rows = [HEADER, ["31/01/2026", '=HYPERLINK("http://evil.example","Click")', "=1+2",
                     None, "Police", "Islamist"]]  # fmt: skip
    data = xlsx_bytes(rows)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Referrals"]
    assert ws["B2"].data_type == "f"  # a real formula cell in the file
    sheet = read(data, "r.xlsx")
    assert sheet.problems == ()
    assert sheet.drafts[0].surname == '=HYPERLINK("http://evil.example","Click")'
    assert sheet.drafts[0].forenames == "=1+2"


def test_merged_header_cells() -> None:
    # a title merged across the top, two header rows with "Referral date" merged down over both,
    # a group heading merged across the names, and "Date of birth" merged across two columns
    rows: list[list[object]] = [
        ["Referrals received, January 2026", None, None, None, None, None, None, None],
        ["Referral date", "Person", None, "Date of birth", None, "Referring agency",
         "Type of concern", None],
        [None, "Surname", "Forename(s)", None, None, None, None, None],
        [dt.datetime(2026, 1, 31), "Nowak", "Łukasz", dt.datetime(2001, 3, 2), None, "Police",
         "ERW", None],
        [dt.datetime(2026, 1, 30), "Okafor", "Ngozi", dt.datetime(1999, 1, 2), None, "GP",
         "Mixed", None],
    ]  # fmt: skip
    data = xlsx_bytes(rows, merges=["A1:H1", "A2:A3", "B2:C2", "D2:E3", "F2:F3", "G2:G3"])
    sheet = read(data, "r.xlsx")
    assert sheet.header_row == 3
    assert sheet.problems == ()
    assert [(d.surname, d.source_row) for d in sheet.drafts] == [("Nowak", 4), ("Okafor", 5)]
    assert sheet.drafts[0].date_of_birth == dt.date(2001, 3, 2)
    assert sheet.unknown_columns == ()


def test_trailing_blank_rows_and_columns() -> None:
    rows = [HEADER, GOOD, *[[None] * 6] * 30, ["", " ", None, None, None, None]]
    data = xlsx_bytes(rows)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["Referrals"]["J40"] = ""  # a formatted, empty cell far away
    out = io.BytesIO()
    wb.save(out)
    sheet = read(out.getvalue(), "r.xlsx")
    assert sheet.problems == () and sheet.rows_read == 1 and sheet.unknown_columns == ()


def test_sheet_by_name_and_first_sheet_with_headers() -> None:
    data = xlsx_bytes([HEADER, GOOD], sheet="Jan", before=[("Read me", [["Instructions"]])])
    sheet = read(data, "r.xlsx")
    assert sheet.sheet == "Jan" and sheet.sheet_names == ("Read me", "Jan")
    assert read(data, "r.xlsx", sheet="jan ").sheet == "Jan"
    with pytest.raises(SpreadsheetError) as err:
        read(data, "r.xlsx", sheet="February")
    assert err.value.user_message == (
        "There is no sheet called “February” in the workbook. Its sheets are: “Read me”, “Jan”."
    )
    with pytest.raises(SpreadsheetError, match="No header row was found"):
        read(data, "r.xlsx", sheet="Read me")


def test_no_sheet_with_headers() -> None:
    data = xlsx_bytes([["hello"]], sheet="B", before=[("A", [["x", "y"]])])
    with pytest.raises(SpreadsheetError, match="No sheet in the workbook has a header row"):
        read(data, "r.xlsx")
    with pytest.raises(SpreadsheetError, match="No header row was found"):
        read(xlsx_bytes([["just", "words"], ["and", "more"]]), "r.xlsx")
    with pytest.raises(SpreadsheetError, match="The file has no rows"):
        read(xlsx_bytes([]), "r.xlsx", sheet="Referrals")


def test_problems_in_a_workbook_name_row_and_column() -> None:
    rows = [["Title"], HEADER, ["31/02/2026", "", "x", dt.datetime(2030, 1, 1), "Police", "x"]]
    assert described(read(xlsx_bytes(rows), "r.xlsx")) == [
        "Row 3, “Referral date”: Not a real date: that day does not exist in that month.",
        "Row 3, “Surname”: The surname is missing.",
        "Row 3, “Date of birth”: The date is in the future.",
        "Row 3, “Type of concern”: “x” is not a type of concern the programme knows. Use one of: "
        "Islamist, Extreme right-wing, Left-wing, anarchist or single-issue, Conflicted, "
        "School massacre, No clear ideology, Other.",
    ]


def test_too_many_rows() -> None:
    data = xlsx_bytes([HEADER, *[GOOD] * 6])
    with pytest.raises(SpreadsheetError, match="more than 5 referral rows"):
        read(data, "r.xlsx", max_rows=5)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def test_zip_bomb_is_refused_before_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise AssertionError("openpyxl must not see this file")

    monkeypatch.setattr(_sources.openpyxl, "load_workbook", boom)
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * (8 << 20)})
    assert len(bomb) < 64 * 1024
    with pytest.raises(SpreadsheetError, match="possible “zip bomb”"):
        read(bomb, "referrals.xlsx")


def test_unpacked_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sources, "MAX_UNPACKED_BYTES", 1 << 20)
    data = xlsx_bytes([HEADER, *[GOOD] * 2])
    assert read(data, "r.xlsx").rows_read == 2
    big = _zip({"xl/workbook.xml": b"<workbook/>", "a": bytes(range(256)) * 5000})
    with pytest.raises(SpreadsheetError, match=re.escape("unpacks to more than 1 MiB")):
        read(big, "r.xlsx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Surname,Referral date\r\n", "is not an Excel workbook (.xlsx); it may be damaged"),
        (b"PK\x03\x04" + b"\x00" * 100, "is not an Excel workbook (.xlsx); it may be damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password-protected or in the old"),
        (_zip({"word/document.xml": b"<w/>"}), "perhaps another kind of document"),
        (_zip({"xl/workbook.xml": b"<not really"}), "could not be read; it may be damaged"),
    ],
)
def test_not_a_workbook(data: bytes, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=re.escape(message)):
        read(data, "r.xlsx")


def test_workbook_renamed_csv_and_csv_renamed_xlsx() -> None:
    with pytest.raises(SpreadsheetError, match=re.escape("Rename it to .xlsx")):
        read(xlsx_bytes([HEADER, GOOD]), "r.csv")
    with pytest.raises(SpreadsheetError, match="not an Excel workbook"):
        read(csv_bytes([HEADER]), "r.xlsx")


def test_damaged_error_carries_no_content() -> None:
    with pytest.raises(SpreadsheetError) as err:
        read(_zip({"xl/workbook.xml": b"<secret name='Zoe'"}), "r.xlsx")
    assert "Zoe" not in err.value.user_message and "Zoe" not in (err.value.details or "")
