"""What changed between two versions of an assessment: one rule for the meeting pack's case paper
("What changed") and the desktop's version comparison.

Job: compare two assessments factor by factor (in the framework's order, then any factor the
programme no longer lists), the risk level, the programme's case fields and the overall judgement;
callers only word or lay out the result. Before this module the paper and the screen each had a
copy and disagreed: the paper said nothing of a factor no longer rated, the screen left out factors
the programme no longer lists and counted a judgement changed by whitespace alone.

Pure: no I/O; labels come from the programme (``Framework.*_label``), each version's from the
framework it was recorded with.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.domain import Assessment, FactorRating
from app.models.framework import Framework, split_summaries
from app.models.programme import Programme


@dataclass(frozen=True)
class FactorChange:
    """One factor rated in either version (``None``: not rated in that version). Each side is
    worded by the framework its version was recorded with (a programme's two checklists ask the
    same question in their own words): ``before_label``/``after_label`` ("" where that side's
    framework does not list the factor); ``factor_label`` and ``dimension_label`` are the later
    version's words where its framework lists the factor, else the earlier's."""

    dimension: str
    factor: str
    dimension_label: str
    factor_label: str
    before: FactorRating | None
    after: FactorRating | None
    before_label: str = ""
    after_label: str = ""

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
    framework_before: Framework  # the framework each version was recorded with
    framework_after: Framework

    @property
    def level_changed(self) -> bool:
        return self.level_before != self.level_after

    def sentences(self) -> list[str]:
        """The changes in plain sentences, as the meeting pack prints them; each side in its own
        framework's words."""
        out: list[str] = []
        fw_was, fw_now = self.framework_before, self.framework_after
        if fw_was.id != fw_now.id:
            out.append(f"Recorded with the {fw_now.name.lower()}, after the {fw_was.name.lower()}.")
        if self.level_changed:
            was = fw_was.level_label(self.level_before, none="Not assessed")
            now = fw_now.level_label(self.level_after, none="Not assessed")
            out.append(f"Risk level changed from {was} to {now}.")
        out += [
            f"{f.label} changed from {f.before_short} to {f.after_short}."
            for f in self.fields
            if f.changed
        ]
        for c in self.factors:
            where = f"{c.dimension_label} – {c.factor_label}"
            if c.before is None and c.after is not None:
                out.append(f"{where}: newly rated {fw_now.rating_label(c.after.rating)}.")
            elif c.after is None and c.before is not None:
                out.append(
                    f"{where}: no longer rated (was {fw_was.rating_label(c.before.rating)})."
                )
            elif c.rating_changed and c.before is not None and c.after is not None:
                was, now = fw_was.rating_label(c.before.rating), fw_now.rating_label(c.after.rating)
                out.append(f"{where}: from {was} to {now}.")
        if self.overall_changed:
            out.append("The overall judgement has been revised (below).")
        return out


def _factor_changes(
    fw_before: Framework, fw_after: Framework, before: Assessment, after: Assessment
) -> list[FactorChange]:
    was = {(f.dimension, f.factor): f for f in before.factors}
    now = {(f.dimension, f.factor): f for f in after.factors}
    listed_after, listed_before = fw_after.factor_ids(), fw_before.factor_ids()
    listed = list(dict.fromkeys([*listed_after, *listed_before]))
    unlisted = [k for k in (*now, *was) if k not in set(listed)]
    order = listed + list(dict.fromkeys(unlisted))
    out = []
    for dim, fac in order:
        if (dim, fac) not in was and (dim, fac) not in now:
            continue
        own_before = fw_before.factor_label(dim, fac) if (dim, fac) in listed_before else ""
        own_after = fw_after.factor_label(dim, fac) if (dim, fac) in listed_after else ""
        shown = fw_after if own_after or not own_before else fw_before
        out.append(FactorChange(
            dim, fac, shown.dimension_label(dim), own_after or own_before or fac,
            was.get((dim, fac)), now.get((dim, fac)), own_before, own_after,
        ))  # fmt: skip
    return out


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
    """What changed from ``before`` to ``after`` (two versions of one case's assessment), each
    read with the framework it was recorded with (``Programme.framework_of``)."""
    fw_before, fw_after = (
        programme.framework_of(split_summaries(a.dimension_summaries)) for a in (before, after)
    )
    return AssessmentChanges(
        factors=tuple(_factor_changes(fw_before, fw_after, before, after)),
        level_before=before.risk_level,
        level_after=after.risk_level,
        fields=tuple(_field_changes(programme, before, after)),
        overall_changed=before.overall.strip() != after.overall.strip(),
        framework_before=fw_before,
        framework_after=fw_after,
    )


__all__ = ["AssessmentChanges", "FactorChange", "FieldChange", "assessment_changes"]
