"""Files to attach in tests: a real PDF (ReportLab), a PNG, a DOCX, and the bad ones of issue 16
(not what its name says, an encrypted PDF, an archive bomb, empty, too large)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

MARKER = "QUOKKA-ATTACHMENT-MARKER"


def pdf_bytes(pages: int = 2, marker: str = MARKER) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    for n in range(pages):
        c.drawString(72, 720, f"{marker} page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document>{MARKER}</w:document>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb_docx() -> bytes:
    """A DOCX whose one extra part expands 30 MB of zeros from a few tens of kilobytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        with z.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(30):
                member.write(block)
    return buf.getvalue()


def encrypted_pdf_bytes() -> bytes:
    """A PDF with an /Encrypt entry in its trailer (the document itself need not be readable)."""
    body = pdf_bytes(1)
    return body.replace(b"trailer\n<<", b"trailer\n<< /Encrypt 9 0 R", 1) if b"trailer\n<<" in body \
        else body + b"\ntrailer\n<< /Encrypt 9 0 R /Size 3 >>\n%%EOF\n"


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p
