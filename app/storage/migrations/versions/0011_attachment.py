"""Documents attached to a case (issue 16): the ``attachment`` record (an immutable entity: it
travels, is scoped, restricted, evicted and purged with its case) and ``attachment_chunk``, its
content in 1 MiB pieces inside the encrypted store. A trigger removes the pieces whenever the
record is deleted, by whatever path (eviction, retention purge).

Revision ID: 0011_attachment
Revises: 0010_transfer
Create Date: 2026-12-03 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_attachment"
down_revision = "0010_transfer"
branch_labels = None
depends_on = None

_TEXT = (
    "case_id",
    "agency_id",
    "author",
    "attached_at",
    "description",
    "filename",
    "media_type",
)


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Text(), nullable=True) for name in _TEXT],
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.Text(), nullable=True),
        sa.Column("restricted_to", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_case", ["case_id"], unique=False)
    op.create_table(
        "attachment_chunk",
        sa.Column("attachment_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("attachment_id", "seq"),
    )
    op.execute(
        "CREATE TRIGGER attachment_content_gone AFTER DELETE ON attachment BEGIN "
        "DELETE FROM attachment_chunk WHERE attachment_id = old.id; END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS attachment_content_gone")
    op.drop_table("attachment_chunk")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_case")
    op.drop_table("attachment")
