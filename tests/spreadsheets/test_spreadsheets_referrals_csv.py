"""Referral CSV files as agencies really send them: encodings, delimiters, header variants, faults."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.models.domain import Identifier
from app.models.errors import InvalidInput, SpreadsheetError
from app.models.intake import ReferralDraft, header_signature
from tests.support.spreadsheets_support import HEADER, TODAY, csv_bytes, described, read

GOOD = ("31/01/2026", "O'Brien", "Zoë", "02/03/2001", "school", "far right")


def test_good_row_becomes_a_draft() -> None:
    sheet = read(csv_bytes([HEADER, GOOD]), "referrals.csv")
    assert sheet.problems == ()
    assert sheet.ok
    assert sheet.drafts == (
        ReferralDraft(
            received=dt.date(2026, 1, 31), referrer="", sector="education",
            concern="extreme-right-wing", narrative="", forenames="Zoë", surname="O'Brien",
            aliases=(), date_of_birth=dt.date(2001, 3, 2), gender="", address="", postcode="",
            identifiers=(), source_row=2,
        ),
    )  # fmt: skip
    assert sheet.encoding == "utf-8"
    assert sheet.header_row == 1
    assert sheet.rows_read == 1
    assert sheet.mapping.as_dict()["date_of_birth"] == "Date of birth"


def test_utf8_bom_and_semicolons() -> None:
    data = csv_bytes([HEADER, GOOD], delimiter=";", bom=True)
    sheet = read(data, "r.CSV")
    assert sheet.encoding == "utf-8-sig"
    assert [d.forenames for d in sheet.drafts] == ["Zoë"]
    assert sheet.headers[0] == "Referral date"  # no BOM left on the first header


def test_windows_1252() -> None:
    data = csv_bytes([HEADER, ("31/01/2026", "Ó Súilleabháin", "Zoë", "", "Police", "ERW")],
                     encoding="cp1252")  # fmt: skip
    assert "Zoë".encode("cp1252") in data and "Zoë".encode() not in data
    sheet = read(data, "r.csv")
    assert sheet.encoding == "cp1252"
    assert (sheet.drafts[0].forenames, sheet.drafts[0].surname) == ("Zoë", "Ó Súilleabháin")


def test_semicolon_file_whose_cells_hold_commas() -> None:
    rows = [(*HEADER, "Address"), (*GOOD, "1 High St, Cardiff, CF10 1AA")]
    sheet = read(csv_bytes(rows, delimiter=";"), "r.csv")
    assert sheet.drafts[0].address == "1 High St, Cardiff, CF10 1AA"


def test_excel_sep_hint_line() -> None:
    data = b"sep=;\r\n" + csv_bytes([HEADER, GOOD], delimiter=";")
    sheet = read(data, "r.csv")
    assert sheet.header_row == 1 and sheet.drafts[0].source_row == 2


def test_header_variants_and_every_field() -> None:
    header = ("  DATE OF REFERRAL ", "Referred by", "Sector", "Given names", "Family name",
              "Also known as", "D.O.B.", "Sex", "Home address", "Post code",
              "Police National Computer ID", "NHS No.", "Concern", "Reason for referral")
    row = ("2026-01-31", "A Teacher", "children's services", "  Mary-Jane  ", "Nguyễn",
           "MJ; Janey | M. J.", "31-Jan-2010", "Female", "2 Heol y Bont\nCardiff", "cf101aa",
           "2001/0012345a", "943 476 5919", "Mixed", "Comments in class.\nOnline activity.")
    sheet = read(csv_bytes([header, row]), "r.csv")  # fmt: skip
    assert sheet.problems == () and sheet.unknown_columns == ()
    d = sheet.drafts[0]
    assert (d.received, d.referrer, d.sector) == (dt.date(2026, 1, 31), "A Teacher", "local-authority")
    assert (d.forenames, d.surname, d.aliases) == ("Mary-Jane", "Nguyễn", ("MJ", "Janey", "M. J."))
    assert (d.date_of_birth, d.gender, d.postcode) == (dt.date(2010, 1, 31), "Female", "CF10 1AA")
    assert d.address == "2 Heol y Bont\nCardiff"
    assert d.identifiers == (Identifier("pnc", "2001/0012345A"), Identifier("nhs", "9434765919"))
    assert (d.concern, d.narrative) == ("conflicted", "Comments in class.\nOnline activity.")


def test_mixed_date_forms_blank_rows_and_stray_whitespace() -> None:
    rows = [
        HEADER,
        ("31/01/2026", "Khan", "Amara", "31/1/99", "Police", "Islamist"),
        ("", "", "", "", "", ""),
        ("   ", " ", "", "", "", ""),
        (" 31-Jan-2026 ", "  Smith-Jones ", "Ffion", "1999-01-31", " nhs ", " left wing "),
        ("02/03/2026", "D'Souza", "Tomás", "02/03/2001", "GP", "unclear"),
        ("", "", "", "", "", ""),
        ("", "", "", "", "", ""),
    ]
    sheet = read(csv_bytes(rows), "r.csv")
    assert sheet.problems == ()
    assert [d.source_row for d in sheet.drafts] == [2, 5, 6]
    assert [d.date_of_birth for d in sheet.drafts] == [dt.date(1999, 1, 31)] * 2 + [dt.date(2001, 3, 2)]
    assert sheet.drafts[1].surname == "Smith-Jones"
    assert sheet.drafts[1].sector == "health" and sheet.drafts[1].concern == "left-wing"
    assert sheet.drafts[2].received == dt.date(2026, 3, 2)
    assert sheet.rows_read == 3


def test_formula_looking_cells_are_kept_as_text() -> None:
    rows = [(*HEADER, "Referrer"),
            ("31/01/2026", '=HYPERLINK("http://evil.example","x")', "+Zoe", "", "Police",
             "Islamist", "@sum(1)"),
            ("31/01/2026", "-Brown", "=1+2", "", "Police", "Islamist", "-")]  # fmt: skip
    sheet = read(csv_bytes(rows), "r.csv")
    assert sheet.problems == ()
    assert sheet.drafts[0].surname == '=HYPERLINK("http://evil.example","x")'
    assert (sheet.drafts[0].forenames, sheet.drafts[0].referrer) == ("+Zoe", "@sum(1)")
    assert (sheet.drafts[1].surname, sheet.drafts[1].forenames) == ("-Brown", "=1+2")


def test_every_problem_names_row_and_column() -> None:
    header = ("Date of referral", "Last name", "First name", "DOB", "Sector", "Concern", "PNC",
              "NHS number")
    rows = [
        header,
        ("31/01/2026", "", "A", "01/01/2000", "Police", "Islamist", "", ""),
        ("31/01/2026", "B", "B", "not known", "Police", "Islamist", "", ""),
        ("31/01/2026", "C", "C", "31/02/2001", "Police", "Islamist", "", ""),
        ("16/03/2026", "D", "D", "16/03/2026", "Police", "Islamist", "", ""),
        ("", "E", "E", "", "Police", "Islamist", "", ""),
        ("31/01/2026", "F", "F", "", "Teachr", "Islamist", "", ""),
        ("31/01/2026", "G", "G", "", "Police", "Cults", "", ""),
        ("31/01/2026", "H", "H", "", "", "", "", ""),
        ("01/01/2026", "I", "I", "02/01/2026", "Police", "Islamist", "", ""),
        ("31/01/2026", "J", "J", "", "Police", "Islamist", "12345", "943 476 5918"),
        ("31/01/2026", "K", "K", "1/1/1850", "Police", "Islamist", "", ""),
        ("31/13/2026", "L", "L", "", "Police", "Islamist", "", ""),
    ]  # fmt: skip
    sheet = read(csv_bytes(rows), "r.csv")
    sectors = "Education, Police, Local authority, Health, Community, Prisons and probation, Other"
    concerns = ("Islamist, Extreme right-wing, Left-wing, anarchist or single-issue, Conflicted, "
                "School massacre, No clear ideology, Other")  # fmt: skip
    assert described(sheet) == [
        "Row 2, “Last name”: The surname is missing.",
        "Row 3, “DOB”: Not a date. Write dates as day/month/year, for example 31/01/2026.",
        "Row 4, “DOB”: Not a real date: that day does not exist in that month.",
        "Row 5, “Date of referral”: The date is in the future.",
        "Row 5, “DOB”: The date is in the future.",
        "Row 6, “Date of referral”: The referral date is missing.",
        f"Row 7, “Sector”: “Teachr” is not a referring sector the programme knows. Use one of: {sectors}.",
        f"Row 8, “Concern”: “Cults” is not a type of concern the programme knows. Use one of: {concerns}.",
        "Row 9, “Sector”: The referring sector is missing.",
        "Row 9, “Concern”: The type of concern is missing.",
        "Row 10, “DOB”: The date of birth is after the referral date.",
        "Row 11, “PNC”: Not a PNC ID; write it as year/number and letter, e.g. 2001/0012345A.",
        "Row 11, “NHS number”: Not a valid NHS number (10 digits ending in the right check digit).",
        "Row 12, “DOB”: Not a plausible date: the year is before 1900.",
        "Row 13, “Date of referral”: Not a real date: there is no month above 12 (dates are day/month/year).",
    ]  # fmt: skip
    assert sheet.drafts == ()
    assert {(p.row, p.column) for p in sheet.problems} >= {(2, "Last name"), (7, "Sector")}
    assert sheet.rows_read == 12


def test_unknown_columns_are_reported_not_fatal() -> None:
    rows = [(*HEADER, "Notes", "", "Surname"), (*GOOD, "x", "data in a blank column", "dup")]
    sheet = read(csv_bytes(rows), "r.csv")
    assert sheet.unknown_columns == ("Notes", "Column H (no header)", "Surname")
    assert sheet.drafts[0].surname == "O'Brien"


def test_missing_required_column_is_one_problem_not_one_per_row() -> None:
    rows = [("Surname", "Date of birth", "Sector"), ("A", "", "Police"), ("B", "", "Police")]
    sheet = read(csv_bytes(rows), "r.csv")
    assert described(sheet) == [
        "Row 1, “Referral date”: No column for the referral date was found; name a column "
        "“Referral date” or choose which column holds it.",
        "Row 1, “Type of concern”: No column for the type of concern was found; name a column "
        "“Type of concern” or choose which column holds it.",
    ]
    assert sheet.drafts == () and sheet.rows_read == 2


def test_user_mapping_overrides_headers_and_signature_is_stable() -> None:
    header = ("Received on", "Name", "Given", "Born", "From", "Kind", "Surname")
    row = ("31/01/2026", "Khan", "Amara", "31/1/99", "Police", "Islamist", "ignored")
    mapping = {"received": "received on", "surname": "NAME", "forenames": "Given",
               "date_of_birth": "Born", "sector": "From", "concern": "Kind"}  # fmt: skip
    sheet = read(csv_bytes([header, row]), "r.csv", mapping=mapping)
    assert sheet.problems == ()
    assert sheet.drafts[0].surname == "Khan"
    assert sheet.unknown_columns == ("Surname",)
    assert sheet.mapping.header("surname") == "Name"
    # the same headers in another order and case give the same signature
    assert sheet.header_signature == header_signature([h.upper() for h in reversed(header)])
    assert sheet.header_signature != header_signature(HEADER)
    with pytest.raises(SpreadsheetError, match="names a column “Nope” that is not in this file"):
        read(csv_bytes([header, row]), "r.csv", mapping={**mapping, "surname": "Nope"})
    with pytest.raises(InvalidInput):
        read(csv_bytes([header, row]), "r.csv", mapping={"shoe size": "Kind"})


def test_mapping_can_skip_a_field() -> None:
    rows = [(*HEADER, "NHS number"), (*GOOD, "bad")]
    assert read(csv_bytes(rows), "r.csv").problems
    sheet = read(csv_bytes(rows), "r.csv", mapping={"nhs": ""})
    assert sheet.problems == () and sheet.unknown_columns == ("NHS number",)


def test_title_rows_above_the_header() -> None:
    rows = [("Referrals to the panel, January",), (), HEADER, GOOD]
    sheet = read(csv_bytes(rows), "r.csv")
    assert sheet.header_row == 3 and sheet.drafts[0].source_row == 4


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"x" * 101, "r.csv", "The file is larger than 100 bytes."),
        (b"abc", "r.xls", "saved as .csv or .xlsx"),
        (b"abc", "r.txt", "saved as .csv or .xlsx"),
        (b"  \r\n", "r.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "it holds binary data"),
        (bytes(range(1, 32)) * 20, "r.csv", "it holds binary data"),
        (b"\xff\xfeS\x00u\x00", "r.csv", "saved as UTF-16"),
        (b"PK\x03\x04rest", "r.csv", "an Excel workbook with a .csv name"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "r.csv", "old-style Excel (.xls)"),
        (b"\xef\xbb\xbfSurname\xff\r\n", "r.csv", "says it is UTF-8 but is not"),
        (b"Surname \x81\x8d\r\n", "r.csv", "not UTF-8 or Windows-1252"),
        (b"just some words\r\nand more\r\n", "r.csv", "No header row was found"),
        (b'Surname,Referral date\r\n"' + b"x" * 200_000 + b'"\r\n', "r.csv", "broken near row"),
    ],
)
def test_refusals(data: bytes, name: str, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=re.escape(message)):
        read(data, name, max_bytes=100 if len(data) == 101 else 20 * 1024 * 1024)


def test_too_many_rows_is_refused() -> None:
    rows = [HEADER, *[GOOD] * 11]
    assert read(csv_bytes(rows), "r.csv", max_rows=11).rows_read == 11
    with pytest.raises(SpreadsheetError, match="more than 10 referral rows"):
        read(csv_bytes(rows), "r.csv", max_rows=10)


def test_problem_describe_without_column() -> None:
    from app.models.intake import RowProblem

    assert RowProblem(3, "", "Odd.").describe() == "Row 3: Odd."
    assert TODAY.year == 2026


@pytest.mark.parametrize(
    ("rows", "row"),
    [
        # issue 12: reported as "the referring sector is missing; the surname ..."
        (b'"31/01/2026,Doe,Jo,02/03/2001,school,far right\r\n', 2),
        (b'31/01/2026,Doe,Jo,02/03/2001,school,far right\r\n31/01/2026,"Roe,Al,02/03/2001,school,far right\r\n'
         b"31/01/2026,Poe,Ed,02/03/2001,school,far right\r\n", 3),
        (b'31/01/2026,Doe,Jo,02/03/2001,school,"far right', 2),  # no line break at the end
    ],
)
def test_a_quote_never_closed_is_named_with_its_row(rows: bytes, row: int) -> None:
    data = ",".join(HEADER).encode() + b"\r\n" + rows
    with pytest.raises(SpreadsheetError, match=rf"^Row {row} has a quote \(\"\) that is never closed"):
        read(data, "r.csv")


def test_quotes_that_are_closed_or_inside_a_cell_are_read_as_before() -> None:
    data = ",".join(HEADER).encode() + (
        b'\r\n31/01/2026,"Doe, ""Jo""",Jo,02/03/2001,school,far right'
        b'\r\n31/01/2026,O"Neil,Al,02/03/2001,school,"far\r\nright"\r\n'
    )
    sheet = read(data, "r.csv")
    assert [d.surname for d in sheet.drafts] == ['Doe, "Jo"', 'O"Neil']
