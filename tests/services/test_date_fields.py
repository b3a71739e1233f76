"""Date case fields (issue 18): MAPPA's release, licence, registration and order end dates are
recorded with an assessment version, refused when impossible, sorted, filtered and printed; the
latest end date, once passed, proposes closing the case (never closes it), and a closed case's
retention counts from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf
import pytest

from app.models import rules
from app.models.domain import FactorRating
from app.models.errors import InvalidInput
from app.models.programme import Programme
from app.services import cases, meetings, retention, risk, ui_queries
from app.services.cases import lifecycle, sharing
from app.services.context import Session
from app.services.documents import packs
from tests.support.stores import dump_store, today

CLOSABLE = ("level-1", "managed")  # statuses with a transition to "closed"


def assessment(prog: Programme, **dates: str) -> risk.AssessmentInput:
    fw = prog.framework
    fields = {"category": "1", "management-level": "1", **{k.replace("_", "-"): v for k, v in dates.items()}}
    return risk.AssessmentInput(
        factors=tuple(FactorRating(d, f, fw.ratings[1].id, "Seen by agencies.") for d, f in fw.factor_ids()),
        dimension_summaries=(),
        overall="The panel's judgement.",
        risk_level=fw.risk_levels[0].id,
        case_fields=tuple(fields.items()),
    )


def open_cases(s: Session, n: int) -> list[str]:
    ids = cases.list_case_ids(s, statuses=list(CLOSABLE))
    assert len(ids) >= n
    return ids[:n]


def recorded_dates(s: Session, cid: str) -> dict[str, str | None]:
    cf = cases.get_case_file(s, cid, audit_view=False)
    return {v.field.id: v.choice for v in rules.current_case_fields(s.programme, cf.assessments) if v.field.is_date}


def pdf_text(path: Path) -> str:
    """Every page's text with whitespace removed (a label and its value may wrap)."""
    return "".join("".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(path).pages)


def test_mappa_declares_its_dates(msession: Session) -> None:
    prog = msession.programme
    assert [cf.id for cf in prog.date_fields] == ["release", "licence-end", "registration-end", "order-end"]
    ends = [cf for cf in prog.date_fields if cf.proposes_status]
    assert {cf.proposes_status for cf in ends} == {"closed"} and all(cf.retention_from for cf in ends)


def test_a_date_is_kept_as_a_date_and_an_impossible_one_refused(msession: Session) -> None:
    prog = msession.programme
    [cid] = open_cases(msession, 1)
    risk.record_assessment(msession, case_id=cid, assessment=assessment(prog, licence_end="12/03/2026"))
    assert recorded_dates(msession, cid)["licence-end"] == "2026-03-12"  # typed the UK way, kept as ISO
    before = dump_store(msession)
    for bad in ("31/02/2026", "2026-02-30", "soon"):
        with pytest.raises(InvalidInput, match="is not a date"):
            risk.record_assessment(msession, case_id=cid, assessment=assessment(prog, licence_end=bad))
        assert dump_store(msession) == before  # refused: the store exactly as it was
    with pytest.raises(InvalidInput, match="filter it by a range"):
        cases.list_case_ids(msession, case_fields={"licence-end": "2026-03-12"})


def test_a_date_field_sorts_filters_and_prints(msession: Session, tmp_path: Path) -> None:
    prog = msession.programme
    a, b, c = open_cases(msession, 3)
    for cid, day in ((a, "2027-05-01"), (b, "2026-03-12"), (c, "2026-12-24")):
        risk.record_assessment(msession, case_id=cid, assessment=assessment(prog, order_end=day))
    every = cases.list_case_ids(msession)
    dated = {cid: recorded_dates(msession, cid)["order-end"] for cid in every}
    up = cases.list_case_ids(msession, sort="field:order-end")
    shown = [dated[i] for i in up]
    n = sum(1 for d in shown if d)
    assert shown[:n] == sorted(d for d in shown if d) and not any(shown[n:])  # dates, then not recorded
    assert [i for i in up if i in (a, b, c)] == [b, c, a]
    down = cases.list_case_ids(msession, sort="field:order-end", descending=True)
    assert [i for i in down if i in (a, b, c)] == [a, c, b]
    # a range of dates, both ends included; open at either end
    got = cases.list_case_ids(msession, date_ranges={"order-end": (dt.date(2026, 3, 12), dt.date(2026, 12, 24))})
    assert set(got) == {i for i, d in dated.items() if d and "2026-03-12" <= d <= "2026-12-24"} >= {b, c}
    assert a not in got
    before = cases.list_case_ids(msession, date_ranges={"order-end": (None, dt.date(2026, 3, 12))})
    assert b in before and a not in before and c not in before
    with pytest.raises(InvalidInput, match="starts after it ends"):
        cases.list_case_ids(msession, date_ranges={"order-end": (dt.date(2027, 1, 1), dt.date(2026, 1, 1))})
    # printed in the case paper of the pack, as a date in words (the case shared with my agency,
    # so that its paper is in my copy)
    if msession.agency.id != cases.resolve_case(msession, b).lead_agency:
        sharing.share_case(msession, case_id=b, add=[msession.agency.id])
    mid = meetings.schedule_meeting(msession, held_on=dt.date(2026, 12, 3), case_ids=[b], distribution=[msession.me.id])
    text = pdf_text(packs.write_meeting_pack(msession, meeting_id=mid, recipient=msession.me.id,
                                                 out=tmp_path / "pack.pdf"))
    assert "Orderenddate12March2026" in text  # the label, then its date


def test_the_latest_end_date_proposes_closing_once_passed(msession: Session) -> None:
    prog = msession.programme
    [cid] = open_cases(msession, 1)
    end = today() + dt.timedelta(days=10)
    # the licence ended long ago, the registration ends in 10 days: the period has not ended
    risk.record_assessment(msession, case_id=cid, assessment=assessment(
        prog, licence_end="2025-01-31", registration_end=end.isoformat()))

    def proposals() -> list[str]:
        return [p.text for p in ui_queries.status_proposals(msession) if p.summary.id == cid]

    def on_dashboard() -> list[str]:
        by = msession.today() + dt.timedelta(days=14)
        return [r.note for r in ui_queries.reviews_due(msession, by=by) if r.summary.id == cid and r.kind == "Proposal"]

    assert proposals() == [] and on_dashboard() == []
    msession.today_fn = lambda: end  # the last day of the registration: not yet passed
    assert proposals() == [] and on_dashboard() == []
    msession.today_fn = lambda: end + dt.timedelta(days=1)
    wanted = f"Registration ended on {end.day} {end.strftime('%B %Y')} — propose: MAPPA period ended: close"
    assert proposals() == [wanted] and on_dashboard() == [wanted]
    assert cases.resolve_case(msession, cid).status in CLOSABLE  # proposed, never applied
    lifecycle.change_status(msession, case_id=cid, status="closed", rationale="Registration ended.")
    assert proposals() == []  # accepted: a closed case proposes nothing


def test_retention_counts_from_the_end_date(msession: Session) -> None:
    prog = msession.programme
    dated, plain = open_cases(msession, 2)
    risk.record_assessment(msession, case_id=dated, assessment=assessment(
        prog, licence_end="2026-01-15", registration_end="2026-06-30", release="2020-05-01"))
    risk.record_assessment(msession, case_id=plain, assessment=assessment(prog))
    for cid in (dated, plain):
        lifecycle.change_status(msession, case_id=cid, status="closed", rationale="MAPPA period ended.")
    items = {i.case_id: i for i in retention.retention_review(msession, within_days=36_500)}
    end = dt.date(2026, 6, 30)  # the latest of the end dates, not the release or the closing day
    assert items[dated].closed == end
    assert items[dated].due == rules.retention_until(prog, end, items[dated].retention_class)
    closed_on = cases.resolve_case(msession, plain).closed
    assert items[plain].closed == closed_on == today()  # no end date recorded: the day it closed


def test_the_demonstration_panel_uses_the_dates(tmp_path: Path) -> None:
    """The demo panel (``roundtable demo``: 60 cases, seed 1) has registrations ending within four
    weeks and at least one already ended, whose case shows the closing proposal."""
    from app.services.setup import unlock
    from tests.support.programme_stores import build_programme_store
    from tests.support.stores import PASSPHRASE

    path = build_programme_store(tmp_path / "panel.rtdb", "mappa", demo_cases=60, seed=1)
    s = unlock(path, passphrase=PASSPHRASE, today_fn=today)
    try:
        now = s.today()
        soon = cases.list_case_ids(s, date_ranges={"registration-end": (now, now + dt.timedelta(days=28))})
        proposals = ui_queries.status_proposals(s)
        assert soon and proposals
        assert all(p.text.startswith(("Registration ended on", "Licence ended on", "Order ended on")) for p in proposals)
        assert all(p.summary.status in CLOSABLE for p in proposals)
    finally:
        s.close()
