"""Regional return figures for `make bench`: the roll-up of 300 generated panels' returns
(``tools.bench.region_timing``), beside a raw pandas pass (concat, pivot, sum) over the same cells
in the same run. Invented data only; nothing is written."""

from __future__ import annotations

from pathlib import Path

PANELS = 300


def run(workdir: Path, *, cases: int = 0) -> None:  # the same signature as the other sections
    from tools.bench.region_timing import bench_rollup

    print(f"\n== Regional return ({PANELS} panels' returns, 60 cases each) ==")
    runs = [bench_rollup(PANELS) for _ in range(3)]  # the first pays pandas' first-use costs
    best = min(runs, key=lambda r: r.rollup_seconds)
    for line in best.lines():
        print(line)
    print(f"  (best of three; the first, cold, took {runs[0].rollup_seconds:.2f} s)")


if __name__ == "__main__":
    run(Path(".bench"))
