"""Layouts at the small screens people have (issue: 1280x720, and 1366x768 at 125 % scaling —
1093x614 logical pixels, less a title bar and a task bar): the window fits, and on every main
screen (the case with each tab, the meeting editor with each tab) no visible label or button is
elided or clipped, nothing is cut off by the window's edge, nothing needs sideways scrolling and
no list row or table cell is elided (``layout_check``). docs/ui.md, "Layout at small sizes"."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea, QTabWidget

from tests.support.ui import SIZES, settle
from tests.ui.layout_check import problems

# set only in the process ``test_every_main_screen_with_the_clients_fonts`` starts: there the walk
# runs with the client's shipped Noto Sans, Fusion and style sheet (``prepare_app``), which change
# the whole QApplication and so must never touch the other tests of a worker
CLIENT_STYLE = "ROUNDTABLE_LAYOUT_CLIENT_STYLE"


@pytest.fixture(autouse=True)
def _client_style(qapp) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get(CLIENT_STYLE) == "1":
        from app.ui.app import prepare_app

        prepare_app(qapp)


def _tabs(h, tabs: QTabWidget, where: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    for i in range(tabs.count()):
        if not tabs.isTabEnabled(i):
            continue
        tabs.setCurrentIndex(i)
        settle(h)
        yield from _scrolled_through(h, f"{where} › {tabs.tabText(i).replace('&', '')}")


def _scrolled_through(h, where: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """``where`` as it first shows, then with each scroll area on it scrolled a page at a time
    (what lies below the fold is read too)."""
    yield where
    win = h.win
    for area in win.findChildren(QScrollArea):
        if not area.isVisible() or area.verticalScrollBar().maximum() <= 0:
            continue
        bar = area.verticalScrollBar()
        n = 0
        while bar.value() < bar.maximum():
            bar.setValue(bar.value() + bar.pageStep())
            n += 1
            QApplication.processEvents()
            yield f"{where}, scrolled {n} page(s)"
        bar.setValue(0)
        QApplication.processEvents()


def _walk(h) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Shows each main screen in turn; yields its name while it is on screen."""
    from app.services import cases as cases_svc
    from app.ui.mainwindow import SCREENS

    win = h.win
    for name in SCREENS:
        screen = win.show_screen(name)
        settle(h)
        if name == "Reports":  # its figures arrive from the store: wait for them
            h.qtbot.waitUntil(lambda s=screen: s.stats is not None, timeout=60_000)
            settle(h)
        yield from _scrolled_through(h, name)
    case_id = cases_svc.list_case_ids(h.session, sort="ref")[0]
    # the case with the longest texts: most of everything
    win.open_case(case_id)
    settle(h)
    view = win.screens["Cases"].view
    yield from _tabs(h, view.tabs, "Case")
    mts = win.show_screen("Meetings")
    settle(h)
    assert mts.editor is not None
    yield from _tabs(h, mts.editor.tabs, "Meeting")


@pytest.mark.parametrize("size", list(SIZES))
def test_every_main_screen_fits_and_nothing_is_cut(demo_ui, size: str) -> None:  # type: ignore[no-untyped-def]
    width, height = SIZES[size]
    win = demo_ui.win
    win.resize(width, height)
    settle(demo_ui)
    assert (win.width(), win.height()) == (width, height), (
        f"the window cannot be made {width}x{height}: its minimum is "
        f"{win.minimumSize().width()}x{win.minimumSize().height()} "
        f"(layouts ask {win.minimumSizeHint().width()}x{win.minimumSizeHint().height()})"
    )
    found: list[str] = []
    shots = os.environ.get("ROUNDTABLE_LAYOUT_SHOTS")  # a folder: save what was checked, to look at
    for n, where in enumerate(_walk(demo_ui)):
        found += [f"[{where}] {p}" for p in problems(win)]
        if shots:
            win.grab().save(os.path.join(shots, f"{size}-{n:02d}.png"))
        assert (win.width(), win.height()) == (width, height), f"{where} grew the window"
    assert not found, f"{len(found)} problems at {size}:\n" + "\n".join(found)


@pytest.mark.slow
def test_every_main_screen_with_the_clients_fonts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same walk as the client shows it: shipped Noto Sans 10 pt, Fusion and the style sheet.
    It runs in a process of its own, as ``prepare_app`` changes the whole application."""
    import subprocess
    import sys
    from pathlib import Path

    if os.environ.get(CLIENT_STYLE) == "1":
        pytest.skip("already the client-style process")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, CLIENT_STYLE: "1", "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
         "-p", "no:randomly", f"{Path(__file__).relative_to(root)}::test_every_main_screen_fits_and_nothing_is_cut"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900, check=False)
    found = [line[2:].strip() for line in r.stdout.splitlines() if line.startswith("E ") and "[" in line[:12]]
    assert r.returncode == 0, f"{len(found)} problems with the client's fonts:\n" + "\n".join(found) + r.stdout[-3000:]


def test_checker_ignores_icon_only_tool_buttons_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A date field's calendar button (a line edit's trailing action) shows its icon, never its
    text: not clipped text. A tool button that draws its text, or has no icon to show, still is."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QToolButton

    from app.ui.widgets.common import UkDateEdit
    from tests.ui.layout_check import button_problem

    field = UkDateEdit()
    qtbot.addWidget(field)
    field.resize(200, 30)
    field.show()
    buttons = field.findChildren(QToolButton)
    assert buttons and all(b.text() == "Pick from a calendar" for b in buttons)
    assert [button_problem(b) for b in buttons] == [None] * len(buttons)
    beside = QToolButton()
    qtbot.addWidget(beside)
    beside.setDefaultAction(field.calendar_action)
    beside.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    beside.resize(22, 22)
    assert button_problem(beside) is not None
    bare = QToolButton()
    qtbot.addWidget(bare)
    bare.setText("Pick from a calendar")
    bare.resize(22, 22)
    assert bare.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly and bare.icon().isNull()
    assert button_problem(bare) is not None


def test_the_dashboard_stacks_its_columns_only_when_narrow(demo_ui) -> None:  # type: ignore[no-untyped-def]
    """At 1280x720 the panel's queue sits beside my work, every chip and ref whole; at 1366x768
    at 125 % it goes below (the page scrolls) rather than squeeze refs, dates and names; wide
    again, side by side again."""
    from PySide6.QtWidgets import QBoxLayout

    win = demo_ui.win
    dash = win.show_screen("Dashboard")
    for size, want in (("1280x720", QBoxLayout.Direction.LeftToRight),
                       ("1366x768@125%", QBoxLayout.Direction.TopToBottom),
                       ("1280x720", QBoxLayout.Direction.LeftToRight)):
        win.resize(*SIZES[size])
        settle(demo_ui)
        assert dash.columns.direction() == want, size
        assert not problems(win), size


def test_case_list_risk_chips_are_whole_at_every_size(demo_ui) -> None:  # type: ignore[no-untyped-def]
    """The risk column keeps room for the longest of the programme's risk levels as a chip (16px
    of padding), however narrow the window: "Medium" was cut to "Med…" at 1366x768 at 125 %."""
    win = demo_ui.win
    screen = win.show_screen("Cases")
    table = screen.table
    col = screen.model.column_of("risk")
    labels = [r.label for r in demo_ui.ctx.snap.programme.framework.risk_levels]
    assert "Medium" in labels
    for size in SIZES:
        win.resize(*SIZES[size])
        settle(demo_ui)
        for label in labels:
            assert table.columnWidth(col) >= table.fontMetrics().horizontalAdvance(label) + 16, (size, label)


def test_every_status_change_shows_whole_in_the_closed_box(demo_ui) -> None:  # type: ignore[no-untyped-def]
    """The case Summary's "Move to" box is as wide as its longest choice at every size, whichever
    choice is shown ("Panel agrees exit → Exited – post-exit reviews" was cut at 1366x768 at 125 %)."""
    from app.services import cases as cases_svc
    from tests.ui.layout_check import combo_problem

    win = demo_ui.win
    # the first case (by ref) with more than one change open to it
    for cid in cases_svc.list_case_ids(demo_ui.session, sort="ref")[:12]:
        win.open_case(cid)
        view = win.screens["Cases"].view
        view.tabs.setCurrentWidget(view.summary)
        combo = view.summary.transition
        settle(demo_ui)
        if combo.count() > 1:
            break
    for size in SIZES:
        win.resize(*SIZES[size])
        settle(demo_ui)
        assert combo.isVisible() and combo.count() > 1
        for i in range(combo.count()):
            combo.setCurrentIndex(i)
            assert combo_problem(combo) is None, size


def test_case_action_titles_wrap_rather_than_elide(demo_ui) -> None:  # type: ignore[no-untyped-def]
    """The case's Actions tab wraps long titles ("Share school attendance record with the panel")
    onto more lines at 1366x768 at 125 %: every cell shows whole, rows grow to their text."""
    from app.services import cases as cases_svc
    from tests.ui.layout_check import view_problems

    win = demo_ui.win
    win.resize(*SIZES["1366x768@125%"])
    # the first case (by ref) with an action title longer than its column here
    for cid in cases_svc.list_case_ids(demo_ui.session, sort="ref")[:12]:
        win.open_case(cid)
        view = win.screens["Cases"].view
        view.tabs.setCurrentWidget(view.actions_tab)
        settle(demo_ui)
        table = view.actions_tab.table
        model = table.model()
        title = 0
        fm = table.fontMetrics()
        long_titles = [r for r in range(model.rowCount())
                       if fm.horizontalAdvance(str(model.index(r, title).data())) > table.columnWidth(title)]
        if long_titles:
            break
    assert long_titles, "no case among the first has an action title longer than its column here"
    assert table.wordWrap()
    assert not view_problems(table)
    for r in long_titles:
        assert table.rowHeight(r) >= 2 * fm.lineSpacing()
