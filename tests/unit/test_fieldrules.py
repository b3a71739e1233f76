"""The one rule of acceptable text (issue 12), used by typing, intake and exchange files alike."""

from __future__ import annotations

import sys

import pytest

from app.models import fieldrules
from app.models.entities import FIELDS
from app.models.errors import InvalidInput


def test_the_control_expression_is_exactly_unicode_category_cc() -> None:
    for cp in range(0x3000):
        ch = chr(cp)
        expected = fieldrules.is_control(ch) and ch not in "\t\n\r"
        assert (fieldrules.text_problem(ch, limit=5) == "contains control characters") is expected, hex(cp)
        assert (fieldrules.text_problem(ch, limit=5, lines=False) is not None) is fieldrules.is_control(ch)


@pytest.mark.parametrize("text", ["\x00", "\x1b[2J", "\x07", "\x7f", "\x9b", "\x85"])
def test_check_text_refuses_controls(text: str) -> None:
    with pytest.raises(InvalidInput, match="The note contains control characters"):
        fieldrules.check_text(f"a{text}b", "The note")


def test_check_text_refuses_bytes_that_were_not_utf8_and_keeps_line_breaks() -> None:
    with pytest.raises(InvalidInput, match="not valid text"):
        fieldrules.check_text("caf\udce9", "The note")
    assert fieldrules.check_text("  one\r\n\ttwo \u202e ", "The note") == "one\r\n\ttwo \u202e"
    with pytest.raises(InvalidInput, match="at most 12 characters"):
        fieldrules.check_text("x" * 13, "The short name", limit=fieldrules.field_limit("agency", "short"))


def test_every_limited_field_exists() -> None:
    for entity, field in fieldrules.TEXT_LIMITS:
        assert FIELDS[entity][field] == "str", (entity, field)


def test_a_long_note_is_scanned_quickly() -> None:
    import time

    text = "word " * 4_000
    start = time.perf_counter()
    for _ in range(200):
        assert fieldrules.text_problem(text, limit=fieldrules.MAX_TEXT) is None
    assert time.perf_counter() - start < 2.0 or sys.gettrace() is not None
