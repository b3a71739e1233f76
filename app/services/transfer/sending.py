"""The sending panel: offer a case to a partner panel, then import its answer.

The case stays open and fully usable until the partner's acceptance is imported; the acceptance
closes it at the programme's ``transfer.out_status`` ("Transferred out": retention starts, and the
status travels to the agencies' stores like any status change); a decline returns it to normal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.models import transfer as tm
from app.models.errors import BundleRejected, InvalidInput, Refused
from app.models.ids import new_id
from app.services import cases, partners
from app.services.context import Session
from app.services.transfer.common import FileOut, check_coordinator, now_iso
from app.services.transfer.content import case_content
from app.services.transfer.files import Opened, digest_of, seal
from app.storage import repo
from app.storage import transfers as store
from app.storage.writer import Writer


@dataclass(frozen=True)
class Offered:
    transfer_id: str
    case_id: str
    case_ref: str
    partner_name: str
    path: Path
    restricted: int  # restricted contributions sent as a line naming their agency only


def offer(session: Session, *, case: str, to: str, out: Path) -> Offered:
    """Write a signed transfer file offering ``case`` to the partner panel ``to``; audited as a
    disclosure. The case stays open at this panel until the partner accepts."""
    check_coordinator(session, "transfer a case to another panel", writes=True)
    prog = session.programme
    partner = partners.resolve_partner(session, to)
    if partner.kind != "panel":
        raise Refused(f"{partner.name} is a region: a case is transferred only to a partner panel.")
    if partner.programme != prog.id:
        raise Refused(f"{partner.name} runs another programme: a case is transferred only to a "
                      "panel running the same programme.")
    if not prog.transfer.out_status:
        raise Refused("This panel's programme has no status for a case transferred out "
                      "([transfer] out_status).")
    c = cases.resolve_case(session, case)
    if prog.status(c.status).terminal:
        raise Refused(f"Case {c.ref} is closed: only an open case can be transferred.")
    files = FileOut()
    try:
        with session.change() as w:
            pending = [t for t in store.for_case(w.conn, c.id)
                       if t.direction == "out" and t.state == "offered"]
            if pending:
                raise Refused(f"Case {c.ref} is already offered to {pending[0].partner_name}: "
                              "wait for their answer.")
            content = case_content(session, w.conn, c.id)
            tid = new_id()
            file_id, data = seal(session, partner, "offer", tid, {"case": content})
            today = session.today().isoformat()
            store.add(w.conn, store.TransferRow(
                id=tid, direction="out", partner_id=partner.id, partner_name=partner.name,
                state="offered", case_id=c.id, case_ref=c.ref, their_ref=None, offered_on=today,
                answered_on=None, reason=None, discuss_by=None, content=None))
            store.add_file(w.conn, file_id=file_id, transfer_id=tid, kind="offer",
                           direction="sent", digest=digest_of(data), at=now_iso())
            w.record_event("disclosure-transfer-offer", "case", c.id,
                           [f"to-panel:{partner.id}", f"transfer:{tid}", f"file:{file_id}"])
            path = files.write(out, data)
    except BaseException:
        files.undo()
        raise
    return Offered(tid, c.id, c.ref, partner.name, path, len(content["restricted"]))


@dataclass(frozen=True)
class ReplyApplied:
    transfer_id: str
    case_ref: str
    partner_name: str
    accepted: bool
    their_ref: str
    reason: str


def apply_reply(session: Session, w: Writer, opened: Opened) -> ReplyApplied:
    """The partner's answer to an offer of ours, inside the import's transaction."""
    t = store.get(w.conn, opened.transfer_id)
    if t is None or t.direction != "out":
        raise BundleRejected("This reply is for a transfer this panel did not offer.")
    if t.partner_id != opened.partner.id:
        raise BundleRejected("This reply is from another panel than the one the case was offered to.")
    if t.state != "offered":
        raise BundleRejected(f"This transfer was already {t.state} on {t.answered_on}: the reply "
                             "was rejected.")
    today = session.today()
    accepted = opened.kind == "accept"
    their_ref, reason = "", ""
    if accepted:
        body = tm.record(opened.body, "acceptance", frozenset({"ref", "discuss_by"}))
        their_ref = tm.text(body["ref"], "new reference", limit=40, required=True)
        tm.day(body["discuss_by"], "discussion date")
        _close_transferred_out(session, w, t.case_id or "", opened.partner.name, their_ref)
        store.set_fields(w.conn, t.id, state="accepted", their_ref=their_ref,
                         answered_on=today.isoformat())
    else:
        body = tm.record(opened.body, "decline", frozenset({"reason"}))
        reason = tm.text(body["reason"], "reason", limit=tm.MAX_REASON, required=True)
        store.set_fields(w.conn, t.id, state="declined", reason=reason,
                         answered_on=today.isoformat())
    store.add_file(w.conn, file_id=opened.file_id, transfer_id=t.id, kind=opened.kind,
                   direction="received", digest=opened.digest, at=now_iso())
    w.record_event(f"transfer-{'accepted' if accepted else 'declined'}", "case", t.case_id or t.id,
                   [f"from-panel:{opened.partner.id}", f"transfer:{t.id}",
                    f"file:{opened.file_id}"])
    return ReplyApplied(t.id, t.case_ref, opened.partner.name, accepted, their_ref, reason)


def _close_transferred_out(session: Session, w: Writer, case_id: str, panel: str, ref: str) -> None:
    """The case closes at the programme's transferred-out status (retention starts); the status
    change travels to the agencies' stores like any other. A case no longer on this store (purged)
    is left alone: the transfer is still recorded as accepted."""
    prog = session.programme
    case = repo.get_case(w.conn, case_id)
    if case is None:
        return
    target = prog.transfer.out_status
    if not target:
        raise InvalidInput("This panel's programme has no status for a case transferred out.")
    if case.status == target:
        return
    w.update("case", case.id, {"status": target, "closed": session.today(), "next_review": None},
             audit_action="status")
    w.create("status_change", {
        "case_id": case.id, "at": w.audit_time(), "from_status": case.status, "to_status": target,
        "rationale": f"Transferred out to {panel} (their ref {ref})", "member_id": session.me.id,
    })


__all__ = ["Offered", "ReplyApplied", "apply_reply", "offer"]
