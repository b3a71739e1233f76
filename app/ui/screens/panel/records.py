"""The Panel screen's records: selecting, adding and editing agencies and members, a member's
access (revoke or reactivate) and their invitation to join from their own workstation.

Invariants: only the coordinator changes anything (the services check; the buttons say why they
are disabled); editing agencies and members is the coordinator's at the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QTableView

from app.models.domain import Agency, Member
from app.models.enums import MemberStatus, Role
from app.services import panel
from app.services.context import Session
from app.ui.itemmodels.rows import IdRole, record_at
from app.ui.screens.base import Screen
from app.ui.screens.panel.edit import EditRecordDialog
from app.ui.widgets.files import INVITATION_FILES, save_path
from app.ui.widgets.plain import PlainLabel


class PanelRecords(Screen):
    """A part of ``PanelScreen`` (``screen.py``), which builds the widgets named here."""

    agencies_table: QTableView
    members_table: QTableView
    edit_agency: QPushButton
    edit_member: QPushButton
    member_status_note: PlainLabel
    member_status_button: QPushButton
    invite_button: QPushButton
    invite_note: PlainLabel
    error: PlainLabel
    agency_name: QLineEdit
    agency_short: QLineEdit
    agency_sector: QComboBox
    agency_area: QLineEdit
    member_name: QLineEdit
    member_agency: QComboBox
    member_role: QComboBox
    member_area: QLineEdit

    # --- selection and member status -----------------------------------------------------------------------------
    def selected_member(self) -> Member | None:
        return record_at(self.members_table.currentIndex(), Member)

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
        return record_at(self.agencies_table.currentIndex(), Agency)

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


        m = self.selected_member()
        if m is None:
            return
        stem = "".join(ch if ch.isalnum() else "-" for ch in m.name).strip("-").lower() or "member"
        path = save_path(self, "Save the invitation", f"invitation-{stem}.rtinv", INVITATION_FILES)
        if path:
            self.invite_selected(path)

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
