"""The desktop side of issue 12: Records › Check the store file… (with progress), a damaged page
reported in one sentence, and failed unlock attempts told after the next unlock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.storage.store_files import note_failed_unlock
from tests.support.stores import PASSPHRASE, copy_store, today


def test_check_the_store_file_from_the_records_menu(qtbot: Any, demo_ui: Any):
    win = demo_ui.win
    assert win.act_check_store in win.menuBar().actions()[-2].menu().actions()  # Records
    win.act_check_store.trigger()
    assert win.check_store_progress.labelText().startswith("Checking every page")  # with progress
    qtbot.waitUntil(lambda: getattr(win, "check_store_result", None) is not None, timeout=30_000)
    assert "whole" in win.check_store_result.text()


def test_a_damaged_page_is_one_sentence_in_the_desktop(qtbot: Any, demo_ui: Any):
    win = demo_ui.win
    store: Path = demo_ui.store
    demo_ui.tasks.call_sync(demo_ui.session.store.db.checkpoint)
    pages = store.stat().st_size // 4096
    with open(store, "r+b") as f:
        f.seek((pages // 2 - 1) * 4096)
        f.write(b"\0" * 4096)
    win.act_check_store.trigger()
    qtbot.waitUntil(lambda: getattr(win, "check_store_result", None) is not None, timeout=30_000)
    shown = _dialog_text(win.check_store_result)
    assert f"page {pages // 2} of {pages}" in shown and "Restore the latest backup" in shown
    assert "Traceback" not in shown


def _dialog_text(dialog: Any) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_failed_unlocks_are_told_after_the_next_unlock(qtbot: Any, template_store: Path, tmp_path: Path):
    from app.ui.dialogs.unlock import UnlockDialog
    from app.ui.tasks import TaskManager

    store = copy_store(template_store, tmp_path / "store")
    note_failed_unlock(store)
    note_failed_unlock(store)
    tasks = TaskManager()
    dlg = UnlockDialog(tasks, store, today_fn=today)
    qtbot.addWidget(dlg)
    dlg.show()
    try:
        qtbot.keyClicks(dlg.secret, PASSPHRASE)
        qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.session is not None, timeout=30_000)
        notice = dlg.failed_unlocks_notice
        assert "2 failed attempts to unlock this store since" in notice.text()
        notice.close()
    finally:
        if dlg.session is not None:
            tasks.call_sync(dlg.session.close)
        tasks.shutdown()
