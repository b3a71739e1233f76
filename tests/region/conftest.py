"""Three panels' generated stores and a region's store, built once per test process and copied
for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.region_stores import build_panels, build_region


@pytest.fixture(scope="session")
def panel_templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_panels(tmp_path_factory.mktemp("region-panels"))


@pytest.fixture(scope="session")
def region_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_region(tmp_path_factory.mktemp("region") / "region.rtdb")
