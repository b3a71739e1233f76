"""Render every document from fictional sample data to PDF, and to PNG pages where pdftoppm exists.

Used by ``make screenshots``:  python tools/render_sample_reports.py OUTDIR
Writes pack.pdf (3 cases, an education recipient's copy), plan.pdf (not yet approved),
minutes.pdf, minutes-summary.pdf and statistics.pdf, then OUTDIR/png/NAME-N.png at 60 dpi; and
one meeting's pack for two recipients (pack-copy-chair.pdf, pack-copy-housing.pdf) with the agenda
page of each as png/pack-copy-*-agenda.png (the same numbers on both; withheld items say so).
``--language cy|bilingual`` renders them in Welsh, or both with the Welsh first (docs/i18n.md).
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

from app.config.i18n import Language, _, using_language  # noqa: E402
from app.reports.minutes import render_minutes  # noqa: E402
from app.reports.pack import render_meeting_pack  # noqa: E402
from app.reports.plan import render_plan  # noqa: E402
from app.reports.statistics import render_statistics  # noqa: E402
from tools.samples.documents import (  # noqa: E402
    sample_minutes,
    sample_pack,
    sample_pack_copies,
    sample_plan,
    sample_statistics,
)


def render_all(out: Path, *, dpi: int = 60, language: Language = Language.EN) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    lang = language
    docs = {
        "pack": render_meeting_pack(sample_pack(3), language=lang),
        "plan": render_plan(sample_plan(approved=False), language=lang),
        "minutes": render_minutes(sample_minutes(), summary=False, language=lang),
        "minutes-summary": render_minutes(sample_minutes(), summary=True, language=lang),
        "statistics": render_statistics(sample_statistics(), language=lang),
    }
    written = []
    for name, pdf in docs.items():
        path = out / f"{name}.pdf"
        path.write_bytes(pdf)
        written.append(path)
    copies = []  # one meeting's pack for two recipients: the chair's and a housing officer's
    for who, data in zip(("chair", "housing"), sample_pack_copies(), strict=True):
        path = out / f"pack-copy-{who}.pdf"
        path.write_bytes(render_meeting_pack(data, language=lang))
        copies.append(path)
    written += copies
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm not found (apt-get install poppler-utils): PDFs written, PNGs skipped")
        return written
    png = out / "png"
    png.mkdir(exist_ok=True)
    for path in [p for p in written if p not in copies]:
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(path), str(png / path.stem)],
                       check=True)
    for path in copies:  # the agenda page of each copy, side by side in the room
        page = str(agenda_page(path, lang))
        subprocess.run([pdftoppm, "-png", "-r", str(max(dpi, 80)), "-f", page, "-l", page,
                        "-singlefile", str(path), str(png / f"{path.stem}-agenda")], check=True)
    written += sorted(png.glob("*.png"))
    return written


def agenda_page(path: Path, language: Language = Language.EN) -> int:
    """The 1-based page of a pack that starts its agenda (the first after the contents)."""
    import pypdf

    with using_language(language):
        contents, agenda = _("Contents"), _("Agenda")
    for n, page in enumerate(pypdf.PdfReader(path).pages, start=1):
        text = page.extract_text() or ""
        if contents not in text and any(line.strip() == agenda for line in text.splitlines()):
            return n
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--language", choices=[x.value for x in Language], default="en")
    args = parser.parse_args(argv)
    for path in render_all(args.outdir, dpi=args.dpi, language=Language(args.language)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
