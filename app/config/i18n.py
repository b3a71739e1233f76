"""The one translation layer: gettext catalogues (managed with Babel) for every layer, no Qt.

Job: turn an English source string into the words of the language in force, with each language's
plural rules (CLDR, through the catalogue's Plural-Forms header: Welsh has six forms), and format
dates in that language ("Dydd Iau 12 Mawrth 2026"). The language in force is a context variable,
so one document can be made in Welsh (or bilingual) while everything else runs in English::

    with using_language(Language.CY):
        pdf = render_plan(data)

Invariants:
- English is the source language: an English run never opens a catalogue, and a string with no
  Welsh translation falls back to its English text (``tools/i18n.py check`` lists them).
- Bilingual text puts the Welsh first ("Cymraeg / English"), as Welsh public bodies lay out
  bilingual documents; a string the same in both languages is printed once.
- The catalogue is read from the compiled ``.mo`` when it is at least as new as its ``.po``;
  otherwise (a checkout where ``make catalogues`` has not run) the ``.po`` is compiled in memory.
  Nothing here writes a file.

See docs/i18n.md for why gettext/Babel and not Qt's ``.ts`` catalogues.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import gettext as _gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from pathlib import Path

from app.config.paths import resources_dir

DOMAIN = "roundtable"
BILINGUAL_SEPARATOR = " / "


class Language(StrEnum):
    """The language of a document or a user: English, Welsh, or both (Welsh first)."""

    EN = "en"
    CY = "cy"
    BILINGUAL = "bilingual"

    @classmethod
    def parse(cls, text: str) -> Language:
        """``en``, ``cy`` or ``bilingual`` (any case); anything else is one clear sentence."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(m.value for m in cls)
            raise ValueError(f"Unknown language {text!r}: choose one of {choices}.") from None

    @property
    def tag(self) -> str:
        """The BCP 47 tag a PDF's /Lang carries (a bilingual document's first language)."""
        return "en-GB" if self is Language.EN else "cy-GB"


_current: contextvars.ContextVar[Language] = contextvars.ContextVar(
    "roundtable_language", default=Language.EN
)


def current_language() -> Language:
    return _current.get()


@contextmanager
def using_language(language: Language | str) -> Iterator[Language]:
    """Run the block in ``language``; the previous language is back afterwards, even on error."""
    lang = language if isinstance(language, Language) else Language.parse(language)
    token = _current.set(lang)
    try:
        yield lang
    finally:
        _current.reset(token)


# --- catalogues ---------------------------------------------------------------------------------


def locale_dir() -> Path:
    return resources_dir() / "locale"


def catalogue_paths(locale: str) -> tuple[Path, Path]:
    """The ``.po`` (source, committed) and ``.mo`` (compiled) of ``locale``."""
    base = locale_dir() / locale / "LC_MESSAGES"
    return base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The catalogue of ``locale``: the ``.mo`` if current, else the ``.po`` compiled in memory,
    else none (every string falls back to English)."""
    po, mo = catalogue_paths(locale)
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return _gettext.GNUTranslations(f)
    if po.is_file():
        return _gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    return _gettext.NullTranslations()


def _welsh() -> _gettext.NullTranslations:
    return translations("cy")


def both(cy: str, en: str) -> str:
    """Bilingual text: the Welsh first; once when the two are the same."""
    return en if cy == en else f"{cy}{BILINGUAL_SEPARATOR}{en}"


def _pick(cy: str, en: str) -> str:
    lang = _current.get()
    if lang is Language.EN:
        return en
    if lang is Language.CY:
        return cy
    return both(cy, en)


# --- the functions code calls -------------------------------------------------------------------


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it (module-level tables)."""
    return message


def gettext(message: str) -> str:
    """``message`` in the language in force."""
    if _current.get() is Language.EN:
        return message
    return _pick(_welsh().gettext(message), message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` by the language's plural rules (Welsh: zero,
    one, two, few, many, other). The caller formats ``n`` in: ``ngettext(...).format(n=n)``."""
    en = singular if n == 1 else plural
    if _current.get() is Language.EN:
        return en
    return _pick(_welsh().ngettext(singular, plural, n), en)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in force, told apart from the same English by ``context``."""
    if _current.get() is Language.EN:
        return message
    return _pick(_welsh().pgettext(context, message), message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    en = singular if n == 1 else plural
    if _current.get() is Language.EN:
        return en
    return _pick(_welsh().npgettext(context, singular, plural, n), en)


def each_language(make: Callable[[], str]) -> list[str]:
    """``make()`` in each language of the document: [Welsh, English] in a bilingual one (for
    text laid out on lines of its own, such as a page's footer), else one."""
    if _current.get() is not Language.BILINGUAL:
        return [make()]
    out = []
    for lang in (Language.CY, Language.EN):
        with using_language(lang):
            out.append(make())
    return out


def in_each_language(make: Callable[[], str]) -> str:
    """Text built from several translated pieces (a sentence with a date or a label in it).

    In a bilingual document the whole is built once in Welsh and once in English and the two
    joined ("Argraffwyd 5 Maw 2026 gan X / Printed 5 Mar 2026 by X"), never each piece paired up
    inside the other; in English or Welsh it is simply ``make()``."""
    if _current.get() is not Language.BILINGUAL:
        return make()
    with using_language(Language.CY):
        cy = make()
    with using_language(Language.EN):
        en = make()
    return both(cy, en)


def welsh(message: str) -> str:
    """The catalogue's Welsh for ``message`` whatever the language in force (its English if none)."""
    return _welsh().gettext(message)


def bilingual_text(cy: str, en: str) -> str:
    """Text already in both languages (a programme's label and its Welsh), in the language in
    force; an empty Welsh falls back to the English."""
    return _pick(cy or en, en)


# --- dates in the document's language -----------------------------------------------------------

_LONG = "EEEE d MMMM y"  # Dydd Iau 12 Mawrth 2026 / Thursday 12 March 2026
_SHORT = "d MMM y"  # 12 Maw 2026 / 12 Mar 2026
_STAMP = "d MMM y HH:mm"
_BABEL = {Language.EN: "en_GB", Language.CY: "cy"}


def _dates(render: Callable[..., str], value: dt.date, pattern: str) -> str:
    """``render`` is Babel's format_date or format_datetime."""
    lang = _current.get()
    if lang is Language.BILINGUAL:
        return both(render(value, pattern, locale="cy"), render(value, pattern, locale="en_GB"))
    return render(value, pattern, locale=_BABEL[lang])


def format_date(day: dt.date | None, *, long: bool = False) -> str:
    """``Dydd Iau 12 Mawrth 2026`` (long) or ``12 Maw 2026``; "—" for no date."""
    if day is None:
        return "—"
    from babel.dates import format_date as babel_date  # imported when a date is first printed

    return _dates(babel_date, day, _LONG if long else _SHORT)


def format_datetime(at: dt.datetime) -> str:
    """``12 Maw 2026 14:05`` in the wall-clock time given (no conversion)."""
    from babel.dates import format_datetime as babel_datetime

    return _dates(babel_datetime, at.replace(tzinfo=None), _STAMP)
