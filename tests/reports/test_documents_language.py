"""Documents in English, Welsh, or both with the Welsh first (issue 17): the page chrome (marking,
page numbering, footer), dates and fixed strings follow the document's language; English output
is what it was."""

from __future__ import annotations

import pytest

from app.config.i18n import Language, current_language
from app.reports.minutes import render_minutes
from app.reports.pack import render_meeting_pack
from app.reports.plan import render_plan
from app.reports.statistics import render_statistics


def test_english_is_unchanged(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(1)))
    n = len(pdf.pages)
    assert f"Page 1 of {n}" in pdf.pages[0] and "OFFICIAL-SENSITIVE" in pdf.pages[0]
    assert "Meeting pack" in pdf.pages[0] and pdf.lang == "en-GB"
    assert "Tudalen" not in pdf.text and "SWYDDOGOL" not in pdf.text


def test_a_welsh_pack(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(2), language=Language.CY))
    n = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        assert f"Tudalen {number} o {n}" in page
        assert page.count("SWYDDOGOL-SENSITIF") == 2  # top and bottom of every page
        assert "Argraffwyd" in page and "Peidiwch â chopïo na throsglwyddo." in page
    cover = pdf.pages[0]
    assert "Pecyn cyfarfod" in cover and "Dydd " in cover
    assert "Page 1 of" not in pdf.text and "OFFICIAL-SENSITIVE" not in pdf.text
    assert pdf.lang == "cy-GB"
    assert "Agenda" in pdf.outline_titles() and "Papurau achos" in pdf.outline_titles()
    assert current_language() is Language.EN  # the rest of the process is still in English


def test_a_bilingual_pack_puts_the_welsh_first(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(1), language=Language.BILINGUAL))
    first = " ".join(pdf.pages[0].split())
    assert "SWYDDOGOL-SENSITIF / OFFICIAL-SENSITIVE" in first
    assert first.index("Pecyn cyfarfod") < first.index("Meeting pack")
    n = len(pdf.pages)
    assert f"Tudalen 1 o {n} / Page 1 of {n}" in first


@pytest.mark.parametrize("approved", [False, True])
def test_a_welsh_plan(factory, read_pdf, approved):
    text = read_pdf(render_plan(factory.plan(approved=approved), language=Language.CY)).text
    assert "Cynllun rheoli risg" in text and "Tudalen 1 o" in text
    if approved:
        assert "Cymeradwywyd gan" in text and "HEB EI GYMERADWYO" not in text
    else:
        assert text.count("HEB EI GYMERADWYO ETO") == 2  # first page and approval block


@pytest.mark.parametrize("language", [Language.CY, Language.BILINGUAL])
def test_summary_minutes_keep_out_what_they_keep_out_in_every_language(factory, read_pdf, language):
    data = factory.minutes()
    full = read_pdf(render_minutes(data, summary=False, compress=False, language=language))
    summary = read_pdf(render_minutes(data, summary=True, compress=False, language=language))
    assert "DISCUSSIONTOKEN" in full.text and "Trafodaeth" in full.text
    for absent in ("DISCUSSIONTOKEN", "Health would have preferred", "Łukasz Nowak", "Siobhán"):
        assert absent not in summary.everything(), absent
    assert b"DISCUSSIONTOKEN" not in summary.raw()
    assert "Crynodeb gweithredol o’r cofnodion" in summary.text


def test_a_welsh_plan_prints_the_programmes_welsh_words(factory, read_pdf):
    data = factory.plan(approved=True)
    prog = data.context.programme
    welsh_heading = prog.welsh[prog.plan_headings[0].label]
    cy = read_pdf(render_plan(data, language=Language.CY)).text
    en = read_pdf(render_plan(data)).text
    assert welsh_heading in cy and welsh_heading not in en
    assert prog.plan_headings[0].label in en
    status = prog.status_label(data.case.status)
    assert prog.welsh[status] in cy


def test_a_welsh_statistics_return_keeps_suppressed_values(factory, read_pdf):
    data = factory.statistics()
    pdf = read_pdf(render_statistics(data, language=Language.CY))
    assert "Tudalen 1 o" in pdf.text and "Dangosir niferoedd o 1 i 4" in pdf.text
    assert "<5" in pdf.text  # printed as given in every language
    assert "Counts from 1 to 4" not in pdf.text


def test_the_risk_chart_names_levels_in_welsh(factory, read_pdf):
    text = read_pdf(render_meeting_pack(factory.pack(1), language=Language.CY)).text
    assert "Lefel risg bresennol" in text
    assert any(w in text for w in ("Isel", "Canolig", "Uchel"))


def test_bilingual_sentences_do_not_nest_their_dates(factory, read_pdf):
    data = factory.pack(2)
    pdf = read_pdf(render_meeting_pack(data, language=Language.BILINGUAL))
    text = " ".join(pdf.text.split())
    for page in pdf.pages:  # the footer: a line in each language, the Welsh above, none cut short
        lines = [x.strip() for x in page.splitlines()]
        assert any(x.startswith("Argraffwyd ") and x.endswith("Peidiwch â chopïo na throsglwyddo.") for x in lines)
        assert any(x.startswith("Printed ") and x.endswith("Do not copy or pass on.") for x in lines)
    # a Welsh date followed straight by its English twin would mean a sentence was paired up inside
    assert "2026 / 5 Mar" not in text and "Maw 2026 09:30 / 5" not in text
    plan = " ".join(read_pdf(render_plan(factory.plan(approved=True), language=Language.BILINGUAL)).text.split())
    assert "Adolygiad erbyn:" in plan and "/ Review due:" in plan


@pytest.mark.parametrize("language", list(Language))
def test_the_confidentiality_statement_in_the_packs_language(factory, read_pdf, language):
    text = " ".join(read_pdf(render_meeting_pack(factory.pack(1), language=language)).text.split())
    welsh, english = "Rhennir yr holl wybodaeth", "All information shared at or for this panel"
    assert (welsh in text) == (language is not Language.EN)
    assert (english in text) == (language is not Language.CY)
    if language is Language.BILINGUAL:
        assert text.index(welsh) < text.index(english)
