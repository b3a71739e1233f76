"""Records dialogs offscreen: the retention review (list, typed confirmation, purge on the store
worker, override before the due date, cancel deletes nothing) and the subject access report
(save path, written on the worker, opened); and their two entry points in the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from app.services import cases as cases_svc
from app.ui.dialogs.retention_dialog import RetentionDialog
from app.ui.documents import jobs
from app.ui.documents import subject_access as sar_dialog
from tests.support.stores import PASSPHRASE, copy_store

LATER = dt.date(2030, 6, 1)
WAIT = 30_000


@pytest.fixture
def ctx(qtbot: Any, template_store: Path, tmp_path: Path) -> Iterator[Any]:
    """A UiContext over a copy of the demo store, 'today' in 2030 (closed cases are due)."""
    from app.services.setup import unlock
    from app.ui.context import UiContext, load_snapshot
    from app.ui.tasks import TaskManager

    store = copy_store(template_store, tmp_path / "store")
    tasks = TaskManager()
    c = UiContext(tasks, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    session = tasks.call_sync(lambda: unlock(store, passphrase=PASSPHRASE, today_fn=lambda: LATER))
    c.attach(session, tasks.call_sync(lambda: load_snapshot(session)))
    c.test_session = session
    yield c
    c.detach()
    tasks.call_sync(session.close)
    tasks.shutdown()


def _dialog(qtbot: Any, ctx: Any) -> RetentionDialog:
    dlg = RetentionDialog(None, ctx)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.model.rowCount() > 0, timeout=WAIT)
    return dlg


def test_purge_with_typed_confirmation(qtbot, ctx):
    dlg = _dialog(qtbot, ctx)
    assert not dlg.delete_button.isEnabled()  # nothing selected
    dlg.table.selectRow(0)
    item = dlg.selected()
    assert item is not None and item.overdue and dlg.delete_button.isEnabled()
    dlg.delete_button.click()
    confirm = dlg.confirm
    assert confirm is not None and not confirm.delete_button.isEnabled()
    confirm.ref_edit.setText(item.ref + "X")
    confirm.reason_edit.setText("Retention period over")
    assert not confirm.delete_button.isEnabled()  # the reference must match exactly
    confirm.ref_edit.setText(item.ref)
    assert confirm.delete_button.isEnabled() and confirm.override_edit.isHidden()
    with qtbot.waitSignal(ctx.changed, timeout=WAIT), qtbot.waitSignal(dlg.purged, timeout=WAIT) as done:
        confirm.delete_button.click()
    assert done.args == [item.ref]
    qtbot.waitUntil(lambda: item.ref not in [i.ref for i in dlg.model.items], timeout=WAIT)
    ids = ctx.tasks.call_sync(lambda: cases_svc.list_case_ids(ctx.test_session))
    assert item.case_id not in ids


def test_early_deletion_needs_a_reason_and_cancel_deletes_nothing(qtbot, ctx):
    ctx.test_session.today_fn = lambda: dt.date(2026, 11, 30)
    dlg = RetentionDialog(None, ctx)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.loaded, timeout=WAIT) as first:
        pass
    assert first.args == [0] and dlg.model.rowCount() == 0  # nothing due yet
    with qtbot.waitSignal(dlg.loaded, timeout=WAIT):
        dlg.within.setValue(3650)
    dlg.table.selectRow(0)
    item = dlg.selected()
    assert item is not None and not item.overdue
    dlg.delete_button.click()
    confirm = dlg.confirm
    assert confirm is not None and not confirm.override_edit.isHidden()
    confirm.ref_edit.setText(item.ref)
    confirm.reason_edit.setText("Erasure request")
    assert not confirm.delete_button.isEnabled()  # early: a reason for deleting early too
    confirm.override_edit.setText("Agreed by the panel")
    assert confirm.delete_button.isEnabled()
    confirm.reject()
    ids = ctx.tasks.call_sync(lambda: cases_svc.list_case_ids(ctx.test_session))
    assert item.case_id in ids


def test_subject_access_written_on_worker(qtbot, ctx, tmp_path, monkeypatch):
    opened: list[Path] = []
    monkeypatch.setattr(jobs, "open_in_system", lambda p: opened.append(Path(p)) or True)
    cid = ctx.tasks.call_sync(
        lambda: cases_svc.list_case_ids(ctx.test_session, statuses=["support-plan"])[0]
    )
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert sar_dialog.request_subject_access(parent, ctx, cid) is None  # cancelled: nothing
    target = tmp_path / "sar"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    job = sar_dialog.request_subject_access(parent, ctx, cid)
    assert job is not None
    with qtbot.waitSignal(job.written, timeout=WAIT) as done:
        pass
    path = Path(done.args[0])
    assert path == target.with_suffix(".pdf") and opened == [path]
    assert "Subject access report" in pypdf.PdfReader(path).pages[0].extract_text()


def test_window_entry_points(demo_ui, monkeypatch):
    win = demo_ui.win
    action = next(a for a in win.actions() if a.text().replace("&", "") == "Retention review…")
    action.trigger()
    dlg = win.findChild(RetentionDialog)
    assert dlg is not None
    demo_ui.idle()
    dlg.close()
    cases = win.show_screen("Cases")
    demo_ui.idle()
    view = cases.view
    assert view.sar_button.text() == "Subject access…"
    called: list[tuple[Any, ...]] = []
    monkeypatch.setattr(sar_dialog, "request_subject_access", lambda *a: called.append(a))
    view.case_id = "some-case"
    view.sar_button.click()
    assert called and called[0][2] == "some-case"
