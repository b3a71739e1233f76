"""Printed documents from the store: meeting packs (one per recipient, ``packs``), plans
(``plans``), minutes (``minutes``) and subject access reports (``subject_access``).

This package holds what they share: the document's context and marking, the meeting's facts cut
to what this store may show, and writing a file with its disclosure.

Job: gather the plain input of ``app.models.documents`` from the store, apply need-to-know for
the recipient, render it with ``app.reports``, write the PDF with ``write_file_atomic`` and record
each document in the audit log as a disclosure (what, to whom, when).

Invariants:
- Need-to-know is applied here, *before* layout. A pack for a member of agency A holds only the
  agenda cases A may see (``rules.agency_may_see_case`` with ``is_hub=False``, whatever the
  printing store is) and only the contributions A may see. Agenda items, minutes and actions about
  any other case are left out entirely, and so are those cases' refs and subjects' names (they are
  never put in ``Names``). The executive summary of minutes gets no subject names, discussion,
  rationale or dissent at all.
- Every refusal (unknown meeting, member or case; empty agenda; recipient not on the distribution;
  no plan yet; an output path that cannot be written) is raised before anything is rendered or
  written: no file, no audit entry, the store unchanged.
- A document is audited in the same transaction that writes its file, after the file is written;
  if that transaction fails the file is removed, so a file on disk always has its disclosure.
- ``write_all_packs`` is all or nothing: every pack is rendered in memory first (with progress and
  cancellation), then all files are written and audited in one transaction; any failure removes
  the files already written (a file of the same name that was there before is then gone too).
- No Qt and no SQL here: the store is read through ``app.storage.repo``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.models import rules
from app.models.documents import DocumentContext, Names
from app.models.domain import Case
from app.models.enums import Marking
from app.models.errors import FileWriteError, InvalidInput, NotFound
from app.models.ids import CaseId, MemberId
from app.services.cases import case_reach
from app.services.context import Session
from app.services.panel import get_settings
from app.storage import document_queries as queries
from app.storage.document_queries import CaseFacts, MeetingFacts
from app.storage.files import write_file_atomic

MAX_NAME_IN_FILE = 60
_MARKING_ORDER = (Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE, Marking.SECRET)


@dataclass(frozen=True)
class PackRecipient:
    """One member on a meeting's distribution, with the copy number their pack carries."""

    member_id: MemberId
    name: str
    agency: str
    copy_number: int



# --- reading ---------------------------------------------------------------------------------


def store_may_see(session: Session, case: Case, reach: rules.Reach | None) -> bool:
    also = reach.cases if reach is not None else frozenset()
    return rules.agency_may_see_case(case, session.agency.id, is_hub=reach is None, also=also)


def meeting_facts(session: Session, meeting_id: str) -> MeetingFacts:
    """The meeting's facts, holding only the cases this store may show."""
    with session.view() as conn:
        facts = queries.meeting_facts(conn, meeting_id)
        reach = case_reach(session, conn)
    if facts is None:
        raise NotFound("There is no such meeting.")
    if not facts.meeting.agenda:
        raise InvalidInput("That meeting has no agenda yet: add cases or other business first.")
    cases = {c: f for c, f in facts.cases.items() if store_may_see(session, f.case, reach)}
    return replace(facts, cases=cases)



# --- building the documents' data ------------------------------------------------------------


def document_context(
    session: Session, marking: Marking, recipient: PackRecipient | None = None
) -> DocumentContext:
    return DocumentContext(
        panel_name=session.workstation.panel_name,
        marking=marking,
        author=session.me.name,
        recipient_name=recipient.name if recipient else "",
        recipient_agency=recipient.agency if recipient else "",
        copy_number=recipient.copy_number if recipient else None,
        generated_at=dt.datetime.now().astimezone().replace(microsecond=0),
        programme=session.programme,
    )


def document_marking(session: Session, cases: Sequence[Case]) -> Marking:
    """The panel's default marking, raised to the highest marking of any case shown."""
    levels = [get_settings(session).default_marking, *(c.marking for c in cases)]
    return max(levels, key=_MARKING_ORDER.index)


def names_for(facts: MeetingFacts, cases: dict[CaseId, CaseFacts]) -> Names:
    return Names(
        members={m.id: m.name for m in facts.members.values()},
        agencies={a.id: a.name for a in facts.agencies.values()},
        cases={cid: f"{f.case.ref}  {f.subject.display_name}" for cid, f in cases.items()},
    )



# --- writing ---------------------------------------------------------------------------------


def check_target(out: Path) -> Path:
    out = Path(out).expanduser().absolute()
    if out.is_dir():
        raise FileWriteError(f"{out} is a folder, not a file.")
    check_folder(out.parent)
    return out


def check_folder(folder: Path) -> Path:
    folder = Path(folder).expanduser().absolute()
    if not folder.is_dir():
        raise FileWriteError(f"The folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileWriteError(f"Roundtable may not write in {folder}.")
    return folder


Disclosure = tuple[str, str, str, list[str]]  # action, entity, record id, fields


def carried(case_ids: Iterable[str]) -> list[str]:
    """The audit fields naming the cases a document carried (the disclosure log reads them)."""
    ids = sorted(set(case_ids))
    return [f"cases:{len(ids)}", *(f"case:{c}" for c in ids)]


def write_audited(session: Session, files: Sequence[tuple[Path, bytes, Disclosure]]) -> list[Path]:
    """Write every file and record its disclosure in one transaction; on failure remove them."""
    written: list[Path] = []
    try:
        with session.change() as w:
            for path, pdf, (action, entity, record_id, fields) in files:
                written.append(write_file_atomic(path, pdf))
                w.record_event(action, entity, record_id, fields)
    except BaseException:
        for p in written:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    return written


def safe_file_name(text: str, *, limit: int = MAX_NAME_IN_FILE) -> str:
    """A person's name made safe as part of a file name on any system."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else " " for ch in text
    )
    text = re.sub(r'[\\/:*?"<>|]+', "_", text)
    text = re.sub(r"\s+", " ", text).strip().lstrip(". _-").rstrip(". ")
    return text[:limit].rstrip(". ") or "recipient"

