"""A status change that is the panel's decision names the meeting it was taken at.

Revision ID: 0007_status_change_meeting
Revises: 0006_meeting_confidentiality
Create Date: 2026-12-03 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_status_change_meeting"
down_revision = "0006_meeting_confidentiality"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.drop_column("meeting_id")
