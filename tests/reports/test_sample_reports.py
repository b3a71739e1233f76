"""tools/render_sample_reports.py: every sample document renders, and pages become PNGs."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "render_sample_reports.py"


def _tool():
    spec = importlib.util.spec_from_file_location("render_sample_reports", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_sample_reports_render_to_pdf_and_png(tmp_path, read_pdf):
    written = _tool().render_all(tmp_path, dpi=20)
    pdfs = {p.stem for p in written if p.suffix == ".pdf"}
    assert pdfs == {"pack", "plan", "minutes", "minutes-summary", "statistics",
                    "pack-copy-chair", "pack-copy-housing"}
    # one meeting, two recipients: the same numbers; the housing copy withholds items 2 and 4
    chair = read_pdf((tmp_path / "pack-copy-chair.pdf").read_bytes())
    housing = read_pdf((tmp_path / "pack-copy-housing.pdf").read_bytes())
    assert "Not shared with your agency" not in chair.text
    assert housing.text.count("Not shared with your agency") == 2
    pack = read_pdf((tmp_path / "pack.pdf").read_bytes())
    assert len(pack.outline_titles()) > 10
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed: PDFs checked, PNGs not made")
    pngs = [p for p in written if p.suffix == ".png"]
    assert len(pngs) >= len(pack.pages) + 4
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert {p.name for p in pngs} >= {"pack-copy-chair-agenda.png", "pack-copy-housing-agenda.png"}
