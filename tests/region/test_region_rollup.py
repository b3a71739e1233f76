"""The regional roll-up (pure): the region is the sum of the panels' unsuppressed counts, and the
published regional tables pass the same independent suppression check as a panel's return."""

from __future__ import annotations

import statistics as pystats

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.errors import InvalidInput
from app.models.region import read_return_body, return_body
from app.models.statistics import Count
from app.models.statistics_compute import compute_statistics, timing_days
from app.spreadsheets import region as region_module
from app.spreadsheets.region import roll_up
from app.spreadsheets.region_suppress import protect_vectorised
from tests.support.suppression_check import assert_nothing_small_follows
from tools.bench.region_timing import END, START, TODAY, panel_return, random_cases


def three(cases: int = 40, seed: int = 0):
    return [panel_return(seed + k, cases=cases, name=f"Panel {k}") for k in range(3)]


def test_each_column_is_a_panels_count_and_the_region_their_sum() -> None:
    returns = three()
    stats = roll_up(returns, title="Region", today=TODAY, threshold=5).statistics()
    raw = [r.counts() for r in returns]
    checked = 0
    for b in stats.breakdowns:
        for row in b.rows:
            counts = [v for v in row.values if isinstance(v, Count)]
            if not counts:
                continue
            key = counts[-1].key.split("|", 1)[1]
            assert counts[-1].key == f"R|{key}"
            for i, c in enumerate(counts[:-1]):
                assert c.value == raw[i].get(key, 0)
            assert counts[-1].value == sum(r.get(key, 0) for r in raw)
            checked += 1
    assert checked > 100
    # the relations the suppression follows hold for the numbers
    values = stats.counts()
    for rel in stats.relations:
        assert values[rel.total] == sum(values[p] for p in rel.parts)


def test_the_published_regional_tables_pass_the_panel_check() -> None:
    for seed in (0, 10, 20):
        tables = roll_up(three(seed=seed), title="Region", today=TODAY, threshold=5)
        assert_nothing_small_follows(tables.statistics(), tables.published())


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(0, 30))
def test_nothing_small_follows_property(seed: int, panels: int, cases: int) -> None:
    returns = [panel_return(seed + k, cases=cases, name=f"P{k}") for k in range(panels)]
    tables = roll_up(returns, title="Region", today=TODAY, threshold=5)
    assert_nothing_small_follows(tables.statistics(), tables.published())


def test_the_check_catches_a_leak_without_secondary_suppression(monkeypatch) -> None:
    def primary_only(vals, shown, g, m, pos, threshold=5):
        return shown & (vals > 0) & (vals < threshold), shown & False

    monkeypatch.setattr(region_module, "protect_arrays", primary_only)
    tables = roll_up(three(), title="Region", today=TODAY, threshold=5)
    with pytest.raises(AssertionError):
        assert_nothing_small_follows(tables.statistics(), tables.published())


def test_the_vectorised_rule_protects_a_panels_own_tables() -> None:
    from app.config.programmes import load_programme

    for seed in range(8):
        stats = compute_statistics(random_cases(seed, 10 + 7 * seed), start=START, end=END,
                                   programme=load_programme("extremism"), today=TODAY)  # fmt: skip
        shown = set(stats.counts()) - {k for k, _ in stats.hidden}
        withheld = protect_vectorised(stats.counts(), shown, stats.relations, stats.threshold)
        assert_nothing_small_follows(stats, stats.published(withheld))


def test_medians_are_of_the_pooled_days_and_a_missing_panel_is_named() -> None:
    returns = three(cases=60)
    tables = roll_up(returns, title="Region", today=TODAY, threshold=5, missing=("Lost Panel",))
    stats = tables.statistics()
    pooled = sorted(d for r in returns for k, pairs in r.days if k == "timing:screening"
                    for d, n in pairs for _ in range(n))  # fmt: skip
    median = stats.breakdown("timeliness:1").rows[0].values[-1]
    assert median.value == pystats.median(pooled)
    assert any("Lost Panel" in n for n in tables.published().notes)
    assert tables.published().breakdown("referrals_by_sector").columns[-1] == "Region"


def _body(seed: int = 1) -> dict:
    from app.config.programmes import load_programme

    cases = random_cases(seed, 30)
    stats = compute_statistics(cases, start=START, end=END, programme=load_programme("extremism"),
                               today=TODAY)  # fmt: skip
    return return_body(stats, return_id="r", panel_id="p", panel_name="P", programme_id="extremism",
                       days=timing_days(cases, start=START, end=END))  # fmt: skip


def test_a_return_whose_figures_do_not_add_up_is_refused() -> None:
    body = _body()
    read_return_body(body)
    row = body["breakdowns"][0]["rows"][0]
    row["cells"][0]["count"] += 1
    with pytest.raises(InvalidInput, match=r"do not add up|two different values"):
        read_return_body(body)


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.update(type="something else"),
        lambda b: b.update(version=2),
        lambda b: b.update(extra=1),
        lambda b: b.update(start="2026-13-01"),
        lambda b: b.update(start=b["end"], end=b["start"]),
        lambda b: b["breakdowns"][0]["rows"][0]["cells"][0].update(count=-1),
        lambda b: b["breakdowns"][0]["rows"][0].update(label="\x1b[31m"),
        lambda b: b["relations"].append(["referrals", ["no-such-key"]]),
        lambda b: b["days"].update({"timing:panel": [[3, 10_000]]}),
    ],
)
def test_malformed_returns_are_refused_in_one_sentence(change) -> None:
    body = _body()
    change(body)
    with pytest.raises(InvalidInput):
        read_return_body(body)


def test_the_bench_runs_small() -> None:
    from tools.bench.region_timing import bench_rollup

    result = bench_rollup(4, cases=20)
    assert result.panels == 4 and result.cells > 100 and result.rollup_seconds > 0
    assert "target < 2 s" in "\n".join(result.lines())


@pytest.mark.parametrize("programme", ["mappa", "marac"])
def test_other_programmes_roll_up_and_pass_the_check(programme: str) -> None:
    """Case-field breakdowns (MAPPA categories), no consent, a programme's own words."""
    from app.config.programmes import load_programme

    try:
        load_programme(programme)
    except InvalidInput:
        pytest.skip(f"no {programme} programme")
    returns = [panel_return(k, cases=40, name=f"P{k}", programme=programme) for k in range(3)]
    tables = roll_up(returns, title="Region", today=TODAY, threshold=5)
    keys = [b.key for b in tables.published().breakdowns]
    # every table of a panel's return is in the regional return, one per column
    expected = [b.key if len(b.columns) == 1 else f"{b.key}:{j}"
                for b in returns[0].breakdowns for j in range(len(b.columns))]  # fmt: skip
    assert keys == expected
    if programme == "mappa":
        assert any(k.startswith("referrals_by_field:") for k in keys)
    assert_nothing_small_follows(tables.statistics(), tables.published())
