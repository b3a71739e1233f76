"""Migrations: the schema the models describe is the schema the migrations build; every released
sample store upgrades; a store from a newer Roundtable is refused before anything changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.models.errors import StoreTooNew
from app.services import setup
from app.storage import migrate
from app.storage.schema import metadata
from app.storage.store_files import key_path
from tests.support.stores import PASSPHRASE

SAMPLES = Path(__file__).parent / "samples"


def test_schema_equals_models(session):
    with session.view() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_head_is_current(session):
    with session.view() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("schema-*.rtdb")), ids=lambda p: p.stem)
def test_sample_store_upgrades(sample: Path, tmp_path: Path):
    target = tmp_path / sample.name
    shutil.copy2(sample, target)
    shutil.copy2(key_path(sample), key_path(target))
    version = sample.stem.split("-")[1]
    s = setup.unlock(target, passphrase=f"sample store {version}")
    with s.view() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    from app.services import cases, panel

    assert len(cases.list_cases(s)) == 8
    assert panel.verify_audit(s).ok
    s.close()


def test_every_revision_downgrades_and_upgrades(empty_session):
    conn_ctx = empty_session.store.db
    with conn_ctx.write() as conn:
        from alembic import command

        command.downgrade(migrate.alembic_config(conn), "base")
        assert migrate.current_revision(conn) is None
        command.upgrade(migrate.alembic_config(conn), "head")
        assert migrate.current_revision(conn) == migrate.head_revision()


def test_store_from_a_newer_version_is_refused(session, store_path: Path):
    with session.store.db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff-from-the-future'"))
    session.close()
    before = store_path.read_bytes()
    with pytest.raises(StoreTooNew) as err:
        setup.unlock(store_path, passphrase=PASSPHRASE)
    assert err.value.exit_code == 3
    assert "newer version" in err.value.user_message
    assert store_path.read_bytes() == before
