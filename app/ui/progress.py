"""Progress and cancel for long work: one dialog, one way of starting the work.

``run_with_progress(ctx, parent, label, fn)`` starts ``fn(session, progress)`` on the store worker
(or ``heavy_fn(progress)`` on the pool) and opens a ``ProgressDialog`` that appears only if the work
is still running after ``SHOW_AFTER_MS`` (short work never flashes a dialog).

Invariants:
- Cancel only asks (``Progress.cancel``); the task stops at its next ``step``/``check``. Store
  work stopped inside a ``session.change()`` block rolls back, so a cancelled bulk change leaves
  nothing half done. Nothing is terminated.
- The dialog reads ``Progress.done/total`` with a GUI-thread timer (no cross-thread widget calls)
  and closes itself when the task settles (done, failed or cancelled).
- Results go to ``on_done`` only while ``parent`` lives; a closed screen is skipped safely.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.services.context import Session
from app.ui.context import UiContext
from app.ui.tasks import Progress

T = TypeVar("T")
SHOW_AFTER_MS = 600
POLL_MS = 80


class ProgressDialog(QProgressDialog):
    def __init__(self, parent: QWidget | None, label: str, progress: Progress, *,
                 show_after_ms: int = SHOW_AFTER_MS) -> None:
        super().__init__(label, "Cancel", 0, 0, parent)
        self.setObjectName("ProgressDialog")
        self.setWindowTitle("Roundtable")
        self.setAccessibleName(label)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(show_after_ms)
        self.setMinimumWidth(380)
        self.progress = progress
        self.settled = False
        self.canceled.connect(self._on_self_canceled)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self.setValue(0)

    def _on_timer_timeout(self) -> None:
        done, total = self.progress.done, self.progress.total
        if total > 0:
            if self.maximum() != total:
                self.setMaximum(total)
            self.setValue(min(done, total))

    def _on_self_canceled(self) -> None:
        self.progress.cancel()

    def cancel(self) -> None:
        """Ask the task to stop (it stops at its next step); the dialog closes at once."""
        self.progress.cancel()
        super().cancel()

    def settle(self) -> None:
        """The task has finished one way or another: stop polling and go away."""
        self.settled = True
        self._timer.stop()
        self.reset()
        self.hide()
        self.deleteLater()


def run_with_progress(
    ctx: UiContext,
    parent: QWidget,
    label: str,
    fn: Callable[[Session, Progress], T],
    *,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    mutates: bool = False,
    show_after_ms: int = SHOW_AFTER_MS,
) -> ProgressDialog:
    """Start long store work with a progress dialog; returns the dialog (tests cancel through it)."""
    holder: list[ProgressDialog] = []

    def settle() -> None:
        if holder and shiboken6.isValid(holder[0]):
            holder[0].settle()

    def done(result: T) -> None:
        settle()
        if on_done is not None:
            on_done(result)

    def failed(exc: BaseException) -> None:
        settle()
        if on_error is not None:
            on_error(exc)
        else:
            from app.ui.errors import show_error

            show_error(parent, exc)

    def cancelled() -> None:
        settle()
        if on_cancelled is not None:
            on_cancelled()

    progress = ctx.run_cancellable(fn, owner=parent, on_done=done, on_error=failed, on_cancelled=cancelled,
                                   mutates=mutates)
    dialog = ProgressDialog(parent, label, progress, show_after_ms=show_after_ms)
    holder.append(dialog)
    return dialog
