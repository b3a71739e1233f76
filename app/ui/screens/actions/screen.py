"""Actions: every action this store may show, filtered by agency, owner, status and overdue, with
bulk status update for the user's own agency.

Invariants: the list is a lazy model over ids (``ActionTableModel``): the store filters and sorts,
rows are fetched for what is shown, so 60,000 actions list as fast as a page; bulk update is all
or nothing (the service refuses the whole batch if one action belongs to another agency) and only
the user's own agency's actions can be ticked unless the user is the coordinator.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app.models.enums import ActionStatus, Role
from app.services import actions as actions_service
from app.services import ui_queries
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.actions import ActionTableModel
from app.ui.progress import ProgressDialog, run_with_progress
from app.ui.screens.base import Screen
from app.ui.tasks import Progress
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import date_width, make_table, ref_width, set_widths, two_line_rows


class ActionsScreen(Screen):
    title = "Actions"
    watches = ("action", "action_update", "case")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.progress_dialog: ProgressDialog | None = None
        bar = QHBoxLayout()
        self.agency = QComboBox()
        self.agency.setAccessibleName("Owning agency")
        self.owner_combo = QComboBox()
        self.owner_combo.setAccessibleName("Owner")
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.addItem("Any status", None)
        for st in ActionStatus:
            self.status.addItem(st.value.replace("-", " ").capitalize(), st)
        self.overdue = QCheckBox("Overdue only")
        self.overdue.setAccessibleName("Overdue only")
        self.open_only = QCheckBox("Open only")
        self.open_only.setAccessibleName("Open actions only")
        self.open_only.setChecked(True)
        for w in (self.agency, self.owner_combo, self.status):
            bar.addWidget(w, 1)
        bar.addWidget(self.overdue)
        bar.addWidget(self.open_only)
        self.root.addLayout(bar)
        self.model = ActionTableModel(ctx, self)
        self.model.ids_loaded.connect(lambda _n: self._show_count())
        self.table = make_table("All actions", self.model, chip_columns=(5,))
        # owner and last update narrower (both wrap onto two lines): titles were elided at
        # 1366x768 at 125 % with the client's fonts
        set_widths(self.table, [ref_width(self.table) + 24, 0, 64, 120, date_width(self.table), 96, 140], stretch=1)
        two_line_rows(self.table)  # titles wrap rather than elide
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)
        self.root.addWidget(self.table, 1)
        bulk = QHBoxLayout()
        self.count = muted("")
        bulk.addWidget(self.count, 1)
        self.tick_all = QPushButton("Tick all &shown")
        self.tick_all.setObjectName("Flat")
        self.tick_all.setAccessibleName("Tick every action shown")
        self.tick_all.clicked.connect(self._on_tick_all_clicked)
        self.untick_all = QPushButton("Untick all")
        self.untick_all.setObjectName("Flat")
        self.untick_all.setAccessibleName("Untick every action")
        self.untick_all.clicked.connect(self._on_untick_all_clicked)
        bulk.addWidget(self.tick_all)
        bulk.addWidget(self.untick_all)
        ticked = PlainLabel("&Ticked actions:", object_name="FieldLabel")
        bulk.addWidget(ticked)
        self.new_status = QComboBox()
        self.new_status.setAccessibleName("New status for ticked actions")
        for st in ActionStatus:
            self.new_status.addItem(st.value.replace("-", " ").capitalize(), st)
        ticked.setBuddy(self.new_status)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note for the update")
        self.note.setPlaceholderText("Note")
        self.apply_button = QPushButton("&Update ticked")
        self.apply_button.setObjectName("Primary")
        self.apply_button.setAccessibleName("Update ticked actions")
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        bulk.addWidget(self.new_status)
        bulk.addWidget(self.note, 1)
        bulk.addWidget(self.apply_button)
        self.root.addLayout(bulk)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        self.root.addWidget(self.error)
        self.outcome = PlainLabel("", wrap=True, object_name="Muted", accessible="Outcome of the last update")
        self.root.addWidget(self.outcome)
        for c in (self.agency, self.owner_combo, self.status):
            c.currentIndexChanged.connect(lambda _i: self._apply())
        self.overdue.toggled.connect(lambda _b: self._apply())
        self.open_only.toggled.connect(lambda _b: self._apply())

    def _fill_filters(self) -> None:
        snap = self.ctx.snap
        for combo, any_label, items in (
            (self.agency, "Any agency", [(a.name, a.id) for a in snap.agencies]),
            (self.owner_combo, "Any owner", [(m.name, m.id) for m in snap.members]),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(any_label, None)
            for label, value in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(keep)))
            combo.blockSignals(False)

    def load(self) -> None:
        self._fill_filters()
        self.count.setText("Loading actions…")
        self._apply()

    def _apply(self) -> None:
        status = self.status.currentData()
        self.model.reload(agency=self.agency.currentData(), owner=self.owner_combo.currentData(),
                          status=ActionStatus(status) if status else None, overdue=self.overdue.isChecked(),
                          open_only=self.open_only.isChecked())

    def _show_count(self) -> None:
        self.count.setText(f"{self.model.rowCount()} of {self.model.total} actions")

    def show_my_overdue(self) -> None:
        i = self.agency.findData(self.ctx.snap.workstation.agency.id)
        self.agency.setCurrentIndex(max(0, i))
        self.overdue.setChecked(True)

    def _on_apply_button_clicked(self) -> None:
        ids = self.model.checked_ids()
        if not ids:
            self.error.setText("Tick the actions to update first.")
            return
        snap = self.ctx.snap
        if snap.workstation.member.role is not Role.COORDINATOR:
            mine = snap.workstation.agency.id
            # A row ticked before its data arrived has no known agency yet: the service decides
            # for it (all or nothing), so only known other agencies are refused here.
            others = [i for i, agency in self.model.checked_agencies().items() if agency and agency != mine]
            if others:
                self.error.setText("Only your own agency's actions can be updated; untick the others.")
                return
        status, note = ActionStatus(self.new_status.currentData()), self.note.text()
        self.error.setText("")
        self.outcome.setText("")

        def failed(exc: BaseException) -> None:
            from app.ui.errors import safe_message

            self.error.setText(safe_message(exc))

        def job(s: Session, progress: Progress) -> int:
            return actions_service.bulk_update(s, action_ids=ids, status=status, note=note, step=progress.step)

        def done(n: int) -> None:
            self.note.clear()
            self.model.set_checked(ids, False)
            self.error.setText("")
            self.outcome.setText(f"{n} action{'s' if n != 1 else ''} updated.")

        def cancelled() -> None:
            self.error.setText("Update cancelled: no action was changed.")

        self.progress_dialog = run_with_progress(
            self.ctx, self, f"Updating {len(ids)} action{'s' if len(ids) != 1 else ''}…", job, on_done=done,
            on_error=failed, on_cancelled=cancelled, mutates=True)

    def _on_tick_all_clicked(self) -> None:
        snap = self.ctx.snap
        if snap.workstation.member.role is Role.COORDINATOR:
            self._tick(self.model.ids(), "")
            return
        # an officer ticks only their own agency's actions among those shown: the store says which
        mine = snap.workstation.agency.id
        f = dict(self.model.filters)
        if f.get("agency", mine) != mine:
            self._tick([], mine)
            return
        f["agency"] = mine
        self.ctx.run(lambda s: ui_queries.action_ids(s, **f), owner=self, on_done=lambda ids: self._tick(ids, mine))

    def _tick(self, ids: list[str], agency: str) -> None:
        self.model.set_checked(ids, True, agency=agency)
        self.error.setText(f"{len(self.model.checked_ids())} ticked.")

    def _on_untick_all_clicked(self) -> None:
        self.model.set_checked(self.model.checked_ids(), False)
        self.error.setText("")

    def focus_find(self) -> bool:
        self.agency.setFocus()
        return True
