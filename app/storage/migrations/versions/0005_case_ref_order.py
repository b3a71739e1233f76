"""Case refs past four digits: an index on the order refs sort in.

Refs are ``RT-<year>-<number>``, four digits up to 9,999 and as many as needed after it
(``RT-2026-10000``). Text order would put ``RT-2026-10000`` before ``RT-2026-2000``; the order is
the first eight characters (``RT-2026-``, the year), then the length (more digits, a larger
number), then the ref. This index on those three makes both the case list sorted by ref and the
next number of a year (``repo.next_case_number``: the top of the year's range) index walks.

Revision ID: 0005
Revises: 0004_agency_area
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004_agency_area"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('CREATE INDEX ix_case_ref_order ON "case" (substr(ref, 1, 8), length(ref), ref)')


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_case_ref_order")
