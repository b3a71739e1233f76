"""The unlocked workstation: the open store, who is using it, and the one door for every change.

``Session.change(action)`` opens one ``BEGIN IMMEDIATE`` transaction with a change-capturing
``Writer``; everything in the block commits together or not at all, and the audit entries ride in
the same transaction. ``Session.view()`` gives a consistent read snapshot.
Services take a ``Session`` as their first argument and keyword-only arguments after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from app.config.programmes import DEFAULT_PROGRAMME, load_programme
from app.models.domain import Agency, Member, Workstation
from app.models.errors import StoreDamaged
from app.models.ids import AgencyId, DeviceId, MemberId
from app.models.programme import Programme
from app.storage import meta as meta_store
from app.storage import repo
from app.storage.db import Connection
from app.storage.rows import agency_from, member_from
from app.storage.store import Store
from app.storage.writer import Writer


@dataclass(frozen=True)
class Changed:
    """What a service call changed, so screens can refresh themselves."""

    entities: frozenset[str] = frozenset()
    records: frozenset[tuple[str, str]] = frozenset()

    def touches(self, *entities: str) -> bool:
        return bool(self.entities.intersection(entities))


@dataclass
class Session:
    store: Store
    today_fn: Callable[[], dt.date] = field(default=dt.date.today)
    _workstation: Workstation | None = None
    last_changed: Changed = field(default_factory=Changed)
    # wrong passphrases or recovery keys tried since the last unlock: (count, first at) or None
    failed_unlocks: tuple[int, str] | None = None
    # the record of failed unlocks was found deleted, replaced or edited: the sentence to show
    unlock_record_reset: str = ""

    # --- who and when --------------------------------------------------------------------------
    def today(self) -> dt.date:
        return self.today_fn()

    @property
    def workstation(self) -> Workstation:
        if self._workstation is None:
            self._workstation = self._load_workstation()
        return self._workstation

    def refresh_workstation(self) -> None:
        self._workstation = None

    @property
    def me(self) -> Member:
        return self.workstation.member

    @property
    def agency(self) -> Agency:
        return self.workstation.agency

    @property
    def programme(self) -> Programme:
        return load_programme(self.workstation.programme)

    def _load_workstation(self) -> Workstation:
        with self.store.db.read() as conn:
            device_id = meta_store.get(conn, "device_id")
            member_id = meta_store.get(conn, "member_id")
            if not device_id or not member_id:
                raise StoreDamaged("This store has no workstation identity.")
            mrow = repo.get_row(conn, "member", member_id)
            if mrow is None:
                raise StoreDamaged("This store's own member record is missing.")
            member = member_from(mrow)
            arow = repo.get_row(conn, "agency", member.agency_id)
            if arow is None:
                raise StoreDamaged("This store's own agency record is missing.")
            return Workstation(
                store_id=meta_store.get(conn, "store_id") or "",
                device_id=DeviceId(device_id),
                member=member,
                agency=agency_from(arow),
                panel_name=meta_store.get(conn, "panel_name") or "",
                programme=meta_store.get(conn, "programme") or DEFAULT_PROGRAMME,
                fingerprint=meta_store.get(conn, "fingerprint") or "",
                is_hub=meta_store.get(conn, "is_hub") == "1",
            )

    # --- the door --------------------------------------------------------------------------------
    @contextmanager
    def view(self) -> Iterator[Connection]:
        with self.store.db.read() as conn:
            yield conn

    @contextmanager
    def change(self) -> Iterator[Writer]:
        """One transaction with change capture and audit; commits on success, else nothing."""
        ws = self.workstation
        with self.store.db.write() as conn:
            writer = Writer(
                conn,
                device_id=ws.device_id,
                member_id=ws.member.id,
                read_only=self.store.db.read_only,
            )
            yield writer
            writer.flush()
        entities = frozenset(e for e, _ in writer.changed)
        self.last_changed = Changed(entities, frozenset(writer.changed))

    def close(self) -> None:
        self.store.close()

    @property
    def read_only(self) -> bool:
        """The store can only be read here: changes are refused, views are not recorded."""
        return self.store.db.read_only

    # --- convenience -----------------------------------------------------------------------------
    def agency_names(self) -> dict[AgencyId, str]:
        with self.view() as conn:
            return {a.id: a.name for a in repo.agencies(conn)}

    def member_names(self) -> dict[MemberId, str]:
        with self.view() as conn:
            return {m.id: m.name for m in repo.members(conn)}


P = ParamSpec("P")
R = TypeVar("R")


def in_own_change(step: Callable[Concatenate[Session, Writer, P], R]) -> Callable[Concatenate[Session, P], R]:
    """The use case of ``step``, a step that works inside a caller's transaction: it opens its
    own (one ``session.change()``) and runs ``step`` in it. Bulk work (referral intake, the
    demonstration panel) calls the step in its one transaction; screens and commands call the
    use case."""

    def use_case(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with session.change() as w:
            return step(session, w, *args, **kwargs)

    use_case.__name__ = use_case.__qualname__ = step.__name__.removesuffix("_in")
    use_case.__module__ = step.__module__
    use_case.__doc__ = f"``{step.__name__}`` in a transaction of its own."
    return use_case
