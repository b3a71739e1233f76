"""The shipped fonts: static TrueType files that print every name a panel meets."""

from __future__ import annotations

import struct

import pytest

from app.reports.fonts import font_files, missing_characters, register_fonts

NAMES = [
    "Łukasz Wiśniewski",
    "Zoë Brontë",
    "Siobhán Ó Súilleabháin",
    "Nguyễn Thị Ngọc Ánh",
    "Llŷr Hughes",
    "Gwŵr Ŵyn Ŷr",
    "Søren Ærø",
    "Straße",
    "François Œuvre",
    "İlkay Gündoğan",
    "Đặng Văn Lâm",
    "Ελένη Παπαδοπούλου",
    "Дмитрий Иванов",
    "“quoted” – dash — £5 €5 … •",
]


def _tables(path: str) -> set[bytes]:
    with open(path, "rb") as fh:
        head = fh.read(12)
        (num,) = struct.unpack(">H", head[4:6])
        return {fh.read(16)[:4] for _ in range(num)}


@pytest.mark.parametrize("name", ["RTSans", "RTSans-Bold", "RTSans-Italic", "RTSans-BoldItalic"])
def test_each_font_is_a_static_truetype_file(name: str) -> None:
    path = font_files()[name]
    assert path.exists()
    tables = _tables(str(path))
    assert b"glyf" in tables  # TrueType outlines, which ReportLab embeds
    assert b"fvar" not in tables and b"gvar" not in tables  # not a variable font


def test_licence_ships_beside_the_fonts() -> None:
    folder = next(iter(font_files().values())).parent
    assert "SIL Open Font License" in (folder / "OFL.txt").read_text()


def test_every_name_is_covered_by_every_style() -> None:
    for name in NAMES:
        assert missing_characters(name) == set(), name


def test_decomposed_input_is_checked_as_it_will_print() -> None:
    # "Ánh" typed with a combining acute: printed after NFC as the precomposed letter.
    assert missing_characters("A\u0301nh") == set()


def test_missing_characters_reports_what_cannot_print() -> None:
    assert missing_characters("日本") == {"日", "本"}


def test_registration_is_idempotent() -> None:
    assert register_fonts() == register_fonts() == "RTSans"
