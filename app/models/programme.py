"""A programme definition: the panel's lifecycle, framework, plan headings, intervals and lists.

Programmes are data (``resources/programmes/*.toml``); ``app.config.programmes`` reads the files and
calls :func:`programme_from_dict`. Code asks a ``Programme`` questions and never tests its name.
Invariant: a ``Programme`` is validated on construction (every transition names known statuses and
roles, every screening outcome leads to a known status).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.models.enums import Role
from app.models.errors import InvalidInput


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    stage: str  # referral | screening | gathering | panel | support | exit | closed
    terminal: bool = False
    open_case: bool = True  # counts as an active case on dashboards


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[Role]
    label: str
    requires_rationale: bool = True


@dataclass(frozen=True)
class ScreeningOutcome:
    id: str
    label: str
    target: str  # status the case moves to
    retention: str  # retention class key


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    guidance: str


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    guidance: str
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class Rating:
    id: str
    label: str
    rank: int


@dataclass(frozen=True)
class RiskLevel:
    id: str
    label: str
    rank: int


@dataclass(frozen=True)
class Framework:
    name: str
    dimensions: tuple[Dimension, ...]
    ratings: tuple[Rating, ...]
    risk_levels: tuple[RiskLevel, ...]

    def rating(self, rating_id: str) -> Rating:
        for r in self.ratings:
            if r.id == rating_id:
                return r
        raise InvalidInput("That rating is not on the programme's scale.")

    def risk_level(self, level_id: str) -> RiskLevel:
        for r in self.risk_levels:
            if r.id == level_id:
                return r
        raise InvalidInput("That risk level is not one the programme knows.")

    def factor_ids(self) -> list[tuple[str, str]]:
        return [(d.id, f.id) for d in self.dimensions for f in d.factors]


@dataclass(frozen=True)
class PlanHeading:
    id: str
    label: str
    guidance: str


@dataclass(frozen=True)
class Intervals:
    screening_target_working_days: int
    review_interval_days: int
    post_exit_review_months: tuple[int, ...]
    consent_reassess_days: int


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Programme:
    id: str
    name: str
    panel_label: str
    statuses: tuple[Status, ...]
    initial_status: str
    transitions: tuple[Transition, ...]
    screening_outcomes: tuple[ScreeningOutcome, ...]
    framework: Framework
    plan_headings: tuple[PlanHeading, ...]
    intervals: Intervals
    retention_years: Mapping[str, int]
    sectors: tuple[Choice, ...]
    concerns: tuple[Choice, ...]
    confidentiality_statement: str
    exit_status: str
    adopted_status: str
    panel_statuses: frozenset[str] = field(default_factory=frozenset)
    statistics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = {s.id for s in self.statuses}
        problems = []
        if self.initial_status not in ids:
            problems.append(f"initial status {self.initial_status!r} unknown")
        for t in self.transitions:
            if t.source not in ids or t.target not in ids:
                problems.append(f"transition {t.source}->{t.target} names an unknown status")
        for o in self.screening_outcomes:
            if o.target not in ids:
                problems.append(f"screening outcome {o.id} leads to unknown status {o.target}")
            if o.retention not in self.retention_years:
                problems.append(f"screening outcome {o.id} has unknown retention {o.retention}")
        for s in (self.exit_status, self.adopted_status, *self.panel_statuses):
            if s not in ids:
                problems.append(f"status {s!r} unknown")
        if problems:
            raise InvalidInput("The programme definition is not valid: " + "; ".join(problems))

    def status(self, status_id: str) -> Status:
        for s in self.statuses:
            if s.id == status_id:
                return s
        raise InvalidInput("That status is not part of the programme.")

    def status_label(self, status_id: str) -> str:
        try:
            return self.status(status_id).label
        except InvalidInput:
            return status_id

    def screening_outcome(self, outcome_id: str) -> ScreeningOutcome:
        for o in self.screening_outcomes:
            if o.id == outcome_id:
                return o
        raise InvalidInput("That screening outcome is not part of the programme.")

    def sector(self, text: str) -> Choice | None:
        return self._sector_index.get(_norm(text))

    def concern(self, text: str) -> Choice | None:
        return self._concern_index.get(_norm(text))

    @cached_property
    def _sector_index(self) -> dict[str, Choice]:
        return _choice_index(self.sectors)

    @cached_property
    def _concern_index(self) -> dict[str, Choice]:
        return _choice_index(self.concerns)


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _choice_index(choices: tuple[Choice, ...]) -> dict[str, Choice]:
    """Every spelling of every choice, normalised; the first choice to claim a spelling keeps it."""
    index: dict[str, Choice] = {}
    for c in choices:
        for key in (_norm(c.id), _norm(c.label), *(_norm(a) for a in c.aliases)):
            if key:
                index.setdefault(key, c)
    return index


def _req(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise InvalidInput(f"The programme definition is missing {where}.{key}.")
    return d[key]


def programme_from_dict(d: Mapping[str, Any]) -> Programme:
    """Build and validate a programme from its parsed definition (TOML or JSON)."""
    try:
        statuses = tuple(
            Status(
                id=s["id"],
                label=s["label"],
                stage=s.get("stage", "panel"),
                terminal=bool(s.get("terminal", False)),
                open_case=bool(s.get("open", not s.get("terminal", False))),
            )
            for s in _req(d, "statuses", "programme")
        )
        transitions = tuple(
            Transition(
                source=t["from"],
                target=t["to"],
                roles=frozenset(Role(r) for r in t["roles"]),
                label=t.get("label", t["to"]),
                requires_rationale=bool(t.get("rationale", True)),
            )
            for t in _req(d, "transitions", "programme")
        )
        outcomes = tuple(
            ScreeningOutcome(id=o["id"], label=o["label"], target=o["to"], retention=o["retention"])
            for o in _req(d, "screening_outcomes", "programme")
        )
        fw = _req(d, "framework", "programme")
        framework = Framework(
            name=fw["name"],
            dimensions=tuple(
                Dimension(
                    id=dim["id"],
                    label=dim["label"],
                    guidance=dim.get("guidance", ""),
                    factors=tuple(
                        Factor(id=f["id"], label=f["label"], guidance=f.get("guidance", ""))
                        for f in dim["factors"]
                    ),
                )
                for dim in fw["dimensions"]
            ),
            ratings=tuple(
                Rating(id=r["id"], label=r["label"], rank=int(r["rank"])) for r in fw["ratings"]
            ),
            risk_levels=tuple(
                RiskLevel(id=r["id"], label=r["label"], rank=int(r["rank"]))
                for r in fw["risk_levels"]
            ),
        )
        iv = _req(d, "intervals", "programme")
        intervals = Intervals(
            screening_target_working_days=int(iv["screening_target_working_days"]),
            review_interval_days=int(iv["review_interval_days"]),
            post_exit_review_months=tuple(int(m) for m in iv["post_exit_review_months"]),
            consent_reassess_days=int(iv.get("consent_reassess_days", 90)),
        )

        def choices(key: str) -> tuple[Choice, ...]:
            return tuple(
                Choice(id=c["id"], label=c["label"], aliases=tuple(c.get("aliases", ())))
                for c in _req(d, key, "programme")
            )

        return Programme(
            id=_req(d, "id", "programme"),
            name=_req(d, "name", "programme"),
            panel_label=d.get("panel_label", d["name"]),
            statuses=statuses,
            initial_status=_req(d, "initial_status", "programme"),
            transitions=transitions,
            screening_outcomes=outcomes,
            framework=framework,
            plan_headings=tuple(
                PlanHeading(id=h["id"], label=h["label"], guidance=h.get("guidance", ""))
                for h in _req(d, "plan_headings", "programme")
            ),
            intervals=intervals,
            retention_years={k: int(v) for k, v in _req(d, "retention_years", "programme").items()},
            sectors=choices("sectors"),
            concerns=choices("concerns"),
            confidentiality_statement=_req(d, "confidentiality_statement", "programme"),
            exit_status=_req(d, "exit_status", "programme"),
            adopted_status=_req(d, "adopted_status", "programme"),
            panel_statuses=frozenset(d.get("panel_statuses", ())),
            statistics=dict(d.get("statistics", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"The programme definition is not valid ({exc}).") from exc
