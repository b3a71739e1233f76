"""Views on a store that can only be read here (a read-only disk, folder or file) are audited:
kept in this user's deferred-audit journal (ids only) and added to the store's own audit log by
the next unlock that can write it. Before, they were not recorded at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.setup import unlock
from app.storage import store as store_module
from app.storage.schema import audit
from tests.support.cli_inprocess import Run
from tests.support.stores import PASSPHRASE, copy_store


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Path:
    return copy_store(template_store, tmp_path / "store")


def test_a_case_viewed_on_a_read_only_store_is_audited_at_the_next_writable_unlock(
    run: Run, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(store, "cases", "--json")
    assert code == 0
    case = json.loads(out)[0]
    s = unlock(store, passphrase=PASSPHRASE, record=False)
    store_id, name = s.store.store_id, case.get("subject_name") or case.get("name") or ""
    s.close()
    before = store.read_bytes()

    monkeypatch.setattr(store_module, "_writable", lambda _p: False)
    code, shown, err = run(store, "case", "show", case["ref"])
    assert code == 0 and case["ref"] in shown
    assert "added to the store's audit log when it is next unlocked" in err
    assert store.read_bytes() == before  # the store itself is untouched
    journal = tmp_path / "data" / "deferred-audit" / f"{store_id}.jsonl"
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [(e["action"], e["entity"], e["record_id"]) for e in entries] == [("view", "case", case["id"])]
    assert (journal.stat().st_mode & 0o777) == 0o600
    if name:
        assert name not in journal.read_text()  # ids only, never a name

    monkeypatch.undo()
    monkeypatch.setenv("ROUNDTABLE_DATA_DIR", str(tmp_path / "data"))
    code, _, _ = run(store, "status")
    assert code == 0 and not journal.exists()
    s = unlock(store, passphrase=PASSPHRASE, record=False)
    try:
        with s.view() as conn:
            rows = conn.execute(select(audit.c.action, audit.c.record_id, audit.c.fields)
                                .where(audit.c.action == "view")).all()
    finally:
        s.close()
    late = [r for r in rows if "read-only-at:" in r.fields]
    assert [(r.action, r.record_id) for r in late] == [("view", case["id"])]
