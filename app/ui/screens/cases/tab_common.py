"""What the case tabs share: their base, and small helpers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.models.domain import CaseFile
from app.ui.context import UiContext
from app.ui.widgets.plain import PlainLabel


def failed_into(label: PlainLabel) -> Callable[[BaseException], None]:
    """An ``on_error`` for ``ctx.run`` that shows the failure's one safe sentence in ``label``."""
    def failed(exc: BaseException) -> None:
        from app.ui.errors import safe_message

        label.setText(safe_message(exc))

    return failed


class CaseTab(QWidget):
    """A tab of the open case: the context, the case file shown (None until one is), and ``body``,
    the column of the tab's contents under the tab bar."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 8, 0, 0)

    def add_error_line(self) -> PlainLabel:
        """The tab's inline error, at the foot of its column."""
        error = PlainLabel("", wrap=True, object_name="InlineError")
        self.body.addWidget(error)
        return error
