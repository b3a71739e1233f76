"""Attached documents in a meeting pack (issue 16): an appendix of the PDFs and images of the
pack's cases that the recipient's agency may see (docs/reports.md, "Attachments in a pack").

Job: gather, for one recipient's copy, the viewable attachments of the case papers it holds
(the pack's data is already cut to the cases the recipient may see; each attachment is cut again
by its own restriction), and append them to the rendered pack with the pack's marking and
recipient line over every page (``reports.pack_appendix``).

Invariants: only PDFs and images, only those the recipient's agency may see; the content is read
from the store a piece at a time into memory, checked against its digest, and never written
anywhere but the pack the caller writes (and audits).
"""

from __future__ import annotations

import hashlib

from app.models.attachments import Attachment, agency_may_see_attachment
from app.models.documents import MeetingPackData
from app.models.ids import AgencyId, MemberId
from app.reports.pack_appendix import AppendixDocument, with_appendix
from app.reports.styles import plain
from app.services.context import Session
from app.storage import attachments as store
from app.storage import repo


def pack_attachments(session: Session, data: MeetingPackData, recipient: MemberId) -> list[tuple[Attachment, bytes]]:
    """The (attachment, content) pairs the recipient's copy carries, in the order of its papers."""
    out: list[tuple[Attachment, bytes]] = []
    with session.view() as conn:
        row = repo.get_row(conn, "member", recipient)
        agency = AgencyId(str(row.agency_id)) if row is not None else AgencyId("")
        for paper in data.case_papers:
            for a in store.attachments_of_case(conn, paper.case.id):
                if not a.viewable or not agency_may_see_attachment(a, agency):
                    continue
                content = b"".join(store.iter_content(conn, a.id))
                if len(content) == a.size and hashlib.sha256(content).hexdigest() == a.sha256:
                    out.append((a, content))
    return out


def add_appendix(session: Session, data: MeetingPackData, recipient: MemberId, pdf: bytes) -> tuple[bytes, list[str]]:
    """The pack with its appendix, and the ids of the attachments it carries (for the audit)."""
    found = pack_attachments(session, data, recipient)
    refs = {p.case.id: p.case.ref for p in data.case_papers}
    documents = [
        AppendixDocument(f"{refs.get(a.case_id, '')} · {a.filename}", a.media_type, content)
        for a, content in found
    ]
    merged = with_appendix(
        pdf, documents, marking=data.context.marking.value.upper(),
        recipient_line=plain(data.context.recipient_line),
    )
    return merged, [a.id for a, _ in found]
