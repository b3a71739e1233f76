"""Statistics through the service: figures checked against counts worked out here from the case
files, suppression visible in the written returns, no formula, the disclosure audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.models.errors import InvalidInput
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, statistics
from app.services.cases import lifecycle, referrals, sharing
from app.services.context import Session
from app.storage.schema import audit
from tests.support.stores import TODAY, dump_store

START, END = dt.date(2026, 1, 1), dt.date(2026, 10, 31)


def cohort(session: Session) -> list[object]:
    files = [cases.get_case_file(session, c.id, audit_view=False) for c in cases.list_cases(session)]
    return [f for f in files if f.referral and START <= f.referral.received <= END]


def test_figures_match_counts_from_the_case_files(session: Session):
    stats = statistics.compute(session, start=START, end=END)
    prog = session.programme
    files = cohort(session)
    assert len(files) >= 5
    assert stats.breakdown("referrals_by_quarter").value("Total") == len(files)
    by_sector = Counter(prog.sector(f.referral.sector).label for f in files)
    for label, n in by_sector.items():
        assert stats.breakdown("referrals_by_sector").value(label) == n
    by_concern = Counter(prog.concern(f.referral.concern).label for f in files)
    for label, n in by_concern.items():
        assert stats.breakdown("referrals_by_concern").value(label) == n
    by_month = Counter(f.referral.received.strftime("%b %Y") for f in files)
    for label, n in by_month.items():
        assert stats.breakdown("referrals_by_month").value(label) == n
    outcomes = Counter(
        prog.screening_outcome(min(f.screenings, key=lambda s: s.decided_on).outcome).label
        if f.screenings else "Not yet screened"
        for f in files
    )  # fmt: skip
    for label, n in outcomes.items():
        assert stats.breakdown("screening_outcomes").value(label) == n
    adopted = sum(1 for f in files if any(to == prog.adopted_status for _, to, _ in f.status_history))
    assert stats.breakdown("case_progress").value("Adopted by the panel") == adopted
    overdue = sum(
        1 for c in cases.list_cases(session)
        for a in cases.get_case_file(session, c.id, audit_view=False).actions
        if a.status.value in ("open", "in-progress") and a.due < TODAY
    )  # fmt: skip
    assert stats.breakdown("overdue_now").value("Total") == overdue


def test_returns_show_only_suppressed_figures(session: Session, tmp_path: Path):
    raw = statistics.compute(session, start=START, end=END)
    sector = raw.breakdown("referrals_by_sector")
    small = [r.label for r in sector.rows if 1 <= (r.values[0].value or 0) <= 4]
    assert small, "the demo store should have a small count to suppress"
    before = dump_store(session)

    path = statistics.write_return(session, start=START, end=END, out=tmp_path / "return.csv")
    assert path.stat().st_mode & 0o077 == 0
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    got = {r[4]: r[6] for r in rows[1:] if r[3] == sector.title}
    for label in small:
        assert got[label] == "<5"
    for r in rows[1:]:  # nothing from 1 to 4 anywhere among the counts
        assert r[6] not in {"1", "2", "3", "4"} or r[5].startswith(("Median", "90th", "%"))

    xlsx = statistics.write_return(session, start=START, end=END, out=tmp_path / "return.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["By sector"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(6, ws.max_row + 1)}
    for label in small:
        assert values[label] == "<5"
    assert ws["A1"].value == "OFFICIAL-SENSITIVE" and ws.freeze_panes in ("A6", "B6")

    # The only change: one disclosure entry per return, with format and period, no file name.
    after = dump_store(session)
    assert {k for k in after if after[k] != before[k]} <= {"audit", "meta"}
    with session.view() as conn:
        entries = [(r.action, r.entity, json.loads(r.fields)) for r in conn.execute(select(audit))]
    disclosed = [e for e in entries if e[0] == "disclose" and e[1] == "statistics"]
    assert len(disclosed) == 2 and "format:csv" in disclosed[0][2]
    assert not any("return." in str(e) for e in entries)


def test_returns_are_safe_against_formula_injection(session: Session, tmp_path: Path):
    hostile = '=HYPERLINK("http://evil.example","x")'
    for i in range(6):  # enough cases that the category is shown as a number
        referrals.open_referral(
            session,
            subject=SubjectInput("Ann", f"Tester{i}", dt.date(2000, 1, 1), ethnicity=hostile),
            referral=ReferralInput(dt.date(2026, 5, 4), "DSL", "school", "far right", "x"),
        )
    path = statistics.write_return(session, start=START, end=END, out=tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    labels = [c.value for c in wb["By ethnicity"]["A"]]
    assert hostile in labels
    data = statistics.write_return(session, start=START, end=END, out=tmp_path / "r.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert ["'" + hostile, "Referrals", "6"] in [r[4:] for r in rows]


def test_pdf_return(session: Session, tmp_path: Path):
    path = statistics.write_return(session, start=START, end=END, out=tmp_path / "return.pdf")
    assert path.read_bytes().startswith(b"%PDF")


def test_pdf_return_over_many_years_splits_the_monthly_chart(session: Session, tmp_path: Path):
    """Eight years of months (96 bars) do not fit one chart on one page: the chart is split into
    parts of at most 30 bars, titled "(1 of 4)" and so on; every month is still in the table."""
    from pypdf import PdfReader

    start = dt.date(2019, 1, 1)
    path = statistics.write_return(session, start=start, end=END, out=tmp_path / "long.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "(1 of 4)" in text and "(4 of 4)" in text and "(5 of 4)" not in text
    for label in ("Jan 2019", "Oct 2026"):
        assert text.count(label) >= 2  # in a chart and in the table


@pytest.mark.parametrize(
    ("start", "end", "out", "message"),
    [
        (END, START, "r.csv", "start of the period is after its end"),
        (START, END, "r.ods", ".xlsx, .csv or .pdf"),
        (dt.date(1800, 1, 1), END, "r.csv", "before 1900"),
    ],
)
def test_refusals_write_nothing(session: Session, tmp_path: Path, start, end, out, message):
    before = dump_store(session)
    outdir = tmp_path / "out"
    outdir.mkdir()
    with pytest.raises(InvalidInput, match=message):
        statistics.write_return(session, start=start, end=end, out=outdir / out)
    assert list(outdir.iterdir()) == [] and dump_store(session) == before


def test_a_refused_consent_is_the_persons_answer_not_the_panels_decision(session: Session):
    """Channel guidance: consent refused (or withdrawn) is its own status and its own line; the
    case still counts as adopted by the panel, never as "not adopted"."""
    from app.models.enums import ConsentState

    prog = session.programme
    refused = [s for s in prog.statuses if s.consent == ConsentState.REFUSED.value]
    assert refused, "the programme has a status for a refused consent"
    at_adopted = [c for c in cases.list_cases(session) if c.status == prog.adopted_status]
    assert at_adopted
    cid = at_adopted[0].id
    before = statistics.compute(session, start=START, end=END)
    sharing.record_consent(session, case_id=cid, state=ConsentState.REFUSED)
    lifecycle.change_status(session, case_id=cid, status=refused[0].id, rationale="Declined support.")
    after = statistics.compute(session, start=START, end=END)
    f = cases.get_case_file(session, cid, audit_view=False)
    counted = START <= f.referral.received <= END
    assert f.case.status == refused[0].id != "not-adopted"
    assert after.breakdown("consent").value("Consent refused") == (
        before.breakdown("consent").value("Consent refused") + counted
    )
    progress = ("Discussed at panel", "Adopted by the panel")
    for label in progress:
        assert after.breakdown("case_progress").value(label) == before.breakdown(
            "case_progress"
        ).value(label)
