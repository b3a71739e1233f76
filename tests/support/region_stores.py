"""Stores for regional-return tests: three panels' generated stores (demo cases, one programme,
their own keys) and a region's store (role ``region``), built once per test process."""

from __future__ import annotations

from pathlib import Path

from tests.support.stores import PASSPHRASE, build_store, today

PANELS = (("Northshire Extremism Risk Panel", 7), ("Southshire Extremism Risk Panel", 8),
          ("Eastshire Extremism Risk Panel", 9))  # fmt: skip
REGION_NAME = "Northern Region"


def build_panels(folder: Path, *, cases: int = 30) -> list[Path]:
    return [build_store(folder / f"panel{i}.rtdb", panel=name, demo_cases=cases, seed=seed)
            for i, (name, seed) in enumerate(PANELS)]  # fmt: skip


def build_region(path: Path) -> Path:
    from app.models.enums import Role
    from app.services import setup
    from tests.support.kdf import CHEAP

    created = setup.create_store(
        path, passphrase=PASSPHRASE, name="Rita Regional", agency="Northern Region Office",
        role=Role.REGION, panel=REGION_NAME, kdf=CHEAP, today_fn=today,
    )  # fmt: skip
    created.session.close()
    return path
