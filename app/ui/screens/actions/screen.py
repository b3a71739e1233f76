"""Actions: every action this store may show, filtered by agency, owner, status and overdue, with
bulk status update for the user's own agency.

Invariants: the list is a lazy model over ids (``ActionTableModel``): the store filters and sorts,
rows are fetched for what is shown, so 60,000 actions list as fast as a page; bulk update is all
or nothing (the service refuses the whole batch if one action belongs to another agency) and only
the user's own agency's actions can be ticked unless the user is the coordinator.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.models.enums import ActionStatus, Role
from app.services import actions as actions_service
from app.services import ui_queries
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.actions import ActionTableModel
from app.ui.progress import ProgressDialog, run_with_progress
from app.ui.screens.base import Screen
from app.ui.tasks import Progress
from app.ui.widgets.controls import button, check, combo, line_edit, refill, row
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import date_width, make_table, ref_width, set_widths, two_line_rows


class ActionsScreen(Screen):
    title = "Actions"
    watches = ("action", "action_update", "case")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.progress_dialog: ProgressDialog | None = None
        self.root.addLayout(self._build_filters())
        self.model = ActionTableModel(ctx, self)
        self.model.ids_loaded.connect(lambda _n: self._show_count())
        self.table = make_table("All actions", self.model, chip_columns=(5,))
        # owner and last update narrower (both wrap onto two lines): titles were elided at
        # 1366x768 at 125 % with the client's fonts
        set_widths(self.table, [ref_width(self.table) + 24, 0, 64, 120, date_width(self.table), 96, 140], stretch=1)
        two_line_rows(self.table)  # titles wrap rather than elide
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)
        self.root.addWidget(self.table, 1)
        self.root.addLayout(self._build_bulk())
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        self.root.addWidget(self.error)
        self.outcome = PlainLabel("", wrap=True, object_name="Muted", accessible="Outcome of the last update")
        self.root.addWidget(self.outcome)
        for c in (self.agency, self.owner_combo, self.status):
            c.currentIndexChanged.connect(lambda _i: self._apply())
        self.overdue.toggled.connect(lambda _b: self._apply())
        self.open_only.toggled.connect(lambda _b: self._apply())

    def _build_filters(self) -> QHBoxLayout:
        """Agency, owner and status drop-downs, Overdue only, Open only."""
        self.agency = combo("Owning agency")
        self.owner_combo = combo("Owner")
        self.status = combo("Status", [("Any status", None), *((st.label, st) for st in ActionStatus)])
        self.overdue = check("Overdue only", "Overdue only")
        self.open_only = check("Open only", "Open actions only", checked=True)
        return row((self.agency, 1), (self.owner_combo, 1), (self.status, 1), self.overdue, self.open_only)

    def _build_bulk(self) -> QHBoxLayout:
        """The count shown, tick or untick all, and the new status and note for the ticked actions."""
        self.count = muted("")
        self.tick_all = button("Tick all &shown", accessible="Tick every action shown", object_name="Flat",
                               on_click=self._on_tick_all_clicked)
        self.untick_all = button("Untick all", accessible="Untick every action", object_name="Flat",
                                 on_click=self._on_untick_all_clicked)
        ticked = PlainLabel("&Ticked actions:", object_name="FieldLabel")
        self.new_status = combo("New status for ticked actions", ((st.label, st) for st in ActionStatus))
        ticked.setBuddy(self.new_status)
        self.note = line_edit("Note for the update", placeholder="Note")
        self.apply_button = button("&Update ticked", accessible="Update ticked actions", object_name="Primary",
                                   on_click=self._on_apply_button_clicked)
        return row((self.count, 1), self.tick_all, self.untick_all, ticked, self.new_status, (self.note, 1),
                   self.apply_button)

    def _fill_filters(self) -> None:
        snap = self.ctx.snap
        refill(self.agency, [("Any agency", None), *((a.name, a.id) for a in snap.agencies)], quiet=True)
        refill(self.owner_combo, [("Any owner", None), *((m.name, m.id) for m in snap.members)], quiet=True)

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
