"""The independent check of published statistics, for a panel's return and the region's alike:
from the published numbers and the stated relations, work out every count that can be worked
out, and assert that none is small and that every number shown is the raw one."""

from __future__ import annotations

from app.models.statistics import Count, PublishedStatistics, Statistics


def assert_nothing_small_follows(stats: Statistics, published: PublishedStatistics) -> None:
    small = f"<{stats.threshold}"
    values = dict(stats.hidden)
    known: dict[str, int] = {}
    for raw, pub in zip(stats.breakdowns, published.breakdowns, strict=True):
        for raw_row, pub_row in zip(raw.rows, pub.rows, strict=True):
            for v, shown in zip(raw_row.values, pub_row.values, strict=True):
                if isinstance(v, Count):
                    values[v.key] = v.value
                    if 0 < v.value < stats.threshold:
                        assert shown == small
                    elif shown.isdigit():
                        assert int(shown) == v.value
                        known[v.key] = v.value
                    else:
                        assert shown == "[c]"
    progress = True
    while progress:
        progress = False
        for rel in stats.relations:
            members = (rel.total, *rel.parts)
            unknown = [k for k in members if k not in known]
            if len(unknown) == 1:
                k = unknown[0]
                parts = sum(known[p] for p in rel.parts if p in known)
                known[k] = parts if k == rel.total else known[rel.total] - parts
                assert known[k] == values[k]
                progress = True
    leaked = {k: v for k, v in known.items() if 0 < v < stats.threshold}
    assert not leaked
