"""Read a referral spreadsheet (CSV or XLSX bytes) into checked drafts and row-level problems.

The service reads the file and passes its bytes; this module never touches the file system. Each row
is checked by :func:`app.models.intake.validate_draft_fields`, the same rules the desktop form uses.
Matching people against existing subjects is the service's job, not this module's.

Invariants:
- Refusals (size, type, binary, zip bomb, no header, too many rows, unknown sheet) raise
  :class:`SpreadsheetError` with a message that quotes no cell content.
- Everything else is reported, not raised: rows with problems produce no draft; unknown columns are
  listed and ignored. Row numbers are those the user sees (header = its own row, usually 1).
- The header row is the one of the first ten non-blank rows that names the most known columns (at
  least two; the earliest on a tie). A blank header cell takes the nearest text above it, so a
  header merged down over two rows, or a two-row header, is read whole; other rows above the
  header (titles) are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from pathlib import PurePath

from openpyxl.utils import get_column_letter

from app.models.errors import SpreadsheetError
from app.models.intake import (
    FIELDS,
    REQUIRED_FIELDS,
    CellValue,
    ChoiceLookups,
    ColumnMapping,
    ReferralDraft,
    ReferralSheet,
    RowProblem,
    clean_text,
    field_for_header,
    header_signature,
    normalise_header,
    validate_draft_fields,
)
from app.models.programme import Programme
from app.spreadsheets._sources import MiB, Row, Workbook, csv_rows, decode_csv, sep_hint

SUPPORTED_EXTENSIONS = (".csv", ".xlsx")
HEADER_SCAN_ROWS = 10
DEFAULT_MAX_BYTES = 20 * MiB
DEFAULT_MAX_ROWS = 50_000


def read_referral_file(
    data: bytes,
    filename: str,
    *,
    programme: Programme,
    today: dt.date,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ReferralSheet:
    """Read referrals from the bytes of a ``.csv`` or ``.xlsx`` file.

    ``sheet`` names the worksheet (default: the first visible sheet with a header row); ``mapping``
    (field -> header text, e.g. a user's remembered choice) overrides header matching for those
    fields, and an empty header text means "do not import this field".
    """
    if len(data) > max_bytes:
        limit = f"{max_bytes / MiB:g} MiB" if max_bytes >= MiB else f"{max_bytes:,} bytes"
        raise SpreadsheetError(f"The file is larger than {limit}. Split it into smaller files.")
    extension = PurePath(filename).suffix.casefold()
    if extension not in SUPPORTED_EXTENSIONS:
        raise SpreadsheetError(
            "Roundtable reads referral spreadsheets saved as .csv or .xlsx; save the file in one "
            "of those forms."
        )
    if not data.strip():
        raise SpreadsheetError("The file is empty.")
    reader = _SheetReader(programme=programme, today=today, mapping=mapping, max_rows=max_rows)
    if extension == ".csv":
        source = decode_csv(data)
        delimiter = _choose_delimiter(source.text, reader.wanted)
        return reader.read(csv_rows(source.text, delimiter), encoding=source.encoding)
    with Workbook(data) as workbook:
        names = workbook.sheet_names
        chosen = _choose_sheet(workbook, sheet, reader.wanted)
        return reader.read(
            workbook.rows(chosen), encoding="xlsx", sheet_names=names, sheet=chosen
        )


# --- choosing the sheet, the delimiter and the header row ----------------------------------------


def _blank(values: tuple[CellValue, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _first_rows(rows: Iterable[Row]) -> list[Row]:
    return list(islice((r for r in rows if not _blank(r[1])), HEADER_SCAN_ROWS))


def _score(texts: Iterable[str], wanted: frozenset[str]) -> int:
    return sum(1 for t in texts if t and (field_for_header(t) or normalise_header(t) in wanted))


def _header_score(values: tuple[CellValue, ...], wanted: frozenset[str]) -> int:
    return _score((clean_text(v) for v in values if isinstance(v, str)), wanted)


def _find_header(first: list[Row], wanted: frozenset[str]) -> int | None:
    """Index in ``first`` of the row naming the most known columns (blank cells taking the text
    above them, so a two-row header counts whole); the earliest on a tie; None below two."""
    scores = [
        _score(_headers(values, [v for _, v in first[:i]]), wanted)
        for i, (_, values) in enumerate(first)
    ]
    if not scores or max(scores) < 2:
        return None
    return scores.index(max(scores))


def _choose_delimiter(text: str, wanted: frozenset[str]) -> str:
    """Comma, semicolon or tab: the one whose first rows name the most known headers."""
    if hint := sep_hint(text):
        return hint
    sample = text[: 64 * 1024]
    best, best_key = ",", (-1, -1)
    broken: SpreadsheetError | None = None
    for delimiter in (",", ";", "\t"):
        try:
            first = _first_rows(csv_rows(sample, delimiter))
        except SpreadsheetError as exc:
            broken = broken or exc
            continue
        score = max((_header_score(v, wanted) for _, v in first), default=0)
        key = (score, len(first[0][1]) if first else 0)
        if key > best_key:
            best, best_key = delimiter, key
    if broken is not None and best_key[0] < 2 and len(text) <= len(sample):
        raise broken  # e.g. a quote never closed: no other delimiter finds a header either
    return best


def _no_header() -> SpreadsheetError:
    return SpreadsheetError(
        "No header row was found. The first row should name the columns, for example "
        "“Referral date”, “Surname”, “Date of birth”, “Referring agency”, “Type of concern”."
    )


def _choose_sheet(workbook: Workbook, sheet: str | None, wanted: frozenset[str]) -> str:
    names = workbook.sheet_names
    if not names:
        raise SpreadsheetError("The workbook has no worksheets.")
    if sheet is not None:
        if sheet in names:
            return sheet
        folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        raise SpreadsheetError(
            f"There is no sheet called “{sheet}” in the workbook. Its sheets are: "
            + ", ".join(f"“{n}”" for n in names)
            + "."
        )
    visible = workbook.visible_sheet_names or names
    for name in visible:
        rows = workbook.rows(name)
        try:
            found = _find_header(_first_rows(rows), wanted)
        finally:
            rows.close()
        if found is not None:
            return name
    if len(names) == 1:
        raise _no_header()
    raise SpreadsheetError(
        "No sheet in the workbook has a header row naming the referral columns. Its sheets are: "
        + ", ".join(f"“{n}”" for n in names)
        + ". Choose the sheet, or add a header row."
    )


# --- reading rows --------------------------------------------------------------------------------


class _SheetReader:
    def __init__(
        self,
        *,
        programme: Programme,
        today: dt.date,
        mapping: Mapping[str, str] | None,
        max_rows: int,
    ) -> None:
        self.programme = programme
        self.today = today
        self.max_rows = max_rows
        self.mapping = ColumnMapping.from_dict(mapping or {})
        self.wanted = frozenset(normalise_header(h) for _, h in self.mapping.columns if h)
        self.lookups = ChoiceLookups(programme)

    def read(
        self,
        rows: Iterator[Row],
        *,
        encoding: str,
        sheet_names: tuple[str, ...] = (),
        sheet: str = "",
    ) -> ReferralSheet:
        rows = iter(rows)
        first = _first_rows(rows)
        if not first:
            raise SpreadsheetError("The file has no rows.")
        at = _find_header(first, self.wanted)
        if at is None:
            raise _no_header()
        header_row, header_values = first[at]
        headers = _headers(header_values, [values for _, values in first[:at]])
        assigned, unknown = self._assign(headers)
        columns = {f: headers[i] for f, i in assigned.items()}
        problems = [
            RowProblem(
                header_row,
                FIELDS[f][0],
                f"No column for the {FIELDS[f][0].lower()} was found; name a column "
                f"“{FIELDS[f][0]}” or choose which column holds it.",
            )
            for f in REQUIRED_FIELDS
            if f not in assigned
        ]
        check_rows = not problems  # a required column is missing: count rows, check none
        position = {headers[i]: i for i in assigned.values()}
        used = set(assigned.values())
        blank_with_data: set[int] = set()
        drafts: list[ReferralDraft] = []
        rows_read = 0
        for number, values in chain(first[at + 1 :], rows):
            if _blank(values):
                continue
            rows_read += 1
            if rows_read > self.max_rows:
                raise SpreadsheetError(
                    f"The file has more than {self.max_rows:,} referral rows. Split it into "
                    "smaller files."
                )
            for i, v in enumerate(values):
                if i not in used and (i >= len(headers) or not headers[i]) and clean_text(v):
                    blank_with_data.add(i)
            if not check_rows:
                continue
            cells = {f: (values[i] if i < len(values) else None) for f, i in assigned.items()}
            draft, found = validate_draft_fields(
                cells,
                programme=self.programme,
                today=self.today,
                row=number,
                columns=columns,
                lookups=self.lookups,
            )
            if draft is not None:
                drafts.append(draft)
            problems.extend(sorted(found, key=lambda p: position.get(p.column, 0)))
        unknown += [(i, f"Column {get_column_letter(i + 1)} (no header)") for i in blank_with_data]
        return ReferralSheet(
            drafts=tuple(drafts),
            problems=tuple(problems),
            unknown_columns=tuple(text for _, text in sorted(unknown)),
            mapping=ColumnMapping(tuple((f, columns[f]) for f in FIELDS if f in columns)),
            header_signature=header_signature(headers),
            sheet_names=sheet_names,
            sheet=sheet,
            header_row=header_row,
            headers=tuple(headers),
            rows_read=rows_read,
            encoding=encoding,
        )

    def _assign(self, headers: list[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
        """field -> column index (mapping first, then header variants); unread headers."""
        assigned: dict[str, int] = {}
        skipped = {f for f, h in self.mapping.columns if not h}
        for f, h in self.mapping.columns:
            if not h:
                continue
            key = normalise_header(h)
            match = [
                i for i, t in enumerate(headers)
                if normalise_header(t) == key and i not in assigned.values()
            ]  # fmt: skip
            if not match:
                raise SpreadsheetError(
                    f"The saved column choice for “{FIELDS[f][0]}” names a column “{h}” that is "
                    "not in this file. Choose the columns again."
                )
            assigned[f] = match[0]
        unknown: list[tuple[int, str]] = []
        for i, text in enumerate(headers):
            if not text or i in assigned.values():
                continue
            found = field_for_header(text)
            if found is None or found in assigned or found in skipped:
                unknown.append((i, text))
            else:
                assigned[found] = i
        return assigned, unknown


def _headers(values: tuple[CellValue, ...], above: list[tuple[CellValue, ...]]) -> list[str]:
    """Header texts; a blank one takes the nearest text above it (a header merged downwards)."""
    headers = [clean_text(v) for v in values]
    width = max((len(row) for row in above), default=0)
    headers += [""] * (width - len(headers))
    for i, text in enumerate(headers):
        if text:
            continue
        for row in reversed(above):
            if i < len(row) and clean_text(row[i]):
                headers[i] = clean_text(row[i])
                break
    return headers
