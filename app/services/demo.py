"""A realistic, synthetic panel for demonstrations, screenshots, tests and benchmarks.

Deterministic for a seed and a "today": the same seed gives the same agencies, people, cases,
refs, dates, record ids, assessments, plans, actions, contributions and meetings. Every record is
written through the change-capturing writer like any other change. Only a coordinator's (hub)
store can be filled, and only an empty one.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from app.models import rules
from app.models.enums import MemberStatus, Role
from app.models.errors import InvalidInput
from app.services.context import Session
from app.services.demo_cases import DemoPanel, demo_case
from app.services.demo_data import AGENCIES, STAFF
from app.services.demo_meetings import decision_meeting_id, demo_meeting
from app.services.demo_parts import STAGE_WEIGHT
from app.services.demo_people import demo_linked_people
from app.storage import repo
from app.storage.writer import Writer


@dataclass(frozen=True)
class DemoResult:
    cases: int
    agencies: int
    members: int
    meetings: int


def build_demo(
    session: Session,
    *,
    cases: int = 60,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 500,
) -> DemoResult:
    """Fill an empty coordinator store with a synthetic panel, in **one transaction**: a demo
    stopped part way (killed, interrupted, a full disk) leaves the store as it was, and can simply
    be run again. The batches of ``batch`` cases are the steps ``progress`` reports."""
    with session.store.db.write():  # every session.change() below joins this transaction
        return _build_demo(session, cases=cases, seed=seed, progress=progress, batch=batch)


def _build_demo(
    session: Session,
    *,
    cases: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
    batch: int,
) -> DemoResult:
    if not session.workstation.is_hub:
        raise InvalidInput("Demo data can only be added to a coordinator's store.")
    if cases < 1 or cases > 100_000:
        raise InvalidInput("The number of demo cases must be between 1 and 100,000.")
    with session.view() as conn:
        if repo.count_rows(conn, "case"):
            raise InvalidInput(
                "This store already holds cases; demo data goes only into an empty store."
            )
    rng = random.Random(seed)  # noqa: S311 - synthetic, reproducible demo data
    prog = session.programme

    def rid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    with session.change() as w:
        agency_ids, members, chair = _agencies_and_members(w, session, rng, rid)
    panel = DemoPanel(
        rng=rng,
        rid=rid,
        today=session.today(),
        prog=prog,
        seed=seed,
        agency_ids=agency_ids,
        shorts=[s for s in agency_ids if s != "LA"],
        members=members,
        chair=chair,
        levels=[lvl.id for lvl in prog.framework.risk_levels],
        rank={lvl.id: lvl.rank for lvl in prog.framework.risk_levels},
        ratings=[r.id for r in prog.framework.ratings],
        seq_by_year={},
        decisions={},
    )
    case_ids_by_status = _cases(session, panel, cases, progress, batch)
    with session.change() as w:
        n_meetings = _meetings(w, panel, case_ids_by_status)
    if prog.linked_roles:
        all_cases = [c for ids in case_ids_by_status.values() for c in ids]
        with session.change() as w:
            demo_linked_people(w, prog, random.Random(f"{seed}-linked"), panel.today, all_cases)  # noqa: S311
    return DemoResult(
        cases=cases, agencies=len(agency_ids), members=len(members) + 1, meetings=n_meetings
    )


def _agencies_and_members(
    w: Writer, session: Session, rng: random.Random, rid: Callable[[], str]
) -> tuple[dict[str, str], dict[str, str], str]:
    """The panel's agencies (the coordinator's own as ``LA``), a chair from the coordinator's
    agency and an officer of each other agency: agency ids and member ids by short name, and the
    chair's id."""
    agency_ids: dict[str, str] = {}
    police_area = {}
    for name, short, sector, area in AGENCIES:
        aid = w.create(
            "agency",
            {
                "name": name,
                "short": short,
                "sector": sector,
                "is_police": sector in ("police", "ct-police"),
            },
            record_id=rid(),
        )
        agency_ids[short] = aid
        police_area[short] = area
    agency_ids["LA"] = session.agency.id
    members: dict[str, str] = {}
    staff = list(STAFF)
    rng.shuffle(staff)
    chair = w.create(
        "member",
        {
            "name": staff.pop(),
            "agency_id": session.agency.id,
            "role": Role.CHAIR,
            "email": "",
            "status": MemberStatus.ACTIVE,
            "area": "",
        },
        record_id=rid(),
    )
    for short, aid in agency_ids.items():
        if short == "LA":
            continue
        members[short] = w.create(
            "member",
            {
                "name": staff.pop() if staff else f"Officer {short}",
                "agency_id": aid,
                "role": Role.OFFICER,
                "email": "",
                "status": MemberStatus.ACTIVE,
                "area": police_area.get(short, ""),
            },
            record_id=rid(),
        )
    members["LA"] = session.me.id
    return agency_ids, members, chair


def _cases(
    session: Session,
    panel: DemoPanel,
    cases: int,
    progress: Callable[[int, int], None] | None,
    batch: int,
) -> dict[str, list[str]]:
    """The cases, in batches of ``batch`` (the steps ``progress`` reports); their ids by status.

    Every status a case can reach is a possible end; a case walks the shortest run of the
    programme's transitions to it. How common each end is comes from the programme's demo data.
    The panel's decisions (``panel_decision`` transitions) are taken at meetings: held on a
    four-weekly cycle back from today, each with a fixed id (no random draw), and the cases
    decided at it on its agenda."""
    prog, rng = panel.prog, panel.rng
    paths = {st.id: rules.path_to(prog, st.id) for st in prog.statuses}
    demo_weights = dict(prog.demo.get("weights", {}))
    ends = [
        (st.id, int(demo_weights.get(st.id, STAGE_WEIGHT.get(st.stage, 5))))
        for st in prog.statuses
        if paths[st.id]
    ]
    weights = [w_ for _, w_ in ends]
    case_ids_by_status: dict[str, list[str]] = {}
    done = 0
    while done < cases:
        with session.change() as w:
            for _ in range(min(batch, cases - done)):
                end = rng.choices([e for e, _ in ends], weights=weights)[0]
                case_ids_by_status.setdefault(end, []).append(demo_case(w, panel, end, paths[end]))
                done += 1
        if progress:
            progress(done, cases)
    return case_ids_by_status


def _meetings(w: Writer, panel: DemoPanel, case_ids_by_status: dict[str, list[str]]) -> int:
    """The held meetings (three regular ones, four weeks apart, and each at which the panel
    decided a case) and the next, scheduled one; how many. Reviews: cases under a plan first,
    then those just adopted, then exited ones."""
    prog, rng, today, chair = panel.prog, panel.rng, panel.today, panel.chair
    under_support = [
        st.id for st in prog.statuses if st.stage == "support" and st.id != prog.adopted_status
    ]
    panel_cases = [
        c
        for st in (*under_support, prog.adopted_status, prog.exit_status)
        for c in case_ids_by_status.get(st, [])
    ]
    new_cases = [
        c for st in prog.statuses if st.stage == "panel" for c in case_ids_by_status.get(st.id, [])
    ]
    everyone = [chair, *panel.members.values()]
    regular = {today - dt.timedelta(days=28 * k) for k in (3, 2, 1)}
    n_meetings = 0
    for held in sorted(regular | set(panel.decisions)):
        agenda = list(panel.decisions.get(held, []))
        if held in regular:
            agenda += rng.sample(panel_cases, min(len(panel_cases), 5)) + rng.sample(
                new_cases, min(len(new_cases), 2)
            )
        demo_meeting(
            w, rng, panel.rid, held, "held", chair, everyone, agenda, prog,
            record_id=decision_meeting_id(panel.seed, held),
        )
        n_meetings += 1
    upcoming = today + dt.timedelta(days=(3 - today.weekday()) % 7 + 7)
    agenda = new_cases[:4] + [c for c in panel_cases if c][:8]
    demo_meeting(w, rng, panel.rid, upcoming, "scheduled", chair, everyone, agenda, prog)
    return n_meetings + 1
