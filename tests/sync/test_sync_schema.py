"""The exchange migration goes up and down; the shared entity registry matches the schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from app.models.entities import KINDS
from app.storage import migrate
from app.storage.schema import ENTITIES
from app.storage.store import Store
from app.storage.sync.tables import SYNC_TABLES
from tests.support.kdf import CHEAP


def test_registry_in_models_matches_schema() -> None:
    assert set(KINDS) == set(ENTITIES)
    for name, spec in ENTITIES.items():
        k = KINDS[name]
        assert (spec.fields, spec.rule, spec.case_field, spec.hub_only) == (
            k.fields, k.rule, k.case_field, k.hub_only)


def test_migration_0002_up_and_down(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "s.rtdb", passphrase="password1", kdf=CHEAP)
    try:
        names = {t.name for t in SYNC_TABLES}
        with store.db.write() as conn:
            assert names <= set(inspect(conn).get_table_names())
            for t in SYNC_TABLES:  # the migration and the table definitions agree
                cols = {c["name"] for c in inspect(conn).get_columns(t.name)}
                assert cols == {c.name for c in t.columns}, t.name
            command.downgrade(migrate.alembic_config(conn), "0001")
            assert not names & set(inspect(conn).get_table_names())
            command.upgrade(migrate.alembic_config(conn), "head")
            assert names <= set(inspect(conn).get_table_names())
    finally:
        store.close()
