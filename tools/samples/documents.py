"""Fictional sample documents built from :mod:`tools.samples.data`: plan, minutes, pack, stats.

Job: whole inputs for each renderer, for screenshots, the benchmark and the tests. Invariants as in
``samples``: deterministic, invented, no I/O beyond the shipped programme definition. A pack is
shown as an education recipient would get it, so restricted police items are left out by default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from app.models.documents import (
    AgendaLine,
    AttendeeLine,
    DocumentContext,
    MeetingPackData,
    MinuteItem,
    MinutesData,
    Names,
    PlanData,
    StatisticsReportData,
    StatSeries,
    StatTable,
    action_lines,
    number_agenda,
)
from app.models.domain import AgendaItem, Meeting
from app.models.enums import AgendaKind, Attendance
from app.models.ids import AgendaItemId, MeetingId
from app.models.rules import suppress
from tools.samples.data import (
    AGENCIES,
    MEMBERS,
    TODAY,
    case_paper,
    context,
    member,
    names,
    plan_model,
    sid,
)


def sample_plan(*, approved: bool = True, ctx: DocumentContext | None = None) -> PlanData:
    paper, actions = case_paper(0)
    assert paper.plan is not None
    plan = plan_model(paper.case.id, actions, approved=approved)
    return PlanData(
        context=ctx or context(),
        subject=paper.subject,
        case=paper.case,
        plan=plan,
        actions=action_lines(actions, TODAY),
        names=names(),
    )


def attendees() -> tuple[AttendeeLine, ...]:
    out = []
    for k, (nm, ag) in MEMBERS.items():
        att = Attendance.APOLOGIES if k == "hou" else Attendance.PRESENT
        out.append(AttendeeLine(nm, AGENCIES[ag], att))
    return tuple(out)


def sample_minutes(*, n_cases: int = 3, ctx: DocumentContext | None = None) -> MinutesData:
    held = dt.date(2026, 2, 12)
    items = []
    for n in range(n_cases):
        paper, actions = case_paper(n)
        item = AgendaItem(
            id=AgendaItemId(sid("item", f"prev:{n}")),
            meeting_id=MeetingId(sid("meeting", "prev")),
            position=n + 1,
            kind=AgendaKind.REVIEW,
            case_id=paper.case.id,
            discussion="Members discussed progress. DISCUSSIONTOKEN Education reported better "
            "attendance; police have no new concerns; family remain supportive.",
            decision="Case to remain open with the current plan; review in four weeks.",
            rationale="Progress is real but recent; protective factors need time to take hold.",
            dissent="Health would have preferred a referral to specialist services now."
            if n == 1
            else "",
            method="consensus" if n != 1 else "majority",
        )
        items.append(
            MinuteItem(
                item=item,
                case_ref=paper.case.ref,
                subject_name=paper.subject.display_name,
                actions_raised=action_lines(actions[:2], TODAY),
            )
        )
    items.append(
        MinuteItem(
            item=AgendaItem(
                id=AgendaItemId(sid("item", "prev:aob")),
                meeting_id=MeetingId(sid("meeting", "prev")),
                position=99,
                kind=AgendaKind.OTHER,
                case_id=None,
                title="Training dates",
                discussion="Coordinator to circulate dates for the spring training.",
                decision="Noted.",
            )
        )
    )
    meeting = Meeting(
        id=MeetingId(sid("meeting", "prev")),
        held_on=held,
        time="10:00–12:30",
        venue="Room 2.14, Civic Centre",
        chair=member("chair"),
        status="held",
    )
    return MinutesData(
        context=ctx or context(),
        meeting=meeting,
        names=names(),
        attendees=attendees(),
        items=tuple(items),
        next_meeting=TODAY,
    )


def sample_pack(
    n_cases: int = 3, *, with_restricted: bool = False, ctx: DocumentContext | None = None
) -> MeetingPackData:
    """A pack as an education recipient sees it: restricted police items left out by default."""
    nm = names()
    papers, items, log = [], [], []
    meeting_id = MeetingId(sid("meeting", "now"))
    for n in range(n_cases):
        paper, _ = case_paper(n, with_restricted=with_restricted)
        papers.append(paper)
        items.append(
            AgendaItem(
                id=AgendaItemId(sid("item", n)),
                meeting_id=meeting_id,
                position=n + 1,
                kind=paper.agenda_kind or AgendaKind.REVIEW,
                case_id=paper.case.id,
            )
        )
        log += [line for line in paper.actions if not line.action.status.is_closed]
    items.append(
        AgendaItem(
            id=AgendaItemId(sid("item", "aob")),
            meeting_id=meeting_id,
            position=999,
            kind=AgendaKind.OTHER,
            case_id=None,
            title="Panel terms of reference: annual review",
        )
    )
    cases: dict[str, str] = {p.case.id: f"{p.case.ref}  {p.subject.display_name}" for p in papers}
    nm = Names(members=nm.members, agencies=nm.agencies, cases=cases)
    meeting = Meeting(
        id=meeting_id,
        held_on=TODAY,
        time="10:00–13:00",
        venue="Room 2.14, Civic Centre, Northvale",
        chair=member("chair"),
        agenda=tuple(items),
    )
    c = ctx or context()
    lines = number_agenda(items)
    numbers = {line.item.case_id: line.number for line in lines if line.item and line.item.case_id}
    return MeetingPackData(
        context=c,
        meeting=meeting,
        names=nm,
        agenda=lines,
        previous_minutes=sample_minutes(n_cases=min(n_cases, 3)),
        action_log=tuple(log[:12]),
        case_papers=tuple(replace(p, agenda_number=numbers.get(p.case.id)) for p in papers),
        attendance=tuple(a for a in attendees()),
        confidentiality_statement=c.programme.confidentiality_statement,
    )


def sample_pack_copies(n_cases: int = 4) -> tuple[MeetingPackData, MeetingPackData]:
    """One meeting's pack for two recipients: the chair's copy (complete) and a housing
    officer's, from which the cases at items 2 and 4 are withheld: their numbers stay, with
    "Not shared with your agency" and nothing else (as ``services.documents`` cuts a copy)."""
    chair = sample_pack(
        n_cases, ctx=context(recipient=MEMBERS["chair"][0], recipient_agency=AGENCIES["la"], copy=1)
    )
    hidden = {
        line.item.case_id for line in chair.agenda if line.item and line.number in (2, 4)
    }
    agenda = tuple(
        AgendaLine(line.number, None) if line.item and line.item.case_id in hidden else line
        for line in chair.agenda
    )
    housing = replace(
        chair,
        context=context(recipient=MEMBERS["hou"][0], recipient_agency=AGENCIES["housing"], copy=7),
        meeting=replace(chair.meeting, agenda=tuple(line.item for line in agenda if line.item)),
        names=replace(
            chair.names, cases={k: v for k, v in chair.names.cases.items() if k not in hidden}
        ),
        agenda=agenda,
        action_log=tuple(a for a in chair.action_log if a.action.case_id not in hidden),
        case_papers=tuple(p for p in chair.case_papers if p.case.id not in hidden),
        previous_minutes=None,
    )
    return replace(chair, previous_minutes=None), housing


def sample_statistics(ctx: DocumentContext | None = None) -> StatisticsReportData:
    months = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    refs = [14, 11, 9, 3, 6, 17, 19, 15, 8, 12, 16, 10]
    sectors = {
        "Education": 52,
        "Police": 31,
        "Health": 18,
        "Local authority": 22,
        "Community": 4,
        "Prisons and probation": 7,
        "Other": 2,
    }
    concerns = {
        "Extreme right-wing": 41,
        "Islamist": 28,
        "No clear ideology": 39,
        "Conflicted": 12,
        "School massacre": 3,
        "Left-wing, anarchist or single-issue": 6,
        "Other": 0,
    }
    return StatisticsReportData(
        context=ctx or context(recipient="", recipient_agency="", copy=None),
        title="Panel statistics",
        period_label="1 April 2025 to 31 March 2026",
        tables=(
            StatTable(
                "Referrals by sector",
                tuple((k, suppress(v)) for k, v in sectors.items()),
                label_heading="Referring sector",
            ),
            StatTable(
                "Referrals by type of concern",
                tuple((k, suppress(v)) for k, v in concerns.items()),
                label_heading="Type of concern",
            ),
            StatTable(
                "Outcomes",
                (
                    ("Screened", "136"),
                    ("Discussed at panel", "61"),
                    ("Adopted", "38"),
                    ("Exited", "22"),
                ),
            ),
        ),
        series=(
            StatSeries(
                "Referrals by month",
                tuple((m, None if 0 < v < 5 else v) for m, v in zip(months, refs, strict=True)),
            ),
            StatSeries(
                "Referrals by sector",
                tuple((k, None if 0 < v < 5 else v) for k, v in sectors.items()),
            ),
        ),
        notes=(
            "Figures are for cases opened in the period; a person referred twice counts twice.",
        ),
    )
