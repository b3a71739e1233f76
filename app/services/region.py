"""The regional return (issue 15): a panel's return for its region, and the region's roll-up.

- ``write_region_return(session, *, start, end, region, out) -> RegionReturnWritten`` — a panel's
  coordinator: the period's statistics as **unsuppressed** counts (``app.models.region``), signed
  and encrypted to the region enrolled as a partner of kind ``region`` (``app.sync.region_file``);
  audited as a disclosure in the same transaction as the file is written.
- ``import_returns(session, paths, *, start=None, end=None) -> list[ImportedReturn]`` — a region's
  store (role ``region``): every file checked before anything is kept; one refused file refuses the
  whole import, store unchanged: not a return, altered or damaged, not addressed to this region,
  from a panel not enrolled here, already imported (the same file, the same return, or another
  return of that panel for that period), for another programme, or for another period (than
  ``start``/``end`` when given, else than the other files of the import).
- ``returns_for(session, *, start, end) -> RegionalPeriod`` — the returns held for a period and
  the enrolled panels missing from it.
- ``write_regional_report(session, *, start, end, out) -> RegionalReportWritten`` — the regional
  return as ``.xlsx``, ``.csv`` or ``.pdf``: each panel a column, the region last, suppressed by
  the panel return's rule (``app.spreadsheets.region``); panels without a return are named on
  the cover (and in the notes). Audited as a disclosure.

Invariants: the returns' counts are kept only inside the encrypted store (the ``regional_return``
table); files are written only through ``write_file_atomic``; a refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.crypto.identity import PublicIdentity
from app.models import rules
from app.models.documents import StatisticsReportData, StatSeries, StatTable
from app.models.enums import Marking, Role
from app.models.errors import BundleRejected, InvalidInput, Refused
from app.models.partners import Partner
from app.models.region import PanelReturn, read_return_body, return_body
from app.models.statistics import CASE_FIELD_BREAKDOWN, PublishedStatistics
from app.models.statistics_compute import compute_statistics, timing_days
from app.services import statistics as stats_svc
from app.services.context import Session
from app.services.partners import list_partners, resolve_partner
from app.spreadsheets.region import AVAILABLE, RegionalTables, roll_up
from app.spreadsheets.returns import write_statistics_csv, write_statistics_xlsx
from app.storage import meta as meta_store
from app.storage import region as region_store
from app.storage.files import NotARegularFile, open_regular_file, write_file_atomic
from app.storage.sync.store import now_iso
from app.sync.region_file import (
    MAX_RETURN_BYTES,
    body_from_text,
    body_text,
    open_return,
    seal_return,
    signer_of,
)

#: a chart's label for a figure not shown: "<5" or "[c]" (the tables say which)
WITHHELD = "withheld"


@dataclass(frozen=True)
class RegionReturnWritten:
    path: Path
    region: str
    return_id: str
    referrals: int


@dataclass(frozen=True)
class ImportedReturn:
    return_id: str
    panel: str
    start: dt.date
    end: dt.date
    referrals: int


@dataclass(frozen=True)
class RegionalPeriod:
    returns: tuple[PanelReturn, ...]  # the panel names are those enrolled here
    missing: tuple[str, ...]  # enrolled panels without a return for the period


@dataclass(frozen=True)
class RegionalReportWritten:
    path: Path
    panels: int
    missing: tuple[str, ...]


def _identity(p: Partner) -> PublicIdentity:
    return PublicIdentity(sign_pub=p.sign_pub, enc_pub=p.enc_pub)


# --- at a panel ----------------------------------------------------------------------------------


def write_region_return(
    session: Session, *, start: dt.date, end: dt.date, region: str, out: Path
) -> RegionReturnWritten:
    """The panel's return for ``start..end`` (unsuppressed counts) for the region ``region``."""
    rules.check_role(session.me, Role.COORDINATOR, doing="write a return for the region")
    stats_svc._check_period(start, end)
    partner = resolve_partner(session, region)
    if partner.kind != "region":
        raise InvalidInput(f"{partner.name} is a partner panel, not a region: enrol the region's "
                           "card with “partner enrol CARD --fingerprint FPR --region”.")  # fmt: skip
    ws = session.workstation
    if partner.programme and partner.programme != ws.programme:
        raise Refused(f"{partner.name} collects returns of another programme than this panel's.")
    prog = session.programme
    cases = stats_svc.stats_cases(session, start=start, end=end)
    stats = compute_statistics(cases, start=start, end=end, programme=prog, today=session.today())
    with session.view() as conn:
        panel_id = meta_store.get(conn, "panel_id") or ws.store_id
    return_id = secrets.token_hex(16)
    body = return_body(
        stats, return_id=return_id, panel_id=panel_id, panel_name=ws.panel_name or prog.name,
        programme_id=ws.programme, days=timing_days(cases, start=start, end=end),
    )  # fmt: skip
    data = seal_return(
        body, signer=session.store.device_keys(), sender_device=ws.device_id,
        recipient_device=partner.device_id, recipient=_identity(partner),
        created=int(dt.datetime.now(dt.UTC).timestamp()),
    )  # fmt: skip
    with session.change() as w:
        # audited first, in the transaction: if the file cannot be written the entry is rolled back
        w.record_event("disclose", "regional-return", return_id,
                       [f"to:{partner.id}", f"period:{start.isoformat()}..{end.isoformat()}"])  # fmt: skip
        path = write_file_atomic(Path(out), data)
    return RegionReturnWritten(path, partner.name, return_id, stats.breakdown("case_progress").count_of("referrals"))


# --- at the region -------------------------------------------------------------------------------


def _may_collect(session: Session) -> None:
    rules.check_role(session.me, Role.REGION, doing="collect panels' returns (a region's store)")


def _read(path: Path) -> bytes:
    try:
        with open_regular_file(path) as f:
            data = f.read(MAX_RETURN_BYTES + 1)
    except NotARegularFile as exc:
        raise InvalidInput(f"{path.name} is not a regular file. Nothing was read.") from exc
    except OSError as exc:
        raise InvalidInput(f"{path.name} could not be read ({exc.strerror or 'error'}).") from exc
    if len(data) > MAX_RETURN_BYTES:
        raise InvalidInput(f"{path.name} is larger than a regional return may be.")
    return data


def _open_one(session: Session, path: Path, panels: list[Partner]) -> _Opened:
    """One file checked: the panel that signed it, its return, its body and the file's digest."""
    data = _read(path)
    try:
        key_id = signer_of(data)
    except BundleRejected as exc:
        raise Refused(f"{path.name} is not a regional return ({exc.user_message})") from exc
    panel = next((p for p in panels if _identity(p).key_id == key_id), None)
    if panel is None:
        raise Refused(f"{path.name} is from a panel this region has not enrolled: enrol its "
                      "coordinator's card first (partner enrol CARD --fingerprint FPR).")  # fmt: skip
    try:
        opened = open_return(data, sender_sign_pub=panel.sign_pub, sender_key_id=key_id,
                             me_device_id=session.workstation.device_id,
                             me=session.store.device_keys())  # fmt: skip
        ret = read_return_body(opened.body)
    except BundleRejected as exc:
        raise Refused(f"{path.name} was refused: {exc.user_message}") from exc
    except InvalidInput as exc:
        raise Refused(f"{path.name} was refused: {exc.user_message}") from exc
    if ret.programme != session.workstation.programme:
        raise Refused(f"{path.name} is a return of another programme ({ret.programme}) than this "
                      f"region's ({session.workstation.programme}).")  # fmt: skip
    return _Opened(path, panel, replace(ret, panel_name=panel.name), opened.body, opened.digest)


@dataclass(frozen=True)
class _Opened:
    path: Path
    panel: Partner
    ret: PanelReturn
    body: dict[str, Any]
    digest: str


def _period(r: PanelReturn) -> str:
    return f"{r.start.isoformat()} to {r.end.isoformat()}"


def import_returns(
    session: Session,
    paths: list[Path],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[ImportedReturn]:
    """Check every file, then keep them all in one transaction (or none; see the module doc)."""
    _may_collect(session)
    if not paths:
        raise InvalidInput("Name at least one return file to import.")
    panels = [p for p in list_partners(session) if p.kind == "panel"]
    opened = [_open_one(session, Path(path), panels) for path in paths]
    first = opened[0].ret
    wanted = (start, end) if start is not None and end is not None else (first.start, first.end)
    seen: dict[str, str] = {}
    for o in opened:
        if (o.ret.start, o.ret.end) != wanted:
            raise Refused(f"{o.path.name} is a return for {_period(o.ret)}, not for "
                          f"{wanted[0].isoformat()} to {wanted[1].isoformat()}: import one "
                          "period at a time.")  # fmt: skip
        if o.panel.id in seen:
            raise Refused(f"{o.path.name} and {seen[o.panel.id]} are both returns from "
                          f"{o.panel.name} for the same period.")  # fmt: skip
        seen[o.panel.id] = o.path.name
    stamp = now_iso()
    with session.change() as w:
        for o in opened:
            if region_store.find(w.conn, return_id=o.ret.return_id, digest=o.digest) is not None:
                raise Refused(f"{o.path.name} has already been imported.")
            if region_store.for_panel_and_period(w.conn, o.panel.id, o.ret.start.isoformat(),
                                                 o.ret.end.isoformat()) is not None:  # fmt: skip
                raise Refused(f"This region already holds a return from {o.panel.name} for "
                              f"{_period(o.ret)}; {o.path.name} was not imported.")  # fmt: skip
        for o in opened:
            region_store.add(w.conn, region_store.StoredReturn(
                o.ret.return_id, o.panel.id, o.panel.name, o.ret.programme,
                o.ret.start.isoformat(), o.ret.end.isoformat(), o.digest, body_text(o.body), stamp,
            ), imported_by=session.me.id)  # fmt: skip
            w.record_event("region-import", "regional-return", o.ret.return_id,
                           [f"panel:{o.panel.id}", f"period:{o.ret.start}..{o.ret.end}"])  # fmt: skip
    return [ImportedReturn(o.ret.return_id, o.panel.name, o.ret.start, o.ret.end,
                           o.ret.counts()["referrals"]) for o in opened]  # fmt: skip


def returns_for(session: Session, *, start: dt.date, end: dt.date) -> RegionalPeriod:
    """The returns held for exactly ``start..end``, and the enrolled panels without one."""
    _may_collect(session)
    stats_svc._check_period(start, end)
    with session.view() as conn:
        stored = region_store.for_period(conn, start.isoformat(), end.isoformat())
    names = {p.id: p.name for p in list_partners(session) if p.kind == "panel"}
    returns = tuple(
        replace(read_return_body(body_from_text(s.body)), panel_name=names.get(s.partner_id, s.panel_name))
        for s in stored
    )  # fmt: skip
    have = {s.partner_id for s in stored}
    missing = tuple(sorted((n for pid, n in names.items() if pid not in have), key=str.casefold))
    return RegionalPeriod(returns, missing)


def regional_tables(
    session: Session, *, start: dt.date, end: dt.date
) -> tuple[RegionalTables, RegionalPeriod]:
    """The roll-up of the returns held for ``start..end`` (raw: suppress with ``published()``)."""
    if not AVAILABLE:
        raise InvalidInput("The regional return needs pandas and numpy, which this installation of "
                           "Roundtable cannot load: reinstall Roundtable.")  # fmt: skip
    period = returns_for(session, start=start, end=end)
    if not period.returns:
        raise InvalidInput(f"No panel's return for {start.isoformat()} to {end.isoformat()} has "
                           "been imported (region import FILE...).")  # fmt: skip
    prog = session.programme
    tables = roll_up(
        period.returns, title=_title(session), today=session.today(),
        threshold=int(prog.statistics.get("suppress_below", 5)), missing=period.missing,
        programme=prog.name,
    )  # fmt: skip
    return tables, period


def _title(session: Session) -> str:
    return f"{session.workstation.panel_name or 'Region'}: regional statistics return"


def report_data(session: Session, published: PublishedStatistics) -> StatisticsReportData:
    """The PDF's input: charts and tables of the region's column, and the headline figures of
    each panel (all suppressed); the notes (the cover) name the panels without a return."""
    series = []
    fields = [b.key for b in published.breakdowns if b.key.startswith(CASE_FIELD_BREAKDOWN)]
    for key in (*stats_svc.CHARTED, *fields):
        try:
            b = published.breakdown(key)
        except KeyError:
            continue
        points = tuple((r.label, stats_svc._count(r.values[-1])) for r in b.rows if not r.is_total)
        series.append(StatSeries(b.title, points, value_label="Region", suppressed_label=WITHHELD))
    panels = published.breakdowns[0].columns[:-1]
    progress = published.breakdown("case_progress")
    first = progress.rows[0]
    series.insert(0, StatSeries("Referrals by panel", tuple(
        (name, stats_svc._count(v)) for name, v in zip(panels, first.values[:-1], strict=True)),
        value_label="Referrals", suppressed_label=WITHHELD))  # fmt: skip
    tables = [
        StatTable(b.title, tuple((r.label, r.values[-1]) for r in b.rows), value_heading="Region")
        for b in published.breakdowns
    ]
    tables += [
        StatTable(f"{row.label}, by panel",
                  (*tuple(zip(panels, row.values[:-1], strict=True)), ("Region", row.values[-1])),
                  label_heading="Panel", value_heading="Cases")
        for row in progress.rows
    ]  # fmt: skip
    return StatisticsReportData(
        context=stats_svc.return_context(session, "Region"),
        title="Regional statistics return",
        period_label=stats_svc.period_label(published.start, published.end),
        tables=tuple(tables),
        series=tuple(series),
        notes=published.notes[-2:] + published.notes[:-2],  # the panels first: the cover
    )


def write_regional_report(
    session: Session, *, start: dt.date, end: dt.date, out: Path
) -> RegionalReportWritten:
    """The regional return as ``.xlsx``, ``.csv`` or ``.pdf`` (by ``out``'s suffix), suppressed."""
    _may_collect(session)
    out = Path(out)
    kind = out.suffix.casefold()
    if kind not in stats_svc.FORMATS:
        raise InvalidInput("Write the regional return as a .xlsx, .csv or .pdf file.")
    if kind == ".pdf" and stats_svc.render_statistics is None:
        raise InvalidInput("PDF returns are not available in this build.")
    tables, period = regional_tables(session, start=start, end=end)
    published = tables.published()
    marking, title = Marking.default().value, _title(session)
    if kind == ".xlsx":
        data = write_statistics_xlsx(published, marking=marking, title=title)
    elif kind == ".csv":
        data = write_statistics_csv(published, marking=marking, title=title)
    else:
        data = stats_svc.render_statistics(report_data(session, published))
    with session.change() as w:
        w.record_event("disclose", "regional-statistics", secrets.token_hex(8),
                       [f"format:{kind[1:]}", f"period:{start.isoformat()}..{end.isoformat()}",
                        f"panels:{len(tables.names) - 1}"])  # fmt: skip
        path = write_file_atomic(out, data)
    return RegionalReportWritten(path, len(period.returns), period.missing)
