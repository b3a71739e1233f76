"""Referrals: the queue awaiting screening (with working days left) and the new-referral form.

Screening happens here: pick a referral, read it, choose an outcome and give the rationale.
Invariants: only the programme's outcomes are offered; a case still "referred" is first sent for
screening (its own transition), so each step is one audited service call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QSplitter,
    QTableView,
    QTabWidget,
    QWidget,
)

from app.models import rules
from app.models.domain import CaseFile
from app.services import cases, ui_queries
from app.services.cases import lifecycle
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.itemmodels.rows import Column, IdRole, RowsModel
from app.ui.screens.base import Screen
from app.ui.screens.referrals.new_referral import NewReferralForm
from app.ui.widgets.common import Section, uk
from app.ui.widgets.controls import button, combo, page_column, text_box
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import set_widths, sorted_table, stack_when_narrow


def _days_text(n: int) -> str:
    if n < 0:
        return f"{-n} late"
    return f"{n} left"


if TYPE_CHECKING:
    from app.ui.dialogs.import_wizard import ImportWizard


class ReferralsScreen(Screen):
    title = "Referrals"
    watches = ("case", "referral", "screening", "subject")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.import_button = button("&Import referrals from a spreadsheet…",
                                    accessible="Import referrals from a spreadsheet",
                                    on_click=self._on_import_button_clicked)
        self.header.addWidget(self.import_button)
        self.import_wizard: ImportWizard | None = None
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Referral views")
        self.root.addWidget(self.tabs, 1)
        queue = QWidget()
        qv = QHBoxLayout(queue)
        qv.setContentsMargins(0, 8, 0, 0)
        split = QSplitter()
        split.addWidget(self._build_queue())
        split.addWidget(self._build_screening())
        split.setSizes([660, 400])
        stack_when_narrow(split, 900)
        qv.addWidget(split)
        self.tabs.addTab(queue, "&Awaiting screening")
        ctx.drafts.flush_requested.connect(self._stash_screening)
        ctx.drafts.discarded.connect(self._on_screening_discarded)
        self.form = NewReferralForm(ctx)
        self.form.referral_opened.connect(self._on_form_referral_opened)
        self.tabs.addTab(self.form, "&New referral")
        self._current: CaseFile | None = None

    def _build_queue(self) -> QTableView:
        """The referrals awaiting screening, the most pressing first."""
        self.model: RowsModel[ui_queries.AwaitingScreening] = RowsModel(
            [
                Column("Ref", lambda w: w.summary.ref),
                Column("Name", lambda w: w.summary.subject_name),
                Column("Received", lambda w: uk(w.summary.opened), sort=lambda w: w.summary.opened),
                # the status's short label where it has one ("With police")
                Column("Status", self._status_short),
                Column("Screen by", lambda w: uk(w.deadline), sort=lambda w: w.deadline),
                Column("Working days", lambda w: _days_text(w.days_left), sort=lambda w: w.days_left,
                       kind=lambda w: "danger" if w.days_left < 0 else ("warn" if w.days_left <= 1 else "ok")),
            ],
            lambda w: w.summary.id,
            self,
        )
        self.proxy, self.table = sorted_table("Referrals awaiting screening", self.model, self, chip_columns=(5,))
        set_widths(self.table, [105, 0, 88, 96, 88, 104], stretch=1, keep=(0, 2, 4))
        self.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        # room for a few referrals when the form goes below (two showed at 1366x768 at 125 %
        # with the client's fonts)
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + 4 * self.table.verticalHeader().defaultSectionSize())
        return self.table

    def _status_short(self, w: ui_queries.AwaitingScreening) -> str:
        if not self.ctx.snapshot:
            return w.summary.status_label
        return self.ctx.snap.programme.status(w.summary.status).short or w.summary.status_label

    def _build_screening(self) -> QWidget:
        box = Section("Screening decision")
        self.case_title = PlainLabel("Choose a referral on the left.", object_name="H2", wrap=True)
        box.body.addWidget(self.case_title)
        self.referral_text = PlainLabel("", wrap=True, selectable=True, accessible="Referral narrative")
        box.body.addWidget(self.referral_text)
        # a step another agency holds (the police gateway assessment): who, and when it is due
        self.step_text = PlainLabel("", wrap=True, accessible="With")
        box.body.addWidget(self.step_text)
        self.step_text.hide()
        self._send_target: str | None = None
        self.send_button = button("Send for &screening", accessible="Send for screening",
                                  on_click=self._on_send_button_clicked)
        box.body.addWidget(self.send_button)
        form = QFormLayout()
        self.outcome = combo("Screening outcome")
        form.addRow("&Outcome", self.outcome)
        self.rationale = text_box("Screening rationale", placeholder="Why this outcome: required")
        form.addRow("&Rationale", self.rationale)
        box.body.addLayout(form)
        row = QHBoxLayout()
        self.screen_error = PlainLabel("", wrap=True, object_name="InlineError")
        row.addWidget(self.screen_error, 1)
        self.record_button = button("&Record decision", accessible="Record screening decision",
                                    object_name="Primary", on_click=self._on_record_button_clicked)
        row.addWidget(self.record_button)
        box.body.addLayout(row)
        box.body.addStretch(1)
        self._set_screening_enabled(False, False)
        outer, v = page_column()
        v.addWidget(box)
        v.addWidget(muted("Screening target: the programme's working-day target from the date received."))
        return outer

    def _set_screening_enabled(self, can_send: bool, can_screen: bool) -> None:
        self.send_button.setVisible(can_send)
        for w in (self.outcome, self.rationale, self.record_button):
            w.setEnabled(can_screen)

    def _on_import_button_clicked(self) -> None:
        from app.ui.dialogs.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.import_wizard = wizard
        wizard.open()

    # --- data ------------------------------------------------------------------------------------
    def load(self) -> None:
        self.ctx.run(ui_queries.awaiting_screening, owner=self, on_done=self._on_loaded)
        if self.ctx.snapshot:
            self.outcome.clear()
            for o in self.ctx.snap.programme.screening_outcomes:
                self.outcome.addItem(o.label, o.id)

    def _on_loaded(self, rows: Sequence[ui_queries.AwaitingScreening]) -> None:
        keep = self._current.case.id if self._current else None
        self.model.set_rows(rows)
        if keep:
            self.select_case(keep)

    def select_case(self, case_id: str) -> bool:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(IdRole) == case_id:
                self.table.setCurrentIndex(self.proxy.index(r, 0))
                return True
        return False

    def _on_table_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        case_id = self.proxy.index(current.row(), 0).data(IdRole) if current.isValid() else None
        if not case_id:
            return
        self.ctx.run(lambda s: cases.get_case_file(s, case_id), owner=self, on_done=self._on_case_loaded)

    # --- a screening decision being written is a draft of its referral (app.ui.drafts) ----------
    def _stash_screening(self) -> None:
        if self._current is None:
            return
        key = ("screening", self._current.case.id)
        rationale = self.rationale.toPlainText()
        if not rationale.strip():
            self.ctx.drafts.remove(key)
            return
        cid, outcome = self._current.case.id, self.outcome.currentData()

        def save(s: Session) -> None:
            lifecycle.screen_case(s, case_id=cid, outcome=outcome, rationale=rationale)

        self.ctx.drafts.put(Draft(key, f"Screening decision for {self._current.case.ref}", (outcome, rationale), save))

    def _restore_screening(self, case_id: str) -> None:
        draft = self.ctx.drafts.get(("screening", case_id))
        if draft is None or not isinstance(draft.value, tuple):
            self.rationale.clear()
            return
        outcome, rationale = draft.value
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(outcome)))
        self.rationale.setPlainText(rationale)

    def _on_screening_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        if self._current is not None and ("screening", self._current.case.id) in keys:
            self.rationale.clear()

    def _on_case_loaded(self, cf: CaseFile) -> None:
        if self._current is None or self._current.case.id != cf.case.id:  # moving to another referral
            self._stash_screening()
            self._restore_screening(cf.case.id)
        self._current = cf
        prog = self.ctx.snap.programme
        self.case_title.setText(f"{cf.case.ref} · {cf.subject.display_name}")
        ref = cf.referral
        if ref is not None:
            sector = next((c.label for c in prog.sectors if c.id == ref.sector), ref.sector)
            concern = next((c.label for c in prog.concerns if c.id == ref.concern), ref.concern)
            self.referral_text.setText(
                f"Received {uk(ref.received)} from {ref.referrer} ({sector}); concern: {concern}.\n\n{ref.narrative}"
            )
        stage = prog.status(cf.case.status).stage
        role = self.ctx.snap.workstation.member.role
        # the next step before screening, as the programme orders it: to the police gateway,
        # then (the police's assessment received) to screening
        send = next((t for t in rules.allowed_transitions(prog, cf.case.status, role)
                     if prog.status(t.target).stage in ("referral", "screening")), None) if stage == "referral" else None
        self._send_target = send.target if send else None
        if send is not None:
            self.send_button.setText(send.label)
            self.send_button.setAccessibleName(send.label)
        can_send = send is not None
        self._set_screening_enabled(can_send, stage == "screening")
        self.screen_error.setText("" if stage == "screening" else "Send the referral for screening first.")
        step = self._step_row(cf.case.id)
        text = ui_queries.step_text(prog, cf.case.status,
                                    ui_queries.step_agencies(prog, cf.case.status, self.ctx.snap.agencies),
                                    step.deadline if step else None, step.days_left if step else None)
        self.step_text.setText(text)
        self.step_text.setVisible(bool(text))
        if step is not None and step.days_left < 0 and text:
            self.step_text.setObjectName("InlineError")
        else:
            self.step_text.setObjectName("")
        self.step_text.style().unpolish(self.step_text)
        self.step_text.style().polish(self.step_text)

    def _step_row(self, case_id: str) -> ui_queries.AwaitingScreening | None:
        return next((row for row in self.model.rows() if row.summary.id == case_id), None)

    def _on_send_button_clicked(self) -> None:
        if self._current is None:
            return
        target = self._send_target
        if target is None:
            return
        cid = self._current.case.id
        self.ctx.run(lambda s: lifecycle.change_status(s, case_id=cid, status=target, rationale=""), owner=self,
                     mutates=True, on_done=lambda _r: self._reload_current())

    def _reload_current(self) -> None:
        if self._current is not None:
            cid = self._current.case.id
            self.ctx.run(lambda s: cases.get_case_file(s, cid, audit_view=False), owner=self,
                         on_done=self._on_case_loaded)

    def _on_record_button_clicked(self) -> None:
        if self._current is None:
            return
        cid, outcome, rationale = self._current.case.id, self.outcome.currentData(), self.rationale.toPlainText()
        self.screen_error.setText("")

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.screen_error.setText(safe_message(exc))

        def done(_r: object) -> None:
            self.ctx.drafts.remove(("screening", cid))
            self.rationale.clear()
            self._current = None
            self.case_title.setText("Decision recorded. Choose another referral.")
            self.referral_text.setText("")
            self._set_screening_enabled(False, False)

        self.ctx.run(lambda s: lifecycle.screen_case(s, case_id=cid, outcome=outcome, rationale=rationale),
                     owner=self, mutates=True, on_done=done, on_error=failed)

    def _on_form_referral_opened(self, case_id: str) -> None:
        self.tabs.setCurrentIndex(0)
        self._stash_screening()
        self._current = None
        self._pending_select = case_id
        self.ctx.run(lambda s: cases.get_case_file(s, case_id, audit_view=False), owner=self,
                     on_done=self._on_case_loaded)

    # --- commands --------------------------------------------------------------------------------
    def new_item(self) -> bool:
        self.tabs.setCurrentWidget(self.form)
        self.form.forenames.setFocus()
        return True

    def save(self) -> bool:
        if self.tabs.currentWidget() is self.form:
            return self.form.submit()
        if self.record_button.isEnabled():
            self._on_record_button_clicked()
            return True
        return False

    def focus_find(self) -> bool:
        self.table.setFocus()
        return True
