"""Schema migrations with Alembic, run in-process after unlock.

Invariants: a store whose revision this version does not know (written by a newer Roundtable) is
refused before anything is changed; the caller takes a backup before upgrading an existing store.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.models.errors import StoreTooNew

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script().get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def known_revisions() -> set[str]:
    return {rev.revision for rev in script().walk_revisions()}


def needs_upgrade(conn: Connection) -> bool:
    current = current_revision(conn)
    if current is not None and current not in known_revisions():
        raise StoreTooNew()
    return current != head_revision()


def upgrade(conn: Connection, target: str = "head") -> None:
    current = current_revision(conn)
    if current is not None and current not in known_revisions():
        raise StoreTooNew()
    command.upgrade(alembic_config(conn), target)
