"""Exchange: members and their fingerprints, files sent and received, export, import, conflicts.

Job: the desktop face of ``app.services.exchange``. Members table (fingerprint in groups, status,
last file sent and received, gaps and silence highlighted); "Write my identity card…",
"Enrol a card…" (``EnrolDialog``); "Export for…" (member, save path, progress, the report);
"Import…" of several files at once or by dropping files on the screen, each imported in turn on
the store worker with a report row per file (a security alert stands out above the table); an
optional watched folder; the queue of open conflicts (a second tab, "Conflicts (n)"), each opened
side by side in ``ConflictDialog``.

Invariants:
- Every service call runs on the store worker (``ctx.run``); files are imported one at a time, in
  the order chosen, each in its own transaction (a bad file never holds up the others).
- The user picks every path. The watched folder is remembered in the encrypted store
  (``exchange.remember_watched_folder``, audited), never in ``QSettings``; the main window
  resumes watching it after unlock, and says so when the folder is not there (a share not
  mounted, a stick not in). Nothing is imported while the client is locked; the folder is looked
  at again on unlock.
- A watched file is tried once per (name, size, modification time): a file still being copied
  that fails is tried again once it changes; a file seen twice is never imported twice (and the
  service's ledger makes a repeated file a reported no-op anyway).
- Names, reasons and imported values are plain text (model strings, ``PlainLabel``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import exchange
from app.services.exchange import ConflictView, ExportReport, PeerStatus
from app.ui.context import UiContext
from app.ui.itemmodels.rows import RecordRole, record_at
from app.ui.progress import run_with_progress
from app.ui.screens.base import Screen
from app.ui.screens.exchange.conflict_dialog import ConflictDialog
from app.ui.screens.exchange.enrol_dialog import EnrolDialog
from app.ui.screens.exchange.models import (
    CONFLICT_CHIP_COLUMNS,
    MEMBER_CHIP_COLUMNS,
    REPORT_CHIP_COLUMNS,
    ImportRow,
    attention,
    conflicts_model,
    import_reports_model,
    members_model,
    report_detail,
    role_label,
)
from app.ui.screens.exchange.queue import ImportQueue
from app.ui.screens.exchange.transfers import PartnersPage
from app.ui.screens.exchange.watcher import BUNDLE_SUFFIX, FolderWatch
from app.ui.widgets.controls import button
from app.ui.widgets.files import CARD_FILES, save_path
from app.ui.widgets.plain import PlainLabel, heading, muted
from app.ui.widgets.tables import make_table, set_widths

BUNDLE_FILTER = "Roundtable exchange files (*.rtb);;All files (*)"

ALERT_STYLE = ("QFrame#SecurityAlert { background: #f8e1dc; border: 1px solid #d9a293; border-left: 5px solid "
               "#8f2a16; border-radius: 4px; } QLabel { color: #5e1b0e; }")


class ExchangeScreen(FolderWatch, ImportQueue, Screen):
    title = "Exchange"
    watches = ("member", "device", "agency", "conflict")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._init_queue()
        self._dialog: ConflictDialog | None = None
        self.last_export: ExportReport | None = None
        self._build_header()
        self._build_members()
        actions = self._build_actions()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Import reports and conflicts")
        self.tabs.addTab(self._build_reports_page(), "Import reports")
        self.tabs.addTab(self._build_conflicts_page(), "Conflicts")
        # partner panels and case transfers (issue 15): the coordinator's store only
        self.partners_page = PartnersPage(ctx)
        self.tabs.addTab(self.partners_page, "Partner panels")
        self.root.addWidget(heading("Members", level=2))
        self.root.addWidget(self.members_table, 2)
        self.root.addWidget(self.member_detail)
        self.root.addLayout(actions)
        self.root.addWidget(self.export_result)
        self.root.addWidget(self.tabs, 3)
        self._init_watch()
        self._set_tab_order()

    def _build_header(self) -> None:
        self.card_button = button("&Write my identity card…",
                                  accessible="Write this workstation's identity card to a file",
                                  on_click=self._on_card_button_clicked)
        self.enrol_button = button("E&nrol a card…", accessible="Enrol a workstation's identity card",
                                   on_click=self._on_enrol_button_clicked)
        self.header.addWidget(self.card_button)
        self.header.addWidget(self.enrol_button)

        self.me = PlainLabel("", wrap=True, object_name="Muted", accessible="This workstation", selectable=True)
        self.root.addWidget(self.me)

    def _build_members(self) -> None:
        self.members = members_model(self)
        self.members_table = make_table("Members", self.members, chip_columns=MEMBER_CHIP_COLUMNS, sortable=False)
        set_widths(self.members_table, [150, 160, 76, 180, 132, 132], stretch=6)
        self.members_table.setWordWrap(True)  # the fingerprint takes two lines of four groups
        self.members_table.verticalHeader().setDefaultSectionSize(46)
        self.members_table.setMinimumHeight(110)
        self.members_table.selectionModel().currentRowChanged.connect(self._on_members_current_row_changed)
        self.member_detail = PlainLabel("", wrap=True, object_name="Muted", accessible="Selected member",
                                        selectable=True)

    def _build_actions(self) -> QHBoxLayout:
        """Export, import, watch; the status line and progress; the last export's result."""
        actions = QHBoxLayout()
        self.export_button = button("&Export for…", accessible="Export a file for a member", object_name="Primary",
                                    on_click=self._on_export_button_clicked)
        self.import_button = button("&Import…", accessible="Import exchange files",
                                    on_click=self._on_import_button_clicked)
        self.watch_button = button("&Watch a folder…", accessible="Watch a folder for new exchange files",
                                   on_click=self._on_watch_button_clicked)
        self.watch_label = PlainLabel("", object_name="Muted", accessible="Watched folder")
        for b in (self.export_button, self.import_button, self.watch_button):
            actions.addWidget(b)
        actions.addWidget(self.watch_label, 1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.status = PlainLabel("", object_name="Muted", accessible="Exchange status")
        actions.addWidget(self.status)
        actions.addWidget(self.progress)

        self.export_result = PlainLabel("", wrap=True, object_name="Lead", accessible="Last export",
                                        selectable=True)
        self.export_result.setVisible(False)
        return actions

    def _build_reports_page(self) -> QWidget:
        self.reports = import_reports_model(self)
        self.reports_table = make_table("Import reports", self.reports, chip_columns=REPORT_CHIP_COLUMNS,
                                        sortable=False)
        set_widths(self.reports_table, [190, 140, 0, 62, 78, 70, 62, 62, 64], stretch=2)
        self.reports_table.selectionModel().currentRowChanged.connect(self._on_reports_current_row_changed)
        self.report_detail = PlainLabel("Drop exchange files anywhere on this screen to import them.",
                                        wrap=True, object_name="Muted", accessible="Import report detail",
                                        selectable=True)
        self._build_alert()
        reports_page = QWidget()
        lv = QVBoxLayout(reports_page)
        lv.setContentsMargins(0, 8, 0, 0)
        lv.addWidget(self.alert)
        lv.addWidget(self.reports_table, 1)
        lv.addWidget(self.report_detail)
        return reports_page

    def _build_alert(self) -> None:
        """The banner for a security alert or an audit warning (hidden until one comes)."""
        self.alert = QFrame()
        self.alert.setObjectName("SecurityAlert")
        self.alert.setStyleSheet(ALERT_STYLE)
        self.alert.setAccessibleName("Security alert")
        av = QHBoxLayout(self.alert)
        av.setContentsMargins(12, 8, 8, 8)
        self.alert_text = PlainLabel("", wrap=True, accessible="Security alert")
        self.alert_text.setStyleSheet("font-weight: 600;")
        av.addWidget(self.alert_text, 1)
        self.alert_dismiss = button("Dismiss", accessible="Dismiss the security alert",
                                    on_click=lambda: self.alert.setVisible(False))
        av.addWidget(self.alert_dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.alert.setVisible(False)

    def _build_conflicts_page(self) -> QWidget:
        self.conflicts = conflicts_model(self)
        self.conflicts_table = make_table("Open conflicts", self.conflicts, chip_columns=CONFLICT_CHIP_COLUMNS,
                                          sortable=False)
        set_widths(self.conflicts_table, [0, 160, 220, 80], stretch=0)
        self.conflicts_table.setSelectionMode(self.conflicts_table.SelectionMode.SingleSelection)
        self.conflicts_table.activated.connect(self._on_conflicts_table_activated)
        self.conflicts_note = muted("")
        self.review_button = button("&Review conflict…", accessible="Review the selected conflict side by side",
                                    on_click=self._on_review_button_clicked)
        conflicts_page = QWidget()
        rv = QVBoxLayout(conflicts_page)
        rv.setContentsMargins(0, 8, 0, 0)
        rv.addWidget(self.conflicts_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.conflicts_note, 1)
        row.addWidget(self.review_button)
        rv.addLayout(row)
        return conflicts_page

    def _set_tab_order(self) -> None:
        self.setTabOrder(self.card_button, self.enrol_button)
        self.setTabOrder(self.enrol_button, self.members_table)
        self.setTabOrder(self.members_table, self.export_button)
        self.setTabOrder(self.export_button, self.import_button)
        self.setTabOrder(self.import_button, self.watch_button)
        self.setTabOrder(self.watch_button, self.tabs)
        self.setTabOrder(self.tabs, self.reports_table)
        self.setTabOrder(self.reports_table, self.conflicts_table)
        self.setTabOrder(self.conflicts_table, self.review_button)

    # --- loading -----------------------------------------------------------------------------------
    def load(self) -> None:
        ws = self.ctx.snap.workstation
        self.me.setText(
            f"This workstation: {ws.member.name}, {ws.agency.name} ({role_label(ws.member.role.value)}). "
            f"Its fingerprint, to read aloud: {ws.fingerprint}"
        )
        self.enrol_button.setToolTip("Enrol a member's identity card" if ws.is_hub
                                     else "Enrol your coordinator's identity card")
        self.ctx.run(exchange.exchange_status, owner=self, on_done=self._on_status)
        self.ctx.run(exchange.list_conflicts, owner=self, on_done=self._on_conflicts)
        coordinator = ws.is_hub and ws.member.role.value == "coordinator"  # partners are theirs
        self.tabs.setTabVisible(self.tabs.indexOf(self.partners_page), coordinator)
        if coordinator:
            self.partners_page.load()

    def _on_status(self, rows: list[PeerStatus]) -> None:
        current = self._current_member()
        self.members.set_rows(rows)
        if current is not None:
            for i, p in enumerate(rows):
                if p.member_id == current.member_id:
                    self.members_table.selectRow(i)
        if not rows:
            self.member_detail.setText(
                "No workstation is enrolled yet. Enrol a member's identity card to exchange files with it."
                if self.ctx.snap.workstation.is_hub else
                "Enrol your coordinator's identity card to exchange files with the panel.")
        elif current is None:
            self.member_detail.setText("")

    def _on_conflicts(self, rows: list[ConflictView]) -> None:
        self.conflicts.set_rows(rows)
        hub = self.ctx.snap.workstation.is_hub
        if not rows:
            self.conflicts_note.setText("No open conflicts.")
        elif hub:
            n = len(rows)
            self.conflicts_note.setText(f"{n} open conflict{'s' if n != 1 else ''} to decide.")
        else:
            self.conflicts_note.setText("These await the coordinator.")
        self.tabs.setTabText(1, f"Conflicts ({len(rows)})" if rows else "Conflicts")
        if rows and not self.reports.rowCount():
            self.tabs.setCurrentIndex(1)  # nothing imported yet this session: show what awaits
        self.review_button.setText("&Review conflict…" if hub else "&View conflict…")
        self.review_button.setEnabled(bool(rows))
        if rows and not self.conflicts_table.currentIndex().isValid():
            self.conflicts_table.setCurrentIndex(self.conflicts.index(0, 0))

    # --- members -----------------------------------------------------------------------------------
    def _current_member(self) -> PeerStatus | None:
        return record_at(self.members_table.currentIndex(), PeerStatus)

    def _on_members_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        p = current.data(RecordRole) if current.isValid() else None
        if isinstance(p, PeerStatus):
            text = f"{p.name} ({p.agency_name}): fingerprint {p.fingerprint}."
            if attention(p):
                text += f" {attention(p)}."
            self.member_detail.setText(text)

    def _on_card_button_clicked(self) -> None:
        path = save_path(self, "Write my identity card", "roundtable-identity.rtid", CARD_FILES)
        if not path:
            return

        def done(written: Path) -> None:
            self.status.setText(f"Identity card written to {written.name}. Read your fingerprint aloud "
                                "to the person who enrols it.")

        self.ctx.run(lambda s: exchange.write_identity_card(s, out=path), owner=self, on_done=done)

    def _on_enrol_button_clicked(self) -> EnrolDialog:
        dlg = EnrolDialog(self.ctx, self)
        dlg.enrolled.connect(self._on_enrolled)
        dlg.open()
        return dlg

    def _on_enrolled(self, e: exchange.Enrolled) -> None:
        self.status.setText(f"Enrolled {e.name} ({e.agency_name}).")
        self.reload()

    # --- export --------------------------------------------------------------------------------------
    def _export_target(self) -> PeerStatus | None:
        current = self._current_member()
        if current is not None:
            return current
        rows = [p for p in self.members.rows() if p.status == "active"]
        if len(rows) == 1:
            return rows[0]
        if not rows:
            return None
        labels = [f"{p.name} ({p.agency_name})" for p in rows]
        choice, ok = QInputDialog.getItem(self, "Export for…", "Member:", labels, 0, False)
        if not ok or choice not in labels:
            return None
        return rows[labels.index(choice)]

    def _on_export_button_clicked(self) -> None:
        target = self._export_target()
        if target is None:
            self.status.setText("Enrol a member first: there is nobody to export for.")
            return
        if target.status != "active":
            self.status.setText("That member's workstation is revoked: nothing is sent to it.")
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        path = save_path(self, f"Save the exchange file for {target.name}", f"roundtable-{stamp}{BUNDLE_SUFFIX}",
                         BUNDLE_FILTER)
        if not path:
            return
        if not path.suffix:
            path = path.with_suffix(BUNDLE_SUFFIX)
        member = target.member_id

        def work(session: object, progress: object) -> ExportReport:
            progress.check()  # type: ignore[attr-defined]
            # Cancel stops the writing part way too: no file is left, the store is as it was
            return exchange.export_bundle(session, to_member=member, out=path,  # type: ignore[arg-type]
                                          step=progress.step)  # type: ignore[attr-defined]

        self.export_button.setEnabled(False)
        self.export_dialog = run_with_progress(
            self.ctx, self, f"Writing the exchange file for {target.name}…", work, mutates=True,
            on_done=self._on_exported, on_error=self._on_export_failed,
            on_cancelled=lambda: self.export_button.setEnabled(True),
        )

    def _on_exported(self, r: ExportReport) -> None:
        self.export_button.setEnabled(True)
        self.last_export = r
        kb = max(1, round(r.size / 1024))
        text = (f"File {r.sequence} for {r.to_name} written: {r.operations} changes, {r.cases} cases, "
                f"{r.evicted} cases withdrawn, {kb} KB. Saved as {r.path}.")
        if r.held_back:
            text += (f" {r.held_back} local changes are not allowed to be sent and were held back.")
        self.export_result.setText(text)
        self.export_result.setVisible(True)
        self.reload()

    def _on_export_failed(self, exc: BaseException) -> None:
        from app.ui.errors import show_error

        self.export_button.setEnabled(True)
        show_error(self, exc)

    # --- import ----------------------------------------------------------------------------------
    def _on_import_button_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import exchange files", "", BUNDLE_FILTER)
        self.import_files([Path(p) for p in paths], source="chosen")

    def _on_reports_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RecordRole) if current.isValid() else None
        if isinstance(row, ImportRow):
            self.report_detail.setText(report_detail(row))

    # --- conflicts -----------------------------------------------------------------------------------
    def _on_conflicts_table_activated(self, index: QModelIndex) -> None:
        self.open_conflict(index)

    def _on_review_button_clicked(self) -> None:
        self.open_conflict(self.conflicts_table.currentIndex())

    def open_conflict(self, index: QModelIndex) -> ConflictDialog | None:
        c = index.data(RecordRole) if index.isValid() else None
        if not isinstance(c, ConflictView):
            return None
        dlg = ConflictDialog(self.ctx, c, self)
        dlg.resolved.connect(self._on_conflict_resolved)
        self._dialog = dlg
        dlg.open()
        return dlg

    def _on_conflict_resolved(self, _conflict_id: str) -> None:
        self.status.setText("Conflict resolved. The decision travels with the next files.")
        self.reload()
