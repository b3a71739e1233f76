"""A programme's case fields (MAPPA's category and management level) wherever a case is looked at:
the case list (values, sort and filter in the store), the documents and the statistics — always
the values of the case's current assessment, checked against what was recorded. A programme
without case fields (the default) shows none of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pypdf
import pytest

from app.models import rules
from app.models.domain import CaseFile, FactorRating
from app.models.errors import InvalidInput
from app.models.framework import split_summaries
from app.models.programme import Programme
from app.services import cases, meetings, risk, statistics
from app.services.context import Session
from app.services.documents import packs, plans
from tests.support.stores import today


def recorded(cf: CaseFile) -> dict[str, str]:
    """What the latest version recorded, read straight from its summaries (the demo has no
    concurrent versions, so the latest version is the current one)."""
    if not cf.assessments:
        return {}
    latest = max(cf.assessments, key=lambda a: a.version)
    return dict(split_summaries(latest.dimension_summaries).case_fields)


def all_recorded(session: Session) -> dict[str, dict[str, str]]:
    return {
        cid: recorded(cases.get_case_file(session, cid, audit_view=False))
        for cid in cases.list_case_ids(session)
    }


def assessment(prog: Programme, fields: dict[str, str], level: str | None = None) -> risk.AssessmentInput:
    fw = prog.framework
    return risk.AssessmentInput(
        factors=tuple(FactorRating(d, f, fw.ratings[1].id, "Seen by agencies.") for d, f in fw.factor_ids()),
        dimension_summaries=(),
        overall="The panel's judgement.",
        risk_level=level or fw.risk_levels[0].id,
        case_fields=tuple(fields.items()),
    )


# --- the case list -------------------------------------------------------------------------------


def test_case_list_rows_carry_the_current_case_fields(msession: Session) -> None:
    truth = all_recorded(msession)
    assert any(truth.values()) and not all(truth.values())  # assessed cases and never-assessed ones
    rows = cases.case_summaries(msession, list(truth))
    assert {r.id: dict(r.case_fields) for r in rows} == truth
    for r in rows:
        if truth[r.id]:
            assert set(truth[r.id]) >= {"category", "management-level"}  # both required


def test_a_new_version_is_what_the_list_shows(msession: Session) -> None:
    prog = msession.programme
    cid = next(c for c, v in all_recorded(msession).items() if not v)
    [row] = cases.case_summaries(msession, [cid])
    assert row.case_fields == ()
    risk.record_assessment(msession, case_id=cid, assessment=assessment(prog, {"category": "1", "management-level": "2"}))
    [row] = cases.case_summaries(msession, [cid])
    assert dict(row.case_fields) == {"category": "1", "management-level": "2"}
    risk.record_assessment(msession, case_id=cid, assessment=assessment(prog, {"category": "3", "management-level": "3"}))
    [row] = cases.case_summaries(msession, [cid])
    assert dict(row.case_fields) == {"category": "3", "management-level": "3"}
    values = rules.current_case_fields(prog, cases.get_case_file(msession, cid, audit_view=False).assessments)
    assert [(v.field.id, v.choice, v.short) for v in values if not v.field.is_date] == [
        ("category", "3", "Category 3"),
        ("management-level", "3", "Level 3"),
    ]


def test_concurrent_versions_the_list_and_the_rule_agree(msession: Session) -> None:
    """Two stores recorded the same version: the higher risk level speaks for the case, in the
    store's query and in the pure rule alike."""
    prog = msession.programme
    levels = sorted(prog.framework.risk_levels, key=lambda r: r.rank)
    cid = next(c for c, v in all_recorded(msession).items() if not v)
    with msession.change() as w:
        for level, category in ((levels[-1], "4"), (levels[0], "1")):  # the higher level first
            w.create("assessment", {
                "case_id": cid, "version": 1, "factors": [],
                "dimension_summaries": [["field:category", category]],
                "overall": "Concurrent.", "risk_level": level.id, "risk_rank": level.rank,
                "author": msession.me.id, "assessed_on": today(),
            })  # fmt: skip
    [row] = cases.case_summaries(msession, [cid])
    assert row.risk_level == levels[-1].id
    assert dict(row.case_fields) == {"category": "4"}
    cf = cases.get_case_file(msession, cid, audit_view=False)
    assert [v.choice for v in rules.current_case_fields(prog, cf.assessments)] == ["4"] + [None] * (len(prog.case_fields) - 1)


def test_case_list_sorts_by_a_case_field_in_the_programmes_order(msession: Session) -> None:
    truth = all_recorded(msession)
    order = [c.id for c in msession.programme.case_field("category").choices]

    def rank(cid: str) -> int:
        value = truth[cid].get("category")
        return order.index(value) if value else len(order)

    up = cases.list_case_ids(msession, sort="field:category")
    assert sorted(up) == sorted(truth)
    assert [rank(c) for c in up] == sorted(rank(c) for c in truth)
    down = cases.list_case_ids(msession, sort="field:category", descending=True)
    assert [rank(c) for c in down] == sorted((rank(c) for c in truth), reverse=True)
    assert rank(up[-1]) == len(order)  # not recorded after every choice


def test_case_list_filters_on_a_case_field(msession: Session) -> None:
    truth = all_recorded(msession)
    for choice in ("1", "2", "3", "4"):
        got = cases.list_case_ids(msession, case_fields={"category": choice})
        assert set(got) == {c for c, v in truth.items() if v.get("category") == choice}
    unrecorded = cases.list_case_ids(msession, case_fields={"management-level": ""})
    assert unrecorded and set(unrecorded) == {c for c, v in truth.items() if "management-level" not in v}
    both = cases.list_case_ids(msession, case_fields={"category": "4", "management-level": "3"})
    assert set(both) == {c for c, v in truth.items() if v.get("category") == "4" and v.get("management-level") == "3"}
    status = msession.programme.adopted_status
    with_status = cases.list_case_ids(msession, statuses=[status], case_fields={"category": "4"})
    assert set(with_status) <= set(cases.list_case_ids(msession, statuses=[status]))
    with pytest.raises(InvalidInput):
        cases.list_case_ids(msession, case_fields={"no-such-field": "1"})
    with pytest.raises(InvalidInput):
        cases.list_case_ids(msession, case_fields={"category": "9"})


def test_programme_without_case_fields_lists_none(session: Session) -> None:
    assert session.programme.case_fields == ()
    ids = cases.list_case_ids(session)
    assert all(r.case_fields == () for r in cases.case_summaries(session, ids))
    assert cases.list_case_ids(session, sort="field:category") == ids  # no such key: by ref
    with pytest.raises(InvalidInput):
        cases.list_case_ids(session, case_fields={"category": "1"})
    cf = cases.get_case_file(session, ids[0], audit_view=False)
    assert rules.current_case_fields(session.programme, cf.assessments) == ()


# --- documents -----------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    """Every page's text, whitespace removed (a label and its value may wrap or split)."""
    pages = (unicodedata.normalize("NFC", p.extract_text() or "") for p in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", "", "".join(pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_case_paper_prints_the_current_case_fields(msession: Session, tmp_path: Path) -> None:
    prog = msession.programme
    truth = all_recorded(msession)
    mine = msession.agency.id
    visible = [
        c for c in (cases.resolve_case(msession, i) for i in truth) if c.lead_agency == mine or mine in c.shared_with
    ]
    assessed = next(c for c in visible if truth[c.id])
    never = next(c for c in visible if not truth[c.id])
    mid = meetings.schedule_meeting(
        msession, held_on=dt.date(2026, 12, 3), case_ids=[assessed.id, never.id], distribution=[msession.me.id]
    )
    data = packs.meeting_pack_data(msession, meeting_id=mid, recipient=msession.me.id)
    papers = {p.case.id: p for p in data.case_papers}
    for cid in (assessed.id, never.id):
        assert [(v.field.id, v.choice) for v in papers[cid].case_fields] == [
            (cf.id, truth[cid].get(cf.id)) for cf in prog.case_fields
        ]
    text = pdf_text(packs.write_meeting_pack(msession, meeting_id=mid, recipient=msession.me.id,
                                                 out=tmp_path / "pack.pdf"))
    for cf in prog.choice_fields:
        label = prog.case_field(cf.id).choice(truth[assessed.id][cf.id]).label
        # the field's label then its value, in the paper's person-and-case block
        assert squash(f"{cf.label}{label}") in text
        assert squash(f"{cf.label}Not recorded") in text  # the case never assessed


def test_what_changed_names_a_case_field_that_moved(msession: Session, tmp_path: Path) -> None:
    prog = msession.programme
    mine = msession.agency.id
    cid = next(
        c.id for c in (cases.resolve_case(msession, i) for i, v in all_recorded(msession).items() if not v)
        if c.lead_agency == mine or mine in c.shared_with
    )
    for level in ("1", "3"):
        risk.record_assessment(msession, case_id=cid,
                               assessment=assessment(prog, {"category": "2", "management-level": level}))
    mid = meetings.schedule_meeting(msession, held_on=dt.date(2026, 12, 3), case_ids=[cid],
                                    distribution=[msession.me.id])
    text = pdf_text(packs.write_meeting_pack(msession, meeting_id=mid, recipient=msession.me.id,
                                                 out=tmp_path / "pack.pdf"))
    assert squash("Management level changed from Level 1 to Level 3.") in text
    assert squash("MAPPA category changed") not in text


def test_plan_prints_the_current_case_fields(msession: Session, tmp_path: Path) -> None:
    prog = msession.programme
    truth = all_recorded(msession)
    cid = next(c for c in truth if cases.get_case_file(msession, c, audit_view=False).current_plan)
    data = plans.plan_data(msession, case_id=cid)
    assert {v.field.id: v.choice for v in data.case_fields if v.choice} == truth[cid]
    text = pdf_text(plans.write_plan(msession, case_id=cid, out=tmp_path / "plan.pdf"))
    level = prog.framework.risk_level(cases.resolve_case(msession, cid).risk_level or "").label
    category = prog.case_field("category").choice(truth[cid]["category"]).label
    management = prog.case_field("management-level").choice(truth[cid]["management-level"]).label
    dates = "".join(f"{v.field.label}{v.label}" for v in data.case_fields if v.field.is_date)
    assert squash(f"Risk level{level}MAPPA category{category}Management level{management}{dates}Plan") in text


def test_documents_of_a_programme_without_case_fields_have_none(session: Session, tmp_path: Path) -> None:
    cid = next(c for c in cases.list_case_ids(session)
               if cases.get_case_file(session, c, audit_view=False).current_plan)
    data = plans.plan_data(session, case_id=cid)
    assert data.case_fields == ()
    case = cases.resolve_case(session, cid)
    level = session.programme.framework.risk_level(case.risk_level or "").label
    text = pdf_text(plans.write_plan(session, case_id=cid, out=tmp_path / "plan.pdf"))
    assert squash(f"Risk level{level}Plan") in text  # nothing between the level and the plan
    upcoming = next(m for m in meetings.list_meetings(session) if m.status == "scheduled")
    who = packs.pack_recipients(session, meeting_id=upcoming.id)[0]
    pack = packs.meeting_pack_data(session, meeting_id=upcoming.id, recipient=who.member_id)
    assert pack.case_papers and all(p.case_fields == () for p in pack.case_papers)


# --- statistics ----------------------------------------------------------------------------------

SINCE = dt.date(2025, 1, 1)  # a period holding every demo referral (the demo starts in 2025)


def test_statistics_break_down_referrals_by_current_case_field(msession: Session, tmp_path: Path) -> None:
    prog = msession.programme
    truth = all_recorded(msession)
    raw = statistics.compute(msession, start=SINCE, end=today())
    assert raw.breakdown("referrals_by_month").value("Total") == len(truth)
    for cf in prog.choice_fields:
        b = raw.breakdown(f"referrals_by_field:{cf.id}")
        counted = Counter(v.get(cf.id, "") for v in truth.values())
        assert [(r.label, r.values[0].value) for r in b.rows] == [
            *((c.label, counted[c.id]) for c in cf.choices),
            ("Not recorded", counted[""]),
            ("Total", len(truth)),
        ]
    small = [
        (cf, r.label) for cf in prog.choice_fields
        for r in raw.breakdown(f"referrals_by_field:{cf.id}").rows if 1 <= (r.values[0].value or 0) <= 4
    ]  # fmt: skip
    assert small, "the demo panel should have a small case-field count to suppress"

    # returns: the same suppression as every other breakdown, in every format
    xlsx = statistics.write_return(msession, start=SINCE, end=today(), out=tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    sheets = {"category": "By MAPPA category", "management-level": "By management level"}
    for cf, label in small:
        ws = wb[sheets[cf.id]]
        values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(6, ws.max_row + 1)}
        assert values[label] == "<5"
    csv_text = statistics.write_return(msession, start=SINCE, end=today(), out=tmp_path / "r.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig"), newline="")))
    titles = {cf.id: raw.breakdown(f"referrals_by_field:{cf.id}").title for cf in prog.choice_fields}
    got = {(r[3], r[4]): r[6] for r in rows[1:]}
    for cf, label in small:
        assert got[(titles[cf.id], label)] == "<5"
    published = raw.published()
    for key in (f"referrals_by_field:{cf.id}" for cf in prog.choice_fields):
        assert not {v for r in published.breakdown(key).rows for v in r.values} & {"1", "2", "3", "4"}
    pdf = pdf_text(statistics.write_return(msession, start=SINCE, end=today(), out=tmp_path / "r.pdf"))
    data = statistics.report_data(msession, published)
    charted = {s.title for s in data.series}
    for cf in prog.choice_fields:
        assert titles[cf.id] in charted
        assert squash(titles[cf.id]) in pdf
    for _cf, label in small:
        assert squash(f"{label}<5") in pdf


def test_statistics_of_a_programme_without_case_fields_have_none(session: Session, tmp_path: Path) -> None:
    raw = statistics.compute(session, start=SINCE, end=today())
    assert not any(b.key.startswith("referrals_by_field:") for b in raw.breakdowns)
    wb = openpyxl.load_workbook(statistics.write_return(session, start=SINCE, end=today(), out=tmp_path / "r.xlsx"))
    assert not any(name.startswith("By MAPPA") or name.startswith("By management") for name in wb.sheetnames)


def test_the_mappa_demo_records_levels_that_agree_with_the_status(msession: Session) -> None:
    """The programme's demo data ([demo.case_fields.<status>]) keeps the demo panel believable:
    a case managed at level 2 or 3 records level 2 or 3; one managed at level 1 or stepped down
    records level 1."""
    wanted = {"managed": {"2", "3"}, "level-1": {"1"}, "stepped-down": {"1"}}
    seen = Counter()
    for row in cases.list_cases(msession):
        level = dict(row.case_fields).get("management-level")
        if row.status in wanted and level:
            assert level in wanted[row.status], (row.ref, row.status, level)
            seen[row.status] += 1
    assert seen["managed"] > 0


def test_the_subject_access_report_holds_the_case_fields_recorded(msession: Session, tmp_path: Path) -> None:
    """The person is entitled to what the panel recorded about them: each assessment version's
    category and level are in their subject access report."""
    from app.services.documents import subject_access

    prog = msession.programme
    cid, recorded = next(
        (c.id, dict(c.case_fields)) for c in cases.list_cases(msession) if c.case_fields
    )
    out = subject_access.subject_access_report(msession, case_id=cid, out=tmp_path / "sar.pdf")
    text = " ".join((page.extract_text() or "") for page in pypdf.PdfReader(out).pages)
    text = " ".join(text.split())
    for field_id, choice in recorded.items():
        field = prog.case_field(field_id)
        assert f"{field.label}: {' '.join(field.choice_label(choice).split())}" in text
