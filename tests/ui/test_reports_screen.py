"""The Reports screen: raw figures for a period as charts and tables (matching the service), the
suppressed return saved through the file dialog, the period refused when it runs backwards, and
the breakdown model checked by the model tester."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.models.statistics import Breakdown, Count, Measure, Row
from app.services import statistics
from app.ui.reports import screen as reports
from app.ui.reports.charts import ColumnChart, HBarChart
from app.ui.reports.model import BreakdownModel
from app.ui.reports.stats_view import BreakdownCard
from tests.support.stores import today

WAIT = 60_000


def _open(h):  # type: ignore[no-untyped-def]
    screen = h.win.show_screen("Reports")
    h.qtbot.waitUntil(lambda: screen.stats is not None, timeout=WAIT)
    h.idle(WAIT)
    return screen


def _show(h, screen, start: dt.date, end: dt.date):  # type: ignore[no-untyped-def]
    screen.set_period(start, end)
    h.qtbot.waitUntil(lambda: screen.stats is not None and (screen.stats.start, screen.stats.end) == (start, end),
                      timeout=WAIT)
    return screen.stats


def _table_rows(card: BreakdownCard) -> list[list[str]]:
    m = card.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_figures_on_screen_match_the_service_for_the_same_period(demo_ui) -> None:
    h = demo_ui
    screen = _open(h)
    start, end = dt.date(2025, 12, 1), today()
    shown = _show(h, screen, start, end)
    expected = h.tasks.call_sync(lambda: statistics.compute(h.session, start=start, end=end))
    assert shown == expected  # the raw figures, not the published ones
    wanted = {"referrals_by_month", "referrals_by_quarter", "referrals_by_sector", "referrals_by_concern",
              "referrals_by_age", "referrals_by_gender", "referrals_by_ethnicity", "screening_outcomes",
              "case_progress", "consent", "timeliness", "actions_on_time", "overdue_now"}
    assert wanted <= set(screen.view.cards)
    total = expected.breakdown("referrals_by_month").value("Total")
    assert isinstance(total, int) and total > 0
    for b in expected.breakdowns:
        card = screen.view.cards[b.key]
        title = "Actions overdue now (as at 30/11/2026), by agency" if b.key == "overdue_now" else b.title
        assert card.isVisible() and card.title.text() == title
        rows = _table_rows(card)
        assert [r[0] for r in rows] == [r.label for r in b.rows]
        for got, row in zip(rows, b.rows, strict=True):
            for text, v in zip(got[1:], row.values, strict=True):
                if isinstance(v, Count):
                    assert text == str(v.value)
                elif v.value is None:
                    assert text == "n/a"
                else:
                    assert text.rstrip("%") == (f"{v.value:.0f}" if v.percent else f"{round(v.value, 1):g}")
        assert card.chart.data(), b.key
    month = screen.view.cards["referrals_by_month"].chart
    assert isinstance(month, ColumnChart)
    assert month.data() == [(r.label, float(r.values[0].value or 0))
                            for r in expected.breakdown("referrals_by_month").rows if not r.is_total]
    sector = screen.view.cards["referrals_by_sector"].chart
    assert isinstance(sector, HBarChart)
    b = expected.breakdown("referrals_by_sector")
    assert sector.data() == [(r.label, float(r.values[0].value or 0)) for r in b.rows if not r.is_total]
    assert any(v > 0 for _, v in sector.data())
    assert screen.view.tiles[0].figure.text() == str(total)
    assert "not suppressed" in screen.note.text() and "<5" in screen.note.text()
    assert screen.period_label.text().startswith("01/12/2025 to 30/11/2026")


def test_quick_choices_set_uk_periods(demo_ui) -> None:
    h = demo_ui
    screen = _open(h)
    assert screen.period() == (dt.date(2026, 4, 1), dt.date(2026, 11, 30))  # this financial year
    assert screen.start_edit.text() == "01/04/2026"
    screen.quick.setCurrentText(reports.LAST_QUARTER)
    assert screen.period() == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    h.qtbot.waitUntil(lambda: screen.stats is not None and screen.stats.start == dt.date(2026, 7, 1), timeout=WAIT)
    screen.quick.setCurrentText(reports.LAST_12_MONTHS)
    assert screen.period() == (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    h.qtbot.waitUntil(lambda: screen.stats is not None and screen.stats.start == dt.date(2025, 12, 1), timeout=WAIT)
    assert len([r for r in screen.stats.breakdown("referrals_by_month").rows if not r.is_total]) == 12
    assert reports.quick_period(reports.LAST_QUARTER, dt.date(2026, 1, 5)) == (dt.date(2025, 10, 1),
                                                                               dt.date(2025, 12, 31))
    assert reports.quick_period(reports.FINANCIAL_YEAR, dt.date(2026, 3, 31))[0] == dt.date(2025, 4, 1)
    h.idle(WAIT)


def test_start_after_end_is_refused_inline(demo_ui, monkeypatch) -> None:
    h = demo_ui
    screen = _open(h)
    before = screen.stats
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(a) or ("", ""))
    screen.end_edit.setDate(dt.date(2026, 3, 1))
    screen.start_edit.setDate(dt.date(2026, 6, 1))
    assert screen.error.isVisible()
    assert screen.error.text().startswith("The start of the period (01/06/2026) is after its end (01/03/2026).")
    assert not screen.save_button.isEnabled() and not screen.refresh_button.isEnabled()
    assert screen.quick.currentText() == reports.CUSTOM
    screen.load_figures()
    screen._on_save_clicked()
    assert not asked
    h.idle(WAIT)
    assert screen.stats is before  # nothing was worked out for the backwards period
    screen.start_edit.setDate(dt.date(2026, 2, 1))
    assert not screen.error.isVisible() and screen.save_button.isEnabled()
    h.qtbot.waitUntil(lambda: screen.stats is not before and screen.stats.start == dt.date(2026, 2, 1),
                      timeout=WAIT)


def test_save_return_as_xlsx_writes_suppressed_counts(demo_ui, monkeypatch, tmp_path: Path) -> None:
    h = demo_ui
    screen = _open(h)
    start, end = dt.date(2025, 12, 1), today()
    stats = _show(h, screen, start, end)
    small = [(b.key, r.label) for b in stats.breakdowns for r in b.rows
             if isinstance(r.values[0], Count) and 0 < r.values[0].value < 5]
    assert small, "the demo period should hold some small counts"
    target = tmp_path / "out" / "return"  # no suffix: the chosen filter gives it
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "Excel workbook (*.xlsx)"))
    screen.save_button.click()
    h.qtbot.waitUntil(lambda: screen.saved_path is not None, timeout=WAIT)
    written = target.with_name("return.xlsx")
    assert screen.saved_path == written and written.is_file()
    assert str(written) in screen.status.text() and screen.status.isVisible()
    book = openpyxl.load_workbook(written, read_only=True)
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
             if c is not None]
    book.close()
    assert "<5" in cells
    # the screen's table for the same breakdown still shows the raw number
    key, label = small[0]
    card = screen.view.cards[key]
    raw = next(r for r in _table_rows(card) if r[0] == label)
    assert raw[1].isdigit() and 0 < int(raw[1]) < 5
    assert screen.save_button.isEnabled()


def test_a_refused_return_goes_to_the_error_dialog(demo_ui, monkeypatch, tmp_path: Path) -> None:
    from app.ui import errors

    h = demo_ui
    screen = _open(h)
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, exc: shown.append(errors.safe_message(exc)))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "no-such-folder" / "r.csv"), "CSV file (*.csv)"))
    screen.save_button.click()
    h.qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    assert screen.saved_path is None and not (tmp_path / "no-such-folder").exists()
    assert screen.save_button.isEnabled() and not screen.status.isVisible()


def test_an_officer_is_told_statistics_are_for_the_coordinator_and_chair(demo_ui) -> None:
    h = demo_ui
    from app.models.enums import Role
    from app.services import panel

    officer = next(m for m in h.tasks.call_sync(lambda: panel.list_members(h.session)) if m.role is Role.OFFICER)
    win = h.window_as(officer.id, is_hub=False)
    screen = win.show_screen("Reports")
    h.idle(WAIT)
    assert "coordinator and the chair" in screen.note.text()
    assert not screen.save_button.isEnabled() and screen.stats is None


def test_hostile_category_labels_are_plain_text(qtbot) -> None:
    label = "<b>Robert'); DROP TABLE</b>"
    b = Breakdown("referrals_by_ethnicity", "Referrals by ethnicity", ("Referrals",),
                  (Row(label, (Count("e:x", 3),)), Row("Total", (Count("referrals", 3),), is_total=True)))
    card = BreakdownCard(b.key, b.title)
    qtbot.addWidget(card)
    card.set_breakdown(b)
    assert card.model.index(0, 0).data() == label
    assert card.chart.data() == [(label, 3.0)]
    assert label in card.chart.accessibleDescription()


@pytest.mark.parametrize("filled", [False, True])
def test_breakdown_model_passes_the_model_tester(qtmodeltester, filled: bool) -> None:
    model = BreakdownModel("Agency")
    if filled:
        model.set_breakdown(Breakdown(
            "actions_on_time", "Actions due in the period, by agency",
            ("Due", "Completed on time", "% on time"),
            (Row("Police", (Count("a:p:due", 4), Count("a:p:on", 3), Measure(75.0, "a:p:due", percent=True))),
             Row("Health", (Count("a:h:due", 0), Count("a:h:on", 0), Measure(None, "a:h:due", percent=True))),
             Row("Total", (Count("a:due", 4), Count("a:on", 3), Measure(75.0, "a:due", percent=True)),
                 is_total=True)),
        ))
        assert model.index(0, 3).data() == "75%" and model.index(1, 3).data() == "n/a"
        assert model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()
        assert model.headerData(0, Qt.Orientation.Horizontal) == "Agency"
    qtmodeltester.check(model)


def test_the_period_and_save_are_reachable_by_keyboard_in_order(demo_ui) -> None:
    screen = _open(demo_ui)
    chain, w = [], screen.quick
    for _ in range(12):
        chain.append(w)
        w = w.nextInFocusChain()
    focusable = [c for c in chain if c.focusPolicy() & Qt.FocusPolicy.TabFocus]
    wanted = [screen.quick, screen.start_edit, screen.end_edit, screen.refresh_button, screen.save_button]
    assert [c for c in focusable if c in wanted] == wanted
    assert all(c.accessibleName() for c in wanted)
