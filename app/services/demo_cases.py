"""One demonstration case, written in readable steps: the subject, the case and its referral, the
walk through the programme's statuses, the assessments, consent, the plan with its actions, the
agencies' contributions and the case's closing dates. Part of ``demo``.

Every step draws from the one random stream in the order the steps are written, so a seed gives
the same panel: reordering steps, or draws within a step, changes the demonstration data."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from app.models import rules
from app.models.domain import Objective
from app.models.enums import ActionStatus, ConsentState, Marking
from app.models.framework import AssessmentNotes, join_summaries
from app.models.ids import ActionId, case_ref
from app.models.programme import Programme
from app.services.demo_data import (
    CONTRIBUTIONS,
    NARRATIVES,
    OBJECTIVES,
    REFERRERS,
)
from app.services.demo_meetings import decision_meeting_id, next_panel_day
from app.services.demo_parts import (
    CONTINGENCY,
    action_titles,
    demo_checklist,
    demo_ratings,
    rationale,
    risk_statement,
    texts,
)
from app.services.demo_people import demo_subject
from app.storage.codec import to_jsonable
from app.storage.writer import Writer


@dataclass
class DemoPanel:
    """What every demonstration case draws on: the random stream, the panel's agencies and
    members, the programme's risk levels and ratings, and what the cases so far have used (the
    ref numbers of each year, the decisions taken at each meeting)."""

    rng: random.Random
    rid: Callable[[], str]
    today: dt.date
    prog: Programme
    seed: int
    agency_ids: dict[str, str]
    shorts: list[str]
    members: dict[str, str]
    chair: str
    levels: list[str]
    rank: dict[str, int]
    ratings: list[str]
    seq_by_year: dict[int, int]
    decisions: dict[dt.date, list[str]]


@dataclass(frozen=True)
class _Case:
    """The case being written: its id, end status, received date, days since then, the
    subject's age and the agencies it is shared with."""

    id: str
    end: str
    received: dt.date
    span: int
    age: int
    shared: list[str]


def demo_dates(rng: random.Random, prog: Programme, end: str, today: dt.date) -> list[tuple[str, str]]:
    """The date fields of a demonstration case at status ``end``: each field the programme's
    ``[demo.dates.<status>]`` (or ``[demo.dates."*"]``) lists takes one of its day offsets from
    today (negative: past), so that some registrations end soon and some have ended."""
    table = prog.demo.get("dates", {})
    offsets = {**table.get("*", {}), **table.get(end, {})}
    return [(cf.id, (today + dt.timedelta(days=int(rng.choice(offsets[cf.id])))).isoformat())
            for cf in prog.date_fields if offsets.get(cf.id)]


def demo_case(w: Writer, p: DemoPanel, end: str, steps: list[str]) -> str:
    """Write one case that has walked ``steps`` to the status ``end``; its id."""
    rng, prog, today = p.rng, p.prog, p.today
    early = prog.status(end).stage in ("referral", "screening")
    age_days = rng.randint(0, 9) if early else rng.randint(2, 700)
    received = today - dt.timedelta(days=age_days)
    year = received.year
    p.seq_by_year[year] = p.seq_by_year.get(year, 0) + 1
    ref = case_ref(year, p.seq_by_year[year])
    subject_id, age = demo_subject(w, p.rng, p.rid, received)
    case = _case_and_referral(w, p, ref, subject_id, end, received, age)
    risk = rng.choice(p.levels[:3])
    day = _status_history(w, p, case, steps)
    stage = prog.status(end).stage
    if any(prog.status(s).stage == "gathering" for s in steps):
        _assessments(w, p, case, stage, risk)
    _consent(w, p, case, stage)
    if stage in ("support", "exit"):
        _plan(w, p, case, _actions(w, p, case))
    _contributions(w, p, case, stage)
    _closing(w, p, case, day)
    return case.id


def _case_and_referral(
    w: Writer, p: DemoPanel, ref: str, subject_id: str, end: str, received: dt.date, age: int
) -> _Case:
    """The case row, led by one agency and shared with the police and three others, and the
    referral that opened it."""
    rng, prog = p.rng, p.prog
    lead = rng.choice(["LA", "LA", "NP", "CSC", "EDU"])
    shared = sorted(
        {p.agency_ids[lead], p.agency_ids["NP"], *(p.agency_ids[s] for s in rng.sample(p.shorts, 3))}
    )
    case_id = w.create(
        "case",
        {
            "ref": ref,
            "subject_id": subject_id,
            "programme": prog.id,
            "status": end,
            "lead_agency": p.agency_ids[lead],
            "case_officer": p.members.get(lead),
            "shared_with": shared,
            "marking": Marking.OFFICIAL_SENSITIVE,
            "opened": received,
            "closed": None,
            "exited_on": None,
            "next_review": None,
        },
        record_id=p.rid(),
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
        record_id=p.rid(),
    )
    span = max(1, (p.today - received).days)
    return _Case(case_id, end, received, span, age, shared)


def _status_history(w: Writer, p: DemoPanel, case: _Case, steps: list[str]) -> dt.date:
    """The case's walk through ``steps``, each a status change (the panel's decisions taken at
    its next meeting) and a screening record where a screening outcome leads; the last day."""
    rng, prog, today = p.rng, p.prog, p.today
    day = case.received
    gap = max(1, case.span // max(1, len(steps)))
    prev = None
    for i, st in enumerate(steps):
        if i:
            day = min(today, day + dt.timedelta(days=rng.randint(1, gap)))
        decided_at = None
        if prev is not None and any(
            t.panel_decision for t in prog.transitions if t.source == prev and t.target == st
        ):
            day = next_panel_day(today, day)  # the panel decides at its next meeting
            p.decisions.setdefault(day, []).append(case.id)
            decided_at = decision_meeting_id(p.seed, day)
        w.create(
            "status_change",
            {
                "case_id": case.id,
                "at": f"{day.isoformat()}T10:00:00.000+00:00",
                "from_status": prev,
                "to_status": st,
                "rationale": "Referral received" if i == 0 else rationale(prog, prev, st),
                "member_id": p.members["LA"],
                "meeting_id": decided_at,
            },
            record_id=p.rid(),
        )
        outcome = next((o for o in prog.screening_outcomes if o.target == st), None)
        if prev is not None and prog.status(prev).stage == "screening" and outcome is not None:
            w.create(
                "screening",
                {
                    "case_id": case.id,
                    "outcome": outcome.id,
                    "rationale": rationale(prog, prev, st),
                    "decided_by": p.members["NP"],
                    "decided_on": day,
                },
                record_id=p.rid(),
            )
        if prog.status(st).stage == "gathering":
            rng.random()  # a draw kept so that a seed gives the same demo panel as before
        prev = st
    return day


def _case_fields(p: DemoPanel, end: str) -> list[tuple[str, str]]:
    """The programme's case fields (a category, a level...), chosen once per case from the
    choices the programme's demo data allows for the case's status (a case managed at
    level 2 or 3 records level 2 or 3), or from every choice; then its date fields."""
    rng, prog = p.rng, p.prog
    allowed = prog.demo.get("case_fields", {}).get(end, {})
    fields = [(cf.id, rng.choice([c for c in cf.choices if c.id in allowed.get(cf.id, ())]
                                 or cf.choices).id) for cf in prog.choice_fields]
    return fields + demo_dates(rng, prog, end, p.today)


def _assessments(w: Writer, p: DemoPanel, case: _Case, stage: str, risk: str) -> None:
    """One assessment for a case still gathering or before the panel, two or three (the risk
    moving a step between them) for a case the panel has taken on."""
    rng, prog, levels = p.rng, p.prog, p.levels
    versions = 1 if stage in ("gathering", "panel") else rng.randint(2, 3)
    prev_id = None
    fields = _case_fields(p, case.end)
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
        fw = prog.framework_for_age(case.age)  # the young people's checklist for a 13 to 17 year old
        if fw.is_checklist:
            factors, risk, extra = demo_checklist(rng, prog, risk, p.agency_ids, p.shorts, fw)
        else:
            factors, extra = demo_ratings(rng, prog, risk, p.rank, p.ratings, p.agency_ids, p.shorts)
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
        prev_id = w.create(
            "assessment",
            {
                "case_id": case.id,
                "version": v,
                "factors": to_jsonable(factors),
                "dimension_summaries": [list(s) for s in join_summaries(notes)],
                "overall": overall,
                "risk_level": risk,
                "risk_rank": p.rank[risk],
                "author": p.members["LA"],
                "assessed_on": case.received + dt.timedelta(days=min(case.span, 14 * v)),
                "supersedes": prev_id,
            },
            record_id=p.rid(),
        )


def _consent(w: Writer, p: DemoPanel, case: _Case, stage: str) -> None:
    """The person's answer a status stands on (a refusal, a withdrawal), and the consent given
    for support; a statutory programme seeks none."""
    prog = p.prog
    if not prog.records_consent:
        return
    given_by = "parent" if case.age < 18 else "subject"
    asked = case.received + dt.timedelta(days=min(case.span, 30))
    refused = prog.status(case.end).consent
    if refused:
        w.create(
            "consent",
            {
                "case_id": case.id,
                "state": ConsentState(refused),
                "given_by": given_by,
                "recorded_on": asked,
                "notes": "",
                "reassess_on": asked + dt.timedelta(days=prog.intervals.consent_reassess_days),
            },
            record_id=p.rid(),
        )
    if stage in ("support", "exit"):
        w.create(
            "consent",
            {
                "case_id": case.id,
                "state": ConsentState.GIVEN,
                "given_by": given_by,
                "recorded_on": asked,
                "notes": "",
                "reassess_on": None,
            },
            record_id=p.rid(),
        )


def _actions(w: Writer, p: DemoPanel, case: _Case) -> dict[str, list[str]]:
    """Three to six of the programme's actions, owned by agencies the case is shared with, with
    an update for each one started; their ids by plan heading."""
    rng, prog, today = p.rng, p.prog, p.today
    action_ids: dict[str, list[str]] = {}
    titles = action_titles(prog)
    for title, heading in rng.sample(titles, min(len(titles), rng.randint(3, 6))):
        owner = rng.choice([s for s in p.shorts if p.agency_ids[s] in case.shared] or ["NP"])
        due = today + dt.timedelta(days=rng.randint(-40, 60))
        status = rng.choice(
            [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DONE]
        )
        if case.end == prog.exit_status:
            status = ActionStatus.DONE
        completed = (
            min(today, due + dt.timedelta(days=rng.randint(-10, 5)))
            if status is ActionStatus.DONE
            else None
        )
        aid = w.create(
            "action",
            {
                "case_id": case.id,
                "title": title,
                "owner_agency": p.agency_ids[owner],
                "owner": p.members.get(owner),
                "due": due,
                "status": status,
                "created_on": case.received + dt.timedelta(days=min(case.span, 35)),
                "meeting_id": None,
                "completed_on": completed,
            },
            record_id=p.rid(),
        )
        action_ids.setdefault(heading, []).append(aid)
        if status is not ActionStatus.OPEN:
            w.create(
                "action_update",
                {
                    "action_id": aid,
                    "case_id": case.id,
                    "status": status,
                    "note": "Completed as agreed."
                    if status is ActionStatus.DONE
                    else "Started; first contact made.",
                    "author": p.members.get(owner),
                    "agency_id": p.agency_ids[owner],
                    "at": f"{(completed or today).isoformat()}T12:00:00.000+00:00",
                },
                record_id=p.rid(),
            )
    return action_ids


def _plan(w: Writer, p: DemoPanel, case: _Case, action_ids: dict[str, list[str]]) -> None:
    """The case's plan: an objective under each heading with actions (and some without), most
    plans approved by the chair."""
    rng, prog, today = p.rng, p.prog, p.today
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
            "case_id": case.id,
            "version": 1,
            "risk": to_jsonable(risk_statement(prog)),
            "objectives": to_jsonable(objectives),
            "contingency": str(prog.demo.get("risk", {}).get("contingency", CONTINGENCY)),
            "review_on": today + dt.timedelta(days=rng.randint(5, 40)),
            "author": p.members["LA"],
            "created_on": case.received + dt.timedelta(days=min(case.span, 40)),
            "supersedes": None,
            "approved_by": p.chair if approved else None,
            "approved_on": (case.received + dt.timedelta(days=min(case.span, 45)))
            if approved
            else None,
        },
        record_id=p.rid(),
    )


def _contributions(w: Writer, p: DemoPanel, case: _Case, stage: str) -> None:
    """Up to three agencies' contributions once a case is past referral; those from counter
    terrorism policing and mental health (and a few others) restricted to the police."""
    rng = p.rng
    for _ in range(rng.randint(0, 3) if stage != "referral" else 0):
        src = rng.choice([s for s in p.shorts if p.agency_ids[s] in case.shared] or ["NP"])
        restricted = (
            sorted({p.agency_ids[src], p.agency_ids["NP"]})
            if src in ("CTP", "MHT") or rng.random() < 0.15
            else []
        )
        w.create(
            "contribution",
            {
                "case_id": case.id,
                "agency_id": p.agency_ids[src],
                "author": p.members.get(src),
                "text": rng.choice(CONTRIBUTIONS),
                "recorded_on": case.received + dt.timedelta(days=rng.randint(0, case.span)),
                "marking": Marking.OFFICIAL_SENSITIVE,
                "restricted_to": restricted,
                "kind": "information",
                "supersedes": None,
            },
            record_id=p.rid(),
        )


def _closing(w: Writer, p: DemoPanel, case: _Case, day: dt.date) -> None:
    """The case's next review, its exit (with the post-exit reviews) or its closing, on the day
    of its last status change."""
    prog, end = p.prog, case.end
    changes: dict[str, object] = {}
    if prog.is_reviewed(end):
        changes["next_review"] = p.today + dt.timedelta(days=p.rng.randint(-10, 30))
    if end == prog.exit_status:
        changes["exited_on"] = day
        reviews = rules.post_exit_review_dates(prog, day)
        changes["next_review"] = reviews[0] if reviews else None
    elif prog.status(end).terminal:
        changes["closed"] = day
    if changes:
        w.update("case", case.id, changes)
