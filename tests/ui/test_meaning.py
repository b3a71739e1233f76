"""What is shown means what it says (issue 10): risk sorted by the programme's rank, reviews due in
date order with late ones marked, post-exit reviews at both intervals, consent re-assessments,
words rather than codes on the case screens."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services import cases


def _ranks(h) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {r.id: r.rank for r in h.session.programme.framework.risk_levels}


def test_sorting_the_case_list_by_risk_follows_the_programmes_rank(demo_ui, qtbot) -> None:
    h = demo_ui
    screen = h.win.show_screen("Cases")
    h.idle()
    model = screen.model
    column = model.column_of("risk")
    screen.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    h.idle()
    rows = [model.record(r) for r in range(model.rowCount())]
    qtbot.waitUntil(lambda: all(model.record(r) is not None for r in range(model.rowCount())))
    rows = [model.record(r) for r in range(model.rowCount())]
    ranks = _ranks(h)
    seen = [ranks[s.risk_level] for s in rows if s.risk_level]
    assert len(set(seen)) >= 3, "the demo store has cases at several levels"
    assert seen == sorted(seen, reverse=True), [s.risk_level for s in rows if s.risk_level]
    # the service sorts the same way ascending
    up = [ranks[s.risk_level] for s in h.tasks.call_sync(lambda: cases.list_cases(h.session, sort="risk"))
          if s.risk_level]
    assert up == sorted(up)


def test_the_dashboard_lists_reviews_due_by_date_and_marks_late_ones(demo_ui) -> None:
    h = demo_ui
    dash = h.win.show_screen("Dashboard")
    h.idle()
    view = dash.review_table
    model = view.model()
    rows = model.rowCount()
    assert rows >= 2
    shown = [model.index(r, 2).data() for r in range(rows)]
    import datetime as dt

    days = [dt.datetime.strptime(t, "%d/%m/%Y").date() for t in shown]
    assert days == sorted(days), shown  # by date, not by ref
    when = [model.index(r, 4).data() for r in range(rows)]
    today = h.ctx.today_fn()
    for day, text in zip(days, when, strict=True):
        if day < today:
            assert text.endswith("late"), (day, text)
        else:
            assert "late" not in text
    assert any(d < today for d in days), "the demo store has a late review"
    assert "late" in dash.review_box.title.text()


def test_the_case_list_marks_late_reviews(demo_ui, qtbot) -> None:
    h = demo_ui
    screen = h.win.show_screen("Cases")
    h.idle()
    model = screen.model
    column = model.column_of("review")
    qtbot.waitUntil(lambda: all(model.record(r) is not None for r in range(model.rowCount())))
    today = h.ctx.today_fn()
    late = [r for r in range(model.rowCount()) if model.record(r).next_review and model.record(r).next_review < today]
    fine = [r for r in range(model.rowCount()) if model.record(r).next_review and model.record(r).next_review >= today]
    assert late and fine
    for r in late:
        assert model.index(r, column).data().endswith("· late")
        assert model.index(r, column).data(Qt.ItemDataRole.ForegroundRole) is not None
    for r in fine:
        assert "late" not in model.index(r, column).data()
