"""A programme's assessment framework: dimensions of factors, ratings, risk levels, checklist
thresholds, the labels of each, and the keys an assessment's summaries hold beside dimension ids.

A framework is of one of two kinds. ``rated``: dimensions of factors, each rated on a scale; the
risk level is a professional judgement. ``checklist``: questions answered from a short list (yes,
no, not known); thresholds on the number of counting answers *suggest* a level, which the
professional confirms or overrides with a recorded reason. Both are held in the same shape
(a checklist is one dimension whose factors are the questions and whose ratings are the answers)
so that everything that shows or exchanges an assessment works for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.models.errors import InvalidInput


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


RATED = "rated"
CHECKLIST = "checklist"
FRAMEWORK_KINDS = (RATED, CHECKLIST)
CHECKLIST_DIMENSION = "questions"  # the one dimension a checklist's questions sit in

# Agreed keys in an assessment's ``dimension_summaries`` beside the dimension ids (no dimension
# may use them): why the chosen level differs from the one a checklist suggested, the level it
# suggested, and the programme's case fields ("field:<id>") recorded with that version.
LEVEL_REASON_KEY = "level-reason"
SUGGESTED_LEVEL_KEY = "suggested-level"
FRAMEWORK_KEY = "framework"  # the id of the framework a version was recorded with (not the main one)
CASE_FIELD_PREFIX = "field:"


@dataclass(frozen=True)
class Threshold:
    """At least ``at_least`` counting answers suggest the risk level ``level``."""

    at_least: int
    level: str


@dataclass(frozen=True)
class Framework:
    name: str
    dimensions: tuple[Dimension, ...]
    ratings: tuple[Rating, ...]
    risk_levels: tuple[RiskLevel, ...]
    kind: str = RATED
    counted: frozenset[str] = frozenset()  # checklist: the answers that count (e.g. "yes")
    thresholds: tuple[Threshold, ...] = ()
    # checklist: may professional judgement choose a level below the one the answers suggest?
    # (SafeLives: judgement may raise a MARAC level, never lower it below the checklist's result)
    judgement_may_lower: bool = True
    # a programme with more than one framework ([[other_frameworks]]) names each one, and may say
    # the ages it is for (the young people's checklist: 13 to 17), chosen by the subject's age
    id: str = ""
    ages: tuple[int, int] | None = None

    def covers_age(self, age: int | None) -> bool:
        return self.ages is not None and age is not None and self.ages[0] <= age <= self.ages[1]

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in FRAMEWORK_KINDS:
            problems.append(
                f"framework kind {self.kind!r} is not one of {', '.join(FRAMEWORK_KINDS)}"
            )
        reserved = {LEVEL_REASON_KEY, SUGGESTED_LEVEL_KEY, FRAMEWORK_KEY}
        for d in self.dimensions:
            if d.id in reserved or d.id.startswith(CASE_FIELD_PREFIX):
                problems.append(f"dimension id {d.id!r} is reserved")
        if not self.risk_levels:
            problems.append("the framework has no risk levels")
        levels = {r.id for r in self.risk_levels}
        answers = {r.id for r in self.ratings}
        if self.kind == CHECKLIST:
            n = len(self.factor_ids())
            if not n:
                problems.append("a checklist has no questions")
            if not self.counted or not self.counted <= answers:
                problems.append("a checklist needs at least one known answer that counts")
            for t in self.thresholds:
                if t.level not in levels:
                    problems.append(f"threshold level {t.level!r} unknown")
                if not 0 < t.at_least <= n:
                    problems.append(f"threshold {t.at_least} is not between 1 and {n}")
        elif self.thresholds or self.counted or not self.judgement_may_lower:
            problems.append(
                "only a checklist framework has thresholds, counting answers and a judgement rule"
            )
        if problems:
            raise InvalidInput("The programme's framework is not valid: " + "; ".join(problems))

    @property
    def is_checklist(self) -> bool:
        return self.kind == CHECKLIST

    def count(self, answers: Iterable[str]) -> int:
        """How many of the given answers (rating ids) count towards the thresholds."""
        return sum(1 for a in answers if a in self.counted)

    def suggested_level(self, answers: Iterable[str]) -> RiskLevel | None:
        """The level the checklist suggests for these answers: the highest-ranked level whose
        threshold is met, else None. A suggestion only: the professional chooses the level."""
        n = self.count(answers)
        met = [self.risk_level(t.level) for t in self.thresholds if n >= t.at_least]
        return max(met, key=lambda r: r.rank) if met else None

    def lowest_allowed(self, answers: Iterable[str]) -> RiskLevel | None:
        """The lowest level a person may choose for these answers: the suggested level where
        judgement may not lower it, else None (any level may be chosen)."""
        if self.judgement_may_lower:
            return None
        return self.suggested_level(answers)

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

    # --- labels: what every report and screen prints for an id (the id itself for one the
    # programme no longer lists, so an old assessment still reads) ---------------------------------
    def dimension_label(self, dimension_id: str) -> str:
        return next((d.label for d in self.dimensions if d.id == dimension_id), dimension_id)

    def factor_label(self, dimension_id: str, factor_id: str) -> str:
        dim = next((d for d in self.dimensions if d.id == dimension_id), None)
        return next((f.label for f in dim.factors if f.id == factor_id), factor_id) if dim else factor_id

    def rating_label(self, rating_id: str) -> str:
        return next((r.label for r in self.ratings if r.id == rating_id), rating_id)

    def level_label(self, level_id: str | None, *, none: str = "") -> str:
        """A risk level's label ("Very high"); ``none`` for no level."""
        if not level_id:
            return none
        return next((r.label for r in self.risk_levels if r.id == level_id), level_id)


@dataclass(frozen=True)
class AssessmentNotes:
    """An assessment's ``dimension_summaries`` read apart: the summaries of the framework's
    dimensions, and the agreed extra keys (see ``LEVEL_REASON_KEY``)."""

    summaries: tuple[tuple[str, str], ...]
    level_reason: str = ""
    suggested_level: str = ""
    case_fields: tuple[tuple[str, str], ...] = ()
    framework: str = ""  # the framework the version was recorded with, when not the main one


def split_summaries(pairs: Iterable[tuple[str, str]]) -> AssessmentNotes:
    summaries, fields = [], []
    reason = suggested = framework = ""
    for key, value in pairs:
        if key == FRAMEWORK_KEY:
            framework = value
        elif key == LEVEL_REASON_KEY:
            reason = value
        elif key == SUGGESTED_LEVEL_KEY:
            suggested = value
        elif key.startswith(CASE_FIELD_PREFIX):
            fields.append((key.removeprefix(CASE_FIELD_PREFIX), value))
        else:
            summaries.append((key, value))
    return AssessmentNotes(tuple(summaries), reason, suggested, tuple(fields), framework)


def join_summaries(notes: AssessmentNotes) -> list[tuple[str, str]]:
    out = list(notes.summaries)
    out += [(CASE_FIELD_PREFIX + k, v) for k, v in notes.case_fields]
    if notes.suggested_level:
        out.append((SUGGESTED_LEVEL_KEY, notes.suggested_level))
    if notes.level_reason:
        out.append((LEVEL_REASON_KEY, notes.level_reason))
    if notes.framework:
        out.append((FRAMEWORK_KEY, notes.framework))
    return out
