"""The store's schema: SQLAlchemy Core tables, and the entity registry that drives change capture.

Every synchronised entity is a table with a text ``id`` and plain columns; ``ENTITIES`` says how each
field is encoded and which merge rule it follows. Infrastructure tables (``meta``, ``op_log``,
``field_state``, ``audit`` ...) are not entities and never travel. Invariant: a column of an entity
table is changed only by ``storage.writer.Writer`` (local change) or ``storage.apply`` (sync), both of
which record an operation and an audit entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    literal_column,
)

from app.models.entities import FIELDS, FieldKind, Rule

metadata = MetaData()


@dataclass(frozen=True)
class EntitySpec:
    name: str
    table: Table
    fields: dict[str, FieldKind]
    rule: Rule  # register: per-field last-writer-wins; immutable: created once, edits are new versions
    case_field: str | None  # how to find the case a record belongs to (None: panel-wide)
    hub_only: frozenset[str] = frozenset()  # fields only the coordinator may author ("*" = all)
    parent: tuple[str, str] | None = (
        None  # (entity, field) when the case is reached through a parent
    )


def _entity(name: str, fields: dict[str, FieldKind], **kw: object) -> Table:
    cols: list[Column[object]] = [Column("id", Text, primary_key=True)]
    for fname, kind in fields.items():
        coltype = {
            "str": Text,
            "date": Text,
            "int": Integer,
            "bool": Boolean,
            "json": Text,
        }[kind]
        cols.append(Column(fname, coltype, nullable=True))
    return Table(name, metadata, *cols)


_F = FIELDS  # the field registry lives in app.models.entities (shared with sync)

agency = _entity("agency", _F["agency"])
member = _entity("member", _F["member"])
device = _entity("device", _F["device"])
subject = _entity("subject", _F["subject"])
case = _entity("case", _F["case"])
referral = _entity("referral", _F["referral"])
status_change = _entity("status_change", _F["status_change"])
screening = _entity("screening", _F["screening"])
consent = _entity("consent", _F["consent"])
assessment = _entity("assessment", _F["assessment"])
plan = _entity("plan", _F["plan"])
action = _entity("action", _F["action"])
action_update = _entity("action_update", _F["action_update"])
contribution = _entity("contribution", _F["contribution"])
meeting = _entity("meeting", _F["meeting"])
attendance = _entity("attendance", _F["attendance"])
agenda_item = _entity("agenda_item", _F["agenda_item"])
linked_person = _entity("linked_person", _F["linked_person"])
attachment = _entity("attachment", _F["attachment"])

Index("ix_case_subject", case.c.subject_id)
Index("ix_case_status", case.c.status)
Index("ix_case_ref", case.c.ref, unique=True)
# refs in year-then-number order (migration 0004; ``ref_queries.ref_order``)
Index(
    "ix_case_ref_order",
    func.substr(case.c.ref, literal_column("1"), literal_column("8")),
    func.length(case.c.ref),
    case.c.ref,
)
Index("ix_subject_search", subject.c.search_key)
Index("ix_subject_dob", subject.c.date_of_birth)
Index("ix_referral_case", referral.c.case_id)
Index("ix_status_change_case", status_change.c.case_id)
Index("ix_screening_case", screening.c.case_id)
Index("ix_consent_case", consent.c.case_id)
Index("ix_assessment_case", assessment.c.case_id, assessment.c.version)
Index("ix_plan_case", plan.c.case_id, plan.c.version)
Index("ix_action_case", action.c.case_id)
Index("ix_action_owner", action.c.owner_agency, action.c.status, action.c.due)
Index("ix_action_update_action", action_update.c.action_id)
Index("ix_contribution_case", contribution.c.case_id)
Index("ix_attendance_meeting", attendance.c.meeting_id)
Index("ix_agenda_meeting", agenda_item.c.meeting_id, agenda_item.c.position)
Index("ix_agenda_case", agenda_item.c.case_id)
Index("ix_linked_person_case", linked_person.c.case_id)
Index("ix_linked_person_search", linked_person.c.search_key)
Index("ix_linked_person_dob", linked_person.c.date_of_birth)
Index("ix_attachment_case", attachment.c.case_id)
Index("ix_member_agency", member.c.agency_id)
Index("ix_device_member", device.c.member_id)

_HUB_ALL = frozenset({"*"})

ENTITIES: dict[str, EntitySpec] = {
    "agency": EntitySpec("agency", agency, _F["agency"], "register", None, _HUB_ALL),
    "member": EntitySpec("member", member, _F["member"], "register", None, _HUB_ALL),
    "device": EntitySpec("device", device, _F["device"], "register", None, _HUB_ALL),
    "subject": EntitySpec("subject", subject, _F["subject"], "register", None),
    "case": EntitySpec(
        "case",
        case,
        _F["case"],
        "register",
        "id",
        frozenset({"shared_with", "lead_agency", "marking", "ref", "programme", "subject_id"}),
    ),
    "referral": EntitySpec("referral", referral, _F["referral"], "register", "case_id"),
    "status_change": EntitySpec(
        "status_change", status_change, _F["status_change"], "immutable", "case_id"
    ),
    "screening": EntitySpec("screening", screening, _F["screening"], "immutable", "case_id"),
    "consent": EntitySpec("consent", consent, _F["consent"], "immutable", "case_id"),
    "assessment": EntitySpec("assessment", assessment, _F["assessment"], "immutable", "case_id"),
    "plan": EntitySpec("plan", plan, _F["plan"], "register", "case_id"),
    "action": EntitySpec("action", action, _F["action"], "register", "case_id"),
    "action_update": EntitySpec(
        "action_update", action_update, _F["action_update"], "immutable", "case_id"
    ),
    "contribution": EntitySpec(
        "contribution", contribution, _F["contribution"], "immutable", "case_id"
    ),
    "meeting": EntitySpec("meeting", meeting, _F["meeting"], "register", None, _HUB_ALL),
    "attendance": EntitySpec(
        "attendance", attendance, _F["attendance"], "register", None, _HUB_ALL
    ),
    "agenda_item": EntitySpec(
        "agenda_item", agenda_item, _F["agenda_item"], "register", "case_id", _HUB_ALL
    ),
    "linked_person": EntitySpec(
        "linked_person", linked_person, _F["linked_person"], "register", "case_id"
    ),
    "attachment": EntitySpec(
        "attachment", attachment, _F["attachment"], "immutable", "case_id"
    ),
}

# --- infrastructure --------------------------------------------------------------------------

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

secret = Table(  # this workstation's private keys; only ever inside the encrypted store
    "secret",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

op_log = Table(
    "op_log",
    metadata,
    Column("op_id", Text, primary_key=True),
    Column("origin", Text, nullable=False),
    Column("epoch", Integer, nullable=False),
    Column("counter", Integer, nullable=False),
    Column("hlc", Integer, nullable=False),
    Column("kind", Text, nullable=False),  # create | set | delete | evict | resolve
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("field", Text, nullable=True),
    Column("value", Text, nullable=True),  # canonical JSON
    Column("prev", Text, nullable=True),
    Column("case_id", Text, nullable=True),
    Column("author", Text, nullable=True),  # member id
    Column("received", Integer, nullable=False),  # local arrival order
)
Index("ix_op_origin", op_log.c.origin, op_log.c.epoch, op_log.c.counter, unique=True)
Index("ix_op_record", op_log.c.entity, op_log.c.record_id)
Index("ix_op_case", op_log.c.case_id)
Index("ix_op_received", op_log.c.received)

def _winner_table(name: str, *key: str) -> Table:
    """A table of winning ops, keyed by (entity, record_id, *key): which op, at what clock, from
    which workstation."""
    return Table(
        name,
        metadata,
        Column("entity", Text, primary_key=True),
        Column("record_id", Text, primary_key=True),
        *(Column(k, Text, primary_key=True) for k in key),
        Column("op_id", Text, nullable=False),
        Column("hlc", Integer, nullable=False),
        Column("origin", Text, nullable=False),
    )


# the winning op of every (entity, record, field) register
field_state = _winner_table("field_state", "field")
# the op that created each record; a field with no field_state row has it as winner
record_state = _winner_table("record_state")

tombstone = Table(
    "tombstone",
    metadata,
    Column("entity", Text, primary_key=True),
    Column("record_id", Text, primary_key=True),
    Column("op_id", Text, nullable=False),
    Column("hlc", Integer, nullable=False),
    Column("case_id", Text, nullable=True),
)

conflict = Table(
    "conflict",
    metadata,
    Column("id", Text, primary_key=True),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("field", Text, nullable=True),
    Column("kind", Text, nullable=False),  # concurrent | fork | edit-after-delete | risk
    Column("candidates", Text, nullable=False),  # JSON list of op ids
    Column("case_id", Text, nullable=True),
    Column("status", Text, nullable=False),  # open | resolved
    Column("resolved_by", Text, nullable=True),
)
Index("ix_conflict_status", conflict.c.status)

subject_identifier = Table(  # local lookup kept by triggers (migration 0003); never travels
    "subject_identifier",
    metadata,
    Column("value", Text, primary_key=True),
    Column("subject_id", Text, primary_key=True),
)
Index("ix_subject_identifier_subject", subject_identifier.c.subject_id)

# The content of attachments (migration 0011): 1 MiB pieces, in order, inside the encrypted store.
# Not an entity: a trigger removes an attachment's pieces when its record is deleted (eviction,
# retention purge), and exchange files carry them after the ops (docs/sync.md, "Attachments").
attachment_chunk = Table(
    "attachment_chunk",
    metadata,
    Column("attachment_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=True),
    Column("device", Text, nullable=True),
    Column("action", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("fields", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
)
Index("ix_audit_record", audit.c.entity, audit.c.record_id)

# The exchange tables live in their own module; importing it here makes ``metadata`` complete
# whenever the schema is imported (migrations, the schema-equals-models test, create_all).
from app.storage import partners as _partners  # noqa: E402, F401
from app.storage import region as _region  # noqa: E402, F401
from app.storage import transfers as _transfers  # noqa: E402, F401
from app.storage.sync import tables as _sync_tables  # noqa: E402, F401
