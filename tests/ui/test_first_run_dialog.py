"""The first-run dialog as a person uses it (issue 10, "Smaller things"; issue 9's join page):
typing, not calling methods. Offscreen; no fixed sleeps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from tests.support.ui import first_run_dialog


def _dialog(qtbot, path: Path):  # type: ignore[no-untyped-def]
    dlg, tasks = first_run_dialog(qtbot, path)  # the same dialog the joining tests drive
    qtbot.waitExposed(dlg)
    return dlg, tasks


def _access_keys(root: QWidget) -> list[str]:
    """The Alt+letter keys of every visible label and button under ``root``."""
    keys = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or not isinstance(w, QLabel | QAbstractButton):
            continue
        m = re.search(r"&([^&\s])", w.text())
        if m:
            keys.append(m.group(1).lower())
    return keys


def test_every_access_key_is_used_once_on_each_page(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dlg, tasks = _dialog(qtbot, tmp_path / "s" / "panel.rtdb")
    try:
        for join in (False, True):
            dlg.mode_join.setChecked(join)
            keys = _access_keys(dlg)
            assert len(keys) == len(set(keys)), sorted(keys)
            assert "p" in keys or "s" in keys  # the passphrase has one
    finally:
        tasks.shutdown()


SQUASH_PROBE = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication, QLineEdit
app = QApplication(sys.argv)
from app.ui.app import prepare_app
prepare_app(app)  # the client's fonts and style sheet: this process only
from app.ui.dialogs.first_run import FirstRunDialog
from app.ui.tasks import TaskManager
tasks = TaskManager()
dlg = FirstRunDialog(tasks, Path(sys.argv[1]))
dlg.show()
app.processEvents()
dlg.mode_join.setChecked(True)
for _ in range(3):
    app.processEvents()
for e in dlg.findChildren(QLineEdit):
    if e.isVisibleTo(dlg):
        print(e.accessibleName(), e.height(), e.minimumSizeHint().height())
tasks.shutdown()
"""


@pytest.mark.slow
def test_the_join_page_is_never_squashed(tmp_path: Path) -> None:
    """With the client's own fonts and style sheet (in a process of its own, so nothing global
    changes for other tests), every field of the join page keeps the height it needs."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    r = subprocess.run([sys.executable, "-c", SQUASH_PROBE, str(tmp_path / "s" / "panel.rtdb")],
                       cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    rows = [line.rsplit(" ", 2) for line in r.stdout.splitlines() if line.strip()]
    assert rows, r.stdout
    for name, height, needed in rows:
        assert int(height) >= int(needed), f"{name}: {height} px of {needed}"


def test_passphrase_messages_follow_what_is_typed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dlg, tasks = _dialog(qtbot, tmp_path / "s" / "panel.rtdb")
    try:
        QTest.keyClicks(dlg.name, "Ann Coordinator")
        QTest.keyClicks(dlg.agency, "Northshire Council")
        QTest.keyClicks(dlg.passphrase, "short")
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
        assert "Too short" in dlg.error.text()
        # fixing the passphrase takes the message away at once
        QTest.keyClicks(dlg.passphrase, " enough words now")
        assert dlg.error.text() == ""
        # a mismatch shows while typing, not only on submit
        QTest.keyClicks(dlg.repeat, "short enough")
        assert "not the same" in dlg.same.text()
        QTest.keyClicks(dlg.repeat, " words now")
        assert "match" in dlg.same.text() and "not" not in dlg.same.text()
        # the passphrase can be shown to check it, and hidden again
        dlg.show_passphrase.setChecked(True)
        assert dlg.passphrase.echoMode() == QLineEdit.EchoMode.Normal
        dlg.show_passphrase.setChecked(False)
        assert dlg.repeat.echoMode() == QLineEdit.EchoMode.Password
    finally:
        tasks.shutdown()


def test_the_recovery_key_can_be_copied_and_printed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dlg, tasks = _dialog(qtbot, tmp_path / "s" / "panel.rtdb")
    try:
        QTest.keyClicks(dlg.name, "Ann Coordinator")
        QTest.keyClicks(dlg.agency, "Northshire Council")
        QTest.keyClicks(dlg.passphrase, "four unrelated words here")
        QTest.keyClicks(dlg.repeat, "four unrelated words here")
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.recovery.text() != "", timeout=60_000)
        key = dlg.recovery.text()
        assert dlg.copy_button.isVisible() and dlg.print_button.isVisible()
        qtbot.mouseClick(dlg.copy_button, Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == key
        assert "cleared" in dlg.copy_note.text()
        assert key in dlg.print_document().toPlainText()
        QGuiApplication.clipboard().clear()
        if dlg.session is not None:
            session = dlg.session
            tasks.call_sync(session.close)
    finally:
        tasks.shutdown()
