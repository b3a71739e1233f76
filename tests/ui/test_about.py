"""Identity: the window and application icon, version and desktop-file name; Help › About shows
the version, the store, log and settings paths and every third-party licence shipped."""

from __future__ import annotations

import importlib.metadata

from PySide6.QtWidgets import QApplication

from app.config.identity import icon_files, third_party_licences
from app.ui.app import apply_identity


def test_application_identity_at_start_up(qapp: QApplication) -> None:
    apply_identity(qapp)
    assert qapp.applicationVersion() == importlib.metadata.version("roundtable")
    assert qapp.desktopFileName() == "roundtable"
    icon = qapp.windowIcon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}
    assert [p.parent.parent.name for p in icon_files()][:2] == ["16x16", "22x22"]


def test_main_window_has_the_icon_and_about_lists_the_licences(demo_ui) -> None:
    win = demo_ui.win
    assert not win.windowIcon().isNull()
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text() == "&About Roundtable")
    about.trigger()
    dialog = win.about_dialog
    assert dialog.isVisible()
    assert dialog.paths["Version"] == importlib.metadata.version("roundtable")
    assert dialog.paths["Store"] == str(demo_ui.store)
    assert dialog.paths["Settings"] == demo_ui.ctx.settings.fileName()
    assert dialog.paths["Log"].endswith("roundtable.log")
    text = dialog.licences.toPlainText()
    assert text == third_party_licences()
    for component in ("PySide6_Essentials", "Qt 6 libraries", "LGPL-3.0", "SQLCipher", "OpenSSL",
                      "reportlab", "openpyxl", "cryptography", "defusedxml", "Noto Sans fonts"):  # fmt: skip
        assert component in text, component
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text  # the texts, not only the names
    dialog.close()
