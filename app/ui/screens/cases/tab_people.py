"""Case tab: People linked to the case (a programme's ``linked_roles``: the person causing harm,
the children in the household). Shown only for a programme that declares linked roles.

Invariants: the list is the case file's (already need-to-know filtered by the service); only the
coordinator may add, change or remove a person, and the service refuses anyone else even if a
button were reached. Details typed and not saved are a draft of the case
(``("linked_person", case_id)`` in ``ctx.drafts``, see ``app.ui.drafts``): moving to another case
keeps them, coming back shows them, closing the window offers to save them.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QTableView,
    QWidget,
)

from app.models.domain import CaseFile, Identifier, LinkedPerson
from app.models.errors import InvalidInput
from app.services import linked_people
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.cases.tab_common import CaseTab, failed_into
from app.ui.widgets.common import Section, date_edit, uk
from app.ui.widgets.controls import button, combo, labelled_line, row
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import set_widths, sorted_table, wrap_rows

_FIELDS = ("forenames", "surname", "pnc", "nhs", "notes")


def _role_label(ctx: UiContext, role: str) -> str:
    return next((r.label for r in ctx.snap.programme.linked_roles if r.id == role), role)


def _ident(p: LinkedPerson, kind: str) -> str:
    return next((i.value for i in p.identifiers if i.kind == kind), "")


class PeopleTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.editing: str | None = None  # the id of the person the form shows, None for a new one
        v = self.body
        self.repeat = PlainLabel("", wrap=True, object_name="Warning")
        self.repeat.setAccessibleName("Repeat referral")
        self.repeat.setVisible(False)
        v.addWidget(self.repeat)
        v.addWidget(self._build_list(), 1)
        v.addWidget(self._build_form())
        self.error = self.add_error_line()
        ctx.drafts.flush_requested.connect(self._stash)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)

    def _build_list(self) -> QTableView:
        ctx = self.ctx
        self.model: RowsModel[LinkedPerson] = RowsModel(
            [
                Column("Role", lambda p: _role_label(ctx, p.role)),
                Column("Name", lambda p: p.display_name + (f" (also {', '.join(p.aliases)})" if p.aliases else "")),
                Column("Born", lambda p: uk(p.date_of_birth), sort=lambda p: p.date_of_birth or ""),
                Column("Identifiers", lambda p: "; ".join(f"{i.kind.upper()} {i.value}" for i in p.identifiers)),
                Column("Notes", lambda p: p.notes),
            ],
            lambda p: p.id,
            self,
        )
        self.proxy, self.table = sorted_table("People linked to the case", self.model, self)
        set_widths(self.table, [170, 190, 100, 170], stretch=4)
        wrap_rows(self.table)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        return self.table

    def _build_form(self) -> Section:
        """The person's role, names, date of birth, identifiers and notes; New, Remove, Add/Save."""
        self.form_card = Section("Add a person")
        form = QFormLayout()
        self.role = combo("Role")
        form.addRow("&Role", self.role)
        self.forenames = labelled_line(form, "&Forenames")
        self.surname = labelled_line(form, "&Surname")
        self.dob = date_edit("Date of birth", today_fn=self.ctx.today_fn, past=True)
        form.addRow("Date of &birth", self.dob)
        self.pnc = labelled_line(form, "&PNC number")
        self.nhs = labelled_line(form, "&NHS number")
        self.notes = labelled_line(form, "N&otes")
        self.form_card.body.addLayout(form)
        self.new_button = button("New person", on_click=self._on_new_clicked)
        self.remove_button = button("Remove from the case", on_click=self._on_remove_clicked)
        self.save_button = button("&Add person", object_name="Primary", on_click=self.save)
        self.form_card.body.addLayout(row(self.new_button, self.remove_button, 1, self.save_button))
        return self.form_card

    # --- the form --------------------------------------------------------------------------------
    def _values(self) -> dict[str, object]:
        return {
            "role": self.role.currentData(),
            "forenames": self.forenames.text(),
            "surname": self.surname.text(),
            "dob": self.dob.text(),
            "pnc": self.pnc.text(),
            "nhs": self.nhs.text(),
            "notes": self.notes.text(),
        }

    def _saved_values(self) -> dict[str, object]:
        """What the form would show for the person being edited (blank for a new one)."""
        p = self._person(self.editing)
        if p is None:
            return {"role": self.role.itemData(0), "forenames": "", "surname": "", "dob": "", "pnc": "",
                    "nhs": "", "notes": ""}
        return {"role": p.role, "forenames": p.forenames, "surname": p.surname, "dob": uk(p.date_of_birth) if
                p.date_of_birth else "", "pnc": _ident(p, "pnc"), "nhs": _ident(p, "nhs"), "notes": p.notes}

    def _fill(self, values: dict[str, object]) -> None:
        self.role.setCurrentIndex(max(0, self.role.findData(values.get("role"))))
        for name in _FIELDS:
            getattr(self, name).setText(str(values.get(name, "")))
        self.dob.setText(str(values.get("dob", "")))

    def _person(self, person_id: str | None) -> LinkedPerson | None:
        if self.cf is None or person_id is None:
            return None
        return next((p for p in self.cf.linked_people if p.id == person_id), None)

    def person_input(self) -> linked_people.PersonInput:
        day = self.dob.day()
        if self.dob.text().strip() and day is None:
            raise InvalidInput("The date of birth is not a date: write it as dd/mm/yyyy.")
        idents = tuple(Identifier(k, getattr(self, k).text().strip()) for k in ("pnc", "nhs")
                       if getattr(self, k).text().strip())
        return linked_people.PersonInput(
            forenames=self.forenames.text(), surname=self.surname.text(), date_of_birth=day,
            identifiers=idents, notes=self.notes.text(),
        )

    def _set_mode(self) -> None:
        editing = self.editing is not None
        self.form_card.title.setText("Change this person's details" if editing else "Add a person")
        self.save_button.setText("&Save changes" if editing else "&Add person")
        self.remove_button.setEnabled(editing and self._may_edit())

    def _may_edit(self) -> bool:
        return bool(self.ctx.snap.workstation.is_hub)

    # --- drafts ----------------------------------------------------------------------------------
    def _stash(self) -> None:
        if self.cf is None:
            return
        key = ("linked_person", self.cf.case.id)
        values = self._values()
        if values == self._saved_values():
            self.ctx.drafts.remove(key)
            return
        cid, editing, role = self.cf.case.id, self.editing, str(values["role"] or "")
        try:
            person = self.person_input()
        except InvalidInput:
            person = None

        def save(s: Session) -> None:
            if person is None:
                raise InvalidInput("The date of birth is not a date: write it as dd/mm/yyyy.")
            if editing:
                linked_people.update_person(s, person_id=editing, person=person, role=role)
            else:
                linked_people.add_person(s, case_id=cid, role=role, person=person)

        self.ctx.drafts.put(Draft(key, f"Linked person for {self.cf.case.ref}", (editing, values), save))

    def _restore(self, case_id: str) -> None:
        draft = self.ctx.drafts.get(("linked_person", case_id))
        if draft is None or not isinstance(draft.value, tuple):
            self.editing = None
            self._fill(self._saved_values())
            return
        editing, values = draft.value
        self.editing = editing
        self._fill(values)

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        if self.cf is not None and ("linked_person", self.cf.case.id) in keys:
            self.editing = None
            self._fill(self._saved_values())
            self._set_mode()

    # --- showing ---------------------------------------------------------------------------------
    def show_case(self, cf: CaseFile) -> None:
        moving = self.cf is None or self.cf.case.id != cf.case.id
        if moving:
            self._stash()
        prog = self.ctx.snap.programme
        current = self.role.currentData()
        self.role.blockSignals(True)
        self.role.clear()
        for r in prog.linked_roles:
            self.role.addItem(r.label, r.id)
        self.role.setCurrentIndex(max(0, self.role.findData(current)))
        self.role.blockSignals(False)
        self.cf = cf
        if moving:
            self._restore(cf.case.id)
        elif self.editing is not None and self._person(self.editing) is None:
            self.editing = None  # removed meanwhile
        self.model.set_rows(list(cf.linked_people))
        self.table.resizeRowsToContents()
        for w in (self.role, self.forenames, self.surname, self.dob, self.pnc, self.nhs, self.notes,
                  self.save_button, self.new_button):
            w.setEnabled(self._may_edit())
        if not self._may_edit():
            self.form_card.setToolTip("Only the panel coordinator records the people linked to a case.")
        self._set_mode()
        self.repeat.setVisible(False)
        cid = cf.case.id

        def shown(note: str) -> None:
            if self.cf is not None and self.cf.case.id == cid:
                self.repeat.setText(note)
                self.repeat.setVisible(bool(note))

        self.ctx.run(lambda s: linked_people.repeat_of_case(s, cid), owner=self, on_done=shown)

    def _on_selection_changed(self, *_a: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.cf is None:
            return
        pid = self.model.record(self.proxy.mapToSource(rows[0]).row()).id
        if pid == self.editing:
            return
        self._stash()
        self.editing = pid
        draft = self.ctx.drafts.get(("linked_person", self.cf.case.id))
        if draft is not None and isinstance(draft.value, tuple) and draft.value[0] == pid:
            self._fill(draft.value[1])
        else:
            self._fill(self._saved_values())
        self._set_mode()

    def _on_new_clicked(self) -> None:
        self._stash()
        self.table.clearSelection()
        self.editing = None
        self._fill(self._saved_values())
        self._set_mode()
        self.forenames.setFocus()

    # --- saving ----------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.cf is None:
            return False
        self.error.setText("")
        try:
            person = self.person_input()
        except InvalidInput as exc:
            self.error.setText(str(exc))
            return False
        cid, editing, role = self.cf.case.id, self.editing, str(self.role.currentData() or "")

        def saved(_r: object) -> None:
            self.ctx.drafts.remove(("linked_person", cid))
            if self.cf is not None and self.cf.case.id == cid and editing is None:
                self._fill(self._saved_values())

        if editing:
            self.ctx.run(lambda s: linked_people.update_person(s, person_id=editing, person=person, role=role),
                         owner=self, mutates=True, on_done=saved, on_error=failed_into(self.error))
        else:
            self.ctx.run(lambda s: linked_people.add_person(s, case_id=cid, role=role, person=person),
                         owner=self, mutates=True, on_done=saved, on_error=failed_into(self.error))
        return True

    def _on_remove_clicked(self) -> None:
        if self.cf is None or self.editing is None:
            return
        pid, cid = self.editing, self.cf.case.id

        def removed(_r: object) -> None:
            self.ctx.drafts.remove(("linked_person", cid))
            self.editing = None
            self._fill(self._saved_values())
            self._set_mode()

        self.ctx.run(lambda s: linked_people.remove_person(s, person_id=pid), owner=self, mutates=True,
                     on_done=removed, on_error=failed_into(self.error))
