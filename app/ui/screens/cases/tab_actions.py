"""Case tab: Actions.

Invariants: only the owning agency (or the coordinator) can update an action, and the service
refuses others even if the button were reached. An update note typed and not applied is a draft of
the actions selected (``("action_update", "id+id…")`` in ``ctx.drafts``): choosing other actions,
or another case, keeps it and shows theirs; coming back selects them again and shows it.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.models.domain import CaseFile
from app.models.enums import ActionStatus, Role
from app.services import actions
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.itemmodels.actions import action_model
from app.ui.itemmodels.rows import IdRole
from app.ui.screens.cases.tab_common import CaseTab, failed_into
from app.ui.widgets.common import Section, date_edit, day_or_say
from app.ui.widgets.controls import button, combo, line_edit, row
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import set_widths, sorted_table, wrap_rows


class ActionsTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        v = self.body
        self.model = action_model(ctx, self)
        self.proxy, self.table = sorted_table("Case actions", self.model, self, chip_columns=(4,))
        set_widths(self.table, [0, 64, 150, 92, 96, 220], stretch=0)
        wrap_rows(self.table)  # long titles and notes wrap onto more lines rather than elide
        self.table.verticalHeader().setMinimumSectionSize(28)  # a chip's row as tall as elsewhere
        v.addWidget(self.table, 1)
        v.addLayout(self._build_update())
        self._shown: tuple[str, ...] = ()  # the actions whose update note is in the field
        self._restoring = False
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)
        v.addWidget(self._build_raise())
        self.error = self.add_error_line()

    def _build_update(self) -> QHBoxLayout:
        """The selected action's new status, a note, and Update."""
        self.status = combo("New status for the selected action", ((st.label, st) for st in ActionStatus))
        self.note = line_edit("Update note", placeholder="Note for the update")
        self.update_button = button("&Update action", accessible="Update the selected action",
                                    on_click=self._on_update_button_clicked)
        return row(PlainLabel("Selected action:", object_name="FieldLabel"), self.status, (self.note, 1),
                   self.update_button)

    def _build_raise(self) -> Section:
        """A new action: what is to be done, the owning agency, the due date, and Raise."""
        self.raise_box = Section("Raise an action", horizontal=True)
        self.title = line_edit("New action", placeholder="What is to be done")
        self.agency = combo("Owning agency")
        self.due = date_edit("Due date", today_fn=self.ctx.today_fn)  # empty until the user gives one
        self.raise_button = button("&Raise", accessible="Raise action", on_click=self._on_raise_button_clicked)
        for w in (self.title, self.agency, self.due, self.raise_button):
            self.raise_box.body.addWidget(w, 3 if w is self.title else 0)
        return self.raise_box

    def show_case(self, cf: CaseFile) -> None:
        same = self.cf is not None and self.cf.case.id == cf.case.id
        if not same:
            self._stash()  # the case being left keeps its update note
        self.cf = cf
        self._restoring = True
        try:
            self.model.set_rows(cf.actions)
        finally:
            self._restoring = False
        if same:  # a reload: the same actions stay selected with the note typed for them
            self._select(self._shown)
        else:
            self._restore_case(cf)
        self.agency.clear()
        for a in self.ctx.snap.agencies:
            self.agency.addItem(a.name, a.id)
        self.raise_box.setVisible(self.ctx.snap.workstation.member.role in (Role.COORDINATOR, Role.CHAIR))
        self.error.setText("")

    def _selected_ids(self) -> list[str]:
        return [self.proxy.index(i.row(), 0).data(IdRole) for i in self.table.selectionModel().selectedRows()]

    # --- the update note is a draft of the actions it is for (app.ui.drafts) ----------------------
    @staticmethod
    def _key(ids: tuple[str, ...]) -> tuple[str, str]:
        return ("action_update", "+".join(sorted(ids)))

    def _stash(self) -> None:
        if self.cf is None or not self._shown:
            return
        key = self._key(self._shown)
        note = self.note.text()
        if not note.strip():
            self.ctx.drafts.remove(key)
            return
        ids, status = list(self._shown), ActionStatus(self.status.currentData())
        titles: dict[str, str] = {a.id: a.title for a in self.cf.actions}
        what = (f"action “{titles.get(ids[0], '')}”" if len(ids) == 1 else f"{len(ids)} actions")

        def save(s: Session) -> None:
            actions.bulk_update(s, action_ids=ids, status=status, note=note)

        self.ctx.drafts.put(Draft(key, f"Update of {what} ({self.cf.case.ref})", (tuple(ids), status, note), save))

    def _show_draft(self, ids: tuple[str, ...]) -> None:
        draft = self.ctx.drafts.get(self._key(ids)) if ids else None
        if draft is not None and isinstance(draft.value, tuple):
            _ids, status, note = draft.value
            self.status.setCurrentIndex(max(0, self.status.findData(status)))
            self.note.setText(note)
        else:
            self.note.clear()
        self._shown = ids

    def _select(self, ids: tuple[str, ...]) -> None:
        """Select these actions without filing or showing anything (the note stays as it is)."""
        sm = self.table.selectionModel()
        self._restoring = True
        try:
            sm.clearSelection()
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            for r in range(self.proxy.rowCount()):
                if self.proxy.index(r, 0).data(IdRole) in ids:
                    sm.select(self.proxy.index(r, 0), flags)
        finally:
            self._restoring = False

    def _restore_case(self, cf: CaseFile) -> None:
        """Coming to a case: the actions with an update note kept select themselves and show it."""
        mine = {a.id for a in cf.actions}
        for key in self.ctx.drafts.keys("action_update"):
            ids = tuple(x for x in key[1].split("+") if x)
            if ids and set(ids) <= mine:
                self._select(ids)
                self._show_draft(ids)
                return
        self._shown = ()
        self.note.clear()

    def _on_selection_changed(self, *_args: object) -> None:
        if self._restoring:
            return
        new = tuple(sorted(self._selected_ids()))
        old = self._shown
        if not old or set(old) & set(new):
            # no action was chosen yet, or the choice grew or shrank: the note goes with it
            if old and old != new:
                self.ctx.drafts.remove(self._key(old))
            self._shown = new
            return
        self._stash()  # other actions: the note typed stays with the actions it was typed for
        self._show_draft(new)

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        if self._shown and self._key(self._shown) in keys:
            self.note.clear()

    def _on_update_button_clicked(self) -> None:
        ids, status, note = self._selected_ids(), ActionStatus(self.status.currentData()), self.note.text()
        if not ids:
            self.error.setText("Select an action first.")
            return
        self.error.setText("")
        key = self._key(tuple(ids))

        def updated(_r: object) -> None:
            self.ctx.drafts.remove(key)
            if self._shown and self._key(self._shown) == key:
                self.note.clear()

        self.ctx.run(lambda s: actions.bulk_update(s, action_ids=ids, status=status, note=note), owner=self,
                     mutates=True, on_done=updated, on_error=failed_into(self.error))

    def _on_raise_button_clicked(self) -> None:
        if self.cf is None:
            return
        due = day_or_say(self.due, "due date", self.error)
        if due is None:
            return
        cid, title, agency = self.cf.case.id, self.title.text(), self.agency.currentData()
        self.error.setText("")
        self.ctx.run(lambda s: actions.create_action(s, case_id=cid, title=title, owner_agency=agency, due=due),
                     owner=self, mutates=True, on_done=lambda _r: self.title.clear(), on_error=failed_into(self.error))
