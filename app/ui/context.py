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

import shiboken6
from PySide6.QtCore import QObject, QSettings, Signal

from app.models.domain import Agency, Member, Workstation
from app.models.programme import Programme
from app.services.context import Changed, Session
from app.ui.drafts import DraftBook
from app.ui.tasks import Locked, Progress, TaskManager

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
        return next((a.name for a in self.agencies if a.id == agency_id), "")

    def agency_short(self, agency_id: str | None) -> str:
        return next((a.short for a in self.agencies if a.id == agency_id), "")

    def member_name(self, member_id: str | None) -> str:
        return next((m.name for m in self.members if m.id == member_id), "")

    def risk_label(self, level: str | None) -> str:
        return self.programme.risk_label(level)


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


def _alive(owner: QObject | None) -> bool:
    return owner is None or shiboken6.isValid(owner)


def _guarded(owner: QObject | None, fn: Callable[..., None] | None) -> Callable[..., None] | None:
    """``fn`` wrapped so that it runs only while ``owner`` lives (None stays None)."""
    if fn is None:
        return None

    def call(*args: object) -> None:
        if _alive(owner):
            fn(*args)

    return call


def _error_to(owner: QObject | None,
              on_error: Callable[[BaseException], None] | None) -> Callable[[BaseException], None]:
    """Errors go to ``on_error`` or, without one, to the one error dialog over the owner; never to
    an owner that has closed."""

    def failed(exc: BaseException) -> None:
        if not _alive(owner):
            return
        if on_error is not None:
            on_error(exc)
            return
        from PySide6.QtWidgets import QWidget

        from app.ui.errors import show_error

        show_error(owner if isinstance(owner, QWidget) else None, exc)

    return failed


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
        self.drafts = DraftBook(self)  # what is typed and not saved, per item (app.ui.drafts)

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

    def session_for_documents(self) -> Session:
        """The open session, for the documents dialogs only (``documents.pack_dialog``): they render on
        their own worker threads and the store's lock serialises them with the store worker. Every
        other screen goes through ``run``. Raises ``Locked`` while locked."""
        if self._session is None:
            raise Locked()
        return self._session

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

        self.tasks.run(job, owner=self, on_done=self._announce(owner, on_done), on_error=_error_to(owner, on_error))

    def run_cancellable(
        self,
        fn: Callable[[Session, Progress], T],
        *,
        owner: QObject | None,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        mutates: bool = False,
    ) -> Progress:
        """Like ``run`` for long store work: ``fn`` gets a ``Progress`` to report on and to poll
        (``progress.step``/``check`` raise ``Cancelled`` once the user asked to stop; a change block
        left that way rolls back). ``changed`` is announced only if the work completed."""

        def job(progress: Progress) -> tuple[T, Changed | None]:
            session = self._session
            if session is None:
                raise Locked()
            progress.check()
            session.last_changed = Changed()
            result = fn(session, progress)
            return result, (session.last_changed if mutates else None)

        return self.tasks.run_progress(job, owner=self, on_done=self._announce(owner, on_done),
                                       on_error=_error_to(owner, on_error), on_cancelled=_guarded(owner, on_cancelled))

    def _announce(self, owner: QObject | None,
                  on_done: Callable[[T], None] | None) -> Callable[[tuple[T, Changed | None]], None]:
        """The result goes to ``on_done`` only while its owner lives; what changed is announced
        either way (a mutation finished after its widget closed still refreshes the screens)."""

        def done(pair: tuple[T, Changed | None]) -> None:
            result, changed = pair
            if on_done is not None and _alive(owner):
                on_done(result)
            if changed is not None:
                if changed.touches("agency", "member"):
                    self.refresh_snapshot()
                self.changed.emit(changed)

        return done

    def refresh_snapshot(self) -> None:
        def got(snapshot: Snapshot) -> None:
            self.snapshot = snapshot
            self.snapshot_changed.emit()

        self.run(load_snapshot, owner=self, on_done=got)
