"""The other end of an exchange: the stream to a peer, the author a peer's operations are from,
and what a member's store may hold (its agency's scope and the chair rule's cases).

Invariants: pure reads of the store; the scope rules themselves are ``app.models.sync_scope``."""

from __future__ import annotations

from typing import Any

from app.models.errors import BundleRejected, SecurityAlert
from app.models.sync_ops import Op, canonical
from app.models.sync_scope import RESTRICTABLE, Author, contribution_visible
from app.services.context import Session
from app.storage import repo, visibility
from app.storage.sync import selection
from app.storage.sync import store as sync_store


def stream_name(sender: str, recipient: str, epoch: int) -> str:
    return f"{sender}>{recipient}/{epoch}"


def chair_cases(session: Session, conn: Any, member: Author) -> frozenset[str]:
    """The cases the programme's chair rule gives ``member`` whatever their sharing (docs/
    programmes.md, "The chair"): they are in that member's scope as if shared with their agency."""
    return visibility.chair_cases(conn, session.programme.chair, member_id=member.member_id, role=member.role)


def peer_author(conn: Any, peer_device: str, peer_agency: str) -> Author:
    device = repo.get_row(conn, "device", peer_device)
    member = repo.get_row(conn, "member", device.member_id) if device is not None else None
    if member is None:
        return Author(peer_device, peer_device, peer_agency, "officer")
    return Author(peer_device, str(member.id), peer_agency, str(member.role))


def sender_author(conn: Any, sender: str) -> Author:
    m = repo.get_row(conn, "device", sender)
    member = repo.get_row(conn, "member", m.member_id) if m is not None else None
    if member is None:
        raise BundleRejected("The sender is not a member of the panel on this store.")
    return Author(sender, str(member.id), str(member.agency_id), str(member.role))


def own_author(session: Session, conn: Any) -> Author:
    """This member's workstation as an author, with its agency as the coordinator's record now
    says (a file may have just linked this workstation to an agency the panel already had)."""
    ws = session.workstation
    row = repo.get_row(conn, "member", ws.member.id)
    agency = str(row.agency_id) if row is not None else ws.agency.id
    return Author(ws.device_id, ws.member.id, agency, ws.member.role.value)


def may_hold(session: Session, conn: Any, op: Op) -> bool:
    """May an agency's store keep ``op`` waiting for its record? Only if it is in the agency's
    scope as the store stands now (a case in scope arrives before any op on it: every file
    re-sends the snapshot of a case new to the agency until it is acknowledged). The agency is
    the one the coordinator's record gives this member; the chair rule's cases are in scope."""
    me = own_author(session, conn)
    agency = me.agency_id
    if not selection.scope_for(conn, agency, also=chair_cases(session, conn, me)).op_visible(op):
        return False
    if op.entity in RESTRICTABLE and op.kind == "create":
        values = op.decoded()
        return isinstance(values, dict) and contribution_visible(
            str(values.get("agency_id") or ""), canonical(values.get("restricted_to") or []), agency
        )
    return True


def check_scope(
    conn: Any, agency: str, first_received: int, cases: set[str], *, also: frozenset[str]
) -> None:
    """An agency's store refuses anything the coordinator should not have sent it (``also``:
    the cases the chair rule gives this store's member).

    The records this import touched are read back from ``op_log`` (ops logged from
    ``first_received`` on), not kept in memory: a large snapshot would make that set large."""
    scope = selection.scope_for(conn, agency, also=also)
    outside = False
    for case_id in cases:
        if repo.get_row(conn, "case", case_id) is not None and case_id not in scope.cases:
            outside = True
    for entity, rid in sync_store.touched_since(conn, first_received, ("subject", *sorted(RESTRICTABLE))):
        if entity == "subject" and rid not in scope.subjects:
            outside = outside or repo.get_row(conn, "subject", rid) is not None
        elif entity in RESTRICTABLE and rid in scope.hidden:
            outside = True
    if outside:
        raise SecurityAlert(
            "The exchange file holds information about a case or record outside this agency's "
            "scope; it was rejected. Tell the coordinator."
        )
