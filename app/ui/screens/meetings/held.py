"""Mark held, and undo it: the part of the meeting editor (``editor.py``) that asks first when
the date is ahead, nobody is marked present or items have minutes typed and not saved.

Invariant: marking held can be undone until the next exchange file is written; the Undo button
says why when it cannot.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from app.services import ui_queries
from app.services.meetings import minutes
from app.ui.context import UiContext
from app.ui.widgets.controls import ask, question


class HeldPart(QWidget):
    """Mixed into ``MeetingEditor``, which supplies what is declared here."""

    ctx: UiContext
    meeting_id: str
    view: ui_queries.MeetingView | None
    unheld_button: QPushButton
    held_prompt: QMessageBox | None
    held_confirm: QPushButton | None
    _run: Callable[..., None]  # MeetingEditor._run: one service call, then the meeting reloads

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError  # the editor's: shows the failure

    def stash_minutes(self) -> None:
        raise NotImplementedError  # the editor's: keeps typed minutes as a draft

    def _on_held_button_clicked(self) -> None:
        """Ask first when the date is ahead, nobody is marked present or items have no minutes."""
        mid = self.meeting_id
        self.ctx.run(lambda s: minutes.held_warnings(s, meeting_id=mid), owner=self,
                     on_done=self._on_held_warnings, on_error=self._failed)

    def _unsaved_items(self) -> list[str]:
        """The positions of this meeting's items with minutes typed and not saved."""
        self.stash_minutes()
        if self.view is None:
            return []
        return [str(i.position) for i in sorted(self.view.meeting.agenda, key=lambda x: x.position)
                if self.ctx.drafts.has(("minutes", i.id))]

    def _on_held_warnings(self, warnings: list[str]) -> None:
        unsaved = self._unsaved_items()
        if unsaved:
            warnings = [*warnings, f"Minutes typed for item{'s' if len(unsaved) != 1 else ''} {', '.join(unsaved)} "
                                   "are not saved yet (they stay as drafts until saved)."]
        if not warnings:
            self._mark_held()
            return
        box = question(self, "MarkHeldPrompt", "Mark as held?", "Mark this meeting as held now?",
                       details="\n".join(f"• {w}" for w in warnings)
                       + "\n\nIt can be undone until the next exchange file is written.",
                       icon=QMessageBox.Icon.Question)
        self.held_prompt = box
        self.held_confirm = ask(box, "Mark as &held", self._on_held_answer)

    def _on_held_answer(self, button: object) -> None:
        self.held_prompt = None
        if button is self.held_confirm:
            self._mark_held()

    def _mark_held(self) -> None:
        mid = self.meeting_id
        self._run(lambda s: minutes.mark_held(s, meeting_id=mid))

    def _on_unheld_button_clicked(self) -> None:
        mid = self.meeting_id
        self._run(lambda s: minutes.unmark_held(s, meeting_id=mid))

    def _on_undo_refusal(self, refusal: str | None) -> None:
        self.unheld_button.setVisible(True)
        self.unheld_button.setEnabled(refusal is None)
        self.unheld_button.setToolTip(refusal or "Scheduled again, as before it was marked held.")
