"""Embedded fonts: static Noto Sans (regular, bold, italic, bold italic) shipped in resources/fonts.

Job: register one TrueType family with ReportLab, once per process, and say which characters it
cannot print. Invariants: every document uses only this family (never the base-14 fonts, which
cannot print Ł, ŵ or ễ); the files are static instances, because ReportLab would silently use the
default instance of a variable font and so lose bold and italic.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.config.paths import resources_dir

FAMILY = "RTSans"
REGULAR = "RTSans"
BOLD = "RTSans-Bold"
ITALIC = "RTSans-Italic"
BOLD_ITALIC = "RTSans-BoldItalic"

_FILES = {
    REGULAR: "NotoSans-Regular.ttf",
    BOLD: "NotoSans-Bold.ttf",
    ITALIC: "NotoSans-Italic.ttf",
    BOLD_ITALIC: "NotoSans-BoldItalic.ttf",
}
_lock = threading.Lock()  # reports are built on a worker pool; register exactly once
_registered = False


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def font_files() -> dict[str, Path]:
    return {name: fonts_dir() / file for name, file in _FILES.items()}


def register_fonts() -> str:
    """Register the family (idempotent, thread-safe) and return its name for styles."""
    global _registered
    with _lock:
        if _registered:
            return FAMILY
        for name, path in font_files().items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        addMapping(FAMILY, 1, 1, BOLD_ITALIC)
        _registered = True
    return FAMILY


@lru_cache(maxsize=8)
def _cmap(font_name: str) -> frozenset[int]:
    register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return frozenset(face.charToGlyph.keys())


def missing_characters(text: str, fonts: Iterable[str] = tuple(_FILES)) -> set[str]:
    """Characters of ``text`` (after NFC, as printed) that some font of the family cannot draw."""
    wanted = {ch for ch in unicodedata.normalize("NFC", text) if not ch.isspace()}
    missing: set[str] = set()
    for name in fonts:
        cmap = _cmap(name)
        missing |= {ch for ch in wanted if ord(ch) not in cmap}
    return missing
