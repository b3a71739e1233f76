"""Background work: one store worker, one pool for heavy work, results delivered to their owner.

Job: run service calls off the GUI thread and hand the result back, on the GUI thread, to a
callback owned by the widget that asked (anki's taskman; keepassxc's callbacks that die with their
owner).

Invariants:
- Every store call runs on ONE worker thread (``run``), in submission order; the SQLCipher
  connection is never used by two threads at once and the GUI never waits on it.
- Heavy work (PDFs, bundles, spreadsheets) runs on a small pool (``run_heavy``) and receives a
  ``Progress`` it polls for cancellation; nothing is ever terminated, only asked to stop.
- A callback runs only if its owner QObject is still alive; a closed widget is simply skipped.
- A task stopped by ``Progress.cancel`` ends with ``Cancelled``: that is never shown as an error;
  the owner's ``on_cancelled`` (if any) is told instead. Store work that is cancelled inside a
  ``session.change()`` block rolls back, so cancelling leaves the store as it was.
- ``shutdown()`` waits for both executors (join on quit); no thread outlives the application.
- A worker thread never releases the last reference to anything the GUI owns: the callable, its
  owner and callbacks stay in ``_inflight`` (touched only on the GUI thread) until delivery, the
  worker drops its own reference before it reports, and an error's traceback frames are cleared
  of their locals (which may hold widgets) before it crosses threads. With the cyclic garbage
  collector pinned to the GUI thread (``app.ui.housekeeping``), no Qt object is ever destroyed
  on a worker.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from app.models.errors import AppError

log = logging.getLogger(__name__)
T = TypeVar("T")


class Cancelled(AppError):
    default_message = "The operation was cancelled."


class Locked(AppError):
    default_message = "The store is locked. Unlock it to continue."


@dataclass
class Progress:
    """Shared between a heavy task and the GUI: the task reports, the GUI may ask it to stop."""

    done: int = 0
    total: int = 0
    _cancel: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Call from the task between steps: raises ``Cancelled`` once the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def step(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.check()


@dataclass
class _Pending:
    """What a submitted task needs on the GUI side; lives in ``_inflight`` until delivered."""

    fn: Callable[[], Any] | None
    owner: QObject | None
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_cancelled: Callable[[], None] | None = None


class TaskManager(QObject):
    """Runs callables in the background; emits ``task_finished`` on the GUI thread after each."""

    _delivered = Signal(int, object, object)  # token, result, error: from workers, queued to the GUI
    task_finished = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, pool_size: int = 2) -> None:
        super().__init__(parent)
        self._store = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rt-store")
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="rt-heavy")
        self._pending = 0
        self._closed = False
        self._inflight: dict[int, _Pending] = {}
        self._tokens = itertools.count(1)
        self._delivered.connect(self._on_self_delivered, Qt.ConnectionType.QueuedConnection)

    # --- submitting ------------------------------------------------------------------------------
    def run(
        self,
        fn: Callable[[], T],
        *,
        owner: QObject | None,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Future[Any] | None:
        """Store work on the single store worker."""
        return self._submit(self._store, fn, owner, on_done, on_error, on_cancelled)

    def run_progress(
        self,
        fn: Callable[[Progress], T],
        *,
        owner: QObject | None,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        heavy: bool = False,
    ) -> Progress:
        """Long work that reports progress and stops when asked: on the store worker (store work,
        in order with every other service call) or, with ``heavy``, on the pool."""
        progress = Progress()
        self._submit(self._pool if heavy else self._store, lambda: fn(progress), owner, on_done, on_error,
                     on_cancelled)
        return progress

    def run_heavy(
        self,
        fn: Callable[[Progress], T],
        *,
        owner: QObject | None,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Progress:
        return self.run_progress(fn, owner=owner, on_done=on_done, on_error=on_error, on_cancelled=on_cancelled,
                                 heavy=True)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        fn: Callable[[], Any],
        owner: QObject | None,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Future[Any] | None:
        if self._closed:
            return None
        token = next(self._tokens)
        self._inflight[token] = _Pending(fn, owner, on_done, on_error, on_cancelled)
        job = _make_job(self, self._inflight, token)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        return executor.submit(job)

    # --- delivering ------------------------------------------------------------------------------
    def _on_self_delivered(self, token: int, result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        entry = self._inflight.pop(token, None)
        try:
            if entry is None:
                return
            alive = entry.owner is None or shiboken6.isValid(entry.owner)
            if not alive:
                return
            if error is not None:
                if isinstance(error, Cancelled):
                    if entry.on_cancelled is not None:
                        entry.on_cancelled()
                    return
                if entry.on_error is not None:
                    entry.on_error(error)
                else:
                    from PySide6.QtWidgets import QWidget

                    from app.ui.errors import show_error

                    parent = entry.owner if isinstance(entry.owner, QWidget) else None
                    show_error(parent, error)
            elif entry.on_done is not None:
                entry.on_done(result)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)
            self.task_finished.emit()

    @property
    def pending(self) -> int:
        return self._pending

    def call_sync(self, fn: Callable[[], T]) -> T:
        """Run on the store worker and wait: for start-up and shutdown only, never from screens."""
        return self._store.submit(fn).result()

    def shutdown(self) -> None:
        """Join on quit: let running work finish, drop what has not started."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._store.shutdown(wait=True, cancel_futures=True)
        self._inflight.clear()  # on the GUI thread, after every worker has stopped


def _make_job(manager: TaskManager, inflight: dict[int, _Pending], token: int) -> Callable[[], None]:
    """The worker's side of one task. It borrows the callable from ``inflight`` (the GUI thread
    keeps it alive until delivery) and lets go of it before reporting, so the worker never holds
    the last reference to a widget, a model or a callback."""

    def job() -> None:
        entry = inflight.get(token)
        fn = entry.fn if entry is not None else None
        del entry
        result: Any = None
        error: BaseException | None = None
        if fn is not None:
            try:
                result = fn()
            except BaseException as exc:
                traceback.clear_frames(exc.__traceback__)  # locations stay, locals go
                error = exc
        del fn
        if shiboken6.isValid(manager):
            manager._delivered.emit(token, result, error)

    return job
