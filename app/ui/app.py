"""The desktop client's entry point: application, style, first run or unlock, main window.

``run_gui(argv)`` is called by ``app.bootstrap.gui_main`` after process hardening. The store path
comes from ``$ROUNDTABLE_STORE`` or the default data folder. Invariants: no store work on the GUI
thread; on quit every background thread is joined and the store is closed; Python's cyclic
garbage collector runs on the GUI thread only (``app.ui.housekeeping``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from app.config.identity import DESKTOP_FILE_NAME, app_version, icon_files
from app.config.paths import default_store_path, resources_dir
from app.services.context import Session
from app.ui.context import UiContext, load_snapshot
from app.ui.housekeeping import GarbageCollector
from app.ui.tasks import TaskManager
from app.ui.widgets.inputs import install_input_rules

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

ORG, APP = "Roundtable", "Roundtable"


def load_fonts() -> str:
    """Register the shipped Noto Sans so that the client looks the same everywhere."""
    family = ""
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        fid = QFontDatabase.addApplicationFont(str(path))
        fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        family = family or (fams[0] if fams else "")
    return family


def stylesheet() -> str:
    """The one stylesheet; ``@ICONS@`` stands for the shipped icon folder (QSS urls are not relative
    to the file, and a frozen bundle moves the folder)."""
    path = resources_dir() / "styles" / "roundtable.qss"
    if not path.exists():
        return ""
    icons = (resources_dir() / "icons").as_posix()
    return path.read_text(encoding="utf-8").replace("@ICONS@", icons)


def app_icon() -> QIcon:
    """The application icon at every shipped size (resources/icons/hicolor)."""
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    return icon


def apply_identity(app: QApplication) -> None:
    """Name, version, window icon and the desktop-file name (Wayland and task bars find the
    installed roundtable.desktop and its icon by it)."""
    app.setApplicationName(APP)
    app.setOrganizationName(ORG)
    app.setApplicationVersion(app_version())
    app.setWindowIcon(app_icon())
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)


def prepare_app(app: QApplication, *, point_size: float = 10.0) -> None:
    family = load_fonts()
    font = QFont(family or app.font().family())
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    install_input_rules(app)


def make_settings() -> QSettings:
    """Window state only. ``ROUNDTABLE_SETTINGS`` (an ini path) keeps tests away from the user's."""
    path = os.environ.get("ROUNDTABLE_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORG, APP)


def open_main_window(ctx: UiContext, session: Session) -> MainWindow:
    from app.ui.mainwindow import MainWindow

    snapshot = ctx.tasks.call_sync(lambda: load_snapshot(session))
    ctx.attach(session, snapshot)
    window = MainWindow(ctx)
    return window


def run_gui(argv: list[str], *, today_fn: Callable[[], dt.date] = dt.date.today) -> int:
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    apply_identity(app)
    prepare_app(app)
    collector = GarbageCollector(app)  # cycles are freed on the GUI thread only
    collector.start()
    tasks = TaskManager()
    ctx = UiContext(tasks, make_settings())
    ctx.today_fn = today_fn
    store: Path = default_store_path()
    ctx.store_path = store
    try:
        if store.exists():
            from app.ui.dialogs.unlock import UnlockDialog

            unlock = UnlockDialog(tasks, store, today_fn=today_fn)
            unlock.quit_requested.connect(lambda: unlock.done(QDialog.DialogCode.Rejected))
            dialog: QDialog = unlock
        else:
            from app.ui.dialogs.first_run import FirstRunDialog

            dialog = FirstRunDialog(tasks, store)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        session = getattr(dialog, "session", None)
        if not accepted or session is None:
            if session is not None:
                tasks.call_sync(session.close)
            return 0
        window = open_main_window(ctx, session)
        window.show()
        code = app.exec()
        return int(code)
    finally:
        leftover = ctx.detach() if not ctx.is_locked else None
        if leftover is not None:
            tasks.call_sync(leftover.close)
        tasks.shutdown()
        collector.stop()
