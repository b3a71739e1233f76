"""The shape every screen shares: lazy refresh, reaction to what changed, standard commands.

Invariants: a screen loads when it is first shown and again when a change touches one of its
``watches`` entities while it is visible (or on its next showing if hidden); it never blocks the
GUI thread on the store.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from app.services.context import Changed
from app.ui.context import UiContext
from app.ui.widgets.plain import heading, muted


class Screen(QWidget):
    title = ""
    watches: tuple[str, ...] = ()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName(self.title)
        self._dirty = True
        self.loaded_once = False
        ctx.changed.connect(self._on_ctx_changed)
        ctx.unlocked.connect(self._on_ctx_unlocked)
        self.root = QVBoxLayout(self)
        self.root.setContentsMargins(20, 14, 20, 14)
        self.root.setSpacing(10)
        self.header = QHBoxLayout()
        self.header.addWidget(heading(self.title))
        self.header.addStretch(1)
        self.root.addLayout(self.header)

    # --- lifecycle -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def reload(self) -> None:
        if self.ctx.is_locked:
            return
        self._dirty = False
        self.load()

    def load(self) -> None:
        """Fetch data (through ``ctx.run``) and fill the widgets. Override."""

    def _on_ctx_changed(self, changed: Changed) -> None:
        if not self.watches or changed.touches(*self.watches):
            self._dirty = True
            if self.isVisible():
                self.reload()

    def _on_ctx_unlocked(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.reload()

    # --- standard commands (menus call these on the current screen) --------------------------------
    def new_item(self) -> bool:
        return False

    def save(self) -> bool:
        return False

    def print_(self) -> bool:
        return False

    def focus_find(self) -> bool:
        return False

    def owner(self) -> QObject:
        return self


def scrolled(inner: QWidget, *, sideways: bool = False) -> QScrollArea:
    """``inner`` in a frameless scroll area that scrolls up and down (``sideways``: left and
    right), sizing ``inner`` to its width (height)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(inner)
    if sideways:
        area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    else:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class PlaceholderScreen(Screen):
    """A screen whose work belongs to another issue: says what it will hold, pretends nothing."""

    body_text = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.root.addWidget(muted(self.body_text))
        self.root.addStretch(1)
