"""The PyInstaller bundle (``make dist``), when it has been built: its size on disk, its largest
parts, and the frozen start-up time of ``roundtable --version`` beside the same command run from
the source tree (``python -m app --version``)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "Roundtable"
RUNS = 5


def _size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def _startup(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(first run, median of the rest) in seconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def run(workdir: Path, *, cases: int) -> None:
    print("\n== bundle ==")
    exe = BUNDLE / ("roundtable.exe" if sys.platform == "win32" else "roundtable")
    if not exe.exists():
        print(f"  no bundle at {BUNDLE} (make dist builds it)")
        return
    total = _size(BUNDLE)
    files = sum(1 for p in BUNDLE.rglob("*") if p.is_file())
    print(f"  size on disk         {total / 2**20:7.1f} MiB in {files} files")
    internal = BUNDLE / "_internal"
    parts = sorted(((_size(p), p.name) for p in internal.iterdir()), reverse=True)[:6]
    for size, name in parts:
        print(f"    {name:<28} {size / 2**20:7.1f} MiB")
    env = {**os.environ, "ROUNDTABLE_NO_LOG": "1", "ROUNDTABLE_DATA_DIR": str(workdir / "bundle")}
    first, warm = _startup([str(exe), "--version"], env)
    print(f"  frozen start-up      {warm:7.3f} s  (roundtable --version, median of {RUNS - 1}; "
          f"first run {first:.3f} s)")  # fmt: skip
    first, warm = _startup([sys.executable, "-m", "app", "--version"], env)
    print(f"  source start-up      {warm:7.3f} s  (python -m app --version; first run {first:.3f} s)")
