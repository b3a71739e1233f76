"""Panel: agencies, members and the panel's settings (auto-lock, keyring policy, default marking,
review interval).

Invariants: only the coordinator can change anything (the service checks; the controls are
disabled for others); a settings change refreshes the shared snapshot so auto-lock follows it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QSpinBox,
    QTableView,
    QWidget,
)

from app.models.domain import Agency, Member
from app.models.enums import Marking, MemberStatus, Role
from app.services import panel
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.base import scrolled
from app.ui.screens.panel.records import PanelRecords
from app.ui.widgets.common import Section
from app.ui.widgets.controls import button, check, combo, line_edit, row
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import set_widths, sorted_table, wrap_rows


class PanelScreen(PanelRecords):
    title = "Panel"
    watches = ("agency", "member", "store")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        body = QWidget()  # scrolls up and down at small window sizes; the lists keep their rows
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        self.root.addWidget(scrolled(body), 1)
        grid.addWidget(self._build_agencies(), 0, 0)
        grid.addWidget(self._build_members(), 0, 1)
        grid.addWidget(self._build_settings(), 1, 0, 1, 2)
        grid.setRowStretch(0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def _build_agencies(self) -> Section:
        """The agencies' list with its edit button, then the two lines that add an agency."""
        ag = Section("Agencies")
        self._build_agency_list(ag)
        self._build_agency_add(ag)
        return ag

    def _build_agency_list(self, ag: Section) -> None:
        self.agencies: RowsModel[Agency] = RowsModel(
            [Column("Agency", lambda a: a.name), Column("Short", lambda a: a.short),
             Column("Kind", lambda a: panel.sector_label(a.sector)), Column("Area", lambda a: a.area)],
            lambda a: a.id, self)
        self.agencies_table = self._table("Agencies", self.agencies, [0, 52, 150, 64], stretch=0)
        ag.body.addWidget(self.agencies_table)
        self.edit_agency = button("&Edit agency…", accessible="Edit the selected agency", enabled=False,
                                  on_click=self._on_edit_agency_clicked)
        ag.body.addLayout(row(1, self.edit_agency))
        self.agencies_table.selectionModel().currentRowChanged.connect(self._on_agencies_current_changed)

    def _build_agency_add(self, ag: Section) -> None:
        # room to type a name at small window sizes
        self.agency_name = line_edit("New agency name", placeholder="Agency name", min_width=140)
        self.agency_short = line_edit("New agency short name", placeholder="Short", min_width=64, max_width=80)
        self.agency_sector = combo("New agency sector", ((panel.sector_label(s), s) for s in panel.AGENCY_SECTORS))
        self.agency_area = line_edit("New agency area", placeholder="Area", max_width=90)
        self.add_agency = button("Add agency", accessible="Add agency", on_click=self._on_add_agency_clicked)
        # Two lines, so the name has room: name, short, area; then the kind and the button.
        ag.body.addLayout(row((self.agency_name, 1), self.agency_short, self.agency_area))
        ag.body.addLayout(row((self.agency_sector, 1), self.add_agency))

    def _build_members(self) -> Section:
        """The members' list with its status, invite and edit buttons, then the lines that add one."""
        mem = Section("Members")
        self._build_member_list(mem)
        self._build_member_add(mem)
        return mem

    def _build_member_list(self, mem: Section) -> None:
        ctx = self.ctx
        self.members: RowsModel[Member] = RowsModel(
            [Column("Name", lambda m: m.name), Column("Agency", lambda m: ctx.snap.agency_short(m.agency_id)),
             Column("Role", lambda m: m.role.value.capitalize()), Column("Area", lambda m: m.area),
             Column("Status", lambda m: "Active" if m.status is MemberStatus.ACTIVE else "Access revoked",
                    kind=lambda m: "ok" if m.status.value == "active" else "muted")],
            lambda m: m.id, self)
        self.members_table = self._table("Members", self.members, [0, 64, 96, 64, 80], chips=(4,), stretch=0)
        mem.body.addWidget(self.members_table)
        self.member_status_note = PlainLabel("", wrap=True, object_name="Muted", accessible="Selected member")
        self.member_status_button = button("Revoke access", accessible="Revoke or reactivate the selected member",
                                           enabled=False, on_click=self._on_member_status_button_clicked)
        self.invite_button = button("&Invite…", accessible="Invite the selected member to join from their workstation",
                                    enabled=False, on_click=self._on_invite_button_clicked)
        self.edit_member = button("Edit &member…", accessible="Edit the selected member's name and policing area",
                                  enabled=False, on_click=self._on_edit_member_clicked)
        mem.body.addLayout(row((self.member_status_note, 1), self.member_status_button, self.invite_button,
                               self.edit_member))
        self.invite_note = PlainLabel("", wrap=True, object_name="Lead", accessible="Invitation",
                                      selectable=True)
        self.invite_note.setVisible(False)
        mem.body.addWidget(self.invite_note)
        sel = self.members_table.selectionModel()
        sel.currentRowChanged.connect(self._on_members_current_changed)

    def _build_member_add(self, mem: Section) -> None:
        self.member_name = line_edit("New member name", placeholder="Name", min_width=140)
        self.member_agency = combo("New member agency")
        self.member_role = combo("New member role", ((r.value.capitalize(), r) for r in Role if r is not Role.REGION),  # a region is a store, not a member
                                   current=Role.OFFICER)
        self.member_role.setMinimumContentsLength(len("Coordinator"))
        self.member_area = line_edit("New member policing area", placeholder="Area", min_width=64, max_width=90)
        self.add_member = button("Add member", accessible="Add member", on_click=self._on_add_member_clicked)
        # two rows, so each field keeps room to read and type at small window sizes; the agency
        # takes the card's width ("Adult Social Care" and longer names show whole)
        mem.body.addLayout(row((self.member_name, 1), self.member_role))
        mem.body.addLayout(row((self.member_agency, 1), self.member_area, self.add_member))

    def _build_settings(self) -> Section:
        """The panel's settings form, then the error line and the save button."""
        st = Section("Settings")
        st.body.addLayout(self._build_settings_form())
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        self.save_button = button("&Save settings", accessible="Save settings", object_name="Primary",
                                  on_click=self.save)
        st.body.addLayout(row((self.error, 1), self.save_button))
        return st

    def _build_settings_form(self) -> QFormLayout:
        form = QFormLayout()
        self.panel_name = line_edit("Panel name")
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(1, 240)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.valueChanged.connect(self._on_auto_lock_value_changed)
        self.auto_lock.setAccessibleName("Auto-lock after inactivity")
        self.review_days = QSpinBox()
        self.review_days.setRange(7, 365)
        self.review_days.setSuffix(" days")
        self.review_days.setAccessibleName("Review interval")
        self.keyring = check("Members may remember the store on their workstation (OS keyring)",
                             "Allow remembering on a workstation")
        self.marking = combo("Default marking", ((m.value, m) for m in Marking))
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setHorizontalSpacing(16)
        self.panel_name.setMinimumWidth(420)
        self.auto_lock.setMinimumWidth(150)
        self.review_days.setMinimumWidth(150)
        self.marking.setMinimumWidth(220)
        form.addRow("Panel &name", self.panel_name)
        form.addRow("&Auto-lock after", self.auto_lock)
        form.addRow("&Review interval", self.review_days)
        form.addRow("Default &marking", self.marking)
        form.addRow("", self.keyring)
        return form

    def _table(self, name: str, model: RowsModel[Any], widths: list[int], chips: tuple[int, ...] = (),
               stretch: int = 0) -> QTableView:
        _proxy, view = sorted_table(name, model, self, chip_columns=chips)
        set_widths(view, widths, stretch=stretch)
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # A→Z by name (Qt's default is descending)
        wrap_rows(view)  # long agency names wrap (docs/ui.md, "Layout at small sizes")
        view.setMinimumHeight(220)  # six rows or so in view, never two
        return view

    def _on_auto_lock_value_changed(self, value: int) -> None:
        self.auto_lock.setSuffix(" minute" if value == 1 else " minutes")

    def load(self) -> None:
        def job(s: Session) -> tuple[list[Agency], list[Member], panel.PanelSettings]:
            return panel.list_agencies(s), panel.list_members(s), panel.get_settings(s)

        self.ctx.run(job, owner=self, on_done=self._on_loaded)

    def _on_loaded(self, result: tuple[list[Agency], list[Member], panel.PanelSettings]) -> None:
        agencies, members, settings = result
        self.agencies.set_rows(agencies)
        keep = self.selected_member()
        self.members.set_rows(members)
        if keep is not None:
            self.select_member(keep.id)
        self._show_member_status()
        self.member_agency.clear()
        for a in sorted(agencies, key=lambda a: a.name.casefold()):
            self.member_agency.addItem(a.name, a.id)
        self.panel_name.setText(settings.panel_name)
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self.review_days.setValue(settings.review_interval_days)
        self.keyring.setChecked(settings.keyring_allowed)
        self.marking.setCurrentIndex(max(0, self.marking.findData(settings.default_marking)))
        can = self.ctx.snap.workstation.member.role is Role.COORDINATOR
        for w in (self.panel_name, self.auto_lock, self.review_days, self.keyring, self.marking, self.save_button,
                  self.add_agency, self.add_member):
            w.setEnabled(can)
        self._update_edit_buttons()

    def save(self) -> bool:
        settings = panel.PanelSettings(
            panel_name=self.panel_name.text(), auto_lock_minutes=self.auto_lock.value(),
            keyring_allowed=self.keyring.isChecked(), default_marking=Marking(self.marking.currentData()),
            review_interval_days=self.review_days.value())
        self.error.setText("")
        self.ctx.run(lambda s: panel.save_settings(s, settings=settings), owner=self, mutates=True,
                     on_done=lambda _r: self.ctx.refresh_snapshot(), on_error=self._failed)
        return True
