"""One case: a header (ref, name, status and risk chips, marking) and the tabs.

Invariants: the case file is fetched once per opening (an audited view) and re-fetched without
another audit entry when a change touches it; every tab gets the same ``CaseFile`` and renders
names and narratives as plain text.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import CaseFile
from app.services import cases
from app.services.context import Changed
from app.ui.context import UiContext
from app.ui.screens.cases.tab_actions import ActionsTab
from app.ui.screens.cases.tab_assessment import AssessmentTab
from app.ui.screens.cases.tab_attachments import AttachmentsTab
from app.ui.screens.cases.tab_history import HistoryTab
from app.ui.screens.cases.tab_information import InformationTab
from app.ui.screens.cases.tab_meetings import MeetingsTab
from app.ui.screens.cases.tab_people import PeopleTab
from app.ui.screens.cases.tab_plan import PlanTab
from app.ui.screens.cases.tab_risk import RiskTab
from app.ui.screens.cases.tab_summary import SummaryTab
from app.ui.screens.cases.transfer_box import TransferControls
from app.ui.widgets.common import Chip, chip_kind_for_risk, chip_kind_for_stage
from app.ui.widgets.controls import button, row
from app.ui.widgets.plain import PlainLabel


class _ShowsCase(Protocol):
    def show_case(self, cf: CaseFile) -> None: ...


TAB_NAMES = ("Summary", "Assessment", "Risk", "Plan", "Actions", "Information", "Meetings", "History")
CASE_ENTITIES = ("case", "subject", "referral", "screening", "consent", "assessment", "plan", "action",
                 "action_update", "contribution", "agenda_item", "status_change", "linked_person",
                 "attachment")


def documents_folder() -> Path:
    """Where a save dialog starts: the user's Documents folder, or their home folder when there
    is none (never the folder Roundtable was started from)."""
    for where in (QStandardPaths.StandardLocation.DocumentsLocation, QStandardPaths.StandardLocation.HomeLocation):
        folder = QStandardPaths.writableLocation(where)
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


class CaseView(QWidget):
    back_requested = Signal()
    case_loaded = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_file: CaseFile | None = None
        self.case_id: str | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.addLayout(self._build_head())
        v.addLayout(self._build_chips())
        v.addWidget(self.transfer.note)
        v.addWidget(self._build_tabs(), 1)
        ctx.changed.connect(self._on_ctx_changed)
        self.print_note: QMessageBox | None = None
        self._bind_tab_keys()

    def _build_head(self) -> QHBoxLayout:
        """Back to the list, the case's ref and subject, Print plan and Subject access."""
        back = button("← Cases", accessible="Back to the case list", object_name="Flat",
                      on_click=self.back_requested.emit)
        self.ref = PlainLabel("", object_name="CaseRef", accessible="Case reference")
        self.name = PlainLabel("", object_name="CaseName", accessible="Subject name")
        self.print_button = button("&Print plan…", accessible="Print the risk-management plan (Ctrl+P)",
                                   tip="Print the risk-management plan (Ctrl+P)", object_name="Flat",
                                   on_click=self.print_plan)
        self.sar_button = button("Subject access…", object_name="Flat",
                                 accessible="Subject access report: everything held about this person",
                                 on_click=self.subject_access)
        self.transfer = TransferControls(self.ctx, self)  # transfer between panels (issue 15)
        return row(back, self.ref, self.name, 1, self.print_button, self.sar_button,
                   self.transfer.button, self.transfer.history_button)

    def _build_chips(self) -> QHBoxLayout:
        # the chips on a row of their own under the name: on one row with the ref, the name and the
        # buttons they were squeezed at 1366x768 at 125 % with the client's fonts
        self.status_chip = Chip()
        self.risk_chip = Chip()
        self.marking_chip = Chip()
        return row(self.status_chip, self.risk_chip, 1, self.marking_chip)

    def _build_tabs(self) -> QTabWidget:
        ctx = self.ctx
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case tabs")
        self.summary = SummaryTab(ctx)
        self.assessment = AssessmentTab(ctx)
        self.risk = RiskTab(ctx)
        self.plan = PlanTab(ctx)
        self.actions_tab = ActionsTab(ctx)
        self.information = InformationTab(ctx)
        self.meetings = MeetingsTab(ctx)
        self.history = HistoryTab(ctx)
        self._tabs: list[QWidget] = [self.summary, self.assessment, self.risk, self.plan, self.actions_tab,
                                     self.information, self.meetings, self.history]
        self._fillers: list[_ShowsCase] = [self.summary, self.assessment, self.risk, self.plan, self.actions_tab,
                                           self.information, self.meetings, self.history]
        for name, tab in zip(TAB_NAMES, self._tabs, strict=True):
            self.tabs.addTab(tab, name)
        # documents attached to the case (issue 16), after Information; files dropped anywhere on
        # the case are attached through it
        self.attachments_tab = AttachmentsTab(ctx)
        self.tabs.insertTab(self.tabs.indexOf(self.information) + 1, self.attachments_tab, "Attachments")
        self._fillers.append(self.attachments_tab)
        self.setAcceptDrops(True)
        # People linked to the case, after Summary, for a programme that declares linked roles
        # (docs/programmes.md, "Linked people"); the others' tabs are as they were
        self.people = PeopleTab(ctx)
        return self.tabs

    def _bind_tab_keys(self) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab go round the case tabs from anywhere in the case
        (some X keymaps send Ctrl+Shift+Tab as Tab with Shift, not Backtab: both are bound)."""
        for seq, extra, step in ((QKeySequence.StandardKey.NextChild, "Ctrl+Tab", 1),
                                 (QKeySequence.StandardKey.PreviousChild, "Ctrl+Shift+Tab", -1)):
            bindings = {k.toString(): k for k in (*QKeySequence.keyBindings(seq), QKeySequence(extra))}
            for keys in bindings.values():
                sc = QShortcut(keys, self)
                sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                sc.activated.connect(partial(self.next_tab, step))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.attachments_tab.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.attachments_tab.dropEvent(event)
        if event.isAccepted():
            self.tabs.setCurrentWidget(self.attachments_tab)

    def next_tab(self, step: int) -> None:
        n = self.tabs.count()
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % n)

    def show_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.tabs.setCurrentIndex(0)
        self._fetch(audit=True)

    def reload(self) -> None:
        if self.case_id:
            self._fetch(audit=False)

    def _fetch(self, *, audit: bool) -> None:
        cid = self.case_id
        if cid is None or self.ctx.is_locked:
            return
        self.ctx.run(lambda s: cases.get_case_file(s, cid, audit_view=audit), owner=self, on_done=self._on_loaded)

    def _on_ctx_changed(self, changed: Changed) -> None:
        if self.case_id and self.isVisible() and changed.touches(*CASE_ENTITIES):
            self.reload()

    def _on_loaded(self, cf: CaseFile) -> None:
        if cf.case.id != self.case_id:
            return
        self.case_file = cf
        prog = self.ctx.snap.programme
        self.ref.setText(cf.case.ref)
        self.name.setText(cf.subject.display_name)
        st = prog.status(cf.case.status)
        self.status_chip.set(st.label, chip_kind_for_stage(st.stage))
        ranks = {r.id: r.rank for r in prog.framework.risk_levels}
        level = cf.case.risk_level or (cf.current_assessment.risk_level if cf.current_assessment else None)
        self.risk_chip.set(f"Risk: {self.ctx.snap.risk_label(level)}" if level else "",
                           chip_kind_for_risk(ranks.get(level or "")))
        self.marking_chip.set(cf.case.marking.value, "muted")
        at = self.tabs.indexOf(self.people)
        if prog.linked_roles and at < 0:
            self.tabs.insertTab(1, self.people, "People")
        elif not prog.linked_roles and at >= 0:
            self.tabs.removeTab(at)
        if prog.linked_roles:
            self.people.show_case(cf)
        for tab in self._fillers:
            tab.show_case(cf)
        self.transfer.show_case(cf)
        self.case_loaded.emit(cf.case.id)

    def print_plan(self) -> None:
        """Says so at once when the case has no plan; otherwise suggests the user's documents
        folder and a file name with the case ref."""
        if self.case_id is None or self.ctx.is_locked or self.case_file is None:
            return
        cf = self.case_file
        if cf.current_plan is None:
            box = QMessageBox(QMessageBox.Icon.Information, "No plan to print",
                              f"{cf.case.ref} has no risk-management plan yet. Write one on the Plan tab "
                              "(New version), then print it.", QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(lambda _r: setattr(self, "print_note", None))
            self.print_note = box
            box.open()
            return
        from app.ui.documents.pack_dialog import print_plan

        name = f"Risk-management plan {cf.case.ref}.pdf"
        print_plan(self, self.ctx.session_for_documents(), self.case_id, tasks=self.ctx.tasks,
                   suggested=str(documents_folder() / name))

    def subject_access(self) -> None:
        if self.case_id is None or self.ctx.is_locked:
            return
        from app.ui.documents.subject_access import request_subject_access

        request_subject_access(self, self.ctx, self.case_id)

    def save(self) -> bool:
        tab = self.tabs.currentWidget()
        return bool(getattr(tab, "save", lambda: False)())
