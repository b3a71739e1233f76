"""The translation layer (app.config.i18n): the language in force is per context, Welsh has its six
plural forms, dates come out in the document's language, bilingual text puts the Welsh first."""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from app.config import i18n
from app.config.i18n import Language, _, ngettext, pgettext, using_language


def test_english_is_the_default_and_the_source() -> None:
    assert i18n.current_language() is Language.EN
    assert _("Page {number} of {total}").format(number=1, total=14) == "Page 1 of 14"


def test_welsh_and_bilingual_page_numbering() -> None:
    with using_language(Language.CY):
        assert _("Page {number} of {total}").format(number=1, total=14) == "Tudalen 1 o 14"
    with using_language("bilingual"):
        text = _("Page {number} of {total}").format(number=1, total=14)
        assert text == "Tudalen 1 o 14 / Page 1 of 14"  # Welsh first


def test_the_language_is_put_back_after_the_block_even_on_error() -> None:
    with pytest.raises(RuntimeError), using_language(Language.CY):
        assert i18n.current_language() is Language.CY
        raise RuntimeError("boom")
    assert i18n.current_language() is Language.EN


def test_a_welsh_document_leaves_other_threads_and_contexts_in_english() -> None:
    seen: list[str] = []
    ready, done = threading.Event(), threading.Event()

    def other() -> None:
        ready.wait(5)
        seen.append(_("Agenda item"))  # not in the catalogue: stays English anyway
        seen.append(_("Contents"))
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with using_language(Language.CY):
        ready.set()
        done.wait(5)
        assert _("Contents") == "Cynnwys"
    t.join()
    assert seen == ["Agenda item", "Contents"]
    ctx = contextvars.copy_context()
    assert ctx.run(lambda: _("Contents")) == "Contents"


def test_welsh_has_six_plural_forms_from_cldr() -> None:
    forms = {}
    with using_language(Language.CY):
        for n in (0, 1, 2, 3, 6, 7):
            forms[n] = ngettext("{n} action is OVERDUE.", "{n} actions are OVERDUE.", n).format(n=n)
    assert forms == {
        0: "Does dim camau gweithredu YN HWYR.",
        1: "Mae 1 cam gweithredu YN HWYR.",
        2: "Mae 2 gam gweithredu YN HWYR.",
        3: "Mae 3 cham gweithredu YN HWYR.",
        6: "Mae 6 cham gweithredu YN HWYR.",
        7: "Mae 7 cam gweithredu YN HWYR.",
    }
    assert len(set(forms.values())) == 6
    # English keeps its two forms
    assert ngettext("{n} case", "{n} cases", 1) == "{n} case"
    assert ngettext("{n} case", "{n} cases", 0) == "{n} cases"


def test_context_tells_the_same_english_apart() -> None:
    with using_language(Language.CY):
        assert pgettext("marking", "OFFICIAL-SENSITIVE") == "SWYDDOGOL-SENSITIF"
        assert pgettext("action", "Due") == "Erbyn"


def test_a_string_with_no_translation_falls_back_to_english() -> None:
    with using_language(Language.CY):
        assert _("A sentence nobody has translated") == "A sentence nobody has translated"
    with using_language(Language.BILINGUAL):  # printed once, not "X / X"
        assert _("A sentence nobody has translated") == "A sentence nobody has translated"


def test_dates_in_the_documents_language() -> None:
    day = dt.date(2026, 3, 12)
    assert i18n.format_date(day, long=True) == "Thursday 12 March 2026"
    assert i18n.format_date(day) == "12 Mar 2026"
    with using_language(Language.CY):
        assert i18n.format_date(day, long=True) == "Dydd Iau 12 Mawrth 2026"
        assert i18n.format_date(day) == "12 Maw 2026"
        assert i18n.format_datetime(dt.datetime(2026, 3, 12, 14, 5)) == "12 Maw 2026 14:05"
    with using_language(Language.BILINGUAL):
        assert i18n.format_date(day, long=True) == "Dydd Iau 12 Mawrth 2026 / Thursday 12 March 2026"
    assert i18n.format_date(None) == "—"


def test_an_aware_time_prints_its_own_wall_clock() -> None:
    at = dt.datetime(2026, 3, 12, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert i18n.format_datetime(at) == "12 Mar 2026 23:30"


def test_unknown_language_is_one_clear_sentence() -> None:
    with pytest.raises(ValueError, match=r"^Unknown language 'fr': choose one of en, cy, bilingual\.$"):
        Language.parse("fr")
    assert Language.parse(" CY ") is Language.CY
    assert Language.CY.tag == "cy-GB" and Language.BILINGUAL.tag == "cy-GB"


def test_bilingual_text_of_programme_labels() -> None:
    with using_language(Language.CY):
        assert i18n.bilingual_text("Atgyfeiriad newydd", "New referral") == "Atgyfeiriad newydd"
        assert i18n.bilingual_text("", "New referral") == "New referral"  # falls back
    with using_language(Language.BILINGUAL):
        assert i18n.bilingual_text("Atgyfeiriad newydd", "New referral") == (
            "Atgyfeiriad newydd / New referral"
        )


def test_a_stale_mo_is_not_used_the_po_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .mo older than its .po (someone edited the .po and did not run make catalogues) would
    print yesterday's Welsh: the .po wins, compiled in memory."""
    po, mo = i18n.catalogue_paths("cy")
    base = tmp_path / "locale" / "cy" / "LC_MESSAGES"
    base.mkdir(parents=True)
    (base / mo.name).write_bytes(i18n.compile_po(po))
    text = po.read_text(encoding="utf-8").replace('msgstr "Cynnwys"', 'msgstr "Cynnwys (newydd)"')
    (base / po.name).write_text(text, encoding="utf-8")
    old = (base / po.name).stat().st_mtime - 60
    os.utime(base / mo.name, (old, old))
    monkeypatch.setattr(i18n, "locale_dir", lambda: tmp_path / "locale")
    i18n.translations.cache_clear()
    try:
        with using_language(Language.CY):
            assert _("Contents") == "Cynnwys (newydd)"
    finally:
        i18n.translations.cache_clear()


def test_the_built_mo_says_what_the_po_says() -> None:
    po, mo = i18n.catalogue_paths("cy")
    assert mo.is_file(), "the test set-up builds the .mo (tests/conftest.py)"
    assert mo.read_bytes() == i18n.compile_po(po) or mo.stat().st_mtime < po.stat().st_mtime


def test_a_sentence_with_a_date_in_it_is_built_whole_in_each_language() -> None:
    """Bilingual "Argraffwyd 12 Maw 2026 gan X / Printed 12 Mar 2026 by X", not the date paired up
    inside each half ("Argraffwyd 12 Maw 2026 / 12 Mar 2026 gan X / Printed …")."""
    day = dt.date(2026, 3, 12)

    def sentence() -> str:
        return _("Review due: {when}").format(when=i18n.format_date(day))

    with using_language(Language.BILINGUAL):
        assert i18n.in_each_language(sentence) == "Adolygiad erbyn: 12 Maw 2026 / Review due: 12 Mar 2026"
        assert sentence() == "Adolygiad erbyn: 12 Maw 2026 / 12 Mar 2026 / Review due: 12 Maw 2026 / 12 Mar 2026"
        assert i18n.current_language() is Language.BILINGUAL
    with using_language(Language.CY):
        assert i18n.in_each_language(sentence) == "Adolygiad erbyn: 12 Maw 2026"
