"""What the demo panel draws from beside the word lists of ``demo_data``: the programme's own
demo texts (with defaults), how common each stage is, and the pieces of an assessment, a status
change and a meeting's minutes. Pure: every random choice comes from the ``rng`` passed in, so
the demo stays deterministic for a seed.
"""

from __future__ import annotations

import random

from app.models.domain import FactorRating, RiskStatement
from app.models.enums import AgendaKind
from app.models.framework import Framework
from app.models.ids import AgencyId
from app.models.programme import Programme
from app.services.demo_data import ACTION_TITLES, CONTRIBUTIONS

STAGE_WEIGHT = {
    "referral": 6,
    "screening": 8,
    "gathering": 10,
    "panel": 10,
    "support": 15,
    "exit": 10,
    "closed": 6,
}
CONTINGENCY = (
    "If risk rises, the lead agency convenes an urgent professionals meeting within 48 hours "
    "and police are informed the same day."
)
RISK = RiskStatement(
    nature="Being drawn into support for violence, with some fixation on previous attackers.",
    who_at_risk="Peers at school, minority communities, and the person themself.",
    imminence="Not imminent; could rise quickly after a trigger event.",
    increases="Isolation, online immersion, conflict at home, loss of education placement.",
    decreases="Mentoring, structured activities, family engagement, mental health support.",
    protective="Close relationship with grandmother; interest in football; engaged tutor.",
)


def texts(prog: Programme, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(prog.demo.get(key, ())) or default


def risk_statement(prog: Programme) -> RiskStatement:
    given = prog.demo.get("risk", {})
    fields = ("nature", "who_at_risk", "imminence", "increases", "decreases", "protective")
    return RiskStatement(**{f: str(given.get(f, getattr(RISK, f))) for f in fields})


def action_titles(prog: Programme) -> tuple[tuple[str, str], ...]:
    """(title, plan heading id) pairs: the programme's demo actions, else the built-in ones that
    fit its headings, else one per heading."""
    given = tuple((a["title"], a["heading"]) for a in prog.demo.get("actions", ()))
    if given:
        return given
    headings = {h.id for h in prog.plan_headings}
    if all(h in headings for _, h in ACTION_TITLES):
        return ACTION_TITLES
    return tuple((f"Agree the next step: {h.label.lower()}", h.id) for h in prog.plan_headings)


def demo_ratings(
    rng: random.Random,
    prog: Programme,
    risk: str,
    rank: dict[str, int],
    ratings: list[str],
    agency_ids: dict[str, str],
    shorts: list[str],
) -> tuple[list[FactorRating], dict[str, str]]:
    factors = [
        FactorRating(
            d.id,
            f.id,
            # Ratings lean with the judged level, as a panel's would (never a score).
            ratings[max(0, min(len(ratings) - 1, rank[risk] - 1 + rng.choice([-1, 0, 0, 1])))],
            rng.choice(CONTRIBUTIONS),
            AgencyId(agency_ids[rng.choice(shorts)]),
        )
        for d in prog.framework.dimensions
        for f in d.factors
    ]
    return factors, {}


def demo_checklist(
    rng: random.Random,
    prog: Programme,
    risk: str,
    agency_ids: dict[str, str],
    shorts: list[str],
    framework: Framework | None = None,
) -> tuple[list[FactorRating], str, dict[str, str]]:
    """Answers that fit the judged level: enough counting answers to meet its threshold, or too
    few to meet any; the level the checklist then suggests is usually the one chosen, and now and
    then a professional overrides it, with a reason. ``framework``: one of the programme's
    other checklists (the young people's), else the main one."""
    fw = framework or prog.framework
    questions = fw.factor_ids()
    counted = sorted(fw.counted)
    others = [r.id for r in fw.ratings if r.id not in fw.counted]
    meets = [t.at_least for t in fw.thresholds if t.level == risk]
    lowest = min((t.at_least for t in fw.thresholds), default=len(questions) + 1)
    n_yes = rng.randint(min(meets), len(questions)) if meets else rng.randint(0, max(0, lowest - 1))
    yes = set(rng.sample(range(len(questions)), n_yes))
    factors = [
        FactorRating(
            d,
            q,
            rng.choice(counted) if i in yes else rng.choice([*others, *others[:1]] or counted),
            rng.choice(CONTRIBUTIONS) if i in yes else "",
            AgencyId(agency_ids[rng.choice(shorts)]) if i in yes else None,
        )
        for i, (d, q) in enumerate(questions)
    ]
    suggested = fw.suggested_level(f.rating for f in factors)
    extra = {"suggested": suggested.id if suggested else ""}
    if suggested is not None:
        risk = suggested.id
        if rng.random() < 0.1 and fw.judgement_may_lower:
            lower = [r for r in fw.risk_levels if r.rank < suggested.rank]
            if lower:
                risk = max(lower, key=lambda r: r.rank).id
                extra["reason"] = (
                    "Several answers describe one incident now dealt with by a court order; "
                    "agencies agree the current risk is lower than the count suggests."
                )
    return factors, risk, extra


# Why a screening outcome was chosen, where the programme's demo data gives no reason of its own
# (``[demo.screening_reasons]``, by outcome id): said in words, never the outcome's label again.
SCREENING_REASON = (
    "Checked against the criteria with what the agencies hold; the reasons are in the referral "
    "and the agencies' replies."
)


def rationale(prog: Programme, source: str | None, target: str) -> str:
    """Why the step was taken: the programme's demo reason for its screening outcome, else the
    words of its transition."""
    if source is not None and prog.status(source).stage == "screening":
        outcome = next((o for o in prog.screening_outcomes if o.target == target), None)
        if outcome is not None:
            return str(prog.demo.get("screening_reasons", {}).get(outcome.id, SCREENING_REASON))
    label = next(
        (t.label for t in prog.transitions if t.source == source and t.target == target), ""
    )
    return f"{label}." if label else "Recorded by the coordinator."


MINUTES = {
    AgendaKind.NEW_REFERRAL: (
        "Agencies shared what they hold; the person is vulnerable and the concern is credible.",
        "Adopt the case and seek consent for support.",
        "Vulnerability can be reduced by support; no agency holds information against adoption.",
    ),
    AgendaKind.REVIEW: (
        "Agencies updated the panel; engagement with the mentor is improving.",
        "Continue support; review at the next meeting.",
        "Vulnerability remains; support is proportionate and consented.",
    ),
    AgendaKind.EXIT: (
        "Risk much reduced; protective factors in place.",
        "Exit the case, with post-exit reviews at 6 and 12 months.",
        "Objectives met; no new concerns from any agency.",
    ),
    AgendaKind.POST_EXIT_REVIEW: (
        "No new concerns reported by any agency since exit.",
        "Post-exit review completed; no return of risk.",
        "All agencies report stable circumstances.",
    ),
    AgendaKind.OTHER: ("", "", ""),
}


