"""Need-to-know for exchange files: which operations an agency may receive, and author.

Job: pure decisions, given facts the storage layer looked up (which cases are shared with an agency,
which subjects those cases name, which contributions are restricted away from it, who owns an
action). The coordinator's hub store holds everything; an agency's store holds only its scope.

Invariants:
- ``op_visible`` is the only test of "may this agency's store hold this op"; export filters with it
  and an agency's store re-checks its own scope on import (defence in depth).
- ``officer_may_author`` returns None when allowed, else a reason safe to show; it never allows an
  op on a hub-only entity or field, an op outside the author's agency's scope, an op claiming another
  origin or author, or a delete/evict/resolve.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from app.models.entities import KINDS, is_hub_only
from app.models.sync_ops import Op

# Records every store holds: the panel's registry entities and meetings (agenda items are scoped).
PANEL_WIDE = frozenset({"agency", "member", "device", "meeting", "attendance"})
# What a member who is not the coordinator may author, by role: entities they may create, and
# the fields they may set per entity. Everything else (access lists, registry, meetings) is the hub's.
_ACTION_FIELDS = frozenset({"status", "completed_on", "owner"})
_CREATE: dict[str, frozenset[str]] = {
    "officer": frozenset({"contribution", "action_update", "attachment"}),
    "chair": frozenset(
        {
            "contribution",
            "action_update",
            "attachment",
            "action",
            "assessment",
            "plan",
            "consent",
            "screening",
            "status_change",
        }
    ),
}
_SET: dict[str, dict[str, frozenset[str]]] = {
    "officer": {"action": _ACTION_FIELDS},
    "chair": {
        "action": _ACTION_FIELDS,
        "plan": frozenset({"approved_by", "approved_on"}),
        "case": frozenset({"status", "closed", "exited_on", "next_review", "case_officer"}),
    },
}
_AGENCY_STAMPED = frozenset({"contribution", "action_update", "attachment"})
# Records an originator may restrict to some agencies ("only these agencies"): hidden from others.
RESTRICTABLE = frozenset({"contribution", "attachment"})

def case_shared_with(shared_with_json: str | None, lead_agency: str | None, agency: str) -> bool:
    """Is a case (its stored ``shared_with`` JSON and lead agency) in ``agency``'s scope?"""
    if lead_agency == agency:
        return True
    try:
        shared = json.loads(shared_with_json) if shared_with_json else []
    except ValueError:
        return False
    return isinstance(shared, list) and agency in shared


def contribution_visible(author_agency: str | None, restricted_json: str | None, agency: str) -> bool:
    """Restricted items go only to the listed agencies; the originator always sees its own."""
    if author_agency == agency:
        return True
    try:
        restricted = json.loads(restricted_json) if restricted_json else []
    except ValueError:
        return False
    return not restricted or (isinstance(restricted, list) and agency in restricted)


@dataclass(frozen=True)
class Scope:
    """What one agency may hold: cases shared with it, their subjects, records restricted away."""

    agency: str
    cases: frozenset[str]
    subjects: frozenset[str]
    hidden: frozenset[str]  # contribution and attachment ids restricted to other agencies

    def op_visible(self, op: Op) -> bool:
        if op.entity in PANEL_WIDE:
            return True
        if op.entity == "subject":
            return op.record_id in self.subjects
        if op.entity == "case":
            return op.record_id in self.cases
        if op.entity == "agenda_item" and op.case_id is None:
            return True  # any other business: not about a case
        if op.case_id is None or op.case_id not in self.cases:
            return False
        return not (op.entity in RESTRICTABLE and op.record_id in self.hidden)


def subjects_of(case_subjects: Iterable[tuple[str, str | None]], cases: frozenset[str]) -> frozenset[str]:
    """Subjects named by the cases in scope (subject ops carry no case id)."""
    return frozenset(s for c, s in case_subjects if c in cases and s)


@dataclass(frozen=True)
class Author:
    """The workstation that signed a file, as the hub knows it."""

    device_id: str
    member_id: str
    agency_id: str
    role: str


def officer_may_author(
    op: Op,
    author: Author,
    *,
    case_in_scope: bool,
    owner_agency: str | None,
) -> str | None:
    """None if a non-coordinator ``author`` may author ``op``; else why not.

    ``case_in_scope``: the op's case is shared with the author's agency (hub's current state).
    ``owner_agency``: for action and action_update ops, the owning agency of the action.
    """
    if op.origin != author.device_id:
        return "it carries operations from another workstation"
    if op.author not in (None, author.member_id):
        return "it carries operations claiming another author"
    kind = KINDS[op.entity]
    if op.kind not in ("create", "set"):
        return f"a {author.role} may not {op.kind} records"
    if is_hub_only(kind, op.field):
        return f"only the coordinator may change {op.entity} records"
    role = author.role if author.role in _CREATE else "officer"
    if op.kind == "create" and op.entity not in _CREATE[role]:
        return f"a {role} may not create {op.entity} records"
    if op.kind == "set" and op.field not in _SET[role].get(op.entity, frozenset()):
        return f"a {role} may not change {op.entity}.{op.field}"
    if not case_in_scope:
        return "it changes a case that is not shared with the author's agency"
    needs_owner = op.entity == "action_update" or (op.entity == "action" and op.kind == "set")
    if needs_owner and owner_agency != author.agency_id:
        return "it updates an action another agency owns"
    if op.kind == "create":
        values = op.decoded()
        assert isinstance(values, dict)
        if op.entity in _AGENCY_STAMPED and values.get("agency_id") != author.agency_id:
            return "it records information in another agency's name"
        if values.get("case_id") != op.case_id:
            return "its case does not match its record"
        if values.get("author") not in (None, author.member_id) and op.entity in _AGENCY_STAMPED:
            return "it records information in another member's name"
    return None

__all__ = [
    "PANEL_WIDE",
    "RESTRICTABLE",
    "Author",
    "Scope",
    "case_shared_with",
    "contribution_visible",
    "officer_may_author",
    "subjects_of",
]
