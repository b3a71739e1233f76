"""The disclosure log's vocabulary: which audit actions are disclosures, and what each one says.

Job: a *table* (``KINDS``) maps an audit entry's ``(action, entity)`` to a kind of disclosure —
its label, the verb a sentence uses, where its cases and its recipient are found in the entry —
and ``read_entry`` turns one audit entry into the facts of one disclosure (ids only; names are
the service's to look up). A new disclosing action is one more row in ``KINDS``, never an ``if``.

Invariants:
- The log is a read model over the audit chain, not a second record: every disclosure is exactly
  one audit entry (its *primary* entry); nothing here is stored.
- An exchange file's cases are not in its primary ``export`` entry but in the ``disclose`` entries
  on each case that the export appends straight after it in the same transaction
  (``PART_OF_BUNDLE``); they are read back by sequence number.
- Entries written before a field existed stay readable: a pack entry written before packs
  recorded their cases and copy number reads with no cases and no copy number; a bare member id
  in a pack entry is its recipient (as packs always recorded it).
- A disclosure recorded while the store could only be read (``read-only-at:``/``by:`` fields,
  docs/store.md) is dated when it happened and attributed to who did it.

No I/O here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models.domain import AuditEntry

# how a kind finds the cases it carried
CASES_RECORD = "record"  # the entry's record is the case
CASES_FIELDS = "fields"  # ``case:<id>`` fields
CASES_BUNDLE = "bundle"  # the ``disclose`` entries that follow the export entry
CASES_NONE = "none"  # aggregate figures: no case
# who it went to
TO_MEMBER = "member"  # a member id (``to:<member>`` or, in pack entries, a bare member id)
TO_DEVICE = "device"  # ``to:<device>``: the member whose workstation it was sealed for
TO_SUBJECT = "subject"  # the person the document is about (subject access)
TO_PARTNER = "partner"  # another panel or the region (``to-panel:<partner>`` or ``to:<partner>``)
TO_NOBODY = "none"  # no named recipient (a plan, minutes, a return)


@dataclass(frozen=True)
class DisclosureKind:
    action: str  # the audit action
    entity: str  # the audit entity
    key: str  # a stable name: "pack", "plan", … (JSON, filters)
    label: str  # "Meeting pack"
    short: str  # how a history sentence starts: "Pack"
    verb: str  # "printed", "sent", "saved"
    cases: str = CASES_FIELDS
    recipient: str = TO_NOBODY
    meeting: bool = False  # the entry's record is a meeting (its date is shown)
    # entries record ``cases:<n>`` beside their ``case:`` fields since issue 16; an older entry
    # without it did not record its cases at all
    counted: bool = False


#: Every disclosing action of the product. The order is the order of kinds in filters.
KINDS: tuple[DisclosureKind, ...] = (
    DisclosureKind("disclosure-pack", "meeting", "pack", "Meeting pack", "Pack", "printed",
                   recipient=TO_MEMBER, meeting=True, counted=True),
    DisclosureKind("disclosure-plan", "case", "plan", "Plan", "Plan", "printed",
                   cases=CASES_RECORD),
    DisclosureKind("disclosure-minutes", "meeting", "minutes", "Minutes", "Minutes", "printed",
                   meeting=True, counted=True),
    DisclosureKind("disclosure-minutes-summary", "meeting", "minutes-summary",
                   "Minutes (executive summary)", "Minutes (executive summary)", "printed",
                   meeting=True, counted=True),
    DisclosureKind("disclosure-subject-access", "subject", "subject-access",
                   "Subject access report", "Subject access report", "written",
                   recipient=TO_SUBJECT),
    DisclosureKind("export", "bundle", "bundle", "Exchange file", "Exchange file", "sent",
                   cases=CASES_BUNDLE, recipient=TO_DEVICE),
    DisclosureKind("disclose", "statistics", "statistics", "Statistics return",
                   "Statistics return", "written", cases=CASES_NONE),
    # issue 16, attachments: "Save a copy…" of an attached file (written by the attachments
    # service with the attachment's case as ``case:<id>``)
    DisclosureKind("disclosure-attachment", "attachment", "attachment", "Saved attachment",
                   "Attachment", "saved"),
    # issue 15: a case offered to a partner panel, accepted from one, an offer declined, and a
    # panel's unsuppressed return sealed for its region
    DisclosureKind("disclosure-transfer-offer", "case", "transfer-offer", "Transfer offer",
                   "Transfer offer", "sent", cases=CASES_RECORD, recipient=TO_PARTNER),
    DisclosureKind("disclosure-transfer-accept", "case", "transfer-accept",
                   "Transfer acceptance", "Transfer acceptance", "sent", cases=CASES_RECORD,
                   recipient=TO_PARTNER),
    DisclosureKind("disclosure-transfer-decline", "transfer", "transfer-decline",
                   "Transfer declined", "Transfer decline", "sent", cases=CASES_NONE,
                   recipient=TO_PARTNER),
    DisclosureKind("disclose", "regional-return", "regional-return", "Return for the region",
                   "Return for the region", "sent", cases=CASES_NONE, recipient=TO_PARTNER),
)
BY_ENTRY: dict[tuple[str, str], DisclosureKind] = {(k.action, k.entity): k for k in KINDS}
BY_KEY: dict[str, DisclosureKind] = {k.key: k for k in KINDS}
#: audit entries that are parts of a disclosure, not disclosures: a bundle's case
PART_OF_BUNDLE = ("disclose", "case")
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(k.action for k in KINDS))

def kind_of(entry: AuditEntry) -> DisclosureKind | None:
    return BY_ENTRY.get((entry.action, entry.entity))


def is_disclosure_entry(entry: AuditEntry) -> bool:
    """A disclosure's primary entry or a part of one (a bundle's case)."""
    return kind_of(entry) is not None or (entry.action, entry.entity) == PART_OF_BUNDLE


def field_values(fields: tuple[str, ...], name: str) -> list[str]:
    prefix = name + ":"
    return [f[len(prefix):] for f in fields if f.startswith(prefix)]


def field_value(fields: tuple[str, ...], name: str) -> str | None:
    found = field_values(fields, name)
    return found[0] if found else None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class DisclosureFacts:
    """One disclosure as its audit entry records it: ids, never names."""

    seq: int
    at: str  # ISO UTC: when it happened (for a late entry, when it was done, not recorded)
    kind: DisclosureKind
    record_id: str  # the meeting, case, subject, bundle… the entry is on
    actor: str | None  # the member who made it
    case_ids: tuple[str, ...]
    to_member: str | None = None
    to_device: str | None = None
    to_partner: str | None = None
    copy_number: int | None = None
    cases_recorded: bool = True  # False: an entry from before its kind recorded its cases
    details: tuple[tuple[str, str], ...] = ()  # other facts of the entry ("period", "format"…)


def bundle_id_of(part: AuditEntry) -> str | None:
    return field_value(part.fields, "bundle")


def read_entry(entry: AuditEntry, bundle_cases: tuple[str, ...] = ()) -> DisclosureFacts | None:
    """The disclosure an audit entry records, or None when it records none.

    ``bundle_cases``: for an ``export`` entry, the cases of the ``disclose`` entries that name its
    bundle (read by ``storage.disclosure_queries``)."""
    kind = kind_of(entry)
    if kind is None:
        return None
    fields = entry.fields
    at = field_value(fields, "read-only-at") or entry.at
    actor = field_value(fields, "by") or (str(entry.actor) if entry.actor else None)
    recorded = True
    if kind.cases == CASES_RECORD:
        cases: tuple[str, ...] = (entry.record_id,)
    elif kind.cases == CASES_FIELDS:
        cases = tuple(field_values(fields, "case"))
        recorded = bool(cases) or not kind.counted or field_value(fields, "cases") is not None
    elif kind.cases == CASES_BUNDLE:
        cases = bundle_cases
    else:
        cases = ()
    to_member = to_device = to_partner = None
    if kind.recipient == TO_PARTNER:
        to_partner = field_value(fields, "to-panel") or field_value(fields, "to")
    elif kind.recipient == TO_MEMBER:
        # ``to:<member>``, or the one field that is not ``name:value`` (how packs name theirs)
        to_member = field_value(fields, "to") or next((f for f in fields if ":" not in f), None)
    elif kind.recipient == TO_DEVICE:
        to_device = field_value(fields, "to")
    details = tuple(
        (name, value)
        for f in fields
        for name, sep, value in [f.partition(":")]
        if sep and name in ("format", "period", "sequence", "operations", "evicted")
    )
    attached = len(field_values(fields, "attachment"))  # a pack's appendix of attached documents
    if attached and kind.key != "attachment":
        details += (("attachments", str(attached)),)
    return DisclosureFacts(
        seq=entry.seq, at=at, kind=kind, record_id=entry.record_id, actor=actor,
        case_ids=tuple(dict.fromkeys(cases)), to_member=to_member, to_device=to_device,
        to_partner=to_partner,
        copy_number=_int(field_value(fields, "copy")), cases_recorded=recorded, details=details,
    )


def when(facts: DisclosureFacts) -> dt.datetime:
    """When it happened, as an aware UTC time."""
    t = dt.datetime.fromisoformat(facts.at)
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def bundle_case_count(entry: AuditEntry) -> int:
    """How many ``disclose`` entries follow an ``export`` entry (its ``cases:`` field)."""
    return _int(field_value(entry.fields, "cases")) or 0


__all__ = [
    "ACTIONS",
    "BY_ENTRY",
    "BY_KEY",
    "KINDS",
    "PART_OF_BUNDLE",
    "DisclosureFacts",
    "DisclosureKind",
    "DisclosureLog",
    "DisclosureRow",
    "bundle_case_count",
    "field_value",
    "field_values",
    "is_disclosure_entry",
    "kind_of",
    "read_entry",
    "when",
]


@dataclass(frozen=True)
class DisclosureRow:
    """One row of the disclosure log as people read it: names and refs, never an id."""

    seq: int  # the audit entry that records it
    at: dt.datetime  # when, in local time
    kind: str  # DisclosureKind.key
    what: str  # "Meeting pack"
    about: str  # "Meeting of 12 March 2026", "1/4/2026 to 30/6/2026, xlsx", ""
    case_refs: tuple[str, ...]  # refs of the cases it carried ("a deleted case" if gone)
    cases_recorded: bool  # False: an entry from before its kind recorded its cases
    recipient: str  # the recipient's name; "" when the document has no named recipient
    recipient_agency: str
    copy_number: int | None
    by: str  # who made it

    @property
    def cases_text(self) -> str:
        if not self.cases_recorded:
            return "not recorded"
        return ", ".join(self.case_refs)


@dataclass(frozen=True)
class DisclosureLog:
    """The log as a document: its rows and the filters that chose them, in words."""

    rows: tuple[DisclosureRow, ...]
    filters: tuple[tuple[str, str], ...]  # ("Agency", "Housing"), ("From", "1/3/2026")…
