"""UI fixtures: an isolated data folder and settings file per test, a store copied from the
session template (see tests/conftest.py), and a main window wired to a fresh task manager.

No fixed sleeps anywhere: ``idle`` waits until the task manager has nothing pending.

Python's cyclic garbage collector is pinned to the GUI thread for every UI test, as the client
pins it (``app.ui.housekeeping``): automatic collection is off while the test runs, and the cycles
it left are collected once at the end, on the GUI thread, after its windows were closed and
deleted and every worker was joined. (An automatic collection on a worker thread, or in the
middle of Qt's dispatch, can destroy a Qt object from the wrong place and crash the process.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from tests.support.stores import PASSPHRASE, copy_store, today


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from app.ui.housekeeping import GarbageCollector

    collector = GarbageCollector()
    collector.start()
    yield
    # Every fixture this test asked for is torn down by now (they were set up after this one).
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    collector.stop()
    collector.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("ROUNDTABLE_DATA_DIR", str(data))
    monkeypatch.setenv("ROUNDTABLE_STORE", str(data / "panel.rtdb"))
    monkeypatch.setenv("ROUNDTABLE_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("ROUNDTABLE_NO_LOG", "1")
    return data


class Harness:
    """One main window over one session; ``extra`` windows share the store (other members)."""

    def __init__(self, qtbot, store: Path, settings_path: Path) -> None:  # type: ignore[no-untyped-def]
        from app.services.setup import unlock
        from app.ui.context import UiContext, load_snapshot
        from app.ui.mainwindow import MainWindow
        from app.ui.tasks import TaskManager

        self.qtbot = qtbot
        self.store = store
        self.tasks = TaskManager()
        self.ctx = UiContext(self.tasks, QSettings(str(settings_path), QSettings.Format.IniFormat))
        self.ctx.today_fn = today
        self.ctx.store_path = store
        # Unlock on the store worker, as the client does: the store's file lock is thread-affine.
        self.session = self.tasks.call_sync(lambda: unlock(store, passphrase=PASSPHRASE, today_fn=today))
        self.ctx.attach(self.session, self.tasks.call_sync(lambda: load_snapshot(self.session)))
        self.win = MainWindow(self.ctx)
        qtbot.addWidget(self.win)
        self.win.resize(1280, 800)
        self.win.show()
        self.others: list[tuple[object, object, object]] = []
        self.idle()

    def idle(self, timeout: int = 60_000) -> None:
        self.qtbot.waitUntil(lambda: self.tasks.pending == 0, timeout=timeout)
        for _tm, _ctx, _w in self.others:
            self.qtbot.waitUntil(lambda tm=_tm: tm.pending == 0, timeout=timeout)  # type: ignore[attr-defined]

    def window_as(self, member_id: str, *, is_hub: bool):  # type: ignore[no-untyped-def]
        """Another member at a workstation on the same store (the chair at the coordinator's
        workstation, or an agency officer): a second Session over the same open store whose
        workstation identity is that member. Honest for the UI; exchange is not in play."""
        from app.services import panel
        from app.services.context import Session
        from app.ui.context import UiContext, load_snapshot
        from app.ui.mainwindow import MainWindow
        from app.ui.tasks import TaskManager

        ws = self.session.workstation
        member = next(m for m in panel.list_members(self.session) if m.id == member_id)
        agency = next(a for a in panel.list_agencies(self.session) if a.id == member.agency_id)
        other = Session(self.session.store, today_fn=today,
                        _workstation=dataclasses.replace(ws, member=member, agency=agency, is_hub=is_hub))
        tasks = TaskManager()
        ctx = UiContext(tasks, self.ctx.settings)
        ctx.today_fn = today
        ctx.store_path = self.store
        ctx.attach(other, load_snapshot(other))
        win = MainWindow(ctx)
        self.qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        self.others.append((tasks, ctx, win))
        self.idle()
        return win

    def close(self) -> None:
        for tasks, ctx, win in self.others:
            win.close_discarding_drafts()  # type: ignore[attr-defined]
            ctx.detach()  # type: ignore[attr-defined]
            tasks.shutdown()  # type: ignore[attr-defined]
        self.win.close_discarding_drafts()  # a test's leftover drafts: no close prompt
        session = self.ctx.detach() or self.session
        if session.store.is_open:
            self.tasks.call_sync(session.close)
        self.tasks.shutdown()


@pytest.fixture
def demo_ui(qtbot, template_store: Path, tmp_path: Path) -> Iterator[Harness]:  # type: ignore[no-untyped-def]
    h = Harness(qtbot, copy_store(template_store, tmp_path / "store"), tmp_path / "settings.ini")
    yield h
    h.close()


@pytest.fixture
def empty_ui(qtbot, empty_template: Path, tmp_path: Path) -> Iterator[Harness]:  # type: ignore[no-untyped-def]
    h = Harness(qtbot, copy_store(empty_template, tmp_path / "store"), tmp_path / "settings.ini")
    yield h
    h.close()
