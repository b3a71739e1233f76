"""Reading a programme's parsed definition (TOML or JSON) into a validated :class:`Programme`.

Each table of the definition is read by its own step; a missing or malformed entry is refused
with one sentence naming it, and the programme then checks itself as a whole on construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.models.case_fields import CaseField, Choice
from app.models.enums import Role
from app.models.errors import InvalidInput
from app.models.framework import (
    CHECKLIST,
    CHECKLIST_DIMENSION,
    RATED,
    Dimension,
    Factor,
    Framework,
    Rating,
    RiskLevel,
    Threshold,
)
from app.models.programme import (
    DEFAULT_AGENDA_LABELS,
    AgendaOrder,
    ChairRule,
    Intervals,
    LinkedRole,
    PlanHeading,
    Programme,
    ScreeningOutcome,
    Status,
    Transition,
)
from app.models.transfer import transfer_rule


def _days(value: Any) -> int | None:
    return None if value is None else int(value)


def _req(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise InvalidInput(f"The programme definition is missing {where}.{key}.")
    return d[key]


def programme_from_dict(d: Mapping[str, Any]) -> Programme:
    """Build and validate a programme from its parsed definition (TOML or JSON)."""
    try:
        return _programme(d)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"The programme definition is not valid ({exc}).") from exc


def _programme(d: Mapping[str, Any]) -> Programme:
    """The programme, its tables read in the order they were always read (so that, of several
    faults, the same one is reported first)."""
    statuses = _statuses(d)
    transitions = _transitions(d)
    outcomes = tuple(
        ScreeningOutcome(id=o["id"], label=o["label"], target=o["to"], retention=o["retention"])
        for o in _req(d, "screening_outcomes", "programme")
    )
    framework = _framework(_req(d, "framework", "programme"))
    intervals = _intervals(_req(d, "intervals", "programme"))
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
        sectors=_choices(d, "sectors"),
        concerns=_choices(d, "concerns"),
        confidentiality_statement=_req(d, "confidentiality_statement", "programme"),
        exit_status=_req(d, "exit_status", "programme"),
        adopted_status=_req(d, "adopted_status", "programme"),
        panel_statuses=frozenset(d.get("panel_statuses", ())),
        statistics=dict(d.get("statistics", {})),
        case_fields=tuple(_case_field(cf) for cf in d.get("case_fields", ())),
        records_consent=bool(d.get("records_consent", True)),
        agenda_labels={
            str(k): (str(v["section"]), str(v["item"]))
            for k, v in d.get("agenda_labels", {}).items()
            if k in DEFAULT_AGENDA_LABELS
        },
        demo=dict(d.get("demo", {})),
        chair=_chair_rule(d.get("chair", {})),
        agenda_order=_agenda_order(d.get("agenda", {})),
        confidentiality_signed=bool(d.get("confidentiality_signed", False)),
        other_frameworks=tuple(_framework(f) for f in d.get("other_frameworks", ())),
        linked_roles=tuple(_linked_role(r) for r in d.get("linked_roles", ())),
        transfer=transfer_rule(d.get("transfer", {})),
        welsh=welsh_texts(d),
    )


WELSH_SUFFIX = "_cy"


def welsh_texts(d: Mapping[str, Any]) -> dict[str, str]:
    """Every ``X_cy`` of the definition, in any table, keyed by the English ``X`` beside it.

    ``label_cy`` without a ``label`` beside it, or one English text given two different Welsh
    texts in the same programme, is refused: a document must not print either of two Welsh
    words for one English one."""
    found: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, f"{where}[{i}]")
            return
        if not isinstance(node, Mapping):
            return
        for key, value in node.items():
            if isinstance(key, str) and key.endswith(WELSH_SUFFIX) and isinstance(value, str):
                english = node.get(key.removesuffix(WELSH_SUFFIX))
                if not isinstance(english, str):
                    raise InvalidInput(
                        f"The programme definition has {where}.{key} with no English "
                        f"{key.removesuffix(WELSH_SUFFIX)} beside it."
                    )
                if found.get(english, value) != value:
                    raise InvalidInput(
                        f"The programme definition gives “{english}” two Welsh texts "
                        f"(“{found[english]}” and “{value}”)."
                    )
                if value.strip():
                    found[english] = value
            else:
                walk(value, f"{where}.{key}")

    walk(d, "programme")
    return found


def _statuses(d: Mapping[str, Any]) -> tuple[Status, ...]:
    return tuple(
        Status(
            id=s["id"],
            label=s["label"],
            stage=s.get("stage", "panel"),
            terminal=bool(s.get("terminal", False)),
            open_case=bool(s.get("open", not s.get("terminal", False))),
            consent=str(s.get("consent", "")),
            review_days=_days(s.get("review_days")),
            held_by=str(s.get("held_by", {}).get("label", "")),
            short=str(s.get("short", "")),
            held_by_sectors=tuple(str(x) for x in s.get("held_by", {}).get("sectors", ())),
            due_working_days=_days(s.get("due_working_days")),
        )
        for s in _req(d, "statuses", "programme")
    )


def _transitions(d: Mapping[str, Any]) -> tuple[Transition, ...]:
    return tuple(
        Transition(
            source=t["from"],
            target=t["to"],
            roles=frozenset(Role(r) for r in t["roles"]),
            label=t.get("label", t["to"]),
            requires_rationale=bool(t.get("rationale", True)),
            panel_decision=bool(t.get("panel_decision", False)),
        )
        for t in _req(d, "transitions", "programme")
    )


def _intervals(iv: Mapping[str, Any]) -> Intervals:
    return Intervals(
        screening_target_working_days=int(iv["screening_target_working_days"]),
        review_interval_days=int(iv["review_interval_days"]),
        post_exit_review_months=tuple(int(m) for m in iv["post_exit_review_months"]),
        consent_reassess_days=int(iv.get("consent_reassess_days", 90)),
        repeat_referral_months=(
            int(iv["repeat_referral_months"]) if "repeat_referral_months" in iv else None
        ),
        post_exit_from=str(iv.get("post_exit_from", "exit")),
    )


def _choices(d: Mapping[str, Any], key: str) -> tuple[Choice, ...]:
    return tuple(
        Choice(id=c["id"], label=c["label"], aliases=tuple(c.get("aliases", ())))
        for c in _req(d, key, "programme")
    )


def _case_field(cf: Mapping[str, Any]) -> CaseField:
    return CaseField(
        id=cf["id"],
        label=cf["label"],
        choices=tuple(
            Choice(id=c["id"], label=c["label"], review_days=_days(c.get("review_days")))
            for c in cf.get("choices", ())
        ),
        required=bool(cf.get("required", False)),
        guidance=cf.get("guidance", ""),
        short=str(cf.get("short", "")),
        kind=str(cf.get("kind", "choice")),
        proposes_status=str(cf.get("proposes_status", "")),
        ended=str(cf.get("ended", "")),
        retention_from=bool(cf.get("retention_from", False)),
    )


def _linked_role(r: Mapping[str, Any]) -> LinkedRole:
    return LinkedRole(
        id=str(r["id"]),
        label=str(r["label"]),
        plural=str(r.get("plural", "")),
        guidance=str(r.get("guidance", "")),
        repeat=bool(r.get("repeat", False)),
    )


def _agenda_order(d: Mapping[str, Any]) -> AgendaOrder:
    unknown = set(d) - {"order_by_case_field"}
    if unknown:
        raise InvalidInput(f"The programme's [agenda] table has unknown keys: {', '.join(sorted(unknown))}.")
    rule = d.get("order_by_case_field")
    if rule is None:
        return AgendaOrder()
    first = rule.get("first", [])
    if not isinstance(first, list):
        raise InvalidInput("The programme's agenda order must list its first choices.")
    return AgendaOrder(field=str(rule["field"]), first=tuple(str(x) for x in first))


def _chair_rule(d: Mapping[str, Any]) -> ChairRule:
    unknown = set(d) - {"agendas", "statuses"}
    if unknown:
        raise InvalidInput(f"The programme's [chair] table has unknown keys: {', '.join(sorted(unknown))}.")
    statuses = d.get("statuses", [])
    if not isinstance(statuses, list):
        raise InvalidInput("The programme's chair.statuses must be a list of status ids.")
    return ChairRule(agendas=bool(d.get("agendas", False)), statuses=frozenset(str(x) for x in statuses))


def _framework(fw: Mapping[str, Any]) -> Framework:
    """A rated framework (dimensions, factors, ratings) or a checklist (questions, answers,
    thresholds), both held as dimensions of factors rated on a scale."""
    kind = fw.get("kind", RATED)
    levels = tuple(  # lowest rank first, whatever the file's order: every list and sort follows it
        sorted(
            (RiskLevel(id=r["id"], label=r["label"], rank=int(r["rank"])) for r in fw["risk_levels"]),
            key=lambda r: r.rank,
        )
    )
    if kind == CHECKLIST:
        questions = tuple(
            Factor(id=q["id"], label=q["label"], guidance=q.get("guidance", ""))
            for q in fw["questions"]
        )
        return Framework(
            name=fw["name"],
            dimensions=(
                Dimension(
                    id=CHECKLIST_DIMENSION,
                    label=fw.get("questions_label", "Questions"),
                    guidance=fw.get("guidance", ""),
                    factors=questions,
                ),
            ),
            ratings=tuple(
                Rating(id=a["id"], label=a["label"], rank=1 if a.get("counts") else 0)
                for a in fw["answers"]
            ),
            risk_levels=levels,
            kind=kind,
            counted=frozenset(a["id"] for a in fw["answers"] if a.get("counts")),
            thresholds=tuple(
                Threshold(at_least=int(t["at_least"]), level=t["level"])
                for t in fw.get("thresholds", ())
            ),
            judgement_may_lower=bool(fw.get("judgement_may_lower", True)),
            id=str(fw.get("id", "")),
            ages=_ages(fw.get("ages")),
        )
    return Framework(
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
        risk_levels=levels,
        kind=kind,
        id=str(fw.get("id", "")),
        ages=_ages(fw.get("ages")),
    )


def _ages(value: Any) -> tuple[int, int] | None:
    """``ages = [13, 17]``: the ages (inclusive) a framework is for."""
    if value is None:
        return None
    lo, hi = (int(v) for v in value)
    if not 0 <= lo <= hi:
        raise InvalidInput("A framework's ages must be [youngest, oldest].")
    return lo, hi
