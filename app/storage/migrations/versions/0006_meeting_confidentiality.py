"""Meetings record that the confidentiality statement was read and agreed by those present.

Revision ID: 0006_meeting_confidentiality
Revises: 0005
Create Date: 2026-12-03 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_meeting_confidentiality"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidentiality_read", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("confidentiality_read")
