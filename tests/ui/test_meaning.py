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
