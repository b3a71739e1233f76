"""Fixtures for partner panels and transfers: a second panel (Southshire) of the same programme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.partner_stores import build_south, unlock_copy


@pytest.fixture(scope="session")
def south_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_south(tmp_path_factory.mktemp("south-template") / "south.rtdb")


@pytest.fixture
def south(south_template: Path, tmp_path: Path) -> Iterator[object]:
    """An unlocked copy of the Southshire coordinator's store (no cases)."""
    yield from unlock_copy(south_template, tmp_path / "south")


@pytest.fixture(scope="session")
def west_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.stores import build_store

    return build_store(tmp_path_factory.mktemp("west-template") / "west.rtdb",
                       panel="Westshire Extremism Risk Panel")


@pytest.fixture
def west(west_template: Path, tmp_path: Path) -> Iterator[object]:
    """A third panel's coordinator store (no cases): the wrong recipient, an unknown sender."""
    yield from unlock_copy(west_template, tmp_path / "west")
