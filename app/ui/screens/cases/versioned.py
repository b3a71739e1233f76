"""What the versioned case tabs (assessment, plan) share: the new versions in progress.

Invariants: one editor per case, kept in the tab's page stack, so a version in progress is resumed
and never replaced; what differs from how the editor started is a draft of its case (``(kind, case
id)`` in ``ctx.drafts``), filed when the drafts are flushed and recorded by ``record`` if the user
keeps it; an editor saved, cancelled or whose draft is discarded goes, with its draft.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Generic, TypeVar

from PySide6.QtWidgets import QStackedWidget, QWidget

from app.models.domain import CaseFile
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft

E = TypeVar("E", bound=QWidget)


class VersionEditors(Generic[E]):
    """The editors of new versions in progress, one per case. An editor has ``finished`` (saved
    or cancelled), ``value()``, ``initial`` (its value when it opened), ``case_ref`` and
    ``submit()``."""

    def __init__(self, ctx: UiContext, pages: QStackedWidget, kind: str, title: str,
                 record: Callable[[Session, str, Any], object], on_closed: Callable[[E | None], None]) -> None:
        self.ctx, self.pages, self.kind, self.title = ctx, pages, kind, title
        self._record, self._on_closed = record, on_closed
        self._editors: dict[str, E] = {}
        ctx.drafts.flush_requested.connect(self.stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)

    def for_case(self, cf: CaseFile | None) -> E | None:
        """The new version in progress for the case shown (None when there is none)."""
        return self.get(cf.case.id) if cf else None

    def get(self, case_id: str) -> E | None:
        return self._editors.get(case_id)

    def open(self, case_id: str, make: Callable[[], E]) -> E:
        """Show the case's version in progress, starting one with ``make`` if there is none."""
        editor = self._editors.get(case_id)
        if editor is None:
            editor = make()
            editor.finished.connect(partial(self.close, case_id))  # type: ignore[attr-defined]
            self._editors[case_id] = editor
            self.pages.addWidget(editor)
        self.pages.setCurrentWidget(editor)
        return editor

    def close(self, case_id: str) -> None:
        """Saved or cancelled: the editor and its draft go; the tab then shows what it should."""
        editor = self._editors.pop(case_id, None)
        self.ctx.drafts.remove((self.kind, case_id))
        self._on_closed(editor)

    def submit_current(self) -> bool:
        """Save the version in progress on show (the Save shortcut); False when none is."""
        current = self.pages.currentWidget()
        editor: Any = next((e for e in self._editors.values() if e is current), None)
        if editor is None:
            return False
        editor.submit()
        return True

    def stash(self) -> None:
        for cid, editor in self._editors.items():
            key = (self.kind, cid)
            ed: Any = editor
            value = ed.value()
            if value == ed.initial:
                self.ctx.drafts.remove(key)
                continue

            def save(s: Session, cid: str = cid, value: Any = value) -> None:
                self._record(s, cid, value)

            self.ctx.drafts.put(Draft(key, f"{self.title} for {ed.case_ref}", value, save))

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        for kind, cid in keys:
            if kind == self.kind and cid in self._editors:
                self.close(cid)
