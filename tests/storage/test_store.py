"""The encrypted store: keys, unlock failures, locking, backups, no plaintext on disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.models.errors import (
    FileWriteError,
    KeyFileDamaged,
    StoreDamaged,
    StoreExists,
    StoreInUse,
    StoreMissing,
    WrongPassphrase,
    WrongRecoveryKey,
)
from app.services import setup
from app.storage.store import Store
from app.storage.store_files import key_path
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today

DEMO_NAMES = ("Kowalczyk", "Súilleabháin", "O'Brien", "Okafor", "Dvořák", "Rahman")


def test_wrong_passphrase_is_an_error_not_a_crash(store_path: Path):
    before = store_path.read_bytes()
    with pytest.raises(WrongPassphrase):
        setup.unlock(store_path, passphrase="not the passphrase")
    assert store_path.read_bytes() == before
    # and the store still opens afterwards (the lock was released)
    setup.unlock(store_path, passphrase=PASSPHRASE).close()


def test_recovery_key_opens_the_store(tmp_path: Path):
    from app.models.enums import Role
    from tests.support.kdf import CHEAP

    created = setup.create_store(
        tmp_path / "p.rtdb",
        passphrase=PASSPHRASE,
        name="A",
        agency="Council",
        role=Role.COORDINATOR,
        kdf=CHEAP,
    )
    created.session.close()
    with pytest.raises(WrongRecoveryKey):
        setup.unlock(tmp_path / "p.rtdb", recovery_key="AAAA-" * 7 + "AAAA")
    s = setup.unlock(
        tmp_path / "p.rtdb", recovery_key=created.recovery_key.lower().replace("-", " ")
    )
    assert s.me.name == "A"
    s.close()


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],
        lambda b: b"",
        lambda b: b"{not json",
        lambda b: b.replace(b'"time_cost":', b'"time_cost":"x",'),
        lambda b: os.urandom(400),
    ],
)
def test_damaged_key_file(store_path: Path, damage):
    kp = key_path(store_path)
    kp.write_bytes(damage(kp.read_bytes()))
    with pytest.raises((KeyFileDamaged, WrongPassphrase)) as err:
        setup.unlock(store_path, passphrase=PASSPHRASE)
    assert err.value.exit_code == 3


def test_missing_key_file_and_missing_store(store_path: Path, tmp_path: Path):
    with pytest.raises(StoreMissing):
        setup.unlock(tmp_path / "nowhere.rtdb", passphrase=PASSPHRASE)
    key_path(store_path).unlink()
    with pytest.raises(KeyFileDamaged, match="missing"):
        setup.unlock(store_path, passphrase=PASSPHRASE)


def test_truncated_or_foreign_store_file(store_path: Path):
    data = store_path.read_bytes()
    store_path.write_bytes(data[:5000])
    with pytest.raises(StoreDamaged):
        setup.unlock(store_path, passphrase=PASSPHRASE)
    store_path.write_bytes(os.urandom(len(data)))
    with pytest.raises(StoreDamaged):
        setup.unlock(store_path, passphrase=PASSPHRASE)


def test_key_file_of_another_store_is_refused(store_path: Path, empty_template: Path):
    shutil.copy2(key_path(empty_template), key_path(store_path))
    with pytest.raises((StoreDamaged, WrongPassphrase)):
        setup.unlock(store_path, passphrase=PASSPHRASE)


def test_one_instance_per_store(session, store_path: Path):
    with pytest.raises(StoreInUse):
        setup.unlock(store_path, passphrase=PASSPHRASE)


def test_create_refuses_existing_store(store_path: Path):
    from app.models.enums import Role

    with pytest.raises(StoreExists):
        setup.create_store(
            store_path, passphrase=PASSPHRASE, name="x", agency="y", role=Role.OFFICER
        )


def test_passphrase_change_rewraps_without_reencrypting(session, store_path: Path):
    db_before = dump_store(session)
    setup.change_passphrase(session, new_passphrase="a brand new passphrase")
    session.close()
    with pytest.raises(WrongPassphrase):
        setup.unlock(store_path, passphrase=PASSPHRASE)
    s = setup.unlock(store_path, passphrase="a brand new passphrase", today_fn=today)
    after = dump_store(s)
    s.close()
    for table in ("case", "subject", "action", "contribution"):
        assert after[table] == db_before[table]


def test_backup_and_restore(session, tmp_path: Path):
    out = tmp_path / "backups" / "panel.rtbackup"
    out.parent.mkdir()
    setup.backup(session, out=out)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    raw = out.read_bytes()
    assert not any(n.encode() in raw for n in DEMO_NAMES)
    cases_before = dump_store(session)["case"]
    session.close()
    with pytest.raises(WrongPassphrase):
        setup.restore(out, target=tmp_path / "restored" / "p.rtdb", passphrase="wrong passphrase")
    assert not (tmp_path / "restored" / "p.rtdb").exists()
    restored = setup.restore(out, target=tmp_path / "restored" / "p.rtdb", passphrase=PASSPHRASE)
    assert dump_store(restored)["case"] == cases_before
    from app.storage import meta

    with restored.view() as conn:
        assert meta.get_int(conn, "epoch") == 1
    restored.close()
    with pytest.raises(StoreExists):
        setup.restore(out, target=tmp_path / "restored" / "p.rtdb", passphrase=PASSPHRASE)


def test_backup_to_a_missing_folder_is_refused(session, tmp_path: Path):
    with pytest.raises(FileWriteError):
        setup.backup(session, out=tmp_path / "no" / "such" / "b.rtbackup")


def test_no_plaintext_of_case_data_on_disk(session, store_path: Path):
    # Write more while the WAL is live, then look at every file beside the store.
    from app.services import cases, contributions

    cid = cases.list_case_ids(session)[0]
    contributions.add_contribution(
        session, case_id=cid, text="Kowalczyk visited the Súilleabháin house"
    )
    files = [p for p in store_path.parent.iterdir() if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)
    for p in files:
        data = p.read_bytes()
        for name in DEMO_NAMES:
            assert name.encode() not in data, (p.name, name)
            assert name.encode("utf-16-le") not in data
    assert oct(store_path.stat().st_mode & 0o777) == "0o600"


def test_store_files_are_private(tmp_path: Path):
    from app.models.enums import Role
    from tests.support.kdf import CHEAP

    c = setup.create_store(
        tmp_path / "d" / "p.rtdb",
        passphrase=PASSPHRASE,
        name="A",
        agency="B",
        role=Role.OFFICER,
        kdf=CHEAP,
    )
    c.session.close()
    assert oct((tmp_path / "d").stat().st_mode & 0o777) == "0o700"
    for p in (tmp_path / "d").iterdir():
        assert p.stat().st_mode & 0o077 == 0, p.name


def test_copy_store_helper_gives_independent_stores(template_store: Path, tmp_path: Path):
    a = copy_store(template_store, tmp_path / "a")
    b = copy_store(template_store, tmp_path / "b")
    sa = setup.unlock(a, passphrase=PASSPHRASE)
    sb = setup.unlock(b, passphrase=PASSPHRASE)
    assert sa.store.store_id == sb.store.store_id
    sa.close()
    sb.close()


def test_open_store_without_migrating_reports_pending(store_path: Path, tmp_path: Path):
    """``migrate_now=False`` opens an old store as it is: the upgrade is still pending, nothing is
    written and no pre-upgrade backup is made; a current store has nothing pending."""
    from app.storage import migrate

    sample = Path(__file__).parent / "samples" / "schema-0001.rtdb"
    old = copy_store(sample, tmp_path / "old")
    before = old.read_bytes()
    st = Store.open_with_passphrase(old, "sample store 0001", migrate_now=False)
    try:
        with st.db.read() as conn:
            assert migrate.needs_upgrade(conn)
            assert migrate.current_revision(conn) != migrate.head_revision()
    finally:
        st.close()
    assert old.read_bytes() == before
    assert not list(old.parent.glob("*.pre-upgrade.rtbackup"))

    st = Store.open_with_passphrase(store_path, PASSPHRASE, migrate_now=False)
    try:
        with st.db.read() as conn:
            assert not migrate.needs_upgrade(conn)
    finally:
        st.close()
