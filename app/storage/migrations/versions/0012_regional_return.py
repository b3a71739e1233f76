"""The panels' returns a regional coordinator imported (``app.storage.region``): unsuppressed
counts, kept inside the encrypted store only; never travels.

Revision ID: 0012_regional_return
Revises: 0011_attachment
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_regional_return"
down_revision = "0011_attachment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regional_return",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("panel_name", sa.Text(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Text(), nullable=False),
        sa.Column("period_end", sa.Text(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("regional_return", schema=None) as batch_op:
        batch_op.create_index(
            "ix_regional_return_period", ["period_start", "period_end"], unique=False
        )
        batch_op.create_index("ix_regional_return_digest", ["digest"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("regional_return", schema=None) as batch_op:
        batch_op.drop_index("ix_regional_return_digest")
        batch_op.drop_index("ix_regional_return_period")
    op.drop_table("regional_return")
