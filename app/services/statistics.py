"""Statistics for a period: raw figures for the screen, and the suppressed return for others.

Job: gather one ``StatsCase`` per case this store may show (``app.storage.stats_queries``), compute
the period's statistics (``app.models.statistics``), and write the return as XLSX, CSV or PDF.

Invariants:
- :func:`compute` returns raw :class:`Statistics`, for the screen only (small counts visible).
- :func:`write_return` writes only ``Statistics.published()`` (counts 1–4 shown as "<5", totals
  protected): the writers and the PDF builder never see a raw number.
- The file is written through ``write_file_atomic`` only, and the disclosure is audited (format
  and period; never the file name) in the same call. Nothing is written when anything is refused.
- Only the coordinator and the chair produce statistics.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace
from pathlib import Path

from app.models import rules
from app.models.dates import format_uk
from app.models.documents import DocumentContext, StatisticsReportData, StatSeries, StatTable
from app.models.enums import Marking, Role
from app.models.errors import InvalidInput
from app.models.statistics import (
    CASE_FIELD_BREAKDOWN,
    PublishedBreakdown,
    PublishedStatistics,
    Statistics,
    StatsCase,
)
from app.models.statistics_compute import compute_statistics
from app.services import linked_people
from app.services.cases import case_reach
from app.services.context import Session
from app.spreadsheets.returns import write_statistics_csv, write_statistics_xlsx
from app.storage import stats_queries
from app.storage.files import write_file_atomic

FORMATS = (".xlsx", ".csv", ".pdf")
#: breakdowns drawn as charts in the PDF (and on the Reports screen), then one per case field
CHARTED = (
    "referrals_by_month", "referrals_by_sector", "referrals_by_concern", "referrals_by_age",
    "screening_outcomes",
)  # fmt: skip

try:  # the statistics PDF is built by app.reports; a build without it refuses PDF returns
    from app.reports.statistics import render_statistics
except ImportError:  # pragma: no cover - depends on the build
    render_statistics = None  # type: ignore[assignment]


def _check_period(start: dt.date, end: dt.date) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise InvalidInput("The period needs a start date and an end date.")
    if start > end:
        raise InvalidInput("The start of the period is after its end.")
    if start.year < 1900:
        raise InvalidInput("The start of the period is before 1900.")


def _may_produce(session: Session) -> None:
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="produce statistics")


def compute(session: Session, *, start: dt.date, end: dt.date) -> Statistics:
    """The raw statistics of ``start..end`` (inclusive), for the screen only."""
    _may_produce(session)
    _check_period(start, end)
    cases = stats_cases(session, start=start, end=end)
    return compute_statistics(
        cases, start=start, end=end, programme=session.programme, today=session.today()
    )


def stats_cases(session: Session, *, start: dt.date, end: dt.date) -> list[StatsCase]:
    """One ``StatsCase`` per case this store may show (the input of every statistic); for a
    programme that counts repeats, those heard at a meeting in ``start..end`` are marked when they
    are repeats under its rule (``linked_people.repeat_cases``)."""
    prog = session.programme
    with session.view() as conn:
        visible = case_reach(session, conn)
        cases = list(
            stats_queries.stats_cases(
                conn,
                adopted_status=prog.adopted_status,
                visible_to=visible,
                with_case_fields=bool(prog.case_fields),
            )
        )
        if prog.intervals.repeat_referral_months is not None:  # the repeat line: heard in the period
            heard = [c.case_id for c in cases if any(start <= d <= end for d in c.heard_on)]
            repeats = linked_people.repeat_cases(session, conn, heard)
            cases = [replace(c, repeat=c.case_id in repeats) for c in cases]
    return cases


def return_context(session: Session, fallback_name: str) -> DocumentContext:
    """The context of a statistics return: the panel's (or ``fallback_name``'s) name, the default
    marking, the author, no named recipient (a return goes to whoever compiles the figures)."""
    return DocumentContext(
        panel_name=session.workstation.panel_name or fallback_name,
        marking=Marking.default(),
        author=session.me.name,
        recipient_name="",
        recipient_agency="",
        copy_number=None,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        programme=session.programme,
    )


def return_title(session: Session) -> str:
    return f"{session.workstation.panel_name or session.programme.name}: statistics return"


def period_label(start: dt.date, end: dt.date) -> str:
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _tables(b: PublishedBreakdown) -> list[StatTable]:
    """One table per column of a breakdown (the PDF's tables are label -> value)."""
    out = []
    for i, column in enumerate(b.columns):
        title = b.title if len(b.columns) == 1 else f"{b.title}: {column}"
        out.append(
            StatTable(
                title=title,
                rows=tuple((r.label, r.values[i]) for r in b.rows),
                value_heading=column,
            )
        )
    return out


def report_data(session: Session, published: PublishedStatistics) -> StatisticsReportData:
    """The statistics PDF's input, from suppressed figures only (suppressed bars are None)."""
    series = []
    fields = [b.key for b in published.breakdowns if b.key.startswith(CASE_FIELD_BREAKDOWN)]
    for key in (*CHARTED, *fields):
        try:
            b = published.breakdown(key)
        except KeyError:
            continue
        points = tuple((r.label, _count(r.values[0])) for r in b.rows if not r.is_total)
        series.append(StatSeries(b.title, points, value_label=b.columns[0]))
    tables = [t for b in published.breakdowns for t in _tables(b)]
    return StatisticsReportData(
        context=return_context(session, session.programme.name),
        title="Statistics return",
        period_label=period_label(published.start, published.end),
        tables=tuple(tables),
        series=tuple(series),
        notes=published.notes,
    )


def write_return(session: Session, *, start: dt.date, end: dt.date, out: Path) -> Path:
    """Write the suppressed return for ``start..end`` to ``out`` (``.xlsx``, ``.csv`` or
    ``.pdf`` by its suffix); audited as a disclosure. Returns the absolute path written."""
    out = Path(out)
    kind = out.suffix.casefold()
    if kind not in FORMATS:
        raise InvalidInput("Write the statistics return as a .xlsx, .csv or .pdf file.")
    if kind == ".pdf" and render_statistics is None:
        raise InvalidInput("PDF returns are not available in this build.")
    published = compute(session, start=start, end=end).published()
    marking = Marking.default().value
    title = return_title(session)
    if kind == ".xlsx":
        data = write_statistics_xlsx(published, marking=marking, title=title)
    elif kind == ".csv":
        data = write_statistics_csv(published, marking=marking, title=title)
    else:
        data = render_statistics(report_data(session, published))
    with session.change() as w:
        # Audit first, in the transaction; if the file cannot be written the entry is rolled back.
        w.record_event(
            "disclose",
            "statistics",
            secrets.token_hex(8),
            [f"format:{kind[1:]}", f"period:{start.isoformat()}..{end.isoformat()}"],
        )
        return write_file_atomic(out, data)


def describe_period(start: dt.date, end: dt.date) -> str:
    return f"{format_uk(start)} to {format_uk(end)}"
