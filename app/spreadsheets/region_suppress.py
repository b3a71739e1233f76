"""The panel return's suppression rule (``app.models.statistics``), vectorised for the regional
tables: many thousands of counts (every panel a column) in a few array passes.

The rule is the one of ``docs/spreadsheets.md`` ("Suppression rule"), in the same steps:
1. *Primary*: every shown count from 1 to ``threshold - 1``.
2. *Secondary*: from the counts still shown, every count that follows by subtraction along the
   relations (``total = sum(parts)``) is worked out, to a fixed point; while any of them is from 1
   to ``threshold - 1``, one more shown count of the group that gave it away is withheld — the
   smallest non-zero part, else the total, else a zero part (``app.models.statistics._breaker``,
   which is also used here when a group has no shown member left to withhold).
The one difference from ``protect`` is the pace, not the rule: ``protect`` withholds one count and
starts again; this withholds one count in *every* group that gave a count away in the same pass,
then starts again. Both stop only when nothing small can be worked out; the two orders may end
with a slightly different set of withheld counts (on random panel-sized tables: the same set in
about half the cases, a few more or a few fewer otherwise). The measures' rule is applied by
``show_measure``, unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

try:  # dependencies, shipped in the bundle too; should they fail to load only this is lost
    import numpy as np
    import pandas as pd
except ImportError:  # pragma: no cover - a broken installation
    np = pd = None  # type: ignore[assignment]

from app.models.statistics import Relation, _breaker


def protect_vectorised(
    values: Mapping[str, int],
    shown: Iterable[str],
    relations: Sequence[Relation],
    threshold: int = 5,
) -> tuple[frozenset[str], frozenset[str]]:
    """(primary, secondary) keys of the shown counts to withhold; see the module docstring.
    The same signature as ``app.models.statistics.protect``."""
    keys = pd.Index(list(values))
    vals = np.fromiter(values.values(), dtype=np.int64, count=len(keys))
    shown_mask = np.zeros(len(keys), dtype=bool)
    shown_mask[keys.get_indexer(list(shown))] = True
    members: list[str] = []
    group: list[int] = []
    position: list[int] = []
    for gi, rel in enumerate(relations):
        members.append(rel.total)
        members.extend(rel.parts)
        group.extend([gi] * (len(rel.parts) + 1))
        position.extend(range(len(rel.parts) + 1))
    m = keys.get_indexer(members)
    if (m < 0).any():
        raise ValueError("a relation names a count that is not given")
    primary, secondary = protect_arrays(
        vals, shown_mask, np.asarray(group, dtype=np.int64), m,
        np.asarray(position, dtype=np.int64), threshold,
    )  # fmt: skip
    return frozenset(keys[primary].tolist()), frozenset(keys[secondary].tolist())


def protect_arrays(
    vals: np.ndarray,
    shown_mask: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    pos: np.ndarray,
    threshold: int = 5,
) -> tuple[np.ndarray, np.ndarray]:
    """The rule over arrays: counts ``vals`` (``shown_mask`` those shown), relations as an
    incidence table — row ``x`` says count ``m[x]`` is member ``pos[x]`` of group ``g[x]`` (0 the
    total, then the parts). Returns the (primary, secondary) masks."""
    n = len(vals)
    n_groups = int(g.max()) + 1 if len(g) else 0
    sensitive = (vals > 0) & (vals < threshold)
    primary = sensitive & shown_mask
    secondary = np.zeros(n, dtype=bool)
    while True:
        visible = shown_mask & ~primary & ~secondary
        known = visible.copy()
        derived_by = np.full(n, -1, dtype=np.int64)
        while True:  # work out everything that follows, to a fixed point
            unknown = ~known[m]
            missing = np.bincount(g[unknown], minlength=n_groups)
            found = unknown & (missing[g] == 1)
            if not found.any():
                break
            at = np.nonzero(found)[0]
            new_keys, first = np.unique(m[at], return_index=True)
            known[new_keys] = True
            derived_by[new_keys] = g[at][first]
        leaks = np.nonzero(sensitive & known & ~visible)[0]
        if len(leaks) == 0:
            return primary, secondary
        picks = _picks(leaks, derived_by, g, m, pos, vals, visible)
        unresolved = [k for k in leaks.tolist() if derived_by[k] not in picks.index]
        chosen = set(picks.tolist())
        if unresolved:  # no shown member of the group left: follow the derivation (rare)
            chosen |= _fallback(unresolved, derived_by, g, m, vals, visible)
        if not chosen:  # cannot happen for consistent relations; fail safe
            secondary |= shown_mask & ~primary
        else:
            secondary[list(chosen)] = True


def _picks(
    leaks: np.ndarray,
    derived_by: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    pos: np.ndarray,
    vals: np.ndarray,
    visible: np.ndarray,
) -> pd.Series:
    """Group id -> the member to withhold, for every group that gave a small count away."""
    leak_of = pd.Series(leaks, index=derived_by[leaks])
    leak_of = leak_of[~leak_of.index.duplicated()]
    in_leaking = np.isin(g, leak_of.index.to_numpy())
    frame = pd.DataFrame({"g": g[in_leaking], "m": m[in_leaking], "pos": pos[in_leaking]})
    frame["value"] = vals[frame["m"].to_numpy()]
    frame = frame[visible[frame["m"].to_numpy()]]
    frame = frame[frame["m"].to_numpy() != leak_of.reindex(frame["g"]).to_numpy()]
    if frame.empty:
        return pd.Series(dtype=np.int64)
    parts = frame[frame["pos"] > 0]
    nonzero = parts[parts["value"] > 0].sort_values(["g", "value", "pos"]).groupby("g")["m"].first()
    totals = frame[frame["pos"] == 0].groupby("g")["m"].first()
    zeros = parts.sort_values(["g", "pos"]).groupby("g")["m"].first()
    return nonzero.combine_first(totals).combine_first(zeros).astype(np.int64)


def _fallback(
    leaks: list[int],
    derived_by: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    vals: np.ndarray,
    visible: np.ndarray,
) -> set[int]:
    """The panel rule's own search (``_breaker``) for leaks whose group has nothing left to hide
    (counts named by their index as text)."""
    order = np.argsort(g, kind="stable")
    bounds = np.searchsorted(g[order], np.arange(int(g.max()) + 2))
    groups = [tuple(str(x) for x in m[order[a:b]]) for a, b in itertools.pairwise(bounds)]
    derived = {str(k): int(gi) for k, gi in enumerate(derived_by.tolist()) if gi >= 0}
    value_of = {str(k): int(v) for k, v in enumerate(vals.tolist())}
    shown_now = {str(k) for k in np.nonzero(visible)[0].tolist()}
    out = set()
    for k in leaks:
        pick = _breaker(str(k), derived, groups, value_of, shown_now)
        if pick is not None:
            out.add(int(pick))
    return out
