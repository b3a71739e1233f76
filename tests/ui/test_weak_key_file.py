"""The desktop unlock dialog refuses a key file below the Argon2id floor (docs/crypto.md) with the
key file's own message, and opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.storage.store_files import key_path
from app.ui.dialogs.unlock import UnlockDialog
from app.ui.tasks import TaskManager
from tests.support.kdf import restore_shipped_floor
from tests.support.stores import PASSPHRASE, copy_store, today


@pytest.mark.parametrize("mode", ["passphrase", "recovery"])
def test_the_unlock_dialog_refuses_a_weak_key_file(qtbot, empty_template: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    path = copy_store(empty_template, tmp_path / "s")  # made with the suite's cheap settings
    before = key_path(path).read_bytes(), path.read_bytes()
    restore_shipped_floor(monkeypatch)
    tasks = TaskManager()
    try:
        dlg = UnlockDialog(tasks, path, today_fn=today)
        qtbot.addWidget(dlg)
        dlg.show()
        if mode == "recovery":
            dlg.by_recovery.setChecked(True)
            dlg.secret.setText("SSZT-QZ23-JJNF-KJ5V-9B2X-C4RM-B9YR-HHCH")
        else:
            dlg.secret.setText(PASSPHRASE)
        dlg.unlock_button.click()
        qtbot.waitUntil(lambda: "below Roundtable's minimum" in dlg.error.text(), timeout=30_000)
        assert "Try again" not in dlg.error.text()  # no secret would open it
        assert dlg.session is None and dlg.isVisible()
    finally:
        tasks.shutdown()
    assert (key_path(path).read_bytes(), path.read_bytes()) == before
