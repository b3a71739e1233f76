"""Benchmarks for ``make bench``: the raw ReportLab page rate and a 40-case meeting pack.

Job: give the figure our documents should be compared with (plain canvas pages of text with the
same embedded font, no layout) beside the time of a real pack built from the sample factory. Both
run in memory and write nothing.
"""

from __future__ import annotations

import io
import re
import time

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.reports.fonts import REGULAR, register_fonts

_LINE = "Łukasz Nowak, Zoë Price-Davies, Siobhán Ó Súilleabháin: actions reviewed at panel. "


def raw_page_rate(n_pages: int = 200) -> float:
    """Pages per second for plain canvas pages, each with 50 lines of text in the embedded font."""
    register_fonts()
    buf = io.BytesIO()
    start = time.perf_counter()
    c = Canvas(buf, pagesize=A4, invariant=1)
    for page in range(n_pages):
        c.setFont(REGULAR, 9)
        for line in range(50):
            c.drawString(56, 780 - line * 14, f"{page}.{line} {_LINE}")
        c.showPage()
    c.save()
    return n_pages / (time.perf_counter() - start)


def time_pack(n_cases: int = 40) -> tuple[float, int]:
    """(seconds, pages) for an ``n_cases`` meeting pack from sample data (data built first)."""
    from app.reports.pack import render_meeting_pack
    from tools.samples.documents import sample_pack

    data = sample_pack(n_cases)
    register_fonts()
    start = time.perf_counter()
    pdf = render_meeting_pack(data)
    seconds = time.perf_counter() - start
    return seconds, len(re.findall(rb"/Type /Page[^s]", pdf))


def time_plan() -> float:
    """Seconds to render one risk-management plan from sample data."""
    from app.reports.plan import render_plan
    from tools.samples.documents import sample_plan

    data = sample_plan()
    register_fonts()
    start = time.perf_counter()
    render_plan(data)
    return time.perf_counter() - start


def main() -> None:
    rate = raw_page_rate()
    secs, pages = time_pack()
    print(f"reportlab raw rate   {rate:8.0f} pages/s")
    print(
        f"meeting pack 40 cases {secs:7.2f} s for {pages} pages "
        f"({pages / secs:.0f} pages/s, {rate / (pages / secs):.1f}x the raw cost per page)"
    )
    print(f"risk-management plan  {time_plan():7.3f} s")


if __name__ == "__main__":
    main()
