"""Re-export of ``app.models.sync_merge``: the pure merge rules live in models so that both storage and
sync may use them (storage and sync must not import each other)."""

from __future__ import annotations

from app.models.sync_merge import *  # noqa: F403
