"""Case tab: Information — what each agency knows, and adding your agency's.

Invariants: contributions show their marking and restrictions and are already filtered for
need-to-know by the service. A note typed and not added is a draft of its case (``("note", case
id)`` in ``ctx.drafts``); a note restricted to an agency the case is not shared with asks first.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from app.models.domain import CaseFile, Contribution
from app.models.enums import Marking
from app.services import contributions
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.cases.tab_common import CaseTab, failed_into
from app.ui.widgets.common import Section, uk
from app.ui.widgets.controls import ask, button, combo, question, row, text_box
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import set_widths, sorted_table, wrap_rows


class InformationTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._restrict_to: str | None = None
        self.restrict_prompt: QMessageBox | None = None
        self.restrict_confirm: QPushButton | None = None
        v = self.body
        v.addWidget(self._build_list(), 1)
        v.addWidget(self._build_add())
        self.error = self.add_error_line()
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)

    def _build_list(self) -> QTableView:
        ctx = self.ctx
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
        self.proxy, self.table = sorted_table("Information by agency", self.model, self, chip_columns=(3, 4))
        set_widths(self.table, [64, 92, 112, 160, 150], stretch=5)
        wrap_rows(self.table)
        return self.table

    def _build_add(self) -> Section:
        """The new information, its marking, who it is shared with, and Add."""
        add = Section("Add what your agency knows")
        self.text = text_box("New information", max_height=70)
        add.body.addWidget(self.text)
        self.marking = combo("Marking", ((m.value, m) for m in Marking), current=Marking.default())
        self.restrict = combo("Restrict to")
        self.add_button = button("&Add information", accessible="Add information",
                                 on_click=self._on_add_button_clicked)
        add.body.addLayout(row(self.marking, PlainLabel("Share with", object_name="FieldLabel"), (self.restrict, 1),
                               self.add_button))
        return add

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
            box = question(self, "RestrictedNotePrompt", "Not shared with that agency",
                           f"{self.cf.case.ref} is not shared with {name}, so {name} will not see this note: "
                           "only your agency will. Add it anyway?")
            self.restrict_prompt = box
            self.restrict_confirm = ask(box, "Add &anyway", self._on_restrict_answer)
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
                     owner=self, mutates=True, on_done=added, on_error=failed_into(self.error))
