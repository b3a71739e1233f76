"""Untrusted spreadsheet bytes in, rows of cell values out — after the checks that refuse bad files.

Invariants:
- Works on bytes in memory only (``io.BytesIO`` / ``io.StringIO``); never writes a file.
- Every refusal is a :class:`SpreadsheetError` whose message holds no cell content.
- An ``.xlsx`` is checked with :mod:`zipfile` (member count, declared uncompressed sizes, ratio)
  before openpyxl sees it; :mod:`zipfile` never inflates a member beyond its declared size, so the
  declared sizes bound memory. Formulas are read as their text (``data_only=False``), never run.
- openpyxl parses every part through :mod:`defusedxml` (it does so whenever defusedxml imports and
  ``OPENPYXL_DEFUSEDXML`` is not ``False``): entity declarations ("billion laughs"), external
  entities and DTD tricks are refused. If that guard is off, no workbook is read at all.
- Rows come out numbered as the user sees them (first row = 1), as tuples of cell values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.xml import functions as openpyxl_xml

from app.models.errors import SpreadsheetError
from app.models.intake import CellValue

MiB = 1024 * 1024
#: caps on what an .xlsx may unpack to (a 20 MiB workbook of text rarely passes 150 MiB)
MAX_UNPACKED_BYTES = 200 * MiB
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_GRACE_BYTES
RATIO_GRACE_BYTES = 1 * MiB
MAX_MEMBERS = 10_000
MAX_COLUMNS = 256

Row = tuple[int, tuple[CellValue, ...]]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_CONTROL = frozenset(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32), 127))


@dataclass(frozen=True)
class TextSource:
    text: str
    encoding: str


# --- CSV -----------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> TextSource:
    """UTF-8 (with or without BOM), else Windows-1252; refuse what is not text."""
    if data.startswith(_ZIP):
        raise SpreadsheetError(
            "This file is an Excel workbook with a .csv name. Rename it to .xlsx and try again."
        )
    if data.startswith(_OLE2):
        raise SpreadsheetError(
            "This file is an old-style Excel (.xls) or password-protected workbook, not a CSV "
            "file. Save it as CSV UTF-8 or as .xlsx without a password."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError(
            "This CSV file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” instead."
        )
    if b"\x00" in data:
        raise SpreadsheetError("This file is not a CSV file: it holds binary data.")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            source = TextSource(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError:
            raise SpreadsheetError(
                "This file says it is UTF-8 but is not. Save it again as “CSV UTF-8”."
            ) from None
    else:
        try:
            source = TextSource(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            try:
                source = TextSource(data.decode("cp1252"), "cp1252")
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    "This file is not a CSV file Roundtable can read (not UTF-8 or Windows-1252 "
                    "text)."
                ) from None
    sample = source.text[: 64 * 1024]
    if sample and sum(ch in _CONTROL for ch in sample) > len(sample) // 100:
        raise SpreadsheetError("This file is not a CSV file: it holds binary data.")
    return source


def csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    """Records (a quoted cell may span lines; it is still one row as Excel shows it)."""
    lines = io.StringIO(text, newline="")
    first = lines.readline()
    if first.strip().casefold().startswith("sep=") and len(first.strip()) == 5:
        pass  # Excel's "sep=;" hint line: Excel hides it, so it takes no row number
    else:
        lines.seek(0)
    raw: list[str] = []  # the lines of the record being read (a quoted cell may span several)
    ended: list[bool] = []  # the reader asked for a line after the last one

    def recorded() -> Iterator[str]:
        for line in lines:
            raw.append(line)
            yield line
        ended.append(True)

    reader = csv.reader(recorded(), delimiter=delimiter, strict=False)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if ended and _quote_left_open("".join(raw), delimiter):
                break  # the last record ran to the end of the file inside a quoted cell
            raw.clear()
            yield number, tuple(record[:MAX_COLUMNS])
        else:
            return
    except csv.Error:
        raise SpreadsheetError(
            f"The CSV file is broken near row {reader.line_num}: a cell is too large or a quote "
            "is not closed."
        ) from None
    # Lenient reading (strict=False, as Excel reads) would take the rest of the file as one
    # cell and then report that row's other columns as missing: say what is wrong instead.
    raise SpreadsheetError(
        f"Row {number} has a quote (\") that is never closed, so the rest of the file would be "
        "read as one cell. Close the quote or remove it, then import the file again."
    )


def _quote_left_open(record_text: str, delimiter: str) -> bool:
    """Does this record's text end inside a quoted cell? (the csv module's strict reading says
    "unexpected end of data" exactly then)."""
    if record_text.count('"') % 2 == 0:
        return False
    try:
        for _ in csv.reader(io.StringIO(record_text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def sep_hint(text: str) -> str | None:
    first = text.split("\n", 1)[0].strip()
    if first.casefold().startswith("sep=") and len(first) == 5:
        return first[4]
    return None


# --- XLSX ----------------------------------------------------------------------------------------


def check_xlsx_container(data: bytes) -> None:
    """Refuse a file that is not a zip, not a workbook, or unpacks to far more than it weighs."""
    if data.startswith(_OLE2):
        raise SpreadsheetError(
            "This workbook is password-protected or in the old .xls format. Remove the password "
            "or save it as .xlsx, then try again."
        )
    if not data.startswith(_ZIP):
        raise SpreadsheetError("This file is not an Excel workbook (.xlsx); it may be damaged.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(
            "This file is not an Excel workbook (.xlsx); it may be damaged."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise SpreadsheetError("This workbook has too many parts to be a referral spreadsheet.")
    total = 0
    for info in members:
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise SpreadsheetError(
                f"This workbook unpacks to more than {MAX_UNPACKED_BYTES // MiB} MiB and was "
                "refused. Split it into smaller files."
            )
        if info.file_size > RATIO_GRACE_BYTES and (
            info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise SpreadsheetError(
                "This workbook was refused: a part of it unpacks to far more than its size "
                "(a possible “zip bomb”)."
            )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            "This file is not an Excel workbook (.xlsx) — perhaps another kind of document."
        )


def xml_is_guarded() -> bool:
    """Whether openpyxl's XML parsers are defusedxml's (decided when openpyxl is imported)."""
    parsers = (openpyxl_xml.iterparse, openpyxl_xml.fromstring)
    return all(getattr(p, "__module__", "").startswith("defusedxml") for p in parsers)


def _hostile_xml() -> SpreadsheetError:
    return SpreadsheetError(
        "This workbook was refused: it contains XML entity declarations, which Excel never "
        "writes (a possible “billion laughs” or external-entity attack)."
    )


class Workbook:
    """An openpyxl read-only workbook over bytes; close it (or use ``with``)."""

    def __init__(self, data: bytes) -> None:
        if not xml_is_guarded():
            raise SpreadsheetError(
                "Workbooks cannot be read safely on this installation: openpyxl is not using "
                "defusedxml (it is missing, or OPENPYXL_DEFUSEDXML is set to False). Reinstall "
                "Roundtable or unset that variable."
            )
        check_xlsx_container(data)
        try:
            self._wb = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise _refusal(exc) from None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._wb.close()

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(ws.title for ws in self._wb.worksheets)

    @property
    def visible_sheet_names(self) -> tuple[str, ...]:
        return tuple(
            ws.title for ws in self._wb.worksheets if getattr(ws, "sheet_state", "") == "visible"
        )

    def rows(self, name: str) -> Generator[Row, None, None]:
        ws = self._wb[name]
        ws.reset_dimensions()  # some writers record a wrong used range; read every row there is
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, tuple(_cell(v) for v in values[:MAX_COLUMNS])
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise _refusal(exc) from None


def _refusal(exc: BaseException) -> SpreadsheetError:
    """Hostile XML if defusedxml refused a part (openpyxl wraps that in a ValueError), else
    damaged."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return _hostile_xml()
        seen = seen.__cause__ or seen.__context__
    return _damaged(exc)


def _damaged(exc: BaseException) -> SpreadsheetError:
    return SpreadsheetError(
        "The workbook could not be read; it may be damaged. Open it in Excel, save it again and "
        "retry.",
        details=type(exc).__name__,
    )


def _cell(value: object) -> CellValue:
    """openpyxl values as plain Python; array/table formulas as their text (never evaluated)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.time):  # includes datetime
        return value
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else str(value)
