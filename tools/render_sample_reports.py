"""Render every document from fictional sample data to PDF, and to PNG pages where pdftoppm exists.

Used by ``make screenshots``:  python tools/render_sample_reports.py OUTDIR
Writes pack.pdf (3 cases, an education recipient's copy), plan.pdf (not yet approved),
minutes.pdf, minutes-summary.pdf and statistics.pdf, then OUTDIR/png/NAME-N.png at 60 dpi.
Sample data only: nothing here reads a store.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere in the checkout
    sys.path.insert(0, str(ROOT))

from app.reports.minutes import render_minutes  # noqa: E402
from app.reports.pack import render_meeting_pack  # noqa: E402
from app.reports.plan import render_plan  # noqa: E402
from app.reports.sample_documents import (  # noqa: E402
    sample_minutes,
    sample_pack,
    sample_plan,
    sample_statistics,
)
from app.reports.statistics import render_statistics  # noqa: E402


def render_all(out: Path, *, dpi: int = 60) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    docs = {
        "pack": render_meeting_pack(sample_pack(3)),
        "plan": render_plan(sample_plan(approved=False)),
        "minutes": render_minutes(sample_minutes(), summary=False),
        "minutes-summary": render_minutes(sample_minutes(), summary=True),
        "statistics": render_statistics(sample_statistics()),
    }
    written = []
    for name, pdf in docs.items():
        path = out / f"{name}.pdf"
        path.write_bytes(pdf)
        written.append(path)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm not found (apt-get install poppler-utils): PDFs written, PNGs skipped")
        return written
    png = out / "png"
    png.mkdir(exist_ok=True)
    for path in list(written):
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(path), str(png / path.stem)],
                       check=True)
    written += sorted(png.glob("*.png"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    for path in render_all(args.outdir, dpi=args.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
