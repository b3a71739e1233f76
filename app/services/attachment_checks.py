"""Is a file the user wants to attach acceptable? Size, type, encryption, archive bombs.

Job: look at a file the user chose, a piece at a time, without parsing its document: the
leading signature bytes against what its name says it is, the ``/Encrypt`` entry of a PDF's
trailer, and the declared sizes of the members of a ZIP-based document (DOCX, XLSX...) read from
its central directory by ``zipfile`` — never extracted. Computes the SHA-256 on the way.

Invariants: one clear sentence (``InvalidInput``) for every refusal, naming the file's type or
size, never its content; at most one 1 MiB piece (plus a small overlap) in memory at a time.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.models.attachments import CHUNK_BYTES, MAX_ATTACHMENT_BYTES
from app.models.errors import InvalidInput
from app.storage.files import NotARegularFile, open_regular_file

# What a name says a file is: extension -> (media type, kind of check)
_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".gif": ("image/gif", "gif"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    ".odt": ("application/vnd.oasis.opendocument.text", "zip"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    ".zip": ("application/zip", "zip"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".msg": ("application/vnd.ms-outlook", "ole"),
    ".eml": ("message/rfc822", "eml"),
    ".txt": ("text/plain", "text"),
    ".csv": ("text/csv", "text"),
    ".md": ("text/plain", "text"),
    ".rtf": ("application/rtf", "rtf"),
}
_WHAT = {
    "pdf": "a PDF", "png": "a PNG image", "jpeg": "a JPEG image", "gif": "a GIF image",
    "docx": "a Word document (DOCX)", "xlsx": "an Excel workbook (XLSX)",
    "pptx": "a PowerPoint presentation (PPTX)", "zip": "a ZIP-based document",
    "ole": "an Office or Outlook file", "eml": "an e-mail message (.eml)", "text": "a text file",
    "rtf": "a rich text file",
}
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "rtf": (b"{\\rtf",),
}
# The member every document of that kind has (its main part), from the Open XML packaging rules.
_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}

# Archive limits, judged on the sizes the ZIP's central directory declares.
MAX_MEMBERS = 10_000
MAX_EXPANDED = 250 * 1024 * 1024  # all members together, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for a member larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

# "/Encrypt 12 0 R" or "/Encrypt <<" in a trailer or cross-reference stream dictionary
_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
_OVERLAP = 64
# An e-mail message starts with a header field: a name of printable characters, then a colon.
_HEADER_FIELD = re.compile(rb"^[!-9;-~]+:")


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    filename: str
    media_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """The file's own name, as stored: no folder, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", Path(name).name)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc").strip()
    return name[:255] or "attachment"


def media_type_for(filename: str) -> str:
    return _TYPES.get(Path(filename).suffix.lower(), ("application/octet-stream", ""))[0]


def check_file(path: Path) -> CheckedFile:
    """Check a file before it is attached; ``InvalidInput`` (one sentence) if it is refused."""
    path = Path(path).expanduser()
    filename = clean_filename(path.name)
    media_type, kind = _TYPES.get(Path(filename).suffix.lower(), ("application/octet-stream", ""))
    try:
        f = open_regular_file(path)
    except NotARegularFile as exc:
        raise InvalidInput(f"{filename} is not a file that can be attached (a folder or device).") from exc
    except FileNotFoundError as exc:
        raise InvalidInput(f"There is no file {path}.") from exc
    except OSError as exc:
        raise InvalidInput(f"{filename} cannot be read ({exc.strerror or 'error'}).") from exc
    with f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise InvalidInput(f"{filename} is empty (0 bytes): there is nothing to attach.")
        if size > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                f"{filename} is {size / (1024 * 1024):.1f} MB: attachments may be at most "
                f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
            )
        digest = hashlib.sha256()
        head = b""
        encrypted = False
        tail = b""
        nul = False
        total = 0
        while True:
            piece = f.read(CHUNK_BYTES)
            if not piece:
                break
            total += len(piece)
            if total > MAX_ATTACHMENT_BYTES:
                raise InvalidInput(
                    f"{filename} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB: "
                    "attachments may be at most that."
                )
            digest.update(piece)
            if not head:
                head = piece[:4096]
            if kind == "pdf" and not encrypted:
                encrypted = _ENCRYPT.search(tail + piece) is not None
                tail = piece[-_OVERLAP:]
            if kind in ("text", "eml") and not nul:
                nul = b"\x00" in piece
        if total == 0:
            raise InvalidInput(f"{filename} is empty (0 bytes): there is nothing to attach.")
        if kind:
            _check_kind(kind, filename, head, f, nul)
        if encrypted:
            raise InvalidInput(
                f"{filename} is an encrypted (password-protected) PDF: Roundtable cannot show it. "
                "Ask the sender for a copy without a password."
            )
    return CheckedFile(path, filename, media_type, total, digest.hexdigest())


def _not_what_it_says(filename: str, kind: str) -> InvalidInput:
    return InvalidInput(
        f"{filename} is not {_WHAT[kind]}, as its name says: its content is of another kind. "
        "Check the file, or give it the right name."
    )


def _check_kind(kind: str, filename: str, head: bytes, f: BinaryIO, nul: bool) -> None:
    if kind in _SIGNATURES:
        if not head.startswith(_SIGNATURES[kind]):
            raise _not_what_it_says(filename, kind)
        if _SIGNATURES[kind][0] == b"PK\x03\x04":
            _check_archive(kind, filename, f)
        return
    if kind in ("text", "eml"):
        utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if nul and not utf16:
            raise _not_what_it_says(filename, kind)
        if kind == "eml" and not utf16:
            first = head.removeprefix(codecs.BOM_UTF8).lstrip(b"\r\n").split(b"\n", 1)[0]
            if not (_HEADER_FIELD.match(first) or first.startswith(b"From ")):  # or an mbox "From " line
                raise _not_what_it_says(filename, kind)


def _check_archive(kind: str, filename: str, f: BinaryIO) -> None:
    """Judge a ZIP-based document by its central directory: never extract anything."""
    try:
        with zipfile.ZipFile(f) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(f"{filename} is not a valid {_WHAT[kind].split(' ', 1)[1]}: "
                           "its archive is damaged.") from exc
    names = {i.filename for i in infos}
    if kind in _MAIN_PART and _MAIN_PART[kind] not in names:
        raise _not_what_it_says(filename, kind)
    bomb = InvalidInput(
        f"{filename} looks like an archive bomb (its parts would expand far beyond their size): "
        "it was not attached."
    )
    if len(infos) > MAX_MEMBERS:
        raise bomb
    expanded = 0
    for i in infos:
        expanded += i.file_size
        if expanded > MAX_EXPANDED:
            raise bomb
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise bomb
    # Members whose compressed data overlap (the same bytes read many times) are a bomb too.
    spans = sorted((i.header_offset, i.compress_size) for i in infos)
    for (start, length), (nxt, _) in itertools.pairwise(spans):
        if nxt <= start or start + length > nxt:
            raise bomb
