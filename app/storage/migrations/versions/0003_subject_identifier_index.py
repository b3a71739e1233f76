"""Subject identifier index: a local lookup table kept by triggers, for duplicate detection.

Matching a referral's NHS or PNC number against every subject used to scan the subject table once
per referral. This table holds each subject's identifiers normalised (spaces, ``/``, ``-`` and
``.`` removed; ASCII letters upper-cased — ``app.models.people.identifier_key`` does the same in
Python) and is maintained by triggers on ``subject``, so every path that writes a subject (local
change capture, exchange import, eviction, retention purge) keeps it right without code of its
own. It is not an entity: it never travels and records no operations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Constant SQL, written out in full (no string building). KEY(x) normalises one identifier:
#   upper(replace(replace(replace(replace(x, ' ', ''), '/', ''), '-', ''), '.', ''))
_INSERT_NEW = """
INSERT OR IGNORE INTO subject_identifier (value, subject_id)
SELECT upper(replace(replace(replace(replace(json_extract(j.value, '$.value'), ' ', ''), '/', ''),
                     '-', ''), '.', '')),
       NEW.id
FROM json_each(CASE WHEN json_valid(NEW.identifiers) THEN NEW.identifiers ELSE '[]' END) AS j
WHERE coalesce(json_extract(j.value, '$.value'), '') <> ''
"""

_BACKFILL = """
INSERT OR IGNORE INTO subject_identifier (value, subject_id)
SELECT upper(replace(replace(replace(replace(json_extract(j.value, '$.value'), ' ', ''), '/', ''),
                     '-', ''), '.', '')),
       subject.id
FROM subject,
     json_each(CASE WHEN json_valid(subject.identifiers) THEN subject.identifiers ELSE '[]' END) AS j
WHERE coalesce(json_extract(j.value, '$.value'), '') <> ''
"""

_TRIGGER_INSERT = (
    "CREATE TRIGGER subject_identifier_ai AFTER INSERT ON subject BEGIN" + _INSERT_NEW + "; END"
)
_TRIGGER_UPDATE = (  # constants only, joined
    "CREATE TRIGGER subject_identifier_au AFTER UPDATE OF identifiers ON subject BEGIN "  # noqa: S608
    "DELETE FROM subject_identifier WHERE subject_id = OLD.id;" + _INSERT_NEW + "; END"
)
_TRIGGER_DELETE = (
    "CREATE TRIGGER subject_identifier_ad AFTER DELETE ON subject BEGIN "
    "DELETE FROM subject_identifier WHERE subject_id = OLD.id; END"
)


def upgrade() -> None:
    op.create_table(
        "subject_identifier",
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("value", "subject_id"),
    )
    with op.batch_alter_table("subject_identifier", schema=None) as batch_op:
        batch_op.create_index("ix_subject_identifier_subject", ["subject_id"], unique=False)
    op.execute(_TRIGGER_INSERT)
    op.execute(_TRIGGER_UPDATE)
    op.execute(_TRIGGER_DELETE)
    op.execute(_BACKFILL)  # the subjects already held


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS subject_identifier_ai")
    op.execute("DROP TRIGGER IF EXISTS subject_identifier_au")
    op.execute("DROP TRIGGER IF EXISTS subject_identifier_ad")
    with op.batch_alter_table("subject_identifier", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_identifier_subject")
    op.drop_table("subject_identifier")
