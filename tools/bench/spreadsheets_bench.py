"""Spreadsheet figures for `make bench`, each beside the raw rate measured in the same run.

1. Referral import: a 10,000-row XLSX of invented referrals (``tools.bench.spreadsheets_timing``) imported
   through the service (``intake.import_referrals``: read, check, match people, one transaction)
   into a copy of an empty store, beside a bare openpyxl read-only pass over the same file.
2. Statistics: ``statistics.compute`` and a written XLSX return over the store bench's store
   (``.bench/bench.rtdb``, built by ``store_bench.build_store``), beside a bare read of every
   case row through SQLAlchemy in the same run.
Invented data only; every file lives in the bench work dir.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import time
from pathlib import Path

from tools.bench.store_bench import PASSPHRASE, TODAY, build_store

IMPORT_ROWS = 10_000


def _raw_openpyxl(data: bytes) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        return sum(1 for _ in ws.iter_rows(values_only=True))
    finally:
        wb.close()


def _empty_store(workdir: Path) -> Path:
    from app.models.enums import Role
    from app.services import setup

    path = workdir / "intake-empty.rtdb"
    marker = path.with_suffix(".ready")
    if marker.exists() and path.exists():
        return path
    for p in workdir.glob("intake-empty*"):
        p.unlink()
    created = setup.create_store(
        path, passphrase=PASSPHRASE, name="Bench Coordinator", agency="Bench County Council",
        role=Role.COORDINATOR, panel="Bench panel", today_fn=lambda: TODAY,
    )  # fmt: skip
    created.session.close()
    marker.write_text("ok")
    return path


def _copy(src: Path, dest: Path) -> Path:
    from app.storage.store_files import key_path

    for p in dest.parent.glob(dest.stem + ".*"):
        p.unlink()
    shutil.copy2(src, dest)
    shutil.copy2(key_path(src), key_path(dest))
    return dest


def bench_import(workdir: Path) -> None:
    from app.services import intake, setup
    from tools.bench.spreadsheets_timing import build_referral_xlsx

    print(f"\n== Referral import ({IMPORT_ROWS:,}-row XLSX through the service) ==")
    data = build_referral_xlsx(IMPORT_ROWS, problem_every=0)
    source = workdir / "referrals-bench.xlsx"
    source.write_bytes(data)
    os.chmod(source, 0o600)
    t = time.perf_counter()
    _raw_openpyxl(data)
    raw = time.perf_counter() - t
    store = _copy(_empty_store(workdir), workdir / "intake.rtdb")
    session = setup.unlock(store, passphrase=PASSPHRASE, today_fn=lambda: TODAY)
    try:
        t = time.perf_counter()
        preview = intake.preview_referral_file(session, path=source)
        preview_s = time.perf_counter() - t
        t = time.perf_counter()
        report = intake.import_referrals(session, path=source)
        import_s = time.perf_counter() - t
    finally:
        session.close()
    n = len(report.imported)
    print(f"  openpyxl raw read (same file)         {raw:8.2f} s   ({IMPORT_ROWS / raw:,.0f} rows/s)")
    print(f"  preview (read, check, match people)   {preview_s:8.2f} s   "
          f"({len(preview.rows):,} rows, {len(preview.problems)} problems)")  # fmt: skip
    print(f"  import (all rows, one transaction)    {import_s:8.2f} s   ({n / import_s:,.0f} rows/s; "
          f"{n:,} cases, {len(report.linked):,} linked; {import_s / raw:.1f}x raw read)")  # fmt: skip


def bench_statistics(workdir: Path, cases: int) -> None:
    from sqlalchemy import select

    from app.services import setup, statistics
    from app.storage.schema import case

    print(f"\n== Statistics ({cases:,}-case store) ==")
    path = build_store(workdir / "bench.rtdb", cases)
    session = setup.unlock(path, passphrase=PASSPHRASE, today_fn=lambda: TODAY)
    try:
        with session.view() as conn:  # the floor: every case row, no work
            t = time.perf_counter()
            rows = len(conn.execute(select(case)).all())
            raw = time.perf_counter() - t
        start, end = dt.date(TODAY.year - 1, TODAY.month, 1), TODAY
        t = time.perf_counter()
        stats = statistics.compute(session, start=start, end=end)
        compute_s = time.perf_counter() - t
        t = time.perf_counter()
        stats.published()
        publish_s = time.perf_counter() - t
        out = workdir / "statistics-bench.xlsx"
        t = time.perf_counter()
        statistics.write_return(session, start=start, end=end, out=out)
        write_s = time.perf_counter() - t
    finally:
        session.close()
    total = stats.breakdown("referrals_by_quarter").value("Total")
    print(f"  raw read of every case row            {raw * 1000:8.1f} ms  ({rows:,} rows)")
    print(f"  compute (gather + count), 12 months   {compute_s * 1000:8.1f} ms  ({total:,} referrals in period)")
    print(f"  suppression (published figures)      {publish_s * 1000:8.1f} ms")
    print(f"  XLSX return written (all of it)       {write_s * 1000:8.1f} ms")


def run(workdir: Path, cases: int = 10_000) -> None:
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    bench_import(workdir)
    bench_statistics(workdir, cases)


if __name__ == "__main__":
    run(Path(os.environ.get("BENCH_DIR", ".bench")).absolute(), int(os.environ.get("BENCH_CASES", "10000")))
