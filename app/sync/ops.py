"""Re-export of ``app.models.sync_ops``: the pure ops rules live in models so that both storage and
sync may use them (storage and sync must not import each other)."""

from __future__ import annotations

from app.models.sync_ops import *  # noqa: F403
