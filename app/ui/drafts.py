"""Drafts: what has been typed and not yet saved, kept per item while the user moves around.

Invariants:
- A draft lives in memory only (this object and the widgets that show it): never in a file, a
  log or ``QSettings``. It survives lock and unlock because nothing here is destroyed by a lock.
- One draft per key: ``("minutes", item_id)``, ``("assessment", case_id)``, ``("plan", case_id)``,
  ``("note", case_id)``, ``("referral", "new")``, ``("meeting_details", meeting_id)``,
  ``("raise_action", agenda_item_id)``, ``("action_update", "id+id…")`` (the actions it updates),
  ``("linked_person", case_id)`` (a person linked to the case, new or being changed).
  Leaving an item keeps its draft (save-on-leave into this book, not into the store); coming back
  shows it again.
- Before anything asks what is unsaved, ``flush`` lets every live editor put its current text in
  the book (or take it out when it matches what is saved), so the book is the one answer.
- A draft carries the service call that saves it (a function of the session), so the main window
  can save every draft at close without the widget that made it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.services.context import Session

Key = tuple[str, str]


@dataclass(frozen=True)
class Draft:
    key: Key
    label: str  # for the close prompt: "Minutes of item 2 (RT-2026-00012)"
    value: object  # what the editor needs to show it again
    save: Callable[[Session], object]


class DraftBook(QObject):
    flush_requested = Signal()
    discarded = Signal(object)  # the keys dropped (tuple of Key)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._drafts: dict[Key, Draft] = {}

    def put(self, draft: Draft) -> None:
        self._drafts[draft.key] = draft

    def get(self, key: Key) -> Draft | None:
        return self._drafts.get(key)

    def remove(self, key: Key) -> None:
        self._drafts.pop(key, None)

    def has(self, key: Key) -> bool:
        return key in self._drafts

    def keys(self, kind: str) -> list[Key]:
        """The keys of the drafts of one kind, as filed (no flush): for an editor looking for its own."""
        return [k for k in self._drafts if k[0] == kind]

    def flush(self) -> None:
        """Every live editor files its current state now (synchronously, on the GUI thread)."""
        self.flush_requested.emit()

    def pending(self) -> list[Draft]:
        self.flush()
        return list(self._drafts.values())

    def discard(self, keys: Iterable[Key] | None = None) -> None:
        """Drop drafts (all of them without ``keys``); editors showing them go back to the saved text."""
        dropped = tuple(self._drafts) if keys is None else tuple(k for k in keys if k in self._drafts)
        for k in dropped:
            del self._drafts[k]
        if dropped:
            self.discarded.emit(dropped)


def save_drafts(session: Session, drafts: list[Draft]) -> list[tuple[Draft, str]]:
    """Save each draft in its own transaction (on the store worker); returns the ones refused with
    the service's sentence. A refused draft changes nothing (each service call is all or nothing)."""
    from app.models.errors import AppError

    failed: list[tuple[Draft, str]] = []
    for d in drafts:
        try:
            d.save(session)
        except AppError as exc:
            failed.append((d, exc.user_message))
    return failed
