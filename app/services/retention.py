"""Retention: which closed cases are due for deletion, and deleting one for real (docs/records.md).

Job: ``retention_review`` lists cases in a terminal status whose retention date (closed date plus
the programme's years for the case's retention class) has passed or falls within ``within_days``;
``purge_case`` deletes every record of one such case through the change-capturing ``Writer``
(tombstones that travel, one audit entry per record), drops the content the log of operations
still held of them, and records one ``retention-purge`` audit entry with counts and the reason.

Invariants:
- The retention class comes from data, never from a programme's name: a case that ever reached
  one of the programme's panel statuses takes the class of the screening outcomes that lead
  towards the panel (outcomes whose target status is not terminal); a case that never did takes
  the class of its latest screening outcome; with neither, the longest class (never early).
- Only the coordinator, on the hub, may review or purge. A purge before the retention date is
  refused, with the store unchanged, unless an ``override_reason`` is given (audited as
  ``retention-override``). A case that is not closed is never purged.
- Audit entries name ids, counts and the reasons typed by the coordinator; never a name.
- After the purge commits, the write-ahead log is checkpointed and truncated, so no earlier page
  image holding the case's content stays in the store's files (``secure_delete`` zeroes freed
  space in the database itself).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models import rules
from app.models.enums import Role
from app.models.errors import InvalidInput, NotFound, PermissionDenied, Refused
from app.models.fieldrules import check_text
from app.models.ids import CaseId
from app.models.programme import Programme
from app.services.context import Session
from app.storage import case_list, ref_queries, repo
from app.storage import retention_store as store
from app.storage.retention_store import ClosedCaseFacts

MAX_REASON = 2_000


@dataclass(frozen=True)
class RetentionItem:
    case_id: CaseId
    ref: str
    subject_name: str
    status: str
    outcome: str  # the label of the case's closing status ("Signposted to other services")
    retention_class: str
    closed: dt.date
    due: dt.date
    overdue: bool  # the retention date has passed (or is today)
    days_left: int  # negative once passed


@dataclass(frozen=True)
class PurgeResult:
    case_id: CaseId
    ref: str
    counts: dict[str, int]  # entity -> records deleted
    subject_deleted: bool
    ops_blanked: int
    overridden: bool


# --- the rule (pure) ----------------------------------------------------------------------------


def _longest(programme: Programme, classes: set[str]) -> str:
    known = [c for c in classes if c in programme.retention_years] or list(
        programme.retention_years
    )
    return max(sorted(known), key=lambda c: programme.retention_years[c])


def retention_class(
    programme: Programme, reached: frozenset[str] | set[str], outcomes: tuple[str, ...]
) -> str:
    """The retention class of a case from the statuses it reached and its screening outcomes."""
    by_id = {o.id: o for o in programme.screening_outcomes}
    if reached & set(programme.panel_statuses):
        onward = {
            o.retention
            for o in programme.screening_outcomes
            if not programme.status(o.target).terminal
        }
        return _longest(programme, onward)
    for outcome in reversed(outcomes):
        if outcome in by_id:
            return by_id[outcome].retention
    return _longest(programme, set())


def _terminal(programme: Programme) -> list[str]:
    return [s.id for s in programme.statuses if s.terminal]


def _closed_on(f: ClosedCaseFacts) -> dt.date:
    return f.closed or f.last_change or f.opened or dt.date.min


def _fields_of(session: Session, conn: object, facts: list[ClosedCaseFacts]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The case fields of each case's current assessment, when the programme has a date field
    that starts retention (``retention_from``); else nothing is read."""
    if not any(cf.retention_from for cf in session.programme.case_fields) or not facts:
        return {}
    rows = case_list.case_summaries(
        conn, [f.case_id for f in facts], today=session.today(),  # type: ignore[arg-type]
        status_label=session.programme.status_label, with_case_fields=True,
    )
    return {str(r.id): r.case_fields for r in rows}


def _item(
    programme: Programme, f: ClosedCaseFacts, today: dt.date, fields: tuple[tuple[str, str], ...] = ()
) -> RetentionItem:
    cls = retention_class(programme, f.reached, f.outcomes)
    # retention counts from the day the case closed, or from the end date the programme names
    # (``retention_from``: a registration, licence or order's end), the latest one recorded
    closed = rules.retention_start(programme, _closed_on(f), programme.case_field_values(fields))
    due = rules.retention_until(programme, closed, cls)
    return RetentionItem(
        case_id=CaseId(f.case_id),
        ref=f.ref,
        subject_name=f.subject_name,
        status=f.status,
        outcome=programme.status_label(f.status),
        retention_class=cls,
        closed=closed,
        due=due,
        overdue=due <= today,
        days_left=(due - today).days,
    )


def _check_coordinator(session: Session, doing: str) -> None:
    rules.check_role(session.me, Role.COORDINATOR, doing=doing)
    if not session.workstation.is_hub:
        raise PermissionDenied(f"Only the coordinator's workstation may {doing}.")


# --- use cases ----------------------------------------------------------------------------------


def retention_review(session: Session, *, within_days: int = 0) -> list[RetentionItem]:
    """Closed cases whose retention date has passed or falls within ``within_days`` of today,
    soonest first."""
    _check_coordinator(session, "review cases for deletion")
    if within_days < 0 or within_days > 36_500:
        raise InvalidInput("The number of days ahead must be between 0 and 36500.")
    prog, today = session.programme, session.today()
    horizon = today + dt.timedelta(days=within_days)
    with session.view() as conn:
        facts = store.closed_case_facts(conn, _terminal(prog))
        fields = _fields_of(session, conn, facts)
    items = [_item(prog, f, today, fields.get(f.case_id, ())) for f in facts]
    return sorted((i for i in items if i.due <= horizon), key=lambda i: (i.due, ref_queries.ref_sort_key(i.ref)))


def purge_case(
    session: Session, *, case_id: str, reason: str, override_reason: str | None = None
) -> PurgeResult:
    """Delete every record of a closed case whose retention date has passed (or with an override).

    Refusals (not the coordinator, not closed, not yet due without an override, no reason) leave
    the store unchanged."""
    _check_coordinator(session, "delete cases under the retention rules")
    reason = check_text(reason, "The reason for the deletion", required=True, limit=MAX_REASON)
    override = check_text(override_reason or "", "The reason for deleting early", limit=MAX_REASON)
    prog, today = session.programme, session.today()
    with session.view() as conn:
        case = repo.get_case(conn, case_id)
        if case is None:
            raise NotFound("There is no case with that id on this store.")
        if not prog.status(case.status).terminal:
            raise Refused("Only a closed case can be deleted under the retention rules.")
        facts = next(
            (f for f in store.closed_case_facts(conn, [case.status]) if f.case_id == case.id), None
        )
        fields = _fields_of(session, conn, [facts] if facts else [])
    if facts is None:  # pragma: no cover - the case was just read
        raise NotFound("There is no case with that id on this store.")
    item = _item(prog, facts, today, fields.get(facts.case_id, ()))
    if not item.overdue and not override:
        raise Refused(
            f"This case's retention date ({item.due.strftime('%d/%m/%Y')}) has not passed; "
            "give a reason to delete it early."
        )
    early = not item.overdue
    counts: dict[str, int] = {}
    subject_deleted = False
    with session.change() as w:
        conn = w.conn
        records = store.case_records(conn, case.id)
        orphan = (
            bool(case.subject_id)
            and not store.subject_in_other_use(conn, case.subject_id, case.id)
            and repo.get_row(conn, "subject", case.subject_id) is not None
        )
        doomed = [*records, ("case", str(case.id))]
        if orphan:
            doomed.append(("subject", str(case.subject_id)))
        # Content first: the ops written below (deletes) carry no values and stay as they are.
        blanked = store.drop_content(conn, case_id=case.id, records=doomed)
        for entity, rid in doomed:
            w.delete(entity, rid, audit_action="retention-delete")
            counts[entity] = counts.get(entity, 0) + 1
        subject_deleted = orphan
        if early:
            w.record_event(
                "retention-override",
                "case",
                case.id,
                [f"due:{item.due.isoformat()}", f"reason:{override}"],
            )
        w.record_event(
            "retention-purge",
            "case",
            case.id,
            [*(f"{e}:{n}" for e, n in sorted(counts.items())), f"reason:{reason}"],
        )
    session.store.db.checkpoint()
    return PurgeResult(
        case_id=case.id,
        ref=case.ref,
        counts=counts,
        subject_deleted=subject_deleted,
        ops_blanked=blanked,
        overridden=early,
    )
