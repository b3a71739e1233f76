"""Case tabs: Risk (level history chart), Actions, Information, Meetings, History.

Invariants: contributions show their marking and restrictions and are already filtered for
need-to-know by the service; only the owning agency (or the coordinator) can update an action,
and the service refuses others even if the button were reached. An update note typed and not
applied is a draft of the actions selected (``("action_update", "id+id…")`` in ``ctx.drafts``):
choosing other actions, or another case, keeps it and shows theirs; coming back selects them again
and shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import AgendaItem, CaseFile, Contribution, Meeting
from app.models.enums import ActionStatus, Marking, Role
from app.models.errors import InvalidInput
from app.services import actions, contributions, history, meetings
from app.services.context import Session
from app.services.history import HistoryLine
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.itemmodels.actions import action_model
from app.ui.itemmodels.rows import Column, IdRole, RowsModel, SortRole
from app.ui.widgets.charts import StepChart
from app.ui.widgets.common import Section, date_edit, required_day, uk
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import make_table, set_widths, text_width, wrap_rows


def _failed_into(label: PlainLabel) -> Callable[[BaseException], None]:
    def failed(exc: BaseException) -> None:
        from app.ui.errors import safe_message

        label.setText(safe_message(exc))

    return failed


class RiskTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        sec = Section("Risk level over time")
        self.chart = StepChart("Risk level history")
        self.chart.setMinimumHeight(240)
        sec.body.addWidget(self.chart)
        v.addWidget(sec)
        self.note = muted("")
        v.addWidget(self.note)
        v.addStretch(1)

    def show_case(self, cf: CaseFile) -> None:
        fw = self.ctx.snap.programme.framework
        ranks = {r.id: r.rank for r in fw.risk_levels}
        levels = [r.label for r in sorted(fw.risk_levels, key=lambda r: r.rank)]
        points = [(a.assessed_on, ranks.get(a.risk_level, 0)) for a in cf.assessments]
        self.chart.set_data(points, levels)
        self.note.setText(f"{len(points)} assessment version{'s' if len(points) != 1 else ''}. "
                          "Each point is a professional judgement recorded with its assessment.")


class ActionsTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        self.model = action_model(ctx, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = make_table("Case actions", self.proxy, chip_columns=(4,))
        set_widths(self.table, [0, 64, 150, 92, 96, 220], stretch=0)
        wrap_rows(self.table)  # long titles and notes wrap onto more lines rather than elide
        self.table.verticalHeader().setMinimumSectionSize(28)  # a chip's row as tall as elsewhere
        v.addWidget(self.table, 1)
        upd = QHBoxLayout()
        self.status = QComboBox()
        self.status.setAccessibleName("New status for the selected action")
        for st in ActionStatus:
            self.status.addItem(st.label, st)
        self.note = QLineEdit()
        self.note.setAccessibleName("Update note")
        self.note.setPlaceholderText("Note for the update")
        self.update_button = QPushButton("&Update action")
        self.update_button.setAccessibleName("Update the selected action")
        self.update_button.clicked.connect(self._on_update_button_clicked)
        upd.addWidget(PlainLabel("Selected action:", object_name="FieldLabel"))
        upd.addWidget(self.status)
        upd.addWidget(self.note, 1)
        upd.addWidget(self.update_button)
        v.addLayout(upd)
        self._shown: tuple[str, ...] = ()  # the actions whose update note is in the field
        self._restoring = False
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)
        self.raise_box = Section("Raise an action", horizontal=True)
        self.title = QLineEdit()
        self.title.setAccessibleName("New action")
        self.title.setPlaceholderText("What is to be done")
        self.agency = QComboBox()
        self.agency.setAccessibleName("Owning agency")
        self.due = date_edit("Due date", today_fn=ctx.today_fn)  # empty until the user gives one
        self.raise_button = QPushButton("&Raise")
        self.raise_button.setAccessibleName("Raise action")
        self.raise_button.clicked.connect(self._on_raise_button_clicked)
        for w in (self.title, self.agency, self.due, self.raise_button):
            self.raise_box.body.addWidget(w, 3 if w is self.title else 0)
        v.addWidget(self.raise_box)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        v.addWidget(self.error)

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
                     mutates=True, on_done=updated, on_error=_failed_into(self.error))

    def _on_raise_button_clicked(self) -> None:
        if self.cf is None:
            return
        try:
            due = required_day(self.due, "due date")
        except InvalidInput as exc:
            self.error.setText(exc.user_message)
            return
        cid, title, agency = self.cf.case.id, self.title.text(), self.agency.currentData()
        self.error.setText("")
        self.ctx.run(lambda s: actions.create_action(s, case_id=cid, title=title, owner_agency=agency, due=due),
                     owner=self, mutates=True, on_done=lambda _r: self.title.clear(), on_error=_failed_into(self.error))


class InformationTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        self._restrict_to: str | None = None
        self.restrict_prompt: QMessageBox | None = None
        self.restrict_confirm: QPushButton | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        self.model: RowsModel[Contribution] = RowsModel(
            [
                Column("Agency", lambda c: ctx.snap.agency_short(c.agency_id)),
                Column("Date", lambda c: uk(c.recorded_on), sort=lambda c: c.recorded_on),
                Column("Kind", lambda c: c.kind.capitalize()),
                Column("Marking", lambda c: c.marking.value, kind=lambda c: "muted"),
                Column("Restricted to", lambda c: ", ".join(sorted(ctx.snap.agency_short(a) for a in c.restricted_to)) or "All on the case",
                       kind=lambda c: "warn" if c.restricted_to else "muted"),
                Column("Information", lambda c: c.text),
            ],
            lambda c: c.id,
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = make_table("Information by agency", self.proxy, chip_columns=(3, 4))
        set_widths(self.table, [64, 92, 112, 160, 150], stretch=5)
        wrap_rows(self.table)
        v.addWidget(self.table, 1)
        add = Section("Add what your agency knows")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("New information")
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(70)
        add.body.addWidget(self.text)
        row = QHBoxLayout()
        self.marking = QComboBox()
        self.marking.setAccessibleName("Marking")
        for m in Marking:
            self.marking.addItem(m.value, m)
        self.marking.setCurrentIndex(self.marking.findData(Marking.default()))
        self.restrict = QComboBox()
        self.restrict.setAccessibleName("Restrict to")
        self.add_button = QPushButton("&Add information")
        self.add_button.setAccessibleName("Add information")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        row.addWidget(self.marking)
        row.addWidget(PlainLabel("Share with", object_name="FieldLabel"))
        row.addWidget(self.restrict, 1)
        row.addWidget(self.add_button)
        add.body.addLayout(row)
        v.addWidget(add)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        v.addWidget(self.error)
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)

    # --- the note being written is a draft of its case (app.ui.drafts) ---------------------------
    def _stash(self) -> None:
        if self.cf is None:
            return
        key = ("note", self.cf.case.id)
        text = self.text.toPlainText()
        if not text.strip():
            self.ctx.drafts.remove(key)
            return
        cid, marking, only = self.cf.case.id, Marking(self.marking.currentData()), self.restrict.currentData()

        def save(s: Session) -> None:
            contributions.add_contribution(s, case_id=cid, text=text, marking=marking,
                                           restricted_to=[only] if only else [])

        self.ctx.drafts.put(Draft(key, f"Information for {self.cf.case.ref}", (text, marking, only), save))

    def _restore(self, case_id: str) -> None:
        draft = self.ctx.drafts.get(("note", case_id))
        if draft is None or not isinstance(draft.value, tuple):
            self.text.clear()
            self.marking.setCurrentIndex(self.marking.findData(Marking.default()))
            self._restrict_to = None
            return
        text, marking, only = draft.value
        self.text.setPlainText(text)
        self.marking.setCurrentIndex(max(0, self.marking.findData(marking)))
        self._restrict_to = only

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        if self.cf is not None and ("note", self.cf.case.id) in keys:
            self.text.clear()

    def show_case(self, cf: CaseFile) -> None:
        if self.cf is None or self.cf.case.id != cf.case.id:  # moving to another case
            self._stash()
            self._restore(cf.case.id)
        else:
            self._restrict_to = self.restrict.currentData()
        self.cf = cf
        self.model.set_rows(sorted(cf.contributions, key=lambda c: (self.ctx.snap.agency_short(c.agency_id), c.recorded_on)))
        self.table.resizeRowsToContents()
        self.restrict.clear()
        self.restrict.addItem("Everyone the case is shared with", None)
        mine = self.ctx.snap.workstation.agency.id
        for a in self.ctx.snap.agencies:
            if a.id != mine:
                outside = a.id not in cf.case.shared_with
                self.restrict.addItem(f"Only {a.short} (and us){' – case not shared with them' if outside else ''}", a.id)
        self.restrict.setCurrentIndex(max(0, self.restrict.findData(self._restrict_to)))

    def _on_add_button_clicked(self) -> None:
        """A note restricted to an agency the case is not shared with would reach nobody but us:
        say so and ask before saving."""
        if self.cf is None:
            return
        only = self.restrict.currentData()
        if only and only not in self.cf.case.shared_with:
            name = self.ctx.snap.agency_name(only) or "that agency"
            box = QMessageBox(self)
            box.setObjectName("RestrictedNotePrompt")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Not shared with that agency")
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(f"{self.cf.case.ref} is not shared with {name}, so {name} will not see this note: "
                        "only your agency will. Add it anyway?")
            self.restrict_confirm = box.addButton("Add &anyway", QMessageBox.ButtonRole.AcceptRole)
            cancel = box.addButton("&Cancel", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(cancel)
            box.setEscapeButton(cancel)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.buttonClicked.connect(self._on_restrict_answer)
            self.restrict_prompt = box
            box.open()
            return
        self._add_note()

    def _on_restrict_answer(self, button: object) -> None:
        self.restrict_prompt = None
        if button is self.restrict_confirm:
            self._add_note()

    def _add_note(self) -> None:
        if self.cf is None:
            return
        cid, text, marking = self.cf.case.id, self.text.toPlainText(), Marking(self.marking.currentData())
        only = self.restrict.currentData()
        self.error.setText("")
        def added(_r: object) -> None:
            self.ctx.drafts.remove(("note", cid))
            if self.cf is not None and self.cf.case.id == cid:
                self.text.clear()

        self.ctx.run(lambda s: contributions.add_contribution(s, case_id=cid, text=text, marking=marking,
                                                              restricted_to=[only] if only else []),
                     owner=self, mutates=True, on_done=added, on_error=_failed_into(self.error))


class MeetingsTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._meetings: dict[str, Meeting] = {}
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)

        def held(i: AgendaItem) -> str:
            m = self._meetings.get(i.meeting_id)
            return uk(m.held_on) if m else ""

        self.model: RowsModel[AgendaItem] = RowsModel(
            [
                Column("Meeting", held, sort=lambda i: self._meetings[i.meeting_id].held_on if i.meeting_id in self._meetings else None),
                Column("Item", lambda i: self.ctx.snap.programme.agenda_label(i.kind, item=True)),
                Column("Decision", lambda i: i.decision or "—"),
                Column("Rationale", lambda i: i.rationale),
                Column("Dissent", lambda i: i.dissent),
                Column("Discussion", lambda i: i.discussion),
            ],
            lambda i: i.id,
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = make_table("Where this case was discussed", self.proxy)
        set_widths(self.table, [92, 120, 0, 0, 160, 0], stretch=(2, 3, 5))
        wrap_rows(self.table)
        v.addWidget(self.table, 1)

    def show_case(self, cf: CaseFile) -> None:
        items = cf.agenda_items

        def got(ms: list[Meeting]) -> None:
            self._meetings = {m.id: m for m in ms}
            self.model.set_rows(items)

        self.ctx.run(meetings.list_meetings, owner=self, on_done=got)


class HistoryTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        # one sentence per entry, in local time ("Status changed from … to … by … at …")
        self.model: RowsModel[HistoryLine] = RowsModel(
            [
                Column("When", lambda h: h.at.strftime("%d/%m/%Y %H:%M"), sort=lambda h: h.seq),
                Column("What happened", lambda h: h.text),
            ],
            lambda h: str(h.seq),
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = make_table("Case history", self.proxy)
        set_widths(self.table, [text_width(self.table, "00/00/0000 00:00")], stretch=1)
        wrap_rows(self.table)
        v.addWidget(self.table, 1)
        v.addWidget(muted("Every view, change and print of this case, from the tamper-evident audit log."))

    def show_case(self, cf: CaseFile) -> None:
        cid = cf.case.id
        self.ctx.run(lambda s: history.case_history_lines(s, case_id=cid), owner=self,
                     on_done=self.model.set_rows)
