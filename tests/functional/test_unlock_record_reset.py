"""The record of failed unlocks beside the store (``<name>.rtstate``) reset behind Roundtable's
back — deleted, replaced by an older copy, or its count edited — is noticed at the next unlock,
told in one sentence and audited; an honest record is not flagged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.setup import unlock
from app.storage.schema import audit
from app.storage.store_files import state_path
from tests.support.cli_inprocess import Run
from tests.support.cli_inprocess import one_sentence as _one_sentence
from tests.support.stores import PASSPHRASE, copy_store

WRONG = "not the passphrase"


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Path:
    s = copy_store(template_store, tmp_path / "store")
    unlock(s, passphrase=PASSPHRASE).close()  # a recorded unlock: the store keeps its mark
    return s


def _audited(store: Path, action: str) -> list[str]:
    s = unlock(store, passphrase=PASSPHRASE, record=False)
    try:
        with s.view() as conn:
            return [r[0] for r in conn.execute(select(audit.c.fields).where(audit.c.action == action))]
    finally:
        s.close()


def _fail(run: Run, store: Path, times: int) -> None:
    for _ in range(times):
        code, _, err = run(store, "status", passphrase=WRONG)
        assert code == 3 and "passphrase is not right" in err


def test_an_honest_record_is_not_flagged(run: Run, store: Path) -> None:
    _fail(run, store, 2)
    code, _, err = run(store, "status")
    assert code == 0 and "2 failed attempts" in _one_sentence(err)
    _fail(run, store, 1)
    code, _, err = run(store, "status")
    assert code == 0 and "1 failed attempt " in _one_sentence(err)
    code, _, err = run(store, "status")
    assert code == 0 and err == ""
    assert _audited(store, "unlock-record-reset") == []


def test_a_deleted_record_is_noticed_told_and_audited(run: Run, store: Path) -> None:
    _fail(run, store, 4)
    state_path(store).unlink()  # the count reset by deleting the file
    code, _, err = run(store, "status")
    assert code == 0 and "missing or replaced since the last unlock" in _one_sentence(err)
    assert _audited(store, "unlock-record-reset") == ['["why:replaced"]']
    code, _, err = run(store, "status")
    assert code == 0 and err == ""  # told once; the next unlock starts a new mark


def test_an_older_copy_put_back_is_noticed(run: Run, store: Path, tmp_path: Path) -> None:
    shutil.copy(state_path(store), tmp_path / "old.rtstate")  # copied before an unlock
    run(store, "status")
    _fail(run, store, 3)
    shutil.copy(tmp_path / "old.rtstate", state_path(store))
    code, _, err = run(store, "status")
    assert code == 0 and "missing or replaced" in _one_sentence(err)
    assert _audited(store, "unlock-record-reset") == ['["why:replaced"]']


def test_an_edited_count_is_noticed_and_the_attempts_still_told(run: Run, store: Path) -> None:
    _fail(run, store, 5)
    doc = json.loads(state_path(store).read_text())
    assert doc["failed"] == 5
    doc["failed"] = 0
    state_path(store).write_text(json.dumps(doc))
    code, _, err = run(store, "status")
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 0 and len(lines) == 2, err
    assert "5 failed attempts" in lines[0] and "edited since the last unlock" in lines[1]
    assert _audited(store, "unlock-record-reset") == ['["why:edited"]']
    assert any('"attempts:5"' in f for f in _audited(store, "failed-unlocks"))
