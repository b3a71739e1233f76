"""The regional return: many panels' unsuppressed returns rolled up with pandas, then suppressed
as a panel's return is, for publication.

Job: :func:`roll_up` turns checked :class:`~app.models.region.PanelReturn` s (same programme and
period) into :class:`RegionalTables`: the panel return's breakdowns with **every panel a column
and the region last**. ``published()`` applies the panel's suppression rule to them
(``region_suppress``) and gives the ``PublishedStatistics`` that the ordinary writers
(``returns.write_statistics_xlsx``/``_csv``) and the statistics PDF take; ``statistics()`` gives
the same tables as a raw :class:`~app.models.statistics.Statistics` (counts, relations, hidden
counts) for the screen and for the tests' independent check.

How (pandas): one long frame of count cells per panel (``pd.concat``), pivoted to a matrix of
count keys × panels (a key a panel lacks is 0) whose row sums are the region; the tables' rows
(order, labels) come from the same frame by ``groupby``. Every cell of the matrix is one count of
the regional tables (key ``"<panel index>|<key>"``, the region's ``"R|<key>"``); the relations
the suppression follows are:
- each panel's own relations, on its column (a panel's small counts are protected within its
  column as in its own return);
- the region's column: each relation of the panels, with the union of their parts (an agency or
  a free-text category that only some panels have);
- every row: the region's count is the sum of the panels' counts.
Medians and 90th percentiles are recomputed from the pooled day counts, percentages from the
summed counts; they are shown by the panel's rule for derived figures (``show_measure``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

try:  # dependencies, shipped in the bundle too; should they fail to load only this is lost
    import numpy as np
    import pandas as pd
except ImportError:  # pragma: no cover - a broken installation
    np = pd = None  # type: ignore[assignment]

from app.models.region import MEDIAN, P90, PanelReturn, ReturnBreakdown, ReturnCell, expand_days
from app.models.statistics import (
    NO_DATA,
    SECONDARY,
    Breakdown,
    Count,
    Measure,
    PublishedBreakdown,
    PublishedRow,
    PublishedStatistics,
    Relation,
    Row,
    Statistics,
    show_measure,
)
from app.models.statistics_compute import median_and_p90
from app.spreadsheets.region_suppress import protect_arrays

#: False where pandas or numpy cannot be loaded (a broken installation): the roll-up is then refused
AVAILABLE = pd is not None

REGION = "R"
REGION_COLUMN = "Region"
SEP = "|"


@dataclass(frozen=True)
class Measures:
    """A table of measures: per row and column its value (NaN: nothing to measure), the cell of
    the count it summarises and of the count it is also computed from (-1: none)."""

    value: np.ndarray  # (rows, width) float
    base: np.ndarray  # (rows, width) int: cell index
    depends: np.ndarray  # (rows, width) int: cell index or -1
    percent: tuple[bool, ...]  # per row


@dataclass(frozen=True)
class RegionalTable:
    """One regional table: rows of count keys (``rows``: matrix row numbers), or of measures."""

    key: str
    title: str
    labels: tuple[str, ...]
    totals: tuple[bool, ...]
    rows: tuple[int, ...] = ()  # matrix rows (count tables)
    measures: Measures | None = None  # (measure tables)


@dataclass
class RegionalTables:
    """The regional return's tables: counts as one matrix (keys × panels, then the region)."""

    names: tuple[str, ...]  # the panels' column headings, then "Region"
    keys: tuple[str, ...]  # matrix row -> count key
    values: np.ndarray  # (keys, panels + 1) int64
    hidden_rows: np.ndarray  # bool per key: counts implied but never shown
    tables: tuple[RegionalTable, ...]
    group: np.ndarray  # relations as an incidence table over cell indices (row * width + column)
    member: np.ndarray
    position: np.ndarray
    start: dt.date
    end: dt.date
    today: dt.date
    threshold: int
    title: str
    notes: tuple[str, ...]
    programme: str = ""  # the programme's name (the "About" sheet names it)

    @property
    def width(self) -> int:
        return len(self.names)

    def cell_key(self, cell: int) -> str:
        row, column = divmod(cell, self.width)
        ns = REGION if column == self.width - 1 else str(column)
        return f"{ns}{SEP}{self.keys[row]}"

    @cached_property
    def withheld(self) -> tuple[np.ndarray, np.ndarray]:
        """(primary, secondary) masks over the cells, by the panel return's rule."""
        shown = np.repeat(~self.hidden_rows, self.width)
        return protect_arrays(self.values.ravel(), shown, self.group, self.member, self.position,
                              self.threshold)  # fmt: skip

    def published(self) -> PublishedStatistics:
        primary, secondary = self.withheld
        withheld = primary | secondary
        flat = self.values.ravel()
        numbers, at = np.unique(flat, return_inverse=True)
        as_text = np.array([str(v) for v in numbers.tolist()], dtype=object)[at]
        text = np.where(primary, f"<{self.threshold}", np.where(secondary, SECONDARY, as_text))
        text = text.reshape(self.values.shape)
        out = []
        for t in self.tables:
            shown = text[list(t.rows)] if t.measures is None else self._shown(t.measures, flat, withheld)
            rows = tuple(PublishedRow(label, tuple(values), total)
                         for label, values, total in zip(t.labels, shown, t.totals, strict=True))  # fmt: skip
            out.append(PublishedBreakdown(t.key, t.title, self.names, rows))
        template = Statistics(self.title, self.start, self.end, self.today, (), (), (),
                              threshold=self.threshold, notes=self.notes)  # fmt: skip
        standing = template.published().notes  # the panel return's notes on the symbols
        return PublishedStatistics(self.programme or self.title, self.start, self.end, self.today,
                                   tuple(out), standing)  # fmt: skip

    def _shown(self, m: Measures, flat: np.ndarray, withheld: np.ndarray) -> list[list[str]]:
        inputs = withheld[m.base] | ((m.depends >= 0) & withheld[np.maximum(m.depends, 0)])
        bases = flat[m.base]
        return [
            [NO_DATA if np.isnan(v) else show_measure(float(v), percent=pct, base=int(b),
                                                      inputs_withheld=bool(w),
                                                      threshold=self.threshold)
             for v, b, w in zip(values, row_bases, row_inputs, strict=True)]
            for values, row_bases, row_inputs, pct in zip(m.value, bases, inputs, m.percent,
                                                           strict=True)
        ]  # fmt: skip

    def statistics(self) -> Statistics:
        """The same tables as raw :class:`Statistics` (one ``Count`` per cell: for the screen and
        the tests, not for 300 panels at once)."""
        key = self.cell_key
        flat = self.values.ravel()
        breakdowns = []
        for t in self.tables:
            rows = []
            for i, label in enumerate(t.labels):
                m = t.measures
                if m is None:
                    base = t.rows[i] * self.width
                    values: tuple[Count | Measure, ...] = tuple(
                        Count(key(base + c), int(flat[base + c])) for c in range(self.width))
                else:
                    values = tuple(
                        Measure(None if np.isnan(v) else float(v), key(int(b)),
                                (key(int(d)),) if d >= 0 else (), m.percent[i])
                        for v, b, d in zip(m.value[i], m.base[i], m.depends[i], strict=True)
                    )  # fmt: skip
                rows.append(Row(label, values, t.totals[i]))
            breakdowns.append(Breakdown(t.key, t.title, self.names, tuple(rows)))
        order = np.argsort(self.group, kind="stable")
        bounds = np.searchsorted(self.group[order], np.arange(int(self.group.max()) + 2))
        relations = []
        for a, b in itertools.pairwise(bounds):
            cells = self.member[order[a:b]]
            relations.append(Relation(key(int(cells[0])), tuple(key(int(c)) for c in cells[1:])))
        hidden = [(key(r * self.width + c), int(self.values[r, c]))
                  for r in np.nonzero(self.hidden_rows)[0].tolist() for c in range(self.width)]  # fmt: skip
        return Statistics(self.programme or self.title, self.start, self.end, self.today, tuple(breakdowns),
                          tuple(relations), tuple(sorted(hidden)), threshold=self.threshold,
                          notes=self.notes)  # fmt: skip


# --- the roll-up ---------------------------------------------------------------------------------

_CELLS = ["panel", "breakdown", "column", "pos", "label", "total", "key", "value"]


def _panel_frame(i: int, ret: PanelReturn, order: dict[str, int]) -> pd.DataFrame:
    """One panel's count cells, long: panel, breakdown, column, row position, label, key, value
    (hidden counts with breakdown -1)."""
    for b in ret.breakdowns:
        order.setdefault(b.key, len(order))
    rows = [
        (i, order.setdefault(b.key, len(order)), j, p, r.label, r.is_total, c.key, c.count)
        for b in ret.breakdowns
        for p, r in enumerate(b.rows)
        for j, c in enumerate(r.cells)
        if c.count is not None
    ]
    rows.extend((i, -1, 0, 0, "", False, k, n) for k, n in ret.hidden)
    return pd.DataFrame(rows, columns=_CELLS) if not rows else pd.DataFrame(
        dict(zip(_CELLS, zip(*rows, strict=True), strict=True))
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
    programme: str = "",
) -> RegionalTables:
    """The regional tables of ``returns`` (all of one period; see the module docstring)."""
    if not returns:
        raise ValueError("a regional return needs at least one panel's return")
    returns = sorted(returns, key=lambda r: (r.panel_name.casefold(), r.panel_id))
    start, end = returns[0].start, returns[0].end
    if any((r.start, r.end) != (start, end) for r in returns):
        raise ValueError("the returns are for different periods")
    n = len(returns)
    width = n + 1
    order: dict[str, int] = {}
    cells = pd.concat([_panel_frame(i, r, order) for i, r in enumerate(returns)], ignore_index=True)
    matrix = (
        cells.drop_duplicates(["panel", "key"])
        .pivot(index="key", columns="panel", values="value")
        .reindex(columns=range(n))
        .fillna(0)
        .astype(np.int64)
    )
    keys = matrix.index
    values = np.column_stack([matrix.to_numpy(), matrix.to_numpy().sum(axis=1)])
    row_of = pd.Series(np.arange(len(keys)), index=keys)
    shown_cells = cells[cells["breakdown"] >= 0]
    hidden_rows = ~keys.isin(shown_cells["key"].unique())
    # the tables' rows: each key once per (breakdown, column), in the panels' order
    layout = (
        shown_cells.groupby(["breakdown", "column", "key"], sort=False)
        .agg(label=("label", "min"), total=("total", "max"), pos=("pos", "min"))
        .reset_index()
        .sort_values(["breakdown", "column", "total", "pos", "label"], kind="stable")
    )
    layout["row"] = row_of.reindex(layout["key"]).to_numpy()
    by_table = dict(iter(layout.groupby(["breakdown", "column"], sort=False)))
    first_at = shown_cells.groupby("key", sort=False)[["breakdown", "column"]].first()
    where = dict(zip(first_at.index, zip(first_at["breakdown"], first_at["column"], strict=True),
                     strict=True))  # fmt: skip
    pooled = _pooled_days(returns)
    tables = []
    for b in _templates(returns, order):
        bi = order[b.key]
        for j, column in enumerate(b.columns):
            key_j = b.key if len(b.columns) == 1 else f"{b.key}:{j}"
            title_j = b.title if len(b.columns) == 1 else f"{b.title}: {column}"
            frame = by_table.get((bi, j))
            if frame is not None:
                tables.append(RegionalTable(
                    key_j, title_j, tuple(frame["label"]), tuple(bool(t) for t in frame["total"]),
                    rows=tuple(int(r) for r in frame["row"]),
                ))  # fmt: skip
            else:
                tables.append(_measure_table(returns, b.key, j, key_j, title_j, pooled, values,
                                             row_of, width))  # fmt: skip
    group, member, position = _relations(returns, where, row_of, width)
    notes = [
        f"{title}: the panels' unsuppressed counts added up; each panel is a column and the "
        "region's total the last. Suppression is applied to the regional tables as a whole.",
        "Returns from: " + ", ".join(_names(returns)) + ".",
    ]
    if missing:
        notes.append("No return for this period from: " + ", ".join(missing) + ".")
    return RegionalTables(
        names=(*_names(returns), REGION_COLUMN), keys=tuple(keys), values=values,
        hidden_rows=np.asarray(hidden_rows), tables=tuple(tables), group=group, member=member,
        position=position, start=start, end=end, today=today, threshold=threshold, title=title,
        notes=tuple(notes), programme=programme,
    )  # fmt: skip


def _templates(returns: Sequence[PanelReturn], order: dict[str, int]) -> list[ReturnBreakdown]:
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


def _measure_table(
    returns: Sequence[PanelReturn],
    bkey: str,
    j: int,
    key: str,
    title: str,
    pooled: dict[str, list[list[int]]],
    values: np.ndarray,
    row_of: pd.Series,
    width: int,
) -> RegionalTable:
    """A measure column (median, 90th percentile, % on time): per panel from its own counts,
    for the region from the pooled day counts or the summed counts."""
    cells: dict[str, tuple[bool, int, str, ReturnCell]] = {}
    for r in returns:
        for b in r.breakdowns:
            if b.key == bkey:
                for p, row in enumerate(b.rows):
                    cells.setdefault(row.cells[j].key, (row.is_total, p, row.label, row.cells[j]))
    empty: list[list[int]] = [[] for _ in returns]
    flat = values.ravel()
    columns = np.arange(width)
    labels, totals, percent = [], [], []
    value_rows, base_rows, depends_rows = [], [], []
    for total, _, label, c in sorted(cells.values(), key=lambda v: (v[0], v[1])):
        base = int(row_of[c.key]) * width + columns
        if c.measure in (MEDIAN, P90):
            days = pooled.get(c.key, empty)
            pick = 0 if c.measure == MEDIAN else 1
            measured = [median_and_p90(d)[pick] for d in days]
            measured.append(median_and_p90(sorted(x for d in days for x in d))[pick])
            value_rows.append(np.array([np.nan if v is None else v for v in measured], dtype=float))
            depends_rows.append(np.full(width, -1))
        else:
            done = int(row_of[c.depends[0]]) * width + columns
            due = flat[base].astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                value_rows.append(np.where(due > 0, 100 * flat[done] / due, np.nan))
            depends_rows.append(done)
        base_rows.append(base)
        labels.append(label)
        totals.append(total)
        percent.append(c.measure not in (MEDIAN, P90))
    measures = Measures(np.array(value_rows), np.array(base_rows), np.array(depends_rows),
                        tuple(percent))  # fmt: skip
    return RegionalTable(key, title, tuple(labels), tuple(totals), measures=measures)


def _relations(
    returns: Sequence[PanelReturn],
    where: dict[str, tuple[int, int]],
    row_of: pd.Series,
    width: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The incidence table (group, cell, position) of every relation: each panel's on its column,
    the region's (parts united), and region = sum of panels on every row."""
    groups: list[tuple[int, list[str]]] = []  # (column, [total, *parts])
    family: dict[tuple[str, object], dict[str, None]] = {}
    for i, r in enumerate(returns):
        for rel in r.relations:
            groups.append((i, [rel.total, *rel.parts]))
            if rel.parts:  # (no parts: "this total is 0"; the row sums say it for the region)
                fam = family.setdefault((rel.total, where.get(rel.parts[0], rel.parts[0])), {})
                fam.update(dict.fromkeys(rel.parts))
    region = width - 1
    groups.extend((region, [total, *parts]) for (total, _), parts in family.items())
    sizes = np.fromiter((len(k) for _, k in groups), dtype=np.int64, count=len(groups))
    flat_keys = [k for _, ks in groups for k in ks]
    rows = row_of.reindex(flat_keys).to_numpy()
    columns = np.repeat(np.fromiter((c for c, _ in groups), dtype=np.int64, count=len(groups)), sizes)
    group = np.repeat(np.arange(len(groups)), sizes)
    position = np.arange(len(flat_keys)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    member = rows * width + columns
    # every row: the region's cell is the total, the panels' cells its parts
    n_rows = len(row_of)
    row_group = len(groups) + np.repeat(np.arange(n_rows), width)
    grid = np.arange(n_rows * width).reshape(n_rows, width)
    row_member = np.column_stack([grid[:, -1:], grid[:, :-1]]).ravel()
    row_position = np.tile(np.arange(width), n_rows)
    return (
        np.concatenate([group, row_group]),
        np.concatenate([member, row_member]),
        np.concatenate([position, row_position]),
    )
