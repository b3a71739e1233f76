"""What every screen shares: the open session (reached only through the task manager), a snapshot
of who is using the workstation, and signals that say what changed.

Invariants:
- Screens never call services on the GUI thread: they pass a function of the session to
  ``UiContext.run`` and get the result back on their own callback.
- ``changed`` carries the service's ``Changed`` value after every mutation, so screens refresh
  only when something they show was touched (anki's OpChanges).
- While locked, ``session`` is None and every ``run`` fails fast with ``Locked``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QSettings, Signal

from app.models.domain import Agency, Member, Workstation
from app.models.programme import Programme
from app.services.context import Changed, Session
from app.ui.tasks import Locked, TaskManager

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """Read once after unlock (and after panel changes); safe to use on the GUI thread."""

    workstation: Workstation
    programme: Programme
    agencies: tuple[Agency, ...]
    members: tuple[Member, ...]
    auto_lock_minutes: int

    def agency_name(self, agency_id: str | None) -> str:
        for a in self.agencies:
            if a.id == agency_id:
                return a.name
        return ""

    def agency_short(self, agency_id: str | None) -> str:
        for a in self.agencies:
            if a.id == agency_id:
                return a.short
        return ""

    def member_name(self, member_id: str | None) -> str:
        for m in self.members:
            if m.id == member_id:
                return m.name
        return ""

    def risk_label(self, level: str | None) -> str:
        if not level:
            return ""
        for r in self.programme.framework.risk_levels:
            if r.id == level:
                return r.label
        return level


def load_snapshot(session: Session) -> Snapshot:
    from app.services import panel

    settings = panel.get_settings(session)
    return Snapshot(
        workstation=session.workstation,
        programme=session.programme,
        agencies=tuple(panel.list_agencies(session)),
        members=tuple(panel.list_members(session)),
        auto_lock_minutes=settings.auto_lock_minutes,
    )


class UiContext(QObject):
    changed = Signal(object)  # Changed
    snapshot_changed = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(self, tasks: TaskManager, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.settings = settings
        self._session: Session | None = None
        self.snapshot: Snapshot | None = None
        self.store_path: Any = None
        self.today_fn: Callable[[], dt.date] = dt.date.today

    # --- session ---------------------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self._session is None

    def attach(self, session: Session, snapshot: Snapshot) -> None:
        self._session = session
        self.snapshot = snapshot
        self.unlocked.emit()

    def detach(self) -> Session | None:
        """Forget the session (the caller closes it on the store worker)."""
        session, self._session = self._session, None
        self.locked.emit()
        return session

    @property
    def snap(self) -> Snapshot:
        assert self.snapshot is not None
        return self.snapshot

    # --- running ---------------------------------------------------------------------------------
    def run(
        self,
        fn: Callable[[Session], T],
        *,
        owner: QObject | None,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        mutates: bool = False,
    ) -> None:
        """Run ``fn(session)`` on the store worker; ``mutates`` announces ``changed`` afterwards."""

        def job() -> tuple[T, Changed | None]:
            session = self._session
            if session is None:
                raise Locked()
            session.last_changed = Changed()
            result = fn(session)
            return result, (session.last_changed if mutates else None)

        def done(pair: tuple[T, Changed | None]) -> None:
            result, changed = pair
            if on_done is not None:
                on_done(result)
            if changed is not None:
                if changed.touches("agency", "member"):
                    self.refresh_snapshot()
                self.changed.emit(changed)

        self.tasks.run(job, owner=owner, on_done=done, on_error=on_error)

    def refresh_snapshot(self) -> None:
        def got(snapshot: Snapshot) -> None:
            self.snapshot = snapshot
            self.snapshot_changed.emit()

        self.run(load_snapshot, owner=self, on_done=got)
