"""Builders for messy referral files, made in memory for each test (no fixture files)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

import openpyxl

from app.config.programmes import load_programme
from app.models.intake import ReferralSheet
from app.models.programme import Programme
from app.spreadsheets.referrals import read_referral_file

TODAY = dt.date(2026, 3, 15)
HEADER = ("Referral date", "Surname", "Forename(s)", "Date of birth", "Referring agency",
          "Type of concern")  # fmt: skip


def programme() -> Programme:
    return load_programme("extremism")


def csv_bytes(
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_bytes(
    rows: Iterable[Sequence[object]],
    *,
    sheet: str = "Referrals",
    merges: Sequence[str] = (),
    before: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> bytes:
    """A workbook whose sheet ``sheet`` holds ``rows`` (None = empty cell); ``before`` adds sheets
    in front of it."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, other in before:
        ws = wb.create_sheet(name)
        for r in other:
            ws.append(list(r))
    ws = wb.create_sheet(sheet)
    for r in rows:
        ws.append(list(r))
    for rng in merges:
        ws.merge_cells(rng)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read(data: bytes, filename: str, **kwargs: object) -> ReferralSheet:
    kwargs.setdefault("today", TODAY)
    return read_referral_file(data, filename, programme=programme(), **kwargs)  # type: ignore[arg-type]


def described(sheet: ReferralSheet) -> list[str]:
    return [p.describe() for p in sheet.problems]
