"""Hybrid logical clock: 48 bits of milliseconds and 16 bits of counter, persisted in ``meta``.

Invariants: never goes backwards (a local clock that jumps back keeps the last value and counts);
the counter never wraps (on overflow the millisecond part advances); remote clocks more than
``max_ahead_ms`` ahead of the local clock are refused by ``observe``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1
DEFAULT_MAX_AHEAD_MS = 24 * 3600 * 1000


def pack(ms: int, counter: int) -> int:
    return (ms << COUNTER_BITS) | counter


def unpack(hlc: int) -> tuple[int, int]:
    return hlc >> COUNTER_BITS, hlc & COUNTER_MASK


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class ClockAheadError(ValueError):
    pass


class HybridClock:
    def __init__(self, last: int = 0, *, now: Callable[[], int] = wall_ms) -> None:
        self.last = last
        self._now = now

    def tick(self) -> int:
        """A new timestamp for a local event, greater than every timestamp seen."""
        ms, counter = unpack(self.last)
        now = self._now()
        if now > ms:
            self.last = pack(now, 0)
        elif counter < COUNTER_MASK:
            self.last = pack(ms, counter + 1)
        else:
            self.last = pack(ms + 1, 0)
        return self.last

    def observe(self, remote: int, *, max_ahead_ms: int = DEFAULT_MAX_AHEAD_MS) -> int:
        """Merge a remote timestamp; refuse one too far ahead of the local clock."""
        remote_ms, _ = unpack(remote)
        now = self._now()
        if remote_ms - now > max_ahead_ms:
            raise ClockAheadError(remote_ms - now)
        if remote > self.last:
            self.last = remote
        return self.tick()
