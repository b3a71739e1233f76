"""Plan tab: the risk-management plan by the programme's headings, linked actions, versions, and
the chair's approval.

Invariants: saving always makes a new version (which needs approval again); only a chair sees an
enabled Approve button, and only for the latest unapproved version (the service checks too).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import CaseFile, Objective, Plan, RiskStatement
from app.models.enums import Role
from app.services import risk
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.screens.cases.tab_common import CaseTab
from app.ui.screens.cases.versioned import VersionEditors
from app.ui.widgets.common import Chip, Section, date_edit, uk
from app.ui.widgets.controls import button, combo, refill, row, text_box
from app.ui.widgets.plain import PlainLabel, muted

RISK_FIELDS = (
    ("nature", "What is the risk"),
    ("who_at_risk", "Who is at risk"),
    ("imminence", "How soon"),
    ("increases", "What raises it"),
    ("decreases", "What lowers it"),
    ("protective", "Protective factors"),
)


class PlanTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.shown: Plan | None = None
        self.pages = QStackedWidget()
        v = self.body
        bar = QHBoxLayout()
        self.version = combo("Plan version")
        self.version.currentIndexChanged.connect(self._on_version_current_index_changed)
        self.approval = Chip()
        self.approve_button = button("&Approve as chair", accessible="Approve this plan as chair",
                                     on_click=self._on_approve_button_clicked)
        self.new_button = button("New &version", accessible="New plan version", object_name="Primary",
                                 on_click=self.start_new_version)
        bar.addWidget(self.version, 1)
        bar.addWidget(self.approval)
        bar.addWidget(self.approve_button)
        bar.addWidget(self.new_button)
        v.addLayout(bar)
        self.error = self.add_error_line()
        v.addWidget(self.pages, 1)
        self.view_inner = QWidget()
        self.view_layout = QVBoxLayout(self.view_inner)
        self.pages.addWidget(scrolled(self.view_inner))
        # one editor per case with a new version in progress: its draft stays with its case
        self._editors: VersionEditors[PlanEditor] = VersionEditors(
            ctx, self.pages, "plan", "New plan version",
            lambda s, cid, value: risk.save_plan(s, case_id=cid, plan=value), self._editor_closed)

    @property
    def editor(self) -> PlanEditor | None:
        return self._editors.for_case(self.cf)

    def show_case(self, cf: CaseFile) -> None:
        self.cf = cf
        editor = self.editor
        if editor is not None:
            self.pages.setCurrentWidget(editor)  # keep this case's draft in progress
        else:
            self.pages.setCurrentIndex(0)
        refill(self.version, ((f"Version {p.version} · {uk(p.created_on)}", p.id) for p in sorted(cf.plans, key=lambda p: -p.version)),
               quiet=True, keep=False)
        self._show(cf.current_plan)
        self.new_button.setEnabled(self.ctx.snap.workstation.member.role in (Role.COORDINATOR, Role.CHAIR))

    def _on_version_current_index_changed(self, i: int) -> None:
        if self.cf is not None and i >= 0:
            pid = self.version.itemData(i)
            self._show(next((p for p in self.cf.plans if p.id == pid), None))

    def _clear_view(self) -> None:
        while self.view_layout.count():
            item = self.view_layout.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()

    def _show(self, plan: Plan | None) -> None:
        self.shown = plan
        self.error.setText("")
        self._clear_view()
        latest = self.cf.current_plan if self.cf else None
        is_chair = self.ctx.snap.workstation.member.role is Role.CHAIR
        if plan is None:
            self.approval.set("", "muted")
            self.approve_button.setEnabled(False)
            self.view_layout.addWidget(muted("No plan yet. Write one with New version."))
            self.view_layout.addStretch(1)
            return
        if plan.approved:
            who = self.ctx.snap.member_name(plan.approved_by) or "the chair"
            self.approval.set(f"Approved {uk(plan.approved_on)} by {who}", "ok")
        else:
            self.approval.set("Awaiting chair approval", "warn")
        self.approve_button.setEnabled(is_chair and not plan.approved and latest is not None and latest.id == plan.id)
        self.approve_button.setToolTip("" if is_chair else "Only the chair may approve a plan.")
        rs = Section("The risk")
        form = QFormLayout()
        for key, label in RISK_FIELDS:
            text = getattr(plan.risk, key)
            if text:
                form.addRow(PlainLabel(label, object_name="FieldLabel"), PlainLabel(text, wrap=True, selectable=True))
        rs.body.addLayout(form)
        self.view_layout.addWidget(rs)
        actions = {a.id: a for a in (self.cf.actions if self.cf else ())}
        for h in self.ctx.snap.programme.plan_headings:
            objectives = [o for o in plan.objectives if o.heading == h.id]
            sec = Section(h.label)
            if not objectives:
                sec.body.addWidget(muted("No objective under this heading."))
            for o in objectives:
                sec.body.addWidget(PlainLabel("• " + o.text, wrap=True, selectable=True))
                for aid in o.action_ids:
                    a = actions.get(aid)
                    if a is not None:
                        sec.body.addWidget(PlainLabel(
                            f"     Action: {a.title} · {self.ctx.snap.agency_short(a.owner_agency)} · due {uk(a.due)} · {a.status.label}",
                            wrap=True, object_name="Muted"))
            self.view_layout.addWidget(sec)
        end = Section("Contingency and review")
        end.body.addWidget(PlainLabel(plan.contingency or "No contingency written.", wrap=True, selectable=True))
        end.body.addWidget(PlainLabel(f"Review by {uk(plan.review_on) or 'the next meeting'}", object_name="Muted"))
        self.view_layout.addWidget(end)
        self.view_layout.addStretch(1)

    def _on_approve_button_clicked(self) -> None:
        if self.shown is None:
            return
        pid = self.shown.id

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.error.setText(safe_message(exc))

        self.ctx.run(lambda s: risk.approve_plan(s, plan_id=pid), owner=self, mutates=True, on_error=failed)

    def start_new_version(self) -> None:
        if self.cf is None:
            return
        cf = self.cf
        # a version already in progress is resumed, never replaced
        self._editors.open(cf.case.id, lambda: PlanEditor(self.ctx, cf, cf.current_plan))

    def _editor_closed(self, editor: PlanEditor | None) -> None:
        """Saved or cancelled: the editor goes (its draft went with it) and the plan shows again."""
        if editor is not None:
            self.pages.removeWidget(editor)
            editor.deleteLater()
        self.pages.setCurrentIndex(0)
        if self.cf is not None:
            self.show_case(self.cf)

    def save(self) -> bool:
        return self._editors.submit_current()


class PlanEditor(QWidget):
    finished = Signal()

    def __init__(self, ctx: UiContext, cf: CaseFile, base: Plan | None) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = cf.case.id
        self.case_ref = cf.case.ref
        self.case_actions = cf.actions
        inner = QWidget()
        v = QVBoxLayout(inner)
        v.addWidget(muted("A new version: it starts from the current one and needs the chair's approval again."))
        v.addWidget(self._build_risk(base))
        v.addWidget(self._build_objectives(base))
        v.addWidget(self._build_end(base))
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        cancel = button("Cancel", accessible="Cancel the new plan version", on_click=self.finished.emit)
        self.save_button = button("&Save version", accessible="Save plan version", object_name="Primary",
                                  on_click=self.submit)
        v.addLayout(row((self.error, 1), cancel, self.save_button))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(inner))
        self.initial = self.value()  # what it started from: a draft is anything different

    def _build_risk(self, base: Plan | None) -> Section:
        rs = Section("The risk")
        form = QFormLayout()
        self.risk_edits: dict[str, QPlainTextEdit] = {}
        for key, label in RISK_FIELDS:
            e = text_box(label, getattr(base.risk, key) if base else "", max_height=52)
            form.addRow(label, e)
            self.risk_edits[key] = e
        rs.body.addLayout(form)
        return rs

    def _build_objectives(self, base: Plan | None) -> Section:
        """One row an objective (at least one), and Add objective."""
        obj = Section("Objectives")
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        obj.body.addLayout(self.grid)
        self.rows: list[tuple[QComboBox, QLineEdit, QComboBox, tuple[str, ...]]] = []
        for o in (base.objectives if base else ()):
            self.add_objective(o)
        if not self.rows:
            self.add_objective()
        obj.body.addWidget(button("Add &objective", accessible="Add objective", on_click=lambda: self.add_objective()))
        return obj

    def _build_end(self, base: Plan | None) -> Section:
        end = Section("Contingency and review")
        self.contingency = text_box("Contingency", base.contingency if base else "", max_height=70)
        end.body.addWidget(self.contingency)
        today_fn = self.ctx.today_fn
        self.review_on = date_edit("Review date", (base.review_on if base and base.review_on else today_fn()),
                                   today_fn=today_fn)
        end.body.addWidget(self.review_on)
        return end

    def add_objective(self, o: Objective | None = None) -> None:
        r = len(self.rows)
        heading = combo(f"Objective {r + 1}: heading")
        for h in self.ctx.snap.programme.plan_headings:
            heading.addItem(h.label, h.id)
        text = QLineEdit(o.text if o else "")
        text.setAccessibleName(f"Objective {r + 1}: text")
        text.setPlaceholderText("Objective")
        action = combo(f"Objective {r + 1}: linked action")
        action.addItem("No linked action", None)
        for a in self.case_actions:
            action.addItem(f"{a.title[:40]} ({self.ctx.snap.agency_short(a.owner_agency)})", a.id)
        if o:
            heading.setCurrentIndex(max(0, heading.findData(o.heading)))
            if o.action_ids:
                action.setCurrentIndex(max(0, action.findData(o.action_ids[0])))
        self.grid.addWidget(heading, r, 0)
        self.grid.addWidget(text, r, 1)
        self.grid.addWidget(action, r, 2)
        self.rows.append((heading, text, action, o.action_ids[1:] if o else ()))

    def value(self) -> risk.PlanInput:
        objectives = []
        for heading, text, action, extra in self.rows:
            if text.text().strip():
                ids = tuple(x for x in (action.currentData(), *extra) if x)
                objectives.append(Objective(heading=heading.currentData(), text=text.text(), action_ids=ids))
        rs = RiskStatement(**{k: e.toPlainText() for k, e in self.risk_edits.items()})
        return risk.PlanInput(risk=rs, objectives=tuple(objectives), contingency=self.contingency.toPlainText(),
                              review_on=self.review_on.day())

    def submit(self) -> None:
        if not self.review_on.is_valid():
            self.error.setText("The review date is not a date: write it as dd/mm/yyyy.")
            return
        value, cid = self.value(), self.case_id

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.error.setText(safe_message(exc))

        self.ctx.run(lambda s: risk.save_plan(s, case_id=cid, plan=value), owner=self, mutates=True,
                     on_done=lambda _r: self.finished.emit(), on_error=failed)
