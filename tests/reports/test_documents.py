"""What each document prints, and what it must never print."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.config.i18n import Language
from app.models.documents import CasePaper, action_lines
from app.reports.minutes import render_minutes
from app.reports.pack import render_meeting_pack
from app.reports.plan import render_plan
from app.reports.statistics import render_statistics
from tools.bench import reports_timing as bench

UNICODE_NAMES = [
    "Łukasz Nowak",
    "Siobhán Ó Súilleabháin",
    "Nguyễn Thị Ngọc Ánh",
    "Dafydd ap Gwŷn",
    "DS Llŷr Hughes",
    "Zoë Price-Davies",
    "Tomasz Wiśniewski",
]


# --- need-to-know --------------------------------------------------------------------------------


# every need-to-know test runs in each language a document can be printed in (issue 17)
LANGUAGES = pytest.mark.parametrize("language", list(Language), ids=[x.value for x in Language])
SHARED_BEYOND = {
    Language.EN: ["not to be shared beyond"],
    Language.CY: ["nid i’w rannu y tu allan i’r asiantaethau hyn:"],
    Language.BILINGUAL: [
        "nid i’w rannu y tu allan i’r asiantaethau hyn:",
        "not to be shared beyond",
    ],
}


@LANGUAGES
def test_restricted_contribution_is_absent_when_left_out(factory, read_pdf, language):
    token = "RESTRICTEDTOKEN"
    shown = read_pdf(
        render_meeting_pack(factory.pack(2, with_restricted=True), compress=False, language=language)
    )
    hidden = read_pdf(
        render_meeting_pack(factory.pack(2, with_restricted=False), compress=False, language=language)
    )
    # Positive control: the token is findable every way we look when the item is included...
    assert token in shown.text
    assert token.encode() in shown.raw()
    for words in SHARED_BEYOND[language]:
        assert words in shown.text
    # ...and leaves no trace anywhere when the caller has left the item out.
    assert token not in hidden.everything()
    assert token.encode() not in hidden.raw()
    assert b"recruiter" not in hidden.raw()
    for words in SHARED_BEYOND[Language.BILINGUAL]:
        assert words not in hidden.text


@LANGUAGES
def test_restricted_item_says_who_it_may_go_to(factory, read_pdf, language):
    pdf = read_pdf(render_meeting_pack(factory.pack(1, with_restricted=True), language=language))
    text = " ".join(pdf.text.split())
    for words in SHARED_BEYOND[language]:
        assert f"{words} NHS Mental Health Trust, Police" in text


# --- text ----------------------------------------------------------------------------------------


def test_unicode_names_extract_intact(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(4)))
    for name in UNICODE_NAMES:
        assert name in pdf.text, name


def test_hostile_markup_prints_literally_everywhere(factory, read_pdf):
    data = factory.pack(1)
    paper = data.case_papers[0]
    referral = dataclasses.replace(paper.referral, narrative=f"Narrative {factory.HOSTILE} end")
    bad = dataclasses.replace(paper, subject=factory.hostile(paper.subject), referral=referral)
    cases = {paper.case.id: f"{paper.case.ref} {bad.subject.display_name}"}
    data = dataclasses.replace(
        data, case_papers=(bad,), names=dataclasses.replace(data.names, cases=cases)
    )
    pdf = read_pdf(render_meeting_pack(data))
    flat = " ".join(pdf.text.split())
    assert " ".join(f"{factory.HOSTILE} Tables".split()) in flat
    assert f"Narrative {' '.join(factory.HOSTILE.split())} end" in flat
    assert any(factory.HOSTILE.strip() in t for t in pdf.outline_titles())


def test_hostile_text_in_plan_and_minutes(factory, read_pdf):
    plan = factory.plan()
    plan = dataclasses.replace(plan, subject=factory.hostile(plan.subject))
    assert "<b>Robert'); DROP TABLE</b>" in read_pdf(render_plan(plan)).text
    minutes = factory.minutes()
    item = minutes.items[0]
    item = dataclasses.replace(item, item=dataclasses.replace(item.item, decision=factory.HOSTILE))
    minutes = dataclasses.replace(minutes, items=(item, *minutes.items[1:]))
    for summary in (False, True):
        assert "<font size=40>x</font>" in read_pdf(render_minutes(minutes, summary=summary)).text


def test_control_characters_do_not_break_the_document(factory, read_pdf):
    plan = factory.plan()
    plan = dataclasses.replace(
        plan, subject=dataclasses.replace(plan.subject, forenames="Ann\x00\x07e")
    )
    assert "Anne" in read_pdf(render_plan(plan)).text


# --- actions -------------------------------------------------------------------------------------


def _segment(text: str, title: str, length: int = 160) -> str:
    i = text.index(title)
    return text[i : i + length]


def test_overdue_actions_are_marked_in_words(factory, read_pdf):
    data = factory.plan()
    overdue = [line for line in data.actions if line.overdue]
    on_time = [line for line in data.actions if not line.overdue]
    assert overdue and on_time
    text = read_pdf(render_plan(data)).text
    for line in overdue:
        assert "OVERDUE" in _segment(text, line.action.title)
    for line in on_time:
        assert "OVERDUE" not in _segment(text, line.action.title, 90)
    assert f"{len(overdue)} actions are OVERDUE." in text


def test_nothing_overdue_prints_no_overdue_mark(factory, read_pdf):
    data = factory.plan()
    early = dt.date(2025, 12, 1)
    data = dataclasses.replace(data, actions=action_lines([x.action for x in data.actions], early))
    assert "OVERDUE" not in read_pdf(render_plan(data)).text


def test_case_paper_shows_overdue_and_what_changed(factory, read_pdf):
    pdf = read_pdf(render_meeting_pack(factory.pack(1)))
    paper: CasePaper = factory.pack(1).case_papers[0]
    assert sum(line.overdue for line in paper.actions) == 2
    assert "2 actions are OVERDUE." in pdf.text
    assert "Risk level changed from Low to Medium." in pdf.text
    assert "New information by agency" in pdf.text


# --- plan ----------------------------------------------------------------------------------------


def test_plan_without_approval_says_so(factory, read_pdf):
    text = read_pdf(render_plan(factory.plan(approved=False))).text
    assert text.count("NOT YET APPROVED") >= 2  # first page and approval block
    assert "Approved by" not in text


def test_approved_plan_names_the_chair(factory, read_pdf):
    text = read_pdf(render_plan(factory.plan(approved=True))).text
    assert "NOT YET APPROVED" not in text
    assert "Approved by Margaret Okonkwo-Hale (chair) on Thursday 15 January 2026." in text


def test_plan_follows_the_programme_headings(factory, read_pdf):
    data = factory.plan()
    text = read_pdf(render_plan(data)).text
    positions = [text.index(h.label) for h in data.context.programme.plan_headings]
    assert positions == sorted(positions)
    for label in (
        "What is the risk",
        "To whom",
        "How soon",
        "What raises it",
        "What lowers it",
        "Protective factors",
        "Contingency",
        "Review due",
    ):
        assert label in text


# --- minutes -------------------------------------------------------------------------------------


def test_summary_minutes_leave_out_discussion_rationale_dissent_and_names(factory, read_pdf):
    data = factory.minutes()
    full = read_pdf(render_minutes(data, summary=False, compress=False))
    summary = read_pdf(render_minutes(data, summary=True, compress=False))
    assert "DISCUSSIONTOKEN" in full.text
    assert "Health would have preferred" in full.text
    assert "Łukasz Nowak" in full.text
    for absent in (
        "DISCUSSIONTOKEN",
        "Progress is real but recent",
        "Health would have preferred",
        "Łukasz Nowak",
        "Siobhán",
    ):
        assert absent not in summary.everything(), absent
    assert b"DISCUSSIONTOKEN" not in summary.raw()
    assert "RT-2026-0040" in summary.text
    assert "Case to remain open with the current plan" in summary.text


def test_minutes_group_attendance_by_agency(factory, read_pdf):
    text = read_pdf(render_minutes(factory.minutes(), summary=False)).text
    assert "Apologies" in text and "Hannah Lindqvist" in text


# --- statistics ----------------------------------------------------------------------------------


def test_statistics_print_suppressed_values_as_given(factory, read_pdf):
    text = read_pdf(render_statistics(factory.statistics())).text
    assert "<5" in text
    assert "Referrals by sector" in text and "Education" in text
    assert "Community\n4" not in text


# --- bench ---------------------------------------------------------------------------------------


def test_bench_functions_run():
    assert bench.raw_page_rate(5) > 0
    seconds, pages = bench.time_pack(2)
    assert seconds > 0 and pages > 5
