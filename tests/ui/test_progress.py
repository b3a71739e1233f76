"""Long work: a progress dialog that appears when work is slow, cooperative cancel that leaves the
store as it was, results delivered only to a receiver that is still alive."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from app.models.enums import ActionStatus
from app.services import actions
from app.ui.progress import run_with_progress


def _hold_store_worker(h) -> threading.Event:  # type: ignore[no-untyped-def]
    """Queue a job that keeps the store worker busy until the returned event is set."""
    gate = threading.Event()
    h.tasks.run(lambda: gate.wait(20), owner=None)
    return gate


def _statuses(h) -> dict[str, ActionStatus]:  # type: ignore[no-untyped-def]
    return {a.id: a.status for a in h.tasks.call_sync(lambda: actions.list_actions(h.session))}


def test_cancelled_bulk_update_changes_nothing(demo_ui, qtbot) -> None:
    h = demo_ui
    screen = h.win.show_screen("Actions")
    h.idle()
    screen.open_only.setChecked(True)
    screen.tick_all.click()
    ids = screen.model.checked_ids()
    assert len(ids) > 5
    before = _statuses(h)
    screen.new_status.setCurrentIndex(screen.new_status.findData(ActionStatus.DONE))
    gate = _hold_store_worker(h)
    try:
        screen.apply_button.click()
        dlg = screen.progress_dialog
        assert dlg is not None
        qtbot.waitUntil(dlg.isVisible, timeout=60_000)  # slow work shows the dialog
        cancel = dlg.findChild(QPushButton)
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        assert dlg.progress.cancelled
    finally:
        gate.set()
    h.idle()
    assert "cancelled" in screen.error.text()
    assert _statuses(h) == before
    assert sorted(screen.model.checked_ids()) == sorted(ids)  # still ticked, ready to try again


def test_bulk_update_of_many_rows_reports_progress_and_finishes(demo_ui) -> None:
    h = demo_ui
    screen = h.win.show_screen("Actions")
    h.idle()
    screen.tick_all.click()
    ids = screen.model.checked_ids()
    screen.new_status.setCurrentIndex(screen.new_status.findData(ActionStatus.IN_PROGRESS))
    screen.apply_button.click()
    dlg = screen.progress_dialog
    h.idle()
    assert dlg.progress.done == dlg.progress.total == len(ids)
    after = _statuses(h)
    assert all(after[i] is ActionStatus.IN_PROGRESS for i in ids)
    assert f"{len(ids)} actions updated" in screen.outcome.text()
    assert screen.model.checked_ids() == []


def test_result_is_dropped_safely_when_the_receiver_has_closed(demo_ui, qtbot) -> None:
    h = demo_ui
    owner = QWidget()
    got: list[object] = []
    gate = _hold_store_worker(h)
    try:
        run_with_progress(h.ctx, owner, "Counting…", lambda s, p: len(actions.list_actions(s)),
                          on_done=got.append, on_error=got.append, on_cancelled=lambda: got.append("cancelled"))
        owner.deleteLater()
        qtbot.waitUntil(lambda: not _valid(owner), timeout=60_000)
    finally:
        gate.set()
    h.idle()
    assert got == []


def test_cancel_before_start_skips_the_work(demo_ui) -> None:
    h = demo_ui
    ran = threading.Event()
    told: list[str] = []
    owner = QWidget()
    gate = _hold_store_worker(h)
    try:
        dlg = run_with_progress(h.ctx, owner, "Never runs…", lambda s, p: ran.set(),
                                on_cancelled=lambda: told.append("cancelled"))
        dlg.cancel()
    finally:
        gate.set()
    h.idle()
    assert not ran.is_set() and told == ["cancelled"]
    assert dlg.settled if _valid(dlg) else True
    owner.deleteLater()


def _valid(obj: object) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)
