"""Exchange: trust anchors, signed registry, streams, acknowledgements, ledger, pending ops.

Hand-written (see ``app.storage.sync.tables``); infrastructure only, no entity changes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_trust",
        sa.Column("device_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("agency_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("sign_pub", sa.LargeBinary(), nullable=False),
        sa.Column("enc_pub", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("enrolled_at", sa.Text(), nullable=False),
    )
    op.create_table(
        "sync_registry",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body_hash", sa.Text(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "sync_stream",
        sa.Column("peer", sa.Text(), primary_key=True),
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", sa.Text(), nullable=True),
        sa.Column("last_bundle_id", sa.Text(), nullable=True),
    )
    op.create_table(
        "sync_peer",
        sa.Column("peer", sa.Text(), primary_key=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("acked_stream", sa.Text(), nullable=True),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("last_received_at", sa.Text(), nullable=True),
    )
    op.create_table(
        "sync_ack_in",
        sa.Column("origin", sa.Text(), primary_key=True),
        sa.Column("epoch", sa.Integer(), primary_key=True),
        sa.Column("counter", sa.Integer(), nullable=False),
    )
    op.create_table(
        "sync_ack_out",
        sa.Column("peer", sa.Text(), primary_key=True),
        sa.Column("origin", sa.Text(), primary_key=True),
        sa.Column("epoch", sa.Integer(), primary_key=True),
        sa.Column("counter", sa.Integer(), nullable=False),
    )
    op.create_table(
        "sync_peer_case",
        sa.Column("peer", sa.Text(), primary_key=True),
        sa.Column("case_id", sa.Text(), primary_key=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("since_seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "sync_ledger",
        sa.Column("bundle_id", sa.Text(), primary_key=True),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("op_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_sync_ledger_stream", "sync_ledger", ["stream", "sequence"], unique=True)
    op.create_table(
        "sync_pending",
        sa.Column("op_id", sa.Text(), primary_key=True),
        sa.Column("wait_entity", sa.Text(), nullable=False),
        sa.Column("wait_record", sa.Text(), nullable=False),
        sa.Column("hlc", sa.Integer(), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
    )
    op.create_index("ix_sync_pending_wait", "sync_pending", ["wait_entity", "wait_record"])


def downgrade() -> None:
    op.drop_index("ix_sync_pending_wait", table_name="sync_pending")
    op.drop_table("sync_pending")
    op.drop_index("ix_sync_ledger_stream", table_name="sync_ledger")
    for name in (
        "sync_ledger",
        "sync_peer_case",
        "sync_ack_out",
        "sync_ack_in",
        "sync_peer",
        "sync_stream",
        "sync_registry",
        "sync_trust",
    ):
        op.drop_table(name)
