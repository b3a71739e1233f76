"""Fictional sample data for the documents: screenshots, the benchmark and the tests' factory.

Job: build realistic, entirely invented inputs (people, agencies, narratives) with the names a real
panel meets (Łukasz, Zoë, Siobhán Ó Súilleabháin, Nguyễn Thị Ngọc Ánh, Llŷr). Invariants: pure and
deterministic (fixed dates, ids derived from counters), no I/O beyond reading the shipped programme
definition; nothing here is real case data.
"""

from __future__ import annotations

import datetime as dt
import uuid

from app.config.programmes import DEFAULT_PROGRAMME, load_programme
from app.models.documents import (
    CasePaper,
    DocumentContext,
    Names,
    action_lines,
)
from app.models.domain import (
    Action,
    Assessment,
    Case,
    ConsentRecord,
    Contribution,
    FactorRating,
    Objective,
    Plan,
    Referral,
    RiskStatement,
    Subject,
)
from app.models.enums import ActionStatus, AgendaKind, ConsentState, Marking
from app.models.ids import (
    ActionId,
    AgencyId,
    AssessmentId,
    CaseId,
    ConsentId,
    ContributionId,
    MemberId,
    PlanId,
    ReferralId,
    SubjectId,
)

TODAY = dt.date(2026, 3, 12)
GENERATED = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)


def sid(kind: str, n: object) -> str:
    """A stable UUID-shaped id, so sample documents are byte-for-byte repeatable."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"roundtable-sample:{kind}:{n}"))


AGENCIES = {
    "police": "Police",
    "ctp": "Counter Terrorism Policing",
    "probation": "Probation Service",
    "health": "NHS Mental Health Trust",
    "childrens": "Children's Social Care",
    "education": "Education Safeguarding",
    "housing": "Housing Services",
    "la": "Local Authority (Prevent)",
}
MEMBERS = {  # key: (name, agency key)
    "chair": ("Margaret Okonkwo-Hale", "la"),
    "coord": ("Zoë Price-Davies", "la"),
    "pc": ("DS Llŷr Hughes", "police"),
    "ctp": ("DC Aisha Rahman", "ctp"),
    "prob": ("Tomasz Wiśniewski", "probation"),
    "nhs": ("Dr Siân Ó Briain", "health"),
    "csc": ("Grace Mensah", "childrens"),
    "edu": ("Pádraig Kelly", "education"),
    "hou": ("Hannah Lindqvist", "housing"),
}
PEOPLE = [
    (
        "Łukasz",
        "Nowak",
        ("Luke Novak",),
        dt.date(2008, 6, 2),
        "Male",
        "education",
        "extreme-right-wing",
    ),
    ("Siobhán", "Ó Súilleabháin", (), dt.date(1999, 11, 23), "Female", "health", "conflicted"),
    (
        "Nguyễn Thị Ngọc",
        "Ánh",
        ("Anh Nguyen",),
        dt.date(2004, 2, 14),
        "Female",
        "community",
        "no-clear-ideology",
    ),
    ("Dafydd", "ap Gwŷn", (), dt.date(1987, 8, 9), "Male", "prisons-probation", "islamist"),
]
NARRATIVES = [
    "Tutor reports that over the last term the student has shared memes glorifying a recent "
    "overseas attack and has been overheard telling classmates that 'people like us' need to "
    "fight back. Attendance has fallen to 71%.\n\nParents are engaged and worried; they report "
    "long hours online at night and a new group of online contacts.",
    "Community mental health team report increasing preoccupation with conspiracy material and "
    "a stated wish to 'make them pay'. No known access to weapons. Lives alone since a recent "
    "bereavement.",
    "Referred by a youth worker after comments at a drop-in session expressing admiration for a "
    "school attacker. No clear ideology; appears isolated and bullied.",
    "Probation report renewed contact with an associate convicted of terrorism offences.",
]


def agency(key: str) -> AgencyId:
    return AgencyId(sid("agency", key))


def member(key: str) -> MemberId:
    return MemberId(sid("member", key))


def names() -> Names:
    return Names(
        members={member(k): v[0] for k, v in MEMBERS.items()},
        agencies={agency(k): v for k, v in AGENCIES.items()},
    )


def context(
    *,
    recipient: str = "Pádraig Kelly",
    recipient_agency: str = "Education Safeguarding",
    copy: int | None = 4,
    marking: Marking = Marking.OFFICIAL_SENSITIVE,
) -> DocumentContext:
    prog = load_programme(DEFAULT_PROGRAMME)
    return DocumentContext(
        panel_name="Northvale Multi-Agency Prevent Panel",
        marking=marking,
        author=MEMBERS["coord"][0],
        recipient_name=recipient,
        recipient_agency=recipient_agency,
        copy_number=copy,
        generated_at=GENERATED,
        programme=prog,
    )


def _assessment(
    case_id: CaseId, n: int, version: int, level: str, day: dt.date, bump: int = 0
) -> Assessment:
    ratings = ["none", "low", "moderate", "high"]
    factors = []
    fw = load_programme(DEFAULT_PROGRAMME).framework
    for k, (dim, fac) in enumerate(fw.factor_ids()):
        # The later assessment raises two factors by one step, so "what changed" reads sensibly.
        r = ratings[min(3, (k + n) % 3 + (1 if bump and k in (1, 4) else 0))]
        factors.append(
            FactorRating(
                dim,
                fac,
                r,
                f"Evidence noted by the {AGENCIES['police' if k % 2 else 'education']} "
                "representative; see referral and agency updates.",
                agency("police" if k % 2 else "education"),
            )
        )
    return Assessment(
        id=AssessmentId(sid("assessment", f"{case_id}:{version}")),
        case_id=case_id,
        version=version,
        factors=tuple(factors),
        dimension_summaries=(
            (
                "engagement",
                "Growing identification with an online group that offers belonging and status.",
            ),
            ("intent", "Talk of harm is expressed but not specific."),
            ("capability", "No known means or relevant skills."),
        ),
        overall="The panel judges the person vulnerable to being drawn further in. Protective "
        "factors are family support and engagement with education."
        + (" Concerns have grown since the last review." if bump else ""),
        risk_level=level,
        author=member("pc"),
        assessed_on=day,
    )


def case_paper(
    n: int,
    *,
    with_restricted: bool = True,
    with_shared: bool = True,
    people: list[tuple] | None = None,
) -> tuple[CasePaper, tuple[Action, ...]]:
    """Case number ``n``: a paper plus its actions (some overdue at TODAY)."""
    fore, sur, aliases, dob, gender, sector, concern = (people or PEOPLE)[n % len(people or PEOPLE)]
    case_id = CaseId(sid("case", n))
    subj = Subject(
        id=SubjectId(sid("subject", n)),
        forenames=fore,
        surname=sur,
        aliases=aliases,
        date_of_birth=dob,
        gender=gender,
        area="Northvale East",
        postcode="NV4 7QX",
        address=f"{12 + n} Rowan Terrace",
    )
    levels = ["medium", "high", "low", "medium", "very-high"]
    level = levels[n % len(levels)]
    case = Case(
        id=case_id,
        ref=f"RT-2026-{40 + n:04d}",
        subject_id=subj.id,
        programme=DEFAULT_PROGRAMME,
        status="support-plan" if n % 3 else "panel-assessment",
        lead_agency=agency("la"),
        case_officer=member("coord"),
        shared_with=frozenset({agency("police"), agency("education"), agency("health")}),
        marking=Marking.OFFICIAL_SENSITIVE,
        opened=dt.date(2025, 9, 1 + n % 27),
        risk_level=level,
        next_review=TODAY + dt.timedelta(days=28),
    )
    lower = {"low": "low", "medium": "low", "high": "medium", "very-high": "high"}
    prev = _assessment(case_id, n, 1, lower[level], dt.date(2025, 10, 6))
    cur = _assessment(case_id, n, 2, level, dt.date(2026, 2, 23), bump=1)
    actions = tuple(
        Action(
            id=ActionId(sid("action", f"{n}:{k}")),
            case_id=case_id,
            title=title,
            owner_agency=agency(ag),
            owner=member(mk),
            due=due,
            status=st,
            created_on=dt.date(2025, 12, 1),
            completed_on=dt.date(2026, 1, 20) if st is ActionStatus.DONE else None,
        )
        for k, (title, ag, mk, due, st) in enumerate(
            [
                (
                    "Arrange Intervention Provider mentoring sessions",
                    "la",
                    "coord",
                    dt.date(2026, 2, 20),
                    ActionStatus.IN_PROGRESS,
                ),
                (
                    "Share attendance record and pastoral notes",
                    "education",
                    "edu",
                    dt.date(2026, 1, 31),
                    ActionStatus.DONE,
                ),
                (
                    "Home visit with family to discuss online safety",
                    "childrens",
                    "csc",
                    dt.date(2026, 3, 26),
                    ActionStatus.OPEN,
                ),
                (
                    "Review mental health referral outcome",
                    "health",
                    "nhs",
                    dt.date(2026, 3, 2),
                    ActionStatus.OPEN,
                ),
            ]
        )
    )
    contributions: list[Contribution] = []
    if with_shared:
        contributions.append(
            Contribution(
                id=ContributionId(sid("contribution", f"{n}:shared")),
                case_id=case_id,
                agency_id=agency("education"),
                author=member("edu"),
                text="Attendance has improved to 84% since mentoring began. Has joined the "
                "college's football team.",
                recorded_on=dt.date(2026, 2, 26),
                marking=Marking.OFFICIAL_SENSITIVE,
                kind="information",
            )
        )
    if with_restricted:
        contributions.append(
            Contribution(
                id=ContributionId(sid("contribution", f"{n}:restricted")),
                case_id=case_id,
                agency_id=agency("police"),
                author=member("pc"),
                text="Intelligence indicates contact with a known online recruiter (POLICE ONLY "
                "RESTRICTEDTOKEN).",
                recorded_on=dt.date(2026, 3, 1),
                marking=Marking.OFFICIAL_SENSITIVE,
                restricted_to=frozenset({agency("police"), agency("health")}),
            )
        )
    plan = plan_model(case_id, actions, approved=n % 2 == 0)
    paper = CasePaper(
        subject=subj,
        case=case,
        referral=Referral(
            id=ReferralId(sid("referral", n)),
            case_id=case_id,
            subject_id=subj.id,
            received=dt.date(2025, 8, 20),
            referrer="Designated Safeguarding Lead",
            sector=sector,
            concern=concern,
            narrative=NARRATIVES[n % len(NARRATIVES)],
        ),
        assessment=cur,
        previous_assessment=prev,
        risk_history=(
            (dt.date(2025, 9, 8), "medium"),
            (dt.date(2025, 10, 6), prev.risk_level),
            (dt.date(2025, 12, 8), prev.risk_level),
            (dt.date(2026, 2, 23), level),
        ),
        plan=plan,
        actions=action_lines(actions, TODAY),
        new_contributions=tuple(contributions),
        consent=ConsentRecord(
            id=ConsentId(sid("consent", n)),
            case_id=case_id,
            state=ConsentState.GIVEN,
            given_by="parent" if n % 2 else "subject",
            recorded_on=dt.date(2025, 11, 3),
        ),
        agenda_kind=AgendaKind.REVIEW if n % 3 else AgendaKind.NEW_REFERRAL,
    )
    return paper, actions


def plan_model(case_id: CaseId, actions: tuple[Action, ...], *, approved: bool) -> Plan:
    ids = [a.id for a in actions]
    return Plan(
        id=PlanId(sid("plan", case_id)),
        case_id=case_id,
        version=2,
        risk=RiskStatement(
            nature="Being drawn into extreme right-wing online networks that encourage violence.",
            who_at_risk="Primarily the young person; potentially minority groups at college.",
            imminence="Not imminent. No specific target, plan or means identified.",
            increases="Isolation, school exclusion, family conflict, late-night online activity.",
            decreases="Mentoring, structured activity, family supervision of devices.",
            protective="Close to his grandmother; enjoys sport; wants to be an electrician.",
        ),
        objectives=(
            Objective(
                "ideological",
                "Weekly sessions with an Intervention Provider to explore "
                "and challenge the narratives encountered online.",
                (ids[0],),
            ),
            Objective("education", "Stay in college and reach 90% attendance.", (ids[1],)),
            Objective(
                "family",
                "Support parents to manage devices and talk about what he sees online.",
                (ids[2],),
            ),
            Objective("wellbeing", "Assessment of low mood by the mental health team.", (ids[3],)),
        ),
        contingency="If he makes a specific threat, or contact with a known extremist is "
        "confirmed, the police lead will be informed at once and the chair will call "
        "an extraordinary panel within five working days.",
        review_on=TODAY + dt.timedelta(days=28),
        author=member("coord"),
        created_on=dt.date(2026, 1, 12),
        approved_by=member("chair") if approved else None,
        approved_on=dt.date(2026, 1, 15) if approved else None,
    )
