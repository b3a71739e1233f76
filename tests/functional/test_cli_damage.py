"""Damaged, swapped, truncated and misplaced store files, and failed unlocks (issue 12), through
the command line in-process: every command gives one sentence on standard error and its exit
status, never a traceback, and nothing is written to a file that is not a whole store."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.storage.store_files import key_path, state_path
from tests.support.cli_inprocess import Run, one_sentence
from tests.support.stores import PASSPHRASE, copy_store

PAGE = 4096
_one_sentence = one_sentence


def _zero_page(path: Path, page: int) -> None:
    with open(path, "r+b") as f:
        f.seek((page - 1) * PAGE)
        f.write(b"\0" * PAGE)


def _flip_bit(path: Path, page: int) -> None:
    with open(path, "r+b") as f:
        f.seek((page - 1) * PAGE + 1000)
        byte = f.read(1)[0]
        f.seek((page - 1) * PAGE + 1000)
        f.write(bytes([byte ^ 0x10]))


def _root_page(store: Path, table: str) -> int:
    from app.services.setup import unlock

    s = unlock(store, passphrase=PASSPHRASE)
    try:
        return int(s.store.db.execute_raw(f"SELECT rootpage FROM sqlite_master WHERE name = '{table}'")[0][0])
    finally:
        s.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Path:
    return copy_store(template_store, tmp_path / "store")


def _a_ref(run: Run, store: Path) -> str:
    code, out, _ = run(store, "cases")
    assert code == 0
    return out.splitlines()[1].split()[0]


# --- damaged pages --------------------------------------------------------------------------------


def test_a_damaged_audit_page_is_one_sentence_from_verify_note_and_check(run: Run, store: Path):
    ref = _a_ref(run, store)
    root = _root_page(store, "audit")
    _zero_page(store, root)
    before = _digest(store)
    for args in (("audit", "verify"), ("note", ref, "--text", "Seen on Monday."), ("check",)):
        code, _out, err = run(store, *args)
        line = _one_sentence(err)
        assert code == 1, (args, err)
        assert "damaged" in line and "nothing was changed" in line and "backup" in line
    assert f"page {root} " in line  # check names the first bad page
    assert _digest(store) == before


@pytest.mark.slow
@pytest.mark.parametrize("where", ["middle", "end"])
@pytest.mark.parametrize("how", [_zero_page, _flip_bit])
def test_every_command_on_a_damaged_page_answers_in_one_sentence(
    run: Run, store: Path, tmp_path: Path, where: str, how: Callable[[Path, int], None]
):
    ref = _a_ref(run, store)
    pages = store.stat().st_size // PAGE
    page = pages // 2 if where == "middle" else pages
    how(store, page)
    code, _, err = run(store, "check")
    assert code == 1 and f"page {page} of {pages}" in _one_sentence(err)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for args in _every_command(ref, out_dir):
        code, _out, err = run(store, *args)
        assert code in (0, 1), (args, code, err)
        if code:  # the damage, or a refusal of its own ("that case has no plan yet")
            _one_sentence(err)


def _every_command(ref: str, out_dir: Path) -> list[tuple[str, ...]]:
    return [
        ("status",), ("cases",), ("case", "show", ref), ("note", ref, "--text", "A note."),
        ("actions",), ("meetings",), ("members",), ("audit", "verify"), ("conflicts",),
        ("retention",), ("sar", ref, "--out", str(out_dir / "sar.pdf")),
        ("plan", ref, "--out", str(out_dir / "plan.pdf")),
        ("stats", "--from", "2026-01-01", "--to", "2026-11-30", "--out", str(out_dir / "s.csv")),
        ("backup", "--out", str(out_dir / "b.rtbackup")), ("check",),
    ]  # fmt: skip


def test_a_whole_store_checks_clean_and_check_records_nothing(run: Run, store: Path):
    code, out, err = run(store, "check")
    assert code == 0 and "whole" in out and not err
    before = _digest(store)
    assert run(store, "check")[0] == 0
    assert _digest(store) == before  # no unlock entry: the file is untouched


# --- files that are not this store ---------------------------------------------------------------


def _other_store(tmp_path: Path, empty_template: Path) -> Path:
    return copy_store(empty_template, tmp_path / "other")


def test_another_stores_key_file_is_named_as_such(run: Run, store: Path, tmp_path: Path, empty_template: Path):
    assert run(store, "status")[0] == 0  # unlocked once here: its id and file are known
    other = _other_store(tmp_path, empty_template)
    shutil.copy2(key_path(other), key_path(store))
    before = _digest(store)
    code, _, err = run(store, "status")
    assert code == 3 and "This key file belongs to another store" in _one_sentence(err)
    assert _digest(store) == before


def test_another_stores_database_behind_this_key_file_is_named_as_such(
    run: Run, store: Path, tmp_path: Path, empty_template: Path
):
    assert run(store, "status")[0] == 0
    other = _other_store(tmp_path, empty_template)
    shutil.copy2(other, store)
    code, _, err = run(store, "cases")
    assert code == 3 and "another store's database" in _one_sentence(err)


def test_a_truncated_store_is_named_as_such(run: Run, store: Path):
    assert run(store, "status")[0] == 0
    size = store.stat().st_size
    with open(store, "r+b") as f:
        f.truncate(size - 3 * PAGE)  # at a page boundary
    code, _, err = run(store, "cases")
    assert code == 3 and "cut short" in _one_sentence(err)
    with open(store, "r+b") as f:
        f.truncate(size - 3 * PAGE - 100)  # part way through a page
    code, _, err = run(store, "cases")
    assert code == 3 and "cut short" in _one_sentence(err)


@pytest.mark.parametrize("content", [b"", b"just some notes\n" * 300, b"x" * 100])
def test_an_empty_or_foreign_file_at_the_store_path_is_never_written(
    run: Run, store: Path, content: bytes
):
    store.write_bytes(content)
    for args in (("status",), ("note", "RT-2026-0001", "--text", "x"), ("check",)):
        code, _, err = run(store, *args)
        assert code == 3, (args, err)
        _one_sentence(err)
    assert store.read_bytes() == content
    assert not store.with_name(store.name + "-wal").exists()


def test_a_folder_at_the_store_path_is_named_as_such(run: Run, tmp_path: Path, store: Path):
    folder = tmp_path / "folder.rtdb"
    folder.mkdir()
    shutil.copy2(key_path(store), key_path(folder))
    code, _, err = run(folder, "cases")
    assert code == 3 and "is a folder" in _one_sentence(err)


def test_sqlcipher_says_nothing_on_standard_error_before_the_refusal(
    store: Path, tmp_path: Path, empty_template: Path
):
    """In a fresh process (SQLCipher's log level is process-wide): page 1 failing its HMAC under
    another store's key used to print three "hmac check failed" lines before the refusal."""
    import os
    import subprocess
    import sys

    shutil.copy2(key_path(_other_store(tmp_path, empty_template)), key_path(store))
    env = {**os.environ, "ROUNDTABLE_PASSPHRASE": PASSPHRASE, "ROUNDTABLE_NO_LOG": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "tests.support.cli_entry", "--store", str(store), "status"],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert r.returncode == 3
    assert "hmac" not in r.stderr.lower() and "ERROR CORE" not in r.stderr
    _one_sentence(r.stderr)


# --- failed unlocks ------------------------------------------------------------------------------


def test_failed_unlocks_are_counted_outside_the_store_and_told_and_audited(run: Run, store: Path):
    from sqlalchemy import select

    from app.services.setup import unlock
    from app.storage.schema import audit

    for _ in range(3):
        code, _, err = run(store, "status", passphrase="not the passphrase")
        assert code == 3 and "passphrase is not right" in err
    state = state_path(store).read_text()
    assert '"failed": 3' in state and "Ann" not in state  # a count and times, nothing else
    code, _out, err = run(store, "status")
    assert code == 0 and "3 failed attempts to unlock this store since" in _one_sentence(err)
    code, _, err = run(store, "status")
    assert code == 0 and err == ""  # told once
    s = unlock(store, passphrase=PASSPHRASE)
    try:
        with s.view() as conn:
            rows = conn.execute(select(audit.c.fields).where(audit.c.action == "failed-unlocks")).all()
    finally:
        s.close()
    assert len(rows) == 1 and '"attempts:3"' in rows[0][0]


# --- the audit head through the command line -------------------------------------------------------


def _raw_sql(store: Path, *statements: str) -> None:
    """What someone holding the data key can do outside Roundtable."""
    from sqlalchemy import text

    from app.services.setup import unlock

    s = unlock(store, passphrase=PASSPHRASE, record=False)
    try:
        with s.store.db.write() as conn:
            for sql in statements:
                conn.execute(text(sql))
    finally:
        s.close()


def test_audit_verify_finds_a_deleted_last_entry_despite_its_own_unlock_entry(run: Run, store: Path):
    assert run(store, "audit", "verify")[0] == 0
    _raw_sql(store, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    for _ in range(2):  # and again: the first run's unlock entry did not heal it
        code, _out, err = run(store, "audit", "verify")
        assert code == 1 and "entries at the end were removed" in _one_sentence(err)


def test_check_json(run: Run, store: Path):
    import json

    code, out, _ = run(store, "check", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True and doc["first_bad_page"] is None and doc["pages"] > 0
