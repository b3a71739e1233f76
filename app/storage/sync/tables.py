"""Tables of the exchange machinery (migration 0002). Infrastructure: they never travel as ops.

- ``sync_trust``: workstations this store trusts directly (an officer's coordinator, enrolled from a
  card after the fingerprint check). The hub trusts the ``device`` records it enrolled instead.
- ``sync_registry``: the coordinator-signed panel registry (one row) and its version.
- ``sync_stream``: per peer device, this store's outgoing stream: next sequence, last file sent.
- ``sync_peer``: per peer device, what we know of it: highest sequence received on each of its
  streams, the latest of our sequences it reports, last file received, its epoch.
- ``sync_ack_in``: per (origin, epoch), the highest counter this store has received.
- ``sync_ack_out``: per (peer, origin, epoch), the highest counter the peer reports it holds.
- ``sync_peer_case``: per (peer, case), the hub's record of a case's snapshot or eviction in flight.
- ``sync_ledger``: every bundle imported (or superseded): sender, stream, sequence, digest.
- ``sync_pending``: ops waiting for their record (bounded).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, Table, Text

from app.storage.schema import metadata

sync_trust = Table(
    "sync_trust",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("agency_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("agency_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("sign_pub", LargeBinary, nullable=False),
    Column("enc_pub", LargeBinary, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("enrolled_at", Text, nullable=False),
)

sync_registry = Table(
    "sync_registry",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("body_hash", Text, nullable=False),
    Column("document", LargeBinary, nullable=False),
)

sync_stream = Table(
    "sync_stream",
    metadata,
    Column("peer", Text, primary_key=True),
    Column("stream", Text, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("last_sent_at", Text, nullable=True),
    Column("last_bundle_id", Text, nullable=True),
)

sync_peer = Table(
    "sync_peer",
    metadata,
    Column("peer", Text, primary_key=True),
    Column("epoch", Integer, nullable=False),
    Column("acked_stream", Text, nullable=True),
    Column("acked_seq", Integer, nullable=False),
    Column("last_received_at", Text, nullable=True),
)

sync_ack_in = Table(
    "sync_ack_in",
    metadata,
    Column("origin", Text, primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("counter", Integer, nullable=False),
)

sync_ack_out = Table(
    "sync_ack_out",
    metadata,
    Column("peer", Text, primary_key=True),
    Column("origin", Text, primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("counter", Integer, nullable=False),
)

sync_peer_case = Table(
    "sync_peer_case",
    metadata,
    Column("peer", Text, primary_key=True),
    Column("case_id", Text, primary_key=True),
    Column("state", Text, nullable=False),  # snapshot | in | evict
    Column("since_seq", Integer, nullable=False),
)

sync_ledger = Table(
    "sync_ledger",
    metadata,
    Column("bundle_id", Text, primary_key=True),
    Column("sender", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("digest", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("outcome", Text, nullable=False),  # applied | superseded
    Column("op_count", Integer, nullable=False),
)
Index("ix_sync_ledger_stream", sync_ledger.c.stream, sync_ledger.c.sequence, unique=True)

sync_pending = Table(
    "sync_pending",
    metadata,
    Column("op_id", Text, primary_key=True),
    Column("wait_entity", Text, nullable=False),
    Column("wait_record", Text, nullable=False),
    Column("hlc", Integer, nullable=False),
    Column("op", Text, nullable=False),  # the op's wire form, canonical JSON
)
Index("ix_sync_pending_wait", sync_pending.c.wait_entity, sync_pending.c.wait_record)

SYNC_TABLES = (
    sync_trust,
    sync_registry,
    sync_stream,
    sync_peer,
    sync_ack_in,
    sync_ack_out,
    sync_peer_case,
    sync_ledger,
    sync_pending,
)
