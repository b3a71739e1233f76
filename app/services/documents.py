"""Printed documents from the store: meeting packs (one per recipient), plans and minutes.

Job: gather the plain input of ``app.models.documents`` from the store, apply need-to-know for
the recipient, render it with ``app.reports``, write the PDF with ``write_file_atomic`` and record
each document in the audit log as a disclosure (what, to whom, when).

Invariants:
- Need-to-know is applied here, *before* layout. A pack for a member of agency A holds only the
  agenda cases A may see (``rules.agency_may_see_case`` with ``is_hub=False``, whatever the
  printing store is) and only the contributions A may see. Agenda items, minutes and actions about
  any other case are left out entirely, and so are those cases' refs and subjects' names (they are
  never put in ``Names``). The executive summary of minutes gets no subject names, discussion,
  rationale or dissent at all.
- Every refusal (unknown meeting, member or case; empty agenda; recipient not on the distribution;
  no plan yet; an output path that cannot be written) is raised before anything is rendered or
  written: no file, no audit entry, the store unchanged.
- A document is audited in the same transaction that writes its file, after the file is written;
  if that transaction fails the file is removed, so a file on disk always has its disclosure.
- ``write_all_packs`` is all or nothing: every pack is rendered in memory first (with progress and
  cancellation), then all files are written and audited in one transaction; any failure removes
  the files already written (a file of the same name that was there before is then gone too).
- No Qt and no SQL here: the store is read through ``app.storage.repo``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.models import rules
from app.models.documents import (
    AttendeeLine,
    CasePaper,
    DocumentContext,
    MeetingPackData,
    MinuteItem,
    MinutesData,
    Names,
    PlanData,
    action_lines,
    number_agenda,
)
from app.models.domain import (
    Case,
    LinkedPerson,
    Meeting,
    Member,
)
from app.models.enums import AgendaKind, Marking, MemberStatus, Role
from app.models.errors import (
    Ambiguous,
    AppError,
    FileWriteError,
    InvalidInput,
    NotFound,
    Refused,
)
from app.models.ids import AgencyId, CaseId, MeetingId, MemberId
from app.models.programme import Programme
from app.reports.minutes import render_minutes
from app.reports.pack import render_meeting_pack
from app.reports.plan import render_plan
from app.services import members as members_svc
from app.services.cases import case_reach
from app.services.context import Session
from app.services.panel import get_settings
from app.storage import document_queries as queries
from app.storage import repo, visibility
from app.storage.document_queries import CaseFacts, MeetingFacts
from app.storage.files import write_file_atomic

MAX_NAME_IN_FILE = 60
_MARKING_ORDER = (Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE, Marking.SECRET)


class GenerationCancelled(AppError):
    default_message = "Cancelled: no pack was written."


@dataclass(frozen=True)
class PackRecipient:
    """One member on a meeting's distribution, with the copy number their pack carries."""

    member_id: MemberId
    name: str
    agency: str
    copy_number: int


# --- reading ---------------------------------------------------------------------------------


def _store_may_see(session: Session, case: Case, reach: rules.Reach | None) -> bool:
    also = reach.cases if reach is not None else frozenset()
    return rules.agency_may_see_case(case, session.agency.id, is_hub=reach is None, also=also)


def _facts(session: Session, meeting_id: str) -> MeetingFacts:
    """The meeting's facts, holding only the cases this store may show."""
    with session.view() as conn:
        facts = queries.meeting_facts(conn, meeting_id)
        reach = case_reach(session, conn)
    if facts is None:
        raise NotFound("There is no such meeting.")
    if not facts.meeting.agenda:
        raise InvalidInput("That meeting has no agenda yet: add cases or other business first.")
    cases = {c: f for c, f in facts.cases.items() if _store_may_see(session, f.case, reach)}
    return replace(facts, cases=cases)


def _distribution(facts: MeetingFacts) -> list[PackRecipient]:
    """Active members on the distribution in copy order (agency, then name)."""
    people = [
        facts.members[m]
        for m in facts.meeting.distribution
        if m in facts.members and facts.members[m].status is MemberStatus.ACTIVE
    ]

    def agency(m: Member) -> str:
        a = facts.agencies.get(m.agency_id)
        return a.name if a else ""

    people.sort(key=lambda m: (agency(m).casefold(), m.name.casefold(), m.id))
    return [PackRecipient(m.id, m.name, agency(m), n) for n, m in enumerate(people, start=1)]


def pack_recipients(session: Session, *, meeting_id: str) -> list[PackRecipient]:
    """Who a pack may be made for (the meeting's active distribution), with copy numbers."""
    return _distribution(_facts(session, meeting_id))


# --- building the documents' data ------------------------------------------------------------


def _context(
    session: Session, marking: Marking, recipient: PackRecipient | None = None
) -> DocumentContext:
    return DocumentContext(
        panel_name=session.workstation.panel_name,
        marking=marking,
        author=session.me.name,
        recipient_name=recipient.name if recipient else "",
        recipient_agency=recipient.agency if recipient else "",
        copy_number=recipient.copy_number if recipient else None,
        generated_at=dt.datetime.now().astimezone().replace(microsecond=0),
        programme=session.programme,
    )


def _marking(session: Session, cases: Sequence[Case]) -> Marking:
    """The panel's default marking, raised to the highest marking of any case shown."""
    levels = [get_settings(session).default_marking, *(c.marking for c in cases)]
    return max(levels, key=_MARKING_ORDER.index)


def _names(facts: MeetingFacts, cases: dict[CaseId, CaseFacts]) -> Names:
    return Names(
        members={m.id: m.name for m in facts.members.values()},
        agencies={a.id: a.name for a in facts.agencies.values()},
        cases={cid: f"{f.case.ref}  {f.subject.display_name}" for cid, f in cases.items()},
    )


def _paper(
    session: Session,
    f: CaseFacts,
    kind: AgendaKind,
    agency: AgencyId,
    since: dt.date | None,
    today: dt.date,
) -> CasePaper:
    seen = rules.visible_contributions(f.contributions, agency)
    return CasePaper(
        subject=f.subject,
        case=f.case,
        referral=f.referral,
        assessment=f.assessments[-1] if f.assessments else None,
        previous_assessment=f.assessments[-2] if len(f.assessments) > 1 else None,
        risk_history=tuple((a.assessed_on, a.risk_level) for a in f.assessments),
        plan=f.plan,
        actions=action_lines(f.actions, today),
        new_contributions=tuple(c for c in seen if since is None or c.recorded_on > since),
        consent=f.consent,
        agenda_kind=kind,
        case_fields=rules.current_case_fields(session.programme, f.assessments),
        linked_people=_linked(session.programme, f.linked_people),
    )


def _linked(prog: Programme, found: Sequence[LinkedPerson]) -> tuple[tuple[str, LinkedPerson], ...]:
    """The case's linked people in the programme's role order, each with its role's label."""
    order = {r.id: (i, r.label) for i, r in enumerate(prog.linked_roles)}
    ranked = sorted(found, key=lambda p: (order.get(p.role, (len(order), ""))[0], p.surname.casefold()))
    return tuple((order.get(p.role, (0, p.role))[1], p) for p in ranked)


def _minutes_data(
    session: Session,
    facts: MeetingFacts,
    meeting: Meeting,
    cases: dict[CaseId, CaseFacts],
    ctx: DocumentContext,
    *,
    next_date: dt.date | None,
    summary: bool = False,
) -> MinutesData:
    """Minutes holding only the items about ``cases`` (and other business), numbered as the
    meeting numbers them; the numbers of the other items are kept as withheld."""
    today = session.today()
    items: list[MinuteItem] = []
    lines = number_agenda(meeting.agenda, lambda i: i.case_id is None or i.case_id in cases)
    shown = [line.item for line in lines if line.item is not None]
    for line in lines:
        item = line.item
        if item is None:
            continue
        f = cases.get(item.case_id) if item.case_id else None
        raised = [a for a in f.actions if a.meeting_id == meeting.id] if f else []
        if summary:  # for people outside the panel: not even in the data
            item = replace(item, discussion="", rationale="", dissent="")
        items.append(
            MinuteItem(
                item=item,
                case_ref=f.case.ref if f else "",
                subject_name=f.subject.display_name if f and not summary else "",
                actions_raised=action_lines(raised, today),
                number=line.number,
            )
        )
    agencies = {a.id: a.name for a in facts.agencies.values()}
    attendees = tuple(
        AttendeeLine(m.name, agencies.get(m.agency_id, ""), a.attendance, a.confidentiality_agreed)
        for a in meeting.attendees
        if (m := facts.members.get(a.member_id)) is not None
    )
    names = _names(facts, {} if summary else cases)
    return MinutesData(
        context=ctx,
        meeting=replace(meeting, agenda=tuple(shown)),
        names=names,
        attendees=attendees,
        items=tuple(items),
        next_meeting=next_date,
        withheld=tuple(line.number for line in lines if line.item is None),
    )


def _pack_data(session: Session, facts: MeetingFacts, recipient: PackRecipient) -> MeetingPackData:
    member = facts.members[recipient.member_id]
    agency = member.agency_id
    with session.view() as conn:  # the cases the chair rule gives the recipient (a chair)
        also = visibility.chair_cases(
            conn, session.programme.chair, member_id=member.id, role=member.role.value
        )
    visible = {
        cid: f
        for cid, f in facts.cases.items()
        if rules.agency_may_see_case(f.case, agency, is_hub=False, also=also)
    }
    lines = number_agenda(
        facts.meeting.agenda, lambda i: i.case_id is None or i.case_id in visible
    )
    items = tuple(line.item for line in lines if line.item is not None)
    ctx = _context(session, _marking(session, [f.case for f in visible.values()]), recipient)
    today = session.today()
    prev = facts.previous
    since = prev.held_on if prev else None
    papers = tuple(
        replace(
            _paper(session, visible[line.item.case_id], line.item.kind, agency, since, today),
            agenda_number=line.number,
        )
        for line in lines
        if line.item is not None and line.item.case_id
    )
    log = [
        a
        for f in visible.values()
        for a in f.actions
        if not a.status.is_closed
        or (prev is not None and a.meeting_id == prev.id)
        or (since is not None and a.completed_on is not None and a.completed_on >= since)
    ]
    dist = _distribution(facts)
    return MeetingPackData(
        context=ctx,
        meeting=replace(facts.meeting, agenda=items),
        names=_names(facts, visible),
        agenda=lines,
        previous_minutes=_minutes_data(
            session, facts, prev, visible, ctx, next_date=facts.meeting.held_on
        )
        if prev
        else None,
        action_log=action_lines(log, today),
        case_papers=papers,
        attendance=tuple(AttendeeLine(r.name, r.agency) for r in dist),
        confidentiality_statement=ctx.programme.confidentiality_statement,
    )


def _recipient(session: Session, facts: MeetingFacts, recipient: str) -> PackRecipient:
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="produce meeting packs")
    if recipient not in facts.members:
        raise NotFound("There is no such member on this panel.")
    if facts.members[MemberId(recipient)].status is not MemberStatus.ACTIVE:
        raise Refused("That member's access has been revoked: no pack may be made for them.")
    for r in _distribution(facts):
        if r.member_id == recipient:
            return r
    raise Refused("That member is not on the meeting's distribution list: no pack may be made.")


def meeting_pack_data(
    session: Session, *, meeting_id: str, recipient: MemberId, copy_number: int | None = None
) -> MeetingPackData:
    """The pack for one recipient, cut to what their agency may see.

    ``copy_number`` defaults to the recipient's place in the distribution (as ``write_all_packs``
    numbers them)."""
    facts = _facts(session, meeting_id)
    who = _recipient(session, facts, recipient)
    if copy_number is not None:
        who = replace(who, copy_number=copy_number)
    return _pack_data(session, facts, who)


# --- writing ---------------------------------------------------------------------------------


def _check_target(out: Path) -> Path:
    out = Path(out).expanduser().absolute()
    if out.is_dir():
        raise FileWriteError(f"{out} is a folder, not a file.")
    _check_folder(out.parent)
    return out


def _check_folder(folder: Path) -> Path:
    folder = Path(folder).expanduser().absolute()
    if not folder.is_dir():
        raise FileWriteError(f"The folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileWriteError(f"Roundtable may not write in {folder}.")
    return folder


Disclosure = tuple[str, str, str, list[str]]  # action, entity, record id, fields


def _write_audited(session: Session, files: Sequence[tuple[Path, bytes, Disclosure]]) -> list[Path]:
    """Write every file and record its disclosure in one transaction; on failure remove them."""
    written: list[Path] = []
    try:
        with session.change() as w:
            for path, pdf, (action, entity, record_id, fields) in files:
                written.append(write_file_atomic(path, pdf))
                w.record_event(action, entity, record_id, fields)
    except BaseException:
        for p in written:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    return written


def write_meeting_pack(
    session: Session, *, meeting_id: str, recipient: MemberId, out: Path
) -> Path:
    target = _check_target(out)
    data = meeting_pack_data(session, meeting_id=meeting_id, recipient=recipient)
    pdf = render_meeting_pack(data)
    event = ("disclosure-pack", "meeting", str(data.meeting.id), [str(recipient)])
    return _write_audited(session, [(target, pdf, event)])[0]


def safe_file_name(text: str, *, limit: int = MAX_NAME_IN_FILE) -> str:
    """A person's name made safe as part of a file name on any system."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else " " for ch in text
    )
    text = re.sub(r'[\\/:*?"<>|]+', "_", text)
    text = re.sub(r"\s+", " ", text).strip().lstrip(". _-").rstrip(". ")
    return text[:limit].rstrip(". ") or "recipient"


def pack_file_name(meeting: Meeting, recipient: PackRecipient) -> str:
    return (
        f"{meeting.held_on.isoformat()} pack {recipient.copy_number:02d} "
        f"{safe_file_name(recipient.name)}.pdf"
    )


def write_all_packs(
    session: Session,
    *,
    meeting_id: str,
    out_dir: Path,
    recipients: Sequence[MemberId] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """One pack per member on the distribution (or the chosen ``recipients`` of it), all or none.

    ``progress(done, total)`` is called after each pack is rendered; ``cancelled()`` is asked
    before each one and ends the run with ``GenerationCancelled`` (nothing written)."""
    folder = _check_folder(out_dir)
    facts = _facts(session, meeting_id)
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="produce meeting packs")
    chosen = _distribution(facts)
    if recipients is not None:
        wanted = list(dict.fromkeys(recipients))
        chosen = [_recipient(session, facts, r) for r in wanted]
    if not chosen:
        raise InvalidInput("Nobody is on the meeting's distribution list.")
    files: list[tuple[Path, bytes, Disclosure]] = []
    for n, who in enumerate(chosen):
        if cancelled is not None and cancelled():
            raise GenerationCancelled()
        pdf = render_meeting_pack(_pack_data(session, facts, who))
        event = ("disclosure-pack", "meeting", str(facts.meeting.id), [str(who.member_id)])
        files.append((folder / pack_file_name(facts.meeting, who), pdf, event))
        if progress is not None:
            progress(n + 1, len(chosen))
    if cancelled is not None and cancelled():
        raise GenerationCancelled()
    return _write_audited(session, files)


def plan_data(session: Session, *, case_id: str) -> PlanData:
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None or not _store_may_see(session, case, case_reach(session, conn)):
            raise NotFound("There is no case with that id on this store.")
        f = queries.case_facts(conn, case)
        members = {str(m.id): m.name for m in repo.members(conn)}
        agencies = {str(a.id): a.name for a in repo.agencies(conn)}
    if f is None:
        raise NotFound("The case's subject record is missing.")
    if f.plan is None:
        raise InvalidInput("That case has no plan yet: there is nothing to print.")
    return PlanData(
        context=_context(session, _marking(session, [case])),
        subject=f.subject,
        case=case,
        plan=f.plan,
        actions=action_lines(f.actions, session.today()),
        names=Names(members=members, agencies=agencies, cases={str(case.id): case.ref}),
        case_fields=rules.current_case_fields(session.programme, f.assessments),
    )


def write_plan(session: Session, *, case_id: str, out: Path) -> Path:
    target = _check_target(out)
    data = plan_data(session, case_id=case_id)
    pdf = render_plan(data)
    event = ("disclosure-plan", "case", str(data.case.id), [str(data.plan.id)])
    return _write_audited(session, [(target, pdf, event)])[0]


def minutes_data(session: Session, *, meeting_id: str, summary: bool = False) -> MinutesData:
    facts = _facts(session, meeting_id)
    if facts.meeting.status == "cancelled":
        raise InvalidInput("That meeting was cancelled: it has no minutes.")
    cases = {
        cid: f
        for cid, f in facts.cases.items()
        if any(i.case_id == cid for i in facts.meeting.agenda)
    }
    ctx = _context(session, _marking(session, [f.case for f in cases.values()]))
    return _minutes_data(
        session, facts, facts.meeting, cases, ctx, next_date=facts.next_date, summary=summary
    )


def write_minutes(session: Session, *, meeting_id: str, out: Path, summary: bool = False) -> Path:
    target = _check_target(out)
    data = minutes_data(session, meeting_id=meeting_id, summary=summary)
    pdf = render_minutes(data, summary=summary)
    what = "disclosure-minutes-summary" if summary else "disclosure-minutes"
    return _write_audited(session, [(target, pdf, (what, "meeting", data.meeting.id, []))])[0]


def resolve_meeting(session: Session, text: str) -> MeetingId:
    """A meeting by id or by an unambiguous prefix of 8 or more characters."""
    text = text.strip().lower()
    with session.view() as conn:
        ids = queries.meeting_ids(conn)
    found = [i for i in ids if i == text or (len(text) >= 8 and i.startswith(text))]
    if not found:
        raise NotFound("There is no such meeting.")
    if len(found) > 1:
        raise Ambiguous("That matches more than one meeting; give more of its id.")
    return MeetingId(found[0])


def resolve_member(session: Session, text: str) -> MemberId:
    """A pack's recipient, named as every command names a member (``services.members``)."""
    return members_svc.resolve_member(session, text).id
