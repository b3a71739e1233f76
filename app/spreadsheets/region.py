"""The regional return: many panels' unsuppressed returns rolled up with pandas, then suppressed
as a panel's return is, for publication.

Job: :func:`roll_up` turns checked :class:`~app.models.region.PanelReturn` s (same programme and
period) into one raw :class:`~app.models.statistics.Statistics` whose tables are the panel
return's breakdowns with **every panel a column and the region last**; :func:`publish` applies the
panel's suppression rule to it (``region_suppress``) and gives the ``PublishedStatistics`` that
the ordinary writers (``returns.write_statistics_xlsx``/``_csv``) and the statistics PDF take.

How (pandas): one long frame of count cells per panel (``pd.concat``), pivoted to a matrix of
count keys × panels (missing = 0) whose row sums are the region; the table layouts (row order,
labels) come from the same frame by ``groupby``. Counts of the regional tables are keyed
``"<panel index>|<key>"`` and ``"R|<key>"``. The relations the suppression follows are:
- each panel's own relations, on its column (so a panel's small counts are protected within its
  column as in its own return);
- the region's column: each relation of the panels, with the union of their parts (an agency or
  a free-text category that only some panels have);
- every row: the region's count is the sum of the panels' counts.
Medians and 90th percentiles are recomputed from the pooled day counts, percentages from the
summed counts; ``Statistics.published`` shows them only under the panel's rule for measures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.models.region import (
    MEDIAN,
    P90,
    PanelReturn,
    ReturnBreakdown,
    ReturnCell,
    expand_days,
)
from app.models.statistics import (
    Breakdown,
    Count,
    Measure,
    PublishedStatistics,
    Relation,
    Row,
    Statistics,
)
from app.models.statistics_compute import median_and_p90
from app.spreadsheets.region_suppress import protect_vectorised

REGION = "R"
REGION_COLUMN = "Region"
SEP = "|"


@dataclass(frozen=True)
class Layout:
    """Where a count key is first shown: (breakdown position, column) — a relation's family."""

    breakdown: int
    column: int


def _panel_frame(i: int, ret: PanelReturn, order: dict[str, int]) -> pd.DataFrame:
    """One panel's count cells, long: panel, breakdown, column, row position, label, key, value."""
    rows: list[tuple[int, int, int, int, str, bool, str, int]] = []
    for b in ret.breakdowns:
        bi = order.setdefault(b.key, len(order))
        for p, r in enumerate(b.rows):
            for j, c in enumerate(r.cells):
                if c.count is not None:
                    rows.append((i, bi, j, p, r.label, r.is_total, c.key, c.count))
    rows.extend((i, -1, 0, 0, "", False, k, n) for k, n in ret.hidden)
    return pd.DataFrame(
        rows, columns=["panel", "breakdown", "column", "pos", "label", "total", "key", "value"]
    )


def _names(returns: Sequence[PanelReturn]) -> list[str]:
    """Column headings: the panels' names, made unique."""
    out: list[str] = []
    for r in returns:
        name, n = r.panel_name, 2
        while name in out or name == REGION_COLUMN:
            name, n = f"{r.panel_name} ({n})", n + 1
        out.append(name)
    return out


def roll_up(
    returns: Sequence[PanelReturn],
    *,
    title: str,
    today: dt.date,
    threshold: int,
    missing: Sequence[str] = (),
) -> Statistics:
    """The raw regional statistics (for the screen and for :func:`publish` only)."""
    if not returns:
        raise ValueError("a regional return needs at least one panel's return")
    returns = sorted(returns, key=lambda r: (r.panel_name.casefold(), r.panel_id))
    start, end = returns[0].start, returns[0].end
    if any((r.start, r.end) != (start, end) for r in returns):
        raise ValueError("the returns are for different periods")
    names = _names(returns)
    n_panels = len(returns)
    order: dict[str, int] = {}
    cells = pd.concat([_panel_frame(i, r, order) for i, r in enumerate(returns)], ignore_index=True)
    # the matrix: one row per count key, one column per panel (0 where a panel lacks the key)
    per_key = cells.drop_duplicates(["panel", "key"])
    matrix = per_key.pivot(index="key", columns="panel", values="value")
    matrix = matrix.reindex(columns=range(n_panels)).fillna(0).astype(np.int64)
    region = matrix.sum(axis=1)
    key_row = {k: i for i, k in enumerate(matrix.index)}
    counts = matrix.to_numpy()
    region_values = region.to_numpy()

    def count_row(key: str) -> tuple[Count, ...]:
        at = key_row[key]
        return (
            *(Count(f"{i}{SEP}{key}", int(v)) for i, v in enumerate(counts[at])),
            Count(f"{REGION}{SEP}{key}", int(region_values[at])),
        )

    shown = cells[cells["breakdown"] >= 0]
    layout = (
        shown.groupby("key", sort=False)[["breakdown", "column"]].first().itertuples(name=None)
    )
    first_shown = {k: Layout(b, c) for k, b, c in layout}
    rows_of = (
        shown.groupby(["breakdown", "column", "key"], sort=False)
        .agg(label=("label", "min"), total=("total", "max"), pos=("pos", "min"))
        .reset_index()
        .sort_values(["breakdown", "column", "total", "pos", "label"], kind="stable")
    )
    tables = {bc: frame for bc, frame in rows_of.groupby(["breakdown", "column"], sort=False)}
    pooled = _pooled_days(returns)
    breakdowns = []
    for b in _breakdown_templates(returns, order):
        bi = order[b.key]
        for j, column in enumerate(b.columns):
            title_j = b.title if len(b.columns) == 1 else f"{b.title}: {column}"
            key_j = b.key if len(b.columns) == 1 else f"{b.key}:{j}"
            if (bi, j) in tables:
                frame = tables[(bi, j)]
                out_rows = tuple(
                    Row(label, count_row(key), bool(total))
                    for key, label, total in zip(frame["key"], frame["label"], frame["total"],
                                                 strict=True)
                )  # fmt: skip
            else:
                out_rows = _measure_rows(returns, b.key, j, pooled, matrix, region)
            breakdowns.append(Breakdown(key_j, title_j, (*names, REGION_COLUMN), out_rows))
    relations = _relations(returns, first_shown, list(matrix.index), n_panels)
    hidden_keys = sorted({k for r in returns for k, _ in r.hidden})
    hidden = [(f"{i}{SEP}{k}", int(counts[key_row[k]][i])) for k in hidden_keys
              for i in range(n_panels)]  # fmt: skip
    hidden += [(f"{REGION}{SEP}{k}", int(region_values[key_row[k]])) for k in hidden_keys]
    notes = [
        f"{title}: the panels' unsuppressed counts added up; each panel is a column and the "
        "region's total the last. Suppression is applied to the regional tables as a whole.",
        "Returns from: " + ", ".join(names) + ".",
    ]
    if missing:
        notes.append("No return for this period from: " + ", ".join(missing) + ".")
    return Statistics(
        programme=title,
        start=start,
        end=end,
        today=today,
        breakdowns=tuple(breakdowns),
        relations=tuple(relations),
        hidden=tuple(sorted(hidden)),
        threshold=threshold,
        notes=tuple(notes),
    )


def _breakdown_templates(
    returns: Sequence[PanelReturn], order: dict[str, int]
) -> list[ReturnBreakdown]:
    """One breakdown per key, in the order first met (the panels' own order)."""
    seen: dict[str, ReturnBreakdown] = {}
    for r in returns:
        for b in r.breakdowns:
            seen.setdefault(b.key, b)
    return sorted(seen.values(), key=lambda b: order[b.key])


def _pooled_days(returns: Sequence[PanelReturn]) -> dict[str, list[list[int]]]:
    """Timing key -> each panel's sorted day counts (the region pools them)."""
    out: dict[str, list[list[int]]] = {}
    for i, r in enumerate(returns):
        for key, pairs in r.days:
            out.setdefault(key, [[] for _ in returns])[i] = expand_days(pairs)
    return out


def _measure(
    c: ReturnCell, ns: str, sample: list[int], column: pd.Series
) -> Measure:
    base = f"{ns}{SEP}{c.key}"
    if c.measure in (MEDIAN, P90):
        median, p90 = median_and_p90(sample)
        return Measure(median if c.measure == MEDIAN else p90, base)
    depends = tuple(f"{ns}{SEP}{d}" for d in c.depends)
    due = int(column.get(c.key, 0))
    done = int(column.get(c.depends[0], 0)) if c.depends else 0
    return Measure(100 * done / due if due else None, base, depends, percent=True)


def _measure_rows(
    returns: Sequence[PanelReturn],
    bkey: str,
    j: int,
    pooled: dict[str, list[list[int]]],
    matrix: pd.DataFrame,
    region: pd.Series,
) -> tuple[Row, ...]:
    """A measure column (median, 90th percentile, % on time): per panel from its own counts, and
    for the region from the pooled or summed counts."""
    cells: dict[str, tuple[bool, int, str, ReturnCell]] = {}
    for r in returns:
        for b in r.breakdowns:
            if b.key == bkey:
                for p, row in enumerate(b.rows):
                    cells.setdefault(row.cells[j].key, (row.is_total, p, row.label, row.cells[j]))
    empty: list[list[int]] = [[] for _ in returns]
    out = []
    for total, _, label, c in sorted(cells.values(), key=lambda v: (v[0], v[1])):
        days = pooled.get(c.key, empty)
        values = [_measure(c, str(i), days[i], matrix[i]) for i in range(len(returns))]
        values.append(_measure(c, REGION, sorted(x for d in days for x in d), region))
        out.append(Row(label, tuple(values), total))
    return tuple(out)


def _relations(
    returns: Sequence[PanelReturn],
    first_shown: dict[str, Layout],
    keys: list[str],
    n_panels: int,
) -> list[Relation]:
    """Each panel's relations on its column; the region's (parts united across panels); and
    region = sum of panels for every count."""
    out: list[Relation] = []
    family: dict[tuple[str, object], list[str]] = {}
    for i, r in enumerate(returns):
        ns = f"{i}{SEP}"
        for rel in r.relations:
            out.append(Relation(ns + rel.total, tuple(ns + p for p in rel.parts)))
            if not rel.parts:
                continue  # "this total is 0": the region's total is the sum of the panels' anyway
            where = first_shown.get(rel.parts[0]) or rel.parts[0]
            parts = family.setdefault((rel.total, where), [])
            parts.extend(p for p in rel.parts if p not in parts)
    rs = f"{REGION}{SEP}"
    out.extend(Relation(rs + total, tuple(rs + p for p in parts)) for (total, _), parts in family.items())
    out.extend(Relation(rs + k, tuple(f"{i}{SEP}{k}" for i in range(n_panels))) for k in keys)
    return out


def publish(stats: Statistics) -> PublishedStatistics:
    """The regional tables suppressed by the panel return's rule (vectorised)."""
    values = stats.counts()
    shown = set(values) - {k for k, _ in stats.hidden}
    withheld = protect_vectorised(values, shown, stats.relations, stats.threshold)
    return stats.published(withheld)
