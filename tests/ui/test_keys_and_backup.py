"""Keys and backups in the desktop (offscreen): the unlock dialog offers the keyring only where
the store is remembered; a keyring that does not answer is given up on with a sentence; File ›
Remember / Forget on this workstation; File › Back up…, Restore a backup…, Change passphrase…"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.crypto.keyring_slot import KeyringSlot
from app.services import setup
from app.storage.store import Store
from app.storage.store_files import key_path
from app.ui.dialogs.unlock import UnlockDialog
from app.ui.tasks import TaskManager
from tests.support.crypto_support import BlockingKeyring, MemoryKeyring
from tests.support.stores import PASSPHRASE, copy_store, today


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    b = MemoryKeyring()
    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=b))
    return b


@pytest.fixture
def tasks():  # type: ignore[no-untyped-def]
    t = TaskManager()
    yield t
    t.shutdown()


def _remember(path: Path, backend: MemoryKeyring) -> None:
    s = setup.unlock(path, passphrase=PASSPHRASE)
    try:
        setup.remember_on_this_workstation(s, keyring=KeyringSlot(backend=backend))
    finally:
        s.close()


# --- the unlock dialog ----------------------------------------------------------------------------


def test_keyring_button_hidden_when_the_store_is_not_remembered(qtbot, tasks, empty_template: Path,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    path = copy_store(empty_template, tmp_path / "s")
    dlg = UnlockDialog(tasks, path, today_fn=today)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.keyring_button.isVisible()  # shown on the old code: setVisible before addButton


def test_keyring_button_shown_and_unlocks_when_remembered(qtbot, tasks, empty_template: Path,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path, backend: MemoryKeyring) -> None:
    path = copy_store(empty_template, tmp_path / "s")
    _remember(path, backend)
    dlg = UnlockDialog(tasks, path, today_fn=today)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.keyring_button.isVisible()
    with qtbot.waitSignal(dlg.accepted, timeout=30_000):
        dlg.keyring_button.click()
    assert dlg.session is not None
    tasks.call_sync(dlg.session.close)


def test_a_keyring_that_does_not_answer_is_given_up_on(qtbot, tasks, empty_template: Path,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_store(empty_template, tmp_path / "s")
    _remember(path, MemoryKeyring())
    blocking = BlockingKeyring()
    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=blocking, timeout=0.5))
    dlg = UnlockDialog(tasks, path, today_fn=today)
    qtbot.addWidget(dlg)
    dlg.show()
    try:
        dlg.keyring_button.click()
        assert not dlg.unlock_button.isEnabled()  # working
        qtbot.waitUntil(lambda: "locked or not answering" in dlg.error.text(), timeout=10_000)
    finally:
        blocking.release.set()
    assert dlg.unlock_button.isEnabled() and dlg.secret.isEnabled()  # the passphrase still works
    assert dlg.session is None


# --- File menu ------------------------------------------------------------------------------------


def test_file_menu_remembers_and_forgets(empty_ui, backend: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    win = empty_ui.win
    sa = win.store_actions
    file_menu = win.menuBar().actions()[0].menu()
    texts = [a.text().replace("&", "") for a in file_menu.actions()]
    for wanted in ("Remember on this workstation", "Forget on this workstation", "Back up…",
                   "Restore a backup…", "Change passphrase…"):
        assert wanted in texts
    sa.update_keyring_items()
    assert sa.act_remember.isEnabled() and not sa.act_forget.isEnabled()
    sa.act_remember.trigger()
    empty_ui.idle()
    assert "Remembered" in sa.last_message
    assert Store.read_keyfile(empty_ui.store).has_keyring_slot and backend.entries
    assert not sa.act_remember.isEnabled() and sa.act_forget.isEnabled()
    sa.act_forget.trigger()
    empty_ui.idle()
    assert "Forgotten" in sa.last_message
    assert not Store.read_keyfile(empty_ui.store).has_keyring_slot and not backend.entries
    assert sa.act_remember.isEnabled()


def test_file_menu_remember_without_a_keyring_says_why(empty_ui, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from keyring.backends import fail

    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=fail.Keyring()))
    sa = empty_ui.win.store_actions
    sa.act_remember.trigger()
    empty_ui.idle()
    assert "keyring" in sa.last_message.lower()
    assert not Store.read_keyfile(empty_ui.store).has_keyring_slot


def test_store_items_are_disabled_while_locked(empty_ui) -> None:  # type: ignore[no-untyped-def]
    win = empty_ui.win
    win.lock()
    empty_ui.idle()
    assert not any(a.isEnabled() for a in win.store_actions.actions)
    win.unlock_dialog.close()


def test_backup_and_restore_from_the_file_menu(empty_ui, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sa = empty_ui.win.store_actions
    out = tmp_path / "out" / "panel.rtbackup"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    sa.act_backup.trigger()
    empty_ui.idle()
    assert out.exists() and "Backup written" in sa.last_message
    assert b"Northshire" not in out.read_bytes()  # encrypted

    target = tmp_path / "restored" / "restored.rtdb"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("wrong passphrase", True))
    sa.act_restore.trigger()
    empty_ui.idle()
    assert not target.exists() and "passphrase" in sa.last_message.lower()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSPHRASE, True))
    sa.act_restore.trigger()
    empty_ui.idle()
    assert target.exists() and key_path(target).exists() and "Restored into" in sa.last_message
    s = setup.unlock(target, passphrase=PASSPHRASE)
    assert s.workstation.panel_name == empty_ui.session.workstation.panel_name
    s.close()


def test_change_passphrase_from_the_file_menu(empty_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    sa = empty_ui.win.store_actions
    sa.act_passphrase.trigger()
    dlg = sa.passphrase_dialog
    assert dlg.isVisible()
    dlg.current.setText("not it at all")
    dlg.new.setText("a new passphrase")
    dlg.again.setText("a different one")
    dlg.ok_button.click()
    assert "not the same" in dlg.error.text()
    dlg.new.setText("a new passphrase")
    dlg.again.setText("a new passphrase")
    dlg.ok_button.click()
    empty_ui.idle()
    assert "current passphrase is not right" in dlg.error.text()
    assert dlg.current.text() == "" and dlg.new.text() == ""  # secrets cleared once handed over
    dlg.current.setText(PASSPHRASE)
    dlg.new.setText("a new passphrase")
    dlg.again.setText("a new passphrase")
    with qtbot.waitSignal(dlg.accepted, timeout=30_000):
        dlg.ok_button.click()
    empty_ui.idle()
    assert "Passphrase changed" in sa.last_message
    kf = Store.read_keyfile(empty_ui.store)
    kf.unlock_with_passphrase("a new passphrase")
