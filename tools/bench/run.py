"""`make bench`: every speed and memory figure of the performance envelope, each printed beside
the raw rate of the library underneath measured in the same run. Figures, never pass/fail."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ROUNDTABLE_NO_LOG", "1")

SECTIONS = (
    "tools.bench.store_bench",
    "tools.bench.reports_bench",
    "tools.bench.sync_bench",
    "tools.bench.spreadsheets_bench",
    "tools.bench.region_bench",
    "tools.bench.ui_bench",
    "tools.bench.bundle_bench",
    "tools.bench.attachment_bench",
)


def main() -> int:
    workdir = Path(os.environ.get("BENCH_DIR", ".bench")).absolute()
    workdir.mkdir(mode=0o700, exist_ok=True)
    cases = int(os.environ.get("BENCH_CASES", "10000"))
    print(f"Roundtable bench — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores — work dir {workdir}")
    for name in SECTIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"\n== {name.rsplit('.', 1)[-1]}: not available ==")
                continue
            raise
        try:
            module.run(workdir, cases=cases)
        except Exception as exc:  # a failing section must not hide the others
            print(f"  {name} failed: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
