"""Alembic environment: always run in-process on the open store's connection (never by URL)."""

from __future__ import annotations

from alembic import context

from app.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable if someone runs the alembic CLI
    raise RuntimeError("Roundtable migrations run in-process on an unlocked store only.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
