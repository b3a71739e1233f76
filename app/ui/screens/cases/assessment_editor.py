"""The editor for a new assessment version: one row per factor (rating, evidence, source agency),
the programme's case details, a summary per dimension, and the overall judgement.

Invariants: the risk level is always chosen by a person (never computed, never preselected); a new
version starts from the latest one's ratings and evidence when it uses the same framework. A
checklist framework shows the level the answers suggest and asks for a reason when the person
chooses another; where judgement may only raise the level, levels below the floor are not offered.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.case_fields import CaseField
from app.models.domain import Assessment, FactorRating
from app.models.framework import Dimension, Factor, Framework, split_summaries
from app.services import risk
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.screens.cases.tab_common import failed_into
from app.ui.widgets.common import Section, UkDateEdit, agency_choice
from app.ui.widgets.controls import button, combo, text_box
from app.ui.widgets.plain import PlainLabel, muted


def _date_value(edit: UkDateEdit) -> str:
    """A date field's value: the date, or the text as typed when it is not one ("31/02/2026"),
    so that the service refuses it in one sentence."""
    day = edit.day()
    return day.isoformat() if day is not None else edit.text().strip()


class AssessmentEditor(QWidget):
    """A new version: one row per factor (rating, evidence, source agency), summaries, judgement."""

    finished = Signal()

    def __init__(self, ctx: UiContext, case_id: str, base: Assessment | None,
                 framework: Framework | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        prog = ctx.snap.programme
        self.fw = framework or prog.framework
        prev_notes = split_summaries(base.dimension_summaries if base else ())
        same = base is not None and prog.framework_of(prev_notes) is self.fw  # answers carry over
        self._prev = {(f.dimension, f.factor): f for f in base.factors} if base and same else {}
        self._prev_sum = dict(prev_notes.summaries)
        self._prev_fields = dict(prev_notes.case_fields)
        self.fields: dict[str, QComboBox] = {}
        self.dates: dict[str, UkDateEdit] = {}
        self.rows: dict[tuple[str, str], tuple[QComboBox, QLineEdit, QComboBox]] = {}
        self.summaries: dict[str, QLineEdit] = {}
        inner = QWidget()
        v = QVBoxLayout(inner)
        v.addWidget(self._build_intro(base, same))
        if prog.case_fields:
            v.addWidget(self._build_case_fields(prog.case_fields))
        for d in self.fw.dimensions:
            v.addWidget(self._build_dimension(d))
        v.addWidget(self._build_judgement(base, prev_notes.level_reason if base else ""))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(inner))
        self._update_suggestion()
        self.case_ref = ""
        self.initial = self.value()  # what it started from: a draft is anything different

    # --- layout ----------------------------------------------------------------------------------
    def _build_intro(self, base: Assessment | None, same: bool) -> QWidget:
        fw, prog = self.fw, self.ctx.snap.programme
        how = ("answer every question (not known is an answer); the answers suggest a level, "
               "and the risk level is yours to choose" if fw.is_checklist else
               "ratings describe the evidence; the risk level is yours to choose")
        return muted(
            f"New version {base.version + 1 if base else 1}"
            + (f" ({fw.name})" if len(prog.frameworks) > 1 else "")
            + f", started from {'version ' + str(base.version) if base and same else 'a blank framework'}. "
            f"Professional judgement: {how}."
        )

    def _build_case_fields(self, case_fields: tuple[CaseField, ...]) -> QWidget:
        sec = Section("Case details")
        grid = QGridLayout()
        for r, cf in enumerate(case_fields):
            grid.addWidget(PlainLabel(cf.label, object_name="FieldLabel"), r, 0)
            grid.addWidget(self._date_field(cf) if cf.is_date else self._choice_field(cf), r, 1)
        grid.setColumnStretch(2, 1)
        sec.body.addLayout(grid)
        return sec

    def _date_field(self, cf: CaseField) -> UkDateEdit:
        """A date the panel records (a licence's end): typed or picked."""
        edit = UkDateEdit(today_fn=self.ctx.today_fn)
        edit.setAccessibleName(cf.label)
        edit.setToolTip(cf.guidance)
        edit.setDate(cf.date_of(self._prev_fields.get(cf.id)))
        self.dates[cf.id] = edit
        return edit

    def _choice_field(self, cf: CaseField) -> QComboBox:
        box = combo(cf.label)
        box.setToolTip(cf.guidance)
        if not cf.required:
            box.addItem("—", None)
        for c in cf.choices:
            box.addItem(c.label, c.id)
        if cf.id in self._prev_fields:
            box.setCurrentIndex(max(0, box.findData(self._prev_fields[cf.id])))
        self.fields[cf.id] = box
        return box

    def _build_dimension(self, d: Dimension) -> QWidget:
        sec = Section(d.label)
        if d.guidance:
            sec.body.addWidget(muted(d.guidance))
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        for r, f in enumerate(d.factors):
            self._add_factor_row(grid, r, d, f)
        sec.body.addLayout(grid)
        summ = QLineEdit(self._prev_sum.get(d.id, ""))
        summ.setAccessibleName(f"{d.label}: summary")
        summ.setPlaceholderText(f"Summary of {d.label.lower()}")
        sec.body.addWidget(summ)
        self.summaries[d.id] = summ
        return sec

    def _add_factor_row(self, grid: QGridLayout, r: int, d: Dimension, f: Factor) -> None:
        fw, p = self.fw, self._prev.get((d.id, f.id))
        label = PlainLabel(f.label, object_name="FieldLabel")
        label.setToolTip(f.guidance)
        rating = combo(f"{f.label}: {'answer' if fw.is_checklist else 'rating'}")
        if fw.is_checklist:
            rating.addItem("Not answered", None)
        for rt in fw.ratings:
            rating.addItem(rt.label, rt.id)
        if p:
            rating.setCurrentIndex(max(0, rating.findData(p.rating)))
        if fw.is_checklist:
            rating.currentIndexChanged.connect(self._update_suggestion)
        evidence = QLineEdit(p.evidence if p else "")
        evidence.setAccessibleName(f"{f.label}: evidence")
        evidence.setPlaceholderText("Evidence")
        source = self._source_choice(f, p.source_agency if p else None)
        grid.addWidget(label, r, 0)
        grid.addWidget(rating, r, 1)
        grid.addWidget(evidence, r, 2)
        grid.addWidget(source, r, 3)
        self.rows[(d.id, f.id)] = (rating, evidence, source)

    def _source_choice(self, f: Factor, current: str | None) -> QComboBox:
        source = combo(f"{f.label}: source agency")
        source.addItem("—", None)
        for a in self.ctx.snap.agencies:  # the agency's name, with the abbreviation people use
            source.addItem(agency_choice(a.name, a.short), a.id)
        source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        source.setMinimumContentsLength(10)
        source.view().setMinimumWidth(source.view().sizeHintForColumn(0) + 24)
        if current:
            source.setCurrentIndex(max(0, source.findData(current)))
        return source

    def _build_judgement(self, base: Assessment | None, reason: str) -> QWidget:
        fw = self.fw
        judge = Section("Overall judgement")
        self.overall = text_box("Overall judgement", base.overall if base else "", max_height=90)
        judge.body.addWidget(self.overall)
        row = QHBoxLayout()
        self.level = combo("Risk level")
        # Unset until chosen: a level is professional judgement, never a default (the last
        # version's level is named in the prompt, not preselected).
        before = self.ctx.snap.risk_label(base.risk_level) if base else ""
        self.level.addItem(f"Choose a level (version {base.version}: {before})" if base else "Choose a level", None)
        for lv in fw.risk_levels:
            self.level.addItem(lv.label, lv.id)
        row.addWidget(PlainLabel("Risk level", object_name="FieldLabel"))
        row.addWidget(self.level)
        row.addStretch(1)
        self.suggestion = PlainLabel("", wrap=True, accessible="Suggested risk level")
        self.reason = QLineEdit(reason)
        self.reason.setAccessibleName("Reason for the risk level")
        self.reason.setPlaceholderText("Why the level differs from the one the checklist suggests")
        judge.body.addWidget(self.suggestion)
        judge.body.addWidget(self.reason)
        self.suggestion.setVisible(fw.is_checklist)
        self.reason.setVisible(fw.is_checklist)
        self.level.currentIndexChanged.connect(self._update_suggestion)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        row.addWidget(self.error, 2)
        self._add_buttons(row)
        judge.body.addLayout(row)
        return judge

    def _add_buttons(self, row: QHBoxLayout) -> None:
        cancel = button("Cancel", accessible="Cancel the new version", on_click=self.finished.emit)
        self.save_button = button("&Save version", accessible="Save assessment version", object_name="Primary",
                                  on_click=self.submit)
        row.addWidget(cancel)
        row.addWidget(self.save_button)

    # --- behaviour -------------------------------------------------------------------------------
    def answered(self) -> tuple[FactorRating, ...]:
        return tuple(
            FactorRating(dimension=d, factor=f, rating=r.currentData(), evidence=e.text(), source_agency=s.currentData())
            for (d, f), (r, e, s) in self.rows.items()
            if r.currentData() is not None
        )

    def suggested(self) -> str | None:
        """The level id the checklist's answers suggest now (None: no suggestion)."""
        level = risk.suggested_level(self.fw, self.answered())
        return level.id if level else None

    def _update_suggestion(self, _i: int = 0) -> None:
        if not self.fw.is_checklist:
            return
        answers = self.answered()
        n = self.fw.count(f.rating for f in answers)
        counted = "/".join(r.label.lower() for r in self.fw.ratings if r.id in self.fw.counted)
        suggested = self.suggested()
        text = f"{n} “{counted}” of {len(self.rows)} ({len(answers)} answered). "
        if suggested is None:
            text += "The answers suggest no level: choose one by professional judgement."
        else:
            text += f"The answers suggest: {self.ctx.snap.risk_label(suggested)}."
            if not self.fw.judgement_may_lower:
                text += " Judgement may raise this level, not lower it."
        self.suggestion.setText(text)
        # Where judgement may only raise the level (MARAC), levels below the floor are not offered.
        floor = self.fw.lowest_allowed(f.rating for f in answers)
        items = self.level.model()
        for i in range(self.level.count()):
            level_id = self.level.itemData(i)
            below = (floor is not None and level_id is not None
                     and self.fw.risk_level(level_id).rank < floor.rank)
            if isinstance(items, QStandardItemModel):  # a combo box's own model
                items.item(i).setEnabled(not below)
        chosen = self.level.currentData()
        differs = suggested is not None and chosen is not None and chosen != suggested
        self.reason.setVisible(differs)
        self.reason.setEnabled(differs)

    def value(self) -> risk.AssessmentInput:
        return risk.AssessmentInput(
            factors=self.answered(),
            dimension_summaries=tuple((d, w.text()) for d, w in self.summaries.items()),
            overall=self.overall.toPlainText(),
            risk_level=self.level.currentData(),
            level_reason=self.reason.text() if self.fw.is_checklist and self.reason.isEnabled() else "",
            case_fields=(
                *((k, c.currentData()) for k, c in self.fields.items() if c.currentData()),
                # a date as typed when it is not one ("31/02/2026"): the service says why
                *((k, _date_value(d)) for k, d in self.dates.items() if d.text().strip()),
            ),
            framework=self.fw.id if len(self.ctx.snap.programme.frameworks) > 1 else None,
        )

    def submit(self) -> None:
        if self.level.currentData() is None:
            self.error.setText("Choose the risk level: it is not set until you choose it.")
            self.level.setFocus()
            return
        value, cid = self.value(), self.case_id
        self.error.setText("")
        self.ctx.run(lambda s: risk.record_assessment(s, case_id=cid, assessment=value), owner=self,
                     mutates=True, on_done=lambda _r: self.finished.emit(), on_error=failed_into(self.error))
