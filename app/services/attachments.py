"""Documents attached to a case (issue 16; docs/store.md, "Attachments").

Job: attach a file to a case (checked first: ``attachment_checks``), list a case's attachments,
hand the content of a PDF or image to the in-application viewer (from memory), and save a copy
where the user asks (audited as a disclosure, through the safe-file helper).

Invariants:
- The content lives only inside the encrypted store, in 1 MiB pieces (``storage.attachments``),
  written in the same transaction as the record (change capture, audit): a refused or failed
  attach leaves the store exactly as it was. A file is never whole in memory while it is attached
  or saved; only the viewer's ``open_attachment`` returns one whole (it shows it from memory).
- Who sees one: anyone who may see its case, unless it is restricted ("only these agencies") to
  agencies that do not include theirs (the originating agency always sees its own) -- the rule of
  contributions. A restricted attachment is not sent to an agency outside its list.
- No attachment content is parsed by anything but the viewer that shows it: other types are only
  ever saved as a copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from app.models import rules
from app.models.attachments import CHUNK_BYTES, Attachment, agency_may_see_attachment
from app.models.errors import FileWriteError, InvalidInput, NotFound, Refused
from app.models.fieldrules import check_text, field_limit
from app.models.ids import AgencyId
from app.services.attachment_checks import CheckedFile, check_file
from app.services.cases import case_reach, load_case
from app.services.context import Session
from app.storage import attachments as store
from app.storage import repo
from app.storage.db import Connection
from app.storage.files import open_regular_file, staged_writer


def _may_see_case(session: Session, conn: Connection, case_id: str) -> bool:
    case = repo.get_case(conn, case_id)
    if case is None:
        return False
    reach = case_reach(session, conn)
    also = reach.cases if reach is not None else frozenset()
    return rules.agency_may_see_case(case, session.agency.id, is_hub=reach is None, also=also)


def add_attachment(
    session: Session,
    *,
    case_id: str,
    path: Path,
    description: str = "",
    restricted_to: Sequence[AgencyId] = (),
) -> str:
    """Attach the file at ``path`` to the case; returns the attachment's id. Refused in one
    sentence (``InvalidInput``), nothing stored, for a file that is empty, over 25 MB, not what
    its name says, an encrypted PDF or an archive bomb."""
    description = check_text(
        description, "The description", limit=field_limit("attachment", "description")
    )
    checked = check_file(Path(path))
    with session.change() as w:
        case = load_case(session, w, case_id)
        known = {a.id for a in repo.agencies(w.conn)}
        if set(restricted_to) - known:
            raise InvalidInput("A restriction names an agency that is not on the panel.")
        restricted = sorted({*restricted_to, session.agency.id}) if restricted_to else []
        rid = w.create(
            "attachment",
            {
                "case_id": case.id,
                "agency_id": session.agency.id,
                "author": session.me.id,
                "attached_at": w.audit_time(),
                "description": description,
                "filename": checked.filename,
                "media_type": checked.media_type,
                "size": checked.size,
                "sha256": checked.sha256,
                "restricted_to": restricted,
            },
            audit_action="attach",
        )
        _store_content(w.conn, rid, checked)
        return rid


def _store_content(conn: Connection, attachment_id: str, checked: CheckedFile) -> None:
    """Read the file again a piece at a time into the store; it must still be the file that was
    checked (same size and digest), else the whole attach is rolled back."""
    digest = hashlib.sha256()
    total = 0
    seq = 0
    changed = InvalidInput(f"{checked.filename} changed while it was being attached: nothing was stored.")
    try:
        f = open_regular_file(checked.path)
    except OSError as exc:
        raise changed from exc
    with f:
        while True:
            piece = f.read(CHUNK_BYTES)
            if not piece:
                break
            total += len(piece)
            if total > checked.size:
                raise changed
            digest.update(piece)
            store.put_piece(conn, attachment_id, seq, piece)
            seq += 1
    if total != checked.size or digest.hexdigest() != checked.sha256:
        raise changed


def _visible(session: Session, conn: Connection, attachment_id: str) -> Attachment:
    a = store.get_attachment(conn, attachment_id)
    if (
        a is None
        or not _may_see_case(session, conn, a.case_id)
        or not agency_may_see_attachment(a, session.agency.id)
    ):
        raise NotFound("There is no attachment with that id on this store.")
    return a


def attachments_for(session: Session, *, case_id: str) -> list[Attachment]:
    """The attachments of a case this user may see, oldest first."""
    with session.view() as conn:
        if not _may_see_case(session, conn, case_id):
            raise NotFound("There is no case with that id on this store.")
        items = store.attachments_of_case(conn, case_id)
    return [a for a in items if agency_may_see_attachment(a, session.agency.id)]


def get_attachment(session: Session, *, attachment_id: str) -> Attachment:
    with session.view() as conn:
        return _visible(session, conn, attachment_id)


def resolve_attachment(session: Session, text: str) -> Attachment:
    """An attachment by its id or an unambiguous prefix of it (8 characters or more)."""
    text = text.strip()
    with session.view() as conn:
        a = store.get_attachment(conn, text)
        if a is None and len(text) >= 8:
            found = store.attachments_with_prefix(conn, text)
            if len(found) > 1:
                raise InvalidInput("More than one attachment starts with that; give more of its id.")
            a = found[0] if found else None
        if a is None:
            raise NotFound("There is no attachment with that id on this store.")
        return _visible(session, conn, a.id)


def open_attachment(session: Session, *, attachment_id: str) -> bytes:
    """The content of a PDF or image attachment, for the viewer to show from memory; audited as a
    view. Other types are refused: they are only ever saved as a copy."""
    with session.change() as w:
        a = _visible(session, w.conn, attachment_id)
        if not a.viewable:
            raise Refused(
                f"{a.filename} cannot be shown inside Roundtable: save a copy to open it."
            )
        data = bytearray()
        for piece in store.iter_content(w.conn, a.id):
            data += piece
        if len(data) != a.size or hashlib.sha256(data).hexdigest() != a.sha256:
            raise Refused(f"The stored content of {a.filename} is incomplete or damaged.")
        w.record_event("view", "attachment", a.id, [f"case:{a.case_id}"])
    return bytes(data)


def save_attachment(session: Session, *, attachment_id: str, out: Path) -> Path:
    """Write a copy of the attachment to ``out`` (the safe-file helper, streamed a piece at a
    time); audited as a disclosure. The file appears under its name only once the audit entry is
    committed."""
    target = Path(out).expanduser().absolute()
    if target.is_dir():
        raise FileWriteError(f"{target} is a folder, not a file.")
    staged = None
    try:
        with session.change() as w:
            a = _visible(session, w.conn, attachment_id)
            w.record_event(
                "disclosure-attachment", "attachment", a.id, [f"case:{a.case_id}", "saved"]
            )
            digest = hashlib.sha256()
            total = 0
            with staged_writer(target) as (f, staged):
                for piece in store.iter_content(w.conn, a.id):
                    digest.update(piece)
                    total += len(piece)
                    f.write(piece)
                if total != a.size or digest.hexdigest() != a.sha256:
                    raise Refused(f"The stored content of {a.filename} is incomplete or damaged.")
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    return staged.publish()
