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
    # one chip per review: its due date ("30/11" this year, "14/01/2025" another) and where it
    # stands ("3 late", "today", "5 left")
    shown = [model.index(r, 2).data() for r in range(rows)]
    import datetime as dt

    today = h.ctx.today_fn()
    def day_of(text: str) -> dt.date:
        day = text.split(" · ")[0]
        return (dt.datetime.strptime(day, "%d/%m/%Y") if day.count("/") == 2
                else dt.datetime.strptime(f"{day}/{today.year}", "%d/%m/%Y")).date()

    days = [day_of(t) for t in shown]
    assert days == sorted(days), shown  # by date, not by ref
    when = [t.split(" · ")[1] for t in shown]
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


def test_case_screens_show_words_not_codes(demo_ui, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    from app.models.enums import ActionStatus

    h = demo_ui
    view = h.win.screens["Cases"].view
    # a plan linking an action in progress shows "In progress", not "in-progress"
    found = None
    for summary in h.tasks.call_sync(lambda: cases.list_cases(h.session)):
        cf = h.tasks.call_sync(lambda s=summary: cases.get_case_file(h.session, s.id, audit_view=False))
        plan = cf.current_plan
        linked = {a for o in (plan.objectives if plan else ()) for a in o.action_ids}
        if any(a.id in linked and a.status is ActionStatus.IN_PROGRESS for a in cf.actions):
            found = summary
            break
    assert found is not None, "the demo store has a plan with an action in progress"
    h.win.open_case(found.id)
    h.idle()
    view.tabs.setCurrentIndex(3)
    h.idle()
    texts = [w.text() for w in view.plan.findChildren(QLabel) if "Action:" in w.text()]
    assert texts and any(t.endswith("· In progress") for t in texts), texts
    assert not any("in-progress" in t for t in texts)
    # the assessment's source list names the agencies in full, with their abbreviation
    for summary in h.tasks.call_sync(lambda: cases.list_cases(h.session)):
        h.win.open_case(summary.id)
        h.idle()
        view.tabs.setCurrentIndex(1)
        if view.assessment.new_button.isEnabled():
            break
    qtbot.mouseClick(view.assessment.new_button, Qt.MouseButton.LeftButton)
    h.idle()
    source = next(iter(view.assessment.editor_page.rows.values()))[2]
    names = [source.itemText(i) for i in range(1, source.count())]
    assert names == [f"{a.name} ({a.short})" if a.short != a.name else a.name for a in h.ctx.snap.agencies]


def test_a_dashboard_chip_says_the_date_and_where_it_stands() -> None:
    """The reviews' and the screening queue's date and lateness share one chip (the right half of
    the dashboard had no room for both columns at 1280x720); the year is given when it is not
    this year's."""
    import datetime as dt
    from types import SimpleNamespace

    from app.ui.screens.dashboard.screen import due_when, screen_by

    today = dt.date(2026, 11, 30)
    late = SimpleNamespace(due=dt.date(2026, 11, 27), days_late=3)
    assert due_when(late, today) == "27/11 · 3 late"  # type: ignore[arg-type]
    now = SimpleNamespace(due=today, days_late=0)
    assert due_when(now, today) == "30/11 · today"  # type: ignore[arg-type]
    ahead = SimpleNamespace(due=dt.date(2026, 12, 5), days_late=0)
    assert due_when(ahead, today) == "05/12 · 5 left"  # type: ignore[arg-type]
    old = SimpleNamespace(due=dt.date(2025, 11, 20), days_late=375)
    assert due_when(old, today) == "20/11/2025 · 375 late"  # type: ignore[arg-type]
    waiting = SimpleNamespace(deadline=dt.date(2026, 11, 28), days_left=-2)
    assert screen_by(waiting, today) == "28/11 · 2 late"  # type: ignore[arg-type]
    assert screen_by(SimpleNamespace(deadline=dt.date(2027, 1, 4), days_left=3), today) == (  # type: ignore[arg-type]
        "04/01/2027 · 3 left")
