"""Panel: agencies, members and the panel's settings (auto-lock, keyring policy, default marking,
review interval).

Invariants: only the coordinator can change anything (the service checks; the controls are
disabled for others); a settings change refreshes the shared snapshot so auto-lock follows it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel
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
        ag = Section("Agencies")
        self.agencies: RowsModel[Agency] = RowsModel(
            [Column("Agency", lambda a: a.name), Column("Short", lambda a: a.short), Column("Sector", lambda a: a.sector),
             Column("Police", lambda a: "Yes" if a.is_police else "")],
            lambda a: a.id, self)
        ag.body.addWidget(self._table("Agencies", self.agencies, [0, 56, 104, 56], stretch=0))
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
            self.agency_sector.addItem(s, s)
        self.add_agency = QPushButton("Add agency")
        self.add_agency.setAccessibleName("Add agency")
        self.add_agency.clicked.connect(self._on_add_agency_clicked)
        for w in (self.agency_name, self.agency_short, self.agency_sector, self.add_agency):
            add.addWidget(w, 2 if w is self.agency_name else 0)
        ag.body.addLayout(add)
        grid.addWidget(ag, 0, 0)

        mem = Section("Members")
        self.members: RowsModel[Member] = RowsModel(
            [Column("Name", lambda m: m.name), Column("Agency", lambda m: ctx.snap.agency_short(m.agency_id)),
             Column("Role", lambda m: m.role.value.capitalize()), Column("Area", lambda m: m.area),
             Column("Status", lambda m: m.status.value, kind=lambda m: "ok" if m.status.value == "active" else "muted")],
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
        mem.body.addLayout(status_row)
        sel = self.members_table.selectionModel()
        sel.currentRowChanged.connect(self._on_members_current_changed)
        addm = QHBoxLayout()
        self.member_name = QLineEdit()
        self.member_name.setAccessibleName("New member name")
        self.member_name.setPlaceholderText("Name")
        self.member_name.setMinimumWidth(140)
        self.member_agency = QComboBox()
        self.member_agency.setAccessibleName("New member agency")
        self.member_role = QComboBox()
        self.member_role.setAccessibleName("New member role")
        for r in Role:
            self.member_role.addItem(r.value.capitalize(), r)
        self.member_role.setMinimumContentsLength(len("Coordinator"))
        self.member_area = QLineEdit()
        self.member_area.setAccessibleName("New member policing area")
        self.member_area.setPlaceholderText("Area")
        self.member_area.setMaximumWidth(90)
        self.member_area.setMinimumWidth(64)
        self.add_member = QPushButton("Add member")
        self.add_member.setAccessibleName("Add member")
        self.add_member.clicked.connect(self._on_add_member_clicked)
        # two rows, so each field keeps room to read and type at small window sizes
        for w in (self.member_name, self.member_agency):
            addm.addWidget(w, 2 if w is self.member_name else 1)
        addm2 = QHBoxLayout()
        for w in (self.member_role, self.member_area, self.add_member):
            addm2.addWidget(w)
        addm2.addStretch(1)
        mem.body.addLayout(addm)
        mem.body.addLayout(addm2)
        grid.addWidget(mem, 0, 1)

        st = Section("Settings")
        form = QFormLayout()
        self.panel_name = QLineEdit()
        self.panel_name.setAccessibleName("Panel name")
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(1, 240)
        self.auto_lock.setSuffix(" minutes")
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
        st.body.addLayout(form)
        row = QHBoxLayout()
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        row.addWidget(self.error, 1)
        self.save_button = QPushButton("&Save settings")
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        st.body.addLayout(row)
        grid.addWidget(st, 1, 0, 1, 2)
        grid.setRowStretch(0, 1)

    def _table(self, name: str, model: RowsModel[Any], widths: list[int], chips: tuple[int, ...] = (),
               stretch: int = 0) -> QTableView:
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(model)
        proxy.setSortRole(SortRole)
        view = make_table(name, proxy, chip_columns=chips)
        set_widths(view, widths, stretch=stretch)
        wrap_rows(view)  # long agency names wrap (docs/ui.md, "Layout at small sizes")
        view.setMinimumHeight(220)  # six rows or so in view, never two
        return view

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
        for a in agencies:
            self.member_agency.addItem(a.short, a.id)
        self.panel_name.setText(settings.panel_name)
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self.review_days.setValue(settings.review_interval_days)
        self.keyring.setChecked(settings.keyring_allowed)
        self.marking.setCurrentIndex(max(0, self.marking.findData(settings.default_marking)))
        can = self.ctx.snap.workstation.member.role is Role.COORDINATOR
        for w in (self.panel_name, self.auto_lock, self.review_days, self.keyring, self.marking, self.save_button,
                  self.add_agency, self.add_member):
            w.setEnabled(can)

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

    def _show_member_status(self) -> None:
        m = self.selected_member()
        snap = self.ctx.snap
        coordinator = snap.workstation.member.role is Role.COORDINATOR
        if m is None:
            self.member_status_note.setText("Select a member to revoke or reactivate their access.")
            self.member_status_button.setEnabled(False)
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
        self.ctx.run(lambda s: panel.add_agency(s, name=name, short=short, sector=sector), owner=self, mutates=True,
                     on_done=self._on_agency_added, on_error=self._failed)

    def _on_agency_added(self, _agency_id: str) -> None:
        self.agency_name.clear()
        self.agency_short.clear()

    def _on_add_member_clicked(self) -> None:
        name, agency, role, area = (self.member_name.text(), self.member_agency.currentData(),
                                    Role(self.member_role.currentData()), self.member_area.text())
        self.ctx.run(lambda s: panel.add_member(s, name=name, agency_id=agency, role=role, area=area), owner=self,
                     mutates=True, on_done=lambda _r: self.member_name.clear(), on_error=self._failed)
