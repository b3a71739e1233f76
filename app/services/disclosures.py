"""The disclosure log: what was sent to whom, and when — read from the audit chain.

Job: ``disclosures(session, case=, agency=, member=, start=, end=)`` lists one row per disclosure
(a pack, plan, minutes, subject access report, exchange file, statistics return, saved
attachment: ``models.disclosures.KINDS``), newest first, with the cases it carried by ref, its
recipient and their agency by name, and who made it; ``write_log`` exports the rows chosen to
XLSX or PDF; ``history_lines`` gives a case's History the disclosures that carried it ("Pack
copy 3 for Jo Bloggs (Housing) printed on 12 March 2026 by Ann Coordinator.").

Invariants:
- A read model: every row is one audit entry of the chain, read when asked; nothing is stored,
  so the log cannot disagree with the audit log (``tests/services/test_disclosures.py`` drives
  each disclosing action and finds exactly one new row).
- A recipient is shown by name, never by id; a case by its ref ("a deleted case" once purged or
  evicted); an entry written before its kind recorded its cases says "not recorded".
- Periods are this computer's local days, inclusive; a bad filter is one sentence and nothing
  else happens.
- Exporting the log writes the file through the safe-file helper and audits the export
  (``disclosure-log``; format and row count) in the same transaction; the export of the log is not
  itself a disclosure row (it carries refs and names, no case content).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.models import disclosures as model
from app.models.dates import format_uk
from app.models.disclosures import DisclosureFacts, DisclosureLog, DisclosureRow
from app.models.documents import DocumentContext
from app.models.domain import AuditEntry
from app.models.enums import Marking
from app.models.errors import InvalidInput
from app.services.context import Session
from app.services.history import HistoryLine, long_date
from app.storage import disclosure_queries as q
from app.storage import meeting_queries, ref_queries, repo
from app.storage import partners as partner_store
from app.storage.db import Connection
from app.storage.files import write_file_atomic
from app.storage.sync import store as sync_store

DELETED_CASE = "a deleted case"
FORMER_MEMBER = "a former member"
SUBJECT = "The person it is about"
_MARKING_ORDER = (Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE, Marking.SECRET)


@dataclass(frozen=True)
class Filters:
    """The filters as chosen (resolved): ids for matching, words for the exported document."""

    case_id: str | None = None
    agency_id: str | None = None
    member_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    words: tuple[tuple[str, str], ...] = ()


def resolve_filters(
    session: Session, *, case: str | None = None, agency: str | None = None,
    member: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
) -> Filters:
    """The filters named by text (a case ref or id, an agency's name or short name, a member's
    name), each resolved as every command resolves it; one sentence when one is not found."""
    from app.services import cases as cases_svc
    from app.services import members as members_svc
    from app.services import panel as panel_svc

    if start is not None and end is not None and start > end:
        raise InvalidInput("The period ends before it starts: give a --from date on or before "
                           "the --to date.")
    words: list[tuple[str, str]] = []
    case_id = agency_id = member_id = None
    if case is not None and case.strip():
        found = cases_svc.resolve_case(session, case)
        case_id = str(found.id)
        words.append(("Case", found.ref))
    if agency is not None and agency.strip():
        a = panel_svc.resolve_agency(session, agency)
        agency_id = str(a.id)
        words.append(("Agency", a.name))
    if member is not None and member.strip():
        m = members_svc.resolve_member(session, member)
        member_id = str(m.id)
        words.append(("Member", m.name))
    if start is not None:
        words.append(("From", format_uk(start)))
    if end is not None:
        words.append(("To", format_uk(end)))
    return Filters(case_id, agency_id, member_id, start, end, tuple(words))


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


def _gather(session: Session, f: Filters, *, all_cases: bool = True) -> list[DisclosureFacts]:
    """The disclosures recorded in the audit log (only those carrying ``f.case_id`` if given;
    ``all_cases`` False: each of those lists that case alone, not every case it carried)."""
    since = None
    if f.start is not None:  # an entry is recorded at or after it happened: a safe lower bound
        since = _local_midnight(f.start).astimezone(dt.UTC).isoformat(timespec="milliseconds")
    with session.view() as conn:
        if f.case_id is None:
            found, carried = q.entries_and_bundle_cases(
                conn, [(k.action, k.entity) for k in model.KINDS], model.PART_OF_BUNDLE,
                since=since)
            facts = [model.read_entry(e, tuple(carried.get(e.record_id, ()))) for e in found]
        else:
            facts = _for_case(conn, f.case_id, all_cases=all_cases)
    return [x for x in facts if x is not None]


def _for_case(conn: Connection, case_id: str, *, all_cases: bool) -> list[DisclosureFacts | None]:
    """Through the record index only: the case's own entries, the entries naming it within their
    entity, and the exchange files its ``disclose`` entries belong to."""
    primary: list[AuditEntry] = []
    bundle_ids: set[str] = set()
    for k in model.KINDS:
        pair = (k.action, k.entity)
        if k.cases == model.CASES_RECORD:
            primary += q.entries_on(conn, pair, [case_id])
        elif k.cases == model.CASES_FIELDS:
            primary += q.entries_naming(conn, pair, f"case:{case_id}")
        elif k.cases == model.CASES_BUNDLE:
            for part in q.entries_on(conn, model.PART_OF_BUNDLE, [case_id]):
                bid = model.bundle_id_of(part)
                if bid:
                    bundle_ids.add(bid)
            primary += q.entries_on(conn, pair, bundle_ids)
    out: list[DisclosureFacts | None] = []
    for e in sorted({e.seq: e for e in primary}.values(), key=lambda e: e.seq):
        carried: tuple[str, ...] = ()
        n = model.bundle_case_count(e)
        kind = model.kind_of(e)
        if kind is not None and kind.cases == model.CASES_BUNDLE and not all_cases:
            carried = (case_id,)
        elif kind is not None and kind.cases == model.CASES_BUNDLE and n:
            found = q.bundle_cases_after(conn, model.PART_OF_BUNDLE, e.seq, n)
            carried = tuple(found.get(e.record_id, ()))
        out.append(model.read_entry(e, carried))
    return out


@dataclass
class _Names:
    members: dict[str, tuple[str, str, str]]  # member id -> (name, agency id, agency name)
    device_member: dict[str, str]
    refs: dict[str, str]
    meetings: dict[str, dt.date]
    partners: dict[str, tuple[str, str]]  # partner id -> (name, "Partner panel" or "Region")


def _names(session: Session, facts: Sequence[DisclosureFacts]) -> _Names:
    with session.view() as conn:
        agencies = {str(a.id): a.name for a in repo.agencies(conn)}
        members = {str(m.id): (m.name, str(m.agency_id), agencies.get(str(m.agency_id), ""))
                   for m in repo.members(conn)}
        devices = {str(d.id): str(d.member_id) for d in repo.devices(conn)}
        for t in sync_store.trusted(conn):  # a member store knows its coordinator from enrolment
            devices.setdefault(str(t.device_id), str(t.member_id))
            if str(t.member_id) not in members:
                members[str(t.member_id)] = (t.name, str(t.agency_id), t.agency_name)
        refs = ref_queries.case_refs(conn, {c for x in facts for c in x.case_ids})
        meetings: dict[str, dt.date] = {}
        for mid in {x.record_id for x in facts if x.kind.meeting}:
            m = meeting_queries.get_meeting(conn, mid)
            if m is not None:
                meetings[mid] = m.held_on
        found = partner_store.all_partners(conn)
    partners = {p.id: (p.name, "Region" if p.kind == "region" else "Partner panel") for p in found}
    return _Names(members, devices, {str(k): v for k, v in refs.items()}, meetings, partners)


def _recipient_member(x: DisclosureFacts, names: _Names) -> str | None:
    if x.to_member:
        return x.to_member
    if x.to_device:
        return names.device_member.get(x.to_device)
    return None


def _recipient(x: DisclosureFacts, names: _Names) -> tuple[str, str]:
    """(name, agency) of whom it went to; ("", "") for a document with no named recipient."""
    if x.kind.recipient == model.TO_SUBJECT:
        return SUBJECT, ""
    if x.kind.recipient == model.TO_NOBODY:
        return "", ""
    if x.kind.recipient == model.TO_PARTNER:
        return names.partners.get(x.to_partner or "", ("a partner no longer enrolled", ""))
    mid = _recipient_member(x, names)
    if mid is None:
        return ("an unknown workstation" if x.to_device else FORMER_MEMBER), ""
    name, _agency_id, agency = names.members.get(mid, (FORMER_MEMBER, "", ""))
    return name, agency


def _about(x: DisclosureFacts, names: _Names) -> str:
    d = dict(x.details)
    if x.kind.meeting:
        held = names.meetings.get(x.record_id)
        text = f"Meeting of {long_date(held)}" if held else "a deleted meeting"
        n = int(d.get("attachments", "0"))
        return text + (f", with {n} attached document{'s' if n != 1 else ''}" if n else "")
    if "period" in d:
        first, _, last = d["period"].partition("..")
        try:
            text = (f"{format_uk(dt.date.fromisoformat(first))} to "
                    f"{format_uk(dt.date.fromisoformat(last))}")
        except ValueError:
            text = d["period"]
        return text + (f", {d['format'].upper()}" if "format" in d else "")
    if "sequence" in d:
        return f"File no. {d['sequence']}"
    return ""


def _refs(x: DisclosureFacts, names: _Names) -> tuple[str, ...]:
    """The refs in ref order (RT-2026-9999 before RT-2026-10000), then any deleted cases."""
    known = sorted((names.refs[c] for c in x.case_ids if c in names.refs), key=ref_queries.ref_sort_key)
    return (*known, *[DELETED_CASE] * sum(c not in names.refs for c in x.case_ids))


def _row(x: DisclosureFacts, names: _Names) -> DisclosureRow:
    who, agency = _recipient(x, names)
    by = names.members.get(x.actor or "", (FORMER_MEMBER, "", ""))[0]
    return DisclosureRow(
        seq=x.seq, at=model.when(x).astimezone(), kind=x.kind.key, what=x.kind.label,
        about=_about(x, names),
        case_refs=_refs(x, names),
        cases_recorded=x.cases_recorded, recipient=who, recipient_agency=agency,
        copy_number=x.copy_number, by=by,
    )


def _chosen(x: DisclosureFacts, f: Filters, names: _Names) -> bool:
    if f.member_id is not None or f.agency_id is not None:
        mid = _recipient_member(x, names)
        if mid is None or (f.member_id is not None and mid != f.member_id):
            return False
        if f.agency_id is not None and names.members.get(mid, ("", "", ""))[1] != f.agency_id:
            return False
    when = model.when(x).astimezone()
    if f.start is not None and when < _local_midnight(f.start):
        return False
    return not (f.end is not None and when >= _local_midnight(f.end + dt.timedelta(days=1)))


def rows(session: Session, f: Filters, *, all_cases: bool = True) -> list[DisclosureRow]:
    """The rows the resolved filters choose, newest first (``all_cases``: see ``_gather``)."""
    facts = _gather(session, f, all_cases=all_cases)
    names = _names(session, facts)
    chosen = [_row(x, names) for x in facts if _chosen(x, f, names)]
    return sorted(chosen, key=lambda r: r.seq, reverse=True)


def disclosures(
    session: Session, *, case: str | None = None, agency: str | None = None,
    member: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
) -> list[DisclosureRow]:
    """One row per disclosure recorded on this store, newest first, filtered by case (ref or id),
    recipient's agency, recipient member and period (local days, inclusive)."""
    f = resolve_filters(session, case=case, agency=agency, member=member, start=start, end=end)
    return rows(session, f)


# --- a case's History --------------------------------------------------------------------------


def sentence(row: DisclosureRow, kind_key: str | None = None) -> str:
    """ "Pack copy 3 for Jo Bloggs (Housing) printed on 12 March 2026 by Ann Coordinator." """
    kind = model.BY_KEY[kind_key or row.kind]
    text = kind.short
    if row.copy_number is not None:
        text += f" copy {row.copy_number}"
    if kind.meeting and row.about and kind.recipient == model.TO_NOBODY:
        text += f" of the meeting of {row.about.removeprefix('Meeting of ')}"
    if row.recipient and kind.recipient != model.TO_SUBJECT:
        text += f" for {row.recipient}" + (f" ({row.recipient_agency})" if row.recipient_agency else "")
    return f"{text} {kind.verb} on {long_date(row.at.date())} by {row.by}."


def history_lines(session: Session, *, case_id: str) -> list[HistoryLine]:
    """The disclosures that carried the case, as History lines (newest first)."""
    return [HistoryLine(r.seq, r.at, r.by, sentence(r))
            for r in rows(session, Filters(case_id=case_id), all_cases=False)]


# --- export ------------------------------------------------------------------------------------

FORMATS = (".xlsx", ".pdf")


def _marking(session: Session, case_ids: Sequence[str]) -> Marking:
    from app.services.panel import get_settings

    with session.view() as conn:
        found = q.case_markings(conn, case_ids)
    levels = [get_settings(session).default_marking,
              *(Marking(m) for m in found if m in {x.value for x in Marking})]
    return max(levels, key=_MARKING_ORDER.index)


def write_log(session: Session, f: Filters, *, out: Path) -> Path:
    """Write the rows the filters choose to ``out`` (``.xlsx`` or ``.pdf`` by its suffix), marked
    as the panel's documents are; audited. Returns the absolute path written."""
    from app.reports.disclosures import render_disclosure_log
    from app.spreadsheets.disclosures import write_disclosure_xlsx

    out = Path(out)
    kind = out.suffix.casefold()
    if kind not in FORMATS:
        raise InvalidInput("Write the disclosure log as a .xlsx or .pdf file.")
    facts = _gather(session, f)
    names = _names(session, facts)
    chosen_facts = [x for x in facts if _chosen(x, f, names)]
    chosen = sorted((_row(x, names) for x in chosen_facts), key=lambda r: r.seq, reverse=True)
    marking = _marking(session, [c for x in chosen_facts for c in x.case_ids])
    log = DisclosureLog(rows=tuple(chosen), filters=f.words)
    ctx = DocumentContext(
        panel_name=session.workstation.panel_name or session.programme.name, marking=marking,
        author=session.me.name, recipient_name="", recipient_agency="", copy_number=None,
        generated_at=dt.datetime.now().astimezone().replace(microsecond=0),
        programme=session.programme,
    )
    data = (write_disclosure_xlsx(log, ctx) if kind == ".xlsx"
            else render_disclosure_log(log, ctx))
    with session.change() as w:
        # audited first, in the transaction: a file that cannot be written rolls the entry back
        w.record_event("disclosure-log", "store", session.store.store_id,
                       [f"format:{kind[1:]}", f"rows:{len(chosen)}"])
        return write_file_atomic(out, data)


__all__ = [
    "Filters",
    "disclosures",
    "history_lines",
    "resolve_filters",
    "rows",
    "sentence",
    "write_log",
]
