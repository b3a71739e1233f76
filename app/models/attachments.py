"""Documents attached to a case (issue 16): the record, the limits, and who may see one.

Job: plain data and pure rules shared by storage, sync, services and the UI. No I/O.
Invariants: an attachment is restricted exactly as a contribution is ("only these agencies"):
the originating agency always sees its own, an unrestricted one goes wherever its case goes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.models.ids import AgencyId, CaseId, MemberId

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024  # 25 MB (MiB): larger files are refused
CHUNK_BYTES = 1024 * 1024  # the content is stored, read and sent in pieces of this size

# Media types Roundtable shows inside the application (from memory); anything else is only
# ever saved as a copy where the user asks.
VIEWABLE_PDF = frozenset({"application/pdf"})
VIEWABLE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif"})


@dataclass(frozen=True)
class Attachment:
    id: str
    case_id: CaseId
    agency_id: AgencyId
    author: MemberId | None
    attached_at: str  # ISO timestamp (UTC)
    description: str
    filename: str
    media_type: str
    size: int
    sha256: str
    restricted_to: frozenset[AgencyId] = field(default_factory=frozenset)

    @property
    def attached_on(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.attached_at[:10])
        except ValueError:
            return None

    @property
    def is_pdf(self) -> bool:
        return self.media_type in VIEWABLE_PDF

    @property
    def is_image(self) -> bool:
        return self.media_type in VIEWABLE_IMAGES

    @property
    def viewable(self) -> bool:
        return self.is_pdf or self.is_image


def agency_may_see_attachment(attachment: Attachment, agency: AgencyId) -> bool:
    """Restricted attachments go only to the listed agencies; the originator sees its own."""
    if attachment.agency_id == agency:
        return True
    return not attachment.restricted_to or agency in attachment.restricted_to


def size_text(size: int) -> str:
    """A size for people: "812 bytes", "44 KB", "3.2 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    return f"{size / (1024 * 1024):.1f} MB"


__all__ = [
    "CHUNK_BYTES",
    "MAX_ATTACHMENT_BYTES",
    "Attachment",
    "agency_may_see_attachment",
    "size_text",
]
