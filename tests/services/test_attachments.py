"""Documents attached to a case (issue 16): kept inside the encrypted store in pieces, with who,
when, agency, description, digest and restriction; viewed from memory; saved only as an audited
copy; bad files refused in one sentence with the store unchanged."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.models.attachments import CHUNK_BYTES, MAX_ATTACHMENT_BYTES
from app.models.errors import InvalidInput, NotFound, Refused
from app.services import attachments, cases, panel
from app.services.context import Session
from app.storage.schema import attachment_chunk
from tests.support import attachment_files as files
from tests.support.stores import dump_store


def _case(session: Session) -> str:
    return str(cases.list_case_ids(session)[0])


def _audit(session: Session, action: str) -> list[tuple[str, str, str]]:
    with session.view() as conn:
        rows = conn.execute(
            text("SELECT entity, record_id, fields FROM audit WHERE action = :a ORDER BY seq"),
            {"a": action},
        ).fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_attach_lists_views_and_saves_an_audited_copy(session: Session, tmp_path: Path) -> None:
    cid = _case(session)
    data = files.pdf_bytes(3)
    src = files.write(tmp_path, "Referral form.pdf", data)
    aid = attachments.add_attachment(session, case_id=cid, path=src, description="School referral")
    [a] = attachments.attachments_for(session, case_id=cid)
    assert (a.id, a.filename, a.media_type, a.size) == (aid, "Referral form.pdf", "application/pdf", len(data))
    assert a.sha256 == hashlib.sha256(data).hexdigest()
    assert a.agency_id == session.agency.id and a.author == session.me.id
    assert a.description == "School referral" and a.attached_at and not a.restricted_to
    assert _audit(session, "attach")[-1][:2] == ("attachment", aid)

    assert attachments.open_attachment(session, attachment_id=aid) == data
    assert _audit(session, "view")[-1][:2] == ("attachment", aid)

    out = attachments.save_attachment(session, attachment_id=aid, out=tmp_path / "copy.pdf")
    assert out.read_bytes() == data and (out.stat().st_mode & 0o777) == 0o600
    entity, rid, fields = _audit(session, "disclosure-attachment")[-1]
    assert (entity, rid) == ("attachment", aid) and f"case:{cid}" in fields


def test_a_large_file_is_stored_in_pieces(session: Session, tmp_path: Path) -> None:
    cid = _case(session)
    data = files.pdf_bytes(1) + bytes(range(256)) * (3 * CHUNK_BYTES // 256)  # ~3 MiB
    src = files.write(tmp_path, "big.pdf", data)
    aid = attachments.add_attachment(session, case_id=cid, path=src)
    with session.view() as conn:
        sizes = [int(r[0]) for r in conn.execute(
            select(func.length(attachment_chunk.c.data)).where(attachment_chunk.c.attachment_id == aid)
            .order_by(attachment_chunk.c.seq))]
    assert len(sizes) == 4 and max(sizes) == CHUNK_BYTES and sum(sizes) == len(data)
    out = attachments.save_attachment(session, attachment_id=aid, out=tmp_path / "back.pdf")
    assert out.read_bytes() == data


def test_other_types_are_only_saved_never_opened(session: Session, tmp_path: Path) -> None:
    cid = _case(session)
    aid = attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "r.docx", files.docx_bytes()))
    with pytest.raises(Refused, match="save a copy"):
        attachments.open_attachment(session, attachment_id=aid)
    png = attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "p.png", files.png_bytes()))
    assert attachments.open_attachment(session, attachment_id=png) == files.png_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "empty (0 bytes)"),
        ("letter.pdf", files.png_bytes(), "is not a PDF"),
        ("photo.png", b"%PDF-1.4\n...", "is not a PNG image"),
        ("photo.jpg", files.png_bytes(), "is not a JPEG image"),
        ("report.docx", files.pdf_bytes(1), "is not a Word document"),
        ("sheet.xlsx", files.docx_bytes(), "is not an Excel workbook"),
        ("notes.txt", b"abc\x00\x01\x02" * 10, "is not a text file"),
        ("mail.eml", b"%PDF-1.4 not a message", "is not an e-mail message"),
        ("mail.msg", b"From: someone\r\n", "is not an Office or Outlook file"),
        ("locked.pdf", files.encrypted_pdf_bytes(), "encrypted (password-protected) PDF"),
        ("bomb.docx", files.zip_bomb_docx(), "archive bomb"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 100, "damaged"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    session: Session, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    cid = _case(session)
    src = files.write(tmp_path, name, content)
    before = dump_store(session)
    with pytest.raises(InvalidInput, match=re.escape(message)) as err:
        attachments.add_attachment(session, case_id=cid, path=src)
    assert "\n" not in err.value.user_message
    assert dump_store(session) == before


def test_a_file_over_25_mb_is_refused(session: Session, tmp_path: Path) -> None:
    cid = _case(session)
    src = tmp_path / "huge.pdf"
    with src.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(MAX_ATTACHMENT_BYTES + 1)
    before = dump_store(session)
    with pytest.raises(InvalidInput, match="at most 25 MB"):
        attachments.add_attachment(session, case_id=cid, path=src)
    assert dump_store(session) == before


def test_good_files_of_every_kind_are_accepted(session: Session, tmp_path: Path) -> None:
    cid = _case(session)
    good = {
        "a.pdf": files.pdf_bytes(1), "b.png": files.png_bytes(), "c.jpg": b"\xff\xd8\xff\xe0" + bytes(50),
        "d.gif": b"GIF89a" + bytes(20), "e.docx": files.docx_bytes(),
        "g.txt": "Plain notes, naïve café\n".encode(), "h.eml": b"From: a@b.example\r\nSubject: x\r\n\r\nBody\r\n",
        "k.eml": b"From someone@example.org Thu Dec  3 10:00:00 2026\nSubject: y\n\nBody\n",
        "i.msg": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "j.bin": b"\x00\x01anything",
    }
    for name, content in good.items():
        attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, name, content))
    listed = {a.filename: a.media_type for a in attachments.attachments_for(session, case_id=cid)}
    assert set(listed) == set(good)
    assert listed["j.bin"] == "application/octet-stream"


def test_a_restricted_attachment_is_hidden_from_other_agencies(session: Session, tmp_path: Path) -> None:
    cid = _case(session)
    other = next(a for a in panel.list_agencies(session) if a.id != session.agency.id)
    aid = attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "x.pdf", files.pdf_bytes(1)),
                                     restricted_to=[other.id])
    [a] = attachments.attachments_for(session, case_id=cid)
    assert a.restricted_to == {other.id, session.agency.id}
    third = next(x for x in panel.list_agencies(session) if x.id not in (session.agency.id, other.id))
    with pytest.raises(InvalidInput, match="not on the panel"):
        attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "y.pdf", files.pdf_bytes(1)),
                                   restricted_to=["no-such-agency"])  # type: ignore[list-item]
    assert third.id not in a.restricted_to and aid


def test_unknown_attachment_and_case(session: Session, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        attachments.open_attachment(session, attachment_id="nope")
    with pytest.raises(NotFound):
        attachments.save_attachment(session, attachment_id="nope", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_case_history_tells_what_happened_to_its_documents(session: Session, tmp_path: Path) -> None:
    from app.services import history

    cid = _case(session)
    aid = attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "a.pdf", files.pdf_bytes(1)))
    attachments.open_attachment(session, attachment_id=aid)
    attachments.save_attachment(session, attachment_id=aid, out=tmp_path / "copy.pdf")
    texts = [line.text for line in history.case_history_lines(session, case_id=cid)]
    for start in ("Document attached by", "Attached document viewed by", "Attachment saved on"):
        assert any(t.startswith(start) for t in texts), (start, texts)


def test_a_25_mb_file_is_never_whole_in_memory_when_attached_or_saved(session: Session, tmp_path: Path) -> None:
    import os
    import tracemalloc

    cid = _case(session)
    src = tmp_path / "big.pdf"
    with src.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        for _ in range(24):
            f.write(os.urandom(CHUNK_BYTES))
    size = src.stat().st_size
    tracemalloc.start()
    try:
        aid = attachments.add_attachment(session, case_id=cid, path=src)
        _, attach_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out = attachments.save_attachment(session, attachment_id=aid, out=tmp_path / "copy.pdf")
        _, save_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size == size
    # a few pieces of 1 MiB at most, never the 24 MiB file
    assert attach_peak < 6 * CHUNK_BYTES, attach_peak
    assert save_peak < 6 * CHUNK_BYTES, save_peak


def test_an_agency_outside_the_restriction_can_neither_list_open_nor_save_it(session: Session, tmp_path: Path) -> None:
    import dataclasses

    from app.services.context import Session as SessionType

    agencies = panel.list_agencies(session)
    ws = session.workstation
    case = next(c for c in (cases.resolve_case(session, str(i)) for i in cases.list_case_ids(session))
                if len([a for a in c.shared_with if a != ws.agency.id]) >= 2)
    allowed, other = [a for a in case.shared_with if a != ws.agency.id][:2]
    src = files.write(tmp_path, "r.pdf", files.pdf_bytes(1))
    aid = attachments.add_attachment(session, case_id=case.id, path=src, restricted_to=[allowed])
    open_ = attachments.add_attachment(session, case_id=case.id, path=files.write(tmp_path, "o.pdf", files.pdf_bytes(1)))

    def as_agency(agency_id: str) -> SessionType:
        member = next(m for m in panel.list_members(session) if m.agency_id == agency_id)
        agency = next(a for a in agencies if a.id == agency_id)
        return SessionType(session.store, today_fn=session.today_fn,
                           _workstation=dataclasses.replace(ws, member=member, agency=agency, is_hub=False))

    inside, outside = as_agency(allowed), as_agency(other)
    assert {a.id for a in attachments.attachments_for(inside, case_id=case.id)} >= {aid, open_}
    assert aid not in {a.id for a in attachments.attachments_for(outside, case_id=case.id)}
    assert open_ in {a.id for a in attachments.attachments_for(outside, case_id=case.id)}
    with pytest.raises(NotFound):
        attachments.open_attachment(outside, attachment_id=aid)
    with pytest.raises(NotFound):
        attachments.save_attachment(outside, attachment_id=aid, out=tmp_path / "leak.pdf")
    assert not (tmp_path / "leak.pdf").exists()
    assert attachments.open_attachment(inside, attachment_id=aid) == src.read_bytes()
