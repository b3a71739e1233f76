"""Hostile XML inside a referral workbook: entity expansion ("billion laughs") and external
entities are refused with one clear sentence, because openpyxl parses through defusedxml."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.models.errors import SpreadsheetError
from app.spreadsheets import _sources
from tests.support.spreadsheets_support import HEADER, read, xlsx_bytes

GOOD: list[object] = ["31/01/2026", "Nowak", "Anna", "02/03/2001", "Police", "Islamist"]

LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b"<!DOCTYPE lolz [\n"
    b' <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def _with_dtd(member: str, dtd: bytes, use: bytes) -> bytes:
    """The good workbook with ``dtd`` put before ``member``'s root and ``use`` as its first cell."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, GOOD])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                if use:
                    body = body.replace(b"Referral date", use, 1)
                data = dtd + body
            target.writestr(info.filename, data)
    return out.getvalue()


def _sheet_member() -> str:
    names = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, GOOD]))).namelist()
    return next(n for n in names if n.startswith("xl/worksheets/sheet"))


REFUSED = "XML entity declarations"


def test_billion_laughs_in_a_sheet_is_refused() -> None:
    data = _with_dtd(_sheet_member(), LAUGHS, b"&lol9;")
    assert len(data) < 20_000  # tiny on disk, a billion "lol"s if expanded
    with pytest.raises(SpreadsheetError, match=REFUSED) as caught:
        read(data, "r.xlsx")
    assert "Nowak" not in str(caught.value)


def test_billion_laughs_in_the_workbook_part_is_refused() -> None:
    with pytest.raises(SpreadsheetError, match=REFUSED):
        read(_with_dtd("xl/workbook.xml", LAUGHS, b""), "r.xlsx")


def test_external_entity_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    dtd = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    )
    with pytest.raises(SpreadsheetError, match=REFUSED):
        read(_with_dtd(_sheet_member(), dtd, b"&secret;"), "r.xlsx")


def test_openpyxl_parses_through_defusedxml() -> None:
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")
    assert functions.fromstring.__module__.startswith("defusedxml")


def test_an_unguarded_openpyxl_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """With defusedxml missing or switched off (OPENPYXL_DEFUSEDXML=False) no workbook is read."""
    import xml.etree.ElementTree as ElementTree

    from openpyxl.xml import functions

    monkeypatch.setattr(functions, "iterparse", ElementTree.iterparse)
    with pytest.raises(SpreadsheetError, match="defusedxml"):
        read(xlsx_bytes([HEADER, GOOD]), "r.xlsx")
    assert _sources.xml_is_guarded() is False
