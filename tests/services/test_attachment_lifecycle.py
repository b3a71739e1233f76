"""An attachment's life after it is stored (issue 16): purged with its case under retention, its
content gone from the store file once purged and vacuumed; listed in the subject access report."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pypdf
from sqlalchemy import func, select

from app.models.referral_input import ReferralInput, SubjectInput
from app.services import attachments, cases, retention
from app.services.cases import lifecycle, referrals
from app.services.context import Session
from app.services.documents import subject_access
from app.storage.schema import attachment, attachment_chunk
from tests.services.test_retention import _plaintext
from tests.support import attachment_files as files

TOKEN = b"ZORBLAX-" + bytes.fromhex("f00dfacecafebeef")  # appears nowhere else in the store


def _closed_case(session: Session) -> str:
    cid = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Ottoline", surname="Brackenridge", date_of_birth=dt.date(2002, 4, 5)),
        referral=ReferralInput(received=dt.date(2026, 11, 20), referrer="A teacher", sector="education",
                               concern="other", narrative="A narrative."),
    )
    lifecycle.change_status(session, case_id=cid, status="police-assessment", rationale="")
    lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(session, case_id=cid, outcome="no-further-action", rationale="Nothing further")
    return str(cid)


def _count(session: Session, table: object) -> int:
    with session.view() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_purge_removes_the_attachment_and_its_bytes_from_the_store_file(session: Session, tmp_path: Path) -> None:
    cid = _closed_case(session)
    # a PDF of three pieces whose every piece carries the token
    piece = (TOKEN + os.urandom(1000)) * 1000
    data = files.pdf_bytes(1) + piece * 3
    attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "form.pdf", data),
                               description="Form DESCRIPTIONMARKER")
    session.store.db.checkpoint()
    key, path = session.store.data_key, session.store.path
    assert TOKEN in _plaintext(path, key)  # the check can see the content
    pieces_before = _count(session, attachment_chunk)

    result = retention.purge_case(session, case_id=cid, reason="Erasure", override_reason="Agreed")
    assert result.counts.get("attachment") == 1
    assert pieces_before >= 3
    assert _count(session, attachment) == 0 and _count(session, attachment_chunk) == 0
    session.store.db.execute_raw("VACUUM")
    session.store.db.checkpoint()
    wal = path.with_name(path.name + "-wal")
    for f in (path, wal):
        plain = _plaintext(f, key)
        assert TOKEN not in plain, f
        assert b"DESCRIPTIONMARKER" not in plain and b"form.pdf" not in plain, f


def test_subject_access_lists_the_attachments(session: Session, tmp_path: Path) -> None:
    cid = str(cases.list_case_ids(session)[0])
    attachments.add_attachment(session, case_id=cid, path=files.write(tmp_path, "Letter from school.pdf",
                                                                         files.pdf_bytes(1)),
                               description="Letter about attendance")
    out = subject_access.subject_access_report(session, case_id=cid, out=tmp_path / "sar.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(out).pages)
    assert "Letter from school.pdf" in text and "Letter about attendance" in text
    assert "Attached documents" in text
