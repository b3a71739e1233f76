"""The receiving panel: an offer imported is kept (read-only) until the coordinator accepts or
declines it, once.

Accepting opens a new local case (a new ref; the referrer "Transferred in from PANEL, ref RT-…")
at the programme's first status, keeps the history that travelled attached to it read-only (the
transfer's ``content``), puts it on the agenda of the next meeting planned within the programme's
``transfer.in_working_days`` (or says by when one is needed) and writes the signed acceptance
back. Declining writes the signed decline with its reason. Both are audited as disclosures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.models import transfer as tm
from app.models.domain import Identifier
from app.models.enums import AgendaKind
from app.models.errors import BundleRejected, InvalidInput
from app.models.fieldrules import check_text, field_limit
from app.models.referral_input import ReferralInput, SubjectInput
from app.models.rules import add_working_days
from app.services import linked_people
from app.services.cases import referrals
from app.services.context import Session
from app.services.transfer.common import FileOut, now_iso
from app.services.transfer.content import check_content
from app.services.transfer.files import Opened, digest_of, seal
from app.storage import meeting_queries, repo
from app.storage import partners as partner_store
from app.storage import transfers as store
from app.storage.writer import Writer


def receive(session: Session, w: Writer, opened: Opened) -> store.TransferRow:
    """Keep a new offer (its content checked), audited; nothing else changes."""
    body = tm.record(opened.body, "offer", frozenset({"case"}))
    try:
        content = check_content(body["case"])
    except InvalidInput as exc:
        raise BundleRejected(exc.user_message) from exc
    row = store.TransferRow(
        id=opened.transfer_id, direction="in", partner_id=opened.partner.id,
        partner_name=opened.partner.name, state="received", case_id=None,
        case_ref=content["ref"], their_ref=None,
        offered_on=opened.sent_on or session.today().isoformat(), answered_on=None, reason=None,
        discuss_by=None, content=content)
    store.add(w.conn, row)
    store.add_file(w.conn, file_id=opened.file_id, transfer_id=row.id, kind="offer",
                   direction="received", digest=opened.digest, at=now_iso())
    w.record_event("transfer-offer-received", "transfer", row.id,
                   [f"from-panel:{opened.partner.id}", f"file:{opened.file_id}"])
    return row


@dataclass(frozen=True)
class Answered:
    transfer_id: str
    accepted: bool
    path: Path
    case_id: str = ""  # the new local case (accepted)
    case_ref: str = ""
    discuss_by: dt.date | None = None
    meeting_on: dt.date | None = None  # the meeting it was put to, if one is planned in time
    reason: str = ""


def _partner(w: Writer, t: store.TransferRow) -> Any:
    p = partner_store.get(w.conn, t.partner_id)
    if p is None:
        raise InvalidInput("The panel that offered this case is no longer a partner.")
    return p


def _subject(s: dict[str, Any]) -> SubjectInput:
    dob = s["date_of_birth"]
    return SubjectInput(
        forenames=s["forenames"], surname=s["surname"],
        date_of_birth=dt.date.fromisoformat(dob) if dob else None,
        aliases=tuple(s["aliases"]), gender=s["gender"], ethnicity=s["ethnicity"],
        address=s["address"], postcode=s["postcode"], area=s["area"],
        identifiers=tuple(Identifier(i["kind"], i["value"]) for i in s["identifiers"]),
        vulnerabilities=s["vulnerabilities"],
    )


def possible_matches(session: Session, content: dict[str, Any]) -> list[str]:
    """People this panel already holds who look like the offered case's subject (the referral
    screen's rule), as sentences for the preview: the coordinator knows before accepting."""
    found = referrals.find_matching_subjects(session, _subject(content["subject"]))
    return [f"This panel already holds a person matching by {m.reason}"
            + (f": {', '.join(m.case_refs)}" if m.case_refs else "") for m in found]


def transferred_in_line(panel: str, ref: str) -> str:
    return f"Transferred in from {panel}, ref {ref}"


def accept(session: Session, w: Writer, t: store.TransferRow, out: Path, files: FileOut) -> Answered:
    if t.direction != "in" or t.state != "received" or t.content is None:
        raise InvalidInput(f"This transfer was already {t.state}.")
    prog = session.programme
    partner = _partner(w, t)
    today = session.today()
    content = t.content
    ref0 = content.get("referral") or {}
    line = transferred_in_line(t.partner_name, t.case_ref)
    sector = ref0.get("sector", "")
    concern = ref0.get("concern", "")
    referral = ReferralInput(
        received=today,
        referrer=line[: field_limit("referral", "referrer")],
        sector=sector if prog.sector(sector) else prog.sectors[0].id,
        concern=concern if prog.concern(concern) else prog.concerns[0].id,
        narrative=(ref0.get("narrative") or "").strip() or line,
    )
    case_id = referrals.open_referral_in(session, w, subject=_subject(content["subject"]),
                                     referral=referral)
    case = repo.get_case(w.conn, case_id)
    assert case is not None
    _link_people(session, w, case_id, content["linked_people"])
    discuss_by = add_working_days(today, prog.transfer.in_working_days)
    meeting_on = _propose_for_meeting(w, case_id, today, discuss_by)
    store.set_fields(w.conn, t.id, state="accepted", case_id=case_id, answered_on=today.isoformat(),
                     discuss_by=discuss_by.isoformat())
    file_id, data = seal(session, partner, "accept", t.id,
                         {"ref": case.ref, "discuss_by": discuss_by.isoformat()})
    store.add_file(w.conn, file_id=file_id, transfer_id=t.id, kind="accept", direction="sent",
                   digest=digest_of(data), at=now_iso())
    w.record_event("disclosure-transfer-accept", "case", case_id,
                   [f"to-panel:{partner.id}", f"transfer:{t.id}", f"file:{file_id}"])
    path = files.write(out, data)
    return Answered(t.id, True, path, case_id, case.ref, discuss_by, meeting_on)


def _link_people(session: Session, w: Writer, case_id: str, linked: list[dict[str, Any]]) -> None:
    """The people linked to the case at the sender (the programme's linked roles: a person causing
    harm, the children in the household), linked to the new case too, so the repeat and duplicate
    checks see them. A role this programme does not know stays in the history only."""
    roles = {r.id for r in session.programme.linked_roles}
    for p in linked:
        if p["role"] not in roles:
            continue
        dob = p["date_of_birth"]
        linked_people.add_person_in(session, w, case_id=case_id, role=p["role"], person=linked_people.PersonInput(
            forenames=p["forenames"], surname=p["surname"],
            date_of_birth=dt.date.fromisoformat(dob) if dob else None, aliases=tuple(p["aliases"]),
            gender=p["gender"],
            identifiers=tuple(Identifier(i["kind"], i["value"]) for i in p["identifiers"]),
            notes=p["notes"]))


def _propose_for_meeting(w: Writer, case_id: str, today: dt.date, by: dt.date) -> dt.date | None:
    """Put the case on the agenda of the first meeting planned from today to ``by``, if any."""
    planned = sorted((m for m in meeting_queries.meetings(w.conn)
                      if m.status == "scheduled" and today <= m.held_on <= by),
                     key=lambda m: (m.held_on, m.time))
    if not planned:
        return None
    m = planned[0]
    pos = max((i.position for i in m.agenda), default=0) + 1
    w.create("agenda_item", {
        "meeting_id": m.id, "position": pos, "kind": AgendaKind.NEW_REFERRAL, "case_id": case_id,
        "title": "", "discussion": "", "decision": "", "rationale": "", "dissent": "",
        "method": "",
    })
    return m.held_on


def decline(session: Session, w: Writer, t: store.TransferRow, reason: str, out: Path,
            files: FileOut) -> Answered:
    if t.direction != "in" or t.state != "received":
        raise InvalidInput(f"This transfer was already {t.state}.")
    reason = check_text(reason, "The reason for declining", required=True,
                              limit=tm.MAX_REASON)
    partner = _partner(w, t)
    store.set_fields(w.conn, t.id, state="declined", reason=reason,
                     answered_on=session.today().isoformat())
    file_id, data = seal(session, partner, "decline", t.id, {"reason": reason})
    store.add_file(w.conn, file_id=file_id, transfer_id=t.id, kind="decline", direction="sent",
                   digest=digest_of(data), at=now_iso())
    w.record_event("disclosure-transfer-decline", "transfer", t.id,
                   [f"to-panel:{partner.id}", f"file:{file_id}"])
    path = files.write(out, data)
    return Answered(t.id, False, path, reason=reason)


__all__ = ["Answered", "accept", "decline", "possible_matches", "receive", "transferred_in_line"]
