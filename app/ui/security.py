"""Auto-lock after inactivity (keepassxc's InactivityTimer).

Job: watch user input application-wide and emit ``inactive`` when none has arrived for the
configured interval.

Invariants:
- Only real user input (keys, mouse buttons, wheel, touch) counts as activity; paint and timer
  events do not, so a busy screen cannot keep the store open.
- The filter never swallows an event; it only restarts the timer.
- The timer is single-shot and restarted at most every 100 ms of continuous input (cheap).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.ShortcutOverride,
    }
)


class InactivityTimer(QObject):
    inactive = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last_restart = 0.0
        self._installed = False

    def set_interval_ms(self, ms: int) -> None:
        self._timer.setInterval(max(1, ms))

    def interval_ms(self) -> int:
        return self._timer.interval()

    def activate(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def deactivate(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            now = time.monotonic()
            if now - self._last_restart > 0.1:
                self._last_restart = now
                self._timer.start()
        return False

    def _on_timer_timeout(self) -> None:
        self.deactivate()
        self.inactive.emit()
