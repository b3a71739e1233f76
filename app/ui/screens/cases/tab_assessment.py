"""Assessment tab: the programme's framework, versions, a new version started from the last, and a
side-by-side view of what changed between two versions.

Invariants: the risk level is always chosen by a person (never computed); a new version starts
from the latest one's ratings and evidence; evidence is plain text everywhere. A checklist
framework is a list of questions answered yes, no or not known: the editor shows the level the
answers suggest and asks for a reason when the person chooses another.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QHBoxLayout,
    QStackedWidget,
    QWidget,
)

from app.models.assessment_changes import assessment_changes
from app.models.domain import Assessment, CaseFile, FactorRating
from app.models.framework import Framework, split_summaries
from app.models.programme import Programme
from app.services import risk
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.cases.assessment_editor import AssessmentEditor
from app.ui.screens.cases.tab_common import CaseTab
from app.ui.screens.cases.versioned import VersionEditors
from app.ui.widgets.common import uk
from app.ui.widgets.controls import button, combo, page_column, refill
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import make_table, set_widths, wrap_rows


@dataclass(frozen=True)
class DiffRow:
    key: str
    dimension: str
    factor: str
    before: str
    after: str
    changed: bool


class AssessmentTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._shown_fw: Framework | None = None  # the framework of the version shown
        self.pages = QStackedWidget()
        v = self.body
        v.addWidget(self.pages)
        self.pages.addWidget(self._build_view())
        self.pages.addWidget(QWidget())  # index 1: kept so the diff page stays at index 2
        self.pages.addWidget(self._build_diff())
        # one editor per case with a new version in progress: its draft stays with its case
        self._editors: VersionEditors[AssessmentEditor] = VersionEditors(
            ctx, self.pages, "assessment", "New assessment version",
            lambda s, cid, value: risk.record_assessment(s, case_id=cid, assessment=value), self._editor_closed)

    @property
    def editor_page(self) -> QWidget | None:
        return self._editors.for_case(self.cf)

    # --- viewing -------------------------------------------------------------------------------
    def _build_view(self) -> QWidget:
        page, v = page_column()
        bar = QHBoxLayout()
        self.version = combo("Assessment version")
        self.version.currentIndexChanged.connect(self._on_version_current_index_changed)
        bar.addWidget(self.version, 1)
        self.compare_button = button("Compare &versions", accessible="Compare assessment versions",
                                     on_click=self.show_diff)
        self.new_button = button("New &version", accessible="New assessment version", object_name="Primary",
                                 on_click=self.start_new_version)
        bar.addWidget(self.compare_button)
        # a programme with more than one checklist (MARAC's young people's version): the one a
        # new version uses, proposed by the subject's age, the coordinator's or chair's to change
        self.framework_choice = combo("Checklist for a new version")
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
        refill(self.version, ((f"Version {a.version} · {uk(a.assessed_on)} · {self.ctx.snap.risk_label(a.risk_level)}", a.id) for a in sorted(cf.assessments, key=lambda a: -a.version)),
               quiet=True, keep=False)
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
        cf = self.cf
        prog = self.ctx.snap.programme
        chosen = self.framework_choice.currentData() if self.framework_choice.count() > 1 else None
        fw = prog.framework_by_id(chosen) if chosen else prog.framework

        def make() -> AssessmentEditor:
            editor = AssessmentEditor(self.ctx, cf.case.id, cf.current_assessment, framework=fw)
            editor.case_ref = cf.case.ref
            return editor

        self._editors.open(cf.case.id, make)  # a version already in progress is resumed, never replaced

    def _editor_closed(self, editor: AssessmentEditor | None) -> None:
        """Saved or cancelled: the editor goes (its draft went with it)."""
        if editor is not None:
            if self.pages.currentWidget() is editor:
                self.pages.setCurrentIndex(0)
            self.pages.removeWidget(editor)
            editor.deleteLater()

    def save(self) -> bool:
        return self._editors.submit_current()

    # --- diff ----------------------------------------------------------------------------------
    def _build_diff(self) -> QWidget:
        page, v = page_column()
        bar = QHBoxLayout()
        self.left = combo("Earlier version")
        self.right = combo("Later version")
        back = button("Back", accessible="Back to the assessment", on_click=lambda: self.pages.setCurrentIndex(0))
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
        for box in (self.left, self.right):
            box.blockSignals(True)
            box.clear()
            for a in versions:
                box.addItem(f"Version {a.version} ({uk(a.assessed_on)})", a.id)
            box.blockSignals(False)
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


def _cell(fw: Framework, f: FactorRating | None, asked: str = "") -> str:
    """A side's answer; ``asked``: how that side's framework words the question, where the row's
    label is the other framework's."""
    if f is None:
        return "—"
    text = f"{fw.rating_label(f.rating)}: {f.evidence}".strip()
    return f"(Asked as “{asked}”) {text}" if asked else text


def diff_rows(programme: Programme, a: Assessment, b: Assessment) -> list[DiffRow]:
    """The comparison table's rows, from the one rule (``models.assessment_changes``): each side
    in the words of the framework its version was recorded with."""
    changes = assessment_changes(programme, a, b)
    fa, fb = changes.framework_before, changes.framework_after

    def asked(own: str, shown: str) -> str:
        return own if own and own != shown else ""

    rows = [
        DiffRow(f"{c.dimension}/{c.factor}", c.dimension_label, c.factor_label,
                _cell(fa, c.before, asked(c.before_label, c.factor_label)),
                _cell(fb, c.after, asked(c.after_label, c.factor_label)), c.changed)
        for c in changes.factors
    ]  # fmt: skip
    rows.append(DiffRow("risk", "Overall", "Risk level", fa.level_label(a.risk_level),
                        fb.level_label(b.risk_level), changes.level_changed))  # fmt: skip
    rows += [
        DiffRow(f"field:{f.field_id}", "Overall", f.label, f.before, f.after, f.changed)
        for f in changes.fields
    ]
    rows.append(DiffRow("overall", "Overall", "Judgement", a.overall, b.overall, changes.overall_changed))
    return rows
