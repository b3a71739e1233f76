"""Where objects die: the cyclic collector runs on the GUI thread only, and a worker thread never
drops the last reference to what the GUI handed it (app.ui.housekeeping, app.ui.tasks)."""

from __future__ import annotations

import gc
import threading
from typing import Any

import pytest
from PySide6.QtCore import QObject

from app.models.errors import AppError
from app.ui.housekeeping import GarbageCollector
from app.ui.tasks import TaskManager


class Probe:
    """Records which thread it was freed on."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __del__(self) -> None:
        self.log.append(threading.current_thread().name)


@pytest.fixture
def tasks() -> Any:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def test_collector_turns_automatic_collection_off_and_back_on(qtbot) -> None:
    # The UI conftest already pins collection for the test; stopping it restores the state found.
    assert not gc.isenabled()
    collector = GarbageCollector(interval_ms=10)
    collector.start()
    assert not gc.isenabled() and collector.active
    collector.stop()
    assert not collector.active and not gc.isenabled()  # as it found it: off, for this test

    gc.enable()
    try:
        collector = GarbageCollector(interval_ms=10)
        collector.start()
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled()
    finally:
        gc.disable()


def test_cycles_are_freed_by_the_timer_on_the_gui_thread(qtbot) -> None:
    freed: list[str] = []
    collector = GarbageCollector(interval_ms=10)
    collector.start()
    try:
        a: dict[str, Any] = {"probe": Probe(freed)}
        a["self"] = a  # a cycle: reference counting alone never frees it
        del a
        gc.collect()  # nothing else is waiting, so the next cycle found is ours alone
        a = {"probe": Probe(freed)}
        a["self"] = a
        del a
        for _ in range(gc.get_threshold()[0] + 10):  # push the youngest generation past its threshold
            b: list[Any] = []
            b.append(b)
            del b
        qtbot.waitUntil(lambda: len(freed) == 2, timeout=10_000)
    finally:
        collector.stop()
    assert freed == ["MainThread", "MainThread"]


def test_a_workers_task_and_its_captures_are_freed_on_the_gui_thread(qtbot, tasks) -> None:
    freed: list[str] = []
    owner = QObject()
    results: list[int] = []
    probe = Probe(freed)
    tasks.run(lambda p=probe: 7, owner=owner, on_done=results.append)  # type: ignore[misc]
    heavy_probe = Probe(freed)
    tasks.run_heavy(lambda _progress, p=heavy_probe: 8, owner=owner, on_done=results.append)  # type: ignore[misc]
    del probe, heavy_probe
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=60_000)
    assert sorted(results) == [7, 8]
    assert freed == ["MainThread", "MainThread"]


def test_a_failed_task_reports_its_locations_without_its_locals(qtbot, tasks) -> None:
    errors: list[BaseException] = []
    freed: list[str] = []

    class Refused(AppError):
        default_message = "Refused."

    def work() -> None:
        local = Probe(freed)  # created on the worker: freed there, before the error crosses
        assert local is not None
        raise Refused()

    tasks.run(work, owner=None, on_error=errors.append)
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=60_000)
    assert len(errors) == 1 and isinstance(errors[0], Refused)
    assert errors[0].__traceback__ is not None  # where it failed is still known
    frames = []
    tb = errors[0].__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    assert all("local" not in f.f_locals for f in frames)
    assert len(freed) == 1


def test_the_qt_binding_keeps_references_when_signals_are_emitted(qtbot) -> None:
    """PySide6 6.12.0 handed back ``True`` from ``emit()`` without a reference: every emit from
    Python dropped one from ``True`` until the interpreter aborted ("deallocating True or False")
    or a garbage collection crashed. pyproject excludes it; this fails loudly on any binding that
    does the same, before it can take down a session in use."""
    import sys

    from PySide6.QtCore import Signal

    class Emitter(QObject):
        bare = Signal()
        carrying = Signal(int, object, object)

    emitter = Emitter()
    seen: list[int] = []
    emitter.carrying.connect(lambda token, _r, _e: seen.append(token))
    n = 1000
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for i in range(n):
        emitter.bare.emit()
        emitter.carrying.emit(i, None, None)
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    assert len(seen) == n
    # A leaking binding loses a reference per emit (-1,000 or -2,000 here); other threads of the
    # test process (xdist's I/O, say) may move a count by a little, never by that much.
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(abs(d) < n // 5 for d in drift), drift
