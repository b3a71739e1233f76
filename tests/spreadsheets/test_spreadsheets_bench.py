"""The bench helpers run end to end on a small workbook (the full size is for ``make bench``)."""

from __future__ import annotations

from app.spreadsheets.referrals import read_referral_file
from tests.support.spreadsheets_support import programme
from tools.bench.spreadsheets_timing import bench_referral_import, build_referral_xlsx


def test_bench_small() -> None:
    result = bench_referral_import(300, repeat=1, programme=programme())
    assert result.rows == 300
    # every 50th row carries a fault (a blank date of birth is allowed, so at most 6 fail)
    assert 294 <= result.drafts < 300 and result.problems == 300 - result.drafts
    assert result.read_seconds > 0 and result.raw_seconds > 0
    assert "rows/s" in "\n".join(result.lines())


def test_bench_workbook_is_realistic() -> None:
    from tools.bench.spreadsheets_timing import BENCH_TODAY

    sheet = read_referral_file(build_referral_xlsx(200, problem_every=0), "b.xlsx",
                               programme=programme(), today=BENCH_TODAY)  # fmt: skip
    assert sheet.problems == () and len(sheet.drafts) == 200
    assert sheet.unknown_columns == ()
    assert any(d.identifiers for d in sheet.drafts) and any(d.aliases for d in sheet.drafts)
