"""Case transfer between panels (docs/sync.md, "Case transfer between panels"; issue 15).

The API the command line and the desktop use:

- ``offer(session, *, case, to, out) -> Offered`` — coordinator's store only: a signed transfer
  file, encrypted to the partner panel ``to`` (``services.partners``), offering the case; the case
  shows "Transfer offered to PANEL" and stays open. Audited as a disclosure.
- ``import_file(session, *, path, accept=False, decline=False, reason="", out=None)
  -> ImportResult`` — at the receiver, an offer is kept and previewed (and, with ``accept`` or
  ``decline`` and ``out``, answered in the same transaction); at the sender, a reply closes the
  case "Transferred out" (accepted) or returns it to normal (declined). A file tampered with,
  replayed, addressed to another panel, from a panel not enrolled, of another programme or not
  matching a transfer is rejected (``BundleRejected``) with the store unchanged.
- ``accept_offer`` / ``decline_offer(session, *, transfer_id, ..., out)`` — answer an offer
  already imported (the Exchange screen).
- ``list_transfers(session) -> list[TransferView]``, ``preview(session, transfer_id)``,
  ``case_transfer_note(session, case_id) -> str``, ``unanswered(session)`` (offers of ours not
  answered in ``UNANSWERED_WORKING_DAYS`` working days: the dashboard).

Invariants: one transaction per call (the file written last inside it, removed if the commit
fails); nothing restricted ever leaves: a restricted contribution travels as "held by AGENCY; ask
them"; transfers and partners live in the coordinator's store only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.models import transfer as tm
from app.models.errors import BundleRejected, InvalidInput, NotFound, SecurityAlert
from app.models.rules import add_working_days
from app.services.context import Session
from app.services.transfer.common import FileOut, check_coordinator, read_file
from app.services.transfer.files import open_file
from app.services.transfer.receiving import (
    Answered,
    accept,
    decline,
    possible_matches,
    receive,
    transferred_in_line,
)
from app.services.transfer.sending import Offered, ReplyApplied, apply_reply, offer
from app.storage import transfers as store

__all__ = [
    "Answered",
    "ImportResult",
    "Offered",
    "ReplyApplied",
    "TransferView",
    "accept_offer",
    "case_transfer",
    "case_transfer_note",
    "decline_offer",
    "import_file",
    "list_transfers",
    "offer",
    "preview",
    "unanswered",
]


@dataclass(frozen=True)
class TransferView:
    """One transfer as the screens and ``transfers`` show it."""

    id: str
    direction: str  # out | in
    partner: str
    state: str
    case_ref: str  # out: our case; in: the sender's ref
    local_ref: str  # in: the case made on accepting; out: our case
    their_ref: str  # out: the receiver's new ref once accepted
    offered_on: dt.date
    answered_on: dt.date | None
    reason: str
    discuss_by: dt.date | None
    subject: str  # in: the subject's name in the offer (the preview)

    @property
    def text(self) -> str:
        if self.direction == "out":
            return {
                "offered": f"Transfer offered to {self.partner}",
                "accepted": f"Transferred out to {self.partner} (their ref {self.their_ref})",
                "declined": f"Transfer declined by {self.partner}: {self.reason}",
            }[self.state]
        return {
            "received": f"Transfer offered by {self.partner} (ref {self.case_ref}): not answered",
            "accepted": transferred_in_line(self.partner, self.case_ref),
            "declined": f"Transfer from {self.partner} (ref {self.case_ref}) declined: {self.reason}",
        }[self.state]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _view(t: store.TransferRow, refs: dict[str, str]) -> TransferView:
    subject = ""
    if t.content is not None:
        s = t.content.get("subject") or {}
        subject = f"{s.get('forenames', '')} {s.get('surname', '')}".strip()
    return TransferView(
        id=t.id, direction=t.direction, partner=t.partner_name, state=t.state,
        case_ref=t.case_ref, local_ref=refs.get(t.case_id or "", ""), their_ref=t.their_ref or "",
        offered_on=dt.date.fromisoformat(t.offered_on), answered_on=_day(t.answered_on),
        reason=t.reason or "", discuss_by=_day(t.discuss_by), subject=subject,
    )


def list_transfers(session: Session) -> list[TransferView]:
    """Every transfer offered and received, newest first (coordinator's store)."""
    check_coordinator(session, "see transfers between panels")
    from app.storage import ref_queries

    with session.view() as conn:
        rows = store.all_transfers(conn)
        refs = ref_queries.case_refs(conn, [t.case_id for t in rows if t.case_id])
    return [_view(t, refs) for t in rows]


def _find(rows: list[TransferView], text: str) -> TransferView:
    wanted = text.strip().casefold()
    found = [t for t in rows if t.id == wanted] or (
        [t for t in rows if t.id.startswith(wanted)] if len(wanted) >= 8 else [])
    if len(found) != 1:
        raise NotFound("There is no such transfer (see “transfers” for their ids).")
    return found[0]


def preview(session: Session, transfer_id: str) -> tuple[TransferView, dict[str, Any]]:
    """A transfer received and what travelled with it (read-only); viewing is audited."""
    t = _find(list_transfers(session), transfer_id)
    with session.view() as conn:
        row = store.get(conn, t.id)
    if row is None or row.content is None:
        raise NotFound("That transfer carries no case history on this store (it was offered by "
                       "this panel).")
    with session.change() as w:
        w.record_event("view", "transfer", t.id)
    return t, row.content


def case_transfer(session: Session, case_id: str) -> TransferView | None:
    """A case's latest transfer (offered from it, or the one it was made from), or None; always
    None on a store other than the coordinator's."""
    if not session.workstation.is_hub:
        return None
    with session.view() as conn:
        rows = store.for_case(conn, case_id)
    return _view(rows[-1], {}) if rows else None


def case_transfer_note(session: Session, case_id: str) -> str:
    """What a case's screen says of its transfers: the latest one, or ""."""
    t = case_transfer(session, case_id)
    return t.text if t is not None else ""


def unanswered(session: Session) -> list[TransferView]:
    """Offers of ours not answered within ``UNANSWERED_WORKING_DAYS`` working days (dashboard)."""
    if not session.workstation.is_hub or session.me.role.value != "coordinator":
        return []
    today = session.today()
    return [t for t in list_transfers(session)
            if t.direction == "out" and t.state == "offered"
            and add_working_days(t.offered_on, tm.UNANSWERED_WORKING_DAYS) <= today]


@dataclass(frozen=True)
class ImportResult:
    """What importing a transfer file did: ``kind`` offer | accept | decline."""

    kind: str
    transfer: TransferView
    content: dict[str, Any] | None = None  # an offer: what travelled (the preview)
    answered: Answered | None = None  # an offer answered in the same import
    reply: ReplyApplied | None = None  # a reply to one of our offers
    already_received: bool = False  # an offer imported before and not yet answered
    # an offer: people this panel already holds who look like its subject (sentences)
    matches: tuple[str, ...] = ()


def import_file(session: Session, *, path: Path, accept: bool = False, decline: bool = False,
                reason: str = "", out: Path | None = None) -> ImportResult:
    """Verify a transfer file and apply it in one transaction, or reject it (``BundleRejected``)
    with the store unchanged. See the module's docstring."""
    check_coordinator(session, "import a transfer between panels", writes=True)
    if accept and decline:
        raise InvalidInput("Accept or decline, not both.")
    if (accept or decline) and out is None:
        raise InvalidInput("Say where to write the answer for the other panel (--out).")
    if decline and not reason.strip():
        raise InvalidInput("Give the reason for declining (--reason).")
    data = read_file(Path(path))
    files = FileOut()
    try:
        with session.change() as w:
            opened = open_file(session, w.conn, data)
            seen = store.file_digest(w.conn, opened.file_id)
            if seen is not None and seen != opened.digest:
                raise SecurityAlert("A different transfer file reuses this file's id: it was "
                                    "rejected as a possible security problem.")
            if opened.kind != "offer":
                if accept or decline:
                    raise InvalidInput("This file is the other panel's answer to an offer of "
                                       "ours: import it without --accept or --decline.")
                if seen is not None:
                    raise BundleRejected("This transfer file was already imported.")
                reply = apply_reply(session, w, opened)
                row = store.get(w.conn, opened.transfer_id)
                assert row is not None
                return ImportResult(opened.kind, _view(row, {}), reply=reply)
            row = store.get(w.conn, opened.transfer_id)
            again = row is not None
            if row is not None:
                if row.direction != "in" or row.partner_id != opened.partner.id or seen is None:
                    raise BundleRejected("This offer does not match the transfer of that id on "
                                         "this store: it was rejected.")
                if row.state != "received":
                    raise BundleRejected(f"This offer was already {row.state} on "
                                         f"{row.answered_on}: the file was rejected.")
            else:
                row = receive(session, w, opened)
            answered = None
            if accept:
                answered = _accept(session, w, row, out, files)
            elif decline:
                answered = _decline(session, w, row, reason, out, files)
            if again and answered is None:  # the history shown again: a view, audited
                w.record_event("view", "transfer", row.id)
            final = store.get(w.conn, row.id)
            assert final is not None
            result = ImportResult("offer", _view(final, {}), row.content, answered,
                                  already_received=again and answered is None)
    except BaseException:
        files.undo()
        raise
    if result.content is not None and result.answered is None:
        result = replace(result, matches=tuple(possible_matches(session, result.content)))
    return result


def _accept(session: Session, w: Any, row: store.TransferRow, out: Path | None,
            files: FileOut) -> Answered:
    assert out is not None
    return accept(session, w, row, out, files)


def _decline(session: Session, w: Any, row: store.TransferRow, reason: str, out: Path | None,
             files: FileOut) -> Answered:
    assert out is not None
    return decline(session, w, row, reason, out, files)


def _answer(session: Session, transfer_id: str, out: Path, *, reason: str | None) -> Answered:
    check_coordinator(session, "answer a transfer between panels", writes=True)
    t = _find(list_transfers(session), transfer_id)
    files = FileOut()
    try:
        with session.change() as w:
            row = store.get(w.conn, t.id)
            if row is None or row.direction != "in":
                raise NotFound("There is no such transfer offered to this panel.")
            if reason is None:
                return accept(session, w, row, out, files)
            return decline(session, w, row, reason, out, files)
    except BaseException:
        files.undo()
        raise


def accept_offer(session: Session, *, transfer_id: str, out: Path) -> Answered:
    """Accept an offer already imported: a new local case, the acceptance written to ``out``."""
    return _answer(session, transfer_id, out, reason=None)


def decline_offer(session: Session, *, transfer_id: str, reason: str, out: Path) -> Answered:
    """Decline an offer already imported, with a reason written back to ``out``."""
    return _answer(session, transfer_id, out, reason=reason)
