"""Case fields on the desktop: a MAPPA store's case list has a column per case field (short label,
full label in the tooltip, sorted and filtered in the store), the case Summary shows the current
values beside the status, and the Reports screen has a card per field. The default programme,
which has no case fields, shows none of it. Offscreen, no sleeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.models import rules
from app.services import cases, statistics
from tests.support.stores import copy_store, today
from tests.support.ui import Harness

WAIT = 60_000
BASE_HEADERS = ["Ref", "Name", "Date of birth", "Status", "Risk", "Lead", "Opened", "Next review",
                "Overdue"]


@pytest.fixture
def mappa_ui(qtbot, mappa_template: Path, tmp_path: Path) -> Iterator[Harness]:  # type: ignore[no-untyped-def]
    h = Harness(qtbot, copy_store(mappa_template, tmp_path / "store"), tmp_path / "settings.ini")
    yield h
    h.close()


def _current(h: Harness) -> dict[str, dict[str, str | None]]:
    """Each case's case fields as recorded by its current assessment (from the case files)."""
    def load() -> dict[str, dict[str, str | None]]:
        prog = h.session.programme
        out = {}
        for cid in cases.list_case_ids(h.session):
            cf = cases.get_case_file(h.session, cid, audit_view=False)
            out[cid] = {v.field.id: v.choice for v in rules.current_case_fields(prog, cf.assessments)}
        return out

    return h.tasks.call_sync(load)


def _load_all(h: Harness, model) -> None:  # type: ignore[no-untyped-def]
    for row in range(model.rowCount()):
        model.data(model.index(row, 0))
    h.idle()
    assert all(model.is_cached(r) for r in range(model.rowCount()))


def _headers(model) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def test_case_list_has_a_column_per_case_field(mappa_ui: Harness, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    h = mappa_ui
    screen = h.win.show_screen("Cases")
    h.idle()
    model = screen.model
    # the programme's short headings ("short" in the TOML); the whole label is the header's tooltip
    dates = ["Released", "Licence end", "Registration end", "Order end"]  # the date fields after
    assert _headers(model) == [*BASE_HEADERS[:5], "Category", "Level", *dates, *BASE_HEADERS[5:]]
    _load_all(h, model)
    qtmodeltester.check(model, force_py=True)
    h.idle()
    truth = _current(h)
    prog = h.ctx.snap.programme
    category, level = model.column_of("field:category"), model.column_of("field:management-level")
    assert (category, level) == (5, 6)
    seen = set()
    for row in range(model.rowCount()):
        cid = model.case_id(row)
        for col, fid in ((category, "category"), (level, "management-level")):
            choice = truth[cid][fid]
            text = model.data(model.index(row, col))
            tip = model.data(model.index(row, col), Qt.ItemDataRole.ToolTipRole)
            if choice is None:
                assert text == "" and tip is None
            else:
                full = prog.case_field(fid).choice(choice).label
                assert text == full.split(" – ")[0] and full.startswith(text)
                assert tip is not None and full in tip
            seen.add(choice is None)
    assert seen == {True, False}  # assessed and never-assessed cases both on the list
    # the other columns keep their places: overdue is still coloured and chips still sit on 3, 4
    assert model.column_of("overdue") == 10 + len(dates) and model.column_of("risk") == 4
    assert "MAPPA category" in model.headerData(category, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    # at 1280 pixels the wider list gives way in the text columns: refs, dates and values stay whole
    table = screen.table
    for col, sample in ((0, "RT-2026-0001"), (2, "00/00/0000"), (category, "Category 4"), (level, "Level 3")):
        assert table.columnWidth(col) >= table.fontMetrics().horizontalAdvance(sample) + 8, col


def test_case_list_sorts_and_filters_on_a_case_field(mappa_ui: Harness) -> None:
    h = mappa_ui
    screen = h.win.show_screen("Cases")
    h.idle()
    truth = _current(h)
    order = ["1", "2", "3", "4"]
    col = screen.model.column_of("field:category")
    screen.model.sort(col, Qt.SortOrder.AscendingOrder)
    h.idle()
    ranks = [order.index(c) if (c := truth[i]["category"]) else 4 for i in screen.model.ids()]
    assert ranks == sorted(ranks) and len(ranks) == len(truth)
    assert h.tasks.call_sync(lambda: cases.list_case_ids(h.session, sort="field:category")) == screen.model.ids()

    combo = screen.field_filters["category"]
    assert combo.accessibleName() == "MAPPA category"
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["Any MAPPA category", "Category 1", "Category 2", "Category 3", "Category 4", "Not recorded"]
    assert combo.itemData(2, Qt.ItemDataRole.ToolTipRole) == "Category 2 – violent or other sexual offender"
    wanted = next(c for c in order if any(v["category"] == c for v in truth.values()))
    combo.setCurrentIndex(combo.findData(wanted))
    h.idle()
    assert set(screen.model.ids()) == {i for i, v in truth.items() if v["category"] == wanted}
    combo.setCurrentIndex(combo.count() - 1)  # not recorded
    h.idle()
    assert screen.model.ids() and set(screen.model.ids()) == {i for i, v in truth.items() if v["category"] is None}
    combo.setCurrentIndex(0)
    h.idle()
    assert len(screen.model.ids()) == len(truth)


def test_case_list_sorts_and_filters_on_a_date_field(mappa_ui: Harness) -> None:
    """A date field (MAPPA's licence end) is a column sorted by its date, and a filter on
    when the date falls ("Passed", "In the next 4 weeks"…), from today."""
    h = mappa_ui
    screen = h.win.show_screen("Cases")
    h.idle()
    truth = _current(h)
    today = h.ctx.today_fn()
    ends = {i: v["licence-end"] for i, v in truth.items()}
    col = screen.model.column_of("field:licence-end")
    screen.model.sort(col, Qt.SortOrder.AscendingOrder)
    h.idle()
    shown = [ends[i] for i in screen.model.ids()]
    recorded = [d for d in shown if d]
    assert recorded and recorded == sorted(recorded) and shown[: len(recorded)] == recorded  # not recorded last
    _load_all(h, screen.model)
    row = screen.model.ids().index(next(i for i in screen.model.ids() if ends[i]))
    day = dt.date.fromisoformat(ends[screen.model.ids()[row]])
    assert screen.model.data(screen.model.index(row, col)) == day.strftime("%d/%m/%Y")

    combo = screen.field_filters["licence-end"]
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["Any licence end date", "Passed", "In the next 4 weeks", "In the next 3 months",
                     "More than 3 months ahead", "Not recorded"]
    combo.setCurrentIndex(combo.findText("Passed"))
    h.idle()
    passed = {i for i, d in ends.items() if d and dt.date.fromisoformat(d) < today}
    assert passed and set(screen.model.ids()) == passed
    combo.setCurrentIndex(combo.findText("In the next 4 weeks"))
    h.idle()
    soon = {i for i, d in ends.items() if d and today <= dt.date.fromisoformat(d) <= today + dt.timedelta(days=28)}
    assert set(screen.model.ids()) == soon
    combo.setCurrentIndex(0)
    h.idle()
    assert len(screen.model.ids()) == len(truth)


def test_summary_tab_shows_the_current_case_fields(mappa_ui: Harness) -> None:
    h = mappa_ui
    truth = _current(h)
    prog = h.ctx.snap.programme
    assessed = next(i for i, v in truth.items() if v["category"] is not None)
    never = next(i for i, v in truth.items() if v["category"] is None)
    view = h.win.screens["Cases"].view
    for cid in (assessed, never):
        h.win.open_case(cid)
        h.idle()
        assert view.case_id == cid and view.case_file is not None
        summary = view.summary
        assert set(summary.case_fields) == {cf.id for cf in prog.case_fields}
        for fid, shown in summary.case_fields.items():
            choice = truth[cid][fid]
            expected = prog.case_field(fid).choice_label(choice)
            assert shown.text() == expected
            assert shown.accessibleName() == prog.case_field(fid).label
        # MAPPA seeks no consent (records_consent = false): nothing about consent is offered
        assert not summary.consent.isVisible() and summary.screening.title.text() == "Screening"


def test_reports_screen_has_a_card_per_case_field(mappa_ui: Harness) -> None:
    h = mappa_ui
    screen = h.win.show_screen("Reports")
    h.qtbot.waitUntil(lambda: screen.stats is not None, timeout=WAIT)
    start, end = dt.date(2024, 1, 1), today()
    screen.set_period(start, end)
    h.qtbot.waitUntil(lambda: screen.stats is not None and screen.stats.start == start, timeout=WAIT)
    expected = h.tasks.call_sync(lambda: statistics.compute(h.session, start=start, end=end))
    for key, heading in (("referrals_by_field:category", "MAPPA category"),
                         ("referrals_by_field:management-level", "Management level")):
        card = screen.view.cards[key]
        b = expected.breakdown(key)
        assert card.isVisible() and card.title.text() == b.title
        assert card.model.headerData(0, Qt.Orientation.Horizontal) == heading
        m = card.model
        assert [m.index(r, 0).data() for r in range(m.rowCount())] == [r.label for r in b.rows]
        assert [m.index(r, 1).data() for r in range(m.rowCount())] == [str(r.values[0].value) for r in b.rows]
        assert card.chart.data()
    assert "consent" not in screen.view.cards  # a statutory programme counts no consent


def test_default_programme_shows_no_case_fields(demo_ui: Harness) -> None:
    h = demo_ui
    assert h.ctx.snap.programme.case_fields == ()
    screen = h.win.show_screen("Cases")
    h.idle()
    assert _headers(screen.model) == BASE_HEADERS
    assert screen.field_filters == {}
    h.win.open_case(screen.model.case_id(0))
    h.idle()
    assert screen.view.summary.case_fields == {}
    assert screen.view.summary.consent.isVisible()  # the default programme seeks consent
    assert screen.view.summary.screening.title.text() == "Screening and consent"
    reports = h.win.show_screen("Reports")
    h.qtbot.waitUntil(lambda: reports.stats is not None, timeout=WAIT)
    assert not any(k.startswith("referrals_by_field:") for k in reports.view.cards)


def test_summary_columns_stack_rather_than_cut_a_long_status_change(mappa_ui: Harness) -> None:
    """MAPPA's longest status changes ("Review complete: continue at level 1 → Managed at level 1
    by the lead agency") need a wide box: where the Summary has no room for it beside the right-hand
    column, the two columns go one above the other rather than cut the box or that column; at
    1280x720 they stay side by side. Every choice shows whole and nothing is cut at any size."""
    from PySide6.QtWidgets import QBoxLayout

    from tests.support.ui import SIZES, settle
    from tests.ui.layout_check import combo_problem, problems

    h = mappa_ui
    prog = h.session.programme
    role = h.ctx.snap.workstation.member.role

    def longest() -> str:
        def need(cid: str) -> int:
            status = cases.get_case_file(h.session, cid, audit_view=False).case.status
            return max((len(f"{t.label} → {prog.status_label(t.target)}")
                        for t in rules.allowed_transitions(prog, status, role)), default=0)
        return max(cases.list_case_ids(h.session), key=need)

    cid = h.tasks.call_sync(longest)
    h.win.open_case(cid)
    view = h.win.screens["Cases"].view
    view.tabs.setCurrentWidget(view.summary)
    summary = view.summary
    combo = summary.transition
    side, stacked = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
    for size, direction in (("1280x720", side), ("1366x768@125%", None), ("narrow", stacked), ("1280x720", side)):
        h.win.resize(*SIZES.get(size, (1060, 600)))
        settle(h)
        if direction is not None:
            assert summary.columns.direction() == direction, size
        assert combo.count() > 1
        for i in range(combo.count()):
            combo.setCurrentIndex(i)
            assert combo_problem(combo) is None, (size, combo.currentText())
        assert not problems(h.win), size


def test_a_passed_end_date_proposes_closing_on_the_case_and_the_dashboard(mappa_ui: Harness) -> None:
    """A registration that ended yesterday: the case's Summary says so and offers the closing
    change first; the dashboard lists the proposal. Nothing is closed until the coordinator acts."""
    from app.models.domain import FactorRating
    from app.services import risk

    h = mappa_ui
    prog = h.ctx.snap.programme
    fw = prog.framework
    ended = today() - dt.timedelta(days=1)

    def record() -> str:
        cid = cases.list_case_ids(h.session, statuses=["managed", "level-1"])[0]
        risk.record_assessment(h.session, case_id=cid, assessment=risk.AssessmentInput(
            factors=tuple(FactorRating(d, f, fw.ratings[1].id, "Seen.") for d, f in fw.factor_ids()),
            dimension_summaries=(), overall="The panel's judgement.", risk_level=fw.risk_levels[0].id,
            case_fields=(("category", "1"), ("management-level", "1"), ("registration-end", ended.isoformat())),
        ))
        return cid

    cid = h.tasks.call_sync(record)
    h.win.open_case(cid)
    h.idle()
    summary = h.win.screens["Cases"].view.summary
    text = f"Registration ended on {ended.day} {ended.strftime('%B %Y')} — propose: MAPPA period ended: close"
    assert summary.status_form.isRowVisible(summary.proposal) and summary.proposal.text() == text
    assert summary.transition.currentData() == "closed"  # the proposed change is the one offered
    assert cases.resolve_case(h.session, cid).status != "closed"
    dash = h.win.show_screen("Dashboard")
    dash.load()  # the record above was written behind the window's back
    h.idle()
    rows = [dash.review_model.index(r, 1).data() for r in range(dash.review_model.rowCount())]
    kinds = [dash.review_model.index(r, 3).data() for r in range(dash.review_model.rowCount())]
    assert any(text in (name or "") and kind == "Proposal" for name, kind in zip(rows, kinds, strict=True)), (rows, kinds)
