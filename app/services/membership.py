"""A member's workstation whose membership the coordinator has revoked (docs/sync.md,
"Revoking a member").

- ``membership_revoked(session) -> bool`` — on a member's (not the coordinator's) store: the
  coordinator's member record of this workstation's member says the access is revoked. The record
  is a hub record: it arrives in the coordinator's files and outranks any local copy.
- ``refuse_if_revoked(session)`` — ``Refused`` with one sentence when it is (exports call it).
- ``apply_revocation(session) -> int`` — once revoked, every case still on this store is evicted
  (its records, its subject unless another case names them, and every operation of it, this
  workstation's own included: they can no longer be sent), in one audited transaction. Returns
  the number of cases evicted (0 when not revoked or nothing is left).
- ``after_import(session, report)`` — called by the import: applies the above and marks the
  report ``revoked``.
- ``refuse_revoked_sender(conn, device)`` — at the hub: a file signed by a device whose member
  is revoked is refused whole (a security alert), the hub unchanged.
- ``peer_scope(conn, peer_device, scope)`` — at the hub: the scope to export to a device whose
  member is revoked holds no case and nothing panel-wide but the registry records (agencies,
  members, devices), so its next file evicts every case it was sent and tells it it is revoked.

Invariants: a revoked member's store never writes another exchange file; files from the
coordinator are still imported (a reactivation travels the same way and the next file brings the
member's cases back as snapshots).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from app.models.enums import MemberStatus
from app.models.errors import Refused, SecurityAlert
from app.models.sync_ops import Op
from app.models.sync_scope import Scope
from app.services.context import Session
from app.storage import case_list, repo
from app.storage import meta as meta_store
from app.storage import revocation as revocation_store
from app.storage.rows import member_from
from app.storage.sync import selection
from app.storage.sync import store as sync_store

if TYPE_CHECKING:
    from app.services.exchange.report import ImportReport

REVOKED_MESSAGE = (
    "The coordinator has revoked this workstation's membership of the panel: it sends no more "
    "exchange files, and the panel's cases have been removed from it."
)
_REGISTRY_ENTITIES = frozenset({"agency", "member", "device"})
_REVOKED_AT = "membership-revoked-at"  # meta: when this store first found itself revoked


def _member_revoked(conn: Any, member_id: str) -> bool:
    row = repo.get_row(conn, "member", member_id)
    return row is not None and member_from(row).status is not MemberStatus.ACTIVE


def membership_revoked(session: Session) -> bool:
    ws = session.workstation
    if ws.is_hub:
        return False
    with session.view() as conn:
        return _member_revoked(conn, ws.member.id)


def refuse_if_revoked(session: Session) -> None:
    if membership_revoked(session):
        raise Refused(REVOKED_MESSAGE)


def apply_revocation(session: Session) -> int:
    """Evict every case left on a revoked member's store, in one transaction, audited."""
    if not membership_revoked(session):
        return 0
    ws = session.workstation
    with session.view() as conn:
        case_ids = [str(c) for c in case_list.case_ids(conn, today=dt.date.today())]
        done = meta_store.get(conn, _REVOKED_AT) or ""
    with session.change() as w:
        # this store's own operations go too: nothing more is sent from it (an epoch's counter
        # never passes 2**62)
        drop_all_own = {epoch: 2**62 for epoch in range(w.epoch + 1)}
        for case_id in case_ids:
            selection.evict_case(w.conn, case_id, me=ws.device_id, keep_own_after=drop_all_own)
            w.record_event("evict", "case", case_id, ["by:revocation"])
        dropped = revocation_store.drop_case_operations(w.conn)
        if not case_ids and not dropped and done:
            return 0  # nothing left, and already recorded: a no-op
        if not done:
            meta_store.put(w.conn, _REVOKED_AT, sync_store.now_iso())
        w.record_event("revoked", "member", ws.member.id,
                       [f"cases-evicted:{len(case_ids)}", f"operations-dropped:{dropped}"])
    return len(case_ids)


def after_import(session: Session, report: ImportReport) -> ImportReport:
    """After an applied import on a member's store: if the file revoked this workstation's
    membership, evict what is left and say so in the report (``revoked``)."""
    if not report.ok or session.workstation.is_hub:
        return report
    if not membership_revoked(session):
        _forget_revocation(session)  # reactivated (or never revoked)
        return report
    evicted = apply_revocation(session)
    return dataclasses.replace(report, revoked=True, evicted=report.evicted + evicted)


def refuse_revoked_sender(conn: Any, device: Any) -> None:
    """At the hub: a file from a device whose member is revoked is refused (``SecurityAlert``)."""
    if _member_revoked(conn, str(device.member_id)):
        raise SecurityAlert(
            "The exchange file is from a member whose access to the panel was revoked; it was "
            "rejected."
        )


def _forget_revocation(session: Session) -> None:
    """A reactivated member: a later revocation is recorded and audited afresh."""
    with session.view() as conn:
        if not meta_store.get(conn, _REVOKED_AT):
            return
    with session.change() as w:
        meta_store.put(w.conn, _REVOKED_AT, "")
        w.record_event("reactivated", "member", session.workstation.member.id)


class _RevokedPeerScope(Scope):
    """What the hub still sends a revoked member's device: the registry records only."""

    def op_visible(self, op: Op) -> bool:
        return op.entity in _REGISTRY_ENTITIES


def peer_scope(conn: Any, peer_device: str, scope: Scope) -> Scope:
    device = repo.get_row(conn, "device", peer_device)
    if device is None or not _member_revoked(conn, str(device.member_id)):
        return scope
    return _RevokedPeerScope(scope.agency, frozenset(), frozenset(), scope.hidden)


__all__ = [
    "REVOKED_MESSAGE",
    "after_import",
    "apply_revocation",
    "membership_revoked",
    "peer_scope",
    "refuse_if_revoked",
    "refuse_revoked_sender",
]
