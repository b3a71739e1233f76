"""Input rules that hold for every control of the client (docs/ui.md, "Wheel and drop-downs").

One application-wide event filter (``install_input_rules``), so no screen has to remember them:

- **The mouse wheel scrolls the page** unless the control under it has keyboard focus. A wheel
  over a drop-down, a spin box or a date field that the user has not clicked or tabbed into goes
  to the nearest scrolling area (the long assessment form scrolls; "No evidence" stays "No
  evidence"). Such controls also stop taking focus from the wheel (``Qt.StrongFocus``).
- **Drop-down lists show every option when they fit on the screen**: a popup is a plain list under
  (or over) its box (``combobox-popup: 0`` in the stylesheet, so no scroll arrows and no half-hidden
  last row), at least ``MAX_VISIBLE_ITEMS`` rows tall before it scrolls.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

MAX_VISIBLE_ITEMS = 30

_GUARDED = (QComboBox, QAbstractSpinBox)


def _wheel_guarded(obj: QObject) -> bool:
    if isinstance(obj, _GUARDED):
        return True
    from app.ui.widgets.common import UkDateEdit  # a line edit that moves its date on Up/Down

    return isinstance(obj, UkDateEdit)


def prepare_control(widget: QWidget) -> None:
    """The rules for one control (done for every control as it is first shown)."""
    if isinstance(widget, QComboBox):
        widget.setMaxVisibleItems(max(widget.maxVisibleItems(), MAX_VISIBLE_ITEMS))
    if _wheel_guarded(widget) and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class InputRules(QObject):
    """The application-wide filter: wheel to the page unless focused; popups sized to fit."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(obj, QWidget):
            prepare_control(obj)
        elif kind == QEvent.Type.Wheel and isinstance(obj, QWidget) and _wheel_guarded(obj) and not obj.hasFocus():
            area = _scroll_area_of(obj)
            if area is not None:
                QApplication.sendEvent(area.viewport(), event.clone())
            event.accept()
            return True
        return False


_rules: InputRules | None = None


def install_input_rules(app: QApplication | None = None) -> InputRules:
    """Install the filter once on the application (idempotent)."""
    global _rules
    app = app or QApplication.instance()  # type: ignore[assignment]
    assert isinstance(app, QApplication)
    if _rules is None or not shiboken6.isValid(_rules) or _rules.parent() is not app:
        _rules = InputRules(app)
        app.installEventFilter(_rules)
    return _rules
