"""``tools/screenshots.py`` runs and writes non-empty 1280x800 PNGs (a small set, to stay quick)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PySide6.QtGui import QImage


@pytest.mark.slow
def test_screenshots_tool_renders_pngs(qapp, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("screenshots", Path(__file__).parents[2] / "tools" / "screenshots.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main([str(tmp_path / "shots"), "--cases", "20", "--only", "Dashboard,Cases,case"]) == 0
    pngs = sorted((tmp_path / "shots").glob("*.png"))
    assert len(pngs) >= 2 + 8
    img = QImage(str(pngs[0]))
    assert (img.width(), img.height()) == (1280, 800)
