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

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from tests.support.stores import copy_store
from tests.support.ui import Harness


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
