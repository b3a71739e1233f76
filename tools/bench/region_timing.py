"""Benchmark helpers for the regional return: invented panels' returns and the roll-up's time.

``panel_returns(n)`` builds ``n`` panels' returns exactly as a panel's store makes them (random
cases through ``compute_statistics``, ``timing_days`` and ``return_body``, then read back with
``read_return_body`` as the region does on import). ``bench_rollup`` times the roll-up
(``roll_up`` + ``publish``: pandas frames, pivot, vectorised suppression) and, in the same run,
a raw pandas pass over the same cells (concat and pivot-sum only) for comparison. Invented data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

import pandas as pd

from app.config.programmes import load_programme
from app.models.enums import ActionStatus
from app.models.region import PanelReturn, read_return_body, return_body
from app.models.statistics import StatsAction, StatsCase
from app.models.statistics_compute import compute_statistics, timing_days

START, END, TODAY = dt.date(2025, 4, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 20)
_AGENCIES = ("Police", "Children's services", "Adult social care", "Health", "Education",
             "Probation", "Housing", "Youth justice", "Mental health", "Prevent team")  # fmt: skip
_GENDERS = ("Male", "Female", "male", "Non-binary", "")
_ETHNICITIES = ("White British", "Asian", "Black", "Mixed", "Other white", "Arab", "")


def random_cases(
    seed: int, n: int, *, local: str = "", programme: str = "extremism"
) -> list[StatsCase]:
    """``n`` invented cases of one panel (``local``: one agency name only this panel has), with
    a random choice of each of the programme's choice fields (or none)."""
    prog = load_programme(programme)
    rng = random.Random(seed)
    sectors = [s.id for s in prog.sectors]
    concerns = [c.id for c in prog.concerns]
    outcomes = [o.id for o in prog.screening_outcomes]
    agencies = [*_AGENCIES, *([local] if local else [])]
    span = (END - START).days
    cases = []
    for _ in range(n):
        received = START + dt.timedelta(days=rng.randrange(-30, span + 1))
        screened = rng.random() < 0.85
        panel = screened and rng.random() < 0.5
        adopted = panel and rng.random() < 0.6
        actions = tuple(
            StatsAction(
                rng.choice(agencies),
                received + dt.timedelta(days=rng.randrange(5, 90)),
                received + dt.timedelta(days=rng.randrange(0, 120)) if rng.random() < 0.7 else None,
                rng.choice(list(ActionStatus)),
            )
            for _ in range(rng.randrange(0, 4))
        )
        cases.append(
            StatsCase(
                received=received,
                sector=rng.choice(sectors),
                concern=rng.choice(concerns),
                age_at_referral=rng.choice([None, *range(9, 70)]),
                gender=rng.choice(_GENDERS),
                ethnicity=rng.choice(_ETHNICITIES),
                screening_outcome=rng.choice(outcomes) if screened else None,
                screened_on=received + dt.timedelta(days=rng.randrange(0, 30)) if screened else None,
                first_panel_on=received + dt.timedelta(days=rng.randrange(10, 80)) if panel else None,
                adopted=adopted,
                exited_on=received + dt.timedelta(days=200) if adopted and rng.random() < 0.3 else None,
                consent_given=adopted and rng.random() < 0.8,
                consent_withdrawn=adopted and rng.random() < 0.1,
                actions=actions,
                case_fields=tuple(
                    (cf.id, rng.choice(cf.choices).id) for cf in prog.choice_fields
                    if cf.choices and rng.random() < 0.7
                ),
            )
        )  # fmt: skip
    return cases


def panel_return(
    seed: int, *, cases: int = 60, name: str = "", programme: str = "extremism"
) -> PanelReturn:
    """One invented panel's return, as the region reads it."""
    prog = load_programme(programme)
    name = name or f"Panel {seed:03d}"
    data = random_cases(seed, cases, local=f"{name} community safety", programme=programme)
    stats = compute_statistics(data, start=START, end=END, programme=prog, today=TODAY)
    body = return_body(
        stats, return_id=f"return-{seed}", panel_id=f"panel-{seed}", panel_name=name,
        programme_id=prog.id, days=timing_days(data, start=START, end=END),
    )  # fmt: skip
    return read_return_body(body)


@dataclass(frozen=True)
class RollupTiming:
    panels: int
    cells: int
    rollup_seconds: float
    raw_seconds: float
    withheld: int

    def lines(self) -> list[str]:
        return [
            f"  roll-up of {self.panels} panels' returns ({self.cells:,} published cells, "
            f"{self.withheld:,} withheld): {self.rollup_seconds:.2f} s (target < 2 s)",
            f"  raw pandas over the same cells (concat + pivot + sum, no suppression): "
            f"{self.raw_seconds:.3f} s",
        ]


def _raw_pandas(returns: list[PanelReturn]) -> pd.Series:
    frames = [
        pd.DataFrame(
            [(i, c.key, c.count) for b in r.breakdowns for row in b.rows for c in row.cells
             if c.count is not None],
            columns=["panel", "key", "value"],
        )
        for i, r in enumerate(returns)
    ]  # fmt: skip
    cells = pd.concat(frames, ignore_index=True).drop_duplicates(["panel", "key"])
    return cells.pivot(index="key", columns="panel", values="value").fillna(0).sum(axis=1)


def bench_rollup(panels: int = 300, *, cases: int = 60) -> RollupTiming:
    from app.spreadsheets.region import roll_up

    returns = [panel_return(seed, cases=cases) for seed in range(panels)]
    t = time.perf_counter()
    tables = roll_up(returns, title="Bench region", today=TODAY, threshold=5, missing=("Panel X",))
    published = tables.published()
    rollup = time.perf_counter() - t
    t = time.perf_counter()
    _raw_pandas(returns)
    raw = time.perf_counter() - t
    values = [v for b in published.breakdowns for r in b.rows for v in r.values]
    withheld = sum(1 for v in values if v in ("[c]", "<5"))
    return RollupTiming(panels, len(values), rollup, raw, withheld)
