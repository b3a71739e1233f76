"""Case transfers between panels (``app.storage.transfers``): the transfers offered and received,
and every transfer file written or imported. Local to the coordinator's store, never travels.

Revision ID: 0010_transfer
Revises: 0009_partner
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_transfer"
down_revision = "0009_partner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("partner_name", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("case_ref", sa.Text(), nullable=False),
        sa.Column("their_ref", sa.Text(), nullable=True),
        sa.Column("offered_on", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("discuss_by", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.create_index("ix_transfer_case", ["case_id"], unique=False)
    op.create_table(
        "transfer_file",
        sa.Column("file_id", sa.Text(), nullable=False),
        sa.Column("transfer_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("file_id"),
    )


def downgrade() -> None:
    op.drop_table("transfer_file")
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_case")
    op.drop_table("transfer")
