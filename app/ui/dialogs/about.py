"""Help › About: the version, where this workstation keeps its store, log and settings, and every
third-party licence shipped (resources/THIRD-PARTY-LICENSES.txt, shown as plain text)."""

from __future__ import annotations

import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.config.identity import app_version, third_party_licences
from app.config.paths import data_dir, default_store_path, log_dir
from app.ui.context import UiContext
from app.ui.widgets.plain import PlainLabel


class AboutDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Roundtable")
        self.setObjectName("aboutDialog")
        self.resize(760, 620)
        layout = QVBoxLayout(self)
        title = PlainLabel(f"Roundtable {app_version()}", object_name="aboutTitle")
        layout.addWidget(title)
        layout.addWidget(PlainLabel("Case management for local multi-agency risk panels."))
        store = ctx.store_path if isinstance(ctx.store_path, Path) else default_store_path()
        self.paths = {
            "Version": app_version(),
            "Store": str(store),
            "Data folder": str(data_dir()),
            "Log": str(log_dir() / "roundtable.log"),
            "Settings": ctx.settings.fileName(),
            "Qt": f"{qVersion()} (PySide6 {PySide6.__version__}), Python {platform.python_version()}",
        }
        form = QFormLayout()
        for name, value in self.paths.items():
            form.addRow(f"{name}:", PlainLabel(value, wrap=True, selectable=True))
        layout.addLayout(form)
        layout.addWidget(PlainLabel("Third-party software and licences:"))
        self.licences = QPlainTextEdit()
        self.licences.setObjectName("aboutLicences")
        self.licences.setReadOnly(True)
        self.licences.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.licences.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.licences.setPlainText(third_party_licences())
        self.licences.setAccessibleName("Third-party licences")
        layout.addWidget(self.licences, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
