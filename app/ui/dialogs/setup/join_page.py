"""Joining a panel: choose the invitation file, see who it says it is from and for (never the
coordinator's fingerprint), and type the fingerprint the coordinator reads aloud."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFormLayout, QWidget

from app.models.errors import AppError
from app.services import joining
from app.ui.screens.exchange.models import role_label
from app.ui.widgets.controls import file_choice, fingerprint_field, page_column, shown_value
from app.ui.widgets.files import INVITATION_FILES, open_path
from app.ui.widgets.plain import PlainLabel, muted


class JoinPart(QDialog):
    """A part of ``FirstRunDialog``, which shows problems in its ``error`` line."""

    error: PlainLabel

    def _build_join(self) -> QWidget:
        self.invitation: bytes | None = None  # the chosen invitation file (checked on Join)
        self.invitation_preview: joining.InvitationPreview | None = None
        page, v = page_column()
        v.addWidget(muted(
            "Choose the invitation file the panel coordinator sent you. Then ask the coordinator "
            "to read their fingerprint aloud, by phone or in person, and type it below: the "
            "invitation is used only if the two match."
        ))
        self.choose_invitation, self.invitation_file, pick = file_choice(
            "C&hoose invitation file…", "Choose the invitation file", self._on_choose_invitation_clicked,
            none_yet="No invitation chosen", what="Invitation file")
        v.addLayout(pick)
        v.addLayout(self._build_invitation_form())
        return page

    def _build_invitation_form(self) -> QFormLayout:
        form = QFormLayout()
        self.invitation_from = shown_value(form, "From:", "The invitation says it is from")
        self.invitation_for = shown_value(form, "For:", "The invitation is for")
        self.invitation_panel = shown_value(form, "Panel:", "Panel and programme")
        self.invitation_expires = shown_value(form, "Expires:", "The invitation expires")
        self.coordinator_fingerprint = fingerprint_field("The coordinator's fingerprint, read aloud")
        form.addRow("Coordinator's &fingerprint:", self.coordinator_fingerprint)
        return form

    def _on_choose_invitation_clicked(self) -> None:
        path = open_path(self, "Choose an invitation", INVITATION_FILES)
        if path:
            self.load_invitation(path)

    def load_invitation(self, path: Path) -> None:
        """Read an invitation and show who it says it is from and for (never the fingerprint)."""
        self.invitation, self.invitation_preview = None, None
        self.error.setText("")
        try:
            data = joining.read_invitation_file(path)
            preview = joining.preview_invitation(data)
        except AppError as exc:
            self.error.setText(exc.user_message)
            preview = None
        else:
            self.invitation, self.invitation_preview = data, preview
        p = self.invitation_preview
        self.invitation_file.setText(path.name if p else "No invitation chosen")
        self.invitation_from.setText(f"{p.coordinator_name} ({p.coordinator_agency}), panel coordinator"
                                     if p else "")
        self.invitation_for.setText(f"{p.member_name} ({role_label(p.role)}, {p.agency_name})" if p else "")
        self.invitation_panel.setText(f"{p.panel_name} · {p.programme_name}" if p else "")
        self.invitation_expires.setText(
            (p.expires.date().isoformat() + (" (expired)" if p.expired else "")) if p else "")
        if p is not None and p.expired:
            self.error.setText("This invitation has expired: ask the coordinator for a new one.")
        if p is not None:
            self.coordinator_fingerprint.setFocus()
