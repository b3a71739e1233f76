"""A coordinator store of a named programme with a small demo panel, for the tests of what a
programme adds (MAPPA's case fields). Built once per test module and copied per test, as the
template stores in ``tests/conftest.py`` are (both by ``tests.support.stores.build_store``)."""

from __future__ import annotations

from pathlib import Path

from tests.support.stores import build_store


def build_programme_store(path: Path, programme: str, *, demo_cases: int = 24, seed: int = 5) -> Path:
    return build_store(path, programme=programme, panel=f"Northshire {programme.upper()} panel",
                       demo_cases=demo_cases, seed=seed)
