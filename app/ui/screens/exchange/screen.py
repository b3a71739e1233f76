"""Exchange: this workstation's peers, what was last sent and received, export and import.

Built on ``app.services.exchange`` (its own issue). When that service is not installed yet, the
screen says what it will hold and offers nothing that pretends to work.
Invariants: bundle work runs on the store worker (it reads and writes the store in one
transaction); the user picks every file path; reports show counts, never case content.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget

from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, RowsModel
from app.ui.screens.base import Screen
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import make_table, set_widths

WILL_HOLD = (
    "Exchange will list every workstation this store trades files with (the coordinator's hub, or "
    "each agency's case officer), when a file was last sent and received, any file that never "
    "arrived, and workstations that have gone quiet. From here you will export a signed, encrypted "
    "file for one member, import the files they send back, and settle conflicting changes.\n\n"
    "The exchange service is not installed in this build yet, so nothing here works."
)


def _exchange() -> ModuleType | None:
    try:
        return importlib.import_module("app.services.exchange")
    except ImportError:
        return None


class ExchangeScreen(Screen):
    title = "Exchange"
    watches = ("member", "device")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.service = _exchange()
        if self.service is None:
            self.root.addWidget(muted(WILL_HOLD))
            self.root.addStretch(1)
            return
        self.model: RowsModel[object] = RowsModel(
            [
                Column("Member", lambda p: p.name),  # type: ignore[attr-defined]
                Column("Agency", lambda p: p.agency_name),  # type: ignore[attr-defined]
                Column("Role", lambda p: p.role),  # type: ignore[attr-defined]
                Column("Last sent", lambda p: (p.last_sent_at or "never")[:10]),  # type: ignore[attr-defined]
                Column("Last received", lambda p: (p.last_received_at or "never")[:10]),  # type: ignore[attr-defined]
                Column("Missing files", lambda p: ", ".join(map(str, p.missing))),  # type: ignore[attr-defined]
                Column("", lambda p: "Silent" if p.silent else "", kind=lambda p: "warn" if p.silent else "muted"),  # type: ignore[attr-defined]
            ],
            lambda p: p.member_id,  # type: ignore[attr-defined]
            self,
        )
        self.table = make_table("Exchange partners", self.model, chip_columns=(6,))
        set_widths(self.table, [200, 220, 100, 100, 110, 120])
        self.root.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.report = PlainLabel("", wrap=True, object_name="Muted", accessible="Last exchange result")
        row.addWidget(self.report, 1)
        self.export_button = QPushButton("&Export file for selected…")
        self.export_button.setAccessibleName("Export a file for the selected member")
        self.import_button = QPushButton("&Import file…")
        self.import_button.setAccessibleName("Import a file")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        row.addWidget(self.export_button)
        row.addWidget(self.import_button)
        self.root.addLayout(row)

    def load(self) -> None:
        if self.service is not None:
            self.ctx.run(self.service.exchange_status, owner=self, on_done=self.model.set_rows)

    def _on_export_button_clicked(self) -> None:
        idx = self.table.currentIndex()
        if self.service is None or not idx.isValid():
            self.report.setText("Select a member first.")
            return
        member = idx.data(IdRole)
        out, _ = QFileDialog.getSaveFileName(self, "Save exchange file", "", "Roundtable exchange (*.rtx)")
        if not out:
            return
        svc = self.service
        self.ctx.run(lambda s: svc.export_bundle(s, to_member=member, out=Path(out)), owner=self, mutates=True,
                     on_done=lambda r: self.report.setText(f"Exported file {r.sequence}: {r.operations} changes, {r.cases} cases."))

    def _on_import_button_clicked(self) -> None:
        if self.service is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Import exchange file", "", "Roundtable exchange (*.rtx)")
        if not path:
            return
        svc = self.service
        self.ctx.run(lambda s: svc.import_bundle(s, path=Path(path)), owner=self, mutates=True,
                     on_done=lambda r: self.report.setText(f"Import: {getattr(r, 'outcome', 'done')}. {getattr(r, 'reason', '') or ''}"))
