"""People linked to a case besides its subject (a programme's ``linked_roles``: a domestic abuse panel's person
causing harm and the children in the household). An entity like any other: it travels, is scoped
and evicted with its case.

Revision ID: 0008_linked_person
Revises: 0007_status_change_meeting
Create Date: 2026-12-03 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_linked_person"
down_revision = "0007_status_change_meeting"
branch_labels = None
depends_on = None

_TEXT = (
    "case_id",
    "role",
    "forenames",
    "surname",
    "aliases",
    "date_of_birth",
    "gender",
    "identifiers",
    "notes",
    "search_key",
)


def upgrade() -> None:
    op.create_table(
        "linked_person",
        sa.Column("id", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Text(), nullable=True) for name in _TEXT],
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("linked_person", schema=None) as batch_op:
        batch_op.create_index("ix_linked_person_case", ["case_id"], unique=False)
        batch_op.create_index("ix_linked_person_search", ["search_key"], unique=False)
        batch_op.create_index("ix_linked_person_dob", ["date_of_birth"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("linked_person", schema=None) as batch_op:
        batch_op.drop_index("ix_linked_person_dob")
        batch_op.drop_index("ix_linked_person_search")
        batch_op.drop_index("ix_linked_person_case")
    op.drop_table("linked_person")
