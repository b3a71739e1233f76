"""The referral import wizard: choose a file (and sheet), check the column choice, preview every row,
then import all rows or none.

Use: ``ImportWizard(ctx: UiContext, parent=None)``; ``exec()``/``open()`` it, or call
``load_file(path)`` to start from a known file. Signals: ``preview_ready(IntakePreview)`` after
each read, ``imported(IntakeReport)`` after a successful import (the ``UiContext.changed`` signal
also fires, so the Referrals and Cases screens refresh), ``failed(str)`` with a safe message.

Invariants:
- Every store and file read runs on the store worker through ``ctx.run``; the dialog never
  touches the session on the GUI thread. (Reading a 20 MB workbook takes a few seconds there; the
  dialog shows "Reading…" and stays responsive.)
- Untrusted cells are shown as plain text only: the preview is a ``QAbstractTableModel`` whose
  display data are ``str`` and whose problems are a tooltip, never rich text.
- All or nothing: Import is enabled only when no row has a problem, or when the user ticks
  "Leave out the rows with problems" — an explicit choice the service records in the audit log.
  A problem on the header row (a required column missing) can only be fixed by choosing columns.
- The user's column choice goes to the service, which remembers it for files with the same headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.dates import format_uk
from app.models.intake import FIELDS
from app.services import intake
from app.services.intake import IntakePreview, IntakeReport, PreviewRow
from app.ui.context import UiContext
from app.ui.errors import safe_message
from app.ui.widgets.controls import button, check, combo, row
from app.ui.widgets.files import open_path
from app.ui.widgets.plain import PlainLabel, plain_tooltip

NOT_IMPORTED = "(not imported)"
PROBLEM = QColor("#fbe3df")
LINKED = QColor("#e4eef8")

_Index = QModelIndex | QPersistentModelIndex


class PreviewModel(QAbstractTableModel):
    """One row per spreadsheet row: what will be imported, its problems, and known-person links."""

    # Problems and matches share the last column: a problem row has no values to show, so its
    # message sits where the eye lands, not off to the right after an empty "Problems" column.
    COLUMNS = ("Row", "Status", "Surname", "Forename(s)", "Date of birth", "Referral date",
               "Sector", "Concern", "Notes")  # fmt: skip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PreviewRow] = []
        self._sectors: dict[str, str] = {}
        self._concerns: dict[str, str] = {}

    def set_preview(self, preview: IntakePreview | None, *, sectors: dict[str, str],
                    concerns: dict[str, str]) -> None:  # fmt: skip
        self.beginResetModel()
        self._rows = list(preview.rows) if preview else []
        self._sectors, self._concerns = sectors, concerns
        self.endResetModel()

    def row_at(self, row: int) -> PreviewRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def _text(self, r: PreviewRow, column: int) -> str:
        d = r.draft
        if column == 0:
            return str(r.row)
        if column == 1:
            if r.problems:
                return "Problem"
            return "Known person" if (r.matches or r.same_as_row) else "New"
        if column == 8:
            if r.problems:
                return " ".join(p.describe() for p in r.problems)
            if r.matches:
                return "; ".join((r.matches[0].describe(), *r.also_recorded))
            if r.also_recorded:  # known in another role (a person causing harm): not linked
                return "; ".join(r.also_recorded)
            return f"same person as row {r.same_as_row}" if r.same_as_row else ""
        if d is None:
            return ""
        values = {2: d.surname, 3: d.forenames,
                  4: format_uk(d.date_of_birth) if d.date_of_birth else "",
                  5: format_uk(d.received), 6: self._sectors.get(d.sector, d.sector),
                  7: self._concerns.get(d.concern, d.concern)}  # fmt: skip
        return values.get(column, "")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not 0 <= index.column() < len(self.COLUMNS):
            return None
        r = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(r, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and r.problems:
            # Qt guesses rich text in tooltips; the cells quoted in problems are untrusted.
            return plain_tooltip("\n".join(p.describe() for p in r.problems))
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.problems:
                return QBrush(PROBLEM)
            if r.matches or r.same_as_row:
                return QBrush(LINKED)
        return None


class ImportWizard(QDialog):
    preview_ready = Signal(object)  # IntakePreview
    imported = Signal(object)  # IntakeReport
    failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportWizard")
        self.setWindowTitle("Import referrals from a spreadsheet")
        self.ctx = ctx
        self.path: Path | None = None
        self.preview: IntakePreview | None = None
        self._combos: dict[str, QComboBox] = {}
        prog = ctx.snap.programme
        self._sectors = {c.id: c.label for c in prog.sectors}
        self._concerns = {c.id: c.label for c in prog.concerns}

        v = QVBoxLayout(self)
        v.addLayout(self._build_file_row())
        v.addWidget(self._build_mapping())
        self.summary = PlainLabel("", wrap=True, accessible="Summary")
        v.addWidget(self.summary)
        v.addWidget(self._build_preview(), 1)
        self.skip_box = check("Leave out the rows with problems (this is recorded in the audit log)",
                              "Leave out the rows with problems")
        self.skip_box.setVisible(False)
        self.skip_box.toggled.connect(self._update_buttons)
        v.addWidget(self.skip_box)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.do_import)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        v.addWidget(buttons)
        self.resize(1000, 700)

    def _build_file_row(self) -> QHBoxLayout:
        """Choose file, the file's name, and the worksheet to read."""
        self.file_label = PlainLabel("No file chosen.", accessible="Chosen file")
        self.choose_button = button("&Choose file…", accessible="Choose a referral file", on_click=self.choose_file)
        self.sheet_combo = combo("Worksheet")
        self.sheet_combo.setEnabled(False)
        self.sheet_combo.activated.connect(lambda _i: self.refresh(keep_mapping=False))
        return row(self.choose_button, (self.file_label, 1), PlainLabel("Sheet:"), self.sheet_combo)

    def _build_mapping(self) -> QGroupBox:
        """Which column of the file holds each field: a drop-down a field, scrolling."""
        self.mapping_box = QGroupBox("Columns (which column of the file holds each field)")
        form = QFormLayout()
        for name, (label, _variants) in FIELDS.items():
            box = combo(f"Column for {label}")
            box.activated.connect(lambda _i: self.refresh(keep_mapping=True))
            self._combos[name] = box
            form.addRow(PlainLabel(label), box)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setMaximumHeight(220)
        box_layout = QVBoxLayout(self.mapping_box)
        box_layout.addWidget(scroll)
        self.mapping_box.setEnabled(False)
        return self.mapping_box

    def _build_preview(self) -> QTableView:
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Rows of the file")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        return self.table

    # --- choosing and reading ----------------------------------------------------------------------
    def choose_file(self) -> None:
        path = open_path(self, "Choose a referral spreadsheet", "Spreadsheets (*.xlsx *.csv)")
        if path:
            self.load_file(path)

    def load_file(self, path: Path) -> None:
        self.path = Path(path)
        self.file_label.setText(self.path.name)
        self.sheet_combo.clear()
        self.refresh(keep_mapping=False)

    def chosen_mapping(self) -> dict[str, str]:
        out = {}
        for name, box in self._combos.items():
            header = box.currentData()
            out[name] = header if isinstance(header, str) else ""
        return out

    def set_column(self, field_name: str, header: str) -> None:
        """Choose a column for a field ("" = not imported) and read the file again."""
        box = self._combos[field_name]
        box.setCurrentIndex(max(0, box.findData(header)))
        self.refresh(keep_mapping=True)

    def refresh(self, *, keep_mapping: bool) -> None:
        if self.path is None:
            return
        path = self.path
        sheet = self.sheet_combo.currentText() or None
        mapping = self.chosen_mapping() if keep_mapping else None
        self._busy("Reading the file…")
        self.ctx.run(
            lambda s: intake.preview_referral_file(s, path=path, sheet=sheet, mapping=mapping),
            owner=self, on_done=self._show, on_error=self._error,
        )  # fmt: skip

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.import_button.setEnabled(False)

    def _show(self, preview: IntakePreview) -> None:
        self.preview = preview
        if preview.sheet_names and self.sheet_combo.count() != len(preview.sheet_names):
            self.sheet_combo.clear()
            self.sheet_combo.addItems(list(preview.sheet_names))
        if preview.sheet:
            self.sheet_combo.setCurrentText(preview.sheet)
        self.sheet_combo.setEnabled(bool(preview.sheet_names))
        headers = [h for h in preview.headers if h]
        for name, box in self._combos.items():
            box.clear()
            box.addItem(NOT_IMPORTED, "")
            for h in headers:
                box.addItem(h, h)
            box.setCurrentIndex(max(0, box.findData(preview.mapping.get(name, ""))))
        self.mapping_box.setEnabled(True)
        self.model.set_preview(preview, sectors=self._sectors, concerns=self._concerns)
        self.table.resizeColumnsToContents()
        bad = len(preview.problem_rows)
        known = sum(1 for r in preview.rows if r.matches or r.same_as_row)
        parts = [f"{preview.rows_read} rows read ({preview.mapping_source} columns)."]
        if preview.blocking:
            parts.append(" ".join(p.describe() for p in preview.blocking))
        if bad:
            parts.append(f"{bad} row{'s have' if bad != 1 else ' has'} problems (highlighted).")
        if known:
            parts.append(f"{known} row{'s are' if known != 1 else ' is'} about people already known.")
        if preview.unknown_columns:
            parts.append("Not imported: " + ", ".join(preview.unknown_columns) + ".")
        text = " ".join(parts)
        problems = [p.describe() for r in preview.rows for p in r.problems]
        if problems:  # the first few in full: the table cell is cut short
            shown = problems[:3]
            more = f"\n…and {len(problems) - 3} more (hover a row for its problems)." if len(problems) > 3 else ""
            text += "\n" + "\n".join(shown) + more
        self.summary.setText(text)
        self.skip_box.setVisible(bool(bad) and not preview.blocking)
        self.skip_box.setChecked(False)
        self.skip_box.setText(
            f"Leave out the {bad} row{'s' if bad != 1 else ''} with problems "
            "(this is recorded in the audit log)"
        )
        self._update_buttons()
        self.preview_ready.emit(preview)

    def _update_buttons(self) -> None:
        p = self.preview
        ok = p is not None and not p.blocking and any(r.ok for r in p.rows)
        if ok and p is not None and p.problem_rows:
            ok = self.skip_box.isChecked()
        self.import_button.setEnabled(bool(ok))

    def _error(self, exc: BaseException) -> None:
        message = safe_message(exc)
        self.summary.setText(message)
        self.import_button.setEnabled(False)
        self.failed.emit(message)

    # --- importing ---------------------------------------------------------------------------------
    def do_import(self) -> None:
        p, path = self.preview, self.path
        if p is None or path is None:
            return
        sheet = p.sheet or None
        mapping = self.chosen_mapping()
        skip = p.problem_rows if self.skip_box.isChecked() else frozenset()
        self._busy("Importing…")
        self.ctx.run(
            lambda s: intake.import_referrals(s, path=path, sheet=sheet, mapping=mapping, skip_rows=skip),
            owner=self, on_done=self._done, on_error=self._error, mutates=True,
        )  # fmt: skip

    def _done(self, report: IntakeReport) -> None:
        n = len(report.imported)
        self.summary.setText(
            f"Opened {n} case{'s' if n != 1 else ''} ({len(report.linked)} linked to people already "
            f"known); {len(report.skipped_rows)} row(s) left out."
        )
        self.imported.emit(report)
        self.accept()
