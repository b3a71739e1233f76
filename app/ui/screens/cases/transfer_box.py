"""The case screen's part in a transfer between panels: "Transfer to another panel…" (the
coordinator's store) and the line saying where the case stands ("Transfer offered to PANEL",
"Transferred in from PANEL, ref RT-…", "Transferred out to PANEL").

Invariants: the offer runs on the store worker (``transfer.offer``: one audited transaction, the
file written last); the user picks the partner and the path; a refusal shows the service's
sentence; the case stays open and usable while the offer awaits an answer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QPushButton, QWidget

from app.models.domain import CaseFile
from app.models.enums import Role
from app.models.partners import Partner
from app.services import partners, transfer
from app.ui.context import UiContext
from app.ui.errors import safe_message
from app.ui.widgets.plain import PlainLabel

TRANSFER_FILTER = "Roundtable transfer files (*.rtt);;All files (*)"


class TransferControls:
    """The button (for the case header) and the note (under the chips)."""

    def __init__(self, ctx: UiContext, parent: QWidget) -> None:
        self.ctx = ctx
        self.parent = parent
        self.case_file: CaseFile | None = None
        self.button = QPushButton("Transfer to another panel…")
        self.button.setObjectName("Flat")
        self.button.setAccessibleName("Offer this case to a partner panel")
        self.button.clicked.connect(self.offer)
        self.note = PlainLabel("", wrap=True, object_name="Muted", accessible="Transfer")
        self.note.setVisible(False)
        # a case transferred in: the history that travelled with it, read-only
        self.history_button = QPushButton("History from the other panel…")
        self.history_button.setObjectName("Flat")
        self.history_button.setAccessibleName("The case's history from the panel it was transferred from")
        self.history_button.clicked.connect(self.show_history)
        self.history_button.setVisible(False)
        self.transfer_id = ""
        self.dialog: QDialog | None = None

    def show_case(self, cf: CaseFile) -> None:
        self.case_file = cf
        ws = self.ctx.snap.workstation
        coordinator = ws.is_hub and ws.member.role is Role.COORDINATOR
        self.button.setVisible(coordinator)
        self.button.setEnabled(not self.ctx.snap.programme.status(cf.case.status).terminal)
        if not coordinator:
            self.note.setVisible(False)
            self.history_button.setVisible(False)
            return
        cid = cf.case.id
        self.ctx.run(lambda s: transfer.case_transfer(s, cid), owner=self.parent,
                     on_done=self._on_transfer)

    def _on_transfer(self, t: transfer.TransferView | None) -> None:
        self._on_note(t.text if t is not None else "")
        incoming = t is not None and t.direction == "in"
        self.transfer_id = t.id if t is not None and incoming else ""
        self.history_button.setVisible(incoming)

    def show_history(self) -> None:
        if not self.transfer_id:
            return
        tid = self.transfer_id

        def done(r: tuple[transfer.TransferView, dict[str, object]]) -> None:
            from app.ui.screens.exchange.transfers import TransferDialog

            dlg = TransferDialog(self.ctx, r[0], r[1], self.parent)
            self.dialog = dlg
            dlg.open()

        self.ctx.run(lambda s: transfer.preview(s, tid), owner=self.parent, on_done=done)

    def _on_note(self, text: str) -> None:
        self.note.setText(text + "." if text else "")
        self.note.setVisible(bool(text))

    def offer(self) -> None:
        if self.case_file is None:
            return
        self.ctx.run(partners.list_partners, owner=self.parent, on_done=self._choose)

    def _choose(self, found: list[Partner]) -> None:
        cf = self.case_file
        panels = [p for p in found if p.kind == "panel"]
        if cf is None:
            return
        if not panels:
            self._on_note("No partner panel is enrolled: enrol one on the Exchange screen first")
            return
        names = [p.name for p in panels]
        name, ok = QInputDialog.getItem(self.parent, "Transfer to another panel",
                                        f"Offer {cf.case.ref} to:", names, 0, False)
        if not ok or name not in names:
            return
        out, _ = QFileDialog.getSaveFileName(self.parent, f"Save the transfer file for {name}",
                                             f"Transfer {cf.case.ref}.rtt", TRANSFER_FILTER)
        if not out:
            return
        pid, cid, path = panels[names.index(name)].id, cf.case.id, Path(out)

        def done(r: transfer.Offered) -> None:
            self._on_note(f"Transfer offered to {r.partner_name}: send {r.path.name} to them. The "
                          "case stays open here until they accept")

        self.ctx.run(lambda s: transfer.offer(s, case=cid, to=pid, out=path), owner=self.parent,
                     on_done=done, on_error=lambda e: self._on_note(safe_message(e)), mutates=True)
