"""Table models of the Exchange screen: members, import reports, open conflicts.

Job: turn the exchange service's frozen records (``PeerStatus``, ``ImportReport``,
``ConflictView``) into ``RowsModel`` columns, and word gaps, silence and outcomes the same way
everywhere (screen, tooltips, accessible text).

Invariants: every DisplayRole value is a plain string (names and imported values are painted as
text, never markup); times are shown in UK form (dd/mm/yyyy hh:mm, local time); a model never
touches the store.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject

from app.services.exchange import ConflictView, ImportReport, PeerStatus
from app.ui.itemmodels.rows import Column, RowsModel

# --- wording -------------------------------------------------------------------------------------
KIND_LABELS = {
    "concurrent": "Edited on two workstations",
    "fork": "Two new versions",
    "risk": "Two risk assessments",
    "edit-after-delete": "Edited after deletion",
}

ENTITY_LABELS = {
    "case": "Case", "subject": "Person", "referral": "Referral", "action": "Action",
    "action_update": "Action update", "contribution": "Contribution", "assessment": "Risk assessment",
    "plan": "Plan", "screening": "Screening", "consent": "Consent", "status_change": "Status change",
    "meeting": "Meeting", "agenda_item": "Agenda item", "attendance": "Attendance",
    "member": "Member", "agency": "Agency", "device": "Workstation",
    "linked_person": "Linked person", "attachment": "Attached document",
}

OUTCOMES = {  # outcome -> (label, chip kind)
    "applied": ("Imported", "ok"),
    "duplicate": ("Already imported", "muted"),
    "superseded": ("Older file", "muted"),
    "rejected": ("Rejected", "danger"),
    "kept-aside": ("Kept aside", "warn"),
}


def when(iso: str | None) -> str:
    """An ISO time as dd/mm/yyyy hh:mm in local time ("" for none)."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return ""
    if t.tzinfo is not None:
        t = t.astimezone()
    return t.strftime("%d/%m/%Y %H:%M")


def role_label(role: str) -> str:
    return role.replace("_", " ").capitalize()


def sent_text(p: PeerStatus) -> str:
    if not p.last_sent_at:
        return "Never"
    return f"File {p.last_sent_seq}\n{when(p.last_sent_at)}"


def received_text(p: PeerStatus) -> str:
    if not p.last_received_at:
        return "Never"
    return f"File {p.last_received_seq}\n{when(p.last_received_at)}"


def _who(p: PeerStatus) -> str:
    return p.agency_name or p.name or "this member"


def attention(p: PeerStatus) -> str:
    """Gaps and silence in words: "File 7 from Police not received", "Last file from Health: 12
    days ago"; "" when all is well."""
    parts = []
    if p.missing:
        nums = ", ".join(str(n) for n in p.missing)
        noun = "File" if len(p.missing) == 1 else "Files"
        parts.append(f"{noun} {nums} from {_who(p)} not received")
    if p.silent and p.silent_days is not None:
        parts.append(f"Last file from {_who(p)}: {p.silent_days} days ago")
    if p.status != "active":
        parts.insert(0, "Revoked: nothing is sent to it")
    return "; ".join(parts)


def attention_kind(p: PeerStatus) -> str:
    if p.status != "active" or p.missing:
        return "danger"
    if p.silent:
        return "warn"
    return "muted"


def status_cell(p: PeerStatus) -> str:
    """The Status column, short (the row names the member; ``attention`` has the sentence)."""
    if p.status != "active":
        return "Revoked"
    parts = []
    if p.missing:
        nums = ", ".join(str(n) for n in p.missing)
        parts.append(f"File {nums} not received" if len(p.missing) == 1 else f"Files {nums} not received")
    if p.silent and p.silent_days is not None:
        parts.append(f"Silent for {p.silent_days} days")
    if parts:
        return " \u00b7 ".join(parts)
    return "Active \u00b7 no file received yet" if not p.last_received_at else "Active \u00b7 up to date"


def status_kind(p: PeerStatus) -> str:
    kind = attention_kind(p)
    if kind != "muted":
        return kind
    return "ok" if p.last_received_at else "muted"


def fingerprint_lines(fingerprint: str) -> str:
    """Eight groups of five digits on two lines of four: easy to read aloud, half as wide."""
    groups = fingerprint.split()
    if len(groups) != 8:
        return fingerprint
    return " ".join(groups[:4]) + "\n" + " ".join(groups[4:])


def value_text(value: object) -> str:
    """A candidate's value as plain text (records: one "field: value" line each)."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if v in (None, "", [], {}):
                continue
            shown = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
            lines.append(f"{k.replace('_', ' ')}: {shown}")
        return "\n".join(lines) or "(empty)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def record_text(c: ConflictView) -> str:
    what = ENTITY_LABELS.get(c.entity, c.entity.replace("_", " ").capitalize())
    return f"{what} in {c.case_ref}" if c.case_ref else what


def field_text(c: ConflictView) -> str:
    return c.field.replace("_", " ") if c.field else "whole record"


# --- members ---------------------------------------------------------------------------------------
def members_model(parent: QObject | None = None) -> RowsModel[PeerStatus]:
    return RowsModel[PeerStatus](
        [
            Column("Member", lambda p: p.name),
            Column("Agency", lambda p: p.agency_name),
            Column("Role", lambda p: role_label(p.role)),
            Column("Fingerprint", lambda p: fingerprint_lines(p.fingerprint), sort=lambda p: p.fingerprint),
            Column("Last file sent", sent_text, sort=lambda p: p.last_sent_at or ""),
            Column("Last file received", received_text, sort=lambda p: p.last_received_at or ""),
            Column("Status", status_cell, kind=status_kind,
                   sort=lambda p: (attention_kind(p) != "danger", attention_kind(p) != "warn", p.name)),
        ],
        lambda p: p.member_id,
        parent,
    )


MEMBER_CHIP_COLUMNS = (6,)

# --- import reports ----------------------------------------------------------------------------------
_row_ids = itertools.count(1)


@dataclass(frozen=True)
class ImportRow:
    """One file's import, as the screen lists it (``source``: chosen | dropped | watched)."""

    report: ImportReport
    source: str = "chosen"
    at: str = field(default_factory=lambda: dt.datetime.now().strftime("%H:%M:%S"))
    id: str = field(default_factory=lambda: f"import-{next(_row_ids)}")

    @property
    def file(self) -> str:
        return Path(self.report.path).name


def outcome_label(r: ImportReport) -> str:
    if r.security_alert:
        return "Security alert"
    if r.audit_warning:
        return "Imported, audit warning"
    return OUTCOMES.get(r.outcome, (r.outcome, "info"))[0]


def outcome_kind(r: ImportReport) -> str:
    if r.security_alert or r.audit_warning:
        return "danger"
    return OUTCOMES.get(r.outcome, ("", "info"))[1]


def report_detail(row: ImportRow) -> str:
    """Everything about one import in sentences (for the detail line and screen readers)."""
    r = row.report
    head = f"{row.file}: {outcome_label(r)}."
    if r.sender_name:
        head += f" From {r.sender_name}, file {r.sequence}."
    if r.reason:
        head += f" {r.reason}"
    if r.audit_warning:
        head += f" Audit warning: {r.audit_warning}"
    if r.ok and r.outcome == "applied":
        head += (f" {r.applied} changes applied, {r.duplicates} already here, "
                 f"{len(r.conflicts_opened)} conflicts opened, {r.waiting} waiting for a record, "
                 f"{r.released} released, {r.evicted} cases withdrawn.")
    if r.refused:
        head += f" {len(r.refused)} changes refused: " + "; ".join(r.refused[:5])
        if len(r.refused) > 5:
            head += f"; and {len(r.refused) - 5} more"
    return head


def _n(value: int) -> str:
    return str(value)


def import_reports_model(parent: QObject | None = None) -> RowsModel[ImportRow]:
    def counted(fn: Callable[[ImportReport], int]) -> Callable[[ImportRow], str]:
        return lambda row: _n(fn(row.report)) if row.report.outcome == "applied" else ""

    return RowsModel[ImportRow](
        [
            Column("File", lambda row: row.file),
            Column("Outcome", lambda row: outcome_label(row.report), kind=lambda row: outcome_kind(row.report)),
            Column("Reason", lambda row: row.report.reason),
            Column("Applied", counted(lambda r: r.applied), sort=lambda row: row.report.applied, align_right=True),
            Column("Duplicates", counted(lambda r: r.duplicates), sort=lambda row: row.report.duplicates,
                   align_right=True),
            Column("Conflicts", counted(lambda r: len(r.conflicts_opened)),
                   sort=lambda row: len(row.report.conflicts_opened), align_right=True),
            Column("Waiting", counted(lambda r: r.waiting), sort=lambda row: row.report.waiting, align_right=True),
            Column("Evicted", counted(lambda r: r.evicted), sort=lambda row: row.report.evicted, align_right=True),
            Column("Refused", lambda row: _n(len(row.report.refused)) if row.report.refused else "",
                   sort=lambda row: len(row.report.refused), align_right=True),
        ],
        lambda row: row.id,
        parent,
    )


REPORT_CHIP_COLUMNS = (1,)


# --- conflicts -----------------------------------------------------------------------------------
def conflicts_model(parent: QObject | None = None) -> RowsModel[ConflictView]:
    return RowsModel[ConflictView](
        [
            Column("Record", record_text),
            Column("Field", field_text),
            Column("Kind", lambda c: KIND_LABELS.get(c.kind, c.kind), kind=lambda c: "warn"),
            Column("Versions", lambda c: str(len(c.candidates)), sort=lambda c: len(c.candidates),
                   align_right=True),
        ],
        lambda c: c.id,
        parent,
    )


CONFLICT_CHIP_COLUMNS = (2,)
