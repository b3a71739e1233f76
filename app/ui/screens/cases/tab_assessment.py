"""Assessment tab: the programme's framework, versions, a new version started from the last, and a
side-by-side view of what changed between two versions.

Invariants: the risk level is always chosen by a person (never computed); a new version starts
from the latest one's ratings and evidence; evidence is plain text everywhere. A checklist
framework is a list of questions answered yes, no or not known: the editor shows the level the
answers suggest and asks for a reason when the person chooses another.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.assessment_changes import assessment_changes
from app.models.domain import Assessment, CaseFile, FactorRating
from app.models.framework import Framework, split_summaries
from app.models.programme import Programme
from app.services import risk
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.base import scrolled
from app.ui.widgets.common import Section, UkDateEdit, agency_choice, uk
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import make_table, set_widths, wrap_rows


def _date_value(edit: UkDateEdit) -> str:
    """A date field's value: the date, or the text as typed when it is not one ("31/02/2026"),
    so that the service refuses it in one sentence."""
    day = edit.day()
    return day.isoformat() if day is not None else edit.text().strip()


@dataclass(frozen=True)
class DiffRow:
    key: str
    dimension: str
    factor: str
    before: str
    after: str
    changed: bool


class AssessmentTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        self._shown_fw: Framework | None = None  # the framework of the version shown
        self.pages = QStackedWidget()
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        v.addWidget(self.pages)
        self.pages.addWidget(self._build_view())
        self.pages.addWidget(QWidget())  # index 1: kept so the diff page stays at index 2
        self.pages.addWidget(self._build_diff())
        # one editor per case with a new version in progress: its draft stays with its case
        self._editors: dict[str, AssessmentEditor] = {}
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)

    @property
    def editor_page(self) -> QWidget | None:
        """The new version in progress for the case shown (None when there is none)."""
        return self._editors.get(self.cf.case.id) if self.cf else None

    # --- viewing -------------------------------------------------------------------------------
    def _build_view(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.version = QComboBox()
        self.version.setAccessibleName("Assessment version")
        self.version.currentIndexChanged.connect(self._on_version_current_index_changed)
        bar.addWidget(self.version, 1)
        self.compare_button = QPushButton("Compare &versions")
        self.compare_button.setAccessibleName("Compare assessment versions")
        self.compare_button.clicked.connect(self.show_diff)
        self.new_button = QPushButton("New &version")
        self.new_button.setObjectName("Primary")
        self.new_button.setAccessibleName("New assessment version")
        self.new_button.clicked.connect(self.start_new_version)
        bar.addWidget(self.compare_button)
        # a programme with more than one checklist (MARAC's young people's version): the one a
        # new version uses, proposed by the subject's age, the coordinator's or chair's to change
        self.framework_choice = QComboBox()
        self.framework_choice.setAccessibleName("Checklist for a new version")
        self.framework_choice.setVisible(False)  # filled in show_case, from the programme
        bar.addWidget(self.framework_choice)
        bar.addWidget(self.new_button)
        v.addLayout(bar)
        self.overall = PlainLabel("", wrap=True, selectable=True, accessible="Overall judgement")
        self.overall.setObjectName("Lead")
        v.addWidget(self.overall)
        self.factors_model: RowsModel[FactorRating] = RowsModel(
            [
                Column("Dimension", lambda f: self._dim_label(f.dimension)),
                Column("Factor", lambda f: self._factor_label(f.dimension, f.factor)),
                Column("Rating", lambda f: self._rating_label(f.rating), kind=lambda f: self._rating_kind(f.rating)),
                Column("Evidence", lambda f: f.evidence),
                Column("Source", lambda f: self.ctx.snap.agency_short(f.source_agency)),
            ],
            lambda f: f"{f.dimension}/{f.factor}",
            self,
        )
        self.factors = make_table("Assessment factors", self.factors_model, chip_columns=(2,), sortable=False)
        set_widths(self.factors, [104, 220, 132, 0, 60], stretch=3)
        wrap_rows(self.factors)
        v.addWidget(self.factors, 1)
        self.summaries = PlainLabel("", wrap=True, selectable=True, accessible="Dimension summaries")
        v.addWidget(self.summaries)
        return page

    def _fw(self) -> Framework:
        return self._shown_fw or self.ctx.snap.programme.framework

    def _dim_label(self, dim: str) -> str:
        return self._fw().dimension_label(dim)

    def _factor_label(self, dim: str, factor: str) -> str:
        return self._fw().factor_label(dim, factor)

    def _rating_label(self, rating: str) -> str:
        return self._fw().rating_label(rating)

    def _rating_kind(self, rating: str) -> str:
        rank = next((r.rank for r in self._fw().ratings if r.id == rating), 0)
        top = max((r.rank for r in self._fw().ratings), default=1)
        return "muted" if rank <= 0 else ("danger" if rank >= top else ("warn" if rank >= top - 1 else "ok"))

    def show_case(self, cf: CaseFile) -> None:
        self.cf = cf
        editor = self._editors.get(cf.case.id)
        if editor is not None:
            self.pages.setCurrentWidget(editor)  # a new version in progress for this case
        else:
            self.pages.setCurrentIndex(0)
        self.version.blockSignals(True)
        self.version.clear()
        for a in sorted(cf.assessments, key=lambda a: -a.version):
            self.version.addItem(f"Version {a.version} · {uk(a.assessed_on)} · {self.ctx.snap.risk_label(a.risk_level)}", a.id)
        self.version.blockSignals(False)
        self._show_version(cf.current_assessment)
        role = self.ctx.snap.workstation.member.role.value
        self.new_button.setEnabled(role in ("coordinator", "chair"))
        prog = self.ctx.snap.programme
        if len(prog.frameworks) > 1 and self.framework_choice.count() != len(prog.frameworks):
            self.framework_choice.clear()
            for fw in prog.frameworks:
                self.framework_choice.addItem(fw.name, fw.id)
        self.framework_choice.setVisible(len(prog.frameworks) > 1)
        if self.framework_choice.count() > 1:
            by_age = prog.framework_for_age(cf.subject.age_on(self.ctx.today_fn()))
            self.framework_choice.setCurrentIndex(max(0, self.framework_choice.findData(by_age.id)))
            self.framework_choice.setEnabled(role in ("coordinator", "chair"))
        self.compare_button.setEnabled(len(cf.assessments) >= 2)

    def _on_version_current_index_changed(self, i: int) -> None:
        if self.cf is None or i < 0:
            return
        aid = self.version.itemData(i)
        self._show_version(next((a for a in self.cf.assessments if a.id == aid), None))

    def _show_version(self, a: Assessment | None) -> None:
        if a is None:
            self.overall.setText("No assessment yet. Start one with New version.")
            self.factors_model.set_rows([])
            self.summaries.setText("")
            return
        level = self.ctx.snap.risk_label(a.risk_level)
        notes = split_summaries(a.dimension_summaries)
        self._shown_fw = self.ctx.snap.programme.framework_of(notes)
        self.overall.setText(f"Risk level: {level}. {a.overall}")
        self.factors_model.set_rows(a.factors)
        lines = [f"{self._dim_label(d)}: {t}" for d, t in notes.summaries if t]
        prog = self.ctx.snap.programme
        for fid, cid in notes.case_fields:
            cf = next((c for c in prog.case_fields if c.id == fid), None)
            if cf is not None:
                lines.append(f"{cf.label}: {cf.choice_label(cid)}")
        if notes.suggested_level:
            suggested = self.ctx.snap.risk_label(notes.suggested_level)
            lines.append(f"The checklist suggested: {suggested}.")
        if notes.level_reason:
            lines.append(f"Reason for the level chosen: {notes.level_reason}")
        self.summaries.setText("\n".join(lines))

    # --- new version ---------------------------------------------------------------------------
    def start_new_version(self) -> None:
        if self.cf is None:
            return
        cid = self.cf.case.id
        editor = self._editors.get(cid)
        if editor is None:  # a version already in progress is resumed, never replaced
            prog = self.ctx.snap.programme
            chosen = self.framework_choice.currentData() if self.framework_choice.count() > 1 else None
            fw = prog.framework_by_id(chosen) if chosen else prog.framework
            editor = AssessmentEditor(self.ctx, cid, self.cf.current_assessment, framework=fw)
            editor.case_ref = self.cf.case.ref
            editor.finished.connect(partial(self._close_editor, cid))
            self._editors[cid] = editor
            self.pages.addWidget(editor)
        self.pages.setCurrentWidget(editor)

    def _close_editor(self, case_id: str) -> None:
        """Saved or cancelled: the editor and its draft go."""
        editor = self._editors.pop(case_id, None)
        self.ctx.drafts.remove(("assessment", case_id))
        if editor is not None:
            if self.pages.currentWidget() is editor:
                self.pages.setCurrentIndex(0)
            self.pages.removeWidget(editor)
            editor.deleteLater()

    def _stash(self) -> None:
        for cid, editor in self._editors.items():
            key = ("assessment", cid)
            value = editor.value()
            if value == editor.initial:
                self.ctx.drafts.remove(key)
                continue

            def save(s: Session, cid: str = cid, value: risk.AssessmentInput = value) -> None:
                risk.record_assessment(s, case_id=cid, assessment=value)

            self.ctx.drafts.put(Draft(key, f"New assessment version for {editor.case_ref}", value, save))

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        for kind, cid in keys:
            if kind == "assessment" and cid in self._editors:
                self._close_editor(cid)

    def save(self) -> bool:
        editor = self.pages.currentWidget()
        if isinstance(editor, AssessmentEditor):
            editor.submit()
            return True
        return False

    # --- diff ----------------------------------------------------------------------------------
    def _build_diff(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.left = QComboBox()
        self.left.setAccessibleName("Earlier version")
        self.right = QComboBox()
        self.right.setAccessibleName("Later version")
        back = QPushButton("Back")
        back.setAccessibleName("Back to the assessment")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        bar.addWidget(PlainLabel("Compare"))
        bar.addWidget(self.left)
        bar.addWidget(PlainLabel("with"))
        bar.addWidget(self.right)
        bar.addStretch(1)
        bar.addWidget(back)
        v.addLayout(bar)
        self.diff_model: RowsModel[DiffRow] = RowsModel(
            [
                Column("Dimension", lambda r: r.dimension),
                Column("Factor", lambda r: r.factor),
                Column("Before", lambda r: r.before),
                Column("After", lambda r: r.after),
                Column("", lambda r: "Changed" if r.changed else "", kind=lambda r: "warn" if r.changed else "muted"),
            ],
            lambda r: r.key,
            self,
        )
        self.diff = make_table("What changed between versions", self.diff_model, chip_columns=(4,), sortable=False)
        set_widths(self.diff, [100, 190, 0, 0, 90], stretch=(2, 3))
        wrap_rows(self.diff)
        v.addWidget(self.diff, 1)
        self.left.currentIndexChanged.connect(lambda _i: self._fill_diff())
        self.right.currentIndexChanged.connect(lambda _i: self._fill_diff())
        return page

    def show_diff(self) -> None:
        if self.cf is None or len(self.cf.assessments) < 2:
            return
        versions = sorted(self.cf.assessments, key=lambda a: a.version)
        for combo in (self.left, self.right):
            combo.blockSignals(True)
            combo.clear()
            for a in versions:
                combo.addItem(f"Version {a.version} ({uk(a.assessed_on)})", a.id)
            combo.blockSignals(False)
        self.left.setCurrentIndex(len(versions) - 2)
        self.right.setCurrentIndex(len(versions) - 1)
        self._fill_diff()
        self.pages.setCurrentIndex(2)

    def _fill_diff(self) -> None:
        if self.cf is None:
            return
        by_id = {a.id: a for a in self.cf.assessments}
        a, b = by_id.get(self.left.currentData()), by_id.get(self.right.currentData())
        if a is None or b is None:
            return
        self.diff_model.set_rows(diff_rows(self.ctx.snap.programme, a, b))
        self.diff.resizeRowsToContents()


def _cell(fw: Framework, f: FactorRating | None) -> str:
    if f is None:
        return "—"
    return f"{fw.rating_label(f.rating)}: {f.evidence}".strip()


def diff_rows(programme: Programme, a: Assessment, b: Assessment) -> list[DiffRow]:
    """The comparison table's rows, from the one rule (``models.assessment_changes``)."""
    fw = programme.framework
    changes = assessment_changes(programme, a, b)
    rows = [
        DiffRow(f"{c.dimension}/{c.factor}", c.dimension_label, c.factor_label, _cell(fw, c.before),
                _cell(fw, c.after), c.changed)
        for c in changes.factors
    ]  # fmt: skip
    rows.append(DiffRow("risk", "Overall", "Risk level", fw.level_label(a.risk_level),
                        fw.level_label(b.risk_level), changes.level_changed))  # fmt: skip
    rows += [
        DiffRow(f"field:{f.field_id}", "Overall", f.label, f.before, f.after, f.changed)
        for f in changes.fields
    ]
    rows.append(DiffRow("overall", "Overall", "Judgement", a.overall, b.overall, changes.overall_changed))
    return rows


class AssessmentEditor(QWidget):
    """A new version: one row per factor (rating, evidence, source agency), summaries, judgement."""

    from PySide6.QtCore import Signal as _Signal

    finished = _Signal()

    def __init__(self, ctx: UiContext, case_id: str, base: Assessment | None,
                 framework: Framework | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        prog = ctx.snap.programme
        fw = framework or prog.framework
        self.fw = fw
        prev_notes = split_summaries(base.dimension_summaries if base else ())
        same = base is not None and prog.framework_of(prev_notes) is fw  # answers carry over
        prev = {(f.dimension, f.factor): f for f in base.factors} if base and same else {}
        prev_sum = dict(prev_notes.summaries)
        prev_fields = dict(prev_notes.case_fields)
        inner = QWidget()
        v = QVBoxLayout(inner)
        how = ("answer every question (not known is an answer); the answers suggest a level, "
               "and the risk level is yours to choose" if fw.is_checklist else
               "ratings describe the evidence; the risk level is yours to choose")
        v.addWidget(muted(
            f"New version {base.version + 1 if base else 1}"
            + (f" ({fw.name})" if len(prog.frameworks) > 1 else "")
            + f", started from {'version ' + str(base.version) if base and same else 'a blank framework'}. "
            f"Professional judgement: {how}."
        ))
        self.fields: dict[str, QComboBox] = {}
        self.dates: dict[str, UkDateEdit] = {}
        if prog.case_fields:
            sec = Section("Case details")
            grid = QGridLayout()
            for r, cf in enumerate(prog.case_fields):
                if cf.is_date:  # a date the panel records (a licence's end): typed or picked
                    edit = UkDateEdit(today_fn=ctx.today_fn)
                    edit.setAccessibleName(cf.label)
                    edit.setToolTip(cf.guidance)
                    edit.setDate(cf.date_of(prev_fields.get(cf.id)))
                    grid.addWidget(PlainLabel(cf.label, object_name="FieldLabel"), r, 0)
                    grid.addWidget(edit, r, 1)
                    self.dates[cf.id] = edit
                    continue
                combo = QComboBox()
                combo.setAccessibleName(cf.label)
                combo.setToolTip(cf.guidance)
                if not cf.required:
                    combo.addItem("—", None)
                for c in cf.choices:
                    combo.addItem(c.label, c.id)
                if cf.id in prev_fields:
                    combo.setCurrentIndex(max(0, combo.findData(prev_fields[cf.id])))
                grid.addWidget(PlainLabel(cf.label, object_name="FieldLabel"), r, 0)
                grid.addWidget(combo, r, 1)
                self.fields[cf.id] = combo
            grid.setColumnStretch(2, 1)
            sec.body.addLayout(grid)
            v.addWidget(sec)
        self.rows: dict[tuple[str, str], tuple[QComboBox, QLineEdit, QComboBox]] = {}
        self.summaries: dict[str, QLineEdit] = {}
        for d in fw.dimensions:
            sec = Section(d.label)
            if d.guidance:
                sec.body.addWidget(muted(d.guidance))
            grid = QGridLayout()
            grid.setColumnStretch(2, 1)
            for r, f in enumerate(d.factors):
                p = prev.get((d.id, f.id))
                label = PlainLabel(f.label, object_name="FieldLabel")
                label.setToolTip(f.guidance)
                rating = QComboBox()
                rating.setAccessibleName(f"{f.label}: {'answer' if fw.is_checklist else 'rating'}")
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
                source = QComboBox()
                source.setAccessibleName(f"{f.label}: source agency")
                source.addItem("—", None)
                for a in ctx.snap.agencies:  # the agency's name, with the abbreviation people use
                    source.addItem(agency_choice(a.name, a.short), a.id)
                source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                source.setMinimumContentsLength(10)
                source.view().setMinimumWidth(source.view().sizeHintForColumn(0) + 24)
                if p and p.source_agency:
                    source.setCurrentIndex(max(0, source.findData(p.source_agency)))
                grid.addWidget(label, r, 0)
                grid.addWidget(rating, r, 1)
                grid.addWidget(evidence, r, 2)
                grid.addWidget(source, r, 3)
                self.rows[(d.id, f.id)] = (rating, evidence, source)
            sec.body.addLayout(grid)
            summ = QLineEdit(prev_sum.get(d.id, ""))
            summ.setAccessibleName(f"{d.label}: summary")
            summ.setPlaceholderText(f"Summary of {d.label.lower()}")
            sec.body.addWidget(summ)
            self.summaries[d.id] = summ
            v.addWidget(sec)
        judge = Section("Overall judgement")
        self.overall = QPlainTextEdit(base.overall if base else "")
        self.overall.setAccessibleName("Overall judgement")
        self.overall.setTabChangesFocus(True)
        self.overall.setMaximumHeight(90)
        judge.body.addWidget(self.overall)
        row = QHBoxLayout()
        self.level = QComboBox()
        self.level.setAccessibleName("Risk level")
        # Unset until chosen: a level is professional judgement, never a default (the last
        # version's level is named in the prompt, not preselected).
        before = ctx.snap.risk_label(base.risk_level) if base else ""
        self.level.addItem(f"Choose a level (version {base.version}: {before})" if base else "Choose a level", None)
        for lv in fw.risk_levels:
            self.level.addItem(lv.label, lv.id)
        row.addWidget(PlainLabel("Risk level", object_name="FieldLabel"))
        row.addWidget(self.level)
        row.addStretch(1)
        self.suggestion = PlainLabel("", wrap=True, accessible="Suggested risk level")
        self.reason = QLineEdit(prev_notes.level_reason if base else "")
        self.reason.setAccessibleName("Reason for the risk level")
        self.reason.setPlaceholderText("Why the level differs from the one the checklist suggests")
        judge.body.addWidget(self.suggestion)
        judge.body.addWidget(self.reason)
        self.suggestion.setVisible(fw.is_checklist)
        self.reason.setVisible(fw.is_checklist)
        self.level.currentIndexChanged.connect(self._update_suggestion)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        row.addWidget(self.error, 2)
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel the new version")
        cancel.clicked.connect(self.finished.emit)
        self.save_button = QPushButton("&Save version")
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save assessment version")
        self.save_button.clicked.connect(self.submit)
        row.addWidget(cancel)
        row.addWidget(self.save_button)
        judge.body.addLayout(row)
        v.addWidget(judge)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(inner))
        self._update_suggestion()
        self.case_ref = ""
        self.initial = self.value()  # what it started from: a draft is anything different

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

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.error.setText(safe_message(exc))

        self.ctx.run(lambda s: risk.record_assessment(s, case_id=cid, assessment=value), owner=self,
                     mutates=True, on_done=lambda _r: self.finished.emit(), on_error=failed)
