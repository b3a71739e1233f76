"""What changed between two versions of an assessment: one rule for the meeting pack's case paper
("What changed") and the desktop's version comparison.

Job: compare two assessments factor by factor (in the framework's order, then any factor the
programme no longer lists), the risk level, the programme's case fields and the overall judgement;
callers only word or lay out the result. Before this module the paper and the screen each had a
copy and disagreed: the paper said nothing of a factor no longer rated, the screen left out factors
the programme no longer lists and counted a judgement changed by whitespace alone.

Pure: no I/O; labels come from the programme (``Framework.*_label``).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.domain import Assessment, FactorRating
from app.models.framework import Framework, split_summaries
from app.models.programme import Programme


@dataclass(frozen=True)
class FactorChange:
    """One factor rated in either version (``None``: not rated in that version)."""

    dimension: str
    factor: str
    dimension_label: str
    factor_label: str
    before: FactorRating | None
    after: FactorRating | None

    @property
    def rating_changed(self) -> bool:
        if self.before is None or self.after is None:
            return True
        return self.before.rating != self.after.rating

    @property
    def changed(self) -> bool:
        """Rating or evidence differ, or the factor is rated in one version only."""
        if self.rating_changed:
            return True
        assert self.before is not None and self.after is not None
        return self.before.evidence.strip() != self.after.evidence.strip()


@dataclass(frozen=True)
class FieldChange:
    """One of the programme's case fields ("Management level") in both versions."""

    field_id: str
    label: str
    before: str  # the choice's full label ("Not recorded" when none)
    after: str
    before_short: str
    after_short: str
    changed: bool


@dataclass(frozen=True)
class AssessmentChanges:
    factors: tuple[FactorChange, ...]
    level_before: str  # risk level ids
    level_after: str
    fields: tuple[FieldChange, ...]
    overall_changed: bool

    @property
    def level_changed(self) -> bool:
        return self.level_before != self.level_after

    def sentences(self, framework: Framework) -> list[str]:
        """The changes in plain sentences, as the meeting pack prints them."""
        out: list[str] = []
        if self.level_changed:
            was = framework.level_label(self.level_before, none="Not assessed")
            now = framework.level_label(self.level_after, none="Not assessed")
            out.append(f"Risk level changed from {was} to {now}.")
        out += [
            f"{f.label} changed from {f.before_short} to {f.after_short}."
            for f in self.fields
            if f.changed
        ]
        for c in self.factors:
            where = f"{c.dimension_label} – {c.factor_label}"
            if c.before is None and c.after is not None:
                out.append(f"{where}: newly rated {framework.rating_label(c.after.rating)}.")
            elif c.after is None and c.before is not None:
                out.append(
                    f"{where}: no longer rated (was {framework.rating_label(c.before.rating)})."
                )
            elif c.rating_changed and c.before is not None and c.after is not None:
                was, now = (framework.rating_label(x.rating) for x in (c.before, c.after))
                out.append(f"{where}: from {was} to {now}.")
        if self.overall_changed:
            out.append("The overall judgement has been revised (below).")
        return out


def _factor_changes(
    framework: Framework, before: Assessment, after: Assessment
) -> list[FactorChange]:
    was = {(f.dimension, f.factor): f for f in before.factors}
    now = {(f.dimension, f.factor): f for f in after.factors}
    listed = framework.factor_ids()
    unlisted = [k for k in (*now, *was) if k not in set(listed)]
    order = listed + list(dict.fromkeys(unlisted))
    return [
        FactorChange(
            dim,
            fac,
            framework.dimension_label(dim),
            framework.factor_label(dim, fac),
            was.get((dim, fac)),
            now.get((dim, fac)),
        )
        for dim, fac in order
        if (dim, fac) in was or (dim, fac) in now
    ]


def _field_changes(
    programme: Programme, before: Assessment, after: Assessment
) -> list[FieldChange]:
    if not programme.case_fields:
        return []
    was, now = (
        programme.case_field_values(split_summaries(a.dimension_summaries).case_fields)
        for a in (before, after)
    )
    return [
        FieldChange(
            b.field.id, b.field.label, b.label, a.label, b.short, a.short, b.choice != a.choice
        )
        for b, a in zip(was, now, strict=True)
    ]


def assessment_changes(
    programme: Programme, before: Assessment, after: Assessment
) -> AssessmentChanges:
    """What changed from ``before`` to ``after`` (two versions of one case's assessment)."""
    return AssessmentChanges(
        factors=tuple(_factor_changes(programme.framework, before, after)),
        level_before=before.risk_level,
        level_after=after.risk_level,
        fields=tuple(_field_changes(programme, before, after)),
        overall_changed=before.overall.strip() != after.overall.strip(),
    )


__all__ = ["AssessmentChanges", "FactorChange", "FieldChange", "assessment_changes"]
