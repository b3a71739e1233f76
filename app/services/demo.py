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

from app.models import people, rules
from app.models.domain import Objective
from app.models.enums import (
    ActionStatus,
    AgendaKind,
    Attendance,
    ConsentState,
    Marking,
    MemberStatus,
    Role,
)
from app.models.errors import InvalidInput
from app.models.framework import AssessmentNotes, join_summaries
from app.models.ids import ActionId, case_ref
from app.models.programme import Programme
from app.services.context import Session
from app.services.demo_data import (
    AGENCIES,
    CONTRIBUTIONS,
    ETHNICITIES,
    FORENAMES,
    GENDERS,
    NARRATIVES,
    OBJECTIVES,
    REFERRERS,
    STAFF,
    STREETS,
    SURNAMES,
    TOWNS,
)
from app.services.demo_parts import (
    CONTINGENCY,
    MINUTES,
    STAGE_WEIGHT,
    action_titles,
    demo_checklist,
    demo_ratings,
    rationale,
    risk_statement,
    texts,
)
from app.storage import repo
from app.storage.codec import to_jsonable
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
    today = session.today()
    prog = session.programme

    def rid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    # --- agencies and members ---------------------------------------------------------------
    with session.change() as w:
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
    shorts = [s for s in agency_ids if s != "LA"]

    # --- cases ------------------------------------------------------------------------------
    # Every status a case can reach is a possible end; a case walks the shortest run of the
    # programme's transitions to it. How common each end is comes from the programme's demo data.
    paths = {st.id: rules.path_to(prog, st.id) for st in prog.statuses}
    demo_weights = dict(prog.demo.get("weights", {}))
    ends = [
        (st.id, int(demo_weights.get(st.id, STAGE_WEIGHT.get(st.stage, 5))))
        for st in prog.statuses
        if paths[st.id]
    ]
    weights = [w_ for _, w_ in ends]
    levels = [lvl.id for lvl in prog.framework.risk_levels]
    rank = {lvl.id: lvl.rank for lvl in prog.framework.risk_levels}
    ratings = [r.id for r in prog.framework.ratings]
    case_ids_by_status: dict[str, list[str]] = {}
    # the panel's decisions (``panel_decision`` transitions) are taken at meetings: held on a
    # four-weekly cycle back from today, each with a fixed id (no random draw), and the cases
    # decided at it on its agenda
    decisions: dict[dt.date, list[str]] = {}
    done = 0
    seq_by_year: dict[int, int] = {}
    while done < cases:
        with session.change() as w:
            for _ in range(min(batch, cases - done)):
                end = rng.choices([e for e, _ in ends], weights=weights)[0]
                cid = _demo_case(
                    w,
                    rng,
                    rid,
                    today,
                    prog,
                    end,
                    paths[end],
                    agency_ids,
                    shorts,
                    members,
                    levels,
                    rank,
                    ratings,
                    seq_by_year,
                    chair,
                    decisions,
                    seed,
                )
                case_ids_by_status.setdefault(end, []).append(cid)
                done += 1
        if progress:
            progress(done, cases)

    # --- meetings ---------------------------------------------------------------------------
    n_meetings = 0
    with session.change() as w:
        # Reviews: cases under a plan first, then those just adopted, then exited ones.
        under_support = [
            st.id for st in prog.statuses if st.stage == "support" and st.id != prog.adopted_status
        ]
        panel_cases = [
            c
            for st in (*under_support, prog.adopted_status, prog.exit_status)
            for c in case_ids_by_status.get(st, [])
        ]
        new_cases = [
            c
            for st in prog.statuses
            if st.stage == "panel"
            for c in case_ids_by_status.get(st.id, [])
        ]
        everyone = [chair, *members.values()]
        regular = {today - dt.timedelta(days=28 * k) for k in (3, 2, 1)}
        for held in sorted(regular | set(decisions)):
            agenda = list(decisions.get(held, []))
            if held in regular:
                agenda += rng.sample(panel_cases, min(len(panel_cases), 5)) + rng.sample(
                    new_cases, min(len(new_cases), 2)
                )
            _demo_meeting(
                w, rng, rid, held, "held", chair, everyone, agenda, agency_ids, members, prog,
                record_id=_decision_meeting_id(seed, held),
            )
            n_meetings += 1
        upcoming = today + dt.timedelta(days=(3 - today.weekday()) % 7 + 7)
        agenda = new_cases[:4] + [c for c in panel_cases if c][:8]
        _demo_meeting(
            w, rng, rid, upcoming, "scheduled", chair, everyone, agenda, agency_ids, members, prog
        )
        n_meetings += 1
    if prog.linked_roles:
        all_cases = [c for ids in case_ids_by_status.values() for c in ids]
        with session.change() as w:
            _demo_linked_people(w, prog, random.Random(f"{seed}-linked"), today, all_cases)  # noqa: S311
    return DemoResult(
        cases=cases, agencies=len(agency_ids), members=len(members) + 1, meetings=n_meetings
    )


def demo_dates(rng: random.Random, prog: Programme, end: str, today: dt.date) -> list[tuple[str, str]]:
    """The date fields of a demonstration case at status ``end``: each field the programme's
    ``[demo.dates.<status>]`` (or ``[demo.dates."*"]``) lists takes one of its day offsets from
    today (negative: past), so that some registrations end soon and some have ended."""
    table = prog.demo.get("dates", {})
    offsets = {**table.get("*", {}), **table.get(end, {})}
    return [(cf.id, (today + dt.timedelta(days=int(rng.choice(offsets[cf.id])))).isoformat())
            for cf in prog.date_fields if offsets.get(cf.id)]


def _person_values(
    rng: random.Random, fore: str, sur: str, dob: dt.date, *, pnc: str = ""
) -> dict[str, object]:
    ids = [{"kind": "pnc", "value": pnc}] if pnc else []
    return {
        "forenames": fore,
        "surname": sur,
        "aliases": [],
        "date_of_birth": dob,
        "gender": rng.choice(GENDERS),
        "identifiers": ids,
        "notes": "",
        "search_key": people.subject_search_key(fore, sur, [], [i["value"] for i in ids]),
    }


def _demo_linked_people(
    w: Writer, prog: Programme, rng: random.Random, today: dt.date, case_ids: list[str]
) -> None:
    """The programme's linked people on the demo cases: a person in the repeat role (the person
    causing harm) on every case, children on about half; then one genuine repeat — a later case
    re-pointed at the subject of a case heard at a held meeting, with the same person causing
    harm, within the repeat window. A separate random stream, so the rest of the demo is the
    same as without linked people."""

    def rid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    main = prog.repeat_role or prog.linked_roles[0]
    others = [r for r in prog.linked_roles if r.id != main.id]
    received: dict[str, dt.date] = {}
    subject_of: dict[str, str] = {}
    main_person: dict[str, dict[str, object]] = {}
    for cid in case_ids:
        case = repo.get_case(w.conn, cid)
        refs = repo.rows_for_case(w.conn, "referral", cid, "received")
        if case is None or not refs:
            continue
        received[cid] = repo.referral_from(refs[0]).received
        subject_of[cid] = case.subject_id
        subject = repo.get_subject(w.conn, case.subject_id)
        age = rng.randint(19, 55)
        dob = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        pnc = f"{rng.randint(0, 25):02d}/{rng.randint(100000, 999999)}{rng.choice('ABCDEFGHJK')}"
        values = _person_values(rng, rng.choice(FORENAMES), rng.choice(SURNAMES), dob,
                                pnc=pnc if rng.random() < 0.7 else "")
        main_person[cid] = values
        w.create("linked_person", {"case_id": cid, "role": main.id, **values}, record_id=rid())
        for role in others:
            if rng.random() < 0.5:
                continue
            for _ in range(rng.randint(1, 3)):
                kid = today - dt.timedelta(days=rng.randint(1, 17) * 365 + rng.randint(0, 364))
                sur = subject.surname if subject and rng.random() < 0.7 else str(values["surname"])
                w.create("linked_person", {"case_id": cid, "role": role.id,
                                           **_person_values(rng, rng.choice(FORENAMES), sur, kid)},
                         record_id=rid())
    months = prog.intervals.repeat_referral_months
    if prog.repeat_role is None or months is None:
        return
    heard = sorted((c for c in received if repo.last_heard(w.conn, c) is not None),
                   key=lambda c: received[c], reverse=True)
    for first in heard:
        later = sorted(
            (c for c in received
             if c != first and c not in heard and received[first] < received[c]
             and rules.is_repeat_referral(prog, received[c], received[first])),
            key=lambda c: received[c], reverse=True,
        )
        if not later:
            continue
        repeat = later[0]
        orphan = subject_of[repeat]
        w.update("case", repeat, {"subject_id": subject_of[first]})
        for r in repo.rows_for_case(w.conn, "referral", repeat, "received"):
            w.update("referral", str(r.id), {"subject_id": subject_of[first]})
        w.delete("subject", orphan)
        # the same person causing harm as on the heard case
        for r in repo.linked_people(w.conn, repeat):
            if r.role == main.id:
                w.update("linked_person", r.id, dict(main_person[first]))
        first_subject = repo.get_subject(w.conn, subject_of[first])
        held = {r.role for r in repo.linked_people(w.conn, repeat)}
        for role in others:  # the household's children, as on the heard case
            if role.id in held:
                continue
            for _ in range(2):
                kid = today - dt.timedelta(days=rng.randint(1, 12) * 365 + rng.randint(0, 364))
                sur = first_subject.surname if first_subject else str(main_person[first]["surname"])
                w.create("linked_person", {"case_id": repeat, "role": role.id,
                                           **_person_values(rng, rng.choice(FORENAMES), sur, kid)},
                         record_id=rid())
        return


def _demo_case(
    w: Writer,
    rng: random.Random,
    rid: Callable[[], str],
    today: dt.date,
    prog: Programme,
    end: str,
    steps: list[str],
    agency_ids: dict[str, str],
    shorts: list[str],
    members: dict[str, str],
    levels: list[str],
    rank: dict[str, int],
    ratings: list[str],
    seq_by_year: dict[int, int],
    chair: str,
    decisions: dict[dt.date, list[str]],
    seed: int,
) -> str:
    early = prog.status(end).stage in ("referral", "screening")
    age_days = rng.randint(0, 9) if early else rng.randint(2, 700)
    received = today - dt.timedelta(days=age_days)
    year = received.year
    seq_by_year[year] = seq_by_year.get(year, 0) + 1
    ref = case_ref(year, seq_by_year[year])
    age = rng.choice([13, 14, 15, 16, 17, 19, 22, 26, 31, 38, 45])
    dob = received - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    fore, sur = rng.choice(FORENAMES), rng.choice(SURNAMES)
    ids = [
        {
            "kind": "nhs",
            "value": f"{rng.randint(400, 499)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        }
    ]
    if rng.random() < 0.4:
        ids.append(
            {
                "kind": "pnc",
                "value": f"{received.year % 100:02d}/{rng.randint(100000, 999999)}{rng.choice('ABCDEFGHJK')}",
            }
        )
    aliases = [f"{fore[:3]} {sur}"] if rng.random() < 0.15 else []
    subject_id = w.create(
        "subject",
        {
            "forenames": fore,
            "surname": sur,
            "aliases": aliases,
            "date_of_birth": dob,
            "gender": rng.choice(GENDERS),
            "ethnicity": rng.choice(ETHNICITIES),
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
            "postcode": f"NS{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
            "area": "North",
            "identifiers": ids,
            "vulnerabilities": rng.choice(
                [
                    "",
                    "Autism spectrum condition",
                    "Care leaver",
                    "Bereavement",
                    "Learning difficulty",
                ]
            ),
            "search_key": people.subject_search_key(fore, sur, aliases, [i["value"] for i in ids]),
        },
        record_id=rid(),
    )
    lead = rng.choice(["LA", "LA", "NP", "CSC", "EDU"])
    shared = sorted(
        {agency_ids[lead], agency_ids["NP"], *(agency_ids[s] for s in rng.sample(shorts, 3))}
    )
    case_id = w.create(
        "case",
        {
            "ref": ref,
            "subject_id": subject_id,
            "programme": prog.id,
            "status": end,
            "lead_agency": agency_ids[lead],
            "case_officer": members.get(lead),
            "shared_with": shared,
            "marking": Marking.OFFICIAL_SENSITIVE,
            "opened": received,
            "closed": None,
            "exited_on": None,
            "next_review": None,
        },
        record_id=rid(),
    )
    w.create(
        "referral",
        {
            "case_id": case_id,
            "subject_id": subject_id,
            "received": received,
            "referrer": rng.choice(REFERRERS),
            "sector": rng.choice(prog.sectors).id,
            "concern": rng.choice(prog.concerns).id,
            "narrative": rng.choice(texts(prog, "narratives", NARRATIVES)),
        },
        record_id=rid(),
    )
    day = received
    span = max(1, (today - received).days)
    gap = max(1, span // max(1, len(steps)))
    prev = None
    risk = rng.choice(levels[:3])
    for i, st in enumerate(steps):
        if i:
            day = min(today, day + dt.timedelta(days=rng.randint(1, gap)))
        decided_at = None
        if prev is not None and any(
            t.panel_decision for t in prog.transitions if t.source == prev and t.target == st
        ):
            day = _next_panel_day(today, day)  # the panel decides at its next meeting
            decisions.setdefault(day, []).append(case_id)
            decided_at = _decision_meeting_id(seed, day)
        w.create(
            "status_change",
            {
                "case_id": case_id,
                "at": f"{day.isoformat()}T10:00:00.000+00:00",
                "from_status": prev,
                "to_status": st,
                "rationale": "Referral received" if i == 0 else rationale(prog, prev, st),
                "member_id": members["LA"],
                "meeting_id": decided_at,
            },
            record_id=rid(),
        )
        outcome = next((o for o in prog.screening_outcomes if o.target == st), None)
        if prev is not None and prog.status(prev).stage == "screening" and outcome is not None:
            w.create(
                "screening",
                {
                    "case_id": case_id,
                    "outcome": outcome.id,
                    "rationale": rationale(prog, prev, st),
                    "decided_by": members["NP"],
                    "decided_on": day,
                },
                record_id=rid(),
            )
        if prog.status(st).stage == "gathering":
            rng.random()  # a draw kept so that a seed gives the same demo panel as before
        prev = st
    changes: dict[str, object] = {}
    stage = prog.status(end).stage
    gathered = any(prog.status(s).stage == "gathering" for s in steps)
    if gathered:
        versions = 1 if stage in ("gathering", "panel") else rng.randint(2, 3)
        prev_id = None
        # The programme's case fields (a category, a level...) are chosen once per case, from the
        # choices the programme's demo data allows for the case's status (MAPPA: a case managed at
        # level 2 or 3 records level 2 or 3), or from every choice.
        allowed = prog.demo.get("case_fields", {}).get(end, {})
        fields = [(cf.id, rng.choice([c for c in cf.choices if c.id in allowed.get(cf.id, ())]
                                     or cf.choices).id) for cf in prog.choice_fields]
        fields += demo_dates(rng, prog, end, today)
        summary = str(prog.demo.get("summary", "evidence across the factors; see the ratings."))
        overall = str(
            prog.demo.get(
                "overall",
                "Professional judgement of the panel: vulnerable to radicalising influences; "
                "support is proportionate.",
            )
        )
        for v in range(1, versions + 1):
            if v > 1:
                risk = levels[
                    max(0, min(len(levels) - 1, levels.index(risk) + rng.choice([-1, -1, 0, 1])))
                ]
            fw = prog.framework_for_age(age)  # the young people's checklist for a 13 to 17 year old
            if fw.is_checklist:
                factors, risk, extra = demo_checklist(rng, prog, risk, agency_ids, shorts, fw)
            else:
                factors, extra = demo_ratings(rng, prog, risk, rank, ratings, agency_ids, shorts)
            notes = AssessmentNotes(
                summaries=tuple(
                    (d.id, f"{rng.choice(['Limited', 'Some', 'Clear'])} {summary}")
                    for d in prog.framework.dimensions
                ),
                level_reason=extra.get("reason", ""),
                suggested_level=extra.get("suggested", ""),
                case_fields=tuple(fields),
                framework=fw.id if fw is not prog.framework else "",
            )
            aday = received + dt.timedelta(days=min(span, 14 * v))
            prev_id = w.create(
                "assessment",
                {
                    "case_id": case_id,
                    "version": v,
                    "factors": to_jsonable(factors),
                    "dimension_summaries": [list(p) for p in join_summaries(notes)],
                    "overall": overall,
                    "risk_level": risk,
                    "risk_rank": rank[risk],
                    "author": members["LA"],
                    "assessed_on": aday,
                    "supersedes": prev_id,
                },
                record_id=rid(),
            )
    refused = prog.status(end).consent
    if refused and prog.records_consent:  # the person's answer the status stands on
        asked = received + dt.timedelta(days=min(span, 30))
        w.create(
            "consent",
            {
                "case_id": case_id,
                "state": ConsentState(refused),
                "given_by": "parent" if age < 18 else "subject",
                "recorded_on": asked,
                "notes": "",
                "reassess_on": asked
                + dt.timedelta(days=prog.intervals.consent_reassess_days),
            },
            record_id=rid(),
        )
    if stage in ("support", "exit"):
        if prog.records_consent:  # a statutory programme (MAPPA) seeks none
            w.create(
                "consent",
                {
                    "case_id": case_id,
                    "state": ConsentState.GIVEN,
                    "given_by": "parent" if age < 18 else "subject",
                    "recorded_on": received + dt.timedelta(days=min(span, 30)),
                    "notes": "",
                    "reassess_on": None,
                },
                record_id=rid(),
            )
        action_ids: dict[str, list[str]] = {}
        titles = action_titles(prog)
        for title, heading in rng.sample(titles, min(len(titles), rng.randint(3, 6))):
            owner = rng.choice([s for s in shorts if agency_ids[s] in shared] or ["NP"])
            due = today + dt.timedelta(days=rng.randint(-40, 60))
            status = rng.choice(
                [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DONE]
            )
            if end == prog.exit_status:
                status = ActionStatus.DONE
            completed = (
                min(today, due + dt.timedelta(days=rng.randint(-10, 5)))
                if status is ActionStatus.DONE
                else None
            )
            aid = w.create(
                "action",
                {
                    "case_id": case_id,
                    "title": title,
                    "owner_agency": agency_ids[owner],
                    "owner": members.get(owner),
                    "due": due,
                    "status": status,
                    "created_on": received + dt.timedelta(days=min(span, 35)),
                    "meeting_id": None,
                    "completed_on": completed,
                },
                record_id=rid(),
            )
            action_ids.setdefault(heading, []).append(aid)
            if status is not ActionStatus.OPEN:
                w.create(
                    "action_update",
                    {
                        "action_id": aid,
                        "case_id": case_id,
                        "status": status,
                        "note": "Completed as agreed."
                        if status is ActionStatus.DONE
                        else "Started; first contact made.",
                        "author": members.get(owner),
                        "agency_id": agency_ids[owner],
                        "at": f"{(completed or today).isoformat()}T12:00:00.000+00:00",
                    },
                    record_id=rid(),
                )
        objective_texts = dict(prog.demo.get("objectives", OBJECTIVES))
        objectives = [
            Objective(
                h.id,
                rng.choice(
                    objective_texts.get(h.id)
                    or (f"Progress under “{h.label}”, reviewed at each meeting.",)
                ),
                tuple(ActionId(a) for a in action_ids.get(h.id, [])),
            )
            for h in prog.plan_headings
            if h.id in action_ids or rng.random() < 0.3
        ]
        approved = rng.random() < 0.8
        w.create(
            "plan",
            {
                "case_id": case_id,
                "version": 1,
                "risk": to_jsonable(risk_statement(prog)),
                "objectives": to_jsonable(objectives),
                "contingency": str(prog.demo.get("risk", {}).get("contingency", CONTINGENCY)),
                "review_on": today + dt.timedelta(days=rng.randint(5, 40)),
                "author": members["LA"],
                "created_on": received + dt.timedelta(days=min(span, 40)),
                "supersedes": None,
                "approved_by": chair if approved else None,
                "approved_on": (received + dt.timedelta(days=min(span, 45))) if approved else None,
            },
            record_id=rid(),
        )
    for _ in range(rng.randint(0, 3) if stage != "referral" else 0):
        src = rng.choice([s for s in shorts if agency_ids[s] in shared] or ["NP"])
        restricted = (
            sorted({agency_ids[src], agency_ids["NP"]})
            if src in ("CTP", "MHT") or rng.random() < 0.15
            else []
        )
        w.create(
            "contribution",
            {
                "case_id": case_id,
                "agency_id": agency_ids[src],
                "author": members.get(src),
                "text": rng.choice(CONTRIBUTIONS),
                "recorded_on": received + dt.timedelta(days=rng.randint(0, span)),
                "marking": Marking.OFFICIAL_SENSITIVE,
                "restricted_to": restricted,
                "kind": "information",
                "supersedes": None,
            },
            record_id=rid(),
        )
    if prog.is_reviewed(end):
        changes["next_review"] = today + dt.timedelta(days=rng.randint(-10, 30))
    if end == prog.exit_status:
        changes["exited_on"] = day
        reviews = rules.post_exit_review_dates(prog, day)
        changes["next_review"] = reviews[0] if reviews else None
    elif prog.status(end).terminal:
        changes["closed"] = day
    if changes:
        w.update("case", case_id, changes)
    return case_id


def _next_panel_day(today: dt.date, day: dt.date) -> dt.date:
    """The demonstration panel meets every four weeks back from today: its first meeting on or
    after ``day``; within the last four weeks, yesterday (today only for a decision due today),
    so that what is recorded today is new since the last meeting."""
    weeks4 = (today - day).days // 28
    held = today - dt.timedelta(days=28 * max(0, weeks4))
    return held if held < today else max(day, today - dt.timedelta(days=1))


def _decision_meeting_id(seed: int, held: dt.date) -> str:
    """The id of the demonstration panel's meeting on ``held``: fixed by the seed and the date,
    so that a decision recorded before the meeting is written can name it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"roundtable-demo:{seed}:meeting:{held.isoformat()}"))


def _demo_meeting(
    w: Writer,
    rng: random.Random,
    rid: Callable[[], str],
    held: dt.date,
    status: str,
    chair: str,
    everyone: list[str],
    agenda: list[str],
    agency_ids: dict[str, str],
    members: dict[str, str],
    prog: Programme,
    *,
    record_id: str | None = None,
) -> str:
    mid = w.create(
        "meeting",
        {
            "held_on": held,
            "time": "10:00",
            "venue": "Committee Room 2, Northshire Civic Centre",
            "chair": chair,
            "status": status,
            "distribution": sorted(everyone),
            "confidentiality_read": status == "held",
        },
        record_id=record_id or rid(),
    )
    for m in everyone:
        if status == "held":
            att = Attendance.APOLOGIES if rng.random() < 0.15 else Attendance.PRESENT
            w.create(
                "attendance",
                {
                    "meeting_id": mid,
                    "member_id": m,
                    "attendance": att,
                    "confidentiality_agreed": att is Attendance.PRESENT,
                },
                record_id=rid(),
            )
    for pos, cid in enumerate(dict.fromkeys(agenda), start=1):
        row = repo.get_row(w.conn, "case", cid)
        assert row is not None  # the agenda is built from cases written in this demo
        st = prog.status(row.status)
        kind = (
            AgendaKind.POST_EXIT_REVIEW
            if row.status == prog.exit_status
            else AgendaKind.NEW_REFERRAL
            if st.stage in ("gathering", "panel")
            else AgendaKind.REVIEW
        )
        minutes = status == "held"
        w.create(
            "agenda_item",
            {
                "meeting_id": mid,
                "position": pos,
                "kind": kind,
                "case_id": cid,
                "title": "",
                "discussion": MINUTES[kind][0] if minutes else "",
                "decision": MINUTES[kind][1] if minutes else "",
                "rationale": MINUTES[kind][2] if minutes else "",
                "dissent": "Police would have preferred a higher risk level."
                if minutes and rng.random() < 0.2
                else "",
                "method": "consensus" if minutes else "",
            },
            record_id=rid(),
        )
    w.create(
        "agenda_item",
        {
            "meeting_id": mid,
            "position": len(agenda) + 1,
            "kind": AgendaKind.OTHER,
            "case_id": None,
            "title": "Training update: new referral form",
            "discussion": "",
            "decision": "",
            "rationale": "",
            "dissent": "",
            "method": "",
        },
        record_id=rid(),
    )
    return mid
