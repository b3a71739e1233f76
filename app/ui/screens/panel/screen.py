"""Panel: agencies, members and the panel's settings (auto-lock, keyring policy, default marking,
review interval).

Invariants: only the coordinator can change anything (the service checks; the controls are
disabled for others); a settings change refreshes the shared snapshot so auto-lock follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from app.models.domain import Agency, Member
from app.models.enums import Marking, MemberStatus, Role
from app.services import panel
from app.services.context import Session
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, RecordRole, RowsModel, SortRole
from app.ui.screens.base import Screen, scrolled
from app.ui.screens.panel.edit import EditRecordDialog
from app.ui.widgets.common import Section
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import make_table, set_widths, wrap_rows


class PanelScreen(Screen):
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
        agency_row = QHBoxLayout()
        agency_row.addStretch(1)
        self.edit_agency = QPushButton("&Edit agency…")
        self.edit_agency.setAccessibleName("Edit the selected agency")
        self.edit_agency.setEnabled(False)
        self.edit_agency.clicked.connect(self._on_edit_agency_clicked)
        agency_row.addWidget(self.edit_agency)
        ag.body.addLayout(agency_row)
        self.agencies_table.selectionModel().currentRowChanged.connect(self._on_agencies_current_changed)

    def _build_agency_add(self, ag: Section) -> None:
        add = QHBoxLayout()
        self.agency_name = QLineEdit()
        self.agency_name.setAccessibleName("New agency name")
        self.agency_name.setPlaceholderText("Agency name")
        self.agency_name.setMinimumWidth(140)  # room to type a name at small window sizes
        self.agency_short = QLineEdit()
        self.agency_short.setAccessibleName("New agency short name")
        self.agency_short.setPlaceholderText("Short")
        self.agency_short.setMaximumWidth(80)
        self.agency_short.setMinimumWidth(64)
        self.agency_sector = QComboBox()
        self.agency_sector.setAccessibleName("New agency sector")
        for s in panel.AGENCY_SECTORS:
            self.agency_sector.addItem(panel.sector_label(s), s)
        self.agency_area = QLineEdit()
        self.agency_area.setAccessibleName("New agency area")
        self.agency_area.setPlaceholderText("Area")
        self.agency_area.setMaximumWidth(90)
        self.add_agency = QPushButton("Add agency")
        self.add_agency.setAccessibleName("Add agency")
        self.add_agency.clicked.connect(self._on_add_agency_clicked)
        # Two lines, so the name has room: name, short, area; then the kind and the button.
        for w in (self.agency_name, self.agency_short, self.agency_area):
            add.addWidget(w, 1 if w is self.agency_name else 0)
        ag.body.addLayout(add)
        add2 = QHBoxLayout()
        add2.addWidget(self.agency_sector, 1)
        add2.addWidget(self.add_agency)
        ag.body.addLayout(add2)

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
        status_row = QHBoxLayout()
        self.member_status_note = PlainLabel("", wrap=True, object_name="Muted", accessible="Selected member")
        status_row.addWidget(self.member_status_note, 1)
        self.member_status_button = QPushButton("Revoke access")
        self.member_status_button.setAccessibleName("Revoke or reactivate the selected member")
        self.member_status_button.setEnabled(False)
        self.member_status_button.clicked.connect(self._on_member_status_button_clicked)
        status_row.addWidget(self.member_status_button)
        self.invite_button = QPushButton("&Invite…")
        self.invite_button.setAccessibleName("Invite the selected member to join from their workstation")
        self.invite_button.setEnabled(False)
        self.invite_button.clicked.connect(self._on_invite_button_clicked)
        status_row.addWidget(self.invite_button)
        self.edit_member = QPushButton("Edit &member…")
        self.edit_member.setAccessibleName("Edit the selected member's name and policing area")
        self.edit_member.setEnabled(False)
        self.edit_member.clicked.connect(self._on_edit_member_clicked)
        status_row.addWidget(self.edit_member)
        mem.body.addLayout(status_row)
        self.invite_note = PlainLabel("", wrap=True, object_name="Lead", accessible="Invitation",
                                      selectable=True)
        self.invite_note.setVisible(False)
        mem.body.addWidget(self.invite_note)
        sel = self.members_table.selectionModel()
        sel.currentRowChanged.connect(self._on_members_current_changed)

    def _build_member_add(self, mem: Section) -> None:
        addm = QHBoxLayout()
        self.member_name = QLineEdit()
        self.member_name.setAccessibleName("New member name")
        self.member_name.setPlaceholderText("Name")
        self.member_name.setMinimumWidth(140)
        self.member_agency = QComboBox()
        self.member_agency.setAccessibleName("New member agency")
        self.member_role = QComboBox()
        self.member_role.setAccessibleName("New member role")
        for r in (r for r in Role if r is not Role.REGION):  # a region is a store, not a member
            self.member_role.addItem(r.value.capitalize(), r)
        self.member_role.setCurrentIndex(max(0, self.member_role.findData(Role.OFFICER)))
        self.member_role.setMinimumContentsLength(len("Coordinator"))
        self.member_area = QLineEdit()
        self.member_area.setAccessibleName("New member policing area")
        self.member_area.setPlaceholderText("Area")
        self.member_area.setMaximumWidth(90)
        self.member_area.setMinimumWidth(64)
        self.add_member = QPushButton("Add member")
        self.add_member.setAccessibleName("Add member")
        self.add_member.clicked.connect(self._on_add_member_clicked)
        # two rows, so each field keeps room to read and type at small window sizes; the agency
        # takes the card's width ("Adult Social Care" and longer names show whole)
        addm.addWidget(self.member_name, 1)
        addm.addWidget(self.member_role)
        addm2 = QHBoxLayout()
        addm2.addWidget(self.member_agency, 1)
        addm2.addWidget(self.member_area)
        addm2.addWidget(self.add_member)
        mem.body.addLayout(addm)
        mem.body.addLayout(addm2)

    def _build_settings(self) -> Section:
        """The panel's settings form, then the error line and the save button."""
        st = Section("Settings")
        st.body.addLayout(self._build_settings_form())
        row = QHBoxLayout()
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        row.addWidget(self.error, 1)
        self.save_button = QPushButton("&Save settings")
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        st.body.addLayout(row)
        return st

    def _build_settings_form(self) -> QFormLayout:
        form = QFormLayout()
        self.panel_name = QLineEdit()
        self.panel_name.setAccessibleName("Panel name")
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(1, 240)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.valueChanged.connect(self._on_auto_lock_value_changed)
        self.auto_lock.setAccessibleName("Auto-lock after inactivity")
        self.review_days = QSpinBox()
        self.review_days.setRange(7, 365)
        self.review_days.setSuffix(" days")
        self.review_days.setAccessibleName("Review interval")
        self.keyring = QCheckBox("Members may remember the store on their workstation (OS keyring)")
        self.keyring.setAccessibleName("Allow remembering on a workstation")
        self.marking = QComboBox()
        self.marking.setAccessibleName("Default marking")
        for m in Marking:
            self.marking.addItem(m.value, m)
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
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(model)
        proxy.setSortRole(SortRole)
        view = make_table(name, proxy, chip_columns=chips)
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

    # --- member status -----------------------------------------------------------------------------
    def selected_member(self) -> Member | None:
        index = self.members_table.currentIndex()
        if not index.isValid():
            return None
        rec = index.data(RecordRole)
        return rec if isinstance(rec, Member) else None

    def select_member(self, member_id: str) -> bool:
        model = self.members_table.model()
        for r in range(model.rowCount()):
            if model.index(r, 0).data(IdRole) == member_id:
                self.members_table.setCurrentIndex(model.index(r, 0))
                return True
        return False

    def _on_members_current_changed(self, _current: QModelIndex, _prev: QModelIndex) -> None:
        self._show_member_status()
        self._update_edit_buttons()

    # --- editing agencies and members (the coordinator, at the hub) ---------------------------------
    def _may_edit(self) -> bool:
        ws = self.ctx.snap.workstation
        return ws.is_hub and ws.member.role is Role.COORDINATOR

    def selected_agency(self) -> Agency | None:
        index = self.agencies_table.currentIndex()
        rec = index.data(RecordRole) if index.isValid() else None
        return rec if isinstance(rec, Agency) else None

    def _on_agencies_current_changed(self, _current: QModelIndex, _prev: QModelIndex) -> None:
        self._update_edit_buttons()

    def _update_edit_buttons(self) -> None:
        may = self._may_edit()
        tip = "" if may else "Only the panel coordinator, at the hub, edits agencies and members."
        self.edit_agency.setEnabled(may and self.selected_agency() is not None)
        self.edit_member.setEnabled(may and self.selected_member() is not None)
        self.edit_agency.setToolTip(tip)
        self.edit_member.setToolTip(tip)

    def _on_edit_agency_clicked(self) -> None:
        a = self.selected_agency()
        if a is None:
            return
        aid = a.id

        def save(values: dict[str, str]) -> Callable[[Session], object]:
            return lambda s: panel.update_agency(s, agency_id=aid, name=values["name"], short=values["short"],
                                                 area=values["area"])

        self._open_editor("Edit agency", [("name", "&Name", a.name), ("short", "&Short name", a.short),
                                          ("area", "&Area", a.area)], save)

    def _on_edit_member_clicked(self) -> None:
        m = self.selected_member()
        if m is None:
            return
        mid = m.id

        def save(values: dict[str, str]) -> Callable[[Session], object]:
            return lambda s: panel.update_member(s, member_id=mid, name=values["name"], area=values["area"])

        self._open_editor("Edit member", [("name", "&Name", m.name), ("area", "Policing &area", m.area)], save)

    def _open_editor(self, title: str, fields: list[tuple[str, str, str]],
                     save: Callable[[dict[str, str]], Callable[[Session], object]]) -> None:
        dlg = EditRecordDialog(self.ctx, title, fields, save, self)
        self.edit_dialog = dlg
        dlg.open()

    def _show_member_status(self) -> None:
        m = self.selected_member()
        snap = self.ctx.snap
        coordinator = snap.workstation.member.role is Role.COORDINATOR
        if m is None:
            self.member_status_note.setText("Select a member to revoke or reactivate their access.")
            self.member_status_button.setEnabled(False)
            self.invite_button.setEnabled(False)
            return
        active = m.status is MemberStatus.ACTIVE
        self.member_status_button.setText("&Revoke access" if active else "Re&activate")
        self.member_status_note.setText(
            f"{m.name}: {'active' if active else 'access revoked'}.")
        own = m.id == snap.workstation.member.id
        allowed = coordinator and not own
        self.member_status_button.setEnabled(allowed)
        self.member_status_button.setToolTip(
            "" if allowed else ("You cannot revoke your own access." if own
                                else "Only the panel coordinator can change a member's access."))
        can_invite = (allowed and snap.workstation.is_hub and active
                      and m.role is not Role.COORDINATOR)
        self.invite_button.setEnabled(can_invite)
        self.invite_button.setToolTip(
            "A signed invitation file for this member to join from their own workstation."
            if can_invite else "Only the coordinator invites active officers and chairs.")

    # --- invitations -------------------------------------------------------------------------------
    def _on_invite_button_clicked(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        m = self.selected_member()
        if m is None:
            return
        stem = "".join(ch if ch.isalnum() else "-" for ch in m.name).strip("-").lower() or "member"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the invitation", f"invitation-{stem}.rtinv",
            "Roundtable invitations (*.rtinv);;All files (*)")
        if path:
            self.invite_selected(Path(path))

    def invite_selected(self, path: Any) -> None:
        """Write the selected member's invitation to ``path`` (safe-file helper, in the service)
        and show the coordinator's fingerprint to read aloud."""
        from app.services import joining

        m = self.selected_member()
        if m is None:
            return
        mid = m.id
        self.error.setText("")
        self.invite_note.setVisible(False)
        self.ctx.run(lambda s: joining.invite(s, member=mid, out=path), owner=self, mutates=True,
                     on_done=self._on_invited, on_error=self._failed)

    def _on_invited(self, r: Any) -> None:
        self.invite_note.setText(
            f"Invitation for {r.member_name} saved to {r.path.name} (expires "
            f"{r.expires.date().isoformat()}). Send them the file, then read them this "
            f"fingerprint by phone or in person: {r.fingerprint}")
        self.invite_note.setVisible(True)

    def _on_member_status_button_clicked(self) -> None:
        m = self.selected_member()
        if m is None:
            return
        target = MemberStatus.REVOKED if m.status is MemberStatus.ACTIVE else MemberStatus.ACTIVE
        mid = m.id
        self.error.setText("")
        self.ctx.run(lambda s: panel.set_member_status(s, member_id=mid, status=target), owner=self, mutates=True,
                     on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        from app.ui.errors import safe_message

        self.error.setText(safe_message(exc))

    def save(self) -> bool:
        settings = panel.PanelSettings(
            panel_name=self.panel_name.text(), auto_lock_minutes=self.auto_lock.value(),
            keyring_allowed=self.keyring.isChecked(), default_marking=Marking(self.marking.currentData()),
            review_interval_days=self.review_days.value())
        self.error.setText("")
        self.ctx.run(lambda s: panel.save_settings(s, settings=settings), owner=self, mutates=True,
                     on_done=lambda _r: self.ctx.refresh_snapshot(), on_error=self._failed)
        return True

    def _on_add_agency_clicked(self) -> None:
        name, short, sector = self.agency_name.text(), self.agency_short.text(), self.agency_sector.currentData()
        area = self.agency_area.text()
        self.ctx.run(lambda s: panel.add_agency(s, name=name, short=short, sector=sector, area=area), owner=self,
                     mutates=True,
                     on_done=self._on_agency_added, on_error=self._failed)

    def _on_agency_added(self, _agency_id: str) -> None:
        self.agency_name.clear()
        self.agency_short.clear()
        self.agency_area.clear()

    def _on_add_member_clicked(self) -> None:
        name, agency, role, area = (self.member_name.text(), self.member_agency.currentData(),
                                    Role(self.member_role.currentData()), self.member_area.text())
        self.ctx.run(lambda s: panel.add_member(s, name=name, agency_id=agency, role=role, area=area), owner=self,
                     mutates=True, on_done=lambda _r: self.member_name.clear(), on_error=self._failed)
