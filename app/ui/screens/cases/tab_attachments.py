"""Case tab: Attachments — documents attached to the case (issue 16).

Job: list the case's attachments this user may see; attach files ("Attach…", or dropped onto the
case); show a PDF or an image inside Roundtable (``attachment_viewer``, from memory); save a copy
of any attachment where the user asks ("Save a copy…", audited as a disclosure).

Invariants: all store work runs on the store worker through ``ctx.run``; nothing of an attachment
is written anywhere but the file the user chose in "Save a copy…" (through the service's
safe-file helper). Other types than PDF and images are never opened by Roundtable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, QStandardPaths
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.attachments import Attachment, size_text
from app.models.domain import CaseFile
from app.services import attachments
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, RowsModel, SortRole
from app.ui.screens.cases.tab_common import failed_into
from app.ui.widgets.common import Section
from app.ui.widgets.plain import PlainLabel
from app.ui.widgets.tables import make_table, set_widths, text_width, wrap_rows


def _local_time(iso_utc: str) -> str:
    """When it was attached, in this computer's time, as dd/mm/yyyy hh:mm."""
    try:
        when = dt.datetime.fromisoformat(iso_utc)
    except ValueError:
        return iso_utc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone().strftime("%d/%m/%Y %H:%M")


def _start_folder() -> Path:
    for where in (QStandardPaths.StandardLocation.DocumentsLocation, QStandardPaths.StandardLocation.HomeLocation):
        folder = QStandardPaths.writableLocation(where)
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


def dropped_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local files (not folders) a drag carries."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and Path(u.toLocalFile()).is_file()]


class AttachmentsTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cf: CaseFile | None = None
        self.viewer: QWidget | None = None
        self.setAcceptDrops(True)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        self.model: RowsModel[Attachment] = RowsModel(
            [
                Column("File", lambda a: a.filename),
                Column("Size", lambda a: size_text(a.size), sort=lambda a: a.size),
                Column("Attached", lambda a: _local_time(a.attached_at), sort=lambda a: a.attached_at),
                Column("Agency", lambda a: ctx.snap.agency_short(a.agency_id)),
                Column("Restricted to", lambda a: ", ".join(sorted(ctx.snap.agency_short(x) for x in a.restricted_to))
                       or "All on the case", kind=lambda a: "warn" if a.restricted_to else "muted"),
                Column("Description", lambda a: a.description),
            ],
            lambda a: a.id,
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = make_table("Attached documents", self.proxy, chip_columns=(4,))
        t = self.table
        set_widths(t, [280, 70, text_width(t, "00/00/0000 00:00") + 16, 70, 150], stretch=5)
        wrap_rows(self.table)
        self.table.doubleClicked.connect(lambda _i: self.view_selected())
        v.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.view_button = QPushButton("&View")
        self.view_button.setAccessibleName("View the selected attachment (PDF or image)")
        self.view_button.clicked.connect(self.view_selected)
        self.save_button = QPushButton("&Save a copy…")
        self.save_button.setAccessibleName("Save a copy of the selected attachment")
        self.save_button.clicked.connect(self.ask_save_copy)
        row.addWidget(self.view_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        v.addLayout(row)
        add = Section("Attach a document (or drop files onto the case)")
        arow = QHBoxLayout()
        self.description = QLineEdit()
        self.description.setAccessibleName("Description of the document")
        self.description.setPlaceholderText("Description (optional)")
        self.restrict = QComboBox()
        self.restrict.setAccessibleName("Restrict to")
        self.attach_button = QPushButton("&Attach…")
        self.attach_button.setAccessibleName("Attach a file to the case")
        self.attach_button.clicked.connect(self.ask_attach)
        add.body.addWidget(self.description)
        arow.addWidget(PlainLabel("Share with", object_name="FieldLabel"))
        arow.addWidget(self.restrict, 1)
        arow.addWidget(self.attach_button)
        add.body.addLayout(arow)
        v.addWidget(add)
        self.status = PlainLabel("", wrap=True, object_name="FieldLabel")
        v.addWidget(self.status)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        v.addWidget(self.error)

    # --- showing the list ------------------------------------------------------------------------
    def show_case(self, cf: CaseFile) -> None:
        moving = self.cf is None or self.cf.case.id != cf.case.id
        self.cf = cf
        if moving:
            self.description.clear()
            self.error.setText("")
            self.status.setText("")
        keep = self.restrict.currentData()
        self.restrict.clear()
        self.restrict.addItem("Everyone the case is shared with", None)
        mine = self.ctx.snap.workstation.agency.id
        for a in self.ctx.snap.agencies:
            if a.id != mine:
                self.restrict.addItem(f"Only {a.short} (and us)", a.id)
        self.restrict.setCurrentIndex(0 if moving else max(0, self.restrict.findData(keep)))
        self.refresh()

    def refresh(self) -> None:
        if self.cf is None:
            return
        cid = self.cf.case.id

        def got(items: list[Attachment]) -> None:
            if self.cf is not None and self.cf.case.id == cid:
                self.model.set_rows(items)
                self.table.resizeRowsToContents()

        self.ctx.run(lambda s: attachments.attachments_for(s, case_id=cid), owner=self, on_done=got,
                     on_error=failed_into(self.error))

    def selected(self) -> Attachment | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        index = rows[0] if rows else self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.record(self.proxy.mapToSource(index).row())

    # --- attaching -------------------------------------------------------------------------------
    def ask_attach(self) -> None:
        if self.cf is None:
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Attach files to the case", str(_start_folder()))
        self.attach_files([Path(n) for n in names])

    def attach_files(self, paths: list[Path]) -> None:
        """Attach each file with the description and restriction typed; each refusal is said."""
        if self.cf is None or not paths:
            return
        cid, text, only = self.cf.case.id, self.description.text(), self.restrict.currentData()
        self.error.setText("")
        self.status.setText("")

        def attach_all(s: object) -> tuple[list[str], list[str]]:
            from app.models.errors import AppError

            done, refused = [], []
            for p in paths:
                try:
                    attachments.add_attachment(s, case_id=cid, path=p, description=text,  # type: ignore[arg-type]
                                               restricted_to=[only] if only else [])
                    done.append(p.name)
                except AppError as exc:
                    refused.append(exc.user_message)
            return done, refused

        def finished(result: tuple[list[str], list[str]]) -> None:
            done, refused = result
            if done:
                self.description.clear()
                self.status.setText("Attached: " + ", ".join(done) + ".")
            self.error.setText(" ".join(refused))
            self.refresh()

        self.ctx.run(attach_all, owner=self, mutates=True, on_done=finished, on_error=failed_into(self.error))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.cf is not None and dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = dropped_files(event)
        if self.cf is None or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attach_files(files)

    # --- viewing and saving ---------------------------------------------------------------------
    def view_selected(self) -> None:
        a = self.selected()
        if a is None:
            self.error.setText("Choose an attachment to view.")
            return
        if not a.viewable:
            self.error.setText(f"{a.filename} cannot be shown inside Roundtable: use “Save a copy…” to open it "
                               "with another program.")
            return
        self.view(a)

    def view(self, a: Attachment) -> None:
        from app.ui.screens.cases.attachment_viewer import AttachmentViewer

        self.error.setText("")

        def show(data: bytes) -> None:
            marking = self.cf.case.marking.value if self.cf is not None else "OFFICIAL-SENSITIVE"
            viewer = AttachmentViewer(a, data, self, marking=marking)
            self.viewer = viewer
            viewer.finished.connect(lambda *_: setattr(self, "viewer", None))
            viewer.show()
            viewer.raise_()
            viewer.activateWindow()  # keys (Page Down, Esc) go to the viewer, not the case behind

        self.ctx.run(lambda s: attachments.open_attachment(s, attachment_id=a.id), owner=self, on_done=show,
                     on_error=failed_into(self.error))

    def ask_save_copy(self) -> None:
        a = self.selected()
        if a is None:
            self.error.setText("Choose an attachment to save a copy of.")
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy of the attachment", str(_start_folder() / a.filename))
        if name:
            self.save_copy(a, Path(name))

    def save_copy(self, a: Attachment, out: Path) -> None:
        self.error.setText("")

        def saved(path: Path) -> None:
            self.status.setText(f"Copy saved: {path}")

        self.ctx.run(lambda s: attachments.save_attachment(s, attachment_id=a.id, out=out), owner=self,
                     mutates=True, on_done=saved, on_error=failed_into(self.error))
