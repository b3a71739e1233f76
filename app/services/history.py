"""A case's history as sentences people read: "Status changed from Referred to Screening by Ann
Coordinator at 14:02 on 3/12/2026", in local time, in the programme's words.

Job: turn the tamper-evident audit entries of a case and its records (``panel.case_history``)
into one sentence each. The audit log names fields, never values; where a sentence needs a
value (a status change's from and to, a screening outcome) it is read from the record itself,
which this store may show (the case's own records). The disclosures that carried the case —
packs, minutes, exchange files… — are one sentence each from ``services.disclosures`` ("Pack copy
3 for Jo Bloggs (Housing) printed on 12 March 2026 by …"), in place of their raw entries.

Invariant: no sentence holds a field name, a record id or UTC; an unknown action still reads as a
sentence ("Retention delete of a referral by …").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models.disclosures import is_disclosure_entry
from app.models.domain import AuditEntry
from app.models.programme import Programme
from app.services.context import Session
from app.services.panel import case_history
from app.storage import meeting_queries, repo

# the record a history line is about, as a sentence names it
_THING = {
    "case": "the case",
    "subject": "the person's details",
    "referral": "the referral",
    "screening": "the screening decision",
    "assessment": "a risk assessment",
    "plan": "a plan",
    "consent": "consent",
    "contribution": "information",
    "action": "an action",
    "action_update": "an action update",
    "agenda_item": "an agenda item",
    "status_change": "a status change",
    "linked_person": "a linked person's details",
    "attachment": "an attached document",
}
# what changed, in words (fields of the case and its records)
_FIELD = {
    "status": "status",
    "lead_agency": "lead agency",
    "shared_with": "agencies shared with",
    "case_officer": "case officer",
    "next_review": "next review date",
    "marking": "protective marking",
    "closed": "closed date",
    "exited_on": "exit date",
    "opened": "opened date",
    "owner": "owner",
    "owner_agency": "owning agency",
    "due": "due date",
    "completed_on": "completion date",
    "approved_by": "approval",
    "approved_on": "approval date",
    "restricted_to": "restriction",
    "text": "text",
    "title": "title",
}
# sentences for whole actions: (action, entity) -> the start of the sentence
_DONE = {
    ("create", "case"): "Case opened",
    ("create", "referral"): "Referral recorded",
    ("create", "assessment"): "Risk assessment recorded",
    ("create", "plan"): "Plan written",
    ("approve", "plan"): "Plan approved",
    ("create", "consent"): "Consent recorded",
    ("create", "contribution"): "Information added",
    ("create", "action"): "Action raised",
    ("create", "action_update"): "Action progress recorded",
    ("create", "agenda_item"): "Put on a meeting's agenda",
    ("delete", "agenda_item"): "Taken off a meeting's agenda",
    ("view", "case"): "Case viewed",
    ("status", "case"): "Status changed",
    ("marking", "case"): "Protective marking changed",
    ("sharing", "case"): "Sharing with agencies changed",
    ("attach", "attachment"): "Document attached",
    ("view", "attachment"): "Attached document viewed",
    # transfers between panels (docs/sync.md); an offer and an acceptance are disclosures, told
    # by the disclosure log's line below
    ("transfer-accepted", "case"): "Transfer accepted by the partner panel",
    ("transfer-declined", "case"): "Transfer declined by the partner panel",
}


@dataclass(frozen=True)
class HistoryLine:
    seq: int
    at: dt.datetime  # local time
    who: str
    text: str  # the whole sentence


def local_time(iso: str) -> dt.datetime:
    """An audit time (ISO, UTC) in this computer's time zone."""
    t = dt.datetime.fromisoformat(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone()


def when_text(t: dt.datetime) -> str:
    return f"{t:%H:%M} on {t.day}/{t.month}/{t.year}"


def long_date(day: dt.date) -> str:
    """ "12 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def _fields(fields: tuple[str, ...]) -> str:
    words = [_FIELD.get(f, f.replace("_", " ")) for f in fields]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe(
    e: AuditEntry, who: str, *, programme: Programme, record: dict[str, object] | None = None
) -> str:
    """One sentence for an audit entry; ``record``: the record it is about, where a value is
    needed (a status change's from and to, a screening outcome)."""
    tail = f" by {who} at {when_text(local_time(e.at))}."
    r = record or {}
    if ((e.entity == "status_change" and e.action == "create") or e.action == "status") and r:
        old, new = str(r.get("from_status") or ""), str(r.get("to_status") or "")
        if old and new:
            held_on = r.get("meeting_held_on")  # a panel decision: the meeting it was taken at
            panel = (f", decided by the panel at the meeting of {long_date(held_on)},"
                     if isinstance(held_on, dt.date) else "")
            return (f"Status changed from {programme.status_label(old)} to "
                    f"{programme.status_label(new)}{panel}{tail}")
    if e.entity == "screening" and e.action == "create" and r.get("outcome"):
        outcome = str(r["outcome"])
        label = next((o.label for o in programme.screening_outcomes if o.id == outcome), outcome)
        return f"Screening decision recorded ({label}){tail}"
    if (e.action, e.entity) in _DONE:
        return _DONE[(e.action, e.entity)] + tail
    thing = _THING.get(e.entity, e.entity.replace("_", " "))
    if e.action == "update":
        changed = _fields(e.fields)
        if e.entity == "case":
            return f"Case {changed or 'details'} changed{tail}"
        return f"{thing[:1].upper()}{thing[1:]} changed{f' ({changed})' if changed else ''}{tail}"
    if e.action == "create":
        return f"{thing[:1].upper()}{thing[1:]} added{tail}"
    if e.action == "delete":
        return f"{thing[:1].upper()}{thing[1:]} deleted{tail}"
    action = e.action.replace("-", " ").replace("_", " ")
    return f"{action[:1].upper()}{action[1:]} of {thing}{tail}"


def _nearest(changes: list[dict[str, object]], at: dt.datetime) -> dict[str, object] | None:
    best: tuple[float, dict[str, object]] | None = None
    for c in changes:
        try:
            gap = abs((local_time(str(c.get("at"))) - at).total_seconds())
        except (TypeError, ValueError):
            continue
        if gap <= 5 and (best is None or gap < best[0]):
            best = (gap, c)
    return best[1] if best else None


def case_history_lines(session: Session, *, case_id: str) -> list[HistoryLine]:
    """The case's history, newest first, one sentence per audit entry, in local time."""
    entries = case_history(session, case_id=case_id)
    prog = session.programme
    with session.view() as conn:
        names = {str(m.id): m.name for m in repo.members(conn)}
        records: dict[tuple[str, str], dict[str, object]] = {}
        for e in entries:
            if e.entity in ("status_change", "screening") and e.action == "create":
                row = repo.get_row(conn, e.entity, e.record_id)
                if row is not None:
                    records[(e.entity, e.record_id)] = dict(row._mapping)
        changes = [dict(r._mapping) for r in repo.rows_for_case(conn, "status_change", case_id, "at")]
        # a panel decision names its meeting: the history says which, by its date
        for rec in (*records.values(), *changes):
            mid = rec.get("meeting_id")
            m = meeting_queries.get_meeting(conn, str(mid)) if mid else None
            if m is not None:
                rec["meeting_held_on"] = m.held_on
    # a status change is audited on the case ("status"); its from and to are on the
    # status_change record written in the same transaction, a moment later
    for e in entries:
        if e.action == "status" and e.entity == "case":
            match = _nearest(changes, local_time(e.at))
            if match is not None:
                records[(e.entity, e.record_id + f"#{e.seq}")] = match
    out = []
    for e in entries:
        if is_disclosure_entry(e):  # told once, as the disclosure that carried the case, below
            continue
        who = names.get(str(e.actor), "") if e.actor else ""
        who = who or "a former member"
        record = records.get((e.entity, e.record_id + f"#{e.seq}")) or records.get((e.entity, e.record_id))
        text = describe(e, who, programme=prog, record=record if e.action != "update" else None)
        out.append(HistoryLine(e.seq, local_time(e.at), who, text))
    from app.services import disclosures  # the disclosure log's lines (it uses this module)

    out += disclosures.history_lines(session, case_id=case_id)
    return sorted(out, key=lambda h: h.seq, reverse=True)


__all__ = ["HistoryLine", "case_history_lines", "describe", "local_time", "long_date", "when_text"]
