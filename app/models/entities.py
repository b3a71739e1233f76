"""The synchronised entities as plain data: field kinds, merge rule, case link and hub-only fields.

Job: one registry shared by ``storage.schema`` (which builds tables from it) and ``sync`` (which
validates and scopes operations with it), so that neither imports the other. No I/O.
Invariants: ``FIELDS`` is the single source of every entity's field names and kinds; ``KINDS``
mirrors the rule, case link and hub-only fields of ``storage.schema.ENTITIES`` (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["str", "date", "int", "bool", "json"]
Rule = Literal["register", "immutable"]

FIELDS: dict[str, dict[str, FieldKind]] = {
    "agency": {"name": "str", "short": "str", "sector": "str", "is_police": "bool", "area": "str"},
    "member": {
        "name": "str",
        "agency_id": "str",
        "role": "str",
        "email": "str",
        "status": "str",
        "area": "str",
    },
    "device": {
        "member_id": "str",
        "sign_pub": "str",
        "enc_pub": "str",
        "fingerprint": "str",
        "status": "str",
        "revoked_from_seq": "int",
    },
    "subject": {
        "forenames": "str",
        "surname": "str",
        "aliases": "json",
        "date_of_birth": "date",
        "gender": "str",
        "ethnicity": "str",
        "address": "str",
        "postcode": "str",
        "area": "str",
        "identifiers": "json",
        "vulnerabilities": "str",
        "search_key": "str",
    },
    # a person linked to a case besides its subject (a programme's ``linked_roles``): travels,
    # is scoped and evicted with its case (``case_id``)
    "linked_person": {
        "case_id": "str",
        "role": "str",
        "forenames": "str",
        "surname": "str",
        "aliases": "json",
        "date_of_birth": "date",
        "gender": "str",
        "identifiers": "json",
        "notes": "str",
        "search_key": "str",
    },
    "case": {
        "ref": "str",
        "subject_id": "str",
        "programme": "str",
        "status": "str",
        "lead_agency": "str",
        "case_officer": "str",
        "shared_with": "json",
        "marking": "str",
        "opened": "date",
        "closed": "date",
        "exited_on": "date",
        "next_review": "date",
    },
    "referral": {
        "case_id": "str",
        "subject_id": "str",
        "received": "date",
        "referrer": "str",
        "sector": "str",
        "concern": "str",
        "narrative": "str",
    },
    "status_change": {
        "case_id": "str",
        "at": "str",
        "from_status": "str",
        "to_status": "str",
        "rationale": "str",
        "member_id": "str",
        "meeting_id": "str",  # the meeting a panel decision was taken at (else empty)
    },
    "screening": {
        "case_id": "str",
        "outcome": "str",
        "rationale": "str",
        "decided_by": "str",
        "decided_on": "date",
    },
    "consent": {
        "case_id": "str",
        "state": "str",
        "given_by": "str",
        "recorded_on": "date",
        "notes": "str",
        "reassess_on": "date",
    },
    "assessment": {
        "case_id": "str",
        "version": "int",
        "factors": "json",
        "dimension_summaries": "json",
        "overall": "str",
        "risk_level": "str",
        "risk_rank": "int",
        "author": "str",
        "assessed_on": "date",
        "supersedes": "str",
    },
    "plan": {
        "case_id": "str",
        "version": "int",
        "risk": "json",
        "objectives": "json",
        "contingency": "str",
        "review_on": "date",
        "author": "str",
        "created_on": "date",
        "supersedes": "str",
        "approved_by": "str",
        "approved_on": "date",
    },
    "action": {
        "case_id": "str",
        "title": "str",
        "owner_agency": "str",
        "owner": "str",
        "due": "date",
        "status": "str",
        "created_on": "date",
        "meeting_id": "str",
        "completed_on": "date",
    },
    "action_update": {
        "action_id": "str",
        "case_id": "str",
        "status": "str",
        "note": "str",
        "author": "str",
        "agency_id": "str",
        "at": "str",
    },
    "contribution": {
        "case_id": "str",
        "agency_id": "str",
        "author": "str",
        "text": "str",
        "recorded_on": "date",
        "marking": "str",
        "restricted_to": "json",
        "kind": "str",
        "supersedes": "str",
    },
    # a document attached to a case (issue 16): its metadata travels as an immutable record; its
    # content lives in ``attachment_chunk`` and travels after the ops (docs/store.md, "Attachments")
    "attachment": {
        "case_id": "str",
        "agency_id": "str",
        "author": "str",
        "attached_at": "str",
        "description": "str",
        "filename": "str",
        "media_type": "str",
        "size": "int",
        "sha256": "str",
        "restricted_to": "json",
    },
    "meeting": {
        "held_on": "date",
        "time": "str",
        "venue": "str",
        "chair": "str",
        "status": "str",
        "distribution": "json",
        "confidentiality_read": "bool",
    },
    "attendance": {
        "meeting_id": "str",
        "member_id": "str",
        "attendance": "str",
        "confidentiality_agreed": "bool",
    },
    "agenda_item": {
        "meeting_id": "str",
        "position": "int",
        "kind": "str",
        "case_id": "str",
        "title": "str",
        "discussion": "str",
        "decision": "str",
        "rationale": "str",
        "dissent": "str",
        "method": "str",
    },
}


@dataclass(frozen=True)
class EntityKind:
    name: str
    fields: dict[str, FieldKind]
    rule: Rule  # register: per-field last-writer-wins; immutable: created once, edits are versions
    case_field: str | None  # the field naming the record's case ("id": the case; None: panel-wide)
    hub_only: frozenset[str] = frozenset()  # fields only the coordinator may author ("*" = all)


HUB_ALL = frozenset({"*"})
_CASE_HUB_ONLY = frozenset(
    {"shared_with", "lead_agency", "marking", "ref", "programme", "subject_id"}
)
_IMMUTABLE = frozenset(
    {"status_change", "screening", "consent", "assessment", "action_update", "contribution",
     "attachment"}
)
_CASE_FIELD: dict[str, str | None] = {
    "agency": None,
    "member": None,
    "device": None,
    "subject": None,
    "case": "id",
    "meeting": None,
    "attendance": None,
}
_HUB_ONLY: dict[str, frozenset[str]] = {
    "agency": HUB_ALL,
    "member": HUB_ALL,
    "device": HUB_ALL,
    "case": _CASE_HUB_ONLY,
    "meeting": HUB_ALL,
    "attendance": HUB_ALL,
    "agenda_item": HUB_ALL,
}

KINDS: dict[str, EntityKind] = {
    name: EntityKind(
        name=name,
        fields=fields,
        rule="immutable" if name in _IMMUTABLE else "register",
        case_field=_CASE_FIELD.get(name, "case_id"),
        hub_only=_HUB_ONLY.get(name, frozenset()),
    )
    for name, fields in FIELDS.items()
}


def is_hub_only(kind: EntityKind, field: str | None) -> bool:
    """May only the coordinator author this field (``None``: the whole record)?"""
    if "*" in kind.hub_only:
        return True
    return field is not None and field in kind.hub_only


# Free text a person wrote, as opposed to coded values (statuses, ids, dates, markings). Only these
# may be "kept both" or merged when two workstations changed them concurrently.
FREE_TEXT_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("action", "title"),
        ("referral", "narrative"),
        ("referral", "referrer"),
        ("subject", "address"),
        ("subject", "vulnerabilities"),
        ("linked_person", "notes"),
        ("meeting", "venue"),
        ("agenda_item", "title"),
        ("agenda_item", "discussion"),
        ("agenda_item", "decision"),
        ("agenda_item", "rationale"),
        ("agenda_item", "dissent"),
        ("plan", "contingency"),
        ("consent", "notes"),
    }
)


def is_free_text(entity: str, field: str | None) -> bool:
    return field is not None and (entity, field) in FREE_TEXT_FIELDS
