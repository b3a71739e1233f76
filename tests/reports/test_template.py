"""The page template: marking, page numbers, recipient, watermark, metadata, outline."""

from __future__ import annotations

import re

import pytest

from app.models.enums import Marking
from app.reports.minutes import render_minutes
from app.reports.pack import render_meeting_pack
from app.reports.plan import render_plan
from app.reports.statistics import render_statistics

STATEMENT = "Shared for safeguarding only. Keep it secure and destroy it when no longer needed."


def _all_documents(factory, marking=Marking.OFFICIAL_SENSITIVE):
    ctx = factory.context(marking=marking)
    return {
        "pack": render_meeting_pack(factory.pack(2, statement=STATEMENT, marking=marking)),
        "plan": render_plan(factory.plan(ctx=ctx)),
        "minutes": render_minutes(factory.minutes(ctx=ctx), summary=False),
        "summary": render_minutes(factory.minutes(ctx=ctx), summary=True),
        "statistics": render_statistics(
            factory.statistics(
                ctx=factory.context(marking=marking, recipient_name="", copy_number=None)
            )
        ),
    }


@pytest.mark.slow
def test_marking_twice_on_every_page_and_nowhere_else(factory, read_pdf):
    for marking in (Marking.OFFICIAL_SENSITIVE, Marking.SECRET):
        for name, data in _all_documents(factory, marking).items():
            pdf = read_pdf(data)
            assert len(pdf.pages) >= 2, name
            for number, text in enumerate(pdf.pages, start=1):
                assert text.count(marking.value) == 2, (name, number)
            assert pdf.text.count(marking.value) == 2 * len(pdf.pages), name


def test_page_n_of_m_on_every_page(factory, read_pdf):
    for name, data in _all_documents(factory).items():
        pdf = read_pdf(data)
        total = len(pdf.pages)
        for number, text in enumerate(pdf.pages, start=1):
            assert f"Page {number} of {total}" in text, (name, number)


def test_recipient_line_and_watermark_on_every_page_of_a_pack(factory, read_pdf):
    pdf = read_pdf(
        render_meeting_pack(
            factory.pack(
                2, recipient_name="Zoë Ó Briain", recipient_agency="Housing Services", copy_number=7
            )
        )
    )
    for number, text in enumerate(pdf.pages, start=1):
        assert "Copy 7 for Zoë Ó Briain, Housing Services" in text, number
        # the watermark is the name alone, drawn under the content
        assert re.search(r"^Zoë Ó Briain$", text, re.M), number


def test_document_without_recipient_has_no_copy_line(factory, read_pdf):
    pdf = read_pdf(render_statistics(factory.statistics()))
    assert "Copy" not in pdf.text


def test_metadata_language_and_outline(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(2)))
    meta = pdf.metadata
    assert meta["/Title"].startswith("Meeting pack, Northvale Multi-Agency Prevent Panel")
    assert meta["/Author"] == "Zoë Price-Davies"
    assert "Copy 4 for Pádraig Kelly" in meta["/Subject"]
    assert meta["/CreationDate"].startswith("D:20260305093000")
    assert pdf.lang == "en-GB"
    titles = pdf.outline_titles()
    for section in (
        "Confidentiality statement",
        "Agenda",
        "Minutes of the last meeting",
        "Action log",
        "Case papers",
        "Attendance sheet",
    ):
        assert section in titles
    assert "RT-2026-0040 Łukasz Nowak" in titles
    assert "RT-2026-0041 Siobhán Ó Súilleabháin" in titles


def test_outline_and_contents_point_at_the_right_pages(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(3)))
    pages = pdf.outline_pages()
    for title in (
        "RT-2026-0040 Łukasz Nowak",
        "RT-2026-0042 Nguyễn Thị Ngọc Ánh",
        "Attendance sheet",
    ):
        assert title in pdf.pages[pages[title] - 1]
    contents = next(p for p in pdf.pages if "Contents" in p and "Agenda" in p)
    numbers = [int(n) for n in re.findall(r"^(\d+)$", contents, re.M)]
    top_level = [
        "Confidentiality statement",
        "Agenda",
        "Minutes of the last meeting",
        "Action log",
        "Case papers",
    ]
    assert numbers[: len(top_level)] == [pages[t] for t in top_level]


def test_same_input_gives_the_same_bytes(factory):
    assert render_meeting_pack(factory.pack(1)) == render_meeting_pack(factory.pack(1))
    assert render_plan(factory.plan()) == render_plan(factory.plan())


def test_pdf_is_a4(factory, read_pdf):
    pdf = read_pdf(render_plan(factory.plan()))
    box = pdf.reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
