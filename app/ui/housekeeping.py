"""Python's cyclic garbage collector, pinned to the GUI thread.

Job: switch off automatic cyclic collection and run it from a GUI-thread timer instead, the way
anki, calibre and pyqtgraph do. Automatic collection runs in whichever thread happens to cross the
allocation threshold; if that is a worker thread (or the GUI thread in the middle of Qt's own
dispatch), it can destroy a Qt object caught in a reference cycle from the wrong place, and Qt
crashes. Reference counting still frees everything that is not in a cycle at once; only cycles
wait for the timer.

Invariants:
- Between ``start()`` and ``stop()`` automatic collection is off; the timer collects the
  youngest generation whose threshold has been crossed, on the GUI thread, from the event loop
  (never inside another widget's event handler).
- ``stop()`` turns automatic collection back on with the thresholds it found, and collects
  once, so nothing is left waiting.
- ``collect_now()`` is for quiet points (after a window closed and every worker was joined).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 2_000


class GarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.collections = 0

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
        self.collect_now()

    def _on_timer_timeout(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                self.collections += 1
                return

    def collect_now(self) -> int:
        self.collections += 1
        return gc.collect()
