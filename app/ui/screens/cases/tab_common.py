"""Small helpers shared by the case tabs."""

from __future__ import annotations

from collections.abc import Callable

from app.ui.widgets.plain import PlainLabel


def failed_into(label: PlainLabel) -> Callable[[BaseException], None]:
    """An ``on_error`` for ``ctx.run`` that shows the failure's one safe sentence in ``label``."""
    def failed(exc: BaseException) -> None:
        from app.ui.errors import safe_message

        label.setText(safe_message(exc))

    return failed
