"""Meeting packs: one per member on the meeting's distribution, cut to what their agency may
see, numbered by copy; all of them written together or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from app.config.i18n import Language
from app.models import rules
from app.models.documents import (
    AttendeeLine,
    CasePaper,
    MeetingPackData,
    action_lines,
    number_agenda,
)
from app.models.domain import (
    LinkedPerson,
    Meeting,
    Member,
)
from app.models.enums import AgendaKind, MemberStatus, Role
from app.models.errors import (
    AppError,
    InvalidInput,
    NotFound,
    Refused,
)
from app.models.ids import AgencyId, MemberId
from app.models.programme import Programme
from app.reports.pack import render_meeting_pack
from app.services.context import Session
from app.services.documents import (
    Disclosure,
    PackRecipient,
    carried,
    check_folder,
    check_target,
    document_context,
    document_marking,
    meeting_facts,
    names_for,
    safe_file_name,
    write_audited,
)
from app.services.documents.minutes import build_minutes
from app.storage import visibility
from app.storage.document_queries import CaseFacts, MeetingFacts


class GenerationCancelled(AppError):
    default_message = "Cancelled: no pack was written."



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
    return _distribution(meeting_facts(session, meeting_id))



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
    ctx = document_context(session, document_marking(session, [f.case for f in visible.values()]), recipient)
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
        names=names_for(facts, visible),
        agenda=lines,
        previous_minutes=build_minutes(
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
    facts = meeting_facts(session, meeting_id)
    who = _recipient(session, facts, recipient)
    if copy_number is not None:
        who = replace(who, copy_number=copy_number)
    return _pack_data(session, facts, who)



def _pack_event(data: MeetingPackData, recipient: MemberId, extra: Iterable[str] = ()) -> Disclosure:
    """A pack's disclosure: its recipient (a bare member id, as packs always recorded it), its
    copy number, every case it names, and ``extra`` fields (``attachment:<id>`` of an appendix)."""
    copy = data.context.copy_number
    return ("disclosure-pack", "meeting", str(data.meeting.id),
            [str(recipient), *([f"copy:{copy}"] if copy is not None else []),
             *carried(data.names.cases), *extra])


def write_meeting_pack(
    session: Session, *, meeting_id: str, recipient: MemberId, out: Path,
    with_attachments: bool = False,
    language: Language = Language.EN,
) -> Path:
    target = check_target(out)
    data = meeting_pack_data(session, meeting_id=meeting_id, recipient=recipient)
    pdf, carried = _rendered(session, data, recipient, with_attachments, language)
    return write_audited(session, [(target, pdf, _pack_event(data, recipient, carried))])[0]


def _rendered(
    session: Session, data: MeetingPackData, recipient: MemberId, with_attachments: bool,
    language: Language = Language.EN,
) -> tuple[bytes, list[str]]:
    """The pack's PDF and the audit fields of the appendix: with ``with_attachments``, the
    attached documents the recipient may see appended (issue 16)."""
    pdf = render_meeting_pack(data, language=language)
    if not with_attachments:
        return pdf, []
    from app.services.pack_attachments import add_appendix

    pdf, ids = add_appendix(session, data, recipient, pdf)
    return pdf, [f"attachment:{a}" for a in ids]



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
    with_attachments: bool = False,
    language: Language = Language.EN,
) -> list[Path]:
    """One pack per member on the distribution (or the chosen ``recipients`` of it), all or none.

    ``progress(done, total)`` is called after each pack is rendered; ``cancelled()`` is asked
    before each one and ends the run with ``GenerationCancelled`` (nothing written)."""
    folder = check_folder(out_dir)
    facts = meeting_facts(session, meeting_id)
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
        data = _pack_data(session, facts, who)
        pdf, carried = _rendered(session, data, who.member_id, with_attachments, language)
        event = _pack_event(data, who.member_id, carried)
        files.append((folder / pack_file_name(facts.meeting, who), pdf, event))
        if progress is not None:
            progress(n + 1, len(chosen))
    if cancelled is not None and cancelled():
        raise GenerationCancelled()
    return write_audited(session, files)

